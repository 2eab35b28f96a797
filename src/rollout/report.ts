import { findStatus, statusOf as namedStatus } from '../catalogue/statuses.js';
import type { Plan } from '../plan/types.js';
import { FLEET_WAIT_TASK } from '../render/ansible.js';
import { changedSteps, type PlaybookEvent, type StepReport } from './events.js';

export interface HostReport {
  host: string;
  role: string;
  /** The last stage this host took part in during the run. */
  stage: string;
  outcome: 'done' | 'failed' | 'waiting' | 'not run';
  changed: string[];
  failure?: { step?: string; message: string; status?: { code: number; meaning: string; remedy: string } };
}

export interface RolloutReport {
  plan: string;
  check: boolean;
  hosts: HostReport[];
}

/** A NetBackup status in a failure's output (EXIT STATUS n) or its exit status, explained from the catalogue. */
function statusOf(text: string, rc?: number) {
  const code = Number(namedStatus(text, rc));
  const info = Number.isFinite(code) ? findStatus(code) : undefined;
  return info ? { code: info.code, meaning: info.meaning, remedy: info.remedy } : undefined;
}

/** The report of a run, from the plan (every host) and the playbook's events (what happened to each). */
export function rolloutReport(plan: Plan, events: PlaybookEvent[], check: boolean): RolloutReport {
  const hosts = new Map<string, HostReport>(
    plan.hosts.map((h) => [h.name, { host: h.name, role: h.role, stage: '', outcome: 'not run', changed: [] }]),
  );
  const awaitingToken = new Set<string>();
  for (const e of events) {
    if (e.event !== 'host') continue;
    const h = hosts.get(e.host);
    if (!h) continue;
    h.stage = e.stage ?? h.stage;
    const steps: StepReport[] = e.steps ?? [];
    h.changed.push(...changedSteps(e));
    if (e.status === 'failed' && e.task === FLEET_WAIT_TASK) {
      h.outcome = 'waiting';
      h.failure = { message: `tightening waits for the fleet: ${e.msg ?? ''}` };
    } else if (e.status === 'failed' || e.status === 'unreachable') {
      const failed = steps.find((s) => s.outcome === 'failed' || s.outcome === 'manual');
      const text = `${failed?.stdout ?? e.stdout ?? ''}\n${failed?.stderr ?? e.stderr ?? ''}\n${e.msg ?? ''}`;
      const status = statusOf(text, failed?.rc ?? e.rc);
      h.outcome = failed?.outcome === 'manual' ? 'waiting' : 'failed';
      h.failure = {
        ...(failed ? { step: failed.id } : {}),
        // A task whose result is hidden (no_log) says nothing: its name says what failed.
        message: e.msg || failed?.detail || `${e.task}: ${e.status}`,
        ...(status ? { status } : {}),
      };
    } else if (e.steps_task && e.awaiting) {
      // Stopped, unharmed, for a token its wave makes on the primary: done only when the run with it succeeds.
      h.outcome = 'waiting';
      h.failure = { step: e.awaiting.step, message: `waits for its wave's ${e.awaiting.kind} token` };
      awaitingToken.add(e.host);
    } else if (e.steps_task && (awaitingToken.delete(e.host) || (h.outcome !== 'failed' && h.outcome !== 'waiting'))) {
      h.outcome = 'done';
      delete h.failure;
    }
  }
  return { plan: plan.digest, check, hosts: [...hosts.values()] };
}

/** The report as a Markdown table, for people. */
export function reportMarkdown(r: RolloutReport): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = r.hosts.map((h) => {
    const failure = h.failure
      ? `${h.failure.step ? `${h.failure.step}: ` : ''}${h.failure.message}` +
        (h.failure.status
          ? ` (NetBackup status ${h.failure.status.code}: ${h.failure.status.meaning} ` +
            `Remedy: ${h.failure.status.remedy})`
          : '')
      : '';
    return `| ${h.host} | ${h.role} | ${h.stage || '-'} | ${h.outcome} | ${h.changed.length} | ${cell(failure)} |`;
  });
  return [
    `# nbsecure rollout report${r.check ? ' (dry run: nothing was changed)' : ''}`,
    '',
    `Plan \`${r.plan.slice(0, 16)}\`.`,
    '',
    '| Host | Role | Stage reached | Outcome | Changed steps | Failure |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
