// Step Functions Local's way of choosing a test case on the endpoint: StartExecution (or
// StartSyncExecution) with `<stateMachineArn>#<TestCaseName>`, the test case looked up under the
// state machine's name in the mock configuration the endpoint was started with (SFN_MOCK_CONFIG).
import { findTestCase, UnknownTestCase, type MockConfig, type TestCase } from '../mock-config.ts';
import { validationError } from './errors.ts';
import type { StateMachine } from './state-machines.ts';

/** The environment variable naming the mock configuration file, as Step Functions Local reads it. */
export const MOCK_CONFIG_ENV = 'SFN_MOCK_CONFIG';

/** `arn…:stateMachine:Name#TestCase` → the ARN and the test case's name. */
export function splitTestCase(arn: string): { arn: string; testCase?: string } {
  const at = arn.indexOf('#');
  return at < 0 ? { arn } : { arn: arn.slice(0, at), testCase: arn.slice(at + 1) };
}

/** The test case an execution runs under, if its ARN names one; a ValidationException when the endpoint cannot find it. */
export function testCaseFor(config: MockConfig | undefined, machine: StateMachine, testCase: string | undefined): TestCase | undefined {
  if (testCase === undefined) return undefined;
  if (config === undefined) {
    throw validationError(
      `'${machine.arn}#${testCase}' names the test case '${testCase}', but this endpoint has no mock configuration: start it with ${MOCK_CONFIG_ENV}=<file> (make serve MOCK_CONFIG=<file>)`,
    );
  }
  try {
    return findTestCase(config, machine.name, testCase, machine.parsed);
  } catch (error) {
    if (error instanceof UnknownTestCase) throw validationError(error.message);
    throw error;
  }
}
