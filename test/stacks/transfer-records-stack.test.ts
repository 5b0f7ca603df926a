import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { expect } from 'chai';
import { tableNameFromEnv } from '../../functions/seed/config.ts';
import { DEFAULT_REGION, LOG_RETENTION_DAYS, MAX_PREFIX_LENGTH, STACK_NAME, TERRAFORM_MIN_VERSION } from '../../workflow/settings.ts';
import { QUEUE, SEED_FUNCTION, TABLE, TRANSFER_RECORDS } from '../../workflow/transfer-records.ts';
import { KEY_LIST_PREFIX, RUN_BUCKET, TRANSFER_RECORDS_AT_SCALE } from '../../workflow/transfer-records-at-scale.ts';
import { deployedRoleName, workflowNames } from '../../workflow/names.ts';
import { resourceNames } from '../fixtures/names.ts';
import { placeholdersIn } from '../../workflow/template.ts';
import { BundleMissing, TransferRecordsStack } from '../../stacks/transfer-records-stack.ts';
import { REPO_ROOT } from '../../stacks/paths.ts';
import { addressOf, all, ARN_SCOPE, fullSynth, leavesNoTempFolder, LOG_DELIVERY_ACTIONS, newStack, ref, single, synth, testApp, XRAY_ACTIONS, type Block, type Synthesized } from './synth.ts';

const definitionText = readFileSync(join(REPO_ROOT, TRANSFER_RECORDS.definition), 'utf8');

/** The end of a queue's name in the HCL: `.fifo` when var.queue_type is fifo. */
const FIFO_SUFFIX_EXPRESSION = '${(var.queue_type == "fifo") ? ".fifo" : ""}';

interface TemplatefileCall {
  path: string;
  vars: Record<string, string>;
}

/** Reads `${templatefile("path", {"Name" = expression, ...})}` back into its parts. */
function parseTemplatefile(expression: unknown): TemplatefileCall {
  const match = /^\$\{templatefile\("([^"]+)", \{(.*)\}\)\}$/.exec(String(expression));
  if (!match) throw new Error(`not a templatefile() call: ${String(expression)}`);
  const vars: Record<string, string> = {};
  for (const pair of match[2]!.split(', ')) {
    const [name, value] = pair.split(' = ') as [string, string];
    vars[JSON.parse(name) as string] = value;
  }
  return { path: match[1]!, vars };
}

/** The classic workflow's state machine; transfer-records-at-scale's has its own test file. */
function classicMachine(synthesized: Synthesized): { address: string; body: Block } {
  const address = `aws_sfn_state_machine.${TRANSFER_RECORDS.id}`;
  return { address, body: all(synthesized.resource, 'aws_sfn_state_machine').get(address)! };
}

