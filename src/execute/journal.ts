import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

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

/** Append-only JSON lines, fsync'd after every entry so a crash loses at most the line being written. */
export class Journal {
  readonly file: string;

  constructor(dir: string) {
    this.file = join(dir, 'journal.jsonl');
  }

  append(entry: Omit<JournalEntry, 'time'>): void {
    const fd = openSync(this.file, 'a', 0o600);
    try {
      writeSync(fd, `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  entries(): JournalEntry[] {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as JournalEntry];
        } catch {
          return []; // a line torn by a crash mid-write
        }
      });
  }

  /**
   * What earlier runs of this plan did: steps finished (or confirmed), and for each step the
   * position of its last successful run and of its last change, so a dependent step (the restart
   * after a setting changed) can tell whether it is still owed.
   */
  progress(
    plan: string,
    host: string,
  ): { done: Set<string>; lastOk: Map<string, number>; lastChange: Map<string, number>; lastPlan?: string } {
    const done = new Set<string>();
    const lastOk = new Map<string, number>();
    const lastChange = new Map<string, number>();
    let lastPlan: string | undefined;
    this.entries().forEach((e, i) => {
      if (e.host !== host) return;
      lastPlan = e.plan;
      if (e.plan !== plan) return;
      if (e.event === 'ok' || e.event === 'skipped' || e.event === 'confirmed') done.add(e.step);
      if (e.event === 'ok') lastOk.set(e.step, i);
      if (e.event === 'ok' && e.changed) lastChange.set(e.step, i);
    });
    return { done, lastOk, lastChange, ...(lastPlan ? { lastPlan } : {}) };
  }
}
