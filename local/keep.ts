// What `--keep` prints: where the kept emulators are, the lines that point a shell at them,
// and ready-to-paste AWS CLI commands. AWS CLI v1, and v2 before 2.13, ignore the
// AWS_ENDPOINT_URL_* variables, so each command carries its --endpoint-url.
import type { LocalEnvironment } from './contracts.ts';

/** The host's profile variables would take precedence over the exported keys, or name a profile that is not there. */
const PROFILE_VARIABLES = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE'];

/** Shell lines that set the variables of emulatorEnvironment() and drop the host's profile. */
export function shellLines(env: Pick<LocalEnvironment, 'envLines'>): string[] {
  return [`unset ${PROFILE_VARIABLES.join(' ')}`, ...env.envLines.map((line) => `export ${line}`)];
}

/** AWS CLI commands that read what the run left: the table, the queue's counts, its messages. */
function cliCommands(env: Pick<LocalEnvironment, 'endpoints' | 'resources'>): string[] {
  const { endpoints, resources } = env;
  return [
    `aws dynamodb scan --table-name ${resources.names.table} --endpoint-url ${endpoints.dynamodb}`,
    `aws sqs get-queue-attributes --queue-url ${resources.queueUrl} --attribute-names All --endpoint-url ${endpoints.sqs}`,
    `aws sqs receive-message --queue-url ${resources.queueUrl} --max-number-of-messages 10 --endpoint-url ${endpoints.sqs}`,
  ];
}

/** The whole text --keep prints on stderr. */
export function keepInstructions(env: Pick<LocalEnvironment, 'endpoints' | 'resources' | 'envLines'>): string {
  const { endpoints, resources } = env;
  return [
    '',
    'The emulators are still running (Ctrl-C stops them):',
    `  DynamoDB  ${endpoints.dynamodb}  table ${resources.names.table}`,
    `  SQS       ${endpoints.sqs}  queue ${resources.queueUrl}`,
    `            dead-letter queue ${resources.deadLetterQueueUrl}`,
    'Paste these lines into a shell to reach them with the AWS CLI or an SDK:',
    ...shellLines(env).map((line) => `  ${line}`),
    'then, with any AWS CLI (v1 too), for example:',
    ...cliCommands(env).map((line) => `  ${line}`),
    '(receive-message counts toward the queue\'s redrive to the dead-letter queue, as on AWS.)',
    '',
  ].join('\n');
}
