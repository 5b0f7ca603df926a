// The peer benchmark's loop definitions, run on this project's own endpoint (make serve's bundle):
// the deployed loop without its seed and the form read by index both deliver every record once;
// its arguments and its table.
import { expect } from 'chai';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { destroyClients } from '../../bench/api-execution.ts';
import { createMachine, loopDefinition, ourSide, peerArgs, PeerBenchFailed, peerTable, runLoop, writeRecords, type LoopForm } from '../../bench/peer.ts';
import { startServe, stopServe } from '../../bench/serve-process.ts';

describe('bench/peer', function () {
  this.timeout(90_000);

  it('runs the deployed loop and the loop read by index to the same deliveries', async () => {
    const serve = await startServe();
    const side = await ourSide(serve);
    try {
      const ids: Record<LoopForm, string[]> = { deployed: ['a', 'b', 'c'], indexed: ['d', 'e', 'f'] };
      await writeRecords(side, [...ids.deployed, ...ids.indexed]);
      for (const form of ['deployed', 'indexed'] as LoopForm[]) {
        const { status, loopMs } = await runLoop(side, await createMachine(side, form), form, ids[form]);
        expect(status, form).to.equal('SUCCEEDED');
        expect(loopMs, form).to.be.at.least(0);
      }
      const sent: (string | undefined)[][] = [];
      for (;;) {
        const { Messages = [] } = await side.sqs.send(new ReceiveMessageCommand({ QueueUrl: side.queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
        if (Messages.length === 0) break;
        sent.push(...Messages.map((message) => [message.Body, message.MessageAttributes?.MessageId?.StringValue]));
      }
      expect(sent).to.have.deep.members([...ids.deployed, ...ids.indexed].map((id) => [`record ${id}`, id]));
    } finally {
      destroyClients(side);
      await stopServe(serve.child);
    }
  });

  it('starts the loop after the seed, without the states only the seed reaches', () => {
    const definition = loopDefinition('indexed', { tableName: 't', queueUrl: 'q' });
    expect(definition.StartAt).to.equal('For Loop Condition');
    expect(Object.keys(definition.States)).to.have.members(['For Loop Condition', 'Read Next Message from DynamoDB', 'Send Message to SQS', 'Pop Element from List', 'Succeed']);
    expect(JSON.stringify(definition)).not.to.contain('$.List[0]');
  });

  it('reads --peer, --count and --rounds, refusing anything else by name, and prints each size with the ratio', () => {
    expect(peerArgs(['--peer', 'http://localhost:4566'])).to.deep.equal({ peer: 'http://localhost:4566', counts: [10, 50, 100, 500, 1000], rounds: 5, warmup: 2 });
    expect(peerArgs(['--peer', 'http://h:1', '--count', '10,20', '--rounds', '2', '--warmup', '0'])).to.deep.equal({ peer: 'http://h:1', counts: [10, 20], rounds: 2, warmup: 0 });
    for (const args of [[], ['--peer', 'not a url'], ['--peer', 'http://h:1', '--count', '0'], ['--peer', 'http://h:1', '--rounds', 'x'], ['--peer', 'http://h:1', '--warmup', '-1'], ['--other']]) {
      expect(() => peerArgs(args), args.join(' ')).to.throw(PeerBenchFailed);
    }
    const table = peerTable({ form: 'indexed', deployedOnPeer: 'why', warmup: 2, sizes: [{ count: 100, ours: [10, 20, 30], peer: [40, 50, 60] }] }, 'http://h:1');
    expect(table[0]).to.contain('read by index on both (why)').and.to.contain('2 uncounted execution(s) of 100 records each');
    expect(table.at(-3)).to.match(/\| +100 \| +20 ms \(10–30\) \| +50 ms \(40–60\) \| +2\.5× \|/);
    expect(table.at(-1)).to.equal('Beside the peer, the loop (peer\'s median ÷ this project\'s): N = 100: 2.5× (target: ahead at every size: met).');
  });
});
