import { expect } from 'chai';
import { batchKeys, reconcileMapRun, sentCount } from '../../aws/map-run-reconcile.ts';
import { KEY_FIELD, SENT_FIELD } from '../../workflow/transfer-records-at-scale.ts';

const SEEDED = ['k1', 'k2', 'k3', 'k4', 'k5'];

describe('aws/map-run-reconcile', () => {
  describe('key by key, when every succeeded child says its batch', () => {
    it('finds nothing missing when the succeeded children sent every seeded key once', () => {
      const { reconciliation, delivered, warnings } = reconcileMapRun(SEEDED, [
        { succeeded: true, keys: ['k1', 'k2', 'k3'] },
        { succeeded: true, keys: ['k4', 'k5'] },
      ], new Map([['k1', 'body 1']]));
      expect(reconciliation).to.deep.equal({ items: 5, delivered: 5, missing: [], duplicates: [], sample: ['body 1'] });
      expect(delivered.map((message) => message.messageId)).to.deep.equal(SEEDED);
      expect(delivered[0]).to.deep.equal({ messageId: 'k1', body: 'body 1' });
      expect(warnings).to.deep.equal([]);
    });

    it("reports a failed child's keys as missing, not confirmed sent, and says why", () => {
      const { reconciliation, warnings } = reconcileMapRun(SEEDED, [
        { succeeded: true, keys: ['k1', 'k2', 'k3'] },
        { succeeded: false, keys: ['k4', 'k5'] },
      ]);
      expect(reconciliation).to.include({ items: 5, delivered: 3 });
      expect(reconciliation.missing).to.deep.equal(['k4', 'k5']);
      expect(warnings).to.deep.equal([
        '2 of the missing key(s) were in child executions that did not succeed: not confirmed sent (such a child may have sent part of its batch before it failed)',
      ]);
    });

    it('reports a key in no child (a batch never started) as missing', () => {
      const { reconciliation, warnings } = reconcileMapRun(SEEDED, [{ succeeded: true, keys: ['k1', 'k2', 'k3', 'k4'] }]);
      expect(reconciliation.missing).to.deep.equal(['k5']);
      expect(warnings).to.deep.equal([]);
    });

    it('reports a key two succeeded children sent as duplicated, and a key nobody seeded', () => {
      const { reconciliation, delivered, warnings } = reconcileMapRun(SEEDED, [
        { succeeded: true, keys: ['k1', 'k2', 'k3'] },
        { succeeded: true, keys: ['k3', 'k4', 'k5', 'k9'] },
      ]);
      expect(reconciliation).to.include({ items: 5, delivered: 7 });
      expect(reconciliation.missing).to.deep.equal([]);
      expect(reconciliation.duplicates).to.deep.equal(['k3']);
      expect(delivered.filter((message) => message.messageId === 'k3')).to.have.length(2);
      expect(warnings).to.deep.equal(["1 key(s) sent by the Map Run's children are not in the seeded key list"]);
    });
  });

  describe('by count, when succeeded children say only how many they sent', () => {
    it('counts their messages, names only what failed children held, and says what it cannot see', () => {
      const { reconciliation, warnings } = reconcileMapRun(SEEDED, [
        { succeeded: true, sent: 3 },
        { succeeded: false, keys: ['k4', 'k5'] },
      ]);
      expect(reconciliation).to.include({ items: 5, delivered: 3 });
      expect(reconciliation.missing).to.deep.equal(['k4', 'k5']);
      expect(warnings[0]).to.match(/^3 message\(s\) of succeeded child executions were counted from their outputs, not matched key by key/);
      expect(warnings).to.have.length(2);
    });

    it('says how many seeded keys it cannot place in any child', () => {
      const { reconciliation, warnings } = reconcileMapRun(SEEDED, [{ succeeded: true, sent: 2 }, { succeeded: true }]);
      expect(reconciliation).to.include({ delivered: 2 });
      expect(reconciliation.missing).to.deep.equal([]);
      expect(warnings).to.include('1 succeeded child execution(s) say neither their batch nor how many messages they sent');
      expect(warnings).to.include('3 seeded key(s) are in no child whose outcome is known');
    });
  });

  it("reads a batch's keys and a child's Sent, and nothing else", () => {
    expect(batchKeys({ BatchInput: {}, Items: [{ MessageId: { S: 'a' } }, { MessageId: { S: 'b' } }] }, KEY_FIELD)).to.deep.equal(['a', 'b']);
    expect(batchKeys({ Items: [{ MessageId: { S: 'a' } }, { Id: { S: 'b' } }] }, KEY_FIELD)).to.equal(undefined);
    expect(batchKeys({ Items: [{ MessageId: 'a' }] }, KEY_FIELD)).to.equal(undefined);
    expect(batchKeys({ Sent: 1 }, KEY_FIELD)).to.equal(undefined);
    expect(sentCount({ Sent: 100 }, SENT_FIELD)).to.equal(100);
    expect(sentCount({ Sent: '100' }, SENT_FIELD)).to.equal(undefined);
    expect(sentCount(null, SENT_FIELD)).to.equal(undefined);
  });
});
