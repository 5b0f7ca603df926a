import { expect } from 'chai';
import { APP, grantArns } from '../../workflow/app.ts';
import {
  childWorkflow,
  type Grant,
  nestedExecutionGrants,
  ref,
  resolveGrants,
  UnresolvedResource,
  type ResourceArns,
} from '../../workflow/permissions.ts';
import { SEED_FUNCTION, TRANSFER_RECORDS } from '../../workflow/transfer-records.ts';

const SEED_ROLE_GRANTS = SEED_FUNCTION.grants;
const STATE_MACHINE_ROLE_GRANTS = TRANSFER_RECORDS.grants;

const ARNS: ResourceArns = {
  table: 'arn:aws:dynamodb:us-east-1:123456789012:table/transfer-records-table',
  queue: 'arn:aws:sqs:us-east-1:123456789012:transfer-records-queue',
  'function:seed': 'arn:aws:lambda:us-east-1:123456789012:function:transfer-records-seed',
  'logs:seed': 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/transfer-records-seed:*',
};

const ROLES: Record<string, Grant[]> = {
  seed: SEED_ROLE_GRANTS,
  'state machine': STATE_MACHINE_ROLE_GRANTS,
};

describe('workflow/permissions', () => {
  describe('resolveGrants', () => {
    it('refuses a grant naming a resource whose ARN was not given, naming both', () => {
      const grants: Grant[] = [{ sid: 'Invoke', actions: ['lambda:InvokeFunction'], resources: ['function:seed'] }];
      expect(() => resolveGrants(grants, { table: ARNS.table }))
        .to.throw(UnresolvedResource)
        .with.property('message', 'grant Invoke names the resource "function:seed", whose ARN was not given');
    });

    it('turns each grant into an Allow statement with its resources resolved to ARNs', () => {
      const grants: Grant[] = [
        { sid: 'Both', actions: ['dynamodb:GetItem', 'sqs:SendMessage'], resources: ['table', 'queue'] },
        { sid: 'Anywhere', actions: ['xray:PutTraceSegments'], resources: ['*'], wildcardReason: 'no resource-level permissions' },
      ];
      expect(resolveGrants(grants, ARNS)).to.deep.equal([
        { Sid: 'Both', Effect: 'Allow', Action: ['dynamodb:GetItem', 'sqs:SendMessage'], Resource: [ARNS.table, ARNS.queue] },
        { Sid: 'Anywhere', Effect: 'Allow', Action: ['xray:PutTraceSegments'], Resource: ['*'] },
      ]);
    });

    it('resolves to whatever the caller names a resource by, such as Terraform references', () => {
      const references = { table: '${aws_dynamodb_table.table.arn}' } as ResourceArns;
      const [statement] = resolveGrants([{ sid: 'T', actions: ['dynamodb:GetItem'], resources: ['table'] }], references);
      expect(statement?.Resource).to.deep.equal(['${aws_dynamodb_table.table.arn}']);
    });

    it('leaves the grants untouched when a statement is changed', () => {
      const [statement] = resolveGrants(SEED_ROLE_GRANTS, ARNS);
      statement!.Action.push('dynamodb:DeleteTable');
      expect(SEED_ROLE_GRANTS[0]!.actions).to.not.include('dynamodb:DeleteTable');
    });
  });

  for (const [role, grants] of Object.entries(ROLES)) {
    describe(`the ${role} role's grants`, () => {
      it('name no wildcard action', () => {
        for (const action of grants.flatMap((grant) => grant.actions)) expect(action).to.match(/^[a-z0-9-]+:[A-Za-z]+$/);
      });

      it('explain every * resource, and use it only alone', () => {
        for (const grant of grants) {
          if (grant.resources.includes('*')) {
            expect(grant.resources, grant.sid).to.deep.equal(['*']);
            expect(grant.wildcardReason, grant.sid).to.be.a('string').and.not.empty;
          } else {
            expect(grant.wildcardReason, grant.sid).to.equal(undefined);
          }
        }
      });

      it('have unique statement ids', () => {
        const sids = grants.map((grant) => grant.sid);
        expect(new Set(sids).size).to.equal(sids.length);
      });
    });
  }

  it('let the seed function write its logs and traces and batch-write the table, nothing more', () => {
    const statements = resolveGrants(SEED_ROLE_GRANTS, ARNS);
    expect(statements.flatMap((statement) => statement.Action).sort()).to.deep.equal(
      ['dynamodb:BatchWriteItem', 'logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords'].sort(),
    );
    expect(statements.flatMap((statement) => statement.Resource).sort()).to.deep.equal([ARNS['logs:seed'], ARNS.table, '*'].sort());
    const traces = statements.find((statement) => statement.Action.includes('xray:PutTraceSegments'))!;
    expect(traces.Resource).to.deep.equal(['*']);
  });

  it('need no ARN for the seed role but its table and log streams, so its policy can precede the function', () => {
    const { table, 'logs:seed': logStreams, queue } = ARNS;
    expect(() => resolveGrants(SEED_ROLE_GRANTS, { table, 'logs:seed': logStreams!, queue })).to.not.throw();
  });

  describe('nestedExecutionGrants', () => {
    const child = childWorkflow(TRANSFER_RECORDS.id);
    const arns = grantArns(APP, {
      stateMachine: (workflow) => `arn:aws:states:eu-west-1:123456789012:stateMachine:${workflow.id}`,
      executions: (workflow) => `arn:aws:states:eu-west-1:123456789012:execution:${workflow.id}:*`,
      eventsRule: (name) => `arn:aws:events:eu-west-1:123456789012:rule/${name}`,
    });

    it('grant StartExecution alone on the child for request-response and .waitForTaskToken', () => {
      for (const pattern of ['request', 'waitForTaskToken'] as const) {
        expect(nestedExecutionGrants(child, pattern, 'Child')).to.deep.equal([{ sid: 'StartChildExecutions', actions: ['states:StartExecution'], resources: [ref.stateMachine(TRANSFER_RECORDS.id)] }]);
      }
    });

    it('add for .sync what AWS lists: DescribeExecution and StopExecution on its executions, the managed rule\'s PutTargets, PutRule and DescribeRule', () => {
      const statements = resolveGrants(nestedExecutionGrants(child, 'sync', 'Child'), arns);
      expect(statements.map((statement) => [statement.Sid, statement.Action, statement.Resource])).to.deep.equal([
        ['StartChildExecutions', ['states:StartExecution'], [`arn:aws:states:eu-west-1:123456789012:stateMachine:${TRANSFER_RECORDS.id}`]],
        ['WatchChildExecutions', ['states:DescribeExecution', 'states:StopExecution'], [`arn:aws:states:eu-west-1:123456789012:execution:${TRANSFER_RECORDS.id}:*`]],
        ['WatchChildExecutionEvents', ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'], ['arn:aws:events:eu-west-1:123456789012:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule']],
      ]);
    });
  });

  it('let the state machine reach only its function, table and queue by ARN', () => {
    const scoped = resolveGrants(STATE_MACHINE_ROLE_GRANTS, ARNS).filter((statement) => !statement.Resource.includes('*'));
    expect(scoped.map((statement) => [statement.Action, statement.Resource])).to.deep.equal([
      [['lambda:InvokeFunction'], [ARNS['function:seed']]],
      [['dynamodb:GetItem'], [ARNS.table]],
      [['sqs:SendMessage'], [ARNS.queue]],
    ]);
  });
});
