// The entry of the CLI's bundle, dist/local-cli.mjs (scripts/build.ts). It turns Node's compile
// cache on before the CLI's code is loaded, so that every later run reads the compiled code back
// instead of compiling it again: a module's imports are compiled before its own first line runs,
// hence this file imports nothing of the CLI statically.
import nodeModule from 'node:module';

// Node's default folder (os.tmpdir()/node-compile-cache, or NODE_COMPILE_CACHE's), shared with
// every other Node program. It never throws: an unwritable folder only leaves the cache off,
// and NODE_DISABLE_COMPILE_CACHE=1 turns it off. Node 20 has no compile cache at all; the
// CLI then refuses that Node by name (a named import of it would fail to link there first).
(nodeModule.enableCompileCache as typeof nodeModule.enableCompileCache | undefined)?.();

const { runAsCommand } = await import('./cli.ts');
await runAsCommand();
