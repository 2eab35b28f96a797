import type { Writable } from 'node:stream';

/** The streams and environment a command talks to: injectable so tests run commands in-process. */
export interface Io {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

/** Colour only for a terminal, never with NO_COLOR (https://no-color.org) or TERM=dumb. */
export function colours(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv) {
  const on = Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  const wrap = (open: number, close: number) => (s: string) => (on ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { bold: wrap(1, 22), red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), dim: wrap(2, 22) };
}

export function writeLine(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}
