// The DynamoDB operations dynalite answers (its index.js's validOperations); any other it answers
// UnknownOperationException. The bridge runs aws-sdk:dynamodb actions of these alone, and refuses
// the others (TransactWriteItems, ExecuteStatement...) by name when a definition is created.
export const DYNALITE_OPERATIONS: readonly string[] = [
  'BatchGetItem',
  'BatchWriteItem',
  'CreateTable',
  'DeleteItem',
  'DeleteTable',
  'DescribeTable',
  'DescribeTimeToLive',
  'GetItem',
  'ListTables',
  'ListTagsOfResource',
  'PutItem',
  'Query',
  'Scan',
  'TagResource',
  'UntagResource',
  'UpdateItem',
  'UpdateTable',
];
