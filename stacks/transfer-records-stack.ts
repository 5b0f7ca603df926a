// The application as one Terraform stack, looping over the description in workflow/app.ts.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Construct } from 'constructs';
import { AssetType, Fn, Op, TerraformAsset, TerraformLocal, TerraformOutput, TerraformStack, TerraformVariable, type IResolvable } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity/index.js';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition/index.js';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region/index.js';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table/index.js';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy/index.js';
import { SqsQueueRedriveAllowPolicy } from '@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy/index.js';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function/index.js';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine/index.js';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration/index.js';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy/index.js';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block/index.js';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration/index.js';
import { APP, checkApplication, grantArns, queueTypeOf, resolveAttribute, type AttributeValues } from '../workflow/app.ts';
import { arns as arn, type ArnScope } from '../workflow/arns.ts';
import { LOG_LEVELS, QUEUE_TYPES, type Application, type BucketResource, type DataResource, type FunctionSpec, type QueueResource, type QueueType, type TableResource, type WorkflowSpec } from '../workflow/description.ts';
import { bundlePaths, deployedRoleName, DIST_DIR, FIFO_NAME_SUFFIX, functionNames, MAX_ROLE_NAME, resourceName, workflowNames } from '../workflow/names.ts';
import type { ResourceArns } from '../workflow/permissions.ts';
import { InvalidConfiguration, LOG_RETENTION_DAYS, QUEUE_VARIABLE, STACK_NAME, TERRAFORM_MIN_VERSION, namePrefix, queueType } from '../workflow/settings.ts';
import { configureBackend } from './backend.ts';
import { requireTerraformVersion, tidyHcl } from './hcl.ts';
import { denyInsecureTransport, permissionsPolicy, serviceTrustPolicy, stateMachineTrustPolicy, wildcardExceptions } from './iam.ts';
import { outputNames } from './outputs.ts';
import { REPO_ROOT } from './paths.ts';
import { readSharedConfig, resolveRegion } from './region.ts';

const TERRAFORM_CONSTRAINT = `>= ${TERRAFORM_MIN_VERSION}`;

/** Days after which S3 aborts a multipart upload never completed, and deletes its parts. */
export const ABORT_UPLOADS_AFTER_DAYS = 1;

/** A function's zip has not been built. */
export class BundleMissing extends Error {
  override name = 'BundleMissing';
}

export interface TransferRecordsStackProps {
  /** NAME_PREFIX, the region's variables (stacks/region.ts), TF_STATE_BUCKET and TF_STATE_REGION are read from here. */
  env?: NodeJS.ProcessEnv;
  /** The shared AWS config file's text, for a profile's region; read from disk by default. */
  sharedConfig?: () => string | undefined;
  /** The application to deploy; the repository's by default. */
  app?: Application;
  /** The folder holding each function's zip, `<name>.zip`; the one `make build` writes by default. */
  distDir?: string;
  /** The ASL templates, by workflow name; each workflow's own file by default. */
  definitionPaths?: Record<string, string>;
}

/** The Terraform variable choosing the queues' type; its default is QUEUE's value at synth. */
export const QUEUE_TYPE_VARIABLE = 'queue_type';

/** What the stack made of a data resource: its name, ARN and URL as Terraform references. */
interface Deployed {
  name: string;
  arn: string;
  url?: string;
}

/**
 * One Terraform stack holding the whole application: every data resource, every function with
 * its role and log group, every workflow's state machine with its role and log group. Every
 * name and setting comes from the description in workflow/; this file only wires them together.
 */
export class TransferRecordsStack extends TerraformStack {
  /** `var.queue_type == "fifo"`, which every queue setting and FIFO placeholder follows. */
  private readonly fifo: ReturnType<typeof Op.eq>;

