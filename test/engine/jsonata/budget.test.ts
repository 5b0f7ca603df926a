// One JSONata evaluation runs under a depth and a step budget, stops when its signals abort,
// and lets the event loop turn while it runs.
import { expect } from 'chai';
import { evaluateJsonata, QUERY_EVALUATION_ERROR, type JsonataScope } from '../../../engine/jsonata/evaluate.ts';
import { rejection } from '../../helpers.ts';

const SMALL = { depth: 1_000, steps: 20_000 };
const NON_TAIL = '{% ($f := function($n){ 1 + $f($n + 1) }; $f(0)) %}';
const TAIL = '{% ($f := function($n){ $f($n + 1) }; $f(0)) %}';

function scope(extra: Partial<JsonataScope> = {}): JsonataScope {
  return { states: { input: {}, context: {} }, variables: {}, ...extra };
}

describe('engine/jsonata/budget', () => {
  it('ends a function that calls itself forever (not a tail call) at the depth limit', async () => {
    const error = await rejection(evaluateJsonata(NON_TAIL, scope({ limits: SMALL }), 'Output'));
    expect(error).to.include({ name: QUERY_EVALUATION_ERROR });
    expect(error.message).to.equal(
      "The JSONata expression '($f := function($n){ 1 + $f($n + 1) }; $f(0))' specified for the field 'Output' threw an error " +
        'during evaluation: Expression evaluation depth limit (1000) exceeded: Check for non-terminating recursion',
    );
  });

  it('ends it at the default depth limit too', async () => {
    const error = await rejection(evaluateJsonata(NON_TAIL, scope(), 'Output'));
    expect(error).to.include({ name: QUERY_EVALUATION_ERROR });
    expect(error.message).to.contain('Expression evaluation depth limit (50000) exceeded');
  });

  it('ends an endless tail call (a loop) at the step limit', async () => {
    const error = await rejection(evaluateJsonata(TAIL, scope({ limits: SMALL }), 'Output'));
    expect(error).to.include({ name: QUERY_EVALUATION_ERROR });
    expect(error.message).to.contain('Expression evaluation step limit (20000) exceeded: Check for an infinite loop');
  });

  it('lets a real expression run: a map over 10,000 items, a recursion 1,000 deep', async () => {
    const map = '{% $sum($map([1..10000], function($v){ $v * 2 })) %}';
    expect(await evaluateJsonata(map, scope(), 'Output')).to.equal(100_010_000);
    const deep = '{% ($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(1000)) %}';
    expect(await evaluateJsonata(deep, scope(), 'Output')).to.equal(1000);
  });

  it("stops an endless loop when a signal aborts, throwing the signal's reason as it is", async () => {
    const controller = new AbortController();
    const reason = new Error('interrupted');
    // A timer: it fires only because the evaluation returns to the event loop.
    const timer = setTimeout(() => controller.abort(reason), 50);
    try {
      expect(await rejection(evaluateJsonata(TAIL, scope({ signals: [controller.signal] }), 'Output'))).to.equal(reason);
    } finally {
      clearTimeout(timer);
    }
  });

  it('each evaluation has its own budget, concurrent ones of the same expression included', async () => {
    const controller = new AbortController();
    const reason = new Error('only the first');
    const first = rejection(evaluateJsonata(TAIL, scope({ signals: [controller.signal] }), 'Output'));
    const second = rejection(evaluateJsonata(TAIL, scope({ limits: SMALL }), 'Output'));
    expect((await second).message).to.contain('step limit (20000)');
    controller.abort(reason);
    expect(await first).to.equal(reason);
  });
});
