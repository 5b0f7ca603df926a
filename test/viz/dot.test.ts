import { expect } from 'chai';
import { EXPRESSION_CHARS, InvalidDefinition, aslToDot, describeCondition, formatMs, listStates } from '../../viz/dot.ts';
import { renderDiagram } from '../../viz/diagram.ts';
import { drawnEdges, drawnNodes, parseSvg } from './svg.ts';

const nested = {
  StartAt: 'Fan out',
  States: {
    'Fan out': {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Left', States: { Left: { Type: 'Wait', Seconds: 5, End: true } } },
        { StartAt: 'Right', States: { Right: { Type: 'Pass', End: true } } },
      ],
      Next: 'Each',
    },
    Each: {
      Type: 'Map',
      ItemProcessor: {
        StartAt: 'Work',
        States: {
          Work: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 0 }], Next: 'Done' },
          Done: { Type: 'Succeed' },
        },
      },
      Next: 'Stop',
    },
    Stop: { Type: 'Fail', Error: 'Stopped' },
  },
};

function invalid(definition: unknown): InvalidDefinition {
  try {
    aslToDot(definition);
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidDefinition);
    expect((error as Error).name).to.equal('InvalidDefinition');
    return error as InvalidDefinition;
  }
  throw new Error('aslToDot accepted the definition');
}