  constructor(scope: Construct, id: string = STACK_NAME, props: TransferRecordsStackProps = {}) {
    super(scope, id);
    const env = props.env ?? process.env;
    const app = props.app ?? APP;
    const distDir = props.distDir ?? join(REPO_ROOT, DIST_DIR);
    // Validate every input before the first resource exists.
    checkApplication(app);
    const prefix = namePrefix(env);
    const awsRegion = resolveRegion(env, props.sharedConfig ?? (() => readSharedConfig(env))).region;
    // IAM names are global to the account: each region's deployment has roles of its own.
    const roleNames = new Map(
      [...app.functions.map((fn) => functionNames(prefix, fn).role), ...app.workflows.map((w) => workflowNames(prefix, w).role)].map((role) => [
        role,
        deployedRoleName(role, awsRegion),
      ]),
    );
    for (const name of roleNames.values()) {
      if (name.length > MAX_ROLE_NAME) {
        throw new InvalidConfiguration(`the role name ${name} exceeds IAM's ${MAX_ROLE_NAME} characters: shorten NAME_PREFIX "${prefix}"`);
      }
    }
    const zips = new Map(app.functions.map((fn) => [fn.name, bundlePaths(fn.name, distDir).zipFile]));
    for (const [name, zip] of zips) {
      if (!existsSync(zip)) throw new BundleMissing(`${zip}, the code of function ${name}, does not exist: run \`make build\` first`);
    }

    configureBackend(this, { env, prefix, region: awsRegion });
    new AwsProvider(this, 'aws', {
      region: awsRegion,
      defaultTags: [{ tags: { Project: STACK_NAME, ManagedBy: 'cdktf', NamePrefix: prefix } }],
    });
    const account = new DataAwsCallerIdentity(this, 'current');
    // Every ARN the stack builds takes these, so it holds in aws-cn and aws-us-gov as in aws.
    const where: ArnScope = {
      partition: new DataAwsPartition(this, 'partition').partition,
      region: new DataAwsRegion(this, 'region').region,
      account: account.accountId,
    };
    const outputs = outputNames(app);
    const queues = new TerraformVariable(this, QUEUE_TYPE_VARIABLE, {
      type: 'string',
      default: env[QUEUE_VARIABLE] ? queueType(env) : queueTypeOf(app),
      description: `The queues' type: ${QUEUE_TYPES.join(' or ')} (make deploy ${QUEUE_VARIABLE}=fifo)`,
      validation: [{ condition: `\${contains(${JSON.stringify(QUEUE_TYPES)}, var.${QUEUE_TYPE_VARIABLE})}`, errorMessage: `${QUEUE_TYPE_VARIABLE} must be ${QUEUE_TYPES.join(' or ')}.` }],
    });
    this.fifo = Op.eq(queues.stringValue, 'fifo');

    const data = new Map<string, Deployed>();
    for (const resource of app.resources) {
      data.set(resource.id, this.dataResource(resource, resourceName(prefix, resource), data));
      new TerraformOutput(this, outputs.resources[resource.id]!, { value: data.get(resource.id)!.url ?? data.get(resource.id)!.name });
    }

    const logGroups = new Map<string, CloudwatchLogGroup>();
    for (const fn of app.functions) {
      logGroups.set(fn.name, this.logGroup(`${fn.name}_log_group`, functionNames(prefix, fn).logGroup));
    }
    for (const workflow of app.workflows) {
      logGroups.set(workflow.name, this.logGroup(`${workflow.id}_log_group`, workflowNames(prefix, workflow).logGroup));
    }

    const stateMachineArn = (workflow: WorkflowSpec) => arn.stateMachine(where, workflowNames(prefix, workflow).stateMachine);
    const arnsOf = (functionArn?: (fn: FunctionSpec) => string): ResourceArns =>
      grantArns(app, {
        resource: (resource) => data.get(resource.id)!.arn,
        logGroup: (fn) => logGroups.get(fn.name)!.arn,
        // Built from names: a state machine's own policy may not reference the state machine.
        stateMachine: stateMachineArn,
        executions: (workflow) => arn.execution(where, workflowNames(prefix, workflow).stateMachine, '*'),
        eventsRule: (name) => arn.eventsRule(where, name),
        ...(functionArn ? { function: functionArn } : {}),
      });
    // The functions' own ARNs are not among them: each role's policy must exist before its function does.
    const dataArns = arnsOf();

    const values = (functions: Map<string, LambdaFunction>): AttributeValues => ({
      resource: (resource, attribute) => {
        const deployed = data.get(resource.id)!;
        return attribute === 'url' ? (deployed.url ?? deployed.name) : deployed[attribute];
      },
      function: (fn, attribute) => (attribute === 'arn' ? functions.get(fn.name)!.arn : functions.get(fn.name)!.functionName),
      workflow: (workflow, attribute) => (attribute === 'arn' ? stateMachineArn(workflow) : workflowNames(prefix, workflow).stateMachine),
      byQueueType: (choices: Record<QueueType, string>) => this.byQueueType(choices),
      partition: () => where.partition,
    });

    const functions = new Map<string, LambdaFunction>();
    for (const fn of app.functions) {
      const names = functionNames(prefix, fn);
      const bundle = new TerraformAsset(this, `${fn.name}_bundle`, { path: zips.get(fn.name)!, type: AssetType.FILE });
      const role = new IamRole(this, `${fn.name}_role`, {
        name: roleNames.get(names.role)!,
        description: `Runs ${names.function}. ${wildcardExceptions(fn.grants)}`.trim(),
        assumeRolePolicy: serviceTrustPolicy(this, `${fn.name}_trust`, 'lambda.amazonaws.com').json,
      });
      const rolePolicy = new IamRolePolicy(this, `${fn.name}_role_policy`, {
        name: roleNames.get(names.role)!,
        role: role.id,
        policy: permissionsPolicy(this, `${fn.name}_permissions`, fn.grants, dataArns).json,
      });
      const variables = Object.fromEntries(
        Object.entries(fn.environment).map(([name, attribute]) => [name, resolveAttribute(app, attribute, values(functions))]),
      );
      functions.set(
        fn.name,
        new LambdaFunction(this, `${fn.name}_function`, {
          functionName: names.function,
          role: role.arn,
          runtime: fn.runtime,
          handler: fn.handler,
          architectures: [fn.architecture],
          memorySize: fn.memorySize,
          timeout: fn.timeoutSeconds,
          filename: bundle.path,
          sourceCodeHash: Fn.filebase64sha256(bundle.path),
          environment: { variables: { ...variables, ...fn.constants } },
          tracingConfig: { mode: fn.tracingMode },
          // Lambda would otherwise create the log group itself, without retention, on first invocation;
          // active tracing needs the role's X-Ray grant in place when the function is created.
          dependsOn: [logGroups.get(fn.name)!, rolePolicy],
        }),
      );
      new TerraformOutput(this, outputs.functions[fn.name]!, { value: functions.get(fn.name)!.functionName });
    }

    const arns = arnsOf((fn) => functions.get(fn.name)!.arn);
    for (const workflow of app.workflows) {
      const names = workflowNames(prefix, workflow);
      const role = new IamRole(this, `${workflow.id}_role`, {
        name: roleNames.get(names.role)!,
        description: `Runs ${names.stateMachine}. ${wildcardExceptions(workflow.grants)}`.trim(),
        assumeRolePolicy: stateMachineTrustPolicy(this, `${workflow.id}_trust`, where).json,
      });
      const rolePolicy = new IamRolePolicy(this, `${workflow.id}_role_policy`, {
        name: roleNames.get(names.role)!,
        role: role.id,
        policy: permissionsPolicy(this, `${workflow.id}_permissions`, workflow.grants, arns).json,
      });
      const definition = new TerraformAsset(this, `${workflow.id}_definition`, {
        path: props.definitionPaths?.[workflow.name] ?? join(REPO_ROOT, workflow.definition),
        type: AssetType.FILE,
      });
      const templateVars = Object.fromEntries(
        Object.entries(workflow.placeholders).map(([name, attribute]) => [name, resolveAttribute(app, attribute, values(functions))]),
      );
      const stateMachine = new SfnStateMachine(this, workflow.id, {
        name: names.stateMachine,
        type: workflow.type,
        roleArn: role.arn,
        definition: Fn.templatefile(definition.path, templateVars),
        loggingConfiguration: {
          logDestination: `${logGroups.get(workflow.name)!.arn}:*`,
          ...this.logSettings(workflow),
        },
        tracingConfiguration: { enabled: true },
        // Step Functions checks log delivery permissions when the state machine is created.
        dependsOn: [rolePolicy],
      });
      new TerraformOutput(this, outputs.workflows[workflow.name]!, { value: stateMachine.arn });
    }
  }

