// Turns an ASL definition into Graphviz DOT. Graphviz does the layout; this module only decides
// what is drawn: one node per state (shape and colour by type) and one edge per transition.
// Node IDs are the state names, so the SVG's <title> elements name the states.

export class InvalidDefinition extends Error {
  override name = 'InvalidDefinition';
}

/** What an execution did in one state, for highlighting. */
export interface StateActivity {
  entered: number;
  ms: number;
  /** Attempts Retry added after the first, over every entry. */
  retries?: number;
}

export interface DotOptions {
  /** Per state name. When given, states missing from it (or entered 0 times) are drawn as not entered. */
  activity?: Record<string, StateActivity>;
  /** The state where the execution failed: drawn in red. */
  failedState?: string;
}

export type StateType = 'Task' | 'Choice' | 'Pass' | 'Wait' | 'Map' | 'Parallel' | 'Succeed' | 'Fail';

interface Look {
  shape: string;
  style: string;
  fill: string;
  stroke: string;
  peripheries?: number;
}

const LOOKS: Record<StateType, Look> = {
  Task: { shape: 'box', style: 'rounded,filled', fill: '#dbeafe', stroke: '#1e40af' },
  Choice: { shape: 'diamond', style: 'filled', fill: '#fef3c7', stroke: '#92400e' },
  Pass: { shape: 'box', style: 'filled', fill: '#f1f5f9', stroke: '#475569' },
  Wait: { shape: 'hexagon', style: 'filled', fill: '#ede9fe', stroke: '#5b21b6' },
  Map: { shape: 'box3d', style: 'filled', fill: '#ccfbf1', stroke: '#115e59' },
  Parallel: { shape: 'box', style: 'filled', fill: '#e0e7ff', stroke: '#3730a3', peripheries: 2 },
  Succeed: { shape: 'ellipse', style: 'filled', fill: '#dcfce7', stroke: '#166534' },
  Fail: { shape: 'octagon', style: 'filled', fill: '#fee2e2', stroke: '#991b1b' },
};

const COLOURS = {
  text: '#111827',
  edge: '#334155',
  choice: '#78350f',
  catch: '#b91c1c',
  retry: '#6d28d9',
  dimFill: '#ffffff',
  dimStroke: '#9ca3af',
  dimText: '#6b7280',
  dimEdge: '#cbd5e1',
  dimEdgeText: '#64748b',
  failedFill: '#fecaca',
  failedStroke: '#b91c1c',
};

/** Marker node IDs; a state with one of these names would be confused with them. */
const START = '(start)';
const END = '(end)';

interface Scope {
  /** '' for the state machine itself, else the Map or Parallel state (and branch) it belongs to. */
  path: string;
  startAt: string;
  states: Record<string, Record<string, unknown>>;
}

