// Developer tool: runs every conformance case (../shared/conformance/cases, recorded on AWS) in
// this process through the engine's runExecution, with stand-in Lambdas and an SQS that has no
// queues, and prints pass/wrong/refused counts and how many histories have AWS's event types.
// Usage: node --import tsx scripts/engine-conformance.ts [CASES_DIR] [--only REGEX] [--verbose]
//        [--snapshots LOCALSTACK_CHECKOUT]
// With --snapshots (a checkout of localstack/localstack at the cases' commit), each history is
// also compared with the full events AWS recorded: ids, previousEventIds and details.
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkDefinition, runExecution, type Dispatcher, type ExecutionResult, type TaskCall } from '../engine/index.ts';

interface Case {
  id: string;
  origin: { snapshotFile: string; snapshotKey: string; test: string };
  jsonata: boolean;
  definition: unknown;
  input: unknown;
  expected: { status: string; output?: unknown; error?: string; cause?: string; historyTypes?: string[] };
  masked?: boolean;
  wildcards?: string[];
  lambdas?: Record<string, string>;
  /** The buckets and objects the case reads or writes: only the S3 emulator (make conformance) has them. */
  s3?: unknown;
}

const CASE_TIMEOUT_MS = 20_000;
const ACCOUNT = '111111111111';
const REGION = 'us-east-1';

// ---- comparison, as ../shared/conformance/README.md describes it ------------------------------

const PLACEHOLDER = /<[A-Za-z_][A-Za-z0-9_:\-. ]*>|111111111111/g;

function textMatches(expected: string, got: string, masked: boolean): boolean {
  PLACEHOLDER.lastIndex = 0;
  if (!masked || !PLACEHOLDER.test(expected)) return expected === got;
  PLACEHOLDER.lastIndex = 0;
  const pattern = expected
    .split(PLACEHOLDER)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]+?');
  return new RegExp(`^${pattern}$`).test(got);
}

function isWholePlaceholder(value: string, wildcards: Set<string>): boolean {
  if (wildcards.has(value)) return true;
  const match = value.match(PLACEHOLDER);
  return match !== null && match.length === 1 && match[0] === value && value !== ACCOUNT;
}

function jsonEqual(expected: unknown, got: unknown, masked: boolean, wildcards: Set<string>): boolean {
  if (masked && typeof expected === 'string' && wildcards.has(expected)) return got !== undefined;
  if (masked && typeof expected === 'string' && isWholePlaceholder(expected, wildcards)) return typeof got === 'string';
  if (expected === null || got === null) return expected === got;
  if (Array.isArray(expected)) {
    return Array.isArray(got) && got.length === expected.length && expected.every((item, i) => jsonEqual(item, got[i], masked, wildcards));
  }
  if (typeof expected === 'object') {
    if (typeof got !== 'object' || Array.isArray(got)) return false;
    const e = expected as Record<string, unknown>;
    const g = got as Record<string, unknown>;
    const ek = Object.keys(e).sort();
    const gk = Object.keys(g).filter((k) => g[k] !== undefined).sort();
    if (ek.length !== gk.length || !ek.every((k, i) => k === gk[i])) return false;
    const caughtError = 'Error' in e && typeof e.Cause === 'string';
    return ek.every((k) => (caughtError && k === 'Cause' ? typeof g.Cause === 'string' : jsonEqual(e[k], g[k], masked, wildcards)));
  }
  if (typeof expected === 'string') return typeof got === 'string' && textMatches(expected, got, masked);
  return expected === got;
}

function parseJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function causeMatches(expected: string | undefined, got: string | undefined, wildcards: Set<string>): boolean {
  if (expected === undefined) return got === undefined || got === '';
  if (got === undefined) return false;
  const squash = (text: string) => text.replace(/\s+/g, ' ').trim();
  const e = squash(expected);
  const g = squash(got);
  if (e === g || textMatches(e, g, true)) return true;
  const ej = parseJson(expected) as Record<string, unknown> | undefined;
  const gj = parseJson(got) as Record<string, unknown> | undefined;
  if (ej && gj && typeof ej === 'object') {
    if (jsonEqual(ej, gj, true, wildcards)) return true;
    if ('errorType' in ej || 'errorMessage' in ej) return ej.errorType === gj.errorType && ej.errorMessage === gj.errorMessage;
  }
  return e.length > 0 && g.length > 0 && (g.includes(e) || e.includes(g));
}

