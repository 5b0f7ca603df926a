import { expect } from 'chai';
import { interpolationEnd, MissingTerraformBlock, requireTerraformVersion, tidyHcl, unwrapInterpolation } from '../../stacks/hcl.ts';
import { leavesNoTempFolder } from './synth.ts';

describe('stacks/hcl', () => {
  leavesNoTempFolder();
  describe('interpolationEnd', () => {
    it('finds the brace closing the interpolation, past nested braces and strings', () => {
      const text = '${f({ a = "}" }, "${g(x)}")} tail';
      expect(interpolationEnd(text, 0)).to.equal(text.indexOf(' tail') - 1);
    });

    it('returns -1 for an unclosed interpolation', () => {
      expect(interpolationEnd('${f(', 0)).to.equal(-1);
    });
  });

  describe('unwrapInterpolation', () => {
    it('unwraps an attribute whose whole value is one interpolation', () => {
      expect(unwrapInterpolation('  role = "${aws_iam_role.r.arn}"')).to.equal('  role = aws_iam_role.r.arn');
    });

    it('unwraps list items, keeping their comma', () => {
      expect(unwrapInterpolation('    "${aws_sqs_queue.q.arn}",')).to.equal('    aws_sqs_queue.q.arn,');
    });

    it('unwraps function calls with nested quoted strings and interpolations', () => {
      expect(unwrapInterpolation('  definition = "${templatefile("a.json", { "X" = "${b.c}" })}"')).to.equal(
        '  definition = templatefile("a.json", { "X" = "${b.c}" })',
      );
    });

    it('leaves a template with literal text or two interpolations alone', () => {
      for (const line of ['  log = "${aws_log.g.arn}:*"', '  name = "${a.b}${c.d}"', '  name = "plain"']) {
        expect(unwrapInterpolation(line)).to.equal(line);
      }
    });
  });

  describe('tidyHcl', () => {
    it('unquotes depends_on references and leaves heredocs untouched', () => {
      const hcl = [
        'resource "x" "y" {',
        '  description = <<EOF',
        '"${kept.as.is}"',
        'EOF',
        '  role = "${aws_iam_role.r.arn}"',
        '  depends_on = [',
        '    "aws_iam_role_policy.p",',
        '    "${aws_cloudwatch_log_group.g}",',
        '  ]',
        '  tags = [',
        '    "not.a.reference",',
        '  ]',
        '}',
      ].join('\n');
      expect(tidyHcl(hcl).split('\n')).to.deep.equal([
        'resource "x" "y" {',
        '  description = <<EOF',
        '"${kept.as.is}"',
        'EOF',
        '  role = aws_iam_role.r.arn',
        '  depends_on = [',
        '    aws_iam_role_policy.p,',
        '    aws_cloudwatch_log_group.g,',
        '  ]',
        '  tags = [',
        '    "not.a.reference",',
        '  ]',
        '}',
      ]);
    });
  });

  describe('requireTerraformVersion', () => {
    it('adds the constraint as the first setting of the top-level terraform block only', () => {
      const hcl = ['terraform {', 'required_providers {', '}', '}', 'resource "x" "y" {', 'terraform {', '}', '}'].join('\n');
      expect(requireTerraformVersion(hcl, '>= 1.10.0').split('\n').slice(0, 3)).to.deep.equal([
        'terraform {',
        'required_version = ">= 1.10.0"',
        'required_providers {',
      ]);
      expect(requireTerraformVersion(hcl, '>= 1.10.0').match(/required_version/g)).to.have.length(1);
    });

    it('refuses a configuration without a terraform block', () => {
      expect(() => requireTerraformVersion('provider "aws" {\n}', '>= 1.10.0')).to.throw(MissingTerraformBlock);
    });
  });
});
