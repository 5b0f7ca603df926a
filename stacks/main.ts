// cdktf's app entry (cdktf.json): one stack, configured from the environment.
import { App } from 'cdktf';
import { InvalidApplication } from '../workflow/app.ts';
import { InvalidConfiguration, STACK_NAME } from '../workflow/settings.ts';
import { BundleMissing, TransferRecordsStack } from './transfer-records-stack.ts';

try {
  const app = new App();
  new TransferRecordsStack(app, STACK_NAME);
  app.synth();
} catch (error) {
  // A bad setting or a missing build is the user's to fix: say which, without a stack trace.
  if (!(error instanceof InvalidConfiguration || error instanceof InvalidApplication || error instanceof BundleMissing)) throw error;
  console.error(`${error.name}: ${error.message}`);
  process.exitCode = 1;
}
