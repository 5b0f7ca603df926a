// The user's regular expressions, matched by RE2: the same answers as JavaScript's RegExp for the
// patterns AWS accepts in JSONata and in the JSONPath filter, linear time for the ones that make
// RegExp backtrack for hours, and a named refusal for what RE2 cannot do.
import { expect } from 'chai';
import jsonata from 'jsonata';
import { checkDefinition, UnsupportedFeature } from '../../engine/index.ts';
import { evaluateJsonata, QUERY_EVALUATION_ERROR } from '../../engine/jsonata/evaluate.ts';
import { readPath } from '../../engine/jsonpath/path.ts';
import { compilePattern, LinearRegExp } from '../../engine/patterns.ts';
import { rejection, thrown } from '../helpers.ts';

const SCOPE = { states: { input: {}, context: {} }, variables: {} };

// JSONata's regex functions over the kinds of patterns workflows use.
const JSONATA_TABLE = [
  '$match("ab12cd345", /\\d+/)',
  '$match("John Smith", /(\\w+) (\\w+)/)',
  '$match("aaa", /a/, 2)',
  '$match("2024-05", /(?<y>\\d{4})-(?<m>\\d\\d)/).groups',
  '$match("line1\\nline2", /^line\\d$/m)',
  '$replace("hello world", /o/, "0")',
  '$replace("2024-05-01", /(\\d+)-(\\d+)-(\\d+)/, "$3/$2/$1")',
  '$replace("abc", /(b)?x|c/, "[$1]")',
  '$replace("price: $5", /(?<=\\$)\\d/, "9")',
  '$split("a1b22c333d", /\\d+/)',
  '$split("a, b,c", /\\s*,\\s*/)',
  '$contains("Hello", /^h/i)',
  '$contains("café CAFÉ", /É/i)',
  '$contains("order-42.json", /^order-[0-9]+\\.json$/)',
  '$contains("x", /^(?:[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,})$/)',
  '["log-2024.txt", "log-x.txt", "other"][$contains($, /^log-\\d{4}/)]',
];

async function native(expression: string): Promise<unknown> {
  return JSON.parse(JSON.stringify(await jsonata(expression).evaluate({}))) as unknown;
}

describe('engine/patterns', () => {
  describe('in JSONata', () => {
    for (const expression of JSONATA_TABLE) {
      it(`answers ${expression} as JavaScript's RegExp does`, async () => {
        expect(await evaluateJsonata(`{% ${expression} %}`, SCOPE, 'Output')).to.deep.equal(await native(expression));
      });
    }

    it("fails a pattern that matches the empty string with JSONata's D1004, as RegExp does", async () => {
      const expression = '$split("aaa", /a*?/)';
      expect(await rejection(jsonata(expression).evaluate({}))).to.include({ code: 'D1004' });
      const error = await rejection(evaluateJsonata(`{% ${expression} %}`, SCOPE, 'Output'));
      expect(error).to.include({ name: QUERY_EVALUATION_ERROR });
      expect(error.message).to.contain('D1004');
    });

    it('matches /^(a+)+$/ and /(a|aa)+$/ against 40 a and a ! at once', async () => {
      const text = `${'a'.repeat(40)}!`;
      expect(await evaluateJsonata(`{% $contains('${text}', /^(a+)+$/) %}`, SCOPE, 'Output')).to.equal(false);
      expect(await evaluateJsonata(`{% $exists($match('${text}', /(a|aa)+$/)) %}`, SCOPE, 'Output')).to.equal(false);
    });
  });

  describe('the engine for JSONata (LinearRegExp)', () => {
    it('finds from lastIndex and moves it past the match, as a global RegExp does', () => {
      const engine = new LinearRegExp(/(a)(b)?/g);
      engine.lastIndex = 3;
      const match = engine.exec('ab a');
      expect([...match!]).to.deep.equal(['a', 'a', undefined]);
      expect(match!.index).to.equal(3);
      expect(engine.lastIndex).to.equal(4);
      expect(engine.exec('ab a')).to.equal(null);
      expect(engine.lastIndex).to.equal(0);
    });

    it('counts indexes in UTF-16 code units, as JavaScript strings do', () => {
      const match = new LinearRegExp(/b/g).exec('😀ab');
      expect(match!.index).to.equal(3);
    });
  });

  describe('in the JSONPath filter', () => {
    const items = { items: [{ s: 'aab' }, { s: `${'a'.repeat(40)}c` }, { s: 'AAB' }, { s: 'xaab' }] };

    it('matches the whole string, as Jayway (Java) does, with the i flag', () => {
      expect(readPath('$.items[?(@.s =~ /a+b/)].s', items)).to.deep.equal(['aab']);
      expect(readPath('$.items[?(@.s =~ /a+b/i)].s', items)).to.deep.equal(['aab', 'AAB']);
      expect(readPath('$.items[?(@.s =~ /.*a+b/)].s', items)).to.deep.equal(['aab', 'xaab']);
    });

    it('matches $.items[?(@.s =~ /(a+)+b/)] against 40 a at once', () => {
      expect(readPath('$.items[?(@.s =~ /(a+)+b/)].s', items)).to.deep.equal(['aab']);
    });
  });

  describe('what RE2 refuses', () => {
    for (const [source, feature] of [
      ['(a)\\1', 'a backreference'],
      ['(?<x>a)\\k<x>', 'a backreference'],
      ['a(?=b)', 'a lookahead'],
      ['a(?!b)', 'a lookahead'],
    ] as const) {
      it(`refuses /${source}/ as UnsupportedFeature naming ${feature}`, () => {
        const error = thrown(() => compilePattern(source));
        expect(error).to.be.instanceOf(UnsupportedFeature);
        expect(error.message).to.contain(`/${source}/`).and.to.contain(feature);
      });
    }

    it('accepts a lookbehind without groups, a literal \\1 in a class, an escaped parenthesis before ?=', () => {
      for (const source of ['(?<=a)b', '(?<!a)b', '[\\\\1]', '\\(?=']) expect(() => compilePattern(source)).not.to.throw();
    });

    it('refuses, before running, a JSONata regex or a JSONPath filter RE2 cannot match, naming the state and field', () => {
      const jsonataMachine = {
        QueryLanguage: 'JSONata',
        StartAt: 'P',
        States: { P: { Type: 'Pass', Output: { x: "{% $contains('aa', /(a)\\1/) %}" }, End: true } },
      };
      const jsonPathMachine = { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'm.$': '$.items[?(@.s =~ /a(?=b)/)]' }, End: true } } };
      const fromJsonata = thrown(() => checkDefinition(jsonataMachine));
      expect(fromJsonata).to.be.instanceOf(UnsupportedFeature);
      expect(fromJsonata.message).to.match(/^state 'P', field 'Output\/x': .*a backreference/);
      const fromJsonPath = thrown(() => checkDefinition(jsonPathMachine));
      expect(fromJsonPath).to.be.instanceOf(UnsupportedFeature);
      expect(fromJsonPath.message).to.match(/^state 'P', field 'Parameters': .*a lookahead/);
    });
  });
});
