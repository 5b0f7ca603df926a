import { expect } from 'chai';
import { atScaleCost, classicCost, DEFAULT_ASSUMPTIONS, keyListBytes } from '../../bench/cost.ts';
import { PRICES } from '../../bench/prices.ts';

const line = (cost: ReturnType<typeof atScaleCost>, item: string) => cost.lines.find((entry) => entry.item.startsWith(item))!;

describe('bench/cost.ts: the AWS bill per million records', () => {
  it('bills the loop 4 transitions per record plus 3 per execution of at most its maximum', () => {
    const cost = classicCost(1_000_000, 1763);
    const transitions = line(cost, 'Step Functions STANDARD transitions');
    expect(transitions.quantity).to.equal(4_000_000 + 3 * 568);
    expect(transitions.dollars).to.be.closeTo(100.04, 0.01);
    expect(cost.total).to.be.closeTo(transitions.dollars + 0.625 + 0.125 + 0.4, 0.01);
  });

  it('bills the distributed Map one parent transition per child of 100 records, the children as EXPRESS requests and duration', () => {
    const cost = atScaleCost(1_000_000);
    expect(line(cost, 'Step Functions STANDARD transitions').quantity).to.equal(2 + 10_000);
    expect((line(cost, 'Step Functions STANDARD transitions').quantity / 1_000_000) * 1000).to.be.at.most(15);
    expect(line(cost, 'Step Functions EXPRESS requests').quantity).to.equal(10_000);
    expect(line(cost, 'Step Functions EXPRESS GB-seconds').dollars).to.be.closeTo(10_000 * DEFAULT_ASSUMPTIONS.childSeconds * (64 / 1024) * PRICES.expressGbSecond, 1e-9);
    expect(line(cost, 'SQS SendMessageBatch requests').quantity).to.equal(100_000);
  });

  it('bills SQS at the FIFO price on FIFO queues, and nothing else differently', () => {
    const fifo = atScaleCost(1_000_000, DEFAULT_ASSUMPTIONS, 'fifo');
    expect(line(fifo, 'SQS SendMessageBatch requests (FIFO queue)').dollars).to.be.closeTo(100_000 * 0.5 / 1_000_000, 1e-9);
    expect(fifo.total - atScaleCost(1_000_000).total).to.be.closeTo(100_000 * (0.5 - 0.4) / 1_000_000, 1e-9);
    expect(line(classicCost(1_000_000, 1763, DEFAULT_ASSUMPTIONS, 'fifo'), 'SQS SendMessage requests (FIFO queue)').dollars).to.be.closeTo(0.5, 1e-9);
  });

  it('puts the at-scale bill at a small fraction of the loop\'s, the difference being the transitions', () => {
    const ratio = atScaleCost(1_000_000).total / classicCost(1_000_000, 1763).total;
    expect(ratio).to.be.below(0.02);
  });

  it('counts the key list\'s multipart requests once it outgrows one part', () => {
    expect(line(atScaleCost(1000), 'S3 PUT requests').quantity).to.equal(1 + 3);
    // 1,000,000 keys of 43 bytes a line: 6 parts of 8 MiB, plus create and complete.
    expect(keyListBytes(1_000_000)).to.equal(43_000_000);
    expect(line(atScaleCost(1_000_000), 'S3 PUT requests').quantity).to.equal(6 + 2 + 3);
  });

  it('bills CloudWatch Logs ingestion for the level the stack sets: nothing for a run without errors at ERROR', () => {
    for (const cost of [classicCost(1_000_000, 1763), atScaleCost(1_000_000)]) {
      expect(line(cost, 'CloudWatch Logs ingestion')).to.include({ quantity: 0, dollars: 0 });
    }
    // A level that logs 1 KB a record (ALL with execution data, say) costs 1 GB per million records.
    const verbose = atScaleCost(1_000_000, { ...DEFAULT_ASSUMPTIONS, logBytesPerRecord: 1000 });
    expect(line(verbose, 'CloudWatch Logs ingestion').dollars).to.be.closeTo(PRICES.cloudwatchLogsGb, 1e-9);
  });
});
