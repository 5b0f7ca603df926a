// One self-contained HTML page per execution, for a person rather than a JSON reader.
// Both the offline runtime and the AWS run client hand their ExecutionRecord to this renderer.
// The page loads nothing: inline CSS, inline SVG, no script, and a CSP that forbids any fetch.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NOT_ON_AWS } from '../execution/report.ts';
import { QUOTAS } from '../workflow/quotas.ts';
import { causeMessage, faultSummary, mockLines, notificationLines, type ExecutionRecord, type MapRunChildReport, type MapRunReport, type StateSummary } from '../execution/execution-record.ts';
import { formatMs, listStates, type StateActivity, type StateInfo } from './dot.ts';
import { renderDiagram } from './diagram.ts';
import { formatCount } from '../execution/count.ts';

/** Rows shown per table before the rest is summarised. */
export const TABLE_ROW_LIMIT = 200;
/** Item tables up to this long start open; longer ones start folded, the problems being listed above them. */
const OPEN_TABLE_ROWS = 20;
/** Characters of pretty-printed JSON shown per value. */
export const JSON_CHAR_LIMIT = 10_000;

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

// The quota is a whole number of KiB, and so is said.
const PAYLOAD_QUOTA = `${QUOTAS.payloadBytes / 1024} KiB`;

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${formatCount(bytes)} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function executionName(record: ExecutionRecord): string {
  return record.executionArn.split(':').at(-1) || 'execution';
}

/** Pretty-printed JSON, escaped, cut at JSON_CHAR_LIMIT characters with a note. */
function jsonBlock(value: unknown): string {
  if (value === undefined) return '<p class="muted">(nothing)</p>';
  let text: string;
  try {
    text = JSON.stringify(value, null, 2) ?? String(value);
  } catch (error) {
    // A payload read from AWS may nest deeper than JSON.stringify can go: the page still renders.
    return `<p class="note">Not shown: ${escapeHtml((error as Error).message)}.</p>`;
  }
  const shown = text.length > JSON_CHAR_LIMIT ? text.slice(0, JSON_CHAR_LIMIT) : text;
  const note = text.length > JSON_CHAR_LIMIT
    ? `<p class="note">Showing the first ${formatCount(JSON_CHAR_LIMIT)} of ${formatCount(text.length)} characters.</p>`
    : '';
  return `<pre>${escapeHtml(shown)}</pre>${note}`;
}

/** A cause is often JSON in a string (Lambda errors are); show it pretty when it is. */
function causeText(cause: string): string {
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null) return JSON.stringify(parsed, null, 2);
  } catch {
    // Not JSON: shown as written.
  }
  return cause;
}

/** A Lambda error's message is the sentence a person needs; the rest of its cause folds away. */
function causeBlock(cause: string): string {
  const message = causeMessage(cause);
  if (message === undefined) return `<p>Cause:</p><pre>${escapeHtml(causeText(cause))}</pre>`;
  return `<p>Message: <strong>${escapeHtml(message)}</strong></p>
<details><summary>Full cause</summary><pre>${escapeHtml(causeText(cause))}</pre></details>`;
}

function bar(label: string, value: number, limit: number, shown: string, detail: string): string {
  const percent = Math.min(100, (value / limit) * 100);
  const level = percent >= 80 ? 'high' : percent >= 50 ? 'medium' : 'low';
  return `<div class="gauge">
  <div class="gauge-label"><strong>${escapeHtml(label)}</strong> <span>${escapeHtml(shown)} (${percent.toFixed(percent < 1 ? 2 : 1)}% of the limit)</span></div>
  <div class="gauge-track" role="img" aria-label="${escapeHtml(`${label}: ${percent.toFixed(1)}% of the limit`)}"><div class="gauge-fill ${level}" style="width: ${percent.toFixed(2)}%"></div></div>
  <div class="muted">${escapeHtml(detail)}</div>
</div>`;
}

const STATUS_WORDS: Record<ExecutionRecord['status'], string> = {
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  TIMED_OUT: 'timed out',
  ABORTED: 'was stopped',
  RUNNING: 'is still running',
};

