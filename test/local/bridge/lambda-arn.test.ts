// End to end on the emulators: the AWS sample's form, a Task whose Resource is the seed
// function's ARN itself, runs as Step Functions runs it. Needs `make build`.
import { expect } from 'chai';
import { runLocal } from '../../../local/run.ts';

const SEED = 'Seed the DynamoDB Table';
const REJECT = 'Reject Invalid Input';
const DEFINITION = 'test/fixtures/asl/lambda-arn.asl.json';

describe('local/bridge a Task whose Resource is the function ARN (end to end)', function () {
  this.timeout(60_000);

  it("takes the function's return value as the state's result, with no Payload wrapper", async () => {
    const { record } = await runLocal({ definitionPath: DEFINITION, count: 3 });
    expect(record.status).to.equal('SUCCEEDED');
    const [seeded] = record.states[SEED]!.samples;
    const list = (seeded!.output as { List: unknown }).List;
    expect(list).to.deep.equal([...record.seeded.map((item) => item.messageId), 'DONE']);
    expect(record.reconciliation).to.deep.include({ items: 3, delivered: 3, missing: [], duplicates: [] });
  });

  it("fails with the function's errorType and Lambda's error document as the cause, which Catch takes", async () => {
    const { record } = await runLocal({ definitionPath: DEFINITION, input: { count: 0 } });
    expect(record.status).to.equal('FAILED');
    expect(record.failedState).to.equal(REJECT);
    expect(record.error).to.equal('InvalidInput');
    const cause = JSON.parse(record.cause!) as { errorType: string; errorMessage: string; trace: string[] };
    expect(cause.errorType).to.equal('InvalidInput');
    expect(cause.errorMessage).to.contain('input.count must be');
    expect(cause.trace).to.be.an('array');
    expect(record.reconciliation).to.include({ items: 0, delivered: 0 });
  });
});
