import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { evaluateJsonata, type JsonataScope } from '../../../engine/jsonata/evaluate.ts';
import { MAX_RANGE_LENGTH, hash, partition, random, range } from '../../../engine/jsonata/functions.ts';
import { rejection } from '../../helpers.ts';

const scope: JsonataScope = { states: { input: { fst: [0, 1, 2], snd: 1, text: 'abc' }, context: {} }, variables: {} };
const run = (expression: string): Promise<unknown> => evaluateJsonata(`{% ${expression} %}`, scope, 'Output');

describe('engine/jsonata/functions', () => {
  describe('$partition', () => {
    it('splits an array into chunks, the last holding the rest (recorded: [0,1,2] by 1)', async () => {
      expect(await run('$partition($states.input.fst, $states.input.snd)')).to.deep.equal([[0], [1], [2]]);
      expect(await run('$partition([1,2,3,4,5,6,7,8,9], 4)')).to.deep.equal([[1, 2, 3, 4], [5, 6, 7, 8], [9]]);
      expect(await run('$partition([1,2], 5)')).to.deep.equal([[1, 2]]);
    });

    it('truncates a fractional chunk size towards zero', () => {
      expect(partition([1, 2, 3, 4, 5], 2.9)).to.deep.equal([[1, 2], [3, 4], [5]]);
    });

    it('gives nothing for a zero chunk size or an empty array, which fails the field', async () => {
      expect(partition([1], 0)).to.equal(undefined);
      expect(partition([], 2)).to.equal(undefined);
      expect((await rejection(run('$partition([1,2], 0)'))).message).to.contain('returned nothing (undefined)');
    });

    it('rejects a non-number chunk size through JSONata\'s signature check', async () => {
      expect((await rejection(run("$partition([1,2], 'a')"))).message).to.contain('T0410');
    });
  });

  describe('$range', () => {
    it('counts from start to end by step, inclusive', async () => {
      expect(await run('$range(0, 10, 2)')).to.deep.equal([0, 2, 4, 6, 8, 10]);
      expect(await run('$range(10, 1, -3)')).to.deep.equal([10, 7, 4, 1]);
    });

    it('returns a single value bare, as AWS recorded for $range(1, 9, 9)', async () => {
      expect(await run('$range(1, 9, 9)')).to.equal(1);
    });

    it('truncates fractional arguments towards zero', () => {
      expect(range(-1.7, 2, 1)).to.deep.equal([-1, 0, 1, 2]);
    });

    it('gives nothing without a step, with a zero step, or with a step against the direction', () => {
      expect(range(1, 5)).to.equal(undefined);
      expect(range(1, 5, 0)).to.equal(undefined);
      expect(range(1, 5, -1)).to.equal(undefined);
      expect(range(5, 1, 1)).to.equal(undefined);
    });

    it('refuses a range longer than AWS builds', async () => {
      expect(() => range(1, MAX_RANGE_LENGTH + 1, 1)).to.throw('memory limit exceeded');
      expect((range(1, MAX_RANGE_LENGTH, 1) as number[]).length).to.equal(MAX_RANGE_LENGTH);
      const error = await rejection(run(`$range(1, ${MAX_RANGE_LENGTH + 1}, 1)`));
      expect(error.name).to.equal('States.QueryEvaluationError');
      expect(error.message).to.contain('threw an error during evaluation: Expression evaluation memory limit exceeded');
    });
  });

  describe('$hash', () => {
    it('gives the hex digest for each of AWS\'s algorithm names', async () => {
      for (const [name, node] of [['MD5', 'md5'], ['SHA-1', 'sha1'], ['SHA-256', 'sha256'], ['SHA-384', 'sha384'], ['SHA-512', 'sha512']]) {
        expect(await run(`$hash($states.input.text, '${name}')`)).to.equal(createHash(node!).update('abc').digest('hex'));
      }
    });

    it('gives nothing without an algorithm and refuses an unknown or wrongly cased one', async () => {
      expect(hash('abc')).to.equal(undefined);
      const error = await rejection(run("$hash('abc', 'sha-256')"));
      expect(error.name).to.equal('States.QueryEvaluationError');
      expect(error.message).to.contain("'sha-256' is not supported");
    });

    it('rejects a value that is not a string', async () => {
      expect((await rejection(run("$hash(1, 'MD5')"))).message).to.contain('T0410');
    });
  });

  describe('$random', () => {
    it('gives a number in [0, 1), the same one for the same seed', async () => {
      const value = await run('$random()');
      expect(value).to.be.a('number').within(0, 1);
      expect(await run('$random(42)')).to.equal(await run('$random(42)'));
      expect(random(42)).to.not.equal(random(43));
      for (const seed of [0, 1, -5, 2 ** 40, 7.9]) expect(random(seed)).to.be.at.least(0).and.below(1);
    });
  });

  describe('$uuid', () => {
    it('gives a version 4 UUID, a new one each call', async () => {
      const first = await run('$uuid()');
      expect(first).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(await run('$uuid()')).to.not.equal(first);
    });
  });

  describe('$parse', () => {
    it('deserializes JSON text (recorded: "true" gives true)', async () => {
      expect(await run("$parse('true')")).to.equal(true);
      expect(await run('$parse(\'{"a": [1, null]}\')')).to.deep.equal({ a: [1, null] });
    });

    it('fails on text that is not JSON', async () => {
      const error = await rejection(run("$parse('{')"));
      expect(error.name).to.equal('States.QueryEvaluationError');
      expect(error.message).to.contain('threw an error during evaluation');
    });
  });
});