function headline(record: ExecutionRecord): string {
  const { reconciliation: r } = record;
  const where = record.failedState ? ` in the step “${record.failedState}”` : '';
  const problems = [
    r.missing.length > 0 ? `${formatCount(r.missing.length)} missing` : 'none missing',
    r.duplicates.length > 0 ? `${formatCount(r.duplicates.length)} delivered more than once` : undefined,
  ].filter(Boolean);
  return `The execution ${STATUS_WORDS[record.status]}${where} after ${formatMs(record.durationMs)}. `
    + `${formatCount(r.items)} items were seeded and ${formatCount(r.delivered)} messages delivered: ${problems.join(', ')}.`;
}

/**
 * The child whose failure failed a Map Run: its error is what went wrong, the Map Run's own
 * (States.ExceedToleratedFailureThreshold) only says that the run gave up. The children it
 * stopped (ABORTED) carry no error.
 */
export function failedChild(record: ExecutionRecord): { run: MapRunReport; child: MapRunChildReport } | undefined {
  for (const run of record.mapRuns ?? []) {
    if (run.status !== 'FAILED') continue;
    const child = run.unsuccessful.find((candidate) => candidate.status !== 'ABORTED' && candidate.error !== undefined);
    if (child) return { run, child };
  }
  return undefined;
}

function executionFailure(record: ExecutionRecord): string {
  return [
    record.failedState ? `<p>Failed in the step <strong>${escapeHtml(record.failedState)}</strong>.</p>` : '',
    record.error ? `<p>Error: <strong><code>${escapeHtml(record.error)}</code></strong></p>` : '',
    record.cause ? causeBlock(record.cause) : '',
  ].join('\n  ');
}

function whatWentWrong(record: ExecutionRecord): string {
  const culprit = failedChild(record);
  if (culprit === undefined) return executionFailure(record);
  const { run, child } = culprit;
  const where = child.failedState ? ` in its step <strong>${escapeHtml(child.failedState)}</strong>` : '';
  const which = child.index === undefined ? `<code>${escapeHtml(child.name)}</code>` : `#${child.index}`;
  return `<p>A child execution of the Map Run of “${escapeHtml(run.stateName)}” (${which}) ${child.status === 'TIMED_OUT' ? 'timed out' : 'failed'}${where}.</p>
  <p>Error: <strong><code>${escapeHtml(child.error!)}</code></strong></p>
  ${child.cause ? causeBlock(child.cause) : ''}
  <details class="then"><summary>Then the Map Run failed, and with it the execution${record.error ? `: <code>${escapeHtml(record.error)}</code>` : ''}</summary>
  ${executionFailure(record)}
  </details>`;
}

function ranOn(record: ExecutionRecord): string {
  if (record.source === 'local') return 'This computer (offline emulators)';
  if (record.endpoint === undefined) return 'AWS Step Functions';
  return `This computer: the local Step Functions endpoint <code>${escapeHtml(record.endpoint)}</code>, through the client <code>make run</code> uses on AWS`;
}

