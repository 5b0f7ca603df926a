// JSON nested deeper than the engine takes, in every field of the endpoint that holds JSON: each is
// refused by name, an execution that builds such a value fails, and the endpoint goes on serving.
import { expect } from 'chai';
import { MAX_JSON_DEPTH } from '../../../engine/index.ts';
import { startLocalEnvironment } from '../../../local/host/environment.ts';
import { startApiServer, type ApiServer } from '../../../local/api/server.ts';
import { CONTENT_TYPE } from '../../../local/api/protocol.ts';
import type { LocalEnvironment } from '../../../local/contracts.ts';
import { entriesOf } from '../../fixtures/names.ts';

// Built as text: JSON.stringify itself overflows the stack on such values.
const brackets = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepText = (depth: number) => `{"x":${brackets(depth)}}`;
const pass = (extra: Record<string, unknown> = {}) => JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true, ...extra } } });
const deepPass = (depth: number) => `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true,"Result":${brackets(depth)}}}}`;

describe('local/api: JSON nested too deep', function () {
  this.timeout(60_000);
  let env: LocalEnvironment;
  let server: ApiServer;
  let roleArn: string;
  let standard: string;
  let express: string;
  const internal: Error[] = [];

  before(async () => {
    env = await startLocalEnvironment({ prefix: 'api-nesting' });
    server = await startApiServer({ env, onInternalError: (error) => internal.push(error) });
    roleArn = entriesOf(env.resources).stateMachineRoleArn;
    standard = ((await call('CreateStateMachine', { name: 'nesting-standard', definition: pass(), roleArn })).body as { stateMachineArn: string }).stateMachineArn;
    express = ((await call('CreateStateMachine', { name: 'nesting-express', definition: pass(), roleArn, type: 'EXPRESS' })).body as { stateMachineArn: string })
      .stateMachineArn;
  });

  after(async () => {
    await server.stop();
    await env.stop();
  });

  async function call(target: string, body: unknown, text = JSON.stringify(body)) {
    const response = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': CONTENT_TYPE, 'X-Amz-Target': `AWSStepFunctions.${target}` },
      body: text,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** The refusal's code, after checking its status and that its message names the limit. */
  async function refusal(target: string, body: unknown, text?: string): Promise<unknown> {
    const answer = await call(target, body, text);
    expect(answer.status, `${target}: ${JSON.stringify(answer.body).slice(0, 300)}`).to.equal(400);
    expect(answer.body.message).to.contain(`nested more than ${MAX_JSON_DEPTH} levels deep`);
    return answer.body.__type;
  }

  for (const depth of [5_000, 100_000]) {
    describe(`${depth.toLocaleString('en-US')} levels deep`, () => {
      const input = deepText(depth);

      it('refuses an execution input: InvalidExecutionInput on StartExecution and StartSyncExecution', async () => {
        expect(await refusal('StartExecution', { stateMachineArn: standard, input })).to.equal('InvalidExecutionInput');
        expect(await refusal('StartSyncExecution', { stateMachineArn: express, input })).to.equal('InvalidExecutionInput');
      });

      it('refuses a definition (a Pass Result that deep): InvalidDefinition on CreateStateMachine and UpdateStateMachine', async () => {
        const definition = deepPass(depth);
        expect(await refusal('CreateStateMachine', { name: `deep-${depth}`, definition, roleArn })).to.equal('InvalidDefinition');
        expect(await refusal('UpdateStateMachine', { stateMachineArn: standard, definition })).to.equal('InvalidDefinition');
      });

      it('refuses TestState\'s JSON fields, each under its own error', async () => {
        const definition = JSON.stringify({ Type: 'Pass', End: true });
        expect(await refusal('TestState', { definition: `{"Type":"Pass","End":true,"Result":${brackets(depth)}}` })).to.equal('InvalidDefinition');
        expect(await refusal('TestState', { definition, input })).to.equal('InvalidExecutionInput');
        const task = JSON.stringify({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: {}, QueryLanguage: 'JSONata', End: true });
        expect(await refusal('TestState', { definition: task, mock: { result: input } })).to.equal('ValidationException');
        expect(await refusal('TestState', { definition, variables: input })).to.equal('ValidationException');
        expect(await refusal('TestState', { definition, context: input })).to.equal('ValidationException');
      });

      it('refuses a request body nested that deep with ValidationException', async () => {
        const text = `{"stateMachineArn":${JSON.stringify(standard)},"tags":${brackets(depth)}}`;
        expect(await refusal('StartExecution', undefined, text)).to.equal('ValidationException');
      });
    });
  }

  // After the refusals above (mocha runs nested suites in order).
  describe('then', () => {
    it('fails an execution whose States.StringToJson builds a value too deep (States.Runtime), and serves its history', async () => {
      const definition = pass({ Parameters: { 'v.$': 'States.StringToJson($.s)' } });
      const { stateMachineArn } = (await call('CreateStateMachine', { name: 'nesting-string-to-json', definition, roleArn })).body as { stateMachineArn: string };
      const s = brackets(3_000);
      const { executionArn } = (await call('StartExecution', { stateMachineArn, input: JSON.stringify({ s }) })).body as { executionArn: string };
      let described: Record<string, unknown> = {};
      for (let tries = 0; tries < 100; tries++) {
        described = (await call('DescribeExecution', { executionArn })).body;
        if (described.status !== 'RUNNING') break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(described).to.include({ status: 'FAILED', error: 'States.Runtime' });
      expect(described.cause).to.contain(`nested more than ${MAX_JSON_DEPTH} levels deep`);
      const history = await call('GetExecutionHistory', { executionArn });
      expect(history.status).to.equal(200);
      expect((history.body.events as { type: string }[]).at(-1)!.type).to.equal('ExecutionFailed');
    });

    it('runs an input at the limit, and keeps serving after every refusal', async () => {
      const atLimit = JSON.stringify(JSON.parse(`[${deepText(MAX_JSON_DEPTH - 2)}]`));
      const answer = await call('StartSyncExecution', { stateMachineArn: express, input: atLimit });
      expect(answer.body).to.include({ status: 'SUCCEEDED', output: atLimit });
      expect((await call('ListStateMachines', {})).status).to.equal(200);
      expect(internal).to.deep.equal([]);
    });
  });
});
