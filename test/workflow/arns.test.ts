import { expect } from 'chai';
import { arns, executionArnOf, expressExecutionArnOf, mapRunMachineArn, OFFLINE_SCOPE } from '../../workflow/arns.ts';

const CHINA = { partition: 'aws-cn', region: 'cn-north-1', account: '123456789012' };

describe('workflow/arns', () => {
  it('builds each ARN from the partition, region and account it is given', () => {
    expect(arns.stateMachine(CHINA, 'm')).to.equal('arn:aws-cn:states:cn-north-1:123456789012:stateMachine:m');
    expect(arns.anyStateMachine(CHINA)).to.equal('arn:aws-cn:states:cn-north-1:123456789012:stateMachine:*');
    expect(arns.execution(CHINA, 'm', '*')).to.equal('arn:aws-cn:states:cn-north-1:123456789012:execution:m:*');
    expect(arns.lambdaFunction(CHINA, 'f')).to.equal('arn:aws-cn:lambda:cn-north-1:123456789012:function:f');
    expect(arns.dynamodbTable(CHINA, 't')).to.equal('arn:aws-cn:dynamodb:cn-north-1:123456789012:table/t');
    expect(arns.sqsQueue(CHINA, 'q')).to.equal('arn:aws-cn:sqs:cn-north-1:123456789012:q');
    expect(arns.logGroup(CHINA, '/aws/lambda/f')).to.equal('arn:aws-cn:logs:cn-north-1:123456789012:log-group:/aws/lambda/f');
  });

  it('names neither region nor account in a bucket ARN', () => {
    expect(arns.s3Bucket(CHINA, 'b')).to.equal('arn:aws-cn:s3:::b');
  });

  it('answers offline with aws, us-east-1 and the local account', () => {
    expect(arns.stateMachine(OFFLINE_SCOPE, 'm')).to.equal('arn:aws:states:us-east-1:000000000000:stateMachine:m');
  });
});

describe('workflow/arns: ARNs built from another ARN', () => {
  const MACHINE = 'arn:aws-cn:states:cn-north-1:123456789012:stateMachine:m';

  it('names an execution, an EXPRESS execution and a Map Run\'s machine from the ARNs they derive from', () => {
    expect(executionArnOf(MACHINE, 'run-1')).to.equal('arn:aws-cn:states:cn-north-1:123456789012:execution:m:run-1');
    expect(expressExecutionArnOf(MACHINE, 'run-1', 'id')).to.equal('arn:aws-cn:states:cn-north-1:123456789012:express:m:run-1:id');
    expect(mapRunMachineArn('arn:aws:states:us-east-1:123456789012:mapRun:m/Map:5f0c')).to.equal('arn:aws:states:us-east-1:123456789012:stateMachine:m/Map');
  });

  it('names a role and its session without a region, in the scope\'s partition', () => {
    const scope = { partition: 'aws-us-gov', account: '123456789012' };
    expect(arns.role(scope, 'r')).to.equal('arn:aws-us-gov:iam::123456789012:role/r');
    expect(arns.assumedRole(scope, 'r', 's')).to.equal('arn:aws-us-gov:sts::123456789012:assumed-role/r/s');
  });
});