function summarySection(record: ExecutionRecord): string {
  const failed = record.status !== 'SUCCEEDED' && record.status !== 'RUNNING';
  const rows: [string, string][] = [
    ['Status', `<span class="badge ${failed ? 'bad' : record.status === 'SUCCEEDED' ? 'good' : 'neutral'}">${escapeHtml(record.status)}</span>`],
    ['Ran on', ranOn(record)],
    ['Started', escapeHtml(record.startedAt)],
    ['Duration', escapeHtml(formatMs(record.durationMs))],
    ['Steps taken', stepsTaken(record)],
    ['Execution', `<code>${escapeHtml(record.executionArn)}</code>`],
    ['State machine', `<code>${escapeHtml(record.stateMachineArn)}</code>`],
  ];
  const problem = record.error !== undefined || record.cause !== undefined || record.failedState !== undefined
    ? `<div class="callout bad" id="what-went-wrong">
  <h3>What went wrong</h3>
  ${whatWentWrong(record)}
</div>`
    : '';
  const faults = record.faults !== undefined && record.faults.length > 0
    ? `<div class="callout warn" id="faults"><h3>Injected faults (--fault)</h3><ul>${record.faults.map((fault) => `<li>${escapeHtml(faultSummary(fault))}</li>`).join('')}</ul></div>`
    : '';
  const mocks = record.mocks === undefined
    ? ''
    : `<div class="callout warn" id="mocked"><h3>Mocked: test case “${escapeHtml(record.mocks.testCase)}” of ${escapeHtml(record.mocks.file)} (these states called nothing)</h3><ul>${mockLines(record.mocks).map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul></div>`;
  const notifications = record.notifications !== undefined && record.notifications.length > 0
    ? `<div class="callout" id="published"><h3>Published (SNS messages and EventBridge events)</h3><ul>${notificationLines(record.notifications).map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul></div>`
    : '';
  const warnings = record.warnings.length > 0
    ? `<div class="callout warn"><h3>Warnings</h3><ul>${record.warnings.map((warning) => `<li>${escapeHtml(warning)}</li>`).join('')}</ul></div>`
    : '';
  return `<section id="summary">
<h2>Summary</h2>
<dl class="facts">${rows.map(([key, value]) => `<dt>${key}</dt><dd>${value}</dd>`).join('')}</dl>
${problem}
${faults}
${mocks}
${notifications}
${warnings}
<h3>Against the AWS Step Functions limits${record.mapRuns?.length ? ' (this execution; each child execution’s are under its Map Run)' : ''}</h3>
${bar('History events', record.historyEvents, QUOTAS.historyEvents, `${formatCount(record.historyEvents)} of ${formatCount(QUOTAS.historyEvents)}`, `A standard execution fails when its history would exceed ${formatCount(QUOTAS.historyEvents)} events.`)}
${bar('Largest payload', record.maxPayloadBytes, QUOTAS.payloadBytes, `${formatBytes(record.maxPayloadBytes)} of ${PAYLOAD_QUOTA}`, record.maxPayloadState ? `The largest input or output was in the step “${record.maxPayloadState}”; a step’s data is capped at ${PAYLOAD_QUOTA}.` : `A step’s input or output is capped at ${PAYLOAD_QUOTA}.`)}
</section>`;
}

const plural = (count: number, word: string, words = `${word}s`) => `${formatCount(count)} ${count === 1 ? word : words}`;

function stepsTaken(record: ExecutionRecord): string {
  const own = plural(record.stateTransitions, 'state transition');
  const runs = record.mapRuns ?? [];
  if (runs.length === 0) return own;
  const children = runs.reduce((sum, run) => sum + run.children.total, 0);
  const transitions = runs.some((run) => run.childStateTransitions === undefined)
    ? `state transitions ${NOT_ON_AWS}`
    : plural(runs.reduce((sum, run) => sum + (run.childStateTransitions ?? 0), 0), 'state transition');
  return `${own} in this execution, ${transitions} in its ${plural(children, 'child execution')}`;
}

function childCells(child: MapRunChildReport, outcome: boolean): string {
  const cells = `<td class="num">${child.index ?? '—'}</td><td><code>${escapeHtml(child.name)}</code></td><td>${escapeHtml(child.status)}</td>`
    + `<td class="num">${escapeHtml(formatMs(child.durationMs))}</td><td class="num">${child.items === undefined ? '—' : formatCount(child.items)}</td>`;
  if (!outcome) return cells;
  const why = [child.error, child.cause === undefined ? undefined : (causeMessage(child.cause) ?? child.cause)].filter((part) => part !== undefined).join(': ');
  // An ABORTED child did not fail: the Map Run stopped it in that step.
  const ended = child.failedState === undefined ? '' : `${child.failedState}${child.status === 'ABORTED' ? ' (stopped)' : ''}`;
  return `${cells}<td>${escapeHtml(ended)}</td><td>${escapeHtml(why)}</td>`;
}

/** The children's transitions and largest history and payload: known offline, not on AWS (an EXPRESS child keeps no history there). */
function childFigures(run: MapRunReport, payloadWhere: string): string {
  const { childStateTransitions: transitions, largestChildEvents: events, largestChildPayloadBytes: bytes } = run;
  return [
    `<p>${transitions === undefined ? `State transitions in the children: ${NOT_ON_AWS}.` : `${plural(transitions, 'state transition')} in the children.`}</p>`,
    events === undefined
      ? `<p class="muted">Largest child history: ${NOT_ON_AWS}.</p>`
      : bar('Largest child history', events, QUOTAS.historyEvents, `${formatCount(events)} of ${formatCount(QUOTAS.historyEvents)} events`, `Each child execution has a history quota of its own: ${formatCount(QUOTAS.historyEvents)} events.`),
    bytes === undefined
      ? `<p class="muted">Largest child payload: ${NOT_ON_AWS}.</p>`
      : bar('Largest child payload', bytes, QUOTAS.payloadBytes, `${formatBytes(bytes)} of ${PAYLOAD_QUOTA}`, `The largest input or output of any child${payloadWhere}; each child’s data is capped at ${PAYLOAD_QUOTA}.`),
  ].join('\n');
}

