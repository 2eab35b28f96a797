/** One step's outcome on a host, as the nbsecure_steps module reports it (already redacted). */
export interface StepReport {
  id: string;
  title: string;
  /** waiting: the step needs a token the host's wave makes on the primary (it runs again with it). */
  outcome: 'changed' | 'unchanged' | 'skipped' | 'failed' | 'manual' | 'waiting';
  detail: string;
  rc?: number;
  stdout?: string;
  stderr?: string;
}

/** What the playbook's nbsecure_events callback prints, one JSON object per line. */
export type PlaybookEvent =
  | { event: 'stage'; stage: string | null; name: string }
  | { event: 'start'; stage: string | null; host: string }
  | { event: 'skip'; stage: string | null; host: string }
  | {
      event: 'host';
      stage: string | null;
      host: string;
      task: string;
      steps_task: boolean;
      status: 'ok' | 'failed' | 'unreachable' | 'ignored';
      changed: boolean;
      steps?: StepReport[];
      /** The steps stopped, unharmed, for a token the wave makes: a first certificate's, or a reissue token. */
      awaiting?: { kind: 'token' | 'reissue'; step: string };
      msg?: string;
      rc?: number;
      stdout?: string;
      stderr?: string;
    }
  | { event: 'stats'; hosts: Record<string, { ok: number; changed: number; failures: number; unreachable: number }> };

/** Parses one line of the callback's output; anything else (a warning Ansible prints) is not an event. */
export function parseEvent(line: string): PlaybookEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const e = JSON.parse(line) as PlaybookEvent;
    return typeof e.event === 'string' ? e : undefined;
  } catch {
    return undefined;
  }
}

/** The steps a host result says changed the host, by id. */
export function changedSteps(e: { steps?: StepReport[] }): string[] {
  return (e.steps ?? []).filter((s) => s.outcome === 'changed').map((s) => s.id);
}
