import { fsyncSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendPrivate, stateFailure } from './private-files.js';

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

/** Journal text to entries; lines torn by a crash mid-write, or not entries at all, are passed over. */
export function parseJournal(text: string): JournalEntry[] {
  return text
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        const e: unknown = JSON.parse(l);
        return isEntry(e) ? [e] : [];
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

  constructor(dir: string) {
    this.file = join(dir, 'journal.jsonl');
  }

  append(entry: Omit<JournalEntry, 'time'>): void {
    appendPrivate(this.file, `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`, fsyncSync);
  }

  entries(): JournalEntry[] {
    try {
      return parseJournal(readFileSync(this.file, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw stateFailure(this.file, e);
    }
  }

  progress(plan: string, host: string): Progress {
    return progressOf(this.entries(), plan, host);
  }
}