function mapRunBlock(run: MapRunReport): string {
  const { children } = run;
  const failed = run.status !== 'SUCCEEDED';
  const tiles = [
    `<div class="tile"><span class="tile-number">${formatCount(children.total)}</span> batches (${escapeHtml(run.executionType)} child executions)</div>`,
    `<div class="tile good"><span class="tile-number">${formatCount(children.succeeded)}</span> succeeded</div>`,
    `<div class="tile ${children.failed > 0 ? 'bad' : 'good'}"><span class="tile-number">${formatCount(children.failed)}</span> failed</div>`,
    ...(children.timedOut > 0 ? [`<div class="tile bad"><span class="tile-number">${formatCount(children.timedOut)}</span> timed out</div>`] : []),
    ...(children.aborted > 0 ? [`<div class="tile warn"><span class="tile-number">${formatCount(children.aborted)}</span> aborted</div>`] : []),
    `<div class="tile"><span class="tile-number">${formatCount(run.itemsProcessed)}</span> items processed</div>`,
    ...(run.itemsNotProcessed > 0 ? [`<div class="tile bad"><span class="tile-number">${formatCount(run.itemsNotProcessed)}</span> items in children that did not succeed</div>`] : []),
  ];
  const columns = '<th class="num">#</th><th>Child execution</th><th>Status</th><th class="num">Duration</th><th class="num">Items</th>';
  const head = `<thead><tr>${columns}<th>Ended in</th><th>Error</th></tr></thead>`;
  // The slowest child is about time: how it ended is the other table's.
  const slowest = run.slowest === undefined ? '' : `<h4>Slowest child</h4><table class="slowest"><thead><tr>${columns}</tr></thead><tbody><tr>${childCells(run.slowest, false)}</tr></tbody></table>`;
  const unlisted = children.total - children.succeeded - run.unsuccessful.length;
  const unsuccessful = run.unsuccessful.length === 0
    ? ''
    : `<h4>Children that did not succeed</h4><table>${head}<tbody>${run.unsuccessful.map((child) => `<tr class="missing">${childCells(child, true)}</tr>`).join('\n')}</tbody></table>`
      + (unlisted > 0 ? `<p class="note">… and ${plural(unlisted, 'more child execution')} that did not succeed.</p>` : '');
  const payloadWhere = run.largestChildPayloadState ? ` in the step “${run.largestChildPayloadState}”` : '';
  return `<div class="map-run" data-state="${escapeHtml(run.stateName)}">
<h3>Map Run of “${escapeHtml(run.stateName)}” <span class="badge ${failed ? 'bad' : 'good'}">${escapeHtml(run.status)}</span></h3>
<p class="muted"><code>${escapeHtml(run.mapRunArn)}</code></p>
<div class="tiles">${tiles.join('\n')}</div>
${childFigures(run, payloadWhere)}
${slowest}
${unsuccessful}
</div>`;
}

function mapRunSection(record: ExecutionRecord): string {
  const runs = record.mapRuns ?? [];
  if (runs.length === 0) return '';
  return `<section id="map-runs">
<h2>Map Run${runs.length === 1 ? '' : 's'}</h2>
<p class="muted">A distributed Map runs its batches as child executions, each with its own history and quotas; the items they delivered are reconciled with the seeded ones below.</p>
${runs.map(mapRunBlock).join('\n')}
</section>`;
}

function activityOf(record: ExecutionRecord): Record<string, StateActivity> {
  return Object.fromEntries(
    Object.entries(record.states).map(([name, state]) => [name, { entered: state.entered, ms: state.ms, ...(state.retries ? { retries: state.retries } : {}) }]),
  );
}

/** The smallest share of its drawn size the diagram may shrink to: 10 pt labels stay 11 px or more. */
export const DIAGRAM_MIN_SCALE = 0.85;

