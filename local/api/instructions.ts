// What `make serve` prints: the endpoints, the shell lines that point the AWS CLI and the SDKs at
// them, and ready-to-paste `aws stepfunctions` commands. AWS CLI v1 (and v2 before 2.13) ignores
// AWS_ENDPOINT_URL_SFN, so each command carries its --endpoint-url.
import { executionArnOf } from '../../workflow/arns.ts';
import type { LocalEnvironment } from '../contracts.ts';
import { LOCAL_CREDENTIALS } from '../services/emulators.ts';
import { keepInstructions, shellLines } from '../host/keep.ts';
import type { ApiServer } from './server.ts';

/** The AWS CLI's (botocore's) switch that keeps StartSyncExecution and TestState off `sync-<host>`. */
export const NO_HOST_PREFIX = 'AWS_DISABLE_HOST_PREFIX_INJECTION';

/** The AWS CLI command that describes one execution on the endpoint. */
export function describeExecutionCommand(endpoint: string, executionArn: string): string {
  return `aws stepfunctions describe-execution --execution-arn ${executionArn} --endpoint-url ${endpoint}`;
}

/**
 * describeExecutionCommand as one line that needs no exported variables: the local keys and
 * region, and no host profile, which would take precedence over them.
 */
export function standaloneDescribeCommand(endpoint: string, executionArn: string, region: string): string {
  const { accessKeyId, secretAccessKey } = LOCAL_CREDENTIALS;
  return `env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey} AWS_DEFAULT_REGION=${region} ${describeExecutionCommand(endpoint, executionArn)}`;
}

export function stepFunctionsCommands(endpoint: string, workflowArn: string): string[] {
  const executionArn = executionArnOf(workflowArn, 'first-run');
  const at = `--endpoint-url ${endpoint}`;
  return [
    `aws stepfunctions list-state-machines ${at}`,
    `aws stepfunctions start-execution --state-machine-arn ${workflowArn} --name first-run --input '{"count": 3}' ${at}`,
    describeExecutionCommand(endpoint, executionArn),
    `aws stepfunctions get-execution-history --execution-arn ${executionArn} ${at}`,
  ];
}

/**
 * The state machines registered from the start, each with its role: the only roles that exist
 * offline, so create-state-machine needs one of them (any other is refused as AWS refuses a role
 * it cannot assume).
 */
function machineLines(machines: ApiServer['machines']): string[] {
  return machines.list().flatMap((machine) => [`  state machine ${machine.arn}`, `    role        ${machine.roleArn}`]);
}

export function serveInstructions(env: LocalEnvironment, server: Pick<ApiServer, 'endpoint' | 'workflowArn' | 'machines'>): string {
  const { endpoint } = server;
  return [
    '',
    `Step Functions  ${endpoint}  (AWS's JSON protocol; Ctrl-C stops it, aborting executions in flight)`,
    ...machineLines(server.machines),
    '  create-state-machine --role-arn takes one of these roles, with its grants, or a role of your own made',
    '  here with aws iam create-role and put-role-policy (same --endpoint-url); any other role is refused',
    '  (AccessDeniedException), as AWS refuses a role it cannot assume.',
    `SNS and EventBridge on the same port (aws sns|events … --endpoint-url ${endpoint}): topics with SQS`,
    '  subscriptions, rules with SQS targets; a state machine\'s sns:publish and events:putEvents reach them.',
    keepInstructions(env).replace(/^\n/, '').replace('The emulators are still running (Ctrl-C stops them):', 'Emulators:'),
    'For the SDKs and AWS CLI v2 (2.13 or later), also (and, for the AWS CLI\'s test-state and start-sync-execution,',
    'which would call sync-127.0.0.1, no host prefix; an SDK client takes disableHostPrefix: true):',
    ...shellLines({ envLines: [`AWS_ENDPOINT_URL_SFN=${endpoint}`, `${NO_HOST_PREFIX}=true`] })
      .slice(1)
      .map((line) => `  ${line}`),
    'With any AWS CLI, v1 included (AWS_DEFAULT_REGION set as above):',
    ...stepFunctionsCommands(endpoint, server.workflowArn).map((line) => `  ${line}`),
    '(make run TARGET=local starts an endpoint and emulators of its own; it does not use this one.)',
    '',
  ].join('\n');
}
