// AWS Step Functions' quotas, the one place they are written: the seed Lambda's bounds, the
// loop contracts, the offline runtime's enforcement and the reports all read them from here.

export const QUOTAS = {
  /** Events in one execution's history. */
  historyEvents: 25_000,
  /** A state's input or output, an execution's input, a task's result, in bytes. */
  payloadBytes: 256 * 1024,
};
