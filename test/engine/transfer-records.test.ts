import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { runExecution, type Dispatcher, type ExecutionContext, type TaskCall } from '../../engine/index.ts';

// The project's own workflow, run by the engine alone with in-memory services: a loop of Choice →
// GetItem Task → SendMessage Task → Pass `$.List[1:]`, 14 history events per item plus 11.
const template = readFileSync(new URL('../../asl/transfer-records.asl.json', import.meta.url), 'utf8');
const definition: unknown = JSON.parse(template.replace(/\$\{(\w+)\}/g, (_, name: string) => `stand-in-${name}`));

const context: ExecutionContext = {
  executionArn: 'arn:aws:states:us-east-1:123456789012:execution:transfer-records:test',
  executionName: 'test',
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:transfer-records',
  stateMachineName: 'transfer-records',
  roleArn: 'arn:aws:iam::123456789012:role/transfer-records',
  startTime: new Date('2024-01-01T00:00:00Z'),
};

function inMemoryServices(count: number): { dispatch: Dispatcher; sent: string[] } {
  const ids = Array.from({ length: count }, (_, i) => `id-${i}`);
  const sent: string[] = [];
  const dispatch: Dispatcher = async (call: TaskCall) => {
    const parameters = call.parameters as { Key?: { MessageId: { S: string } }; MessageBody?: string };
    if (call.resource === 'arn:aws:states:::lambda:invoke') return { StatusCode: 200, Payload: [...ids, 'DONE'] };
    if (call.resource === 'arn:aws:states:::dynamodb:getItem') {
      const id = parameters.Key!.MessageId.S;
      return { Item: { MessageId: { S: id }, Message: { S: `message ${id}` } } };
    }
    if (call.resource === 'arn:aws:states:::sqs:sendMessage') {
      sent.push(parameters.MessageBody!);
      return { MessageId: `m-${sent.length}` };
    }
    throw new Error(`unexpected resource ${call.resource}`);
  };
  return { dispatch, sent };
}

describe('engine: the transfer-records workflow', () => {
  it('runs 10 items with 14 events per item plus 11, sending each message once in order', async () => {
    const { dispatch, sent } = inMemoryServices(10);
    const result = await runExecution(definition, { items: 10 }, context, { dispatch });
    expect(result.status).to.equal('SUCCEEDED');
    expect(result.history).to.have.length(14 * 10 + 11);
    expect(sent).to.deep.equal(Array.from({ length: 10 }, (_, i) => `message id-${i}`));
    expect(result.history.slice(-3).map((event) => event.type)).to.deep.equal([
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('runs the largest input (1,784 items) to the end', async () => {
    const { dispatch, sent } = inMemoryServices(1784);
    const result = await runExecution(definition, {}, context, { dispatch });
    expect(result.status).to.equal('SUCCEEDED');
    expect(result.history).to.have.length(14 * 1784 + 11);
    expect(sent).to.have.length(1784);
  });
});
