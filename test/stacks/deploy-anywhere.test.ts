// The stack deployed twice: in a second region or account, in another partition, by the
// region a profile names; and destroyed after an at-scale run. Each point read off the
// synthesized configuration (issues 21 and 15, part 6).
import { expect } from 'chai';
import { Testing } from 'cdktf';
import { ABORT_UPLOADS_AFTER_DAYS } from '../../stacks/transfer-records-stack.ts';
import { LOG_LEVELS } from '../../workflow/description.ts';
import { deployedRoleName } from '../../workflow/names.ts';
import { DEFAULT_REGION } from '../../workflow/settings.ts';
import { RUN_BUCKET, TRANSFER_RECORDS_AT_SCALE } from '../../workflow/transfer-records-at-scale.ts';
import { DEAD_LETTER_QUEUE, QUEUE, TRANSFER_RECORDS } from '../../workflow/transfer-records.ts';
import { addressOf, all, leavesNoTempFolder, newStack, ref, synth, type Block, type Synthesized } from './synth.ts';

const roleNames = (stack: Synthesized) => [...all(stack.resource, 'aws_iam_role').values()].map((role) => String(role.name));

function policyDocument(stack: Synthesized, reference: unknown): { statement: Block[] } {
  return all(stack.data, 'aws_iam_policy_document', 'data.').get(addressOf(reference, 'json')) as { statement: Block[] };
}

/** The statement a TLS-only policy must hold, for a service's resources. */
const denyWithoutTls = (service: string, resources: string[]) => ({
  sid: 'DenyInsecureTransport',
  effect: 'Deny',
  principals: [{ type: '*', identifiers: ['*'] }],
  actions: [`${service}:*`],
  resources,
  condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
});

