// `npx tsx bench/patterns.ts`: what matching users' patterns with RE2 (engine/patterns.ts) costs
// against JavaScript's RegExp, for the kinds of patterns workflows write in JSONata and in the
// JSONPath filter, on a short value and on a 256 KiB one (the largest payload); then the patterns
// that make RegExp backtrack for hours, and StringMatches globs, with the engine's matchers only.
import { performance } from 'node:perf_hooks';
import { compilePattern, LinearRegExp, matchesPattern, matchesWhole } from '../engine/index.ts';

const SHORT = 'order-2024-05-01/customer_42@example.com.json';
const LONG = `${'ab12 '.repeat((256 * 1024) / 5)}x`;
const A40 = 'a'.repeat(40);

// JSONata regex literals (searched, as $match/$contains do) and JSONPath filter patterns (whole match).
const SEARCHED: RegExp[] = [/\d+/g, /^order-\d{4}-\d{2}-\d{2}/g, /(\w+)@(\w+)\.com/g, /customer_(\d+)/gi, /\.json$/g, /[^a-z0-9]+/g];
const WHOLE: string[] = ['order-.*', '.*\\.json', '[a-z]+-[0-9-]+/.*', '.*customer_[0-9]+@.*'];

/** Microseconds per call of `fn`, over at least 200 ms. */
function timePerCall(fn: () => unknown): number {
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < 200) {
    for (let i = 0; i < 10; i += 1) fn();
    calls += 10;
    elapsed = performance.now() - start;
  }
  return (elapsed * 1000) / calls;
}

const us = (value: number) => (value < 1000 ? `${value.toFixed(1)} µs` : `${(value / 1000).toFixed(1)} ms`).padStart(10);

function row(name: string, regexp: number | undefined, re2: number): void {
  console.log(`${name.padEnd(34)} ${regexp === undefined ? '(hours)'.padStart(10) : us(regexp)} ${us(re2)}`);
}

console.log(`${'pattern'.padEnd(34)} ${'RegExp'.padStart(10)} ${'RE2'.padStart(10)}`);
for (const [label, text] of [
  ['short', SHORT],
  ['256 KiB', LONG],
] as const) {
  console.log(`-- searched (JSONata), ${label} value`);
  for (const regex of SEARCHED) {
    const linear = new LinearRegExp(regex);
    row(
      String(regex),
      timePerCall(() => {
        regex.lastIndex = 0;
        return regex.exec(text);
      }),
      timePerCall(() => {
        linear.lastIndex = 0;
        return linear.exec(text);
      }),
    );
  }
  console.log(`-- whole match (JSONPath filter), ${label} value`);
  for (const source of WHOLE) {
    const regex = new RegExp(`^(?:${source})$`, 's');
    const pattern = compilePattern(source, { dotAll: true });
    row(`/${source}/`, timePerCall(() => regex.test(text)), timePerCall(() => matchesWhole(pattern, text)));
  }
}

console.log('-- what makes RegExp backtrack (RE2 only)');
for (const [source, text] of [
  ['^(a+)+$', `${A40}!`],
  ['(a|aa)+$', `${A40}!`],
  ['^(\\w+\\s?)*$', `${A40}!`],
  ['^(a+)+$', `${'a'.repeat(256 * 1024)}!`],
] as const) {
  const linear = new LinearRegExp(new RegExp(source, 'g'));
  row(`/${source}/ on ${text.length} chars`, undefined, timePerCall(() => linear.exec(text)));
}

console.log('-- StringMatches (glob, no regex)');
for (const [pattern, text] of [
  ['**********b', A40],
  ['*a*a*a*a*a*a*a*a*a*b', A40],
  ['log-*.txt', 'log-2024-05-01.txt'],
  ['*a*b*c*d*', LONG],
] as const) {
  console.log(`${`'${pattern}' on ${text.length} chars`.padEnd(34)} ${''.padStart(10)} ${us(timePerCall(() => matchesPattern(text, pattern)))}`);
}
