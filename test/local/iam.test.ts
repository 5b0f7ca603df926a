import { expect } from 'chai';
import type { PolicyStatement } from '../../workflow/permissions.ts';
import { describedResources } from '../fixtures/local-resources.ts';
import {
  AccessDenied,
  assertAllowed,
  assertPermitted,
  assertPermittedRemembering,
  assumedRoleArn,
  assertMayStartChildren,
  evaluate,
  InvalidSessionToken,
  isAllowed,
  localPolicies,
  principalFromToken,
  sessionToken,
  statementsChanged,
  userBucketGrants,
} from '../../local/services/iam.ts';
import { dynamodbPermission } from '../../local/bridge/dynamodb.ts';
import { sqsPermission } from '../../local/bridge/sqs.ts';
import { entriesOf } from '../fixtures/names.ts';

const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/t';
const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:q';
const ROLE = 'arn:aws:sts::000000000000:assumed-role/r/s';

const allow = (Action: string[], Resource: string[]): PolicyStatement => ({ Sid: 'A', Effect: 'Allow', Action, Resource });
const deny = (Action: string[], Resource: string[]): PolicyStatement => ({ Sid: 'D', Effect: 'Deny', Action, Resource });

describe('local/iam', () => {
  describe('evaluate and isAllowed', () => {
    it('allows an action on a resource a statement names', () => {
      expect(isAllowed([allow(['dynamodb:GetItem'], [TABLE])], 'dynamodb:GetItem', TABLE)).to.be.true;
    });

    it('denies by default: another action, another resource, or no statement at all', () => {
      const policy = [allow(['dynamodb:GetItem'], [TABLE])];
      expect(evaluate(policy, 'dynamodb:PutItem', TABLE)).to.equal('implicitDeny');
      expect(evaluate(policy, 'dynamodb:GetItem', `${TABLE}2`)).to.equal('implicitDeny');
      expect(evaluate([], 'dynamodb:GetItem', TABLE)).to.equal('implicitDeny');
    });

    it('lets an explicit Deny win over any Allow, in either order', () => {
      const allowing = allow(['dynamodb:*'], ['*']);
      const denying = deny(['dynamodb:GetItem'], [TABLE]);
      expect(evaluate([allowing, denying], 'dynamodb:GetItem', TABLE)).to.equal('explicitDeny');
      expect(evaluate([denying, allowing], 'dynamodb:GetItem', TABLE)).to.equal('explicitDeny');
      expect(evaluate([allowing, denying], 'dynamodb:PutItem', TABLE)).to.equal('allowed');
    });

    it('matches * and ? wildcards in actions and resources', () => {
      expect(isAllowed([allow(['dynamodb:Get*'], [TABLE])], 'dynamodb:GetItem', TABLE)).to.be.true;
      expect(isAllowed([allow(['dynamodb:?etItem'], [TABLE])], 'dynamodb:GetItem', TABLE)).to.be.true;
      expect(isAllowed([allow(['*'], ['*'])], 'sqs:SendMessage', QUEUE)).to.be.true;
      expect(isAllowed([allow(['sqs:*'], ['arn:aws:sqs:*:000000000000:*'])], 'sqs:SendMessage', QUEUE)).to.be.true;
      expect(isAllowed([allow(['dynamodb:*'], [`${TABLE}/index/*`])], 'dynamodb:Query', `${TABLE}/index/byDate`)).to.be.true;
      expect(isAllowed([allow(['dynamodb:?etItem'], [TABLE])], 'dynamodb:BatchGetItem', TABLE)).to.be.false;
      expect(isAllowed([allow(['dynamodb:*'], [`${TABLE}/index/*`])], 'dynamodb:Query', TABLE)).to.be.false;
    });

    it('matches stars at either end, runs of stars, stars that must give back, and ? against exactly one character', () => {
      const matches = (pattern: string, resource: string) => isAllowed([allow(['*'], [pattern])], 'sqs:SendMessage', resource);
      expect(matches('*q', QUEUE)).to.be.true;
      expect(matches('arn:**:q', QUEUE)).to.be.true;
      expect(matches('*:*:*:*:*:*', QUEUE)).to.be.true;
      expect(matches('*:*:*:*:*:*:*', QUEUE)).to.be.false;
      // The first star must not keep the ':' the pattern needs later.
      expect(matches('arn:*:q', QUEUE)).to.be.true;
      expect(matches('a*a*b', 'aaab')).to.be.true;
      expect(matches('a*a*b', 'aaba')).to.be.false;
      expect(matches('?', '')).to.be.false;
      expect(matches('*', '')).to.be.true;
      expect(matches('', '')).to.be.true;
      expect(matches('q?', 'q')).to.be.false;
    });

    it("answers a pattern of many stars against a long ARN at once, where a RegExp of .*s backtracks for ages", () => {
      const resource = `arn:aws:sqs:us-east-1:000000000000:${'a'.repeat(5000)}`;
      const pattern = `arn:aws:sqs:us-east-1:000000000000:${'a*'.repeat(12)}b`;
      expect(isAllowed([allow(['*'], [pattern])], 'sqs:SendMessage', resource)).to.be.false;
      expect(isAllowed([allow([`${'s*'.repeat(12)}x`], ['*'])], `s${'s'.repeat(5000)}`, QUEUE)).to.be.false;
    });

    it('treats regular-expression characters in patterns literally', () => {
      expect(isAllowed([allow(['sqs:SendMessage'], ['arn:aws:sqs:us-east-1:000000000000:q.fifo'])], 'sqs:SendMessage', 'arn:aws:sqs:us-east-1:000000000000:qxfifo')).to.be.false;
    });

    it('compares actions without case and resources with it', () => {
      expect(isAllowed([allow(['DynamoDB:getitem'], [TABLE])], 'dynamodb:GetItem', TABLE)).to.be.true;
      expect(isAllowed([allow(['dynamodb:GetItem'], [TABLE.toUpperCase()])], 'dynamodb:GetItem', TABLE)).to.be.false;
    });
  });

  describe('assertAllowed', () => {
    it('passes an allowed call', () => {
      expect(() => assertAllowed([allow(['sqs:SendMessage'], [QUEUE])], ROLE, 'sqs:SendMessage', QUEUE)).to.not.throw();
    });

    it("throws AccessDenied in AWS's words when no statement allows the call", () => {
      expect(() => assertAllowed([], ROLE, 'sqs:SendMessage', QUEUE))
        .to.throw(AccessDenied)
        .with.property(
          'message',
          `User: ${ROLE} is not authorized to perform: sqs:SendMessage on resource: ${QUEUE} ` +
            'because no identity-based policy allows the sqs:SendMessage action',
        );
    });

    it("says so when a statement denies the call explicitly", () => {
      expect(() => assertAllowed([deny(['sqs:*'], ['*'])], ROLE, 'sqs:SendMessage', QUEUE))
        .to.throw(AccessDenied)
        .with.property(
          'message',
          `User: ${ROLE} is not authorized to perform: sqs:SendMessage on resource: ${QUEUE} ` +
            'with an explicit deny in an identity-based policy',
        );
    });

    it('keeps the principal, action and resource on the error', () => {
      try {
        assertAllowed([], ROLE, 'dynamodb:GetItem', TABLE);
        expect.fail('expected AccessDenied');
      } catch (error) {
        expect(error).to.include({ name: 'AccessDenied', principalArn: ROLE, action: 'dynamodb:GetItem', resourceArn: TABLE });
      }
    });

    it('checks every resource of a call and names the first one denied', () => {
      const policy = [allow(['dynamodb:BatchGetItem'], [TABLE])];
      const other = 'arn:aws:dynamodb:us-east-1:000000000000:table/other';
      expect(() => assertPermitted(policy, ROLE, { action: 'dynamodb:BatchGetItem', resources: [TABLE, other] }))
        .to.throw(AccessDenied)
        .with.property('resourceArn', other);
    });
  });

  describe('assertPermittedRemembering', () => {
    const send = { action: 'sqs:SendMessage', resources: [QUEUE] };

    it('answers as assertPermitted does, for each resource apart, and remembers only what is allowed', () => {
      const other = 'arn:aws:sqs:us-east-1:000000000000:other';
      const policy = [allow(['sqs:SendMessage'], [QUEUE])];
      for (let call = 0; call < 2; call += 1) {
        expect(() => assertPermittedRemembering(policy, ROLE, send)).to.not.throw();
        expect(() => assertPermittedRemembering(policy, ROLE, { action: 'sqs:SendMessage', resources: [other] }))
          .to.throw(AccessDenied)
          .with.property('resourceArn', other);
        expect(() => assertPermittedRemembering(policy, ROLE, { action: 'sqs:DeleteMessage', resources: [QUEUE] })).to.throw(AccessDenied);
      }
    });

    it('asks the statements again once statementsChanged says they were edited in place', () => {
      const policy = [allow(['sqs:SendMessage'], [QUEUE])];
      assertPermittedRemembering(policy, ROLE, send);
      policy.splice(0, 1, deny(['sqs:*'], ['*']));
      statementsChanged(policy);
      expect(() => assertPermittedRemembering(policy, ROLE, send)).to.throw(AccessDenied).with.property('message').that.includes('explicit deny');
    });
  });

  describe('localPolicies', () => {
    const resources = describedResources('p', 'eu-west-1');
    const { stateMachinePolicy, functionPolicies } = localPolicies(resources);
    const lambdaPolicy = functionPolicies.seed!;

    it("gives the state machine role the stack's statements, on the local ARNs", () => {
      const bySid = Object.fromEntries(stateMachinePolicy.map((statement) => [statement.Sid, statement]));
      expect(bySid.InvokeSeedFunction).to.deep.equal({
        Sid: 'InvokeSeedFunction',
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: [entriesOf(resources).seedFunctionArn],
      });
      expect(bySid.ReadTable?.Resource).to.deep.equal([entriesOf(resources).tableArn]);
      expect(bySid.SendToQueue?.Resource).to.deep.equal([entriesOf(resources).queueArn]);
      expect(isAllowed(stateMachinePolicy, 'dynamodb:GetItem', entriesOf(resources).tableArn)).to.be.true;
      expect(isAllowed(stateMachinePolicy, 'dynamodb:PutItem', entriesOf(resources).tableArn)).to.be.false;
    });

    it("gives the seed role BatchWriteItem on the table and its own log streams, nothing more", () => {
      expect(isAllowed(lambdaPolicy, 'dynamodb:BatchWriteItem', entriesOf(resources).tableArn)).to.be.true;
      expect(isAllowed(lambdaPolicy, 'dynamodb:DeleteItem', entriesOf(resources).tableArn)).to.be.false;
      expect(
        isAllowed(
          lambdaPolicy,
          'logs:PutLogEvents',
          'arn:aws:logs:eu-west-1:000000000000:log-group:/aws/lambda/p-seed:log-stream:2026/01/01/[$LATEST]abc',
        ),
      ).to.be.true;
      expect(isAllowed(lambdaPolicy, 'sqs:SendMessage', entriesOf(resources).queueArn)).to.be.false;
    });
  });

  describe('the permission a request needs', () => {
    it('is the DynamoDB operation on the table, or on the index a Query or Scan reads', () => {
      expect(dynamodbPermission('GetItem', { TableName: 't' }, 'us-east-1', '000000000000')).to.deep.equal({
        action: 'dynamodb:GetItem',
        resources: [TABLE],
      });
      expect(dynamodbPermission('Query', { TableName: 't', IndexName: 'i' }, 'us-east-1', '000000000000').resources).to.deep.equal([
        `${TABLE}/index/i`,
      ]);
      expect(dynamodbPermission('GetItem', { TableName: TABLE }, 'us-east-1', '000000000000').resources).to.deep.equal([TABLE]);
    });

    it('covers every table of a batch or a transaction', () => {
      expect(
        dynamodbPermission('BatchWriteItem', { RequestItems: { t: [], u: [] } }, 'us-east-1', '000000000000').resources,
      ).to.deep.equal([TABLE, 'arn:aws:dynamodb:us-east-1:000000000000:table/u']);
      expect(
        dynamodbPermission(
          'TransactWriteItems',
          { TransactItems: [{ Put: { TableName: 't' } }, { Delete: { TableName: 't' } }] },
          'us-east-1',
          '000000000000',
        ).resources,
      ).to.deep.equal([TABLE]);
    });

    it('is * for a DynamoDB call that names no table', () => {
      expect(dynamodbPermission('ListTables', {}, 'us-east-1', '000000000000').resources).to.deep.equal(['*']);
    });

    it('is the SQS action on the queue a URL names, batches authorized as single messages', () => {
      const url = 'http://127.0.0.1:4566/000000000000/q';
      expect(sqsPermission('SendMessage', { QueueUrl: url }, 'us-east-1', '000000000000')).to.deep.equal({
        action: 'sqs:SendMessage',
        resources: [QUEUE],
      });
      expect(sqsPermission('SendMessageBatch', { QueueUrl: url }, 'us-east-1', '000000000000').action).to.equal('sqs:SendMessage');
      expect(
        sqsPermission('GetQueueUrl', { QueueName: 'q' }, 'us-east-1', '000000000000').resources,
      ).to.deep.equal([QUEUE]);
      expect(sqsPermission('ListQueues', {}, 'us-east-1', '000000000000').resources).to.deep.equal(['*']);
    });
  });

  describe('session tokens', () => {
    it('carry a principal and its policy there and back', () => {
      const principal = { arn: assumedRoleArn('000000000000', 'r', 's'), policy: [allow(['sqs:SendMessage'], [QUEUE])] };
      expect(principal.arn).to.equal(ROLE);
      expect(principalFromToken(sessionToken(principal))).to.deep.equal(principal);
    });

    it("leave a token that is not a local role's unrestricted", () => {
      expect(principalFromToken('FwoGZXIvYXdzEXAMPLE')).to.equal(undefined);
    });

    it('refuse a damaged local token rather than treat it as unrestricted', () => {
      expect(() => principalFromToken('local-iam.not-base64-json')).to.throw(InvalidSessionToken);
    });
  });

  describe('userBucketGrants', () => {
    it("lets a role read, list, write and delete the user's objects, and nothing else", () => {
      const policy = userBucketGrants(['my-data', 'my-results']);
      expect(isAllowed(policy, 's3:GetObject', 'arn:aws:s3:::my-data/in/items.csv')).to.be.true;
      expect(isAllowed(policy, 's3:ListBucket', 'arn:aws:s3:::my-data')).to.be.true;
      expect(isAllowed(policy, 's3:PutObject', 'arn:aws:s3:::my-results/run/manifest.json')).to.be.true;
      expect(isAllowed(policy, 's3:GetObject', 'arn:aws:s3:::other-bucket/k')).to.be.false;
      expect(isAllowed(policy, 's3:DeleteObject', 'arn:aws:s3:::my-data/in/items.csv')).to.be.true;
      expect(isAllowed(policy, 's3:DeleteObject', 'arn:aws:s3:::other-bucket/k')).to.be.false;
      expect(isAllowed(policy, 's3:DeleteBucket', 'arn:aws:s3:::my-data')).to.be.false;
      expect(userBucketGrants([])).to.deep.equal([]);
    });
  });

  describe('assertMayStartChildren', () => {
    const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:m';

    it('lets a role with states:StartExecution on its own state machine start its Map Run children', () => {
      expect(() => assertMayStartChildren([allow(['states:StartExecution'], [MACHINE])], ROLE, MACHINE)).to.not.throw();
    });

    it('denies a role without it, as IAM says so, on the state machine\'s ARN', () => {
      expect(() => assertMayStartChildren([allow(['states:StartExecution'], [`${MACHINE}-other`])], ROLE, MACHINE))
        .to.throw(AccessDenied)
        .with.property(
          'message',
          `User: ${ROLE} is not authorized to perform: states:StartExecution on resource: ${MACHINE} because no identity-based policy allows the states:StartExecution action`,
        );
    });
  });
});