type Verdict = 'pass' | 'pass*' | 'wrong' | 'refused' | 'crashed';

function judge(testCase: Case, got: ExecutionResult): { verdict: Verdict; why?: string } {
  const expected = testCase.expected;
  const wildcards = new Set(testCase.wildcards ?? []);
  const masked = Boolean(testCase.masked);
  if (got.status !== expected.status) return { verdict: 'wrong', why: `status ${got.status} (${got.error}: ${got.cause})` };
  if (expected.status === 'SUCCEEDED') {
    return jsonEqual(expected.output, got.output, masked, wildcards) ? { verdict: 'pass' } : { verdict: 'wrong', why: `output ${JSON.stringify(got.output)?.slice(0, 300)}` };
  }
  if ((expected.error ?? null) !== (got.error ?? null)) return { verdict: 'wrong', why: `error ${got.error}: ${got.cause}` };
  return causeMatches(expected.cause, got.cause, wildcards) ? { verdict: 'pass' } : { verdict: 'pass*', why: `cause ${got.cause}` };
}

function historyAgreement(expected: string[] | undefined, got: ExecutionResult | undefined): 'same' | 'differs' | undefined {
  if (!expected) return undefined;
  const types = got?.history.map((event) => event.type) ?? [];
  return types.length === expected.length && types.every((type, i) => type === expected[i]) ? 'same' : 'differs';
}

/** A recorded event as the snapshot holds it (payload fields parsed or as text). */
type RecordedEvent = Record<string, unknown> & { id: number; previousEventId: number; type: string };

async function recordedEvents(root: string, testCase: Case): Promise<RecordedEvent[] | undefined> {
  const snapshot = JSON.parse(await readFile(join(root, testCase.origin.snapshotFile), 'utf8')) as Record<string, { 'recorded-content': Record<string, unknown> }>;
  const key = Object.keys(snapshot).find((name) => name.endsWith(`::${testCase.origin.test}`));
  const entry = key === undefined ? undefined : (snapshot[key]!['recorded-content'][testCase.origin.snapshotKey] as { events?: RecordedEvent[] } | undefined);
  return entry?.events;
}

/** JSON text parsed where it is JSON, keys sorted: the snapshot stores some payloads parsed. */
function normalized(value: unknown): unknown {
  if (typeof value === 'string') {
    const parsed = parseJson(value);
    return parsed === undefined ? value : typeof parsed === 'object' && parsed !== null ? normalized(parsed) : parsed;
  }
  if (Array.isArray(value)) return value.map(normalized);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, normalized((value as Record<string, unknown>)[key])]));
  }
  return value;
}

/** Where the engine's history first differs from AWS's full recording (links, then details), or undefined. */
function recordingDifference(recorded: RecordedEvent[], got: ExecutionResult, testCase: Case): string | undefined {
  const events = JSON.parse(JSON.stringify(got.history)) as RecordedEvent[];
  const link = (event: RecordedEvent | undefined) => (event ? `${event.id}<${event.previousEventId} ${event.type}` : '(end)');
  for (let i = 0; i < Math.max(events.length, recorded.length); i++) {
    if (link(events[i]) !== link(recorded[i])) return `event ${i}: ${link(events[i])}, AWS ${link(recorded[i])}`;
  }
  // Words LocalStack's snapshots put in place of run-specific values everywhere.
  const wildcards = new Set([...(testCase.wildcards ?? []), 'snf_role_arn', 'date', 'timestamp']);
  for (const [i, event] of events.entries()) {
    const key = Object.keys(event).find((name) => name.endsWith('EventDetails'));
    const expected = key === undefined ? undefined : recorded[i]![key];
    if (key !== undefined && !jsonEqual(normalized(expected), normalized(event[key]), true, wildcards)) {
      return `event ${event.id} ${event.type}: ${JSON.stringify(event[key]).slice(0, 600)}, AWS ${JSON.stringify(expected).slice(0, 600)}`;
    }
  }
  return undefined;
}

// ---- the stand-in services --------------------------------------------------------------------

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