/**
 * A style that keeps the diagram from shrinking below DIAGRAM_MIN_SCALE of its size: a wide one
 * scrolls sideways in its box rather than fitting the page with unreadable labels.
 */
function legibleWidth(svg: string): string {
  const points = /<svg[^>]*\swidth="([\d.]+)pt"/.exec(svg)?.[1];
  if (points === undefined) return '';
  // 1 pt is 4/3 CSS px.
  return ` style="min-width: ${Math.round((Number(points) * 4 * DIAGRAM_MIN_SCALE) / 3)}px"`;
}

async function diagramSection(record: ExecutionRecord): Promise<string> {
  let figure: string;
  try {
    const svg = await renderDiagram(record.definition, { activity: activityOf(record), failedState: record.failedState });
    // The XML prolog and doctype are not allowed inside HTML.
    figure = svg.slice(svg.indexOf('<svg')).replace('<svg', `<svg role="img" aria-label="Workflow diagram"${legibleWidth(svg)}`);
  } catch (error) {
    // The page still carries everything else about the run when the definition cannot be drawn.
    figure = `<div class="callout warn"><p>The diagram could not be drawn: ${escapeHtml((error as Error).message)}</p></div>`;
  }
  return `<section id="diagram">
<h2>The path it took</h2>
<p>Each box is a step of the workflow. Steps the execution went through have a thick border and say how many times they ran and the total time spent in them; grey steps were not reached${record.failedState ? '; the step where it failed is red' : ''}.</p>
<ul class="legend">
  <li><span class="swatch entered"></span>ran</li>
  <li><span class="swatch skipped"></span>not reached</li>
  ${record.failedState ? '<li><span class="swatch failed"></span>failed here</li>' : ''}
  <li><span class="line catch"></span>on error, go to (catch)</li>
  <li><span class="line retry"></span>retried on these errors</li>
</ul>
<div class="diagram">${figure}</div>
</section>`;
}

function knownStates(record: ExecutionRecord): StateInfo[] {
  try {
    return listStates(record.definition);
  } catch {
    // Without a readable definition, the record's own states are all there is to list.
    return Object.keys(record.states).map((name) => ({ name, type: 'Task' as const }));
  }
}

function stepsSection(record: ExecutionRecord): string {
  const states = knownStates(record);
  const names = new Set(states.map((state) => state.name));
  const extra = Object.keys(record.states).filter((name) => !names.has(name)).map((name) => ({ name, type: undefined }));
  const rows = [...states, ...extra].map(({ name, type }) => {
    const summary = record.states[name];
    const entered = summary?.entered ?? 0;
    const failed = record.failedState === name;
    const classes = [entered > 0 ? 'entered' : 'skipped', failed ? 'failed' : ''].filter(Boolean).join(' ');
    return `<tr class="${classes}" data-state="${escapeHtml(name)}" data-entered="${entered}">
  <td>${escapeHtml(name)}${failed ? ' <span class="badge bad">failed here</span>' : ''}</td>
  <td>${escapeHtml(type ?? '')}</td>
  <td class="num">${entered > 0 ? formatCount(entered) : '—'}${summary?.retries ? ` <span class="muted">(+${plural(summary.retries, 'retry', 'retries')})</span>` : ''}</td>
  <td class="num">${summary && entered > 0 ? escapeHtml(formatMs(summary.ms)) : '—'}</td>
  <td class="num">${summary && entered > 0 ? escapeHtml(formatMs(summary.ms / entered)) : '—'}</td>
</tr>`;
  });
  // Child executions run side by side: their steps' times add up to more than the execution took.
  const summed = (record.mapRuns ?? []).length > 0;
  return `<section id="steps">
<h2>Steps</h2>
${summed ? `<p class="note" id="summed-times">Times are summed over every run of a step: the child executions of a Map Run run at once, so a step inside them can total more than the ${escapeHtml(formatMs(record.durationMs))} the execution took.</p>` : ''}
<table>
<thead><tr><th>Step</th><th>Kind</th><th class="num">Times run</th><th class="num">Total time${summed ? ' (summed)' : ''}</th><th class="num">Average time</th></tr></thead>
<tbody>${rows.join('\n')}</tbody>
</table>
</section>`;
}

type Outcome = 'delivered' | 'missing' | 'duplicated';

