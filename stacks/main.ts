// cdktf's app entry (cdktf.json): one stack, configured from the environment.
import { App } from 'cdktf';
import { STACK_NAME } from '../workflow/resources.ts';
import { TransferRecordsStack } from './transfer-records-stack.ts';

const app = new App();
new TransferRecordsStack(app, STACK_NAME);
app.synth();