  /**
   * A value by queue type, chosen by the variable. A non-empty choice is a local of its own:
   * written as a literal inside the conditional, cdktf would not escape the quotes it holds.
   */
  private byQueueType(choices: Record<QueueType, string>): string {
    const value = (type: QueueType) => {
      if (choices[type] === '') return '';
      const id = `${type}_${createHash('sha256').update(choices[type]).digest('hex').slice(0, 8)}`;
      return ((this.node.tryFindChild(id) as TerraformLocal | undefined) ?? new TerraformLocal(this, id, choices[type])).asString;
    };
    return Fn.conditional(this.fifo, value('fifo'), value('standard')) as string;
  }

  /**
   * A workflow's log level and whether its logs carry execution data, as Terraform variables
   * (`TF_VAR_<id>_log_level=ALL`) whose defaults are the description's: every message body
   * would otherwise go to CloudWatch Logs.
   */
  private logSettings(workflow: WorkflowSpec): { level: string; includeExecutionData: boolean | IResolvable } {
    const level = new TerraformVariable(this, `${workflow.id}_log_level`, {
      type: 'string',
      default: workflow.logLevel,
      description: `The log level of ${workflow.name}'s executions in CloudWatch Logs: ${LOG_LEVELS.join(', ')}`,
      validation: [
        {
          condition: `\${contains(${JSON.stringify(LOG_LEVELS)}, var.${workflow.id}_log_level)}`,
          errorMessage: `The log level must be one of ${LOG_LEVELS.join(', ')}.`,
        },
      ],
    });
    const data = new TerraformVariable(this, `${workflow.id}_log_execution_data`, {
      type: 'bool',
      default: workflow.includeExecutionData,
      description: `Whether ${workflow.name}'s logs carry each state's input and output (every message body)`,
    });
    return { level: level.stringValue, includeExecutionData: data.booleanValue };
  }

