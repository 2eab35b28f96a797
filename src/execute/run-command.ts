import { StringDecoder } from 'node:string_decoder';
import { execa } from 'execa';

/** How one NetBackup command runs; the defaults live here and nowhere else. */
export interface CommandRun {
  file: string;
  args: string[];
  stdin?: string;
  env: NodeJS.ProcessEnv;
  /** The command, its children and every byte they print end by this deadline. */
  timeoutMs: number;
  /** Aborting sends SIGINT to the command's whole process group (Ctrl-C in the wizard, SIGINT/SIGTERM here). */
  signal?: AbortSignal;
  /** The most output read; a command that prints more is stopped. */
  maxBytes?: number;
  /** Each piece of output as it arrives (stdout and stderr interleaved). */
  onOutput?: (text: string) => void;
  /** Read stdout alone (a configuration listing, parsed), not stderr interleaved with it. */
  stdoutOnly?: boolean;
}

export interface CommandResult {
  /** Undefined when the command did not end by itself (stopped, or it could not start). */
  exitCode?: number;
  output: string;
  /** Why nbsecure stopped it, if it did. */
  stopped?: 'timeout' | 'interrupt' | 'output';
  /** Set when the command could not start at all (ENOENT, EACCES). */
  startError?: string;
}

// NetBackup's own listings are kilobytes; a command that prints more than this is not one of them.
const DEFAULTS = { maxBytes: 16 * 1024 * 1024, graceMs: 2_000 };

/**
 * Runs a command in a process group of its own, so that a deadline, an interrupt or runaway output stops the
 * command and everything it started: a child that holds the output open ends with it, and a command that
 * ignores SIGTERM or SIGINT is killed outright after a grace period. Never a shell.
 */
export async function runCommand(o: CommandRun): Promise<CommandResult> {
  const maxBytes = o.maxBytes ?? DEFAULTS.maxBytes;
  const sub = execa(o.file, o.args, {
    env: o.env,
    extendEnv: false,
    reject: false,
    all: !o.stdoutOnly,
    buffer: false,
    detached: true,
    ...(o.stdin !== undefined ? { input: o.stdin } : { stdin: 'ignore' as const }),
  });
  const decoder = new StringDecoder('utf8');
  let output = '';
  let size = 0;
  let stopped: CommandResult['stopped'];
  let kill: NodeJS.Timeout | undefined;
  const group = (signal: NodeJS.Signals) => {
    try {
      if (sub.pid) process.kill(-sub.pid, signal);
    } catch {
      /* the group is gone */
    }
  };
  // No longer read: the pipes are closed on nbsecure's side, whoever still holds the other end.
  const letGo = () => {
    for (const s of [sub.all, sub.stdout, sub.stderr]) s?.destroy();
  };
  const stop = (why: NonNullable<CommandResult['stopped']>, signal: NodeJS.Signals) => {
    if (stopped) return;
    stopped = why;
    group(signal);
    // What ignores the signal, or outlives the command holding its output, is killed and no longer read.
    kill = setTimeout(() => {
      group('SIGKILL');
      letGo();
    }, DEFAULTS.graceMs);
  };
  // What is not read is drained all the same: a full pipe would stop the command.
  if (o.stdoutOnly) sub.stderr?.resume();
  (o.stdoutOnly ? sub.stdout : sub.all)?.on('data', (chunk: Buffer) => {
    if (stopped === 'output') return;
    size += chunk.length;
    if (size > maxBytes) return stop('output', 'SIGTERM');
    const text = decoder.write(chunk);
    output += text;
    o.onOutput?.(text);
  });
  const deadline = setTimeout(() => stop('timeout', 'SIGTERM'), o.timeoutMs);
  // The command ended but something it started holds its output open (a helper, a daemon that did not let go
  // of it): what is left to read gets a grace period, then the output is let go of; the child lives on.
  let drain: NodeJS.Timeout | undefined;
  sub.on('exit', () => {
    drain = setTimeout(letGo, DEFAULTS.graceMs);
  });
  const onAbort = () => stop('interrupt', 'SIGINT');
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) onAbort();
  const r = await sub;
  clearTimeout(deadline);
  clearTimeout(kill);
  clearTimeout(drain);
  o.signal?.removeEventListener('abort', onAbort);
  const rest = decoder.end();
  if (rest && stopped !== 'output') {
    output += rest;
    o.onOutput?.(rest);
  }
  if (stopped) return { output, stopped };
  if (r.exitCode === undefined) {
    const code = (r as { code?: string }).code;
    return { output, startError: String(code ?? r.shortMessage) };
  }
  return { exitCode: r.exitCode, output };
}
