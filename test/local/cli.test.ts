import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { GetActivityTaskCommand, SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import {
  displayPath,
  INTERRUPTED_STATUS,
  main,
  NO_REPORT_ENV,
  parseCliArgs,
  REPORTS_DIR,
  requireNode22,
  UnsupportedRuntime,
  USAGE,
  type CliIo,
} from '../../local/cli/cli.ts';
import { MAX_JSON_DEPTH } from '../../engine/index.ts';
import { LOCAL_CLI } from '../../scripts/build.ts';
import { LOCAL_CREDENTIALS } from '../../local/services/emulators.ts';
import { createProgressLine, formatProgress, PROGRESS_MIN_ITEMS, shouldShowProgress } from '../../local/cli/progress.ts';
import type { ExecutionRecord } from '../../execution/execution-record.ts';
import { rejection } from '../helpers.ts';
import { hasAwsCli } from '../aws-command.ts';

interface FakeIo extends CliIo {
  out: string[];
  err: string[];
  reports: ExecutionRecord[];
  /** What Ctrl-C does during the run. */
  interrupt(): void;
}

interface FakeIoOptions {
  tty?: boolean;
  report?: () => Promise<string>;
  /** Runs while the kept emulators wait for Ctrl-C. */
  whileKept?: (stderr: string) => Promise<void>;
  /** Sees each stderr write. */
  onStderr?: (text: string, io: FakeIo) => void;
}

function fakeIo(options: FakeIoOptions = {}): FakeIo {
  const out: string[] = [];
  const err: string[] = [];
  const reports: ExecutionRecord[] = [];
  let controller: AbortController | undefined;
  const io: FakeIo = {
    out,
    err,
    reports,
    interrupt: () => controller?.abort(),
    stdout: { write: (text: string) => out.push(text) },
    stderr: {
      isTTY: options.tty ?? false,
      write: (text: string) => {
        err.push(text);
        options.onStderr?.(text, io);
        return true;
      },
    },
    untilStopped: async () => options.whileKept?.(err.join('')),
    interrupts: () => {
      controller = new AbortController();
      return { signal: controller.signal, dispose: () => (controller = undefined) };
    },
    writeReport: async (record) => {
      reports.push(record);
      return (options.report ?? (async () => 'reports/fake.html'))();
    },
  };
  return io;
}

/** Servers still listening, once closed ones have released their handles (a tick after close). */
async function listeningServers(): Promise<number> {
  // A server closed a moment ago may keep its handle until libuv has run its close callbacks.
  for (let turn = 0; turn < 3; turn += 1) await new Promise((resolve) => setImmediate(resolve));
  return process.getActiveResourcesInfo().filter((resource) => resource === 'TCPServerWrap').length;
}

const execFileAsync = promisify(execFile);


describe('local/cli', function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-cli-test-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('parseCliArgs', () => {
    it('reads the count, the faults and the switches', async () => {
      const options = await parseCliArgs([
        '--count',
        '25',
        '--fault',
        'dynamodb:getItem:DynamoDB.ProvisionedThroughputExceededException:2',
        '--fault',
        'sqs:sendMessage:SQS.RequestThrottledException:1',
        '--no-quota-fail',
        '--fast-retries',
        '--json',
      ]);
      expect(options.json).to.be.true;
      expect(options.run).to.include({ count: 25, quotaFail: false, fastRetries: true, keep: false });
      expect(options.run.faults).to.deep.equal([
        { service: 'dynamodb', action: 'getItem', error: 'DynamoDB.ProvisionedThroughputExceededException', times: 2 },
        { service: 'sqs', action: 'sendMessage', error: 'SQS.RequestThrottledException', times: 1 },
      ]);
    });

    it('reads --queue: fifo runs the application with FIFO queues, standard with Standard ones, anything else is refused', async () => {
      const fifo = (await parseCliArgs(['--queue', 'fifo'])).run.app!;
      expect(fifo.resources.filter((r) => r.kind === 'queue').map((r) => r.type)).to.deep.equal(['fifo', 'fifo']);
      expect((await parseCliArgs(['--queue=standard'])).run.app!.resources.filter((r) => r.kind === 'queue').map((r) => r.type)).to.deep.equal(['standard', 'standard']);
      expect((await parseCliArgs([])).run.app).to.equal(undefined);
      const error = await parseCliArgs(['--queue', 'fast']).then(() => undefined, (thrown: unknown) => thrown as Error);
      expect(error).to.have.property('name', 'InvalidArguments');
      expect(error!.message).to.equal('--queue must be one of standard, fifo, got "fast"');
    });

    it('fails the run on quotas by default', async () => {
      expect((await parseCliArgs([])).run).to.include({ quotaFail: true, fastRetries: false });
    });

    it('reads a messages file and a raw input', async () => {
      const file = join(dir, 'messages.json');
      await writeFile(file, JSON.stringify(['a', 'b']));
      expect((await parseCliArgs(['--messages-file', file])).run.messages).to.deep.equal(['a', 'b']);
      expect((await parseCliArgs(['--input', '{"count": 0}'])).run.input).to.deep.equal({ count: 0 });
    });

    it('passes an out-of-range count on, for the workflow to reject', async () => {
      expect((await parseCliArgs(['--count', '0'])).run.count).to.equal(0);
      // The form make local passes: a negative value is not read as an option.
      expect((await parseCliArgs(['--count=-1'])).run.count).to.equal(-1);
    });

    it('writes the HTML report unless --no-report or the environment turns it off', async () => {
      expect((await parseCliArgs([], {})).report).to.equal(true);
      expect((await parseCliArgs(['--no-report'], {})).report).to.equal(false);
      expect((await parseCliArgs([], { [NO_REPORT_ENV]: '1' })).report).to.equal(false);
    });

    it('reads a messages file saved with a byte order mark, and a path with spaces', async () => {
      const file = join(dir, 'my messages.json');
      await writeFile(file, `\uFEFF${JSON.stringify(['a'])}`);
      expect((await parseCliArgs([`--messages-file=${file}`])).run.messages).to.deep.equal(['a']);
    });

    const refusals: [string[], string, string][] = [
      [['--count', 'many'], 'InvalidArguments', '--count must be an integer'],
      [['--count', '2', '--input', '{}'], 'InvalidArguments', '--count and --input cannot be given together'],
      [['--count', '3', '--count', '4'], 'InvalidArguments', '--count was given twice ("3" and "4"); give it once'],
      [['--input', '{nope'], 'InvalidArguments', '--input is not valid JSON'],
      [['--colour'], 'InvalidArguments', "Unknown option '--colour'"],
      [['--fault', 'dynamodb:getItem'], 'InvalidFaultSpec', 'dynamodb:getItem'],
      [['--messages-file', '/nonexistent/messages.json'], 'InvalidMessagesFile', 'cannot read'],
      [['--s3-object', 'my-bucket'], 'InvalidArguments', '--s3-object "my-bucket" must be BUCKET/KEY=FILE'],
      [['--s3-bucket', 'Not_A_Bucket'], 'InvalidBucketName', 'S3 refuses this bucket name'],
      [['--history', '/nonexistent/dir/h.json'], 'InvalidArguments', '--history /nonexistent/dir/h.json: the folder /nonexistent/dir does not exist'],
    ];
    for (const [argv, name, message] of refusals) {
      it(`refuses ${argv.join(' ')} with ${name}`, async () => {
        const error = await rejection(parseCliArgs(argv));
        expect(error.name).to.equal(name);
        expect(error.message).to.contain(message);
      });
    }

    it('refuses an --input nested deeper than the engine takes with InvalidExecutionInput, up to 100,000 deep', async () => {
      for (const depth of [MAX_JSON_DEPTH + 1, 100_000]) {
        const error = await rejection(parseCliArgs(['--input', `${'['.repeat(depth)}${']'.repeat(depth)}`]));
        expect(`${error.name}: ${error.message}`).to.equal(
          `InvalidExecutionInput: --input is nested more than ${MAX_JSON_DEPTH} levels deep (objects and arrays), the most the engine accepts.`,
        );
      }
      const options = await parseCliArgs(['--input', `${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`]);
      expect(options.run.input).to.be.an('array');
    });
  });

  describe('main', () => {
    it('refuses an --input nested 100,000 deep with exit status 2, one line, and with --json a JSON object', async () => {
      const deep = `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      const message = `--input is nested more than ${MAX_JSON_DEPTH} levels deep (objects and arrays), the most the engine accepts.`;
      const text = fakeIo();
      expect(await main(['--input', deep], text)).to.equal(2);
      expect([text.err.join(''), text.out]).to.deep.equal([`InvalidExecutionInput: ${message}\n`, []]);
      const json = fakeIo();
      expect(await main(['--json', '--input', deep], json)).to.equal(2);
      expect(json.out.map((line) => JSON.parse(line) as unknown)).to.deep.equal([{ error: 'InvalidExecutionInput', cause: message }]);
    });

    it('prints one JSON object with the counts, quotas and states, and exits 0', async () => {
      const io = fakeIo();
      expect(await main(['--json', '--count', '3'], io)).to.equal(0);
      expect(io.out).to.have.length(1);
      const summary = JSON.parse(io.out[0]!);
      expect(summary).to.include({
        status: 'SUCCEEDED',
        items: 3,
        delivered: 3,
        missing: 0,
        duplicates: 0,
        historyEvents: 14 * 3 + 11,
        stateTransitions: 4 * 3 + 3,
        report: 'reports/fake.html',
      });
      expect(summary.maxPayloadBytes).to.be.a('number').and.greaterThan(0);
      expect(summary.durationMs).to.be.a('number');
      expect(summary.states['Send Message to SQS']).to.have.keys('entered', 'ms');
      expect(summary.states['Send Message to SQS'].entered).to.equal(3);
      expect(io.reports).to.have.length(1);
      expect(io.err).to.deep.equal([]);
    });

    it('prints the text report and the HTML report\'s path', async () => {
      const io = fakeIo();
      expect(await main(['--count', '2'], io)).to.equal(0);
      const text = io.out.join('');
      expect(text).to.match(/^Execution SUCCEEDED/);
      expect(text).to.contain('Seeded 2, delivered 2, missing 0, duplicated 0');
      expect(text).to.contain('Report: reports/fake.html');
    });

    it('exits 1 with the error and cause when the execution fails on bad input', async () => {
      const io = fakeIo();
      expect(await main(['--json', '--input', '{"count": 0}'], io)).to.equal(1);
      const summary = JSON.parse(io.out[0]!);
      expect(summary).to.include({ status: 'FAILED', error: 'InvalidInput', failedState: 'Reject Invalid Input', delivered: 0 });
      expect(summary.cause).to.contain('input.count');
    });

    it('writes no HTML report with --no-report', async () => {
      const io = fakeIo();
      expect(await main(['--json', '--count', '1', '--no-report'], io)).to.equal(0);
      expect(io.reports).to.have.length(0);
      expect(JSON.parse(io.out[0]!)).to.not.have.property('report');
    });

    it('keeps the result when the HTML report cannot be written', async () => {
      const io = fakeIo({ report: async () => Promise.reject(new Error('disk full')) });
      expect(await main(['--json', '--count', '1'], io)).to.equal(0);
      expect(JSON.parse(io.out[0]!)).to.not.have.property('report');
      expect(io.err.join('')).to.contain('the HTML report could not be written: disk full');
    });

    it('prints the endpoints, table, queue, Step Functions endpoint, paste-able lines and AWS CLI commands with --keep, and stops when asked', async () => {
      let cli: { stdout: string; stderr: string }[] = [];
      let listedBuckets = '';
      const io = fakeIo({
        // AWS CLI v1 ignores AWS_ENDPOINT_URL_* and AWS_REGION: the printed commands must work with it anyway.
        whileKept: async (stderr) => {
          if (!hasAwsCli) return;
          const lines = stderr.split('\n').map((line) => line.trim());
          const setup = lines.filter((line) => /^(unset|export) AWS_/.test(line));
          // Asynchronously: the emulators answer from this very process.
          // The emulators' commands; of the Step Functions ones, the listing (starting an execution would seed more).
          const commands = lines.filter((line) => /^aws (dynamodb|sqs|stepfunctions list-state-machines) /.test(line));
          cli = await Promise.all(
            commands.map((command) =>
              execFileAsync('bash', ['-c', [...setup, command].join('\n')], {
                // A host whose own profile is missing: the pasted lines must not depend on it.
                env: { PATH: process.env.PATH, HOME: dir, AWS_PROFILE: 'does-not-exist' },
              }),
            ),
          );
          // A bucket of one's own, made as printed, then listed.
          const makeBucket = lines.find((line) => line.startsWith('aws s3 mb '))!;
          const shell = (command: string) => execFileAsync('bash', ['-c', [...setup, command].join('\n')], { env: { PATH: process.env.PATH, HOME: dir } });
          await shell(makeBucket);
          listedBuckets = (await shell(makeBucket.replace(/^aws s3 mb s3:\/\/my-bucket/, 'aws s3 ls'))).stdout;
        },
      });
      expect(await main(['--keep', '--count', '1', '--json'], io)).to.equal(0);
      const err = io.err.join('');
      expect(err).to.match(/DynamoDB +http:\/\/127\.0\.0\.1:\d+ +table transfer-records-table/);
      expect(err).to.match(/queue http:\/\/127\.0\.0\.1:\d+\/000000000000\/transfer-records-queue/);
      expect(err).to.match(/export AWS_ENDPOINT_URL_SQS=http:\/\/127\.0\.0\.1:\d+/);
      expect(err).to.match(/export AWS_DEFAULT_REGION=us-east-1/);
      expect(err).to.contain('unset AWS_PROFILE');
      expect(err).to.match(/aws dynamodb scan --table-name transfer-records-table --endpoint-url http:\/\/127\.0\.0\.1:\d+/);
      expect(err).to.match(/Step Functions +http:\/\/127\.0\.0\.1:\d+/);
      expect(err).to.match(/export AWS_ENDPOINT_URL_SFN=http:\/\/127\.0\.0\.1:\d+/);
      if (hasAwsCli) {
        expect(cli).to.have.length(4);
        const [scan, attributes, received, machines] = cli.map((result) => JSON.parse(result.stdout));
        expect(scan.Count).to.equal(1);
        expect(attributes.Attributes.ApproximateNumberOfMessages).to.equal('1');
        expect(received.Messages[0].Body).to.equal(scan.Items[0].Message.S);
        expect(machines.stateMachines.map((machine: { name: string }) => machine.name)).to.include('transfer-records-state-machine');
        expect(listedBuckets).to.match(/ my-bucket\n/);
      }
      expect(err).to.match(/S3 +http:\/\/127\.0\.0\.1:\d+ +buckets transfer-records-runs/);
      // untilStopped has resolved: the emulators no longer answer.
      for (const [, url] of err.matchAll(/export AWS_ENDPOINT_URL_\w+=(\S+)/g)) {
        expect(await rejection(fetch(url!))).to.be.instanceOf(TypeError);
      }
    });

    it(`stops at Ctrl-C: erases the progress line and the ^C, says how far it got, stops the emulators, exits ${INTERRUPTED_STATUS}`, async () => {
      const servers = await listeningServers();
      const io = fakeIo({
        tty: true,
        onStderr: (text, self) => {
          if (text.startsWith('\rdelivered')) self.interrupt();
        },
      });
      const started = performance.now();
      expect(await main(['--count', String(PROGRESS_MIN_ITEMS)], io)).to.equal(INTERRUPTED_STATUS);
      expect(performance.now() - started).to.be.below(10_000);
      expect(io.err.at(-1)).to.match(
        new RegExp(`^\\r\\x1b\\[KInterrupted after \\d+ of ${PROGRESS_MIN_ITEMS} messages delivered; the emulators are stopped\\.\\n$`),
      );
      expect(Number(/after (\d+)/.exec(io.err.at(-1)!)![1])).to.be.within(1, PROGRESS_MIN_ITEMS - 1);
      expect(io.out).to.deep.equal([]);
      expect(await listeningServers()).to.equal(servers);
    });

    it('ends a run whose internals fail (the progress display throws) at once: one line, exit 1, emulators stopped', async () => {
      const servers = await listeningServers();
      const io = fakeIo({
        tty: true,
        onStderr: (text) => {
          if (text.startsWith('\rdelivered')) throw new TypeError('the terminal went away');
        },
      });
      expect(await main(['--count', String(PROGRESS_MIN_ITEMS)], io)).to.equal(1);
      expect(io.err.at(-1)).to.equal('TypeError: the terminal went away\n');
      expect(io.out).to.deep.equal([]);
      expect(await listeningServers()).to.equal(servers);
    });

    it('refuses bad usage in one line, without a stack trace, with exit status 2', async () => {
      const io = fakeIo();
      expect(await main(['--count', 'lots'], io)).to.equal(2);
      expect(io.err).to.deep.equal(['InvalidArguments: --count must be an integer, got "lots"\n']);
      expect(io.out).to.deep.equal([]);
    });

    it('runs a --lambda stand-in for a function named by ARN, writes --history and prints the output', async () => {
      const handler = join(dir, 'echo.mjs');
      await writeFile(handler, 'export async function handler(event) { return { echoed: event }; }\n');
      const functionArn = 'arn:aws:lambda:us-east-1:111111111111:function:echo';
      const definition = join(dir, 'echo.asl.json');
      await writeFile(definition, JSON.stringify({ StartAt: 'Echo', States: { Echo: { Type: 'Task', Resource: functionArn, End: true } } }));
      const history = join(dir, 'history.json');
      const io = fakeIo();
      const argv = ['--definition', definition, '--input', '{"n":1}', '--json', '--history', history, '--lambda', `${functionArn}=${handler}`];
      expect(await main(argv, io)).to.equal(0);
      const summary = JSON.parse(io.out.join(''));
      expect(summary).to.include({ status: 'SUCCEEDED' });
      expect(summary.output).to.deep.equal({ echoed: { n: 1 } });
      const { events } = JSON.parse(await readFile(history, 'utf8')) as { events: { id: number; previousEventId: number; type: string }[] };
      expect(events.map((event) => event.type)).to.deep.equal([
        'ExecutionStarted',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionSucceeded',
        'TaskStateExited',
        'ExecutionSucceeded',
      ]);
      expect(events.map((event) => event.id)).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
      // As AWS links them: the first state's entry follows no event, each later one the event before it.
      expect(events.map((event) => event.previousEventId)).to.deep.equal([0, 0, 2, 3, 4, 5, 6]);
    });

    it("creates the --s3-bucket and --s3-object data: a --definition Map reads its CSV and writes its results to the user's bucket", async () => {
      const csv = join(dir, 'items.csv');
      await writeFile(csv, 'id|name\n1|one\n2|two\n');
      const definition = join(dir, 'csv-map.asl.json');
      await writeFile(
        definition,
        JSON.stringify({
          StartAt: 'Each',
          States: {
            Each: {
              Type: 'Map',
              ItemReader: {
                Resource: 'arn:aws:states:::s3:getObject',
                ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW', CSVDelimiter: 'PIPE' },
                Parameters: { 'Bucket.$': '$.bucket', Key: 'in/items.csv' },
              },
              ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
              ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'my-results', Prefix: 'out' } },
              ResultPath: '$.written',
              Next: 'Listed',
            },
            Listed: {
              Type: 'Map',
              ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Bucket: 'my-results', Prefix: 'out/' } },
              ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'K', States: { K: { Type: 'Pass', OutputPath: '$.Key', End: true } } },
              ResultPath: '$.listed',
              End: true,
            },
          },
        }),
      );
      const io = fakeIo();
      const argv = ['--definition', definition, '--input', '{"bucket":"my-data"}', '--json', '--s3-object', `my-data/in/items.csv=${csv}`, '--s3-bucket', 'my-results'];
      expect(await main(argv, io)).to.equal(0);
      const { output } = JSON.parse(io.out.join('')) as { output: { written: { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } }; listed: string[] } };
      const runId = output.written.MapRunArn.split(':').at(-1);
      expect(output.written.ResultWriterDetails).to.deep.equal({ Bucket: 'my-results', Key: `out/${runId}/manifest.json` });
      // What the first Map wrote is in the user's bucket: the children's results and the manifest.
      expect(output.listed.sort()).to.deep.equal([`out/${runId}/SUCCEEDED_0.json`, `out/${runId}/manifest.json`]);
      expect(await listeningServers()).to.equal(0);
    });

    it('refuses a bucket name S3 refuses with exit status 2, before starting anything', async () => {
      const io = fakeIo();
      expect(await main(['--s3-bucket', 'UPPER'], io)).to.equal(2);
      expect(io.err.join('')).to.equal('InvalidBucketName: --s3-bucket "UPPER": S3 refuses this bucket name: it may hold only lowercase letters, numbers, periods and hyphens\n');
    });

    it('refuses a --lambda whose module does not exist, naming it', async () => {
      const io = fakeIo();
      expect(await main(['--lambda', `echo=${join(dir, 'nowhere.mjs')}`], io)).to.equal(2);
      expect(io.err.join('')).to.match(/^InvalidArguments: --lambda echo: module .*nowhere\.mjs does not exist/);
    });

    it('prints the task token of a .waitForTaskToken Task and the command that answers it, and goes on when answered', async () => {
      // Other test files may still hold servers of their own: count this run's against them.
      const servers = await listeningServers();
      const handler = join(dir, 'ask.mjs');
      await writeFile(handler, 'export async function handler(event) { return { asked: typeof event.token }; }\n');
      const functionArn = 'arn:aws:lambda:us-east-1:111111111111:function:ask';
      const definition = join(dir, 'ask.asl.json');
      const ask = { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: functionArn, Payload: { 'token.$': '$$.Task.Token' } }, End: true };
      await writeFile(definition, JSON.stringify({ StartAt: 'Ask', States: { Ask: ask } }));
      let answered: Promise<unknown> | undefined;
      const io = fakeIo({
        onStderr: (text) => {
          const command = /^ {2}(.* send-task-success .*)$/m.exec(text)?.[1];
          if (!command) return;
          const token = /--task-token '([^']+)'/.exec(command)![1]!;
          const endpoint = /--endpoint-url (\S+)/.exec(command)![1]!;
          expect(text).to.contain(`  ${token}\n`);
          // The printed command itself where the aws command is installed, the SDK otherwise.
          answered = hasAwsCli
            ? execFileAsync('bash', ['-c', command.replace("'{}'", `'{"approved": true}'`)], { env: { PATH: process.env.PATH, HOME: dir } })
            : (async () => {
                const sfn = new SFNClient({ region: 'us-east-1', endpoint, credentials: LOCAL_CREDENTIALS });
                await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved": true}' }));
                sfn.destroy();
              })();
        },
      });
      expect(await main(['--definition', definition, '--json', '--no-report', '--lambda', `${functionArn}=${handler}`], io)).to.equal(0);
      await answered;
      expect(JSON.parse(io.out.join(''))).to.deep.include({ status: 'SUCCEEDED', output: { approved: true } });
      expect(await listeningServers()).to.equal(servers);
    });

    it('prints an activity task’s token and get-activity-task; a worker on the printed endpoint takes and answers it', async () => {
      let worked: Promise<unknown> | undefined;
      const io = fakeIo({
        onStderr: (text) => {
          const command = /^ {2}(.* get-activity-task .*)$/m.exec(text)?.[1];
          if (!command) return;
          const endpoint = /--endpoint-url (\S+)/.exec(command)![1]!;
          const activityArn = /--activity-arn (\S+)/.exec(command)![1]!;
          const sfn = new SFNClient({ region: 'us-east-1', endpoint, credentials: LOCAL_CREDENTIALS });
          worked = (async () => {
            const task = await sfn.send(new GetActivityTaskCommand({ activityArn, workerName: 'test' }));
            await sfn.send(new SendTaskFailureCommand({ taskToken: task.taskToken!, error: 'Declined', cause: 'by the worker' }));
            sfn.destroy();
          })();
        },
      });
      expect(await main(['--definition', 'test/fixtures/asl/activity.asl.json', '--json', '--no-report'], io)).to.equal(1);
      await worked;
      expect(JSON.parse(io.out.join(''))).to.deep.include({ status: 'FAILED', error: 'Declined', cause: 'by the worker' });
    });

    it('refuses a .sync task and a missing definition with exit status 2', async () => {
      const activity = fakeIo();
      expect(await main(['--definition', 'test/fixtures/asl/sync.asl.json'], activity)).to.equal(2);
      expect(activity.err.join('')).to.match(/^UnsupportedResource: .*Run the Job/);
      const missing = fakeIo();
      expect(await main(['--definition', join(dir, 'absent.json')], missing)).to.equal(2);
      expect(missing.err.join('')).to.match(/^DefinitionError: .*absent\.json does not exist/);
      expect(activity.reports).to.have.length(0);
    });

    it('prints the usage with --help', async () => {
      const io = fakeIo();
      expect(await main(['--help'], io)).to.equal(0);
      expect(io.out.join('')).to.equal(`${USAGE}\n`);
    });

    it(`shows a progress line on a terminal for ${PROGRESS_MIN_ITEMS} items, and erases it`, async () => {
      const io = fakeIo({ tty: true });
      expect(await main(['--count', String(PROGRESS_MIN_ITEMS)], io)).to.equal(0);
      const progress = io.err.filter((text) => text.startsWith('\rdelivered'));
      expect(progress.length).to.be.greaterThan(0);
      expect(progress.at(-1)).to.contain(`delivered ${PROGRESS_MIN_ITEMS}/${PROGRESS_MIN_ITEMS} (100%)`);
      expect(io.err.at(-1)).to.equal('\r\x1b[K');
    });

    it('runs as a command: bad usage exits 2 with one line on stderr', () => {
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'local/cli/cli.ts', '--count', 'x'], { encoding: 'utf8' });
      expect(result.status).to.equal(2);
      expect(result.stderr.trim()).to.equal('InvalidArguments: --count must be an integer, got "x"');
      expect(result.stdout).to.equal('');
    });
  });

  describe('requireNode22', () => {
    it('accepts Node 22 and later, and refuses older ones with UnsupportedRuntime naming the version', () => {
      expect(() => requireNode22('22.0.0')).to.not.throw();
      expect(() => requireNode22('24.3.1')).to.not.throw();
      expect(() => requireNode22('20.20.2')).to.throw(UnsupportedRuntime, /Node 22 or later; this is Node 20\.20\.2/);
      // It says how to get Node 22: the make target, or the Node 22 the Makefile installs.
      expect(() => requireNode22('20.20.2')).to.throw(UnsupportedRuntime, /make local ARGS=.*\.tools\/node22\/node_modules\/\.bin\/node dist\/local-cli\.mjs/);
    });
  });

  describe('the bundle make local runs', () => {
    // npm test builds first, so the bundle is that of the current sources.
    const bundle = resolve(LOCAL_CLI.outfile);

    it('runs the workflow end to end, as make local does, writing its report in the repository from any folder', async () => {
      const result = spawnSync(process.execPath, [bundle, '--json', '--count', '3'], { encoding: 'utf8', cwd: dir });
      expect(result.status, result.stderr).to.equal(0);
      const summary = JSON.parse(result.stdout) as { status: string; items: number; delivered: number; report: string };
      expect(summary).to.include({ status: 'SUCCEEDED', items: 3, delivered: 3 });
      expect(dirname(summary.report)).to.equal(REPORTS_DIR);
      await rm(summary.report);
      expect(await readdir(dir)).to.not.include('reports');
    });

    it('writes no report for a run in the environment make conformance gives the harness', async () => {
      const before = await readdir(REPORTS_DIR).catch(() => []);
      const result = spawnSync(process.execPath, [bundle, '--json', '--count', '1', '--history', join(dir, 'h.json')], {
        encoding: 'utf8',
        cwd: dir,
        env: { ...process.env, [NO_REPORT_ENV]: '1' },
      });
      expect(result.status, result.stderr).to.equal(0);
      expect(JSON.parse(result.stdout)).to.not.have.property('report');
      expect(await readdir(REPORTS_DIR).catch(() => [])).to.deep.equal(before);
      expect(JSON.parse(await readFile(join(dir, 'h.json'), 'utf8')).events).to.not.be.empty;
    });

    it('loads no package from node_modules for a run that calls no S3 and holds no JSONata or pattern: the emulators are in the bundle, s3rver, jsonata and re2js wait for their first use', () => {
      // NODE_DEBUG=module names every module require() loads or looks up; the run passes its JSON to stdout as usual.
      const result = spawnSync(process.execPath, [bundle, '--json', '--count', '1', '--no-report'], {
        encoding: 'utf8',
        cwd: dir,
        env: { ...process.env, NODE_DEBUG: 'module' },
      });
      expect(result.status, result.stderr).to.equal(0);
      expect(JSON.parse(result.stdout)).to.include({ status: 'SUCCEEDED', delivered: 1 });
      expect(result.stderr).to.contain('load built-in module');
      expect(result.stderr).to.not.contain('looking for');
      expect(result.stderr).to.not.contain('s3rver');
      expect(result.stderr).to.not.match(/jsonata|re2js/);
    });

    it('starts s3rver from its chunk of the bundle, not from node_modules, when a run calls S3', () => {
      const result = spawnSync(process.execPath, [bundle, '--json', '--no-report', '--workflow', 'transfer-records-at-scale', '--count', '3'], {
        encoding: 'utf8',
        cwd: dir,
        env: { ...process.env, NODE_DEBUG: 'module' },
      });
      expect(result.status, result.stderr).to.equal(0);
      expect(JSON.parse(result.stdout)).to.include({ status: 'SUCCEEDED', delivered: 3 });
      expect(result.stderr).to.not.contain('s3rver');
    });

    it("requires jsonata and re2js from node_modules at a run's first JSONata expression and pattern", async () => {
      const definition = join(dir, 'match.asl.json');
      const output = "{% $match($states.input.text, /b+/).match %}";
      await writeFile(definition, JSON.stringify({ QueryLanguage: 'JSONata', StartAt: 'Match', States: { Match: { Type: 'Pass', Output: output, End: true } } }));
      const result = spawnSync(process.execPath, [bundle, '--json', '--no-report', '--definition', definition, '--input', '{"text": "abbc"}'], {
        encoding: 'utf8',
        cwd: dir,
        env: { ...process.env, NODE_DEBUG: 'module' },
      });
      expect(result.status, result.stderr).to.equal(0);
      expect(JSON.parse(result.stdout)).to.include({ status: 'SUCCEEDED', output: 'bb' });
      expect(result.stderr).to.match(/load ".*node_modules\/jsonata\//);
      expect(result.stderr).to.match(/load ".*node_modules\/re2js\//);
    });

    it('runs as usual, saying nothing of it, when its compile cache folder cannot be made', async () => {
      // Under a file, no folder can be made, whoever runs the test (root included).
      await writeFile(join(dir, 'a-file'), '');
      const result = spawnSync(process.execPath, [bundle, '--json', '--count', '1', '--no-report'], {
        encoding: 'utf8',
        cwd: dir,
        env: { ...process.env, NODE_COMPILE_CACHE: join(dir, 'a-file', 'compile-cache') },
      });
      expect(result.status, result.stderr).to.equal(0);
      expect(result.stderr).to.equal('');
      expect(JSON.parse(result.stdout)).to.include({ status: 'SUCCEEDED', delivered: 1 });
    });

    // 60,000 levels make an argument of 120,000 bytes, near the most Linux passes (128 KiB).
    for (const depth of [2_000, 60_000]) {
      it(`refuses an --input nested ${depth.toLocaleString('en-US')} deep by name, exit 2, with a JSON object under --json`, () => {
        const deep = `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;
        const message = `InvalidExecutionInput: --input is nested more than ${MAX_JSON_DEPTH} levels deep (objects and arrays), the most the engine accepts.`;
        // On a host whose AWS profile does not exist: nothing reaches for it before the refusal.
        const options = { encoding: 'utf8', timeout: 30_000, env: { ...process.env, AWS_PROFILE: 'does-not-exist' } } as const;
        const text = spawnSync(process.execPath, [bundle, '--input', deep], options);
        expect(text.signal, 'the run hung').to.equal(null);
        expect([text.status, text.stderr, text.stdout]).to.deep.equal([2, `${message}\n`, '']);
        const json = spawnSync(process.execPath, [bundle, '--json', '--input', deep], options);
        expect([json.status, json.stderr]).to.deep.equal([2, `${message}\n`]);
        const [name, ...rest] = message.split(': ');
        expect(JSON.parse(json.stdout)).to.deep.equal({ error: name, cause: rest.join(': ') });
      });
    }
  });

  describe('displayPath', () => {
    it('shows a path inside the working folder relative to it, any other in full', () => {
      expect(displayPath('/repo/reports/a.html', '/repo')).to.equal(join('reports', 'a.html'));
      expect(displayPath('/repo/reports/a.html', '/elsewhere')).to.equal('/repo/reports/a.html');
    });
  });

  describe('progress line', () => {
    it('shows only on a terminal, without --json, for runs of a few hundred items', () => {
      const tty = { isTTY: true, write: () => true };
      expect(shouldShowProgress({ stream: tty, json: false, total: PROGRESS_MIN_ITEMS })).to.be.true;
      expect(shouldShowProgress({ stream: tty, json: true, total: 1000 })).to.be.false;
      expect(shouldShowProgress({ stream: tty, json: false, total: 10 })).to.be.false;
      expect(shouldShowProgress({ stream: { write: () => true }, json: false, total: 1000 })).to.be.false;
    });

    it('redraws one line at most every 100 ms, always at the end, and erases it when done', () => {
      const written: string[] = [];
      let now = 0;
      const line = createProgressLine({ isTTY: true, write: (text) => written.push(text) }, 4, () => now);
      now = 500;
      line.update(1);
      now = 550;
      line.update(2);
      now = 1000;
      line.update(4);
      line.done();
      expect(written).to.deep.equal([
        '\rdelivered 1/4 (25%), 2 msg/s\x1b[K',
        '\rdelivered 4/4 (100%), 4 msg/s\x1b[K',
        '\r\x1b[K',
      ]);
      expect(formatProgress(0, 0, 0)).to.equal('delivered 0/0 (0%), 0 msg/s');
    });
  });
});
