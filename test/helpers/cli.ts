import { PassThrough } from 'node:stream';
import { execute } from '../../src/cli.js';
import type { Io } from '../../src/output.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs nbsecure in-process with captured streams: no terminal, CI-like unless env says otherwise. */
export async function cli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; tty?: boolean } = {},
): Promise<CliResult> {
  const stdout = Object.assign(new PassThrough(), { isTTY: opts.tty ?? false });
  const stderr = Object.assign(new PassThrough(), { isTTY: opts.tty ?? false });
  const stdin = Object.assign(new PassThrough(), { isTTY: opts.tty ?? false });
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const io: Io = { stdout, stderr, stdin, env: { ...(opts.env ?? {}) }, cwd: opts.cwd ?? process.cwd() };
  const code = await execute(args, io);
  return { code, stdout: out, stderr: err };
}
