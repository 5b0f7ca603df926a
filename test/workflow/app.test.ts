import { expect } from 'chai';
import { APP, applicationProblems, checkApplication, findWorkflow, InvalidApplication, queueTypeOf, resolveAttribute, UnknownEntry, withQueueType } from '../../workflow/app.ts';
import { resourceName } from '../../workflow/names.ts';
import { queueType } from '../../workflow/settings.ts';
import type { Application } from '../../workflow/description.ts';
import { QUEUE, SEED_FUNCTION, TRANSFER_RECORDS } from '../../workflow/transfer-records.ts';

describe('workflow/app', () => {
  it("holds together: every reference names an entry, no name twice, every role name fits IAM's 64 characters", () => {
    expect(applicationProblems(APP)).to.deep.equal([]);
  });

  it('resolves a fixed value as it is, and an attribute through whoever knows the resources', () => {
    const values = { resource: () => 'the-table', function: () => 'the-function', workflow: () => 'the-machine' };
    expect(resolveAttribute(APP, { value: '40' }, values)).to.equal('40');
    expect(resolveAttribute(APP, { resource: 'table', attribute: 'name' }, values)).to.equal('the-table');
  });

  it('makes every queue of one type: FIFO queues named .fifo, placeholders by queue type resolved for it', () => {
    const values = { resource: () => '', function: () => '', workflow: () => '' };
    const choices = { byQueueType: { standard: 'S', fifo: 'F' } };
    expect(queueTypeOf(APP)).to.equal('standard');
    expect(resolveAttribute(APP, choices, values)).to.equal('S');
    const fifo = withQueueType(APP, 'fifo');
    expect(queueTypeOf(fifo)).to.equal('fifo');
    expect(applicationProblems(fifo)).to.deep.equal([]);
    expect(resolveAttribute(fifo, choices, values)).to.equal('F');
    // Whoever decides the type later (the stack's variable) answers for it.
    expect(resolveAttribute(fifo, choices, { ...values, byQueueType: (c) => `${c.standard}|${c.fifo}` })).to.equal('S|F');
    const names = fifo.resources.filter((r) => r.kind === 'queue').map((r) => resourceName('p', r));
    expect(names).to.deep.equal(['p-dlq.fifo', 'p-queue.fifo']);
    expect(resourceName('p', QUEUE)).to.equal('p-queue');
  });

  it('refuses queues of both types: a FIFO queue\'s dead-letter queue must be FIFO', () => {
    const mixed: Application = { ...APP, resources: APP.resources.map((r) => (r.id === QUEUE.id ? { ...QUEUE, type: 'fifo' as const } : r)) };
    expect(applicationProblems(mixed)).to.deep.equal([
      'queues of both types: a FIFO queue needs a FIFO dead-letter queue, and one setting (withQueueType) chooses the type of all',
    ]);
  });

  it('reads QUEUE: standard by default, fifo, and anything else refused by name', () => {
    expect(queueType({})).to.equal('standard');
    expect(queueType({ QUEUE: '' })).to.equal('standard');
    expect(queueType({ QUEUE: 'fifo' })).to.equal('fifo');
    expect(() => queueType({ QUEUE: 'FIFO' })).to.throw('QUEUE "FIFO" must be one of standard, fifo').with.property('name', 'InvalidConfiguration');
  });

  it('finds a workflow by name and names the known ones when it cannot', () => {
    expect(findWorkflow(APP, 'transfer-records')).to.equal(TRANSFER_RECORDS);
    expect(() => findWorkflow(APP, 'nope')).to.throw(UnknownEntry, 'workflow "nope" is not in the application (known: transfer-records, transfer-records-at-scale)');
  });

  it('names each problem: a duplicate, a grant, a placeholder and an environment naming nothing, a dead-letter queue after its queue', () => {
    const broken: Application = {
      resources: [QUEUE, ...APP.resources],
      functions: [
        { ...SEED_FUNCTION, environment: { TABLE_NAME: { resource: 'nowhere', attribute: 'name' } } },
        { ...SEED_FUNCTION, name: 'x'.repeat(20) },
      ],
      workflows: [{ ...TRANSFER_RECORDS, placeholders: { Missing: { function: 'ghost', attribute: 'arn' } }, grants: [{ sid: 'G', actions: ['sqs:SendMessage'], resources: ['ghost-queue'] }] }],
    };
    const problems = applicationProblems(broken);
    expect(problems).to.include('two resources named "queue"');
    expect(problems).to.include('function seed: TABLE_NAME: resource "nowhere" is not in the application (known: queue, table, dead_letter_queue, queue, run_bucket)');
    expect(problems).to.include(`function ${'x'.repeat(20)}: its role name may exceed 64 characters`);
    expect(problems).to.include('workflow transfer-records: ${Missing}: function "ghost" is not in the application (known: seed, xxxxxxxxxxxxxxxxxxxx)');
    expect(problems).to.include('workflow transfer-records: grant G names "ghost-queue", which is not in the application');
    expect(problems).to.include('queue queue: its dead-letter queue dead_letter_queue must come before it');
    expect(() => checkApplication(broken)).to.throw(InvalidApplication);
  });
});
