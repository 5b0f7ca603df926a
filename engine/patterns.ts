// The regular expressions users write: JSONata's regex literals and the JSONPath filter's `=~`.
// JavaScript's RegExp backtracks, so a pattern such as /^(a+)+$/ runs for hours on 40 characters
// and blocks the whole process; re2js (a port of RE2) matches in time linear in the input whatever
// the pattern. RE2 has no backreferences and no lookahead: a pattern that needs them is refused
// as UnsupportedFeature, naming the pattern and the feature. re2js is required at the first
// pattern (its CommonJS build): a run that matches none does not load it.
import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';
import { UnsupportedFeature } from './errors.ts';

const require = createRequire(import.meta.url);
let loaded: typeof RE2JS | undefined;
const re2js = (): typeof RE2JS => (loaded ??= (require('re2js') as { RE2JS: typeof RE2JS }).RE2JS);

/** A compiled pattern. */
export type Pattern = RE2JS;

export interface PatternFlags {
  ignoreCase?: boolean;
  multiline?: boolean;
  dotAll?: boolean;
}

// A workflow has few patterns and each is used over and over: compiled once, a bounded number kept.
const MAX_CACHED = 1000;
const cache = new Map<string, RE2JS>();

/** The flags of a parsed RegExp that change what matches. */
export function flagsOf(regex: RegExp): PatternFlags {
  return { ignoreCase: regex.ignoreCase, multiline: regex.multiline, dotAll: regex.dotAll };
}

/** Compiles a pattern written in JavaScript's syntax; throws UnsupportedFeature when RE2 cannot match it. */
export function compilePattern(source: string, flags: PatternFlags = {}): Pattern {
  const { LOOKBEHINDS, CASE_INSENSITIVE, MULTILINE, DOTALL } = re2js();
  const bits = LOOKBEHINDS | (flags.ignoreCase ? CASE_INSENSITIVE : 0) | (flags.multiline ? MULTILINE : 0) | (flags.dotAll ? DOTALL : 0);
  const key = `${bits}/${source}`;
  let pattern = cache.get(key);
  if (pattern === undefined) {
    pattern = compileLinear(source, bits);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(key, pattern);
  }
  return pattern;
}

function compileLinear(source: string, bits: number): RE2JS {
  const feature = backtrackingFeature(source);
  if (feature !== undefined) throw refusal(source, `it uses ${feature}`);
  try {
    const RE2 = re2js();
    return RE2.compile(RE2.translateRegExp(source), bits);
  } catch (error) {
    throw refusal(source, (error as Error).message);
  }
}

/**
 * The backreference or lookahead a pattern uses outside a character class, named for the error
 * (RE2 would refuse it too, less clearly; and translateRegExp reads `\k<name>` as `k<name>`).
 */
function backtrackingFeature(source: string): string | undefined {
  const namedGroups = source.includes('(?<');
  let inClass = false;
  for (let i = 0; i < source.length; i += 1) {
    const c = source[i];
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (!inClass && ((next >= '1' && next <= '9') || (next === 'k' && namedGroups && source[i + 2] === '<'))) return 'a backreference';
      i += 1;
    } else if (inClass) {
      inClass = c !== ']';
    } else if (c === '[') {
      inClass = true;
    } else if (c === '(' && source[i + 1] === '?' && (source[i + 2] === '=' || source[i + 2] === '!')) {
      return 'a lookahead';
    }
  }
  return undefined;
}

function refusal(source: string, reason: string): UnsupportedFeature {
  return new UnsupportedFeature(
    `The regular expression /${source}/ cannot be matched in linear time (${reason}); ` +
      'patterns are matched with RE2, which has no backreferences and no lookahead.',
  );
}

export function isPattern(value: unknown): value is Pattern {
  // No pattern exists before re2js is loaded.
  return loaded !== undefined && value instanceof loaded;
}

/** Whether the whole of `value` matches (Java's Matcher.matches, as Jayway's `=~` uses it). */
export function matchesWhole(pattern: Pattern, value: string): boolean {
  return pattern.testExact(value);
}

/**
 * JSONata's regex engine (its `RegexEngine` option): built from the RegExp JSONata parsed, it
 * answers `exec` from `lastIndex` as a global RegExp does, with the same result shape.
 */
export class LinearRegExp {
  lastIndex = 0;
  private readonly pattern: RE2JS;

  constructor(regex: RegExp) {
    this.pattern = compilePattern(regex.source, flagsOf(regex));
  }

  exec(input: string): RegExpExecArray | null {
    const matcher = this.pattern.matcher(input);
    if (this.lastIndex > input.length || !matcher.find(this.lastIndex)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: (string | undefined)[] = [];
    for (let group = 0; group <= matcher.groupCount(); group += 1) groups.push(matcher.group(group) ?? undefined);
    this.lastIndex = matcher.end();
    return Object.assign(groups, { index: matcher.start(), input }) as RegExpExecArray;
  }
}