function deliveriesSection(record: ExecutionRecord): string {
  const { reconciliation: r, seeded, delivered } = record;
  // Same rule as reconcile(): messages carry their item's MessageId; bodies are the fallback.
  const byId = delivered.some((message) => message.messageId !== undefined);
  const counts = new Map<string, number>();
  for (const message of delivered) {
    const key = byId ? message.messageId ?? message.body : message.body;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const missing = new Set(r.missing);
  const duplicates = new Set(r.duplicates);
  const seededKeys = new Set(seeded.map((item) => (byId ? item.messageId : item.body)));
  const unexpected = delivered.filter((message) => !seededKeys.has(byId ? message.messageId ?? message.body : message.body));

  const outcome = (messageId: string, key: string): Outcome =>
    missing.has(messageId) ? 'missing' : duplicates.has(key) ? 'duplicated' : 'delivered';
  const words: Record<Outcome, string> = { delivered: 'Delivered', missing: 'MISSING', duplicated: 'DUPLICATED' };
  const rows = seeded.slice(0, TABLE_ROW_LIMIT).map((item, index) => {
    const key = byId ? item.messageId : item.body;
    const result = outcome(item.messageId, key);
    return `<tr class="${result}" data-message-id="${escapeHtml(item.messageId)}" data-outcome="${result}">
  <td class="num">${index + 1}</td>
  <td><code>${escapeHtml(item.messageId)}</code></td>
  <td class="body">${escapeHtml(item.body)}</td>
  <td class="num">${formatCount(counts.get(key) ?? 0)}</td>
  <td><span class="badge ${result === 'delivered' ? 'good' : result === 'missing' ? 'bad' : 'warn'}">${words[result]}</span></td>
</tr>`;
  });
  const capNote = seeded.length > TABLE_ROW_LIMIT
    ? `<p class="note">Showing the first ${formatCount(TABLE_ROW_LIMIT)} of ${formatCount(seeded.length)} items. Every missing or duplicated one is listed above the table.</p>`
    : '';
  const list = (title: string, ids: string[], tone: string) => ids.length === 0
    ? ''
    : `<div class="callout ${tone}"><h3>${title} (${formatCount(ids.length)})</h3><p>${ids.slice(0, TABLE_ROW_LIMIT).map((id) => `<code>${escapeHtml(id)}</code>`).join(' ')}${ids.length > TABLE_ROW_LIMIT ? ` … and ${formatCount(ids.length - TABLE_ROW_LIMIT)} more` : ''}</p></div>`;
  const unexpectedTable = unexpected.length === 0
    ? ''
    : `<h3>Messages that match no seeded item (${formatCount(unexpected.length)})</h3>
<table><thead><tr><th>Message ID</th><th>Body</th></tr></thead><tbody>${unexpected.slice(0, TABLE_ROW_LIMIT).map((message) => `<tr class="unexpected"><td><code>${escapeHtml(message.messageId ?? '(none)')}</code></td><td class="body">${escapeHtml(message.body)}</td></tr>`).join('\n')}</tbody></table>
${unexpected.length > TABLE_ROW_LIMIT ? `<p class="note">Showing the first ${formatCount(TABLE_ROW_LIMIT)} of ${formatCount(unexpected.length)}.</p>` : ''}`;
  return `<section id="deliveries">
<h2>Items seeded and messages delivered</h2>
<div class="tiles">
  <div class="tile"><span class="tile-number">${formatCount(r.items)}</span> items seeded in the table</div>
  <div class="tile"><span class="tile-number">${formatCount(r.delivered)}</span> messages delivered to the queue</div>
  <div class="tile ${r.missing.length > 0 ? 'bad' : 'good'}"><span class="tile-number">${formatCount(r.missing.length)}</span> missing</div>
  <div class="tile ${r.duplicates.length > 0 ? 'warn' : 'good'}"><span class="tile-number">${formatCount(r.duplicates.length)}</span> delivered more than once</div>
</div>
${list('Missing: seeded but never delivered', r.missing, 'bad')}
${list('Duplicated: delivered more than once', r.duplicates.map((id) => (r.duplicateCopies?.[id] === undefined ? id : `${id} ×${r.duplicateCopies[id]}`)), 'warn')}
${seeded.length === 0 ? '<p class="muted">No seeded items were recorded for this execution.</p>' : `<details class="items"${seeded.length <= OPEN_TABLE_ROWS ? ' open' : ''}>
<summary>Every item, one per row (${formatCount(seeded.length)})</summary>
<table>
<thead><tr><th class="num">#</th><th>Message ID</th><th>Body</th><th class="num">Times delivered</th><th>Result</th></tr></thead>
<tbody>${rows.join('\n')}</tbody>
</table>
${capNote}
</details>`}
${unexpectedTable}
</section>`;
}

function sampleBlock(name: string, summary: StateSummary, failed: boolean): string {
  const entries = summary.samples.map((sample, index) => `<div class="sample">
  <h4>Run ${index + 1}</h4>
  <div class="io">
    <div><h5>Input</h5>${jsonBlock(sample.input)}</div>
    <div>${sample.error !== undefined || sample.cause !== undefined
      ? `<h5 class="bad-text">Error</h5><pre>${escapeHtml([sample.error, sample.cause && causeText(sample.cause)].filter(Boolean).join('\n\n'))}</pre>`
      : `<h5>Output</h5>${jsonBlock(sample.output)}`}</div>
  </div>
</div>`);
  const shown = summary.samples.length < summary.entered ? `first ${summary.samples.length} of ${formatCount(summary.entered)} runs` : `${formatCount(summary.entered)} run${summary.entered === 1 ? '' : 's'}`;
  return `<details class="state-data" data-state="${escapeHtml(name)}">
<summary><strong>${escapeHtml(name)}</strong> <span class="muted">— ${shown}</span>${failed ? ' <span class="badge bad">failed here</span>' : ''}</summary>
${entries.length > 0 ? entries.join('\n') : '<p class="muted">No data was recorded for this step.</p>'}
</details>`;
}

function dataSection(record: ExecutionRecord): string {
  const states = Object.entries(record.states).filter(([, summary]) => summary.entered > 0);
  return `<section id="data">
<h2>Data, step by step</h2>
<p>What each step received and produced, for its first few runs. Click a line to open it.</p>
<details class="state-data"><summary><strong>Execution input</strong> <span class="muted">— what the execution was started with</span></summary>${jsonBlock(record.input)}</details>
<details class="state-data"><summary><strong>Execution output</strong> <span class="muted">— what it returned${record.output === undefined ? ' (nothing)' : ''}</span></summary>${jsonBlock(record.output)}</details>
${states.map(([name, summary]) => sampleBlock(name, summary, name === record.failedState)).join('\n')}
</section>`;
}

const STYLE = `
:root { color-scheme: light; --text: #111827; --muted: #4b5563; --line: #d1d5db; --bg: #f8fafc;
  --good: #166534; --good-bg: #dcfce7; --bad: #991b1b; --bad-bg: #fee2e2; --warn: #854d0e; --warn-bg: #fef9c3; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px; }
header { margin-bottom: 8px; }
h1 { font-size: 26px; margin: 0 0 4px; word-break: break-all; }
h2 { font-size: 20px; margin: 0 0 12px; border-bottom: 2px solid var(--line); padding-bottom: 6px; }
h3 { font-size: 16px; margin: 16px 0 8px; }
h4 { font-size: 14px; margin: 8px 0 4px; }
h5 { font-size: 13px; margin: 4px 0; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 18px 22px; margin: 18px 0; overflow-x: auto; }
.lead { font-size: 17px; margin: 0; }
.muted { color: var(--muted); }
.note { color: var(--muted); font-style: italic; }
.bad-text { color: var(--bad); }
code { font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; word-break: break-all; }
pre { font: 12.5px/1.45 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; background: #f1f5f9; border: 1px solid #e2e8f0; border-radius: 6px; padding: 10px; margin: 4px 0; overflow: auto; max-height: 420px; white-space: pre-wrap; word-break: break-word; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 13px; font-weight: 700; }
.badge.good { background: var(--good-bg); color: var(--good); }
.badge.bad { background: var(--bad-bg); color: var(--bad); }
.badge.warn { background: var(--warn-bg); color: var(--warn); }
.badge.neutral { background: #e0e7ff; color: #3730a3; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.callout { border-radius: 8px; padding: 4px 16px; margin: 14px 0; border-left: 6px solid; }
.callout.bad { background: var(--bad-bg); border-color: var(--bad); }
.callout.warn { background: var(--warn-bg); border-color: #ca8a04; }
.callout pre { background: #fff; }
/* A fault spec or an ARN is one long word: it wraps rather than widening a phone's page. */
.callout li, .callout p { overflow-wrap: anywhere; }
.gauge { margin: 10px 0 14px; }
.gauge-label { display: flex; justify-content: space-between; gap: 12px; flex-wrap: wrap; }
.gauge-track { height: 14px; background: #e5e7eb; border-radius: 7px; overflow: hidden; margin: 4px 0; }
.gauge-fill { height: 100%; min-width: 3px; border-radius: 7px; }
.gauge-fill.low { background: #15803d; }
.gauge-fill.medium { background: #ca8a04; }
.gauge-fill.high { background: #b91c1c; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 20px; margin: 8px 0 12px; color: var(--muted); }
.legend li { display: flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 22px; height: 14px; border-radius: 4px; }
.swatch.entered { background: #dbeafe; border: 3px solid #1e40af; }
.swatch.skipped { background: #fff; border: 1px solid #9ca3af; }
.swatch.failed { background: #fecaca; border: 3px solid #b91c1c; }
.line { display: inline-block; width: 28px; height: 0; border-top: 2px dashed; }
.line.catch { border-color: #b91c1c; }
.line.retry { border-color: #6d28d9; border-top-style: dotted; border-top-width: 3px; }
.diagram { overflow: auto; text-align: center; }
/* Fit the page, but never shrink below legible (each diagram's min-width, inline): a narrow screen scrolls instead. */
.diagram svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 14px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
th { background: #f1f5f9; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.body { max-width: 520px; word-break: break-word; }
tr.skipped td { color: var(--muted); }
tr.failed td { background: var(--bad-bg); }
tr.missing td { background: var(--bad-bg); }
tr.duplicated td { background: var(--warn-bg); }
tr.unexpected td { background: var(--warn-bg); }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 12px; margin-bottom: 12px; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; color: var(--muted); }
.tile-number { display: block; font-size: 28px; font-weight: 700; color: var(--text); }
.tile.good .tile-number { color: var(--good); }
.tile.bad { background: var(--bad-bg); border-color: #fca5a5; }
.tile.bad .tile-number { color: var(--bad); }
.tile.warn { background: var(--warn-bg); border-color: #fde047; }
.tile.warn .tile-number { color: var(--warn); }
details.items > summary { cursor: pointer; font-weight: 600; padding: 6px 0; }
details.state-data { border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; padding: 6px 12px; }
details.state-data > summary { cursor: pointer; padding: 4px 0; }
.sample { border-top: 1px solid #e5e7eb; padding-top: 6px; margin-top: 6px; }
.io { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
@media (max-width: 760px) { .io { grid-template-columns: 1fr; } .facts { grid-template-columns: 1fr; } }
`;

/** The report page for one execution, as a single HTML string. */
export async function renderReport(record: ExecutionRecord): Promise<string> {
  const name = executionName(record);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(`${record.status}: ${name}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>Execution ${escapeHtml(name)}</h1>
<p class="lead">${escapeHtml(headline(record))}</p>
</header>
${summarySection(record)}
${await diagramSection(record)}
${stepsSection(record)}
${mapRunSection(record)}
${deliveriesSection(record)}
${dataSection(record)}
</main>
</body>
</html>
`;
}

/** A file-name-safe stamp of when the execution started, e.g. 2025-01-31T09-15-00Z. */
function timestamp(startedAt: string): string {
  const date = new Date(startedAt);
  const valid = Number.isNaN(date.getTime()) ? new Date() : date;
  return valid.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

/** Writes reports/<timestamp>-<execution name>.html and returns its path. */
export async function writeReport(record: ExecutionRecord, dir = 'reports'): Promise<string> {
  const html = await renderReport(record);
  const safeName = executionName(record).replace(/[^A-Za-z0-9._-]/g, '_');
  const path = join(dir, `${timestamp(record.startedAt)}-${safeName}.html`);
  await mkdir(dir, { recursive: true });
  // Write then rename, so an interrupted run never leaves half a page behind.
  await writeFile(`${path}.tmp`, html);
  await rename(`${path}.tmp`, path);
  return path;
}
