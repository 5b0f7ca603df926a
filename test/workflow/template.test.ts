import { expect } from 'chai';
import { TRANSFER_RECORDS } from '../../workflow/transfer-records.ts';
import { placeholdersIn, renderTemplate, TemplateError } from '../../workflow/template.ts';

function rendering(text: string, vars: Record<string, string>): Error {
  try {
    renderTemplate(text, vars);
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('renderTemplate accepted the template');
}

describe('workflow/template', () => {
  describe('renderTemplate', () => {
    it('fills every ${Name} with its value, spaces inside the braces allowed, as templatefile() does', () => {
      const text = '{"a": "${TableName}", "b": "${ QueueUrl }", "c": "${TableName}-2"}';
      expect(renderTemplate(text, { TableName: 'table', QueueUrl: 'https://queue' })).to.equal(
        '{"a": "table", "b": "https://queue", "c": "table-2"}',
      );
    });

    it('inserts values verbatim, without interpreting a ${ inside them', () => {
      expect(renderTemplate('${A}', { A: '${B} $& $1' })).to.equal('${B} $& $1');
    });

    it('turns $${ into a literal ${ that needs no value', () => {
      expect(renderTemplate('"$${NotAVariable}" "${A}"', { A: 'a' })).to.equal('"${NotAVariable}" "a"');
    });

    it('leaves text with no placeholder alone, JSONPath dollars included', () => {
      const text = '{"List.$": "$.List[1:]", "id.$": "$$.Execution.Id"}';
      expect(renderTemplate(text, {})).to.equal(text);
    });

    it('rejects a variable without a value with a TemplateError naming it', () => {
      const error = rendering('${TableName} ${Missing}', { TableName: 't' });
      expect(error).to.be.instanceOf(TemplateError);
      expect(error.name).to.equal('TemplateError');
      expect(error.message).to.contain('"Missing"');
    });

    it('rejects an expression that is not a plain variable name', () => {
      for (const expression of ['${var.table}', '${upper(A)}', '${A + B}', '${}']) {
        expect(rendering(expression, { A: 'a', B: 'b' }), expression).to.be.instanceOf(TemplateError);
      }
    });

    it('rejects a template directive', () => {
      const error = rendering('%{ if A }yes%{ endif }', { A: 'a' });
      expect(error).to.be.instanceOf(TemplateError);
      expect(error.message).to.contain('%{');
    });
  });

  describe('placeholdersIn', () => {
    it('lists each placeholder once, in order of first use, skipping escaped ones', () => {
      expect(placeholdersIn('${B} $${Escaped} ${ A } ${B}')).to.deep.equal(['B', 'A']);
    });

    it('finds nothing in plain text', () => {
      expect(placeholdersIn('{"Variable": "$.List[0]"}')).to.deep.equal([]);
    });
  });

  it('names the three values the ASL template needs, the partition its integrations name, and the FIFO parameters its queue type splices in', () => {
    expect(Object.keys(TRANSFER_RECORDS.placeholders)).to.deep.equal(['Partition', 'SeedFunctionArn', 'TableName', 'QueueUrl', 'FifoSendParameters']);
  });
});
