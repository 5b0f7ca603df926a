import { expect } from 'chai';
import { selectedWorkflow } from '../../scripts/run-on-local-endpoint.ts';
import { DEFAULT_WORKFLOW } from '../../workflow/app.ts';
import { TRANSFER_RECORDS_AT_SCALE } from '../../workflow/transfer-records-at-scale.ts';

// The workflow `make run TARGET=local` registers on the endpoint: the one the client will start.
describe('scripts/run-on-local-endpoint selectedWorkflow', () => {
  it('is the one --workflow names, or the default', () => {
    expect(selectedWorkflow(['--workflow', TRANSFER_RECORDS_AT_SCALE.name, '--count', '10'])).to.equal(TRANSFER_RECORDS_AT_SCALE.name);
    expect(selectedWorkflow(['--count', '10'])).to.equal(DEFAULT_WORKFLOW);
  });

  it('leaves arguments the client refuses to the client, which says why', () => {
    expect(selectedWorkflow(['--workflow', 'no-such-workflow'])).to.equal(undefined);
    expect(selectedWorkflow(['--no-such-option'])).to.equal(undefined);
  });
});
