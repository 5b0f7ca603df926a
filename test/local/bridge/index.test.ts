import { expect } from 'chai';
import { describedResources } from '../../fixtures/local-resources.ts';
import type { BridgeOptions, LocalResources } from '../../../local/contracts.ts';
import { createTaskHandlers, taskStates, UnsupportedResource } from '../../../local/bridge/index.ts';
import { localPolicies } from '../../../local/services/iam.ts';
import { MissingBundle } from '../../../local/services/lambda-runner.ts';

const SEED_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:idx-seed';
const OTHER_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:other';

// No emulator is reached here: the handlers are only built, never called.
const resources: LocalResources = describedResources('idx');

const options: BridgeOptions = {
  resources,
  endpoints: { dynamodb: 'http://127.0.0.1:1', sqs: 'http://127.0.0.1:1' },
  ...localPolicies(resources),
  faults: [],
  distDir: 'dist',
  bundles: { seed: 'test/fixtures/lambda/index.ts' },
};

const machine = (States: Record<string, unknown>) => ({ StartAt: Object.keys(States)[0], States });
const task = (Resource: unknown, Parameters?: unknown) => ({ Type: 'Task', Resource, ...(Parameters ? { Parameters } : {}), End: true });
const invokeSeed = task('arn:aws:states:::lambda:invoke', { FunctionName: SEED_ARN, 'Payload.$': '$' });

function refusal(definition: unknown, bridgeOptions: BridgeOptions = options): string {
  try {
    createTaskHandlers(definition, bridgeOptions);
  } catch (error) {
    expect(error).to.be.instanceOf(UnsupportedResource);
    return (error as Error).message;
  }
  throw new Error('expected UnsupportedResource');
}

