// The entry of make serve's bundle, dist/local-serve.mjs (scripts/build.ts).
import { startCommand } from '../start-command.ts';

await startCommand(() => import('./serve.ts'));