async function loadHandlers(lambdasDir: string, lambdas: Record<string, string>): Promise<Map<string, Handler>> {
  const handlers = new Map<string, Handler>();
  for (const [arn, module] of Object.entries(lambdas)) {
    const loaded = (await import(pathToFileURL(join(lambdasDir, `${module}.mjs`)).href)) as { default: Handler };
    handlers.set(arn, loaded.default);
    handlers.set(arn.split(':').pop()!, loaded.default);
  }
  return handlers;
}

/** What Lambda's Node.js runtime reports for an unhandled error: errorType = name, errorMessage = message. */
function lambdaError(error: unknown): Error {
  const { name, message } = error as Error;
  const failure = new Error(JSON.stringify({ errorMessage: message, errorType: name, requestId: randomUUID(), stackTrace: [] }));
  failure.name = name;
  return failure;
}

async function invoke(handlers: Map<string, Handler>, functionName: unknown, payload: unknown): Promise<unknown> {
  const handler = handlers.get(String(functionName)) ?? handlers.get(String(functionName).split(':').pop()!);
  if (!handler) {
    const error = new Error(`Function not found: ${String(functionName)}`);
    error.name = 'Lambda.ResourceNotFoundException';
    throw error;
  }
  try {
    return await handler(structuredClone(payload), { functionName: String(functionName).split(':').pop() });
  } catch (error) {
    throw lambdaError(error);
  }
}

