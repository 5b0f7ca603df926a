// The stack's Terraform output names, read back with `terraform output -json` by the AWS run
// client. Kept free of cdktf imports so that client loads nothing of the stack.

export const OUTPUTS = {
  stateMachineArn: 'state_machine_arn',
  tableName: 'table_name',
  queueUrl: 'queue_url',
  deadLetterQueueUrl: 'dead_letter_queue_url',
  seedFunctionName: 'seed_function_name',
} as const;
