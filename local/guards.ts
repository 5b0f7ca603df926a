// Refuses, before a run, the ASL features that aws-local-stepfunctions would not reject but
// would silently run differently from AWS: a local success would then prove nothing.
import { forEachState, isObject, type AslState } from './definition.ts';

export interface FidelityFinding {
  /** The state's name; nested states are prefixed by their Parallel or Map state, `Outer › Inner`. */
  state: string;
  field: string;
  reason: string;
}

export class UnsupportedFeature extends Error {
  override name = 'UnsupportedFeature';

  constructor(readonly findings: FidelityFinding[]) {
    super(
      findings.map((finding) => `state "${finding.state}": ${finding.field} ${finding.reason}`).join('; ') +
        ' (the local engine supports JSONPath states only)',
    );
  }
}

const JSONATA = 'QueryLanguage: "JSONata"';

const STATE_FIELDS: Record<string, string> = {
  Assign: 'is not supported: the engine would drop the variables without a word',
  Arguments: 'is not supported: it is JSONata-only and the engine would ignore it',
  Output: 'is not supported: it is JSONata-only and the engine would ignore it',
};

const MAP_FIELDS: Record<string, string> = {
  ItemReader: 'is not supported: the engine would iterate over the state input instead of reading the items',
  ItemBatcher: 'is not supported: the engine would pass items one by one instead of in batches',
  ResultWriter: 'is not supported: the engine would return the results instead of writing them out',
};

/** Every unsupported feature, in definition order; nested branches and Map processors included. */
export function findUnsupported(definition: unknown): FidelityFinding[] {
  const findings: FidelityFinding[] = [];
  forEachState(
    definition,
    (_name, state, path) => checkState(state, path, findings),
    (machine, owner) => {
      if (machine.QueryLanguage === 'JSONata') {
        findings.push({
          state: owner === '' ? '(top level)' : owner,
          field: JSONATA,
          reason: 'is not supported: the engine would treat every JSONata expression as a literal string',
        });
      }
    },
  );
  return findings;
}

export function checkFidelity(definition: unknown): void {
  const findings = findUnsupported(definition);
  if (findings.length > 0) throw new UnsupportedFeature(findings);
}

function checkState(state: AslState, path: string, findings: FidelityFinding[]): void {
  if (state.QueryLanguage === 'JSONata') {
    findings.push({ state: path, field: JSONATA, reason: 'is not supported: the engine evaluates JSONPath only' });
  }
  for (const [field, reason] of Object.entries(STATE_FIELDS)) {
    if (field in state) findings.push({ state: path, field, reason });
  }
  if (state.Type === 'Map') {
    for (const [field, reason] of Object.entries(MAP_FIELDS)) {
      if (field in state) findings.push({ state: path, field, reason });
    }
    const processor = state.ItemProcessor ?? state.Iterator;
    if (isObject(processor) && isObject(processor.ProcessorConfig) && processor.ProcessorConfig.Mode === 'DISTRIBUTED') {
      findings.push({
        state: path,
        field: 'ItemProcessor.ProcessorConfig.Mode: "DISTRIBUTED"',
        reason: 'is not supported: the engine would run the child executions inline, within this history and its quotas',
      });
    }
  }
}
