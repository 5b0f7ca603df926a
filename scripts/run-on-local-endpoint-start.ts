// The entry of `make run TARGET=local`'s bundle, dist/local-run.mjs (scripts/build.ts).
import { startCommand } from '../local/start-command.ts';

await startCommand(() => import('./run-on-local-endpoint.ts'));
