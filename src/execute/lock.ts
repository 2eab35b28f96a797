import { closeSync, constants, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { EXIT, UserError } from '../errors.js';
import { stateFailure } from './private-files.js';
import { processAlive } from './process-alive.js';

interface Holder {
  pid: number;
  host: string;
  started: string;
}

function readHolder(file: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? (h as Holder) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One apply at a time per host state folder: two at once would create two tokens or spend one
 * twice. The lock file names its holder; a lock whose process is gone (kill -9) is taken over.
 * Returns the release function and, when a stale lock was taken over, a sentence saying so.
 */
export function lockHostState(dir: string): { release: () => void; tookOver?: string } {
  const file = join(dir, 'apply.lock');
  const me: Holder = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  let tookOver: string | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw stateFailure(file, e);
      const holder = readHolder(file);
      if (holder && (holder.host !== me.host || processAlive(holder.pid))) {
        throw new UserError(
          `another nbsecure apply holds ${file}: process ${holder.pid}` +
            ` on ${holder.host}, started ${holder.started}` +
            `. Wait for it to finish; if that process is gone for good, remove the file and run ` +
            `again.`,
          EXIT.failed,
        );
      }
      const left = holder ? `process ${holder.pid}, which is gone` : 'an unreadable lock file';
      tookOver = `took over the lock left by ${left}`;
      try {
        unlinkSync(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw stateFailure(file, err);
      }
      continue;
    }
    writeSync(fd, JSON.stringify(me));
    closeSync(fd);
    const release = () => {
      process.removeListener('exit', release);
      if (readHolder(file)?.pid === me.pid) {
        try {
          unlinkSync(file);
        } catch {
          /* already gone */
        }
      }
    };
    process.once('exit', release);
    return { release, ...(tookOver ? { tookOver } : {}) };
  }
  throw new UserError(`another nbsecure apply took ${file} at the same moment; run again.`, EXIT.failed);
}
