// An error answer of a service emulated in this process (SNS, EventBridge), as its API names it:
// the bridge turns it into the Task's error (Step Functions' naming), the endpoint into the wire's.
export class EmulatedServiceError extends Error {
  constructor(
    /** The error code on the wire, e.g. SNS's NotFound or EventBridge's ResourceNotFoundException. */
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}
