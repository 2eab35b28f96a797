import type { Plan } from '../plan/types.js';
import type { PlaybookEvent } from './events.js';

/** Where a rollout stands: per stage, the hosts done, failed and pending, and the host now running. */
export class RolloutProgress {
  stage: string | undefined;
  current: string | undefined;
  private readonly hosts = new Map<string, string[]>();
  private readonly done = new Map<string, Set<string>>();
  private readonly failed = new Map<string, Set<string>>();

  constructor(plan: Plan) {
    for (const s of plan.stages)
      this.hosts.set(
        s.id,
        s.hosts.map((h) => h.name),
      );
  }

  update(e: PlaybookEvent): void {
    if (e.event === 'stage') this.stage = e.stage ?? undefined;
    if (e.event === 'start') this.current = e.host;
    if (e.event === 'skip' && this.current === e.host) this.current = undefined;
    // A host waiting for its wave's token is still pending: the run with the token decides it.
    if (e.event === 'host' && e.steps_task && e.stage && !e.awaiting) {
      const into = e.status === 'ok' ? this.done : this.failed;
      if (!into.has(e.stage)) into.set(e.stage, new Set());
      into.get(e.stage)!.add(e.host);
      if (this.current === e.host) this.current = undefined;
    }
  }

  counts(stage: string): { total: number; done: number; failed: number; pending: number } {
    const total = this.hosts.get(stage)?.length ?? 0;
    const done = this.done.get(stage)?.size ?? 0;
    const failed = this.failed.get(stage)?.size ?? 0;
    return { total, done, failed, pending: Math.max(0, total - done - failed) };
  }

  /** One line: the stage, a bar, the counts and the host now running. */
  line(width = 20): string {
    if (!this.stage) return 'starting…';
    const c = this.counts(this.stage);
    const filled = c.total ? Math.round(((c.done + c.failed) / c.total) * width) : width;
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
    return (
      `${this.stage} ${bar} ${c.done}/${c.total} done, ${c.failed} failed, ${c.pending} pending` +
      (this.current ? ` · now: ${this.current}` : '')
    );
  }
}
