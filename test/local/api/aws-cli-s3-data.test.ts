// The user's own S3 data on the endpoint, as the README says to make it: `aws s3 mb` and
// `aws s3 cp` against the S3 emulator, a role made with `aws iam`, then a distributed Map whose
// ItemReader reads the CSV and whose ResultWriter writes to another bucket, read back with
// `aws s3 ls` (the `aws` command, v1 here; skipped where there is none).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { STEP_FUNCTIONS_TRUST_POLICY } from '../../../local/api/iam-roles.ts';
import { awsCliEndpoint } from './aws-cli-endpoint.ts';
import { hasAwsCli, runAws, runAwsText } from '../../aws-command.ts';



(hasAwsCli ? describe : describe.skip)("local/api: the user's S3 data with the aws command", function () {
  this.timeout(120_000);
  const cli = awsCliEndpoint('api-cli-s3');

  const aws = (args: string[], endpoint?: string) => runAws(args, cli.options(endpoint));
  /** `aws s3` prints text, not JSON: its lines. */
  const s3Text = async (args: string[]) =>
    runAwsText(['s3', ...args], cli.options(cli.env.endpoints.s3!));

  it('aws s3 mb and cp make the data; a distributed Map reads the CSV and writes its results to the user bucket', async () => {
    const csv = join(cli.home, 'items.csv');
    await writeFile(csv, 'id,name\n1,one\n2,two\n3,three\n');
    await s3Text(['mb', 's3://cli-input']);
    await s3Text(['mb', 's3://cli-results']);
    await s3Text(['cp', csv, 's3://cli-input/in/items.csv']);

    const { region, accountId } = cli.env.resources;
    const role = ((await aws(['iam', 'create-role', '--role-name', 'cli-reader', '--assume-role-policy-document', STEP_FUNCTIONS_TRUST_POLICY])).Role as { Arn: string }).Arn;
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::cli-input/*'] },
        { Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::cli-results/*'] },
        { Effect: 'Allow', Action: ['states:StartExecution'], Resource: [`arn:aws:states:${region}:${accountId}:stateMachine:cli-csv`] },
      ],
    });
    await aws(['iam', 'put-role-policy', '--role-name', 'cli-reader', '--policy-name', 'data', '--policy-document', policy]);
    const definition = JSON.stringify({
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' }, Parameters: { Bucket: 'cli-input', Key: 'in/items.csv' } },
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Name', States: { Name: { Type: 'Pass', OutputPath: '$.name', End: true } } },
          ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'cli-results', Prefix: 'out' } },
          End: true,
        },
      },
    });
    const machine = await aws(['stepfunctions', 'create-state-machine', '--name', 'cli-csv', '--definition', definition, '--role-arn', role]);
    const started = await aws(['stepfunctions', 'start-execution', '--state-machine-arn', machine.stateMachineArn as string, '--input', '{}']);
    await cli.server.executions.get(started.executionArn as string).done;
    const described = await aws(['stepfunctions', 'describe-execution', '--execution-arn', started.executionArn as string]);
    expect(described.status).to.equal('SUCCEEDED');
    const output = JSON.parse(described.output as string) as { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } };
    const runId = output.MapRunArn.split(':').at(-1);
    expect(output.ResultWriterDetails).to.deep.equal({ Bucket: 'cli-results', Key: `out/${runId}/manifest.json` });
    const listed = await s3Text(['ls', '--recursive', 's3://cli-results/']);
    expect(listed).to.include(`out/${runId}/SUCCEEDED_0.json`).and.include(`out/${runId}/manifest.json`);
    // The children read the CSV's rows, as AWS gives them: each a JSON object under the header's names.
    const results = JSON.parse(await s3Text(['cp', `s3://cli-results/out/${runId}/SUCCEEDED_0.json`, '-'])) as { Output: string }[];
    expect(results.map((result) => JSON.parse(result.Output)).sort()).to.deep.equal(['one', 'three', 'two']);
  });
});
