import { createHmac, randomBytes } from 'node:crypto';
import { fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { appendPrivate, readPrivate, stateFailure, writePrivate } from './private-files.js';

export type JournalEvent = 'start' | 'ok' | 'failed' | 'skipped' | 'confirmed' | 'interrupted';

export interface JournalEntry {
  time: string;
  plan: string;
  host: string;
  step: string;
  event: JournalEvent;
  exit?: number;
  ms?: number;
  /** The step changed the host (it ran, rather than being found already done). */
  changed?: boolean;
  reason?: string;
  /**
   * Whether the line carries this host's mark (an HMAC under the key in its state folder): an unmarked line
   * (edited, forged, or copied from elsewhere) never counts as a step done, only as a possible change.
   */
  verified?: boolean;
}

/**
 * What earlier runs did on a host: the steps of this plan finished (or confirmed) and done once, and,
 * across every plan the host has run, each step's last successful run and last (possible) change, so that
 * a dependent step (the restart after a setting changed) can tell whether it is still owed. What a host
 * owes belongs to the host: a primary stopped under one plan is started under the next.
 */
export interface Progress {
  done: Set<string>;
  /** This plan's steps that succeeded (a step done once is not done again). */
  lastOk: Map<string, number>;
  /** Every plan's: the owed restart survives an edited answers file or a newer nbsecure. */
  hostLastOk: Map<string, number>;
  hostLastChange: Map<string, number>;
  lastPlan?: string;
}

function isEntry(e: unknown): e is JournalEntry {
  const x = e as Partial<JournalEntry> | null;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x.plan === 'string' &&
    typeof x.host === 'string' &&
    typeof x.step === 'string' &&
    typeof x.event === 'string'
  );
}

const markOf = (key: Buffer, line: string) => createHmac('sha256', key).update(line).digest('hex');

/** One journal line: the entry with its mark last. */
export function journalLine(entry: JournalEntry, key: Buffer): string {
  const body = JSON.stringify(entry);
  return `${body.slice(0, -1)},"mac":"${markOf(key, body)}"}`;
}

/**
 * Journal text to entries; lines torn by a crash mid-write, or not entries at all, are passed over. With the
 * key, each entry says whether its mark is right.
 */
export function parseJournal(text: string, key?: Buffer): JournalEntry[] {
  return text
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        const { mac, ...e } = JSON.parse(l) as { mac?: unknown };
        if (!isEntry(e)) return [];
        const verified = key !== undefined && typeof mac === 'string' && mac === markOf(key, JSON.stringify(e));
        return [{ ...e, verified }];
      } catch {
        return [];
      }
    });
}

/**
 * A change step that was started and never finished (killed, interrupted, timed out) may have
 * changed the host: it counts as a change, so a restart it triggers is still owed. A step that
 * ended with an exit status of its own ran to the end and said what it did.
 */
export function progressOf(entries: JournalEntry[], plan: string, host: string): Progress {
  const done = new Set<string>();
  const lastOk = new Map<string, number>();
  const hostLastOk = new Map<string, number>();
  const hostLastChange = new Map<string, number>();
  const open = new Map<string, number>();
  let lastPlan: string | undefined;
  const settle = (step: string, possiblyChanged: boolean) => {
    const at = open.get(step);
    if (at === undefined) return;
    open.delete(step);
    if (possiblyChanged) hostLastChange.set(step, at);
  };
  entries.forEach((e, i) => {
    if (e.host !== host) return;
    lastPlan = e.plan;
    if (e.event === 'start') {
      settle(e.step, true);
      open.set(e.step, i);
      return;
    }
    settle(e.step, e.event === 'interrupted' || (e.event === 'failed' && e.exit === undefined));
    // Only a marked line says a step finished: a forged "ok" cannot make nbsecure skip a step or a restart.
    if (!e.verified) return;
    if (e.event === 'ok') hostLastOk.set(e.step, i);
    if (e.event === 'ok' && e.changed) hostLastChange.set(e.step, i);
    if (e.plan !== plan) return;
    if (e.event === 'ok' || e.event === 'skipped' || e.event === 'confirmed') done.add(e.step);
    if (e.event === 'ok') lastOk.set(e.step, i);
  });
  for (const step of open.keys()) settle(step, true);
  return { done, lastOk, hostLastOk, hostLastChange, ...(lastPlan ? { lastPlan } : {}) };
}

/**
 * Whether a step that runs only after `trigger` changed something is owed: the trigger changed in
 * this run, or in an earlier run (of any plan) after this step last completed.
 */
export function stillOwed(progress: Progress, changedNow: ReadonlySet<string>, step: string, trigger: string): boolean {
  return (
    changedNow.has(trigger) || (progress.hostLastChange.get(trigger) ?? -1) > (progress.hostLastOk.get(step) ?? -1)
  );
}

/** Append-only JSON lines, fsync'd after every entry so a crash loses at most the line being written. */
export class Journal {
  readonly file: string;
  private readonly keyFile: string;
  private key?: Buffer;

  constructor(dir: string) {
    this.file = join(dir, 'journal.jsonl');
    this.keyFile = join(dir, 'journal.key');
  }

  /** The host's journal key (32 random bytes, 0600), made by the first append; a read never makes one. */
  private markKey(make: true): Buffer;
  private markKey(make: false): Buffer | undefined;
  private markKey(make: boolean): Buffer | undefined {
    if (this.key) return this.key;
    const text = readPrivate(this.keyFile);
    if (text !== undefined && /^[0-9a-f]{64}$/.test(text.trim())) return (this.key = Buffer.from(text.trim(), 'hex'));
    // Without its key no line of a journal is marked: nothing in it counts as done.
    if (!make) return undefined;
    const key = randomBytes(32);
    writePrivate(this.keyFile, `${key.toString('hex')}\n`);
    return (this.key = key);
  }

  append(entry: Omit<JournalEntry, 'time' | 'verified'>): void {
    const line = journalLine({ time: new Date().toISOString(), ...entry }, this.markKey(true));
    appendPrivate(this.file, `${line}\n`, fsyncSync);
  }

  entries(): JournalEntry[] {
    try {
      const text = readPrivate(this.file);
      return text === undefined ? [] : parseJournal(text, this.markKey(false));
    } catch (e) {
      throw stateFailure(this.file, e);
    }
  }

  progress(plan: string, host: string): Progress {
    return progressOf(this.entries(), plan, host);
  }
}