describe('local/bridge createTaskHandlers', () => {
  it('returns one handler per Task state, keyed by state name', () => {
    const handlers = createTaskHandlers(
      machine({
        Seed: invokeSeed,
        Wait: { Type: 'Pass', Next: 'Read' },
        Read: task('arn:aws:states:::dynamodb:getItem'),
        Send: task('arn:aws:states:::sqs:sendMessage'),
        Query: task('arn:aws:states:::aws-sdk:dynamodb:query'),
        Receive: task('arn:aws:states:::aws-sdk:sqs:receiveMessage'),
      }),
      options,
    );
    expect(Object.keys(handlers).sort()).to.deep.equal(['Query', 'Read', 'Receive', 'Seed', 'Send']);
    expect(Object.values(handlers).every((handler) => typeof handler === 'function')).to.be.true;
  });

  it('finds the Tasks inside Parallel branches and Map processors, old Iterator form included', () => {
    const definition = machine({
      Fan: {
        Type: 'Parallel',
        Branches: [machine({ InBranch: task('arn:aws:states:::dynamodb:putItem') })],
        Next: 'Each',
      },
      Each: { Type: 'Map', ItemProcessor: machine({ InMap: task('arn:aws:states:::sqs:sendMessage') }), Next: 'Old' },
      Old: { Type: 'Map', Iterator: machine({ InIterator: task('arn:aws:states:::dynamodb:deleteItem') }), End: true },
    });
    expect(taskStates(definition).map((state) => state.name)).to.deep.equal(['InBranch', 'InMap', 'InIterator']);
    expect(Object.keys(createTaskHandlers(definition, options))).to.deep.equal(['InBranch', 'InMap', 'InIterator']);
  });

  describe('refuses, before anything runs, naming the state and the resource', () => {
    const cases: [string, unknown, RegExp][] = [
      ['a service the bridge does not emulate, suggesting a mock configuration', task('arn:aws:states:::glue:startJobRun'), /arn:aws:states:::glue:startJobRun" is not supported offline; supported: .*; answer the state from a mock configuration instead: --mock-config FILE --test-case NAME/],
      ['the ARN of a function that does not run offline as the resource', task(OTHER_ARN), new RegExp(`"${OTHER_ARN}" names a function that is not here; offline, only these functions run: ${SEED_ARN}$`)],
      ['a function ARN with an alias, which does not exist offline', task(`${SEED_ARN}:live`), /names a function that is not here/],
      ['an optimized DynamoDB action that AWS does not offer', task('arn:aws:states:::dynamodb:query'), /dynamodb:query" is not supported/],
      ['an aws-sdk action the SDK does not have', task('arn:aws:states:::aws-sdk:dynamodb:getEverything'), /is not supported/],
      ['an aws-sdk action in PascalCase', task('arn:aws:states:::aws-sdk:dynamodb:GetItem'), /is not supported/],
      ['an aws-sdk service the bridge does not emulate', task('arn:aws:states:::aws-sdk:ec2:describeInstances'), /is not supported/],
      ['an aws-sdk:s3 action the S3 emulator does not serve', task('arn:aws:states:::aws-sdk:s3:putBucketReplication'), /is not supported/],
      ['an aws-sdk:lambda action other than invoke', task('arn:aws:states:::aws-sdk:lambda:deleteFunction'), /is not supported offline: the local lambda does not answer deleteFunction; answer the state from a mock configuration/],
      ['an aws-sdk:dynamodb action the DynamoDB emulator does not answer', task('arn:aws:states:::aws-sdk:dynamodb:transactWriteItems'), /is not supported offline: the local dynamodb does not answer transactWriteItems/],
      ['the .sync pattern', task('arn:aws:states:::lambda:invoke.sync'), /uses the \.sync integration pattern/],
      ['the callback pattern of an integration that has none offline', task('arn:aws:states:::dynamodb:putItem.waitForTaskToken'), /\.waitForTaskToken integration pattern/],
      ['a resource that is not a string', task({ 'Fn::GetAtt': 'x' }), /is not supported/],
    ];
    for (const [what, state, reason] of cases) {
      it(`refuses ${what}`, () => {
        const message = refusal(machine({ 'Do The Thing': state }));
        expect(message).to.match(/^state "Do The Thing": /).and.to.match(reason);
      });
    }

    it('refuses an unsupported Task nested in a Map, naming it', () => {
      const definition = machine({
        Each: { Type: 'Map', ItemProcessor: machine({ 'Publish Each': task('arn:aws:states:::glue:startJobRun') }), End: true },
      });
      expect(refusal(definition)).to.match(/^state "Publish Each"/);
    });

    it('refuses lambda:invoke of a function other than the seed function', () => {
      const message = refusal(machine({ Call: task('arn:aws:states:::lambda:invoke', { FunctionName: 'other' }) }));
      expect(message).to.equal(`state "Call": lambda:invoke calls other; offline, only these functions run: ${SEED_ARN}`);
    });

    it('refuses lambda:invoke without a FunctionName', () => {
      expect(refusal(machine({ Call: task('arn:aws:states:::lambda:invoke', { Payload: {} }) }))).to.include(
        'needs a FunctionName',
      );
    });

    it('refuses an asynchronous lambda:invoke', () => {
      const state = task('arn:aws:states:::lambda:invoke', { FunctionName: SEED_ARN, InvocationType: 'Event' });
      expect(refusal(machine({ Call: state }))).to.include('InvocationType "Event"; offline, only RequestResponse runs');
    });

    it('accepts the seed function by name, by ARN and with $LATEST, and a FunctionName only known at run time', () => {
      for (const FunctionName of ['idx-seed', SEED_ARN, `${SEED_ARN}:$LATEST`]) {
        expect(() => createTaskHandlers(machine({ Call: task('arn:aws:states:::lambda:invoke', { FunctionName }) }), options)).to.not.throw();
      }
      const dynamic = task('arn:aws:states:::lambda:invoke', { 'FunctionName.$': '$.fn' });
      expect(() => createTaskHandlers(machine({ Call: dynamic }), options)).to.not.throw();
    });
  });

  it("accepts the seed function's ARN as a Task's Resource, unqualified or with $LATEST", () => {
    const handlers = createTaskHandlers(machine({ Old: task(SEED_ARN), Latest: task(`${SEED_ARN}:$LATEST`) }), options);
    expect(Object.keys(handlers)).to.deep.equal(['Old', 'Latest']);
  });

  it('refuses a function ARN resource whose bundle is missing with MissingBundle, before the run', () => {
    expect(() => createTaskHandlers(machine({ Seed: task(SEED_ARN) }), { ...options, bundles: { seed: 'dist/missing/index.mjs' } })).to.throw(
      MissingBundle,
    );
  });

  it('refuses a lambda:invoke whose bundle is missing with MissingBundle, before the run', () => {
    expect(() => createTaskHandlers(machine({ Seed: invokeSeed }), { ...options, bundles: { seed: 'dist/missing/index.mjs' } }))
      .to.throw(MissingBundle)
      .with.property('message')
      .that.includes('make build');
  });

  it('needs no bundle when no Task invokes the function', () => {
    const definition = machine({ Read: task('arn:aws:states:::dynamodb:getItem') });
    expect(() => createTaskHandlers(definition, { ...options, bundles: { seed: 'dist/missing/index.mjs' } })).to.not.throw();
  });
});
