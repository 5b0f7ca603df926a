import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { checkFidelity, findUnsupported, UnsupportedFeature } from '../../local/guards.ts';
import { WORKFLOW_DEFINITION } from '../../workflow/resources.ts';

const pass = (extra: Record<string, unknown> = {}) => ({ Type: 'Pass', End: true, ...extra });
const machine = (states: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  StartAt: Object.keys(states)[0],
  States: states,
  ...extra,
});

function refusal(definition: unknown): UnsupportedFeature {
  try {
    checkFidelity(definition);
  } catch (error) {
    expect(error).to.be.instanceOf(UnsupportedFeature);
    return error as UnsupportedFeature;
  }
  throw new Error('expected checkFidelity to refuse the definition');
}

describe('local/guards', () => {
  it('accepts the deployed workflow', () => {
    expect(() => checkFidelity(JSON.parse(readFileSync(WORKFLOW_DEFINITION, 'utf8')))).not.to.throw();
  });

  it('refuses a JSONata state, naming it', () => {
    const error = refusal(JSON.parse(readFileSync('test/fixtures/asl/jsonata.asl.json', 'utf8')));
    expect(error.name).to.equal('UnsupportedFeature');
    expect(error.message).to.contain('state "Count Items"').and.to.contain('QueryLanguage: "JSONata"');
    expect(error.findings.map((finding) => finding.field)).to.deep.equal(['QueryLanguage: "JSONata"', 'Output']);
  });

  it('refuses a top-level JSONata query language', () => {
    const error = refusal(machine({ A: pass() }, { QueryLanguage: 'JSONata' }));
    expect(error.findings).to.deep.include.members([
      { state: '(top level)', field: 'QueryLanguage: "JSONata"', reason: error.findings[0]!.reason },
    ]);
  });

  it('accepts an explicit JSONPath query language', () => {
    expect(findUnsupported(machine({ A: pass({ QueryLanguage: 'JSONPath' }) }, { QueryLanguage: 'JSONPath' }))).to.deep.equal([]);
  });

  for (const field of ['Assign', 'Arguments', 'Output']) {
    it(`refuses ${field}, naming the state and the field`, () => {
      const error = refusal(machine({ First: pass({ Next: 'Second', End: undefined }), Second: pass({ [field]: {} }) }));
      expect(error.findings).to.have.length(1);
      expect(error.findings[0]).to.include({ state: 'Second', field });
    });
  }

  for (const field of ['ItemReader', 'ItemBatcher', 'ResultWriter']) {
    it(`refuses a Map's ${field}`, () => {
      const map = { Type: 'Map', End: true, [field]: {}, ItemProcessor: machine({ Inner: pass() }) };
      expect(refusal(machine({ Items: map })).findings[0]).to.include({ state: 'Items', field });
    });
  }

  it('refuses a distributed Map, and walks into its processor', () => {
    const map = {
      Type: 'Map',
      End: true,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, ...machine({ Step: pass({ Assign: { x: 1 } }) }) },
    };
    const error = refusal(machine({ Fan: map }));
    expect(error.findings.map(({ state, field }) => `${state}: ${field}`)).to.deep.equal([
      'Fan: ItemProcessor.ProcessorConfig.Mode: "DISTRIBUTED"',
      'Fan › Step: Assign',
    ]);
  });

  it('accepts an inline Map, including the older Iterator form', () => {
    const inline = { Type: 'Map', End: true, ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, ...machine({ A: pass() }) } };
    const legacy = { Type: 'Map', End: true, Iterator: machine({ B: pass() }) };
    expect(findUnsupported(machine({ One: { ...inline, End: undefined, Next: 'Two' }, Two: legacy }))).to.deep.equal([]);
  });

  it('walks nested Parallel branches and Map iterators', () => {
    const deep = {
      Type: 'Parallel',
      End: true,
      Branches: [
        machine({ Left: pass() }),
        machine({ Loop: { Type: 'Map', End: true, Iterator: machine({ Deepest: pass({ Arguments: {} }) }) } }),
      ],
    };
    expect(refusal(machine({ Split: deep })).findings).to.deep.equal([
      {
        state: 'Split › Loop › Deepest',
        field: 'Arguments',
        reason: 'is not supported: it is JSONata-only and the engine would ignore it',
      },
    ]);
  });

  it('names a nested machine that switches to JSONata', () => {
    const parallel = { Type: 'Parallel', End: true, Branches: [machine({ A: pass() }, { QueryLanguage: 'JSONata' })] };
    expect(refusal(machine({ Split: parallel })).findings[0]).to.include({ state: 'Split', field: 'QueryLanguage: "JSONata"' });
  });
});
