// What `--keep` prints: where the kept emulators are, the lines that point a shell at them,
// and ready-to-paste AWS CLI commands. AWS CLI v1, and v2 before 2.13, ignore the
// AWS_ENDPOINT_URL_* variables, so each command carries its --endpoint-url.
import type { LocalEnvironment } from '../contracts.ts';

/** The host's profile variables would take precedence over the exported keys, or name a profile that is not there. */
const PROFILE_VARIABLES = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE'];

/** Shell lines that set the variables of emulatorEnvironment() and drop the host's profile. */
export function shellLines(env: Pick<LocalEnvironment, 'envLines'>): string[] {
  return [`unset ${PROFILE_VARIABLES.join(' ')}`, ...env.envLines.map((line) => `export ${line}`)];
}

/** The description's tables and queues as they exist on the emulators; a queue with the dead-letter queue it redrives to. */
function localData(resources: LocalEnvironment['resources']) {
  const { app, data } = resources;
  const tables = app.resources.filter((r) => r.kind === 'table').map((r) => data[r.id]!);
  const deadLetterIds = new Set(app.resources.flatMap((r) => (r.kind === 'queue' && r.redrive ? [r.redrive.deadLetterQueue] : [])));
  const queues = app.resources.flatMap((r) =>
    r.kind === 'queue' && !deadLetterIds.has(r.id)
      ? [{ url: data[r.id]!.url!, deadLetterUrl: r.redrive ? data[r.redrive.deadLetterQueue]!.url : undefined }]
      : [],
  );
  return { tables, queues };
}

/** The application's buckets on the S3 emulator. */
function buckets(resources: LocalEnvironment['resources']): string[] {
  return resources.app.resources.filter((r) => r.kind === 'bucket').map((r) => resources.data[r.id]!.name);
}

/** AWS CLI commands that read what the run left: each table, each queue's counts, its messages; and make a bucket of one's own. */
function cliCommands(env: Pick<LocalEnvironment, 'endpoints' | 'resources'>): string[] {
  const { endpoints } = env;
  const { tables, queues } = localData(env.resources);
  return [
    ...tables.map((table) => `aws dynamodb scan --table-name ${table.name} --endpoint-url ${endpoints.dynamodb}`),
    ...queues.flatMap((queue) => [
      `aws sqs get-queue-attributes --queue-url ${queue.url} --attribute-names All --endpoint-url ${endpoints.sqs}`,
      `aws sqs receive-message --queue-url ${queue.url} --max-number-of-messages 10 --endpoint-url ${endpoints.sqs}`,
    ]),
    ...(endpoints.s3 === undefined
      ? []
      : [`aws s3 mb s3://my-bucket --endpoint-url ${endpoints.s3}`, `aws s3 cp ./items.csv s3://my-bucket/items.csv --endpoint-url ${endpoints.s3}`]),
  ];
}

/** The whole text --keep prints on stderr. */
export function keepInstructions(env: Pick<LocalEnvironment, 'endpoints' | 'resources' | 'envLines'>): string {
  const { endpoints } = env;
  const { tables, queues } = localData(env.resources);
  return [
    '',
    'The emulators are still running (Ctrl-C stops them):',
    ...tables.map((table) => `  DynamoDB  ${endpoints.dynamodb}  table ${table.name}`),
    ...queues.flatMap((queue) => [
      `  SQS       ${endpoints.sqs}  queue ${queue.url}`,
      ...(queue.deadLetterUrl === undefined ? [] : [`            dead-letter queue ${queue.deadLetterUrl}`]),
    ]),
    ...(endpoints.s3 === undefined ? [] : [`  S3        ${endpoints.s3}  buckets ${buckets(env.resources).join(', ')} (aws s3 mb makes more)`]),
    'Paste these lines into a shell to reach them with the AWS CLI or an SDK:',
    ...shellLines(env).map((line) => `  ${line}`),
    'then, with any AWS CLI (v1 too), for example:',
    ...cliCommands(env).map((line) => `  ${line}`),
    '(receive-message counts toward the queue\'s redrive to the dead-letter queue, as on AWS.)',
    '',
  ].join('\n');
}