  private logGroup(id: string, name: string): CloudwatchLogGroup {
    return new CloudwatchLogGroup(this, id, { name, retentionInDays: LOG_RETENTION_DAYS });
  }

  private dataResource(resource: DataResource, name: string, data: Map<string, Deployed>): Deployed {
    switch (resource.kind) {
      case 'table':
        return this.table(resource, name);
      case 'queue':
        return this.queue(resource, name, data);
      case 'bucket':
        return this.bucket(resource, name);
    }
  }

  private table(resource: TableResource, name: string): Deployed {
    const table = new DynamodbTable(this, resource.id, {
      name,
      billingMode: resource.billingMode,
      hashKey: resource.hashKey,
      attribute: resource.attributes,
      serverSideEncryption: { enabled: true },
      pointInTimeRecovery: { enabled: true },
      ...(resource.ttlAttribute === undefined ? {} : { ttl: { attributeName: resource.ttlAttribute, enabled: true } }),
    });
    return { name: table.name, arn: table.arn };
  }

  private queue(resource: QueueResource, name: string, data: Map<string, Deployed>): Deployed {
    // checkApplication made sure the dead-letter queue comes first.
    const deadLetter = resource.redrive && data.get(resource.redrive.deadLetterQueue);
    const fifo = this.fifo;
    const queue = new SqsQueue(this, resource.id, {
      // The stack's queues take the variable's type, whatever the description's.
      name: `${name.endsWith(FIFO_NAME_SUFFIX) ? name.slice(0, -FIFO_NAME_SUFFIX.length) : name}${Fn.conditional(fifo, FIFO_NAME_SUFFIX, '')}`,
      fifoQueue: fifo,
      // Each message names its deduplication id (its record's MessageId): no content-based deduplication.
      contentBasedDeduplication: Fn.conditional(fifo, false, null),
      deduplicationScope: Fn.conditional(fifo, resource.fifo.deduplicationScope, null),
      fifoThroughputLimit: Fn.conditional(fifo, resource.fifo.throughputLimit, null),
      ...(resource.visibilityTimeoutSeconds === undefined ? {} : { visibilityTimeoutSeconds: resource.visibilityTimeoutSeconds }),
      messageRetentionSeconds: resource.messageRetentionSeconds,
      sqsManagedSseEnabled: true,
      ...(resource.redrive && deadLetter
        ? { redrivePolicy: Fn.jsonencode({ deadLetterTargetArn: deadLetter.arn, maxReceiveCount: resource.redrive.maxReceiveCount }) }
        : {}),
    });
    new SqsQueuePolicy(this, `${resource.id}_policy`, {
      queueUrl: queue.url,
      policy: denyInsecureTransport(this, `${resource.id}_tls_only`, 'sqs', [queue.arn]).json,
    });
    if (resource.redrive && deadLetter) {
      // A separate resource: set on the DLQ itself it would reference the queue that references it.
      new SqsQueueRedriveAllowPolicy(this, `${resource.redrive.deadLetterQueue}_redrive_allow`, {
        queueUrl: deadLetter.url!,
        redriveAllowPolicy: Fn.jsonencode({ redrivePermission: 'byQueue', sourceQueueArns: [queue.arn] }),
      });
    }
    return { name: queue.name, arn: queue.arn, url: queue.url };
  }

