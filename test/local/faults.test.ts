import { expect } from 'chai';
import { createFaultInjector, InjectedFault, InvalidFaultSpec, parseFault } from '../../local/faults.ts';

function outcomes(inject: (service: string, action: string) => void, calls: [string, string][]): string[] {
  return calls.map(([service, action]) => {
    try {
      inject(service, action);
      return 'ok';
    } catch (error) {
      expect(error).to.be.instanceOf(InjectedFault);
      return (error as Error).name;
    }
  });
}

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
      expect(parseFault('SQS:sendMessage:SQS.RequestThrottledException:1').service).to.equal('sqs');
    });

    const invalid: [string, string, RegExp][] = [
      ['too few parts', 'dynamodb:getItem:2', /3 colon-separated part/],
      ['too many parts', 'dynamodb:getItem:A:B:2', /5 colon-separated part/],
      ['a service no task calls', 's3:getObject:S3.NoSuchKey:1', /service "s3"/],
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
          .and.includes('<service>:<action>:<ErrorName>:<times>');
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
  });
});
