import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect } from 'chai';
import { TaskFailure } from '../../local/bridge/errors.ts';
import type { FaultFiring, FaultSpec } from '../../local/contracts.ts';
import {
  checkFaultTargets,
  createFaultInjectors,
  createFaultLedger,
  FAILED_ENTRY,
  faultText,
  InjectedFault,
  InvalidFaultSpec,
  parseFault,
} from '../../local/bridge/faults.ts';
import { runLocal } from '../../local/run.ts';
import { THROTTLED } from '../../workflow/service-errors.ts';
import { LOCAL_CLI } from '../../scripts/build.ts';

function outcomes(inject: (service: string, action: string) => void, calls: [string, string][]): string[] {
  return calls.map(([service, action]) => {
    try {
      inject(service, action);
      return 'ok';
    } catch (error) {
      expect(error).to.satisfy((thrown: unknown) => thrown instanceof InjectedFault || thrown instanceof TaskFailure);
      return (error as Error).name;
    }
  });
}

const createFaultInjector = (faults: FaultSpec[], onFire?: (firing: FaultFiring) => void) =>
  createFaultInjectors(faults, onFire)('State');

describe('local/faults', () => {
  describe('parseFault', () => {
    it('reads service, action, error name and count', () => {
      expect(parseFault('dynamodb:getItem:DynamoDB.ProvisionedThroughputExceededException:2')).to.deep.equal({
        service: 'dynamodb',
        action: 'getItem',
        error: 'DynamoDB.ProvisionedThroughputExceededException',
        times: 2,
      });
    });

    it('takes the service in any case', () => {
      expect(parseFault('SQS:sendMessage:SQS.AmazonSQSException:1').service).to.equal('sqs');
    });

    it('reads "throttled" as the name AWS reports for a throttled call of that service', () => {
      expect(parseFault('sqs:sendMessage:throttled:2')).to.deep.include({ error: 'SQS.AmazonSQSException', times: 2 });
      expect(parseFault('dynamodb:getItem:throttled:1').error).to.equal(THROTTLED.dynamodb.error);
      expect(parseFault('lambda:invoke:throttled:1').error).to.equal('Lambda.TooManyRequestsException');
    });

    it('reads "failed-entries" on an SQS batch action: the entries fail, with SQS\'s per-entry code', () => {
      expect(parseFault('sqs:sendMessageBatch:failed-entries:25')).to.deep.equal({
        service: 'sqs',
        action: 'sendMessageBatch',
        error: FAILED_ENTRY.code,
        times: 25,
        failedEntries: true,
      });
      expect(faultText(parseFault('sqs:sendMessageBatch:failed-entries:25'))).to.equal('sqs:sendMessageBatch:failed-entries:25');
    });

    it('reads "lost-answer" on an SQS send: the call goes through, then fails as SdkClientException', () => {
      expect(parseFault('sqs:sendMessage:lost-answer:2')).to.deep.equal({
        service: 'sqs',
        action: 'sendMessage',
        error: 'SQS.SdkClientException',
        times: 2,
        lostAnswer: true,
      });
      expect(faultText(parseFault('sqs:sendMessageBatch:lost-answer:1'))).to.equal('sqs:sendMessageBatch:lost-answer:1');
    });

    it('takes s3, the service of a Map\'s ItemReader and ResultWriter, throttled as S3\'s AmazonS3Exception', () => {
      expect(parseFault('s3:getObject:throttled:1')).to.deep.equal({ service: 's3', action: 'getObject', error: 'S3.AmazonS3Exception', times: 1 });
      expect(faultText(parseFault('s3:putObject:throttled:2'))).to.equal('s3:putObject:throttled:2');
    });

    const invalid: [string, string, RegExp][] = [
      ['too few parts', 'dynamodb:getItem:2', /3 colon-separated part/],
      ['too many parts', 'dynamodb:getItem:A:B:2', /5 colon-separated part/],
      ['a service no task calls', 'glue:startJobRun:Glue.InternalServiceException:1', /service "glue"/],
      ['failed-entries on a call that is not an SQS batch', 'sqs:sendMessage:failed-entries:1', /failed-entries applies to SQS batch actions only/],
      ['lost-answer on a call that sends nothing', 'sqs:deleteMessage:lost-answer:1', /lost-answer applies to SQS sends only \(sendMessage, sendMessageBatch\)/],
      ['lost-answer on another service', 'dynamodb:putItem:lost-answer:1', /lost-answer applies to SQS sends only/],
      ['an action that is not a name', 'dynamodb:get-item:X:1', /action "get-item"/],
      ['an empty error name', 'dynamodb:getItem::1', /error name ""/],
      ['a zero count', 'dynamodb:getItem:X:0', /times "0"/],
      ['a fractional count', 'dynamodb:getItem:X:1.5', /times "1.5"/],
      ['a count that is not a number', 'dynamodb:getItem:X:twice', /times "twice"/],
    ];
    for (const [what, spec, reason] of invalid) {
      it(`rejects ${what} with InvalidFaultSpec quoting the spec and the expected form`, () => {
        expect(() => parseFault(spec))
          .to.throw(InvalidFaultSpec)
          .with.property('message')
          .that.matches(reason)
          .and.includes(`"${spec}"`)
          .and.includes('<service>:<action>:<ErrorName|throttled>:<times>, sqs:<action>Batch:failed-entries:<entries>, or sqs:<sendMessage|sendMessageBatch>:lost-answer:<times>');
      });
    }
  });

  describe('createFaultInjector', () => {
    it('fails exactly the first `times` matching calls, then lets calls through', () => {
      const inject = createFaultInjector([parseFault('dynamodb:getItem:DynamoDB.ThrottlingException:2')]);
      const getItem: [string, string] = ['dynamodb', 'getItem'];
      expect(outcomes(inject, [getItem, getItem, getItem, getItem])).to.deep.equal([
        'DynamoDB.ThrottlingException',
        'DynamoDB.ThrottlingException',
        'ok',
        'ok',
      ]);
    });

    it('matches service and action without case, and nothing else', () => {
      const inject = createFaultInjector([parseFault('dynamodb:getItem:E:5')]);
      expect(
        outcomes(inject, [
          ['sqs', 'getItem'],
          ['dynamodb', 'putItem'],
          ['DynamoDB', 'GETITEM'],
        ]),
      ).to.deep.equal(['ok', 'ok', 'E']);
    });

    it('counts each fault on its own, first listed first', () => {
      const inject = createFaultInjector([
        parseFault('sqs:sendMessage:First:1'),
        parseFault('sqs:sendMessage:Second:1'),
        parseFault('lambda:invoke:Lambda.ServiceException:1'),
      ]);
      expect(
        outcomes(inject, [
          ['sqs', 'sendMessage'],
          ['lambda', 'invoke'],
          ['sqs', 'sendMessage'],
          ['sqs', 'sendMessage'],
          ['lambda', 'invoke'],
        ]),
      ).to.deep.equal(['First', 'Lambda.ServiceException', 'Second', 'ok', 'ok']);
    });

    it('says in the cause that the failure was injected, and which one it was', () => {
      const inject = createFaultInjector([parseFault('dynamodb:getItem:E:2')]);
      inject('x', 'y');
      expect(() => inject('dynamodb', 'getItem')).to.throw('Injected by --fault dynamodb:getItem:E:2 (failure 1 of 2)');
      expect(() => inject('dynamodb', 'getItem')).to.throw('(failure 2 of 2)');
    });

    it('does nothing without faults', () => {
      expect(outcomes(createFaultInjector([]), [['dynamodb', 'getItem']])).to.deep.equal(['ok']);
    });

    it('gives a throttling fault the cause AWS gives a throttled call, the code in it', () => {
      const inject = createFaultInjector([parseFault('sqs:sendMessage:throttled:1')]);
      expect(() => inject('sqs', 'sendMessage'))
        .to.throw(TaskFailure, /^Request is throttled\. Injected by --fault sqs:sendMessage:throttled:1 \(failure 1 of 1\) \(Service: AmazonSQS; Status Code: 403; Error Code: RequestThrottled; /)
        .with.property('name', 'SQS.AmazonSQSException');
    });

    it('names a throttled call as the calling integration does: an AWS SDK integration under SDK v2\'s names', () => {
      const injectors = createFaultInjectors([parseFault('dynamodb:batchGetItem:throttled:1'), parseFault('sqs:sendMessageBatch:throttled:1')]);
      expect(() => injectors('Read', 'sdk')('dynamodb', 'batchGetItem'))
        .to.throw(TaskFailure, /^Throughput exceeds the current capacity .* \(Service: DynamoDb, Status Code: 400, Request ID: \S+\)$/)
        .with.property('name', 'DynamoDb.ThrottlingException');
      expect(() => injectors('Send', 'sdk')('sqs', 'sendMessageBatch')).to.throw(TaskFailure).with.property('name', 'Sqs.RequestThrottledException');
    });

    it('throttles S3 with 503 SlowDown', () => {
      expect(() => createFaultInjector([parseFault('s3:getObject:throttled:1')])('s3', 'getObject'))
        .to.throw(TaskFailure, /Status Code: 503; Error Code: SlowDown;/)
        .with.property('name', 'S3.AmazonS3Exception');
    });

    it('fails the first n entries of batch calls, each as SQS lists a failed entry, and lets the rest through', () => {
      const firings: FaultFiring[] = [];
      const injectors = createFaultInjectors([parseFault('sqs:sendMessageBatch:failed-entries:3')], (firing) => firings.push(firing));
      const entries = (ids: string[]) => ids.map((Id) => ({ Id, MessageBody: Id }));
      const first = injectors.entries('Send')('sqs', 'sendMessageBatch', entries(['a', 'b']));
      expect(first.send).to.deep.equal([]);
      expect(first.failed).to.deep.equal([
        { Id: 'a', SenderFault: false, Code: 'InternalError', Message: 'Injected by --fault sqs:sendMessageBatch:failed-entries:3 (entry 1 of 3)' },
        { Id: 'b', SenderFault: false, Code: 'InternalError', Message: 'Injected by --fault sqs:sendMessageBatch:failed-entries:3 (entry 2 of 3)' },
      ]);
      const second = injectors.entries('Send')('sqs', 'sendMessageBatch', entries(['c', 'd']));
      expect(second.send).to.deep.equal(entries(['d']));
      expect(second.failed.map((entry) => entry.Id)).to.deep.equal(['c']);
      expect(injectors.entries('Send')('sqs', 'sendMessageBatch', entries(['e'])).failed).to.deep.equal([]);
      // A failed-entries fault never fails the call itself.
      expect(outcomes(injectors('Send', 'sdk'), [['sqs', 'sendMessageBatch']])).to.deep.equal(['ok']);
      expect(firings.map((firing) => firing.failedEntry)).to.deep.equal([true, true, true]);
    });

    it('loses the answer of the first n sends, after the call, named as each integration names it', () => {
      const firings: FaultFiring[] = [];
      const injectors = createFaultInjectors([parseFault('sqs:sendMessageBatch:lost-answer:2')], (firing) => firings.push(firing));
      const request = injectors('Send', 'sdk');
      // Nothing fails before the call: the message reaches the queue.
      expect(outcomes(request, [['sqs', 'sendMessageBatch']])).to.deep.equal(['ok']);
      const answer = (inject: (service: string, action: string, moment?: 'request' | 'answer') => void) => (service: string, action: string) =>
        inject(service, action, 'answer');
      expect(outcomes(answer(injectors('Send', 'sdk')), [['sqs', 'sendMessageBatch']])).to.deep.equal(['Sqs.SdkClientException']);
      expect(outcomes(answer(injectors('Send')), [['sqs', 'sendMessageBatch'], ['sqs', 'sendMessageBatch']])).to.deep.equal(['SQS.SdkClientException', 'ok']);
      expect(() => answer(createFaultInjector([parseFault('sqs:sendMessage:lost-answer:1')]))('sqs', 'sendMessage'))
        .to.throw(TaskFailure, /^Unable to execute HTTP request: Read timed out \(Injected by --fault sqs:sendMessage:lost-answer:1 \(failure 1 of 1\): the call reached the queue\)$/);
      expect(firings).to.deep.equal([
        { fault: 0, state: 'Send', error: 'Sqs.SdkClientException' },
        { fault: 0, state: 'Send', error: 'SQS.SdkClientException' },
      ]);
    });

    it('tells which fault fired, in which state', () => {
      const firings: FaultFiring[] = [];
      const injectors = createFaultInjectors([parseFault('sqs:sendMessage:A:1'), parseFault('dynamodb:getItem:B:2')], (firing) =>
        firings.push(firing),
      );
      outcomes(injectors('Read'), [['dynamodb', 'getItem']]);
      outcomes(injectors('Send'), [['sqs', 'sendMessage'], ['sqs', 'sendMessage']]);
      outcomes(injectors('Read again'), [['dynamodb', 'getItem']]);
      expect(firings).to.deep.equal([
        { fault: 1, state: 'Read', error: 'B' },
        { fault: 0, state: 'Send', error: 'A' },
        { fault: 1, state: 'Read again', error: 'B' },
      ]);
    });
  });

  describe('checkFaultTargets', () => {
    const targets = [
      { service: 'lambda', action: 'invoke' },
      { service: 'dynamodb', action: 'getItem' },
      { service: 'sqs', action: 'sendMessage' },
    ];

    it('accepts faults on calls the definition makes, in any case', () => {
      expect(() => checkFaultTargets([parseFault('DynamoDB:GETITEM:throttled:1'), parseFault('sqs:sendMessage:E:1')], targets)).to.not.throw();
    });

    for (const spec of ['dynamodb:putItem:throttled:1', 'sqs:sendMesage:E:1']) {
      it(`refuses ${spec}, which no Task calls, naming what the Tasks do call`, () => {
        expect(() => checkFaultTargets([parseFault(spec)], targets))
          .to.throw(InvalidFaultSpec)
          .with.property('message')
          .that.contains('can never fire')
          .and.contains('(it calls lambda:invoke, dynamodb:getItem, sqs:sendMessage)');
      });
    }
  });

  describe('createFaultLedger', () => {
    it('counts each fault\'s firings by state, and the retries that followed them', () => {
      const ledger = createFaultLedger([parseFault('dynamodb:getItem:throttled:3'), parseFault('sqs:sendMessage:E:1')]);
      ledger.retried('Read');
      ledger.fired({ fault: 0, state: 'Read' });
      ledger.retried('Read');
      ledger.fired({ fault: 0, state: 'Read' });
      ledger.fired({ fault: 0, state: 'Read' });
      ledger.retried('Read');
      expect(ledger.report()).to.deep.equal([
        {
          fault: 'dynamodb:getItem:throttled:3',
          error: 'DynamoDB.AmazonDynamoDBException',
          fired: 3,
          states: { Read: { fired: 3, retried: 2 } },
        },
        { fault: 'sqs:sendMessage:E:1', error: 'E', fired: 0, states: {} },
      ]);
    });
  });

  it('createFaultLedger: a failed entry is not a failure Retry takes up', () => {
    const ledger = createFaultLedger([parseFault('sqs:sendMessageBatch:failed-entries:2'), parseFault('sqs:sendMessageBatch:throttled:1')]);
    ledger.fired({ fault: 0, state: 'Send', error: 'InternalError', failedEntry: true });
    ledger.fired({ fault: 1, state: 'Send', error: 'Sqs.RequestThrottledException' });
    ledger.retried('Send');
    expect(ledger.report()).to.deep.equal([
      { fault: 'sqs:sendMessageBatch:failed-entries:2', error: 'InternalError', fired: 1, states: { Send: { fired: 1, retried: 0 } } },
      { fault: 'sqs:sendMessageBatch:throttled:1', error: 'Sqs.RequestThrottledException', fired: 1, states: { Send: { fired: 1, retried: 1 } } },
    ]);
  });

  describe('in a run', function () {
    this.timeout(30_000);

    it('reports each fault with the state it hit and the retries it caused', async () => {
      const { record } = await runLocal({
        count: 3,
        faults: [parseFault('dynamodb:getItem:throttled:2'), parseFault('sqs:sendMessage:throttled:1')],
        fastRetries: true,
      });
      expect(record.status).to.equal('SUCCEEDED');
      expect(record.faults).to.deep.equal([
        {
          fault: 'dynamodb:getItem:throttled:2',
          error: 'DynamoDB.AmazonDynamoDBException',
          fired: 2,
          states: { 'Read Next Message from DynamoDB': { fired: 2, retried: 2 } },
        },
        {
          fault: 'sqs:sendMessage:throttled:1',
          error: 'SQS.AmazonSQSException',
          fired: 1,
          states: { 'Send Message to SQS': { fired: 1, retried: 1 } },
        },
      ]);
    });

    it('refuses, before the run, a fault on an action the definition never calls: exit 2 and InvalidFaultSpec', () => {
      // The bundle make local runs (make test builds it first): a process without tsx's start-up.
      const result = spawnSync(process.execPath, [resolve(LOCAL_CLI.outfile), '--fault', 'dynamodb:putItem:throttled:1'], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(result.status).to.equal(2);
      expect(result.stderr).to.match(
        /^InvalidFaultSpec: --fault "dynamodb:putItem:\S+" can never fire: no Task of the definition calls dynamodb:putItem/m,
      );
      expect(result.stdout).to.not.contain('Execution');
    });
  });
});