/** The lambda:invoke integration's result: the function's result in Payload, with the SDK's response metadata. */
function invokeResponse(payload: unknown): unknown {
  const length = String(Buffer.byteLength(JSON.stringify(payload ?? null)));
  const requestId = randomUUID();
  const date = new Date().toUTCString();
  return {
    ExecutedVersion: '$LATEST',
    Payload: payload,
    SdkHttpMetadata: {
      AllHttpHeaders: {
        'X-Amz-Executed-Version': ['$LATEST'],
        'x-amzn-Remapped-Content-Length': ['0'],
        Connection: ['keep-alive'],
        'x-amzn-RequestId': [requestId],
        'Content-Length': [length],
        Date: [date],
        'X-Amzn-Trace-Id': [`Root=1-${randomUUID()}`],
        'Content-Type': ['application/json'],
      },
      HttpHeaders: {
        Connection: 'keep-alive',
        'Content-Length': length,
        'Content-Type': 'application/json',
        Date: date,
        'X-Amz-Executed-Version': '$LATEST',
        'x-amzn-Remapped-Content-Length': '0',
        'x-amzn-RequestId': requestId,
        'X-Amzn-Trace-Id': `Root=1-${randomUUID()}`,
      },
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: 200,
  };
}

/** An SQS endpoint with no queues: every QueueUrl's host is unknown, as a name lookup reports it. */
function sendMessage(parameters: unknown): never {
  const url = String((parameters as { QueueUrl?: unknown })?.QueueUrl ?? '');
  const host = url.replace(/^[a-z]+:\/\//, '').split(/[/:]/)[0];
  const error = new Error(`Unable to execute HTTP request: ${host}: Name or service not known`);
  error.name = 'SQS.SdkClientException';
  throw error;
}

function dispatcherFor(handlers: Map<string, Handler>): Dispatcher {
  return async (call: TaskCall) => {
    if (call.resource.startsWith('arn:aws:lambda:')) return invoke(handlers, call.resource, call.parameters);
    if (call.resource === 'arn:aws:states:::lambda:invoke') {
      const { FunctionName, Payload } = (call.parameters ?? {}) as { FunctionName?: unknown; Payload?: unknown };
      return invokeResponse(await invoke(handlers, FunctionName, Payload));
    }
    if (call.resource === 'arn:aws:states:::sqs:sendMessage') sendMessage(call.parameters);
    const error = new Error(`No stand-in for ${call.resource}`);
    error.name = 'States.TaskFailed';
    throw error;
  };
}

// ---- running ----------------------------------------------------------------------------------

interface Outcome {
  verdict: Verdict;
  why?: string;
  history?: 'same' | 'differs';
  recording?: string | null;
}

async function runCase(testCase: Case, lambdasDir: string, snapshots: string | undefined): Promise<Outcome> {
  try {
    checkDefinition(testCase.definition);
  } catch (error) {
    return { verdict: 'refused', why: `${(error as Error).name}: ${(error as Error).message}` };
  }
  const handlers = await loadHandlers(lambdasDir, testCase.lambdas ?? {});
  const name = randomUUID();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), CASE_TIMEOUT_MS);
  try {
    const result = await runExecution(
      testCase.definition,
      testCase.input,
      {
        executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:conformance:${name}`,
        executionName: name,
        stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:conformance`,
        stateMachineName: 'conformance',
        roleArn: `arn:aws:iam::${ACCOUNT}:role/conformance`,
        startTime: new Date(),
      },
      { dispatch: dispatcherFor(handlers), retryDelay: () => 0, signal: controller.signal },
    );
    if (result.status === 'ABORTED' && controller.signal.aborted) return { verdict: 'crashed', why: 'no result within 20 s' };
    const outcome: Outcome = { ...judge(testCase, result), history: historyAgreement(testCase.expected.historyTypes, result) };
    const recorded = snapshots !== undefined && testCase.expected.historyTypes ? await recordedEvents(snapshots, testCase) : undefined;
    if (recorded) outcome.recording = recordingDifference(recorded, result, testCase) ?? null;
    return outcome;
  } catch (error) {
    return { verdict: 'crashed', why: (error as Error).stack };
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = args.includes('--only') ? new RegExp(args[args.indexOf('--only') + 1]!) : undefined;
  const verbose = args.includes('--verbose');
  const snapshots = args.includes('--snapshots') ? resolve(args[args.indexOf('--snapshots') + 1]!) : undefined;
  const positional = args.filter((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--only' && args[i - 1] !== '--snapshots');
  const casesDir = resolve(positional[0] ?? fileURLToPath(new URL('../../shared/conformance/cases', import.meta.url)));
  const lambdasDir = join(dirname(casesDir), 'lambdas');
  const files = (await readdir(casesDir)).filter((file) => file.endsWith('.json')).sort();
  const counts = { pass: 0, 'pass*': 0, wrong: 0, refused: 0, crashed: 0 };
  const byLanguage = { jsonpath: { pass: 0, total: 0 }, jsonata: { pass: 0, total: 0 } };
  const history = { same: 0, differs: 0 };
  const recording = { same: 0, differs: 0 };
  let withS3 = 0;
  const started = performance.now();
  for (const file of files) {
    const testCase = JSON.parse(await readFile(join(casesDir, file), 'utf8')) as Case;
    if (only && !only.test(testCase.id ?? basename(file, '.json'))) continue;
    // The engine alone has no S3 to read the case's data from: `make conformance` runs it on the emulator.
    if (testCase.s3 !== undefined) {
      withS3 += 1;
      continue;
    }
    const outcome = await runCase(testCase, lambdasDir, snapshots);
    counts[outcome.verdict] += 1;
    const language = byLanguage[testCase.jsonata ? 'jsonata' : 'jsonpath'];
    language.total += 1;
    if (outcome.verdict.startsWith('pass')) language.pass += 1;
    if (outcome.history) history[outcome.history] += 1;
    if (outcome.recording !== undefined) recording[outcome.recording === null ? 'same' : 'differs'] += 1;
    if (outcome.recording) console.log(`recorded ${testCase.id}\n         ${outcome.recording}`);
    if (outcome.verdict !== 'pass' || outcome.history === 'differs' || verbose) {
      console.log(`${outcome.verdict.padEnd(8)} ${(outcome.history ?? '-').padEnd(8)} ${testCase.id}${outcome.why ? `\n         ${outcome.why.slice(0, 400)}` : ''}`);
    }
  }
  const passed = counts.pass + counts['pass*'];
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `engine conformance: ${passed} passed (${counts['pass*']} with another cause), ${counts.wrong} wrong, ${counts.refused} refused, ${counts.crashed} crashed ` +
      `(JSONPath ${byLanguage.jsonpath.pass}/${byLanguage.jsonpath.total}, JSONata ${byLanguage.jsonata.pass}/${byLanguage.jsonata.total}); ` +
      `history types: ${history.same} same, ${history.differs} differ; ${seconds} s` +
      (withS3 > 0 ? `; ${withS3} cases with S3 data left to make conformance` : ''),
  );
  if (snapshots !== undefined) console.log(`full recorded histories (ids, links, details): ${recording.same} same, ${recording.differs} differ`);
}

await main();
