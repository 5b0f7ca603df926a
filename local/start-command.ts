// What each bundled command's entry does first (dist/local-cli.mjs, local-test-state.mjs,
// local-serve.mjs, local-run.mjs; scripts/build.ts): turn Node's compile cache on, then load the
// command, so that every later run reads its compiled code back instead of compiling it again. A
// module's imports are compiled before its own first line runs, hence the command is loaded here,
// not imported by the entry. Node's default folder (os.tmpdir()/node-compile-cache, or
// NODE_COMPILE_CACHE's; one that cannot be made leaves the default) is shared with every other Node
// program; a folder that cannot be made at all only leaves the cache off, and
// NODE_DISABLE_COMPILE_CACHE=1 turns it off. Node 20 has no compile cache at all (a command then
// refuses that Node by name, where it checks).
//
// With the cache on, V8 compiles every function of the command's code while it loads it
// (--no-lazy), and lazily again once it is loaded. The cache holds what was compiled with a
// module, so a function compiled at its first call was compiled again in every run: the first
// items of a loop paid for hundreds of them (its first item took 4-5 ms, the next ones 0.2-0.6
// ms). Compiled with the module, they come back from the cache. Any change to V8's flags (this
// one, or the heap policy's when the emulators start: services/heap-policy.ts) also makes V8
// refuse the code Node ships compiled for its own modules, so that one loaded after it is compiled
// from source (https, child_process and zlib took 13-26 ms to load instead of 4-5), whole while
// the flag is set: the Node modules a run loads are loaded first, before any change, and a thread
// the run starts holds the changes while it loads its own (v8-flags.ts).
// Setting the default again before the run lets what loads later (the HTML report's thread, the
// seed function's bundle) compile as before: with the report's thread compiling eagerly too,
// `make local`'s command took 27 ms longer. Measured against the build before (runs in turn):
// one item, 8.7% fewer instructions (1,231M to 1,124M); 100 items without the report, 7.4% fewer,
// the loop's median 36 to 29 ms, the execution's 90 to 85, the process's 251 to 237 ms (fifteen
// runs each); `make local`'s command, 255 to 251 ms, its execution 63 to 53 ms (21 each), peak
// RSS 122 to 131 MB. The price: the cache is 7 MB instead of 3, and the run that writes it (the
// first after a build) takes 50-100 ms longer. Without the cache every run would pay that, so
// the flag goes with the cache only.
import nodeModule from 'node:module';
import { V8_FLAGS } from './v8-flags.ts';

/** V8's flag that compiles each function with its script rather than at its first call. */
export const EAGER_COMPILATION_FLAG = '--no-lazy';

/** V8's default, set again once the command is loaded. */
export const LAZY_COMPILATION_FLAG = '--lazy';

/**
 * The Node modules a run loads, each with those it loads itself (https: tls, net), loaded before
 * V8's flags change. test/local/start-command.test.ts checks that a run of the CLI loads no
 * other after the first change.
 */
export const NODE_MODULES_FIRST = [
  'process',
  'worker_threads',
  'crypto',
  'fs/promises',
  'perf_hooks',
  'zlib',
  'https',
  'http',
  'dns',
  'child_process',
  'cluster',
  'timers/promises',
] as const;

/**
 * Turns Node's compile cache on for this thread (a worker does not inherit it) and says whether
 * it is on; on Node 20, which has none, it does nothing and says no.
 */
export function enableCompileCache(): boolean {
  const enable = nodeModule.enableCompileCache as typeof nodeModule.enableCompileCache | undefined;
  if (enable === undefined) return false;
  const { status } = enable();
  const { ENABLED, ALREADY_ENABLED } = nodeModule.constants.compileCacheStatus;
  return status === ENABLED || status === ALREADY_ENABLED;
}

/** What a command's start sets in its process: the compile cache (whether it is on), Node's modules and V8's flags. */
export interface StartControls {
  enableCompileCache(): boolean;
  loadNodeModule(name: string): void;
  setFlags(flags: string): void;
}

const THIS_PROCESS: StartControls = {
  enableCompileCache,
  loadNodeModule: (name) => process.getBuiltinModule(name),
  setFlags: (flags) => V8_FLAGS.change(flags),
};

export async function startCommand(load: () => Promise<{ runAsCommand(): Promise<void> }>, controls: StartControls = THIS_PROCESS): Promise<void> {
  const eager = controls.enableCompileCache();
  if (eager) {
    for (const name of NODE_MODULES_FIRST) controls.loadNodeModule(name);
    controls.setFlags(EAGER_COMPILATION_FLAG);
  }
  const { runAsCommand } = await load();
  if (eager) controls.setFlags(LAZY_COMPILATION_FLAG);
  await runAsCommand();
}
