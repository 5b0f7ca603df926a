// What both runners' command lines share: the error a bad argument raises, parsing that refuses
// a repeated option, and the workflow option.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { APP, DEFAULT_WORKFLOW, findWorkflow, UnknownEntry } from '../workflow/app.ts';
import { QUEUE_TYPES, type Application, type QueueType, type WorkflowSpec } from '../workflow/description.ts';

export class InvalidArguments extends Error {
  override name = 'InvalidArguments';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * node:util's parseArgs, strict, with its failures as InvalidArguments; an option with a value
 * given twice is refused unless it is declared `multiple` (parseArgs alone keeps the last:
 * `--count 3 --count 4` would silently run 4).
 */
export function parseOptions<T extends Options>(argv: string[], options: T) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, strict: true, allowPositionals: false, tokens: true, options });
  } catch (error) {
    throw new InvalidArguments((error as Error).message);
  }
  const given = parsed.tokens.flatMap((token) => (token.kind === 'option' && token.value !== undefined ? [token] : []));
  for (const [index, token] of given.entries()) {
    const earlier = given.slice(0, index).find((other) => other.name === token.name);
    if (earlier && !options[token.name]?.multiple) {
      throw new InvalidArguments(`--${token.name} was given twice ("${earlier.value}" and "${token.value}"); give it once`);
    }
  }
  return parsed.values;
}

/** `--workflow NAME` (`make local|run WORKFLOW=NAME`): a workflow of the description, transfer-records by default. */
export function selectWorkflow(name: string | undefined, app: Application = APP): WorkflowSpec {
  try {
    return findWorkflow(app, name ?? DEFAULT_WORKFLOW);
  } catch (error) {
    if (error instanceof UnknownEntry) throw new InvalidArguments(`--workflow: ${error.message}`);
    throw error;
  }
}

/** `--queue TYPE` (`make local|serve QUEUE=TYPE`): standard or fifo. */
export function parseQueueType(text: string): QueueType {
  if (!(QUEUE_TYPES as readonly string[]).includes(text)) throw new InvalidArguments(`--queue must be one of ${QUEUE_TYPES.join(', ')}, got "${text}"`);
  return text as QueueType;
}
