import { expect } from 'chai';
import {
  type Grant,
  resolveGrants,
  type ResourceArns,
  SEED_ROLE_GRANTS,
  STATE_MACHINE_ROLE_GRANTS,
} from '../../workflow/permissions.ts';

const ARNS: ResourceArns = {
  table: 'arn:aws:dynamodb:us-east-1:123456789012:table/transfer-records-table',
  queue: 'arn:aws:sqs:us-east-1:123456789012:transfer-records-queue',
  seedFunction: 'arn:aws:lambda:us-east-1:123456789012:function:transfer-records-seed',
  seedLogStreams: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/transfer-records-seed:*',
};

const ROLES: Record<string, Grant[]> = {
  seed: SEED_ROLE_GRANTS,
  'state machine': STATE_MACHINE_ROLE_GRANTS,
};

describe('workflow/permissions', () => {
  describe('resolveGrants', () => {
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

  it('let the seed function write its logs and batch-write the table, nothing more', () => {
    const statements = resolveGrants(SEED_ROLE_GRANTS, ARNS);
    expect(statements.flatMap((statement) => statement.Action).sort()).to.deep.equal(
      ['dynamodb:BatchWriteItem', 'logs:CreateLogStream', 'logs:PutLogEvents'].sort(),
    );
    expect(statements.flatMap((statement) => statement.Resource).sort()).to.deep.equal([ARNS.seedLogStreams, ARNS.table].sort());
  });

  it('let the state machine reach only its function, table and queue by ARN', () => {
    const scoped = resolveGrants(STATE_MACHINE_ROLE_GRANTS, ARNS).filter((statement) => !statement.Resource.includes('*'));
    expect(scoped.map((statement) => [statement.Action, statement.Resource])).to.deep.equal([
      [['lambda:InvokeFunction'], [ARNS.seedFunction]],
      [['dynamodb:GetItem'], [ARNS.table]],
      [['sqs:SendMessage'], [ARNS.queue]],
    ]);
  });
});
