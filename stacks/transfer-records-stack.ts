// The transfer-records workflow as one Terraform stack: table, queue with its dead-letter
// queue, the seed Lambda, the state machine, their roles and log groups. Every name and
// setting comes from workflow/; this file only wires them together.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Construct } from 'constructs';
import { AssetType, Fn, TerraformAsset, TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity/index.js';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table/index.js';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { SqsQueueRedriveAllowPolicy } from '@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy/index.js';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function/index.js';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine/index.js';
import {
  LOG_RETENTION_DAYS,
  QUEUE,
  SEED_FUNCTION,
  STACK_NAME,
  STATE_MACHINE,
  TABLE,
  TERRAFORM_MIN_VERSION,
  WORKFLOW_DEFINITION,
  namePrefix,
  region,
  resourceNames,
} from '../workflow/resources.ts';
import { SEED_ROLE_GRANTS, STATE_MACHINE_ROLE_GRANTS, type ResourceArns } from '../workflow/permissions.ts';
import type { TemplateVars } from '../workflow/template.ts';
import { configureBackend } from './backend.ts';
import { requireTerraformVersion, tidyHcl } from './hcl.ts';
import { permissionsPolicy, serviceTrustPolicy, wildcardExceptions } from './iam.ts';
import { OUTPUTS } from './outputs.ts';
import { REPO_ROOT } from './paths.ts';

const TERRAFORM_CONSTRAINT = `>= ${TERRAFORM_MIN_VERSION}`;

/** The seed function's zip has not been built. */
export class SeedBundleMissing extends Error {
  override name = 'SeedBundleMissing';
}

export interface TransferRecordsStackProps {
  /** NAME_PREFIX, AWS_REGION, TF_STATE_BUCKET and TF_STATE_REGION are read from here. */
  env?: NodeJS.ProcessEnv;
  /** The seed function's zip; defaults to the one `make build` writes. */
  seedZipPath?: string;
  /** The ASL template; defaults to the repository's. */
  definitionPath?: string;
}

export class TransferRecordsStack extends TerraformStack {
  constructor(scope: Construct, id: string = STACK_NAME, props: TransferRecordsStackProps = {}) {
    super(scope, id);
    const env = props.env ?? process.env;
    const seedZipPath = props.seedZipPath ?? join(REPO_ROOT, SEED_FUNCTION.zipFile);
    const definitionPath = props.definitionPath ?? join(REPO_ROOT, WORKFLOW_DEFINITION);
    // Validate every input before the first resource exists.
    const prefix = namePrefix(env);
    const awsRegion = region(env);
    if (!existsSync(seedZipPath)) {
      throw new SeedBundleMissing(`${seedZipPath} does not exist: run \`make build\` first`);
    }
    const names = resourceNames(prefix);

    configureBackend(this, { env, prefix, region: awsRegion });
    new AwsProvider(this, 'aws', {
      region: awsRegion,
      defaultTags: [{ tags: { Project: STACK_NAME, ManagedBy: 'cdktf', NamePrefix: prefix } }],
    });
    const account = new DataAwsCallerIdentity(this, 'current');

    const table = new DynamodbTable(this, 'table', {
      name: names.table,
      billingMode: TABLE.billingMode,
      hashKey: TABLE.hashKey,
      attribute: TABLE.attributes,
      serverSideEncryption: { enabled: true },
      pointInTimeRecovery: { enabled: true },
      ttl: { attributeName: TABLE.ttlAttribute, enabled: true },
    });

    const deadLetterQueue = new SqsQueue(this, 'dead_letter_queue', {
      name: names.deadLetterQueue,
      messageRetentionSeconds: QUEUE.deadLetterRetentionSeconds,
      sqsManagedSseEnabled: true,
    });
    const queue = new SqsQueue(this, 'queue', {
      name: names.queue,
      visibilityTimeoutSeconds: QUEUE.visibilityTimeoutSeconds,
      messageRetentionSeconds: QUEUE.messageRetentionSeconds,
      sqsManagedSseEnabled: true,
      redrivePolicy: Fn.jsonencode({
        deadLetterTargetArn: deadLetterQueue.arn,
        maxReceiveCount: QUEUE.maxReceiveCount,
      }),
    });
    // A separate resource: set on the DLQ itself it would reference the queue that references it.
    new SqsQueueRedriveAllowPolicy(this, 'dead_letter_queue_redrive_allow', {
      queueUrl: deadLetterQueue.url,
      redriveAllowPolicy: Fn.jsonencode({ redrivePermission: 'byQueue', sourceQueueArns: [queue.arn] }),
    });

    const seedLogGroup = new CloudwatchLogGroup(this, 'seed_log_group', {
      name: names.seedLogGroup,
      retentionInDays: LOG_RETENTION_DAYS,
    });
    const stateMachineLogGroup = new CloudwatchLogGroup(this, 'state_machine_log_group', {
      name: names.stateMachineLogGroup,
      retentionInDays: LOG_RETENTION_DAYS,
    });

    const seedBundle = new TerraformAsset(this, 'seed_bundle', { path: seedZipPath, type: AssetType.FILE });
    const seedRole = new IamRole(this, 'seed_role', {
      name: names.seedRole,
      description: `Runs ${names.seedFunction}. ${wildcardExceptions(SEED_ROLE_GRANTS)}`.trim(),
      assumeRolePolicy: serviceTrustPolicy(this, 'seed_trust', 'lambda.amazonaws.com').json,
    });
    // The function's own ARN is not among them: its role's policy must exist before it does.
    const dataArns = { table: table.arn, queue: queue.arn, seedLogStreams: `${seedLogGroup.arn}:*` };
    const seedRolePolicy = new IamRolePolicy(this, 'seed_role_policy', {
      name: names.seedRole,
      role: seedRole.id,
      policy: permissionsPolicy(this, 'seed_permissions', SEED_ROLE_GRANTS, dataArns).json,
    });
    const seedFunction = new LambdaFunction(this, 'seed_function', {
      functionName: names.seedFunction,
      role: seedRole.arn,
      runtime: SEED_FUNCTION.runtime,
      handler: SEED_FUNCTION.handler,
      architectures: [SEED_FUNCTION.architecture],
      memorySize: SEED_FUNCTION.memorySize,
      timeout: SEED_FUNCTION.timeoutSeconds,
      filename: seedBundle.path,
      sourceCodeHash: Fn.filebase64sha256(seedBundle.path),
      environment: {
        variables: { [SEED_FUNCTION.tableNameVariable]: table.name, NODE_OPTIONS: SEED_FUNCTION.nodeOptions },
      },
      tracingConfig: { mode: SEED_FUNCTION.tracingMode },
      // Lambda would otherwise create the log group itself, without retention, on first invocation;
      // active tracing needs the role's X-Ray grant in place when the function is created.
      dependsOn: [seedLogGroup, seedRolePolicy],
    });

    const arns: ResourceArns = { ...dataArns, seedFunction: seedFunction.arn };

    const stateMachineRole = new IamRole(this, 'state_machine_role', {
      name: names.stateMachineRole,
      description: `Runs ${names.stateMachine}. ${wildcardExceptions(STATE_MACHINE_ROLE_GRANTS)}`.trim(),
      assumeRolePolicy: serviceTrustPolicy(this, 'state_machine_trust', 'states.amazonaws.com', account.accountId)
        .json,
    });
    const stateMachineRolePolicy = new IamRolePolicy(this, 'state_machine_role_policy', {
      name: names.stateMachineRole,
      role: stateMachineRole.id,
      policy: permissionsPolicy(this, 'state_machine_permissions', STATE_MACHINE_ROLE_GRANTS, arns).json,
    });

    const definition = new TerraformAsset(this, 'definition', { path: definitionPath, type: AssetType.FILE });
    const templateVars: TemplateVars = {
      SeedFunctionArn: seedFunction.arn,
      TableName: table.name,
      QueueUrl: queue.url,
    };
    const stateMachine = new SfnStateMachine(this, 'state_machine', {
      name: names.stateMachine,
      type: STATE_MACHINE.type,
      roleArn: stateMachineRole.arn,
      definition: Fn.templatefile(definition.path, templateVars),
      loggingConfiguration: {
        logDestination: `${stateMachineLogGroup.arn}:*`,
        level: STATE_MACHINE.logLevel,
        includeExecutionData: STATE_MACHINE.includeExecutionData,
      },
      tracingConfiguration: { enabled: true },
      // Step Functions checks log delivery permissions when the state machine is created.
      dependsOn: [stateMachineRolePolicy],
    });

    new TerraformOutput(this, OUTPUTS.stateMachineArn, { value: stateMachine.arn });
    new TerraformOutput(this, OUTPUTS.tableName, { value: table.name });
    new TerraformOutput(this, OUTPUTS.queueUrl, { value: queue.url });
    new TerraformOutput(this, OUTPUTS.deadLetterQueueUrl, { value: deadLetterQueue.url });
    new TerraformOutput(this, OUTPUTS.seedFunctionName, { value: seedFunction.functionName });
  }

  // Set here rather than with addOverride, which cdktf 0.21 renders into HCL as `0 = "required_version"`.
  override toTerraform(): { [key: string]: unknown } {
    const rendered = super.toTerraform() as { terraform: Record<string, unknown> };
    return { ...rendered, terraform: { required_version: TERRAFORM_CONSTRAINT, ...rendered.terraform } };
  }

  override toHclTerraform(): { [key: string]: unknown } {
    const rendered = super.toHclTerraform();
    return { ...rendered, hcl: tidyHcl(requireTerraformVersion(String(rendered.hcl), TERRAFORM_CONSTRAINT)) };
  }
}