interface Edge {
  tail: string;
  head: string;
  kind: 'start' | 'next' | 'choice' | 'default' | 'catch' | 'retry' | 'end' | 'iterate';
  label?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readScope(value: unknown, path: string): Scope {
  const where = path === '' ? 'the definition' : `"${path}"`;
  if (!isObject(value)) throw new InvalidDefinition(`${where} must be an object with StartAt and States`);
  const { StartAt: startAt, States: states } = value;
  if (typeof startAt !== 'string') throw new InvalidDefinition(`${where} has no StartAt`);
  if (!isObject(states) || Object.keys(states).length === 0) throw new InvalidDefinition(`${where} has no States`);
  for (const [name, state] of Object.entries(states)) {
    if (!isObject(state)) throw new InvalidDefinition(`state "${name}" must be an object`);
    // DOT quoted IDs keep backslashes literally, so "\" before a quote cannot be written.
    if (/[\\\p{Cc}]/u.test(name)) {
      throw new InvalidDefinition(`state "${name}": names with backslashes or control characters cannot be drawn`);
    }
    if (name === START || name === END || name.startsWith(`${END} `)) {
      throw new InvalidDefinition(`state "${name}": this name is reserved for the diagram's start and end markers`);
    }
  }
  if (!(startAt in states)) throw new InvalidDefinition(`${where}: StartAt "${startAt}" names no state`);
  return { path, startAt, states: states as Scope['states'] };
}

const COMPARISONS: Record<string, string> = {
  Equals: '==',
  LessThan: '<',
  GreaterThan: '>',
  LessThanEquals: '<=',
  GreaterThanEquals: '>=',
  Matches: 'matches',
};

const TESTS: Record<string, [string, string]> = {
  IsNull: ['is null', 'is not null'],
  IsPresent: ['is present', 'is absent'],
  IsNumeric: ['is a number', 'is not a number'],
  IsString: ['is a string', 'is not a string'],
  IsBoolean: ['is a boolean', 'is not a boolean'],
  IsTimestamp: ['is a timestamp', 'is not a timestamp'],
};

const COMPARISON_KEY = /^(String|Numeric|Boolean|Timestamp)(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals|Matches)(Path)?$/;

/** A Choice rule's condition as a person would write it, e.g. `not $.List[0] == "DONE"`. */
export function describeCondition(rule: Record<string, unknown>): string {
  if (typeof rule.Condition === 'string') return rule.Condition;
  const nested = (value: unknown) => {
    if (!isObject(value)) throw new InvalidDefinition('a Choice rule combines something that is not a rule');
    const text = describeCondition(value);
    return 'And' in value || 'Or' in value ? `(${text})` : text;
  };
  if ('Not' in rule) return `not ${nested(rule.Not)}`;
  for (const [key, word] of [['And', ' and '], ['Or', ' or ']] as const) {
    if (key in rule) {
      const parts = rule[key];
      if (!Array.isArray(parts)) throw new InvalidDefinition(`a Choice rule's ${key} must be a list`);
      return parts.map(nested).join(word);
    }
  }
  const variable = String(rule.Variable ?? '?');
  for (const [key, value] of Object.entries(rule)) {
    const comparison = COMPARISON_KEY.exec(key);
    if (comparison) {
      const operand = comparison[3] ? String(value) : JSON.stringify(value);
      return `${variable} ${COMPARISONS[comparison[2]!]} ${operand}`;
    }
    const test = TESTS[key];
    if (test) return `${variable} ${value === false ? test[1] : test[0]}`;
  }
  throw new InvalidDefinition(`unrecognised Choice rule: ${JSON.stringify(rule)}`);
}

function errorNames(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function stateType(name: string, state: Record<string, unknown>): StateType {
  const type = state.Type;
  if (typeof type === 'string' && type in LOOKS) return type as StateType;
  throw new InvalidDefinition(`state "${name}" has unknown Type ${JSON.stringify(type)}`);
}

/** The short form of a Task's resource, e.g. `dynamodb:getItem`; a template's partition may still be `${Partition}`. */
function taskResource(resource: unknown): string {
  const text = String(resource ?? '');
  const integration = /^arn:(?:aws[\w-]*|\$\{\w+\}):states:::(.+)$/.exec(text);
  if (integration) return integration[1]!;
  const lambda = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:(.+)$/.exec(text);
  if (lambda) return `lambda: ${lambda[1]}`;
  return text.length > 48 ? `${text.slice(0, 47)}…` : text;
}

function subtitle(type: StateType, state: Record<string, unknown>): string {
  switch (type) {
    case 'Task':
      return `Task · ${taskResource(state.Resource)}`;
    case 'Wait':
      if (state.Seconds !== undefined) return `Wait · ${String(state.Seconds)} s`;
      return `Wait · until ${String(state.Timestamp ?? state.TimestampPath ?? state.SecondsPath ?? '?')}`;
    case 'Fail':
      return typeof state.Error === 'string' ? `Fail · ${state.Error}` : 'Fail';
    case 'Map':
      return 'Map · for each item';
    default:
      return type;
  }
}

/**
 * Characters of an expression (a Choice condition, a JSONata Wait or Fail field) shown on the
 * drawing, so that one long expression does not widen the whole diagram; the whole text is the
 * element's tooltip. Error names are short and drawn whole.
 */
export const EXPRESSION_CHARS = 30;
/** A state's caption ("Task · aws-sdk:dynamodb:batchGetItem") is clipped a little later. */
const CAPTION_CHARS = 40;

export function clipped(text: string, limit = EXPRESSION_CHARS): string {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

function quote(id: string): string {
  return `"${id.replace(/"/g, '\\"')}"`;
}

function label(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An HTML-like label: markup Graphviz renders, with user text already escaped. */
interface Markup {
  html: string;
}

type Attribute = string | number | Markup | undefined;

function attributes(values: Record<string, Attribute>): string {
  const parts = Object.entries(values).flatMap(([key, value]) => {
    if (value === undefined) return [];
    if (typeof value === 'number') return [`${key}=${value}`];
    if (typeof value === 'object') return [`${key}=<${value.html}>`];
    return [`${key}=${label(value)}`];
  });
  return `[${parts.join(', ')}]`;
}

/** What a drawn state says it did: `ran 1× · 5 retries · 3.2 s`. */
export function ranText(activity: StateActivity): string {
  const retries = activity.retries ?? 0;
  return [`ran ${activity.entered}×`, ...(retries > 0 ? [`${retries} ${retries === 1 ? 'retry' : 'retries'}`] : []), formatMs(activity.ms)].join(' · ');
}

export function formatMs(ms: number): string {
  if (ms === 0) return '0 ms';
  // A Choice or Pass takes a fraction of a millisecond; "0 ms" would read as "not measured".
  if (ms < 0.1) return '<0.1 ms';
  if (ms < 10) return `${Number(ms.toFixed(1))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

class DotWriter {
  readonly lines: string[] = [];
  readonly edges: Edge[] = [];
  private clusters = 0;

  constructor(private readonly options: DotOptions) {}

  entered(name: string): boolean {
    return (this.options.activity?.[name]?.entered ?? 0) > 0;
  }

  private highlighting(): boolean {
    return this.options.activity !== undefined;
  }

  node(name: string, state: Record<string, unknown>, indent: string): void {
    const type = stateType(name, state);
    const look = LOOKS[type];
    const caption = subtitle(type, state);
    const rows = [`<B>${html(name)}</B>`];
    // A state named after its type ("Succeed") needs no caption repeating it.
    if (caption !== name) rows.push(`<FONT POINT-SIZE="10">${html(clipped(caption, CAPTION_CHARS))}</FONT>`);
    const classes = ['state', type.toLowerCase()];
    let { fill, stroke } = look;
    let penwidth = 1.2;
    let fontcolor = COLOURS.text;
    const activity = this.options.activity?.[name];
    if (this.highlighting()) {
      if (activity && activity.entered > 0) {
        classes.push('entered');
        penwidth = 2.5;
        rows.push(`<FONT POINT-SIZE="10"><B>${html(ranText(activity))}</B></FONT>`);
      } else {
        classes.push('skipped');
        fill = COLOURS.dimFill;
        stroke = COLOURS.dimStroke;
        fontcolor = COLOURS.dimText;
        rows.push('<FONT POINT-SIZE="10">not reached</FONT>');
      }
    }
    if (this.options.failedState === name) {
      classes.push('failed');
      fill = COLOURS.failedFill;
      stroke = COLOURS.failedStroke;
      fontcolor = COLOURS.text;
      penwidth = 4;
      rows.push('<FONT POINT-SIZE="10" COLOR="#991b1b"><B>FAILED HERE</B></FONT>');
    }
    this.lines.push(
      `${indent}${quote(name)} ${attributes({
        label: { html: rows.join('<BR/>') },
        shape: look.shape,
        style: look.style,
        fillcolor: fill,
        color: stroke,
        fontcolor,
        penwidth,
        peripheries: look.peripheries,
        class: classes.join(' '),
        tooltip: caption === clipped(caption, CAPTION_CHARS) ? undefined : `${name}\n${caption}`,
      })};`,
    );
  }

  marker(id: string, text: string, indent: string, small = false): void {
    const shape = id === START ? 'circle' : 'doublecircle';
    this.lines.push(
      `${indent}${quote(id)} ${attributes({
        label: text,
        shape,
        style: 'filled',
        fillcolor: '#1f2937',
        color: '#1f2937',
        fontcolor: '#ffffff',
        fontsize: small ? 9 : 11,
        width: small ? 0.45 : 0.6,
        fixedsize: 'true',
        class: id === START ? 'marker start' : 'marker end',
      })};`,
    );
  }

  scope(scope: Scope, indent: string): void {
    const end = scope.path === '' ? END : `${END} ${scope.path}`;
    if (scope.path === '') {
      this.marker(START, 'Start', indent);
      this.edges.push({ tail: START, head: scope.startAt, kind: 'start' });
    }
    let ends = false;
    for (const [name, state] of Object.entries(scope.states)) {
      this.node(name, state, indent);
      const target = (next: unknown, what: string) => {
        const head = String(next);
        if (!(head in scope.states)) throw new InvalidDefinition(`state "${name}": ${what} "${head}" names no state in its scope`);
        return head;
      };
      const type = stateType(name, state);
      if (type === 'Choice') {
        const rules = Array.isArray(state.Choices) ? state.Choices : [];
        for (const rule of rules) {
          if (!isObject(rule)) throw new InvalidDefinition(`state "${name}": each Choice rule must be an object`);
          this.edges.push({ tail: name, head: target(rule.Next, 'Choice rule Next'), kind: 'choice', label: describeCondition(rule) });
        }
        if (state.Default !== undefined) this.edges.push({ tail: name, head: target(state.Default, 'Default'), kind: 'default', label: 'Default' });
      } else if (type === 'Succeed' || type === 'Fail' || state.End === true) {
        this.edges.push({ tail: name, head: end, kind: 'end', label: type === 'Fail' ? 'fails' : undefined });
        ends = true;
      } else {
        this.edges.push({ tail: name, head: target(state.Next, 'Next'), kind: 'next' });
      }
      // One loop for all of a state's retriers: two loops on one side of a box cross each other's labels.
      const retriers = (Array.isArray(state.Retry) ? state.Retry : []).flatMap((retrier) => {
        if (!isObject(retrier)) return [];
        const attempts = typeof retrier.MaxAttempts === 'number' ? retrier.MaxAttempts : 3;
        // MaxAttempts 0 means "never retry these errors": there is no retry to draw.
        return attempts === 0 ? [] : [[`retry up to ${attempts}×`, ...errorNames(retrier.ErrorEquals)].join('\n')];
      });
      if (retriers.length > 0) this.edges.push({ tail: name, head: name, kind: 'retry', label: retriers.join('\n\n') });
      for (const catcher of Array.isArray(state.Catch) ? state.Catch : []) {
        if (!isObject(catcher)) throw new InvalidDefinition(`state "${name}": each Catch must be an object`);
        const names = errorNames(catcher.ErrorEquals);
        this.edges.push({ tail: name, head: target(catcher.Next, 'Catch Next'), kind: 'catch', label: ['catch', ...names].join('\n') });
      }
      if (type === 'Map') this.nested(name, [state.ItemProcessor ?? state.Iterator], indent, () => 'for each item');
      if (type === 'Parallel') {
        const branches = Array.isArray(state.Branches) ? state.Branches : [];
        this.nested(name, branches, indent, (index) => `branch ${index + 1}`);
      }
    }
    if (ends || scope.path === '') this.marker(end, 'End', indent, scope.path !== '');
  }

  private nested(name: string, scopes: unknown[], indent: string, caption: (index: number) => string): void {
    if (scopes.length === 0) throw new InvalidDefinition(`state "${name}" has nothing to run`);
    scopes.forEach((value, index) => {
      const path = scopes.length === 1 ? name : `${name} / ${caption(index)}`;
      const inner = readScope(value, path);
      this.clusters += 1;
      this.lines.push(`${indent}subgraph ${quote(`cluster_${this.clusters}`)} {`);
      this.lines.push(
        `${indent}  graph ${attributes({ label: `${name}: ${caption(index)}`, style: 'rounded,dashed', color: '#64748b', fontcolor: COLOURS.text, fontsize: 11 })};`,
      );
      this.scope(inner, `${indent}  `);
      this.lines.push(`${indent}}`);
      this.edges.push({ tail: name, head: inner.startAt, kind: 'iterate', label: caption(index) });
    });
  }

  edge(edge: Edge): string {
    const style: Record<Edge['kind'], Record<string, Attribute>> = {
      start: { color: COLOURS.edge, penwidth: 1.5 },
      next: { color: COLOURS.edge },
      choice: { color: COLOURS.edge, fontcolor: COLOURS.choice },
      default: { color: COLOURS.edge, fontcolor: COLOURS.choice, style: 'bold' },
      catch: { color: COLOURS.catch, fontcolor: COLOURS.catch, style: 'dashed' },
      retry: { color: COLOURS.retry, fontcolor: COLOURS.retry, style: 'dotted', dir: 'forward' },
      end: { color: edge.label ? COLOURS.catch : COLOURS.edge, fontcolor: COLOURS.catch },
      iterate: { color: '#115e59', fontcolor: '#115e59', style: 'dotted' },
    };
    const label = edge.label !== undefined && (edge.kind === 'choice' || edge.kind === 'default') ? clipped(edge.label) : edge.label;
    const values: Record<string, Attribute> = {
      ...style[edge.kind],
      label,
      // A clipped label keeps its whole text as the tooltip.
      ...(label !== edge.label ? { labeltooltip: edge.label, tooltip: edge.label } : {}),
      class: `transition ${edge.kind}`,
    };
    if (this.highlighting() && !this.taken(edge)) {
      values.color = COLOURS.dimEdge;
      values.fontcolor = COLOURS.dimEdgeText;
    }
    return `${quote(edge.tail)} -> ${quote(edge.head)} ${attributes(values)};`;
  }

  /** False when the execution surely did not take the edge: one of its ends was never entered. */
  private taken(edge: Edge): boolean {
    const tailEntered = edge.kind === 'start' || this.entered(edge.tail);
    const headEntered = edge.kind === 'end' || this.entered(edge.head);
    return tailEntered && headEntered;
  }
}

export interface StateInfo {
  name: string;
  type: StateType;
}

/** Every state of a definition, nested ones included, in definition order. */
export function listStates(definition: unknown): StateInfo[] {
  const states: StateInfo[] = [];
  const walk = (scope: Scope) => {
    for (const [name, state] of Object.entries(scope.states)) {
      const type = stateType(name, state);
      states.push({ name, type });
      const inner = type === 'Map' ? [state.ItemProcessor ?? state.Iterator] : type === 'Parallel' && Array.isArray(state.Branches) ? state.Branches : [];
      inner.forEach((value, index) => walk(readScope(value, `${name} / ${index + 1}`)));
    }
  };
  walk(readScope(definition, ''));
  return states;
}

/** The DOT source of a state machine's diagram. Throws InvalidDefinition for a definition it cannot draw. */
export function aslToDot(definition: unknown, options: DotOptions = {}): string {
  const writer = new DotWriter(options);
  writer.scope(readScope(definition, ''), '  ');
  return [
    'digraph "state machine" {',
    '  graph [rankdir=TB, fontname="Helvetica", nodesep=0.5, ranksep=0.45, bgcolor="white", pad=0.2];',
    `  node [fontname="Helvetica", fontsize=12, margin="0.2,0.08"];`,
    '  edge [fontname="Helvetica", fontsize=10, arrowsize=0.8];',
    ...writer.lines,
    ...writer.edges.map((edge) => `  ${writer.edge(edge)}`),
    '}',
    '',
  ].join('\n');
}
