// Synthesizes the stack the way the tests need it: with a stand-in seed zip (the stack only
// copies the file), returning the Terraform JSON with small lookups. Every folder cdktf or the
// tests write goes under one temporary folder, removed after the describe block that made it
// (leavesNoTempFolder), which also checks that nothing else was left in the temporary folder.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { Testing, TerraformStack, type App } from 'cdktf';
import type { Construct } from 'constructs';
import { STACK_NAME } from '../../workflow/settings.ts';
import { TransferRecordsStack } from '../../stacks/transfer-records-stack.ts';

export type Block = Record<string, unknown>;

/**
 * What a state machine role needs for log delivery and X-Ray, as the tests expect it written out:
 * the log actions are those AWS's "Logging using CloudWatch Logs" page for Step Functions lists.
 */
export const LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:CreateLogStream',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutLogEvents',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];
export const XRAY_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'];

export interface Synthesized {
  json: string;
  provider: { aws: Block[] };
  resource: Record<string, Record<string, Block>>;
  data: Record<string, Record<string, Block>>;
  output: Record<string, { value: string }>;
  variable: Record<string, Block>;
  terraform: { backend: Record<string, Block> };
}

let root: string | undefined;
let zip: string | undefined;
const removeAfter = new Set<string>();

/** A new folder under this process's temporary folder. */
function scratchDir(prefix: string): string {
  if (root === undefined) {
    root = mkdtempSync(join(tmpdir(), 'stack-test-'));
    removeAfter.add(root);
  }
  return mkdtempSync(join(root, prefix));
}

function removeScratch(): void {
  for (const path of removeAfter) rmSync(path, { recursive: true, force: true });
  removeAfter.clear();
  root = zip = undefined;
}

// A file that imports this module without leavesNoTempFolder still leaves nothing once it exits.
process.once('exit', removeScratch);

// Caches the toolchain keeps on purpose, shared by every run: not the tests' leftovers.
const TOOL_CACHES = /^(tsx-\d+|node-compile-cache)$/;

/**
 * Called in a describe block: its tests get a temporary folder of their own (TMPDIR, which
 * os.tmpdir(), cdktf and child processes read), and after them this module's folders are removed
 * and that folder must hold nothing else but the toolchain's caches.
 */
export function leavesNoTempFolder(): void {
  let temp = '';
  let previous: string | undefined;
  before(() => {
    previous = process.env.TMPDIR;
    temp = mkdtempSync(join(tmpdir(), 'stack-tests-tmp-'));
    process.env.TMPDIR = temp;
  });
  after(() => {
    removeScratch();
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    const left = readdirSync(temp).filter((name) => !TOOL_CACHES.test(name));
    rmSync(temp, { recursive: true, force: true });
    expect(left, 'left in the temporary folder').to.deep.equal([]);
  });
}

/** Testing.app() with its outdir in the scratch folder instead of a new one in the system's temp folder. */
export function testApp(): App {
  return Testing.app({ outdir: scratchDir('app-') });
}

/** Testing.synthScope(), on a testApp(). */
export function synthScope(fn: (scope: Construct) => void): string {
  const stack = new TerraformStack(testApp(), 'stack');
  fn(stack);
  return Testing.synth(stack);
}

/** Testing.fullSynth(), whose folder (cdktf always makes it in the system's temp folder) is removed with the others. */
export function fullSynth(stack: TerraformStack): string {
  const outdir = Testing.fullSynth(stack);
  removeAfter.add(outdir);
  return outdir;
}

/** A file standing in for dist/seed.zip. */
export function seedZipFixture(): string {
  if (zip === undefined) {
    zip = join(scratchDir('seed-'), 'seed.zip');
    writeFileSync(zip, 'not really a zip');
  }
  return zip;
}

/** The stack, with no shared AWS config file unless `sharedConfig` gives its text. */
export function newStack(env: NodeJS.ProcessEnv = {}, sharedConfig?: string): TransferRecordsStack {
  return new TransferRecordsStack(testApp(), STACK_NAME, { env, distDir: dirname(seedZipFixture()), sharedConfig: () => sharedConfig });
}

export function synth(env: NodeJS.ProcessEnv = {}, sharedConfig?: string): Synthesized {
  const json = Testing.synth(newStack(env, sharedConfig));
  return { json, ...(JSON.parse(json) as Omit<Synthesized, 'json'>) };
}

/** The Terraform references every ARN the stack builds is made of. */
export const ARN_SCOPE = {
  partition: '${data.aws_partition.partition.partition}',
  region: '${data.aws_region.region.region}',
  account: '${data.aws_caller_identity.current.account_id}',
};

/** The one resource (or data source) of a type, with its Terraform address. */
export function single(blocks: Record<string, Record<string, Block>>, type: string, kind = ''): { address: string; body: Block } {
  const entries = Object.entries(blocks[type] ?? {});
  if (entries.length !== 1) throw new Error(`expected one ${type}, found ${entries.length}`);
  const [name, body] = entries[0]!;
  return { address: `${kind}${type}.${name}`, body };
}

/** All resources (or data sources) of a type, by Terraform address. */
export function all(blocks: Record<string, Record<string, Block>>, type: string, kind = ''): Map<string, Block> {
  return new Map(Object.entries(blocks[type] ?? {}).map(([name, body]) => [`${kind}${type}.${name}`, body]));
}

/** The JSON form of a reference to an attribute. */
export function ref(address: string, attribute: string): string {
  return `\${${address}.${attribute}}`;
}

/** The address a reference points to, e.g. "${aws_sqs_queue.queue.url}" -> "aws_sqs_queue.queue". */
export function addressOf(reference: unknown, attribute: string): string {
  const match = new RegExp(`^\\$\\{((?:data\\.)?[a-z0-9_]+\\.[A-Za-z0-9_-]+)\\.${attribute}\\}$`).exec(String(reference));
  if (!match) throw new Error(`${String(reference)} is not a reference to a .${attribute}`);
  return match[1]!;
}
