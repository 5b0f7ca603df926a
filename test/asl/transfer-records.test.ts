import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { DEFAULT_PREFIX, DEFAULT_REGION } from '../../workflow/resources.ts';
import { FIFO_SEND_PARAMETERS, SEED_FUNCTION, TABLE, TRANSFER_RECORDS } from '../../workflow/transfer-records.ts';
import { resourceNames } from '../fixtures/names.ts';
import { placeholdersIn, renderTemplate, type TemplateVars } from '../../workflow/template.ts';
import { RETRYABLE_ERRORS } from '../../workflow/service-errors.ts';
import { InvalidInput, SeedWriteIncomplete } from '../../functions/seed/errors.ts';
import { EVENT_FIELDS } from '../../functions/seed/input.ts';
import { SENTINEL } from '../../functions/seed/limits.ts';
import { runLocal } from '../../local/run.ts';

// asl-validator is CommonJS and ships no type declarations.
type AslValidator = (definition: unknown) => { isValid: boolean; errorsText: (separator?: string) => string };
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

// The validator writes a QueryLanguage into every state it checks: give it a copy.
function validate(definition: unknown): ReturnType<AslValidator> {
  return aslValidator(structuredClone(definition));
}

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}

interface State {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  ResultSelector?: Record<string, unknown>;
  ResultPath?: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: Record<string, unknown>[];
  Retry?: Retrier[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  ErrorPath?: string;
  CausePath?: string;
}

interface Definition {
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, State>;
}

const TEMPLATE = readFileSync(new URL(`../../${TRANSFER_RECORDS.definition}`, import.meta.url), 'utf8');
const NAMES = resourceNames(DEFAULT_PREFIX);
const ACCOUNT = '123456789012';
const VARS: TemplateVars = {
  SeedFunctionArn: `arn:aws:lambda:${DEFAULT_REGION}:${ACCOUNT}:function:${NAMES.seedFunction}`,
  TableName: NAMES.table,
  QueueUrl: `https://sqs.${DEFAULT_REGION}.amazonaws.com/${ACCOUNT}/${NAMES.queue}`,
  FifoSendParameters: FIFO_SEND_PARAMETERS.standard,
  Partition: 'aws',
};
const RENDERED = renderTemplate(TEMPLATE, VARS);
const ASL = JSON.parse(RENDERED) as Definition;

function state(name: string): State {
  const found = ASL.States[name];
  if (!found) throw new Error(`no state "${name}"`);
  return found;
}

const SEED = 'Seed the DynamoDB Table';
const CONDITION = 'For Loop Condition';
const READ = 'Read Next Message from DynamoDB';
const SEND = 'Send Message to SQS';
const POP = 'Pop Element from List';

describe('asl/transfer-records.asl.json', () => {
  describe('validity', () => {
    it('passes asl-validator once rendered', () => {
      const { isValid, errorsText } = validate(ASL);
      expect(isValid, errorsText()).to.equal(true);
    });

    it('passes asl-validator rendered for a FIFO queue, its SendMessage then carrying a group and a deduplication id', () => {
      const fifo = JSON.parse(renderTemplate(TEMPLATE, { ...VARS, FifoSendParameters: FIFO_SEND_PARAMETERS.fifo })) as Definition;
      const { isValid, errorsText } = validate(fifo);
      expect(isValid, errorsText()).to.equal(true);
      expect(fifo.States[SEND]!.Parameters).to.deep.equal({
        ...ASL.States[SEND]!.Parameters,
        'MessageGroupId.$': '$$.Execution.Name',
        'MessageDeduplicationId.$': '$.List[0]',
      });
      expect(Object.keys(ASL.States[SEND]!.Parameters!)).to.not.include('MessageGroupId.$');
    });

    it('is checked by a validator that rejects a broken transition', () => {
      const broken = structuredClone(ASL);
      broken.States[POP]!.Next = 'No Such State';
      expect(validate(broken).isValid).to.equal(false);
    });
  });

  describe('the AWS sample\'s states and transitions', () => {
    it('has exactly the sample\'s states plus the Fail for invalid input', () => {
      expect(Object.keys(ASL.States).sort()).to.deep.equal(
        [SEED, CONDITION, READ, SEND, POP, 'Succeed', 'Reject Invalid Input'].sort(),
      );
    });

    it('starts by invoking the seed Lambda and selects its output into $.List', () => {
      expect(ASL.StartAt).to.equal(SEED);
      expect(state(SEED)).to.include({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Next: CONDITION });
      expect(state(SEED).Parameters).to.have.property('FunctionName', VARS.SeedFunctionArn);
      expect(state(SEED).ResultSelector).to.deep.equal({ 'List.$': '$.Payload' });
    });

    it('passes the seed Lambda exactly the event fields it reads', () => {
      const payload = state(SEED).Parameters!.Payload as Record<string, string>;
      expect(payload).to.deep.equal({ 'input.$': '$', 'executionId.$': '$$.Execution.Id' });
      expect(Object.keys(payload).map((key) => key.replace(/\.\$$/, ''))).to.have.members([...EVENT_FIELDS]);
    });

    it('loops while $.List[0] is not the seed Lambda\'s sentinel, then succeeds', () => {
      expect(state(CONDITION)).to.deep.equal({
        Type: 'Choice',
        Choices: [{ Not: { Variable: '$.List[0]', StringEquals: SENTINEL }, Next: READ }],
        Default: 'Succeed',
      });
      expect(state('Succeed').Type).to.equal('Succeed');
    });

    it('reads the current entry by its key with a consistent read', () => {
      expect(state(READ)).to.include({ Type: 'Task', Resource: 'arn:aws:states:::dynamodb:getItem', Next: SEND });
      expect(state(READ).Parameters).to.deep.equal({
        TableName: VARS.TableName,
        Key: { [TABLE.hashKey]: { 'S.$': '$.List[0]' } },
        ConsistentRead: true,
      });
      expect(state(READ).ResultPath).to.equal('$.DynamoDB');
    });

    it('sends the entry\'s Message as the body, tagged with its MessageId', () => {
      expect(state(SEND)).to.include({ Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', Next: POP });
      expect(state(SEND).Parameters).to.deep.equal({
        QueueUrl: VARS.QueueUrl,
        'MessageBody.$': `$.DynamoDB.Item.${TABLE.messageAttribute}.S`,
        MessageAttributes: { [TABLE.hashKey]: { DataType: 'String', 'StringValue.$': '$.List[0]' } },
      });
      expect(state(SEND).ResultPath).to.equal('$.SQS');
    });

    it('pops the first element with a Pass and goes back to the condition', () => {
      expect(state(POP)).to.deep.equal({ Type: 'Pass', Parameters: { 'List.$': '$.List[1:]' }, Next: CONDITION });
    });
  });

  describe('production settings', () => {
    it('bounds the execution with TimeoutSeconds', () => {
      expect(ASL.TimeoutSeconds).to.be.a('number').and.above(0);
    });

    it('bounds the Lambda task with TimeoutSeconds past the function\'s own timeout, within the execution\'s', () => {
      const timeout = (state(SEED) as State & { TimeoutSeconds?: number }).TimeoutSeconds;
      expect(timeout).to.be.a('number').and.above(SEED_FUNCTION.timeoutSeconds).and.below(ASL.TimeoutSeconds!);
    });

    it('retries every task with exponential backoff', () => {
      for (const name of [SEED, READ, SEND]) {
        const retry = state(name).Retry ?? [];
        expect(retry, name).to.not.be.empty;
        for (const retrier of retry) {
          expect(retrier.ErrorEquals, name).to.not.be.empty;
          expect(retrier.MaxAttempts, name).to.be.above(0);
          expect(retrier.BackoffRate, name).to.be.above(1);
        }
      }
    });

    it('retries exactly the transient errors workflow/service-errors.ts lists, each task those of its service', () => {
      const transient = (name: string) => state(name).Retry![0]!.ErrorEquals;
      expect(transient(SEED)).to.deep.equal(RETRYABLE_ERRORS.lambda);
      expect(transient(READ)).to.deep.equal(RETRYABLE_ERRORS.dynamodb);
      expect(transient(SEND)).to.deep.equal(RETRYABLE_ERRORS.sqs);
      expect(transient(SEED)).to.include('Lambda.ClientExecutionTimeoutException');
    });

    it('retries no error name that Step Functions never reports', () => {
      const retried = Object.values(ASL.States).flatMap((entry) => (entry.Retry ?? []).flatMap((retrier) => retrier.ErrorEquals));
      for (const never of ['SQS.RequestThrottledException', 'SQS.KmsThrottledException', 'DynamoDB.ThrottlingException']) {
        expect(retried).to.not.include(never);
      }
    });

    it('retries SeedWriteIncomplete with a jittered, capped backoff: its ids make a rewrite safe', () => {
      const name = new SeedWriteIncomplete(0, 1, 'x').name;
      const retrier = (state(SEED).Retry ?? []).find((entry) => entry.ErrorEquals.includes(name));
      expect(retrier, `a Retry for ${name}`).to.not.equal(undefined);
      expect(retrier!.ErrorEquals).to.deep.equal([name]);
      expect(retrier!.MaxAttempts).to.be.within(2, 5);
      expect(retrier!.IntervalSeconds).to.be.at.least(1);
      expect(retrier!.BackoffRate).to.be.above(1);
      expect(retrier).to.include({ JitterStrategy: 'FULL' });
      expect(retrier!.MaxDelaySeconds).to.be.a('number');
    });

    it('routes InvalidInput to a Fail state carrying its error and cause, whatever the input\'s type', () => {
      const [catcher, ...others] = state(SEED).Catch ?? [];
      expect(others).to.deep.equal([]);
      // Without ResultPath the error output replaces the whole input ("$"), so the Catch applies to an
      // array, a string or a number too; "$.Error" cannot be set on those (States.ResultPathMatchFailure).
      expect(catcher).to.deep.equal({ ErrorEquals: [new InvalidInput('').name], Next: catcher!.Next });
      expect(state(catcher!.Next)).to.deep.equal({ Type: 'Fail', ErrorPath: '$.Error', CausePath: '$.Cause' });
    });

    it('uses only service integrations the state machine\'s role is granted', () => {
      const granted = new Set(TRANSFER_RECORDS.grants.flatMap((grant) => grant.actions));
      const actionOf: Record<string, string> = {
        'arn:aws:states:::lambda:invoke': 'lambda:InvokeFunction',
        'arn:aws:states:::dynamodb:getItem': 'dynamodb:GetItem',
        'arn:aws:states:::sqs:sendMessage': 'sqs:SendMessage',
      };
      const resources = Object.values(ASL.States).flatMap((entry) => (entry.Resource ? [entry.Resource] : []));
      expect(resources.sort()).to.deep.equal(Object.keys(actionOf).sort());
      for (const resource of resources) expect(granted.has(actionOf[resource]!), resource).to.equal(true);
    });
  });

  describe('run offline', function () {
    this.timeout(30_000);

    it('retries a seed invocation that failed with SeedWriteIncomplete, and then delivers every item', async () => {
      const fault = { service: 'lambda', action: 'invoke', error: new SeedWriteIncomplete(0, 3, 'x').name, times: 2 };
      const { record } = await runLocal({ count: 3, faults: [fault], fastRetries: true });
      expect(record.status).to.equal('SUCCEEDED');
      expect(record.reconciliation).to.include({ items: 3, delivered: 3 });
      expect(record.faults![0]!.states).to.deep.equal({ [SEED]: { fired: 2, retried: 2 } });
    });

    for (const input of [[], 'hi', 5, true]) {
      it(`ends input ${JSON.stringify(input)} in Reject Invalid Input with the seed's InvalidInput message`, async () => {
        const { record } = await runLocal({ input });
        expect(record.status).to.equal('FAILED');
        expect(record.error).to.equal('InvalidInput');
        expect(record.cause).to.contain('input must be a JSON object');
        expect(record.failedState).to.equal(state(SEED).Catch![0]!.Next);
        expect(record.seeded).to.deep.equal([]);
      });
    }
  });

  describe('placeholders', () => {
    it('uses exactly the placeholders that have a value', () => {
      expect(new Set(placeholdersIn(TEMPLATE))).to.deep.equal(new Set(Object.keys(TRANSFER_RECORDS.placeholders)));
    });

    it('leaves none behind once rendered, and the template is JSON either way', () => {
      expect(placeholdersIn(RENDERED)).to.deep.equal([]);
      expect(RENDERED).to.not.contain('${');
      expect(() => JSON.parse(TEMPLATE) as unknown).to.not.throw();
    });

    it('puts each value where its resource is named', () => {
      // FifoSendParameters splices members in front of the MessageBody rather than naming a value (checked above).
      const { FifoSendParameters: _, Partition: partition, ...named } = VARS;
      for (const value of Object.values(named)) expect(RENDERED).to.contain(JSON.stringify(value));
      // The partition is part of every service integration's ARN, never a value of its own.
      expect(RENDERED).to.contain(`"arn:${partition}:states:::lambda:invoke"`);
      expect(TEMPLATE).to.not.contain('arn:aws:');
    });
  });
});
