// AWS list prices, US East (N. Virginia), as the pages below gave them on 2026-11-29 (found
// through the project's search tool). Each figure is in dollars per unit.
export const PRICES_AS_OF = '2026-11-29';

export const PRICES = {
  /** https://aws.amazon.com/step-functions/pricing/ : $0.025 per 1,000 state transitions. */
  standardTransition: 0.025 / 1000,
  /** Same page: Express $1.00 per 1M requests. */
  expressRequest: 1 / 1_000_000,
  /** Same page: Express duration $0.00001667 per GB-second, billed in 64 MB and 100 ms steps. */
  expressGbSecond: 0.00001667,
  /** https://aws.amazon.com/lambda/pricing/ : $0.20 per 1M requests, Arm (the seed's architecture) $0.0000133334 per GB-second. */
  lambdaRequest: 0.2 / 1_000_000,
  lambdaGbSecond: 0.0000133334,
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ (since the November 2024 cut): $0.625 per 1M write, $0.125 per 1M read request units. */
  dynamodbWriteUnit: 0.625 / 1_000_000,
  dynamodbReadUnit: 0.125 / 1_000_000,
  /** https://aws.amazon.com/sqs/pricing/ : standard queue $0.40 per 1M requests (a batch of up to 10 messages and 64 KB is one). */
  sqsRequest: 0.4 / 1_000_000,
  /** Same page: FIFO queue $0.50 per 1M requests (same 64 KB chunks; the first 1M requests a month are free for either type, not counted here). */
  sqsFifoRequest: 0.5 / 1_000_000,
  /** https://aws.amazon.com/s3/pricing/ : S3 Standard $0.005 per 1,000 PUT/POST/LIST, $0.0004 per 1,000 GET. */
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
  /**
   * https://aws.amazon.com/cloudwatch/pricing/ (Logs, Vended Logs delivered to CloudWatch Logs, first
   * 10 TB; Step Functions' execution logs are billed at the vended logs rate, per
   * https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html): $0.50 per GB ingested, as of
   * 2026-12-06. The search tool's copy of the pricing page did not show its table; the figure is the
   * one the Standard log class and secondary sources (c3x.dev, June 2026) give for us-east-1.
   */
  cloudwatchLogsGb: 0.5,
} as const;

/**
 * Step Functions bills one state transition per child execution a Distributed Map starts
 * (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-transitions.html).
 */
export const TRANSITIONS_PER_CHILD_STARTED = 1;
