// What a Task's Resource names, and so which events AWS records for it: a Lambda function by
// ARN (LambdaFunction* events) or a service integration `arn:aws:states:::service:action`
// (Task* events, with resourceType and resource split out).
import { rememberedByText } from './memo.ts';

export type ResourceKind =
  | { kind: 'lambda'; arn: string }
  | { kind: 'service'; resourceType: string; resource: string; pattern: 'request' | 'sync' | 'waitForTaskToken' }
  | { kind: 'activity'; arn: string }
  | { kind: 'unknown'; arn: string };

const LAMBDA = /^arn:aws[\w-]*:lambda:[^:]+:\d{12}:function:[^:]+(?::[^:]+)?$/;
// `arn:aws:states:::sqs:sendMessage`, and the SDK integrations `arn:aws:states:::aws-sdk:s3:listBuckets`
// whose resourceType AWS records as `aws-sdk:s3`.
const SERVICE = /^arn:aws[\w-]*:states:::((?:aws-sdk:)?[^:]+):(.+)$/;
const ACTIVITY = /^arn:aws[\w-]*:states:[^:]+:\d{12}:activity:/;

// Each ARN's kind, found once (a Task classifies its resource at every call), frozen since it is shared.
const MAX_KINDS = 10_000;
const rememberedKind = rememberedByText((arn) => Object.freeze(kindOf(arn)), MAX_KINDS);

/** What an ARN names; the same frozen object for the same ARN. */
export function classifyResource(arn: string): ResourceKind {
  return rememberedKind(arn);
}

function kindOf(arn: string): ResourceKind {
  if (LAMBDA.test(arn)) return { kind: 'lambda', arn };
  const service = SERVICE.exec(arn);
  if (service) {
    const action = service[2]!;
    const pattern = action.endsWith('.sync') || action.includes('.sync:') ? 'sync' : action.endsWith('.waitForTaskToken') ? 'waitForTaskToken' : 'request';
    return { kind: 'service', resourceType: service[1]!, resource: action, pattern };
  }
  if (ACTIVITY.test(arn)) return { kind: 'activity', arn };
  return { kind: 'unknown', arn };
}
