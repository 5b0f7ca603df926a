import { expect } from 'chai';
import { StatesError } from '../../engine/errors.ts';
import { resolveJsonataTemplate, type JsonataScope } from '../../engine/jsonata/evaluate.ts';
import {
  MAX_VARIABLE_NAME_LENGTH,
  VARIABLE_LIMITS,
  VariableScope,
  assign,
  variableNameProblem,
} from '../../engine/variables.ts';
import { rejection } from '../helpers.ts';

/** A string whose JSON text is exactly `bytes` long. */
const ofBytes = (bytes: number): string => 'x'.repeat(bytes - 2);

function thrown(action: () => void): StatesError {
  try {
    action();
  } catch (error) {
    expect(error).to.be.instanceOf(StatesError);
    return error as StatesError;
  }
  throw new Error('expected an error');
}

describe('engine/variables', () => {
  describe('VariableScope and assign', () => {
    it('stores variables and reassigns them', () => {
      const scope = new VariableScope();
      assign(scope, { x: 42, y: 'a' });
      assign(scope, { x: 43 });
      expect(scope.all()).to.deep.equal({ x: 43, y: 'a' });
      expect(scope.get('x')).to.equal(43);
      expect(scope.has('z')).to.equal(false);
    });

    it('lets a Parallel branch or Map iteration read the outer variables, and keeps its own to itself', () => {
      const outer = new VariableScope();
      assign(outer, { x: 42 });
      const branch = outer.child();
      const sibling = outer.child();
      expect(branch.get('x')).to.equal(42);
      assign(branch, { innerX: branch.get('x'), value: {} });
      expect(branch.all()).to.deep.equal({ x: 42, innerX: 42, value: {} });
      expect(sibling.has('innerX')).to.equal(false);
      expect(outer.all()).to.deep.equal({ x: 42 });
    });

    it('refuses an inner assignment to a variable of an outer scope', () => {
      const outer = new VariableScope();
      assign(outer, { x: 1 });
      const error = thrown(() => assign(outer.child(), { x: 2 }));
      expect(error.name).to.equal('States.Runtime');
      expect(error.message).to.contain("'x'");
      expect(outer.get('x')).to.equal(1);
    });

    it('gives a distributed Map child execution an empty scope of its own', () => {
      const outer = new VariableScope();
      assign(outer, { x: 1 });
      expect(new VariableScope().all()).to.deep.equal({});
    });

    it('refreshes the flattened view after an assignment, in the scope and in its children', () => {
      const outer = new VariableScope();
      const inner = outer.child();
      expect(inner.all()).to.deep.equal({});
      assign(outer, { a: 1 });
      expect(inner.all()).to.deep.equal({ a: 1 });
      const view = inner.all();
      expect(inner.all()).to.equal(view);
    });

    it('checks every name before storing any value', () => {
      const scope = new VariableScope();
      const error = thrown(() => assign(scope, { good: 1, 'bad name': 2 }));
      expect(error.name).to.equal('States.Runtime');
      expect(scope.all()).to.deep.equal({});
    });
  });

  describe('variableNameProblem', () => {
    it('accepts identifiers, including Unicode letters and a leading underscore', () => {
      for (const name of ['x', 'var_input_value', '_private', 'ItemsVar', 'café', 'a1', 'x'.repeat(MAX_VARIABLE_NAME_LENGTH)]) {
        expect(variableNameProblem(name), name).to.equal(undefined);
      }
    });

    it('refuses empty, too long, reserved and non-identifier names', () => {
      for (const name of ['', 'x'.repeat(MAX_VARIABLE_NAME_LENGTH + 1), 'states', '1x', 'a-b', 'a.b', '$x', 'a b']) {
        expect(variableNameProblem(name), name).to.be.a('string');
      }
    });
  });

  describe('size limits', () => {
    it('accepts a variable of exactly the limit and refuses one byte more', () => {
      assign(new VariableScope(), { v: ofBytes(VARIABLE_LIMITS.perVariable) });
      const error = thrown(() => assign(new VariableScope(), { v: ofBytes(VARIABLE_LIMITS.perVariable + 1) }));
      expect(error.name).to.equal('States.DataLimitExceeded');
      expect(error.message).to.contain("'v'");
    });

    it('refuses one Assign whose values together exceed the limit', () => {
      const half = ofBytes(VARIABLE_LIMITS.perAssign / 2 + 1);
      const error = thrown(() => assign(new VariableScope(), { a: half, b: half }));
      expect(error.name).to.equal('States.DataLimitExceeded');
    });

    it('refuses an execution whose variables together exceed the limit, counting a reassignment once', () => {
      const scope = new VariableScope();
      const big = ofBytes(VARIABLE_LIMITS.perVariable);
      const count = Math.floor(VARIABLE_LIMITS.perExecution / VARIABLE_LIMITS.perVariable);
      for (let i = 0; i < count; i++) assign(scope, { [`v${i}`]: big });
      assign(scope, { v0: big });
      expect(scope.totalBytes()).to.equal(count * VARIABLE_LIMITS.perVariable);
      const error = thrown(() => assign(scope.child(), { extra: 'x' }));
      expect(error.name).to.equal('States.DataLimitExceeded');
    });
  });

  describe('Assign evaluated as the engine does it', () => {
    it('computes every value from the variables as they were before the state, then stores them', async () => {
      const scope = new VariableScope();
      assign(scope, { theAnswer: 42 });
      const jsonata: JsonataScope = { states: { input: { n: 2 }, context: {} }, variables: scope.all() };
      const template = { theAnswer: 18, oldAnswer: '{% $theAnswer %}', n: '{% $states.input.n %}' };
      assign(scope, (await resolveJsonataTemplate(template, jsonata, 'Assign')) as Record<string, unknown>);
      expect(scope.all()).to.deep.equal({ theAnswer: 18, oldAnswer: 42, n: 2 });
    });

    it('names a failing value Assign/<name>, as AWS records', async () => {
      const jsonata: JsonataScope = { states: { input: {}, context: {} }, variables: {} };
      const error = await rejection(resolveJsonataTemplate({ result: '{% $doesNotExist %}' }, jsonata, 'Assign'));
      expect(error.name).to.equal('States.QueryEvaluationError');
      expect(error.message).to.equal(
        "The JSONata expression '$doesNotExist' specified for the field 'Assign/result' returned nothing (undefined).",
      );
    });
  });
});
