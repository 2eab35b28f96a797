import { closeSync, constants, linkSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { EXIT, UserError } from '../errors.js';
import { readPrivate, stateFailure } from './private-files.js';
import { processAlive } from './process-alive.js';

interface Holder {
  pid: number;
  host: string;
  started: string;
}

/** A lock's text, read without following a link or waiting on a FIFO: anything unreadable is a leftover. */
function readText(file: string): string | undefined {
  try {
    return readPrivate(file);
  } catch {
    return undefined;
  }
}

function holderOf(text: string | undefined): Holder | undefined {
  try {
    const h = JSON.parse(text ?? '') as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? (h as Holder) : undefined;
  } catch {
    return undefined;
  }
}

const removeQuietly = (file: string) => {
  try {
    unlinkSync(file);
  } catch {
    /* already gone */
  }
};

/** Whether a lock's holder may still be at work: alive here, or on another machine (which nobody here can tell). */
const holds = (h: Holder | undefined, me: Holder) => Boolean(h && (h.host !== me.host || processAlive(h.pid)));

/** A new file of its own beside `file` with the holder in it, to be linked or renamed into place. */
function holderFile(file: string, me: Holder): string {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, JSON.stringify(me));
  } finally {
    closeSync(fd);
  }
  return tmp;
}

/**
 * The holder's file linked into place: a lock is never seen empty or half-written, so an unreadable one is a
 * leftover, never a run that has just begun.
 */
function placeLock(file: string, me: Holder): 'placed' | 'taken' {
  let tmp: string | undefined;
  try {
    tmp = holderFile(file, me);
    linkSync(tmp, file);
    return 'placed';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return 'taken';
    throw stateFailure(file, e);
  } finally {
    if (tmp) removeQuietly(tmp);
  }
}

/**
 * One apply at a time per host state folder: two at once would create two tokens or spend one twice. The lock
 * file names its holder. A lock whose process is gone (kill -9), or that holds nothing readable, is taken over,
 * and only by one: the taker first holds a second lock, reads the stale one again, and only then replaces it.
 * Returns the release function and, when a stale lock was taken over, a sentence saying so.
 */
export function lockHostState(dir: string): { release: () => void; tookOver?: string } {
  const file = join(dir, 'apply.lock');
  const me: Holder = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  let tookOver: string | undefined;
  for (let attempt = 0; attempt < 3 && !tookOver; attempt++) {
    if (placeLock(file, me) === 'placed') return held(file, me);
    const seen = readText(file);
    const holder = holderOf(seen);
    if (holds(holder, me)) throw heldBy(file, holder!);
    tookOver = takeOver(file, seen, me, holder);
  }
  if (!tookOver) throw raced(file);
  return { ...held(file, me), tookOver };
}

/** Replaces the stale lock `seen` with this run's, unless another run replaced it first (then undefined). */
function takeOver(file: string, seen: string | undefined, me: Holder, holder: Holder | undefined): string | undefined {
  const takeover = `${file}.takeover`;
  if (placeLock(takeover, me) === 'taken') {
    // Another run is taking over at this moment, or one died doing so: its own lock is stale in turn.
    const taker = holderOf(readText(takeover));
    if (holds(taker, me)) throw raced(file);
    removeQuietly(takeover);
    return undefined;
  }
  try {
    if (readText(file) !== seen) return undefined;
    let mine: string | undefined;
    try {
      mine = holderFile(file, me);
      renameSync(mine, file);
    } catch (e) {
      if (mine) removeQuietly(mine);
      throw stateFailure(file, e);
    }
    return `took over the lock left by ${holder ? `process ${holder.pid}, which is gone` : 'an unreadable lock file'}`;
  } finally {
    removeQuietly(takeover);
  }
}

function held(file: string, me: Holder): { release: () => void } {
  const release = () => {
    process.removeListener('exit', release);
    if (holderOf(readText(file))?.pid === me.pid) removeQuietly(file);
  };
  process.once('exit', release);
  return { release };
}

function heldBy(file: string, holder: Holder): UserError {
  return new UserError(
    `another nbsecure apply holds ${file}: process ${holder.pid} on ${holder.host}, started ${holder.started}. ` +
      'Wait for it to finish; if that process is gone for good, remove the file and run again.',
    EXIT.failed,
  );
}

const raced = (file: string) =>
  new UserError(`another nbsecure apply took ${file} at the same moment; run again.`, EXIT.failed);
