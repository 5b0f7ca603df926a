// The errors the Step Functions endpoint answers with: AWS's error code (`__type`), its message
// and HTTP status, as AWS's JSON 1.0 protocol carries them and the SDK parses them.

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export const validationError = (message: string) => new ApiError('ValidationException', message);
export const invalidArn = (arn: string) => new ApiError('InvalidArn', `Invalid Arn: '${arn}'`);
// AWS's message names no token, whatever the token was (recorded for SendTaskSuccess and
// SendTaskFailure given "NoSuchTaskToken", and for ListStateMachineAliases given a made-up nextToken).
export const invalidToken = () => new ApiError('InvalidToken', "Invalid Token: 'Invalid token'");