describe('viz/dot', () => {
  describe('describeCondition', () => {
    it('writes comparisons with operators and quoted values', () => {
      expect(describeCondition({ Variable: '$.a', StringEquals: 'x' })).to.equal('$.a == "x"');
      expect(describeCondition({ Variable: '$.n', NumericGreaterThanEquals: 3 })).to.equal('$.n >= 3');
      expect(describeCondition({ Variable: '$.b', BooleanEquals: false })).to.equal('$.b == false');
      expect(describeCondition({ Variable: '$.t', TimestampLessThan: '2025-01-01T00:00:00Z' })).to.equal('$.t < "2025-01-01T00:00:00Z"');
      expect(describeCondition({ Variable: '$.s', StringMatches: 'log-*' })).to.equal('$.s matches "log-*"');
    });

    it('writes a Path comparison against the path, unquoted', () => {
      expect(describeCondition({ Variable: '$.a', NumericLessThanPath: '$.limit' })).to.equal('$.a < $.limit');
    });

    it('writes type tests in words', () => {
      expect(describeCondition({ Variable: '$.a', IsPresent: false })).to.equal('$.a is absent');
      expect(describeCondition({ Variable: '$.a', IsNull: true })).to.equal('$.a is null');
    });

    it('writes Not, And and Or, with brackets around nested combinations', () => {
      expect(describeCondition({ Not: { Variable: '$.List[0]', StringEquals: 'DONE' } })).to.equal('not $.List[0] == "DONE"');
      expect(describeCondition({
        And: [
          { Variable: '$.a', NumericGreaterThan: 1 },
          { Or: [{ Variable: '$.b', IsString: true }, { Variable: '$.c', BooleanEquals: true }] },
        ],
      })).to.equal('$.a > 1 and ($.b is a string or $.c == true)');
    });

    it('shows a JSONata Condition as written', () => {
      expect(describeCondition({ Condition: '{% $states.input.n > 1 %}' })).to.equal('{% $states.input.n > 1 %}');
    });

    it('rejects a rule it cannot read with InvalidDefinition', () => {
      expect(() => describeCondition({ Variable: '$.a', StringSounds: 'x' })).to.throw(InvalidDefinition, 'unrecognised Choice rule');
    });
  });

  describe('formatMs', () => {
    it('keeps fractions of a millisecond, then rounds to ms, seconds and minutes', () => {
      expect([0, 0.04, 0.31, 3, 141.6, 1500, 21873, 125_000].map(formatMs)).to.deep.equal(['0 ms', '<0.1 ms', '0.3 ms', '3 ms', '142 ms', '1.50 s', '21.9 s', '2 min 5 s']);
    });
  });

  describe('aslToDot', () => {
    it('draws Map and Parallel contents as clusters, entered from their state', async () => {
      const root = parseSvg(await renderDiagram(nested));
      const clusters = root.querySelectorAll('g.cluster').map((group) => group.querySelector('text')!.text);
      expect(clusters).to.deep.equal(['Fan out: branch 1', 'Fan out: branch 2', 'Each: for each item']);
      const names = drawnNodes(root).map((node) => node.name);
      expect(names).to.include.members(['Fan out', 'Left', 'Right', 'Each', 'Work', 'Done', 'Stop']);
      const edges = drawnEdges(root).map((edge) => `${edge.tail}->${edge.head}:${edge.text}`);
      expect(edges).to.include.members(['Fan out->Left:branch 1', 'Fan out->Right:branch 2', 'Each->Work:for each item', 'Fan out->Each:', 'Each->Stop:']);
    });

    it('shapes Wait, Map and Parallel apart from the other types', () => {
      const dot = aslToDot(nested);
      expect(dot).to.match(/"Left" \[[^\]]*shape="hexagon"/);
      expect(dot).to.match(/"Each" \[[^\]]*shape="box3d"/);
      expect(dot).to.match(/"Fan out" \[[^\]]*peripheries=2/);
      expect(dot).to.match(/"Stop" \[[^\]]*shape="octagon"/);
    });

    it('clips a long condition or Wait expression, which would widen the whole diagram, keeping it whole as the tooltip', async () => {
      const condition = '{% $count($states.input.unread.UnprocessedKeys) = 0 and $count($sent) = $count($keys) %}';
      const wait = '{% $min([$power(2, $attempts - 1), 8]) %}';
      const svg = await renderDiagram({
        QueryLanguage: 'JSONata',
        StartAt: 'Check',
        States: {
          Check: { Type: 'Choice', Choices: [{ Condition: condition, Next: 'Done' }], Default: 'Pause' },
          Pause: { Type: 'Wait', Seconds: wait, Next: 'Check' },
          Done: { Type: 'Succeed' },
        },
      });
      const root = parseSvg(svg);
      const choice = drawnEdges(root).find((edge) => edge.classes.includes('choice'))!;
      expect(choice.text).to.equal(`${condition.slice(0, EXPRESSION_CHARS - 1)}…`);
      // The whole condition is in the drawing only as the label's tooltip.
      expect(svg).to.contain('$count($sent) = $count($keys) %}');
      const pause = drawnNodes(root).find((node) => node.name === 'Pause')!;
      expect(pause.text).to.contain('…').and.not.contain(wait);
    });

    it('draws no retry for a retrier with MaxAttempts 0', () => {
      expect(aslToDot(nested)).to.not.contain('"Work" -> "Work"');
    });

    it('escapes quotes and markup in state names and labels', async () => {
      const svg = await renderDiagram({
        StartAt: 'Say "hi" <b>',
        States: { 'Say "hi" <b>': { Type: 'Pass', Next: 'Check & go' }, 'Check & go': { Type: 'Choice', Choices: [{ Variable: '$.x', StringEquals: 'a"b', Next: 'Say "hi" <b>' }] } },
      });
      const root = parseSvg(svg);
      expect(drawnNodes(root).map((node) => node.name)).to.include.members(['Say "hi" <b>', 'Check & go']);
      expect(drawnEdges(root).find((edge) => edge.tail === 'Check & go')!.text).to.equal('$.x == "a\\"b"');
    });

    it('highlights entered states with their count and time, dims the others and marks the failed one', async () => {
      const definition = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: true, Next: 'C' }], Default: 'D' }, C: { Type: 'Fail' }, D: { Type: 'Succeed' } } };
      const root = parseSvg(await renderDiagram(definition, { activity: { A: { entered: 2, ms: 1500 }, B: { entered: 2, ms: 3 }, C: { entered: 1, ms: 0 } }, failedState: 'C' }));
      const nodes = Object.fromEntries(drawnNodes(root).map((node) => [node.name, node]));
      expect(nodes.A!.classes).to.include('entered');
      expect(nodes.A!.text).to.contain('ran 2× · 1.50 s');
      expect(nodes.D!.classes).to.include('skipped');
      expect(nodes.C!.classes).to.include.members(['entered', 'failed']);
      expect(nodes.C!.text).to.contain('FAILED HERE');
      expect(root.querySelectorAll('g.node.failed')).to.have.length(1);
    });

    it('lists every state, nested ones included', () => {
      expect(listStates(nested).map((state) => `${state.name}:${state.type}`)).to.deep.equal([
        'Fan out:Parallel', 'Left:Wait', 'Right:Pass', 'Each:Map', 'Work:Task', 'Done:Succeed', 'Stop:Fail',
      ]);
    });

    it('rejects a definition without StartAt or States', () => {
      expect(invalid({ States: { A: { Type: 'Pass', End: true } } }).message).to.contain('no StartAt');
      expect(invalid({ StartAt: 'A' }).message).to.contain('no States');
      expect(invalid('{}').message).to.contain('must be an object');
    });

    it('rejects a transition to a state that does not exist, naming both', () => {
      expect(invalid({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } }).message).to.equal('state "A": Next "Nowhere" names no state in its scope');
      expect(invalid({ StartAt: 'B', States: { A: { Type: 'Pass', End: true } } }).message).to.contain('StartAt "B" names no state');
    });

    it('rejects an unknown state type', () => {
      expect(invalid({ StartAt: 'A', States: { A: { Type: 'Sleep', End: true } } }).message).to.contain('unknown Type "Sleep"');
    });

    it('rejects a state name DOT cannot write or that a marker uses', () => {
      expect(invalid({ StartAt: 'a\\', States: { 'a\\': { Type: 'Succeed' } } }).message).to.contain('backslashes');
      expect(invalid({ StartAt: '(start)', States: { '(start)': { Type: 'Succeed' } } }).message).to.contain('reserved');
    });
  });
});
