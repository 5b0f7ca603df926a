// What each bundled command's entry does first (dist/local-cli.mjs, local-test-state.mjs,
// local-serve.mjs, local-run.mjs; scripts/build.ts): turn Node's compile cache on, then load the
// command, so that every later run reads its compiled code back instead of compiling it again. A
// module's imports are compiled before its own first line runs, hence the command is loaded here,
// not imported by the entry. Node's default folder (os.tmpdir()/node-compile-cache, or
// NODE_COMPILE_CACHE's) is shared with every other Node program; an unwritable folder only leaves
// the cache off, and NODE_DISABLE_COMPILE_CACHE=1 turns it off. Node 20 has no compile cache at
// all (a command then refuses that Node by name, where it checks).
import nodeModule from 'node:module';

/** Turns Node's compile cache on for this thread (a worker does not inherit it); on Node 20, which has none, it does nothing. */
export function enableCompileCache(): void {
  (nodeModule.enableCompileCache as typeof nodeModule.enableCompileCache | undefined)?.();
}

export async function startCommand(load: () => Promise<{ runAsCommand(): Promise<void> }>): Promise<void> {
  enableCompileCache();
  const { runAsCommand } = await load();
  await runAsCommand();
}
