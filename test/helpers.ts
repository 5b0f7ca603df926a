// Small assertions shared by the test files.
import { spawnSync } from 'node:child_process';

/** The error a promise rejects with; fails the test when it resolves instead. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** The error a call throws; fails the test when it returns instead. */
export function thrown(call: () => unknown): Error {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/**
 * What a fresh Node process says when given V8 `flags` at run time, as the runtime sets them: V8
 * ignores an unknown flag with a line on stderr, so a misspelt one would otherwise go unnoticed.
 */
export function v8FlagsAnswer(flags: string): { status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, ['-e', `require('node:v8').setFlagsFromString(${JSON.stringify(flags)})`], { encoding: 'utf8' });
  return { status: run.status, stderr: run.stderr };
}
