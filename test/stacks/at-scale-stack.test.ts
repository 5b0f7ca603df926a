import { dirname } from 'node:path';
import { Testing } from 'cdktf';
import { expect } from 'chai';
import { TransferRecordsStack } from '../../stacks/transfer-records-stack.ts';
import { APP } from '../../workflow/app.ts';
import { STACK_NAME } from '../../workflow/settings.ts';
import { KEY_LIST_PREFIX, RESULTS_PREFIX, RUN_BUCKET, TRANSFER_RECORDS_AT_SCALE } from '../../workflow/transfer-records-at-scale.ts';
import { SEED_FUNCTION } from '../../workflow/transfer-records.ts';
import { addressOf, all, ARN_SCOPE, leavesNoTempFolder, LOG_DELIVERY_ACTIONS, ref, seedZipFixture, testApp, XRAY_ACTIONS, type Block, type Synthesized } from './synth.ts';

function synthAtScale(): Synthesized {
  const app = APP;
  const json = Testing.synth(new TransferRecordsStack(testApp(), STACK_NAME, { env: {}, app, distDir: dirname(seedZipFixture()), sharedConfig: () => undefined }));
  return { json, ...(JSON.parse(json) as Omit<Synthesized, 'json'>) };
}

describe('TransferRecordsStack with transfer-records-at-scale', () => {
  leavesNoTempFolder();
  let stack: Synthesized;
  const bucket = `aws_s3_bucket.${RUN_BUCKET.id}`;
  const machineAddress = `aws_sfn_state_machine.${TRANSFER_RECORDS_AT_SCALE.id}`;

  before(() => {
    stack = synthAtScale();
  });

  /** The (action, resource) pairs of the one inline policy on a role. */
  function grantedPairs(roleAddress: string): string[] {
    const policies = [...all(stack.resource, 'aws_iam_role_policy')].filter(([, body]) => body.role === ref(roleAddress, 'id'));
    expect(policies, `one policy on ${roleAddress}`).to.have.length(1);
    const document = addressOf(policies[0]![1].policy, 'json');
    const statements = all(stack.data, 'aws_iam_policy_document', 'data.').get(document)!.statement as { actions: string[]; resources: string[] }[];
    return statements.flatMap((statement) => statement.actions.flatMap((action) => statement.resources.map((resource) => `${action} on ${resource}`)));
  }

  it('creates the bucket encrypted, with public access blocked and run data expiring', () => {
    expect(all(stack.resource, 'aws_s3_bucket').has(bucket)).to.be.true;
    const of = (type: string) => [...all(stack.resource, type).values()].find((body) => body.bucket === ref(bucket, 'id'))!;
    expect(of('aws_s3_bucket_server_side_encryption_configuration').rule).to.deep.equal([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } },
    ]);
    expect(of('aws_s3_bucket_public_access_block')).to.include({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const rule = (of('aws_s3_bucket_lifecycle_configuration').rule as Block[])[0]!;
    expect(rule).to.include({ status: 'Enabled' });
    expect(rule.expiration).to.deep.equal([{ days: RUN_BUCKET.expirationDays }]);
  });

  it('creates a STANDARD state machine with every placeholder of its ASL filled, MaxConcurrency fixed', () => {
    const machine = all(stack.resource, 'aws_sfn_state_machine').get(machineAddress)!;
    expect(machine.type).to.equal('STANDARD');
    const definition = String(machine.definition);
    expect(definition).to.include('transfer-records-at-scale.asl.json');
    expect(definition).to.include(`"BucketName" = ${bucket}.bucket`);
    expect(definition).to.include('"MaxConcurrency" = "100"');
  });

  it('lets the at-scale role do exactly what its Map, its children, logging and X-Ray need, with no wildcard action', () => {
    const machine = all(stack.resource, 'aws_sfn_state_machine').get(machineAddress)!;
    const stateMachine = String(machine.name);
    const pairs = grantedPairs(addressOf(machine.role_arn, 'arn'));
    // Partition, region and account from the data sources: the grants hold in aws-cn and aws-us-gov too.
    const { partition, region, account } = ARN_SCOPE;
    const stateMachineArn = `arn:${partition}:states:${region}:${account}:stateMachine:${stateMachine}`;
    const objects = (prefix: string) => `${ref(bucket, 'arn')}/${prefix}*`;
    expect(pairs).to.have.members([
      `lambda:InvokeFunction on ${ref(`aws_lambda_function.${SEED_FUNCTION.name}_function`, 'arn')}`,
      `states:StartExecution on ${stateMachineArn}`,
      `states:DescribeExecution on arn:${partition}:states:${region}:${account}:execution:${stateMachine}/*`,
      `states:StopExecution on arn:${partition}:states:${region}:${account}:execution:${stateMachine}/*`,
      `s3:GetObject on ${objects(KEY_LIST_PREFIX)}`,
      ...['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'].map((a) => `${a} on ${objects(RESULTS_PREFIX)}`),
      `dynamodb:BatchGetItem on ${ref('aws_dynamodb_table.table', 'arn')}`,
      `sqs:SendMessage on ${ref('aws_sqs_queue.queue', 'arn')}`,
      ...[...LOG_DELIVERY_ACTIONS, ...XRAY_ACTIONS].map((action) => `${action} on *`),
    ]);
    for (const pair of pairs) expect(pair.split(' on ')[0]).to.not.include('*');
  });

  it('lets the seed role write key lists, as one object or a multipart upload, under their prefix only', () => {
    const fn = all(stack.resource, 'aws_lambda_function').get(`aws_lambda_function.${SEED_FUNCTION.name}_function`)!;
    const pairs = grantedPairs(addressOf(fn.role, 'arn'));
    const s3 = pairs.filter((pair) => pair.startsWith('s3:'));
    expect(s3).to.have.members([
      `s3:PutObject on ${ref(bucket, 'arn')}/${KEY_LIST_PREFIX}*`,
      `s3:AbortMultipartUpload on ${ref(bucket, 'arn')}/${KEY_LIST_PREFIX}*`,
    ]);
  });
});
