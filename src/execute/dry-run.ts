import type { Os } from '../environment/types.js';
import type { PlanCommand, Step } from '../plan/types.js';
import { describeFiles, displayCommand } from '../render/display.js';

/** A step with what it will run decided: the same object the dry run prints and the runner runs. */
export interface ResolvedStep {
  step: Step;
  invocation?: PlanCommand & { stdin?: string };
  /** For the configuration step: whether the host's current values could be read. */
  configRead?: 'ok' | 'failed';
  noChange?: boolean;
  /** Why the step will refuse to run (an identity key already set to another value). */
  refusal?: string;
  note?: string;
  /** With an API key: the login it stands in for, or the REST call a manual step becomes. */
  viaApiKey?: { login: true } | { rest: RestCall };
}

/** A REST step's calls as the dry run shows them and the runner makes them. */
export interface RestCall {
  read: { method: 'GET'; url: string };
  write: { method: 'POST'; url: string; body: Record<string, unknown> };
}

/** The dry-run lines of one step: path and argv, stdin, files, and when it is skipped. */
export function describeResolved(r: ResolvedStep, n: number, os: Os, doneEarlier: boolean): string[] {
  const s = r.step;
  const id = s.id.slice(s.host.length + 1);
  const lines = [
    `\n${String(n).padStart(2)}. ${s.manual ? 'MANUAL ' : ''}` +
      `[${id}] ${s.title}${s.effect === 'read' ? ' (read-only)' : ''}`,
  ];
  if (doneEarlier) lines.push('    done in an earlier run: will not run again (--resume)');
  if (s.verifyForYourVersion) lines.push(`    ${s.verifyForYourVersion}`);
  if (r.viaApiKey && 'login' in r.viaApiKey) {
    lines.push('    with the API key: no login; the commands that need a session get the key in NETBACKUP_APIKEY');
    return lines;
  }
  if (r.viaApiKey && 'rest' in r.viaApiKey) {
    const { read, write } = r.viaApiKey.rest;
    lines.push(
      `    with the API key, over TLS pinned to the CA fingerprint:`,
      `    read:  ${read.method} ${read.url}`,
      `    send:  ${write.method} ${write.url} ${JSON.stringify(write.body)}`,
      '           only the fields that differ from what the read shows; nothing when all match',
      '    waits: for a one-time password (--otp) or an approval, if the primary asks for one (exit 4)',
    );
    return lines;
  }
  if (s.manual) {
    for (const l of s.instructions ?? []) lines.push(`    ${l}`);
    lines.push('    You confirm it when asked, or with --confirm on the command line.');
    return lines;
  }
  if (r.invocation) lines.push(`    run:   ${displayCommand(r.invocation, os)}`);
  if (r.invocation?.stdin !== undefined && !r.noChange) {
    const stdin = r.invocation.stdin.replace(/\n$/, '').split('\n');
    lines.push(`    stdin: ${stdin[0] ?? ''}`, ...stdin.slice(1).map((l) => `           ${l}`));
  }
  if (r.configRead && s.mergeRepeatedKeys)
    lines.push(
      `    reads: ${displayCommand(s.mergeRepeatedKeys.read, os)}` +
        ` (read-only: the current values, kept in the state directory before the first change)`,
    );
  if (r.note)
    lines.push(
      `    note:  ${
        r.configRead === 'failed'
          ? `the current configuration could not be read (${r.note}); this step will refuse to write`
          : r.note
      }`,
    );
  if (r.refusal) lines.push(`    STOPS: ${r.refusal}`);
  if (s.guard) lines.push('    stops: if it lists a host at 8.0 or earlier that the answers do not name');
  for (const f of describeFiles(s)) lines.push(`    file:  ${f}`);
  if (s.done)
    lines.push(
      `    skip:  if \`${displayCommand(s.done.command, os)}` +
        `\` succeeds${s.done.outputMatches ? ` and prints /${s.done.outputMatches}/` : ''}`,
    );
  if (s.onlyIfChanged) lines.push(`    only:  if ${s.onlyIfChanged} changed something`);
  if (s.done?.certificate) {
    lines.push(
      `    valid: the certificate it lists must not be expired or revoked; otherwise, with --reissue: ` +
        `${displayCommand(s.reissue!.command, os)}`,
    );
  }
  if (s.once) lines.push('    once:  skipped if an earlier run of this plan did it');
  if (s.skipIfCaptured) lines.push('    skip:  while the token captured by an earlier run is at hand');
  if (s.tolerateFailure) lines.push(`    a failure is fine: ${s.tolerateFailure}`);
  if (s.interruptsService) lines.push('    WARNING: interrupts running backup and restore jobs');
  if (s.capturesSecret) lines.push('    its output holds the new token: it is saved to a 0600 file and never printed');
  return lines;
}