describe('TransferRecordsStack, deployed anywhere, twice', () => {
  leavesNoTempFolder();
  let stack: Synthesized;

  before(() => {
    stack = synth();
  });

  describe('a second region in the same account', () => {
    it('names every IAM role after its region, so a second region creates roles of its own', () => {
      const other = synth({ AWS_REGION: 'eu-west-1' });
      expect(roleNames(stack)).to.have.length(3);
      for (const name of roleNames(stack)) expect(name).to.match(new RegExp(`-${DEFAULT_REGION}$`));
      for (const name of roleNames(other)) expect(name).to.match(/-eu-west-1$/);
      expect(roleNames(other).filter((name) => roleNames(stack).includes(name))).to.deep.equal([]);
      expect(roleNames(stack)).to.include(deployedRoleName(`transfer-records-${TRANSFER_RECORDS_AT_SCALE.roleSuffix}`, DEFAULT_REGION));
    });

    it('keeps each region in a state of its own', () => {
      expect(String(synth({ AWS_REGION: 'eu-west-1' }).terraform.backend.local!.path)).to.match(/terraform\.transfer-records\.eu-west-1\.tfstate$/);
      expect(String(stack.terraform.backend.local!.path)).to.match(new RegExp(`terraform\\.transfer-records\\.${DEFAULT_REGION}\\.tfstate$`));
    });

    it('refuses, by name, a prefix and region whose role name would exceed IAM\'s 64 characters', () => {
      const build = () => newStack({ NAME_PREFIX: 'x'.repeat(30), AWS_REGION: 'us-isof-south-10' });
      expect(build).to.throw(/exceeds IAM's 64 characters/).with.property('name', 'InvalidConfiguration');
      expect(() => newStack({ NAME_PREFIX: 'x'.repeat(30), AWS_REGION: 'us-isof-south-1' })).to.not.throw();
    });
  });

  describe('the region, resolved as the AWS CLI resolves it', () => {
    const config = '[default]\nregion = us-west-2\n\n[profile work]\nregion = eu-central-1\n';
    const region = (env: NodeJS.ProcessEnv, text?: string) => String(synth(env, text).provider.aws[0]!.region);

    it('takes the region of the profile AWS_PROFILE names when no variable sets one', () => {
      expect(region({ AWS_PROFILE: 'work' }, config)).to.equal('eu-central-1');
      expect(region({}, config)).to.equal('us-west-2');
      expect(roleNames(synth({ AWS_PROFILE: 'work' }, config))[0]).to.match(/-eu-central-1$/);
    });

    it('prefers AWS_REGION, then AWS_DEFAULT_REGION, and counts an empty one as unset', () => {
      expect(region({ AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'sa-east-1', AWS_PROFILE: 'work' }, config)).to.equal('ap-south-1');
      expect(region({ AWS_DEFAULT_REGION: 'sa-east-1', AWS_PROFILE: 'work' }, config)).to.equal('sa-east-1');
      expect(region({ AWS_REGION: '', AWS_DEFAULT_REGION: '', AWS_PROFILE: 'work' }, config)).to.equal('eu-central-1');
      expect(region({ AWS_REGION: '' })).to.equal(DEFAULT_REGION);
    });

    it('refuses a malformed region with InvalidRegion instead of writing it into the configuration', () => {
      for (const bad of ['EU-WEST-1', 'eu west 1', 'us-east']) {
        expect(() => newStack({ AWS_REGION: bad }), bad).to.throw(/is not a region code/).with.property('name', 'InvalidRegion');
      }
    });
  });

  describe('partitions', () => {
    it('builds no ARN with a fixed partition or region: every one comes from the data sources', () => {
      expect(stack.json).to.not.match(/arn:aws[:-]/);
      expect(stack.json).to.not.include(`:${DEFAULT_REGION}:`);
      expect(Object.keys(stack.data)).to.include.members(['aws_partition', 'aws_region', 'aws_caller_identity']);
      // Provider 6.x exposes the region as `region`; `name` is deprecated.
      expect(stack.json).to.include('data.aws_region.region.region').and.not.include('data.aws_region.region.name');
    });
  });

  describe('logging', () => {
    for (const workflow of [TRANSFER_RECORDS, TRANSFER_RECORDS_AT_SCALE]) {
      it(`logs ${workflow.name} at a level set by Terraform variables, ERROR without execution data by default`, () => {
        const level = stack.variable[`${workflow.id}_log_level`]!;
        const data = stack.variable[`${workflow.id}_log_execution_data`]!;
        expect(level).to.include({ type: 'string', default: 'ERROR' });
        expect(data).to.include({ type: 'bool', default: false });
        const [validation] = level.validation as { condition: string }[];
        expect(validation!.condition).to.equal(`\${contains(${JSON.stringify(LOG_LEVELS)}, var.${workflow.id}_log_level)}`);
        const machine = all(stack.resource, 'aws_sfn_state_machine').get(`aws_sfn_state_machine.${workflow.id}`)!;
        expect(machine.logging_configuration).to.include({
          level: `\${var.${workflow.id}_log_level}`,
          include_execution_data: `\${var.${workflow.id}_log_execution_data}`,
        });
      });
    }

    it('lets each state machine role create its log streams and put its events, as AWS\'s logging page lists', () => {
      for (const workflow of [TRANSFER_RECORDS, TRANSFER_RECORDS_AT_SCALE]) {
        const machine = all(stack.resource, 'aws_sfn_state_machine').get(`aws_sfn_state_machine.${workflow.id}`)!;
        const policy = [...all(stack.resource, 'aws_iam_role_policy').values()].find((body) => body.role === ref(addressOf(machine.role_arn, 'arn'), 'id'))!;
        const actions = policyDocument(stack, policy.policy).statement.flatMap((statement) => statement.actions as string[]);
        expect(actions, workflow.name).to.include.members(['logs:CreateLogStream', 'logs:PutLogEvents']);
      }
    });
  });

  describe('the run bucket', () => {
    const bucket = `aws_s3_bucket.${RUN_BUCKET.id}`;
    const ofBucket = (type: string) => [...all(stack.resource, type).values()].find((body) => body.bucket === ref(bucket, 'id'))!;

    it('takes a name unique to this deployment (bucket_prefix), and outputs the name S3 gave it', () => {
      const body = all(stack.resource, 'aws_s3_bucket').get(bucket)!;
      expect(body).to.not.have.property('bucket');
      expect(body.bucket_prefix).to.equal('transfer-records-runs-');
      expect(String(body.bucket_prefix).length).to.be.at.most(37);
      expect(stack.output[`${RUN_BUCKET.id}_name`]).to.deep.equal({ value: ref(bucket, 'bucket') });
    });

    it('is emptied on destroy (force_destroy), so make destroy works within a week of an at-scale run', () => {
      expect(all(stack.resource, 'aws_s3_bucket').get(bucket)).to.include({ force_destroy: true });
    });

    it('aborts multipart uploads left incomplete, beside expiring run data', () => {
      const rules = ofBucket('aws_s3_bucket_lifecycle_configuration').rule as Block[];
      expect(rules).to.deep.include({
        id: 'abort-incomplete-uploads',
        status: 'Enabled',
        filter: [{}],
        abort_incomplete_multipart_upload: [{ days_after_initiation: ABORT_UPLOADS_AFTER_DAYS }],
      });
      expect(rules.find((rule) => rule.id === 'expire')!.expiration).to.deep.equal([{ days: RUN_BUCKET.expirationDays }]);
    });

    it('denies every request that does not use TLS, after the public access block', () => {
      const policy = ofBucket('aws_s3_bucket_policy');
      expect(policyDocument(stack, policy.policy).statement).to.deep.equal([denyWithoutTls('s3', [ref(bucket, 'arn'), `${ref(bucket, 'arn')}/*`])]);
      expect(policy.depends_on).to.deep.equal([`aws_s3_bucket_public_access_block.${RUN_BUCKET.id}_public_access_block`]);
    });
  });

  describe('the queues', () => {
    for (const queue of [QUEUE, DEAD_LETTER_QUEUE]) {
      it(`denies every request to ${queue.id} that does not use TLS`, () => {
        const address = `aws_sqs_queue.${queue.id}`;
        const policies = [...all(stack.resource, 'aws_sqs_queue_policy').values()].filter((body) => body.queue_url === ref(address, 'url'));
        expect(policies).to.have.length(1);
        expect(policyDocument(stack, policies[0]!.policy).statement).to.deep.equal([denyWithoutTls('sqs', [ref(address, 'arn')])]);
      });
    }
  });

  describe('NAME_PREFIX', () => {
    it('refuses the prefixes S3 reserves for bucket names, by name', () => {
      for (const prefix of ['xn--records', 'sthree-records', 'sthree-configurator', 'amzn-s3-demo-records']) {
        expect(() => newStack({ NAME_PREFIX: prefix }), prefix).to.throw(/S3 reserves/).with.property('name', 'InvalidConfiguration');
      }
      expect(() => newStack({ NAME_PREFIX: 'xn-records' })).to.not.throw();
    });
  });

  it('renders all of this as HCL terraform fmt accepts: no quoted interpolation', () => {
    const hcl = String(Testing.synthHcl(newStack()));
    expect(hcl).to.match(/^\s*bucket_prefix\s*=\s*"transfer-records-runs-"$/m);
    expect(hcl).to.match(/^\s*condition\s*=\s*contains\(\["ALL",\s*"ERROR",\s*"FATAL",\s*"OFF"\], var\.state_machine_log_level\)$/m);
    expect(hcl).to.not.match(/= "\$\{[^"]*\}"$/m);
  });
});
