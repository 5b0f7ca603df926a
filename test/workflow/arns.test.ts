import { expect } from 'chai';
import { arns, OFFLINE_SCOPE } from '../../workflow/arns.ts';

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
