// The entry of make test-state's bundle, dist/local-test-state.mjs (scripts/build.ts). Like the
// CLI's (local/cli/start.ts), it turns Node's compile cache on before the command's code is
// loaded, hence no static import of it.
import nodeModule from 'node:module';

(nodeModule.enableCompileCache as typeof nodeModule.enableCompileCache | undefined)?.();

const { runAsCommand } = await import('./test-state-cli.ts');
await runAsCommand();
