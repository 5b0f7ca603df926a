import { expect } from 'chai';
import { engineHost } from '../../local/host/engine-host.ts';
import { roleArn, stateMachinePrincipal } from '../../local/services/iam.ts';

const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:m';
const call = (stateName: string) => ({ stateName, resource: 'arn:aws:states:::sqs:sendMessage', parameters: { n: 1 } }) as Parameters<ReturnType<typeof engineHost>['dispatch']>[0];

describe('local/host/engine-host: what the CLI run and the endpoint hand the engine', () => {
  it('dispatches a call to its state\'s handler and tracks it until it settles', async () => {
    const inFlight = new Set<Promise<unknown>>();
    let release = (_: unknown) => {};
    const host = engineHost({
      handlers: { Send: (parameters) => new Promise((resolve) => (release = () => resolve(parameters))) },
      roleArn: roleArn('000000000000', 'r'),
      policy: [],
      stateMachineName: 'm',
      inFlight,
    });
    const pending = host.dispatch(call('Send'));
    expect(inFlight.size).to.equal(1);
    release(undefined);
    expect(await pending).to.deep.equal({ n: 1 });
    await Promise.resolve();
    expect(inFlight.size).to.equal(0);
  });

  it('fails a call with States.Runtime when no handler answers it, or once the run has failed', async () => {
    const run: { failure?: Error } = {};
    const host = engineHost({ handlers: { Send: async () => 'sent' }, roleArn: roleArn('000000000000', 'r'), policy: [], stateMachineName: 'm', inFlight: new Set(), refusal: () => run.failure });
    const missing = await host.dispatch(call('Other')).catch((error: Error) => error);
    expect(missing).to.include({ name: 'States.Runtime', message: 'no local handler for state "Other"' });
    run.failure = new Error('Ctrl-C');
    const refused = await host.dispatch(call('Send')).catch((error: Error) => error);
    expect(refused).to.include({ name: 'States.Runtime', message: 'the offline run failed: Ctrl-C' });
  });

  it('starts a Map Run\'s children only if the role may, naming the role\'s session as IAM does', () => {
    const role = roleArn('000000000000', 'machine-role');
    const denied = engineHost({ handlers: {}, roleArn: role, policy: [], stateMachineName: 'm', inFlight: new Set() });
    expect(() => denied.authorizeChildStart(MACHINE)).to.throw(
      `User: arn:aws:sts::000000000000:assumed-role/machine-role/m is not authorized to perform: states:StartExecution on resource: ${MACHINE}`,
    );
    const allowed = engineHost({
      handlers: {},
      roleArn: role,
      policy: [{ Sid: 'StartChildren', Effect: 'Allow', Action: ['states:StartExecution'], Resource: [MACHINE] }],
      stateMachineName: 'm',
      inFlight: new Set(),
    });
    expect(() => allowed.authorizeChildStart(MACHINE)).not.to.throw();
  });

  it('reads a role ARN with a path back to its session', () => {
    expect(stateMachinePrincipal('arn:aws:iam::123456789012:role/service/r', 'm')).to.equal('arn:aws:sts::123456789012:assumed-role/r/m');
  });
});
