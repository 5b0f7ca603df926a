// Runs the at-scale workflow on the engine alone, over the in-memory services, and measures
// what the benchmark and the tests report: the parent's transitions, the children, the
// reconciliation of seeded keys against queued messages.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { checkDefinition, runExecution, stateTransitions, type ExecutionContext, type ExecutionResult } from '../engine/index.ts';
import { OFFLINE_SCOPE } from '../workflow/arns.ts';
import { renderTemplate } from '../workflow/template.ts';
import { FIFO_ENTRY_FIELDS } from '../workflow/transfer-records-at-scale.ts';
import { inMemoryServices, type Faults, type InMemoryServices } from './in-memory-services.ts';

export const AT_SCALE_DEFINITION = 'asl/transfer-records-at-scale.asl.json';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const MACHINE = 'transfer-records-at-scale';
const TABLE_NAME = 'transfer-records-table';

/** The placeholder values a local run gives the template. */
export function atScaleVars(maxConcurrency: number): Record<string, string> {
  return {
    SeedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:transfer-records-seed`,
    TableName: TABLE_NAME,
    QueueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/transfer-records-queue`,
    BucketName: 'transfer-records-bucket',
    MaxConcurrency: String(maxConcurrency),
    // The in-memory queue is a Standard one.
    FifoEntryFields: FIFO_ENTRY_FIELDS.standard,
    Partition: OFFLINE_SCOPE.partition,
  };
}

export function atScaleDefinition(maxConcurrency: number): unknown {
  const template = readFileSync(new URL(`../${AT_SCALE_DEFINITION}`, import.meta.url), 'utf8');
  return JSON.parse(renderTemplate(template, atScaleVars(maxConcurrency)));
}

export interface AtScaleRun {
  result: ExecutionResult;
  services: InMemoryServices;
  seeded: string[];
  delivered: number;
  missing: string[];
  duplicated: string[];
  parentTransitions: number;
  parentEvents: number;
  childExecutions: number;
  childTransitions: number;
  wallMs: number;
}

export interface AtScaleOptions {
  maxConcurrency?: number;
  faults?: Faults;
  /** Skip Retry waits (the engine's retryDelay). */
  fastRetries?: boolean;
}

export async function runAtScale(input: unknown, options: AtScaleOptions = {}): Promise<AtScaleRun> {
  const definition = atScaleDefinition(options.maxConcurrency ?? 100);
  checkDefinition(definition);
  const services = inMemoryServices(TABLE_NAME, options.faults);
  const name = `run-${Date.now()}`;
  const context: ExecutionContext = {
    executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:${MACHINE}:${name}`,
    executionName: name,
    stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${MACHINE}`,
    stateMachineName: MACHINE,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/${MACHINE}-role`,
    startTime: new Date(),
  };
  const started = performance.now();
  const result = await runExecution(definition, input, context, {
    dispatch: services.dispatch,
    ...(options.fastRetries ? { retryDelay: () => 0 } : {}),
  });
  const wallMs = performance.now() - started;
  const seeded = [...services.table.keys()];
  const counts = new Map<string, number>();
  for (const message of services.queue) counts.set(message.messageId ?? '', (counts.get(message.messageId ?? '') ?? 0) + 1);
  const children = result.mapRuns.flatMap((run) => run.executions.filter((execution) => execution !== undefined));
  return {
    result,
    services,
    seeded,
    delivered: services.queue.length,
    missing: seeded.filter((id) => !counts.has(id)),
    duplicated: [...counts].filter(([, count]) => count > 1).map(([id]) => id),
    parentTransitions: stateTransitions(result.history),
    parentEvents: result.history.length,
    childExecutions: children.length,
    childTransitions: children.reduce((sum, child) => sum + child.stateTransitions, 0),
    wallMs,
  };
}