  private bucket(resource: BucketResource, name: string): Deployed {
    // S3 names are global to the partition: Terraform adds a unique suffix, and `<id>_name` outputs it.
    // force_destroy empties it on destroy: run data left from the last week would otherwise stop `make destroy`.
    const bucket = new S3Bucket(this, resource.id, { bucketPrefix: `${name}-`, forceDestroy: true });
    new S3BucketServerSideEncryptionConfigurationA(this, `${resource.id}_encryption`, {
      bucket: bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    const publicAccessBlock = new S3BucketPublicAccessBlock(this, `${resource.id}_public_access_block`, {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketPolicy(this, `${resource.id}_policy`, {
      bucket: bucket.id,
      policy: denyInsecureTransport(this, `${resource.id}_tls_only`, 's3', [bucket.arn, `${bucket.arn}/*`]).json,
      // S3 refuses a second change to the same bucket's access settings while one is in progress.
      dependsOn: [publicAccessBlock],
    });
    new S3BucketLifecycleConfiguration(this, `${resource.id}_lifecycle`, {
      bucket: bucket.id,
      rule: [
        ...(resource.expirationDays === undefined
          ? []
          : [{ id: 'expire', status: 'Enabled', filter: [{}], expiration: [{ days: resource.expirationDays }] }]),
        // The seed uploads key lists in parts: the parts of an upload it never completed cost storage until aborted.
        { id: 'abort-incomplete-uploads', status: 'Enabled', filter: [{}], abortIncompleteMultipartUpload: [{ daysAfterInitiation: ABORT_UPLOADS_AFTER_DAYS }] },
      ],
    });
    return { name: bucket.bucket, arn: bucket.arn };
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
