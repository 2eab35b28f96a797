import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = resolve(ROOT, 'bin', 'nbsecure.js');

/** The built CLI as a user runs it: no terminal, CI set, a clean environment. */
export function nbsecure(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string; nodeArgs?: string[]; cwd?: string; timeout?: number } = {},
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [...(opts.nodeArgs ?? []), BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    input: opts.input ?? '',
    timeout: opts.timeout ?? 60_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true', ...opts.env },
  });
}