describe('TransferRecordsStack', () => {
  leavesNoTempFolder();
  let stack: Synthesized;

  before(() => {
    stack = synth();
  });

  describe('resources', () => {
    it('configures the AWS provider with the region and the default tags', () => {
      expect(stack.provider.aws).to.deep.equal([
        {
          region: DEFAULT_REGION,
          default_tags: [{ tags: { Project: STACK_NAME, ManagedBy: 'cdktf', NamePrefix: 'transfer-records' } }],
        },
      ]);
      expect(synth({ AWS_REGION: 'eu-west-3' }).provider.aws[0]!.region).to.equal('eu-west-3');
    });

    it('creates an on-demand, encrypted table keyed by MessageId (S) with point-in-time recovery', () => {
      expect(
        Testing.toHaveResourceWithProperties(stack.json, 'aws_dynamodb_table', {
          name: 'transfer-records-table',
          billing_mode: 'PAY_PER_REQUEST',
          hash_key: 'MessageId',
          attribute: [{ name: 'MessageId', type: 'S' }],
          server_side_encryption: { enabled: true },
          point_in_time_recovery: { enabled: true },
        }),
      ).to.be.true;
    });

    it('expires items through DynamoDB TTL on the attribute the seed function writes', () => {
      const table = single(stack.resource, 'aws_dynamodb_table').body;
      expect(table.ttl).to.deep.equal({ attribute_name: TABLE.ttlAttribute, enabled: true });
    });

    it(`requires Terraform ${TERRAFORM_MIN_VERSION} or later, which S3-native state locking needs`, () => {
      expect((stack.terraform as { required_version?: string }).required_version).to.equal(`>= ${TERRAFORM_MIN_VERSION}`);
    });

    it('creates an SSE-SQS queue that redrives to an SSE-SQS dead-letter queue', () => {
      const queues = all(stack.resource, 'aws_sqs_queue');
      expect(queues.size).to.equal(2);
      const [queueAddress, queue] = [...queues].find(([, body]) => body.redrive_policy !== undefined)!;
      const [dlqAddress, dlq] = [...queues].find(([address]) => address !== queueAddress)!;
      expect(queue.sqs_managed_sse_enabled).to.be.true;
      expect(dlq.sqs_managed_sse_enabled).to.be.true;
      expect(dlq.redrive_policy).to.be.undefined;
      expect(queue.redrive_policy).to.equal(
        `\${jsonencode({"deadLetterTargetArn" = ${dlqAddress}.arn, "maxReceiveCount" = ${QUEUE.redrive.maxReceiveCount}})}`,
      );
      const allow = single(stack.resource, 'aws_sqs_queue_redrive_allow_policy').body;
      expect(allow.queue_url).to.equal(ref(dlqAddress, 'url'));
      expect(allow.redrive_allow_policy).to.equal(
        `\${jsonencode({"redrivePermission" = "byQueue", "sourceQueueArns" = [${queueAddress}.arn]})}`,
      );
    });

    it('deploys the seed function from the bundle on nodejs22.x, arm64, with TABLE_NAME set to the table', () => {
      const fn = single(stack.resource, 'aws_lambda_function').body;
      const table = single(stack.resource, 'aws_dynamodb_table').address;
      expect(fn).to.include({
        runtime: 'nodejs22.x',
        handler: 'index.handler',
        memory_size: SEED_FUNCTION.memorySize,
        timeout: SEED_FUNCTION.timeoutSeconds,
      });
      expect(fn.architectures).to.deep.equal(['arm64']);
      expect(fn.filename).to.match(/^assets\/[^"]+\/seed\.zip$/);
      expect(fn.source_code_hash).to.equal(`\${filebase64sha256("${String(fn.filename)}")}`);
      const variables = (fn.environment as { variables: Record<string, string> }).variables;
      expect(variables).to.deep.equal({ TABLE_NAME: ref(table, 'name'), NODE_OPTIONS: '--enable-source-maps' });
      // The function reads its table from exactly the variable the stack sets.
      expect(tableNameFromEnv(variables)).to.equal(ref(table, 'name'));
    });

    it('gives the function its own log group with retention, created before the function', () => {
      const fn = single(stack.resource, 'aws_lambda_function').body;
      const groups = [...all(stack.resource, 'aws_cloudwatch_log_group')];
      const [address, group] = groups.find(([, body]) => body.name === `/aws/lambda/${String(fn.function_name)}`)!;
      expect(group.retention_in_days).to.equal(LOG_RETENTION_DAYS);
      expect(fn.depends_on).to.include(address);
    });

    it('traces the function with X-Ray, created after the role policy that lets it write traces', () => {
      const fn = single(stack.resource, 'aws_lambda_function').body;
      expect(fn.tracing_config).to.deep.equal({ mode: 'Active' });
      const [policy] = [...all(stack.resource, 'aws_iam_role_policy')].find(([, body]) => body.role === ref(addressOf(fn.role, 'arn'), 'id'))!;
      expect(fn.depends_on).to.include(policy);
    });

    it('creates a STANDARD state machine with tracing, logging at the level of its variables to its own log group', () => {
      const machine = classicMachine(stack).body;
      expect(machine.type).to.equal('STANDARD');
      expect(machine.tracing_configuration).to.deep.equal({ enabled: true });
      const logging = machine.logging_configuration as Block;
      expect(logging).to.include({
        level: `\${var.${TRANSFER_RECORDS.id}_log_level}`,
        include_execution_data: `\${var.${TRANSFER_RECORDS.id}_log_execution_data}`,
      });
      const group = [...all(stack.resource, 'aws_cloudwatch_log_group')].find(
        ([candidate]) => logging.log_destination === `${ref(candidate, 'arn')}:*`,
      )![1];
      // Step Functions log delivery needs the /aws/vendedlogs/ prefix.
      expect(group.name).to.match(/^\/aws\/vendedlogs\/states\//);
      expect(group.retention_in_days).to.equal(LOG_RETENTION_DAYS);
    });

    it('injects the ASL file through templatefile(), with the function ARN, table name, queue URL and the partition', () => {
      const machine = classicMachine(stack).body;
      const call = parseTemplatefile(machine.definition);
      expect(call.path).to.match(/^assets\/.+\/transfer-records\.asl\.json$/);
      expect(Object.keys(call.vars)).to.have.members(placeholdersIn(definitionText));
      const fn = single(stack.resource, 'aws_lambda_function').address;
      const table = single(stack.resource, 'aws_dynamodb_table').address;
      const queue = [...all(stack.resource, 'aws_sqs_queue')].find(([, body]) => body.redrive_policy)![0];
      expect(call.vars).to.deep.equal({
        SeedFunctionArn: `${fn}.arn`,
        TableName: `${table}.name`,
        QueueUrl: `${queue}.url`,
        // From data.aws_partition: a service integration's ARN holds in aws-cn and aws-us-gov too.
        Partition: 'data.aws_partition.partition.partition',
        // Spliced in only when var.queue_type is fifo: a local holding the FIFO parameters.
        FifoSendParameters: call.vars.FifoSendParameters,
      });
      expect(call.vars.FifoSendParameters).to.match(/^\(var\.queue_type == "fifo"\) \? local\.fifo_[0-9a-f]{8} : ""$/);
    });

    it('copies the ASL file unchanged beside the synthesized configuration', () => {
      const outdir = fullSynth(newStack());
      const machine = classicMachine(stack).body;
      const copied = join(outdir, 'stacks', STACK_NAME, parseTemplatefile(machine.definition).path);
      expect(existsSync(copied)).to.be.true;
      expect(readFileSync(copied, 'utf8')).to.equal(definitionText);
    });

    // The AWS run client reads these names with `terraform output -json`.
    it('outputs the state machine ARN, table name, queue URL, DLQ URL and function name', () => {
      const machine = classicMachine(stack).address;
      const table = single(stack.resource, 'aws_dynamodb_table').address;
      const fn = single(stack.resource, 'aws_lambda_function').address;
      expect(stack.output).to.deep.equal({
        state_machine_arn: { value: ref(machine, 'arn') },
        table_name: { value: ref(table, 'name') },
        queue_url: { value: ref('aws_sqs_queue.queue', 'url') },
        dead_letter_queue_url: { value: ref('aws_sqs_queue.dead_letter_queue', 'url') },
        seed_function_name: { value: ref(fn, 'function_name') },
        at_scale_state_machine_arn: { value: ref(`aws_sfn_state_machine.${TRANSFER_RECORDS_AT_SCALE.id}`, 'arn') },
        run_bucket_name: { value: ref(`aws_s3_bucket.${RUN_BUCKET.id}`, 'bucket') },
      });
    });
  });

  describe('IAM', () => {
    // What each service call needs, derived from the workflow's own sources rather than from
    // workflow/permissions.ts, which is what is being checked.
    interface State {
      Type: string;
      Resource?: string;
      Parameters?: Record<string, unknown>;
      States?: Record<string, State>;
      Iterator?: { States: Record<string, State> };
      ItemProcessor?: { States: Record<string, State> };
      Branches?: { States: Record<string, State> }[];
    }

    function tasks(states: Record<string, State>): State[] {
      return Object.values(states).flatMap((state) => [
        ...(state.Type === 'Task' ? [state] : []),
        ...tasks(state.Iterator?.States ?? {}),
        ...tasks(state.ItemProcessor?.States ?? {}),
        ...(state.Branches ?? []).flatMap((branch) => tasks(branch.States)),
      ]);
    }

    /** arn:${Partition}:states:::lambda:invoke -> lambda:InvokeFunction; …:sqs:sendMessage -> sqs:SendMessage. */
    function iamAction(resource: string): string {
      const match = /^arn:\$\{Partition\}:states:::([a-z0-9-]+):([A-Za-z]+)(?:\.sync|\.waitForTaskToken)?$/.exec(resource);
      if (!match) throw new Error(`unexpected Task resource ${resource}`);
      const [, service, api] = match as unknown as [string, string, string];
      if (service === 'lambda' && api === 'invoke') return 'lambda:InvokeFunction';
      return `${service}:${api[0]!.toUpperCase()}${api.slice(1)}`;
    }

    /** The placeholder a Task's parameters name its target with, e.g. "${TableName}" -> TableName. */
    function targetPlaceholder(task: State): string {
      // A FIFO splice (a value by queue type) names no target.
      const names = placeholdersIn(JSON.stringify(task.Parameters ?? {})).filter((name) => !('byQueueType' in TRANSFER_RECORDS.placeholders[name]!));
      if (names.length !== 1) throw new Error(`expected one placeholder in ${task.Resource}'s parameters, found ${names.join(', ')}`);
      return names[0]!;
    }

    /** `*Command` classes the seed function's sources import from the DynamoDB client. */
    function seedDynamoDbCommands(): string[] {
      const dir = join(REPO_ROOT, 'functions', 'seed');
      const sources = readdirTs(dir).map((file) => readFileSync(join(dir, file), 'utf8'));
      const commands = sources.flatMap((source) =>
        [...source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-dynamodb'/g)].flatMap((match) =>
          match[1]!
            .split(',')
            .map((name) => name.trim())
            .filter((name) => !name.startsWith('type ') && name.endsWith('Command')),
        ),
      );
      return [...new Set(commands)];
    }

    function readdirTs(dir: string): string[] {
      return readdirSync(dir).filter((file) => file.endsWith('.ts'));
    }

    /** The statements of the inline policy attached to a role, as (action, resource) pairs. */
    function grantedPairs(roleAddress: string): string[] {
      const policies = [...all(stack.resource, 'aws_iam_role_policy')].filter(
        ([, body]) => body.role === ref(roleAddress, 'id'),
      );
      expect(policies, `one policy on ${roleAddress}`).to.have.length(1);
      const document = addressOf(policies[0]![1].policy, 'json');
      const statements = all(stack.data, 'aws_iam_policy_document', 'data.').get(document)!.statement as {
        effect: string;
        actions: string[];
        resources: string[];
      }[];
      return statements.flatMap((statement) => {
        expect(statement.effect).to.equal('Allow');
        return statement.actions.flatMap((action) => statement.resources.map((resource) => `${action} on ${resource}`));
      });
    }

    function roleOf(reference: unknown): string {
      return addressOf(reference, 'arn');
    }

    function trustOf(roleAddress: string): Block {
      const role = all(stack.resource, 'aws_iam_role').get(roleAddress)!;
      const document = addressOf(role.assume_role_policy, 'json');
      return (all(stack.data, 'aws_iam_policy_document', 'data.').get(document)!.statement as Block[])[0]!;
    }


    it('lets the state machine role do exactly what the ASL tasks, logging and X-Ray need', () => {
      const machine = classicMachine(stack).body;
      const vars = parseTemplatefile(machine.definition).vars;
      const asl = JSON.parse(definitionText) as { States: Record<string, State> };
      const taskPairs = tasks(asl.States).map((task) => {
        // The IAM resource is the ARN of the resource the placeholder's value references.
        const target = vars[targetPlaceholder(task)]!.replace(/\.[a-z_]+$/, '');
        return `${iamAction(task.Resource!)} on ${ref(target, 'arn')}`;
      });
      expect(taskPairs).to.include.members([
        'lambda:InvokeFunction on ${aws_lambda_function.seed_function.arn}',
        'dynamodb:GetItem on ${aws_dynamodb_table.table.arn}',
        'sqs:SendMessage on ${aws_sqs_queue.queue.arn}',
      ]);
      const expected = [
        ...taskPairs,
        ...LOG_DELIVERY_ACTIONS.map((action) => `${action} on *`),
        ...XRAY_ACTIONS.map((action) => `${action} on *`),
      ];
      expect(grantedPairs(roleOf(machine.role_arn))).to.have.members([...new Set(expected)]);
    });

    it('lets the seed role write its own log streams and X-Ray traces and batch-write this table only', () => {
      const fn = single(stack.resource, 'aws_lambda_function').body;
      const commands = seedDynamoDbCommands();
      expect(commands).to.include('BatchWriteItemCommand');
      const table = addressOf((fn.environment as { variables: Record<string, string> }).variables.TABLE_NAME, 'name');
      const logGroup = [...all(stack.resource, 'aws_cloudwatch_log_group')].find(
        ([, body]) => body.name === `/aws/lambda/${String(fn.function_name)}`,
      )![0];
      const expected = [
        ...commands.map((command) => `dynamodb:${command.replace(/Command$/, '')} on ${ref(table, 'arn')}`),
        `logs:CreateLogStream on ${ref(logGroup, 'arn')}:*`,
        `logs:PutLogEvents on ${ref(logGroup, 'arn')}:*`,
        'xray:PutTraceSegments on *',
        'xray:PutTelemetryRecords on *',
        // The at-scale mode's key list, as one object or a multipart upload.
        `s3:PutObject on ${ref(`aws_s3_bucket.${RUN_BUCKET.id}`, 'arn')}/${KEY_LIST_PREFIX}*`,
        `s3:AbortMultipartUpload on ${ref(`aws_s3_bucket.${RUN_BUCKET.id}`, 'arn')}/${KEY_LIST_PREFIX}*`,
      ];
      expect(grantedPairs(roleOf(fn.role))).to.have.members(expected);
      const description = String(all(stack.resource, 'aws_iam_role').get(roleOf(fn.role))!.description);
      expect(description).to.include('WriteTraces: X-Ray supports no resource-level permissions');
    });

    it('grants no wildcard action and documents each resource "*" on the role', () => {
      for (const document of all(stack.data, 'aws_iam_policy_document', 'data.').values()) {
        // The TLS-only resource policies deny `<service>:*`, as AWS documents them; they grant nothing.
        for (const statement of (document.statement as { effect?: string; actions: string[] }[]).filter((s) => s.effect !== 'Deny')) {
          for (const action of statement.actions) expect(action).to.not.include('*');
        }
      }
      const machine = classicMachine(stack).body;
      const description = String(all(stack.resource, 'aws_iam_role').get(roleOf(machine.role_arn))!.description);
      expect(description).to.include('DeliverExecutionLogs: ').and.to.include('WriteTraces: ');
    });

    it('lets only Lambda assume the seed role, and only Step Functions for this account assume the state machine role', () => {
      const fn = single(stack.resource, 'aws_lambda_function').body;
      const machine = classicMachine(stack).body;
      expect(trustOf(roleOf(fn.role))).to.deep.equal({
        actions: ['sts:AssumeRole'],
        effect: 'Allow',
        principals: [{ identifiers: ['lambda.amazonaws.com'], type: 'Service' }],
      });
      // AWS's confused-deputy protection for Step Functions: the source ARN and the source account.
      const { partition, region, account } = ARN_SCOPE;
      expect(trustOf(roleOf(machine.role_arn))).to.deep.equal({
        actions: ['sts:AssumeRole'],
        effect: 'Allow',
        principals: [{ identifiers: ['states.amazonaws.com'], type: 'Service' }],
        condition: [
          { test: 'ArnLike', variable: 'aws:SourceArn', values: [`arn:${partition}:states:${region}:${account}:stateMachine:*`] },
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: [account] },
        ],
      });
    });

    it('creates the state machine after its role policy, which Step Functions checks for log delivery', () => {
      const machine = classicMachine(stack).body;
      const policy = [...all(stack.resource, 'aws_iam_role_policy')].find(
        ([, body]) => body.role === ref(roleOf(machine.role_arn), 'id'),
      )![0];
      expect(machine.depends_on).to.deep.equal([policy]);
    });
  });

  describe('configuration', () => {
    function names(synthesized: Synthesized): string[] {
      const resource = synthesized.resource;
      return [
        ...[...all(resource, 'aws_dynamodb_table').values()].map((body) => body.name),
        // A queue's name ends in .fifo when var.queue_type says so.
        ...[...all(resource, 'aws_sqs_queue').values()].map((body) => String(body.name).replace(FIFO_SUFFIX_EXPRESSION, '')),
        ...[...all(resource, 'aws_lambda_function').values()].map((body) => body.function_name),
        ...[...all(resource, 'aws_iam_role').values()].map((body) => body.name),
        ...[...all(resource, 'aws_iam_role_policy').values()].map((body) => body.name),
        ...[...all(resource, 'aws_cloudwatch_log_group').values()].map((body) => body.name),
        ...[...all(resource, 'aws_sfn_state_machine').values()].map((body) => body.name),
      ].map(String);
    }

    it('derives every name from NAME_PREFIX', () => {
      const other = synth({ NAME_PREFIX: 'second-copy' });
      const expected = resourceNames('second-copy');
      // Each role's inline policy is named after its role.
      const atScale = workflowNames('second-copy', TRANSFER_RECORDS_AT_SCALE);
      // On AWS, IAM roles (and their policies) carry the region too.
      const roles = new Set([expected.seedRole, expected.stateMachineRole, atScale.role]);
      expect(names(other)).to.have.members(
        [...Object.values(expected), expected.seedRole, expected.stateMachineRole, ...Object.values(atScale), atScale.role].map((name) =>
          roles.has(name) ? deployedRoleName(name, DEFAULT_REGION) : name,
        ),
      );
      for (const name of names(other)) expect(name).to.include('second-copy').and.not.include('transfer-records');
      expect(names(stack).filter((name) => names(other).includes(name))).to.deep.equal([]);
      expect((other.provider.aws[0]!.default_tags as { tags: Block }[])[0]!.tags.NamePrefix).to.equal('second-copy');
    });

    it('rejects an invalid NAME_PREFIX with InvalidConfiguration', () => {
      for (const prefix of ['Upper', '9starts-with-digit', 'under_score', '', 'x'.repeat(MAX_PREFIX_LENGTH + 1)]) {
        expect(() => newStack({ NAME_PREFIX: prefix }), prefix).to.throw().with.property('name', 'InvalidConfiguration');
      }
    });

    it('throws BundleMissing, naming make build, when the zip has not been built', () => {
      const build = () =>
        new TransferRecordsStack(testApp(), STACK_NAME, { env: {}, distDir: join(REPO_ROOT, 'no-such-dir') });
      expect(build).to.throw(BundleMissing, /make build/).with.property('name', 'BundleMissing');
    });

    it('keeps state locally unless TF_STATE_BUCKET is set, then in S3 with a lock file', () => {
      expect(Object.keys(stack.terraform.backend)).to.deep.equal(['local']);
      const remote = synth({ TF_STATE_BUCKET: 'team-state', NAME_PREFIX: 'second-copy', AWS_REGION: 'eu-west-1' });
      expect(remote.terraform.backend).to.deep.equal({
        s3: { bucket: 'team-state', key: 'second-copy/eu-west-1/terraform.tfstate', region: 'eu-west-1', encrypt: true, use_lockfile: true },
      });
    });
  });

  describe('HCL', () => {
    it('renders references and depends_on without quotes, and the definition as templatefile()', () => {
      const hcl = String(Testing.synthHcl(newStack()));
      expect(hcl).to.match(/^\s*definition = templatefile\("assets\/.+\/transfer-records\.asl\.json", \{/m);
      expect(hcl).to.match(/^\s*role_arn = aws_iam_role\.state_machine_role\.arn$/m);
      expect(hcl).to.match(/^\s*aws_iam_role_policy\.state_machine_role_policy,$/m);
      expect(hcl).to.not.match(/= "\$\{[^"]*\}"$/m);
    });

    it(`requires Terraform ${TERRAFORM_MIN_VERSION} in the terraform block, and nothing malformed beside it`, () => {
      const hcl = String(Testing.synthHcl(newStack()));
      const block = hcl.slice(hcl.indexOf('terraform {'), hcl.indexOf('provider "aws"'));
      expect(block).to.match(new RegExp(`^\\s*required_version = ">= ${TERRAFORM_MIN_VERSION.replace(/\./g, '\\.')}"$`, 'm'));
      expect(block).to.not.match(/^\s*\d+ = /m);
    });
  });
});
