import { expect } from 'chai';
import { causeMessage, type DeliveredMessage, reconcile } from '../../execution/execution-record.ts';
import type { SeededItem } from '../../workflow/description.ts';
import { QUOTAS } from '../../workflow/quotas.ts';

const SEEDED: SeededItem[] = [
  { messageId: 'abc-0001', body: 'one' },
  { messageId: 'abc-0002', body: 'two' },
  { messageId: 'abc-0003', body: 'three' },
];

function delivered(...indexes: number[]): DeliveredMessage[] {
  return indexes.map((index) => ({ ...SEEDED[index]! }));
}

describe('execution/execution-record', () => {
  describe('causeMessage', () => {
    it("returns a Lambda error document's errorMessage", () => {
      const cause = JSON.stringify({ errorType: 'InvalidInput', errorMessage: 'bad count', trace: ['at x'] });
      expect(causeMessage(cause)).to.equal('bad count');
    });

    it('returns nothing for a plain-text cause or JSON without an errorMessage string', () => {
      expect(causeMessage('The execution ran too long.')).to.equal(undefined);
      expect(causeMessage('{"errorMessage": 3}')).to.equal(undefined);
      expect(causeMessage('null')).to.equal(undefined);
    });
  });

  describe('reconcile', () => {
    it('finds nothing missing or duplicated when every item arrived once', () => {
      expect(reconcile(SEEDED, delivered(2, 0, 1))).to.deep.equal({
        items: 3,
        delivered: 3,
        missing: [],
        duplicates: [],
        sample: ['three', 'one', 'two'],
      });
    });

    it('lists the MessageIds of the items that did not arrive', () => {
      const result = reconcile(SEEDED, delivered(1));
      expect(result.missing).to.deep.equal(['abc-0001', 'abc-0003']);
      expect(result).to.include({ items: 3, delivered: 1 });
    });

    it('lists each MessageId delivered more than once, once', () => {
      const result = reconcile(SEEDED, delivered(0, 1, 1, 2, 1, 0));
      expect(result.duplicates.sort()).to.deep.equal(['abc-0001', 'abc-0002']);
      expect(result.missing).to.deep.equal([]);
      expect(result.delivered).to.equal(6);
    });

    it('counts the copies of each duplicated key, listed in key order', () => {
      const result = reconcile(SEEDED, delivered(2, 2, 1, 0, 2, 0));
      expect(result.duplicates).to.deep.equal(['abc-0001', 'abc-0003']);
      expect(result.duplicateCopies).to.deep.equal({ 'abc-0001': 2, 'abc-0003': 3 });
      expect(result.missing).to.deep.equal([]);
    });

    it('lists the missing items in the order they were seeded, whatever the order of either side', () => {
      const unordered: SeededItem[] = [SEEDED[2]!, { messageId: 'abc-0000', body: 'zero' }, SEEDED[0]!, SEEDED[1]!];
      const result = reconcile(unordered, delivered(1, 0));
      expect(result.missing).to.deep.equal(['abc-0003', 'abc-0000']);
      expect(result).to.not.have.property('duplicateCopies');
    });

    it('counts an item as delivered when any seeded item shares its key, and a message without a MessageId by its body', () => {
      const seeded: SeededItem[] = [SEEDED[0]!, { ...SEEDED[0]! }, SEEDED[1]!];
      const result = reconcile(seeded, [{ messageId: 'abc-0001', body: 'one' }, { body: 'abc-0002' }]);
      expect(result.missing).to.deep.equal([]);
      expect(result.duplicates).to.deep.equal([]);
    });

    it('matches by MessageId, so two items with the same body are told apart', () => {
      const twins: SeededItem[] = [
        { messageId: 'abc-0001', body: 'same' },
        { messageId: 'abc-0002', body: 'same' },
      ];
      const result = reconcile(twins, [{ messageId: 'abc-0002', body: 'same' }]);
      expect(result.missing).to.deep.equal(['abc-0001']);
      expect(result.duplicates).to.deep.equal([]);
    });

    it('falls back to the body when no delivered message carries a MessageId', () => {
      const bodies = (indexes: number[]) => indexes.map((index) => ({ body: SEEDED[index]!.body }));
      const result = reconcile(SEEDED, bodies([0, 0, 2]));
      expect(result.missing).to.deep.equal(['abc-0002']);
      expect(result.duplicates).to.deep.equal(['one']);
    });

    it('samples the first five bodies delivered', () => {
      const many = Array.from({ length: 7 }, (_, index) => ({ messageId: `id-${index}`, body: `body ${index}` }));
      expect(reconcile(many, many).sample).to.deep.equal(['body 0', 'body 1', 'body 2', 'body 3', 'body 4']);
    });

    it('reports every item missing when nothing arrived', () => {
      expect(reconcile(SEEDED, [])).to.deep.include({ delivered: 0, missing: ['abc-0001', 'abc-0002', 'abc-0003'], sample: [] });
    });
  });

  it('holds the Step Functions quotas: 25,000 history events and 256 KiB payloads', () => {
    expect(QUOTAS).to.deep.equal({ historyEvents: 25_000, payloadBytes: 262_144 });
  });
});
