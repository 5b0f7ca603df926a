// Whether the `aws` command is installed, asked once per test process: each of the files that
// use it would otherwise start the AWS CLI (a Python program, half a second) only to ask.
import { spawnSync } from 'node:child_process';

export const hasAwsCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;
