import type { ApplyEvent, ApplyEventListener, ApplyResult } from './events.js';
import { shown } from './shell-words.js';

/** The run's ending in words: what changed, or where it stopped and what continues it. */
function endingLines(r: ApplyResult): string[] {
  const s = r.stopped;
  if (r.dryRun) return ['\nDry run: nothing was changed.'];
  if (s?.kind === 'declined') return [s.reason];
  if (s?.kind === 'failed') {
    return [
      `\nFailed: ${s.title} (${s.step}): ${s.reason}.`,
      ...(s.status
        ? [
            `NetBackup status ${s.status.code}: ${s.status.meaning}\n` +
              `  Likely cause: ${s.status.cause}\n  Remedy: ${s.status.remedy}`,
          ]
        : []),
      `When it is fixed, continue with: ${shown(s.next ?? [])}`,
    ];
  }
  if (s?.kind === 'manual') return [`\nStopped at a manual step. Do it, then continue with: ${shown(s.next ?? [])}`];
  if (s?.kind === 'interrupted') {
    return [
      `\nInterrupted during ${s.step}; temporary secret files were removed. Continue with: ${shown(s.next ?? [])}`,
    ];
  }
  const scope = r.stage ? `stage ${r.stage} of ${r.host}` : r.host;
  const summary = r.changes
    ? `\nDone: ${r.changes} step${r.changes === 1 ? '' : 's'} changed ${scope}. Journal: ${r.journal}`
    : `\nNo changes: ${scope} already matches the plan.`;
  return s?.kind === 'waiting' ? [summary, `\n${s.reason}`] : [summary];
}

/** The lines the CLI and --plain print for one event (none for events the text says elsewhere). */
export function eventLines(e: ApplyEvent): string[] {
  switch (e.type) {
    case 'notice':
      return [e.step ? `    ${e.text}` : e.text];
    case 'dry-run':
      return [
        `nbsecure apply: ${e.dryRun ? 'dry run' : 'plan'} for ${e.host} (${e.role}, ${e.os}), ` +
          `plan ${e.plan.slice(0, 16)}`,
        'Each step runs exactly as shown: argv without a shell, stdin as given, secrets in 0600 files.',
        ...e.steps.flatMap((s) => s.lines),
        ...(e.waitsAt
          ? [`\nThen it stops: the ${e.waitsAt} stage waits until every host has its certificate (--stage).`]
          : []),
      ];
    case 'step-start':
      return [`\n==> [${e.index}/${e.total}] ${e.manual ? 'MANUAL: ' : ''}${e.title}`];
    case 'output':
      return [`    | ${e.line}`];
    case 'step-done':
      if (e.outcome === 'failed') return [];
      return [e.detail ? `    ${e.detail}` : `    ok (${((e.ms ?? 0) / 1000).toFixed(1)} s)`];
    case 'manual-needed':
      return e.instructions.map((l) => `    ${l}`);
    case 'result':
      return endingLines(e.result);
    // Said by the prompt that follows, or by the result.
    case 'secret-needed':
    case 'waiting':
    case 'interrupted':
      return [];
  }
}

/** A view for the terminal and logs: each event as the lines a person reads. */
export function textView(write: (line: string) => void): ApplyEventListener {
  return (e) => eventLines(e).forEach(write);
}

/** apply --json: each event as one JSON line, nothing else on stdout. */
export function jsonView(write: (line: string) => void): ApplyEventListener {
  return (e) => write(JSON.stringify(e));
}
