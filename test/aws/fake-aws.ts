// Sinon stubs on real SDK clients' `send`, answering like Step Functions and DynamoDB would, with
// no network. The AWS client's tests run against the local endpoint and the emulators
// (local-aws.ts); this fake stays only for what those cannot produce, because it happens on AWS's
// side alone:
// - BatchGetItem leaving keys unprocessed (DynamoDB does so under throttling or past its 16 MB
//   answer limit; the emulator answers every key);
// - a history where an item was sent twice (on AWS, SQS took the message but its answer was lost
//   and the Retry sent it again; the emulator's answers are never lost).
import sinon from 'sinon';
import { DescribeStateMachineForExecutionCommand, GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { BatchGetItemCommand, type BatchGetItemInput } from '@aws-sdk/client-dynamodb';
import { createClients, type Clients } from '../../execution/clients.ts';
import { DEFINITION, REGION, STATE_MACHINE_ARN, TABLE_NAME } from './fixtures.ts';

export interface FakeAwsOptions {
  history?: HistoryEvent[];
  /** MessageId -> Message, as the seed function wrote them. */
  table?: Map<string, string>;
  /** BatchGetItem leaves this many keys unprocessed on its first answer. */
  unprocessedOnce?: number;
}

export interface FakeAws {
  clients: Clients;
  sent: (service: 'sfn' | 'dynamodb') => object[];
}

type Send = (command: object) => Promise<unknown>;

export function fakeAws(options: FakeAwsOptions = {}): FakeAws {
  const clients = createClients({ region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const stubs = {
    sfn: stubSend(clients.sfn, sfnAnswers(options.history ?? [])),
    dynamodb: stubSend(clients.dynamodb, dynamodbAnswers(options)),
  };
  return { clients, sent: (service) => stubs[service].getCalls().map((call) => call.args[0] as object) };
}

function stubSend(client: { send: unknown }, answer: Send): sinon.SinonStub {
  return (sinon.stub(client, 'send') as unknown as sinon.SinonStub).callsFake(answer);
}

function unexpected(command: object): never {
  throw new Error(`unexpected ${command.constructor.name}`);
}

/** The whole history in one page, and the deployed definition. */
function sfnAnswers(history: HistoryEvent[]): Send {
  return async (command) => {
    if (command instanceof GetExecutionHistoryCommand) return { events: history };
    if (command instanceof DescribeStateMachineForExecutionCommand) {
      return { stateMachineArn: STATE_MACHINE_ARN, definition: JSON.stringify(DEFINITION) };
    }
    return unexpected(command);
  };
}

function dynamodbAnswers(options: FakeAwsOptions): Send {
  const table = options.table ?? new Map<string, string>();
  let unprocessed = options.unprocessedOnce ?? 0;
  return async (command) => {
    if (!(command instanceof BatchGetItemCommand)) return unexpected(command);
    const { Keys = [] } = (command.input as BatchGetItemInput).RequestItems![TABLE_NAME]!;
    const held = Keys.slice(0, unprocessed);
    unprocessed = 0;
    const items = Keys.slice(held.length)
      .map((key) => key.MessageId!.S!)
      .filter((id) => table.has(id))
      .map((id) => ({ MessageId: { S: id }, Message: { S: table.get(id)! } }));
    return {
      Responses: { [TABLE_NAME]: items },
      UnprocessedKeys: held.length > 0 ? { [TABLE_NAME]: { Keys: held } } : {},
    };
  };
}
