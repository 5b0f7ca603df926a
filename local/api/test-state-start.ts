// The entry of make test-state's bundle, dist/local-test-state.mjs (scripts/build.ts).
import { startCommand } from '../start-command.ts';

await startCommand(() => import('./test-state-cli.ts'));
