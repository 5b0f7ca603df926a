// README.md's sample outputs and figures, made by the code they describe so that they cannot
// drift: each sits between `<!-- readme:<id> -->` and `<!-- /readme:<id> -->`.
//   node --import tsx scripts/readme-samples.ts --write   (make readme) rewrites the blocks;
//   node --import tsx scripts/readme-samples.ts --check   fails, naming the blocks, when one differs
//     (test/readme.test.ts runs the same check in make test).
// A run's times, ids and the few bytes of response headers that change from run to run are not
// compared (see comparable()); everything else must match.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LOCAL_CLI } from './build.ts';
import { QUOTAS } from '../workflow/quotas.ts';
import { formatCount } from '../execution/count.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const README = join(ROOT, 'README.md');

export class ReadmeDrift extends Error {
  override name = 'ReadmeDrift';
}

/** What `make local` prints, as the Quick start shows it: the run's id elided, the report's path by its form. */
function makeLocalSample(): string {
  // The report is left out: a sample's run should leave nothing in reports/.
  const run = spawnSync(process.execPath, [join(ROOT, LOCAL_CLI.outfile), '--no-report'], { encoding: 'utf8', cwd: ROOT, timeout: 60_000 });
  if (run.status !== 0) throw new ReadmeDrift(`make local's run for the sample failed (status ${run.status}): ${run.stderr.trim()}`);
  const text = run.stdout.trimEnd().replace(/(:execution:[^:\s]+:)[0-9a-f-]{36}/g, '$1…');
  return ['```text', text, '', 'Report: reports/<start time>-<execution id>.html', '```'].join('\n');
}

/**
 * The most one-character messages an execution input can hold: StartExecution takes at most
 * QUOTAS.payloadBytes of input, and each message costs 4 bytes ("a" and a comma).
 */
export function maxMessagesInInput(payloadBytes: number = QUOTAS.payloadBytes): number {
  const bytes = (count: number) => Buffer.byteLength(JSON.stringify({ messages: Array.from({ length: count }, () => 'a') }));
  let count = Math.floor(payloadBytes / 4);
  while (bytes(count) > payloadBytes) count -= 1;
  while (bytes(count + 1) <= payloadBytes) count += 1;
  return count;
}

/** Every marked block, by id. */
export const SAMPLES: Record<string, () => string> = {
  'make-local': makeLocalSample,
  'max-messages': () => formatCount(maxMessagesInInput()),
};

function blockPattern(id: string): RegExp {
  return new RegExp(`(<!-- readme:${id} -->)([\\s\\S]*?)(<!-- /readme:${id} -->)`);
}

/** The text between a block's markers, trimmed; undefined when the README has no such block. */
export function readBlock(readme: string, id: string): string | undefined {
  return blockPattern(id).exec(readme)?.[2]!.trim();
}

/** The README with the block's text replaced; a block on its own lines stays on its own lines. */
export function writeBlock(readme: string, id: string, text: string): string {
  const current = blockPattern(id).exec(readme);
  if (!current) throw new ReadmeDrift(`README.md has no block <!-- readme:${id} -->`);
  const inline = !current[2]!.includes('\n');
  return readme.replace(blockPattern(id), (_, open: string, __: string, close: string) => (inline ? `${open}${text}${close}` : `${open}\n${text}\n${close}`));
}

/** A sample as compared: its times (`409 ms`, `2.87 s`) and largest payload masked (payloadsAgree() compares that). */
export function comparable(text: string): string {
  // A time is padded to its column: the spaces before it change with its length.
  return text.replace(/ *\b\d[\d,.]*\s?(?:ms|s)\b/g, ' <time>').replace(/(Largest payload\s+)[\d,]+/g, '$1<bytes>');
}

/**
 * The largest payload holds response headers (a CRC32, a Content-Length) whose length changes
 * from run to run by a few bytes: it need only agree within PAYLOAD_TOLERANCE.
 */
export const PAYLOAD_TOLERANCE = 0.02;

function payloadsAgree(written: string, made: string): boolean {
  const payloads = (text: string) => [...text.matchAll(/Largest payload\s+([\d,]+)/g)].map((match) => Number(match[1]!.replace(/,/g, '')));
  const [a, b] = [payloads(written), payloads(made)];
  return a.length === b.length && a.every((bytes, index) => Math.abs(bytes - b[index]!) <= b[index]! * PAYLOAD_TOLERANCE);
}

/** The ids of the blocks whose text differs from what the code makes now. */
export function driftedBlocks(readme: string, generated: Record<string, string>): string[] {
  return Object.entries(generated).filter(([id, text]) => {
    const written = readBlock(readme, id);
    return written === undefined || comparable(written) !== comparable(text) || !payloadsAgree(written, text);
  }).map(([id]) => id);
}

export function generateSamples(): Record<string, string> {
  return Object.fromEntries(Object.entries(SAMPLES).map(([id, make]) => [id, make()]));
}

function main(mode: string | undefined): number {
  if (mode !== '--write' && mode !== '--check') {
    console.error('usage: scripts/readme-samples.ts --write | --check');
    return 2;
  }
  const readme = readFileSync(README, 'utf8');
  const generated = generateSamples();
  if (mode === '--write') {
    writeFileSync(README, Object.entries(generated).reduce((text, [id, sample]) => writeBlock(text, id, sample), readme));
    console.error(`README.md: ${Object.keys(generated).length} blocks written`);
    return 0;
  }
  const drifted = driftedBlocks(readme, generated);
  if (drifted.length === 0) return 0;
  console.error(`ReadmeDrift: README.md's block${drifted.length === 1 ? '' : 's'} ${drifted.join(', ')} no longer match what the code makes: run make readme`);
  return 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.exitCode = main(process.argv[2]);
  } catch (error) {
    if (!(error instanceof ReadmeDrift)) throw error;
    console.error(`${error.name}: ${error.message}`);
    process.exitCode = 1;
  }
}
