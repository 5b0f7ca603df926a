import { expect } from 'chai';
import type { Grant, ResourceArns } from '../../workflow/permissions.ts';
import { checkGrants, permissionsPolicy, serviceTrustPolicy, wildcardExceptions } from '../../stacks/iam.ts';
import { leavesNoTempFolder, synthScope } from './synth.ts';

const ARNS: ResourceArns = {
  table: 'arn:table',
  queue: 'arn:queue',
  seedFunction: 'arn:function',
  seedLogStreams: 'arn:log-group:*',
};

const READ: Grant = { sid: 'Read', actions: ['dynamodb:GetItem'], resources: ['table'] };
const TRACE: Grant = { sid: 'Trace', actions: ['xray:PutTraceSegments'], resources: ['*'], wildcardReason: 'no resource-level permissions' };

function rejection(grant: Grant): unknown {
  try {
    checkGrants([READ, grant]);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('stacks/iam', () => {
  leavesNoTempFolder();
  describe('checkGrants', () => {
    it('accepts named actions, and resource "*" with a reason', () => {
      expect(() => checkGrants([READ, TRACE])).to.not.throw();
    });

    it('rejects a wildcard action with InvalidGrant naming the grant', () => {
      const error = rejection({ sid: 'Everything', actions: ['dynamodb:*'], resources: ['table'] });
      expect(error).to.have.property('name', 'InvalidGrant');
      expect(error).to.have.property('message').that.includes('Everything').and.includes('dynamodb:*');
    });

    it('rejects resource "*" without a reason', () => {
      for (const wildcardReason of [undefined, '  ']) {
        const error = rejection({ sid: 'Unexplained', actions: ['xray:PutTraceSegments'], resources: ['*'], wildcardReason });
        expect(error).to.have.property('name', 'InvalidGrant');
        expect(error).to.have.property('message').that.includes('Unexplained');
      }
    });

    it('rejects a grant without actions or resources', () => {
      expect(rejection({ sid: 'NoActions', actions: [], resources: ['table'] })).to.have.property('name', 'InvalidGrant');
      expect(rejection({ sid: 'NoResources', actions: ['sqs:SendMessage'], resources: [] })).to.have.property('name', 'InvalidGrant');
    });
  });

  describe('permissionsPolicy', () => {
    it('writes one Allow statement per grant, with the resources resolved', () => {
      const synthesized = synthScope((scope) => {
        permissionsPolicy(scope, 'permissions', [READ, TRACE], ARNS);
      });
      const document = (JSON.parse(synthesized) as { data: { aws_iam_policy_document: Record<string, unknown> } }).data
        .aws_iam_policy_document.permissions;
      expect(document).to.deep.equal({
        statement: [
          { sid: 'Read', effect: 'Allow', actions: ['dynamodb:GetItem'], resources: ['arn:table'] },
          { sid: 'Trace', effect: 'Allow', actions: ['xray:PutTraceSegments'], resources: ['*'] },
        ],
      });
    });

    it('synthesizes nothing for grants it rejects', () => {
      expect(() =>
        synthScope((scope) => {
          permissionsPolicy(scope, 'permissions', [{ sid: 'Bad', actions: ['*'], resources: ['table'] }], ARNS);
        }),
      ).to.throw().with.property('name', 'InvalidGrant');
    });
  });

  describe('serviceTrustPolicy', () => {
    it('lets one service principal assume the role, under the conditions given', () => {
      const synthesized = synthScope((scope) => {
        serviceTrustPolicy(scope, 'open', 'lambda.amazonaws.com');
        serviceTrustPolicy(scope, 'scoped', 'states.amazonaws.com', [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: ['123456789012'] }]);
      });
      const documents = (JSON.parse(synthesized) as { data: { aws_iam_policy_document: Record<string, { statement: unknown[] }> } })
        .data.aws_iam_policy_document;
      expect(documents.open!.statement).to.deep.equal([
        { effect: 'Allow', actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }] },
      ]);
      expect(documents.scoped!.statement).to.deep.equal([
        {
          effect: 'Allow',
          actions: ['sts:AssumeRole'],
          principals: [{ type: 'Service', identifiers: ['states.amazonaws.com'] }],
          condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: ['123456789012'] }],
        },
      ]);
    });
  });

  describe('wildcardExceptions', () => {
    it('names each grant on "*" with its reason, and nothing for grants without one', () => {
      expect(wildcardExceptions([READ, TRACE])).to.equal('Resource * only where AWS requires it. Trace: no resource-level permissions.');
      expect(wildcardExceptions([READ])).to.equal('');
    });
  });
});
