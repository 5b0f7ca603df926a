// The entry of the CLI's bundle, dist/local-cli.mjs (scripts/build.ts).
import { startCommand } from '../start-command.ts';

await startCommand(() => import('./cli.ts'));
