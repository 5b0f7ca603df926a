// What both runners share of a reconciliation: what the description says it reads (the table's
// items, by key and body, and the queue) and the choice of one strategy per kind of workflow
// (workflow/description.ts's Reconcile). Each runner keeps its own strategies: on AWS a loop is
// reconciled from its history and a Map Run from its results; offline both read the fresh table
// and the queue.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { reconciledResources } from '../workflow/app.ts';
import type { Application, QueueResource, Reconcile, ReconcileKind, SeededItem, TableResource, WorkflowSpec } from '../workflow/description.ts';

/** A workflow's reconciliation, resolved: its kind's settings, the table and its key, the queue. */
export interface ReconcileTarget {
  reconcile: Reconcile;
  table: TableResource;
  /** The item attribute that keys an item (the table's hash key) and the one holding its body. */
  keyAttribute: string;
  bodyAttribute: string;
  queue: QueueResource;
}

/** What a workflow's reconciliation reads; undefined when the workflow reconciles nothing. */
export function reconcileTarget(app: Application, workflow: WorkflowSpec): ReconcileTarget | undefined {
  const resources = reconciledResources(app, workflow);
  if (resources === undefined || workflow.reconcile === undefined) return undefined;
  const { table, queue } = resources;
  return { reconcile: workflow.reconcile, table, keyAttribute: table.hashKey, bodyAttribute: workflow.reconcile.bodyAttribute, queue };
}

/** A table's item as the reconciliation reads it; an attribute it lacks reads as ''. */
export function seededItem(item: Record<string, AttributeValue>, target: Pick<ReconcileTarget, 'keyAttribute' | 'bodyAttribute'>): SeededItem {
  return { messageId: item[target.keyAttribute]?.S ?? '', body: item[target.bodyAttribute]?.S ?? '' };
}

/** One strategy per kind of reconciliation: a kind the description adds fails to compile until a runner has one. */
export type Reconcilers<Context, Parts> = {
  [Kind in ReconcileKind]: (reconcile: Extract<Reconcile, { kind: Kind }>, context: Context) => Promise<Parts>;
};

/** Runs the strategy of the reconciliation's kind. */
export function reconcileBy<Context, Parts>(reconcilers: Reconcilers<Context, Parts>, reconcile: Reconcile, context: Context): Promise<Parts> {
  const strategy = reconcilers[reconcile.kind] as (reconcile: Reconcile, context: Context) => Promise<Parts>;
  return strategy(reconcile, context);
}
