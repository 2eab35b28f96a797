import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, win32 } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { findStatus } from '../catalogue/statuses.js';
import { EXIT, UsageError, UserError } from '../errors.js';
import { stepsToRun } from '../plan/stages.js';
import type { HostPlan, Plan, PlanCommand, StageId, Step } from '../plan/types.js';
import { configChange, identityConflicts, parseConfigLines } from './config-diff.js';
import { describeResolved, type ResolvedStep } from './dry-run.js';
import { certificateState, certificateVerdict } from './certificate-state.js';
import { guardFailure } from './guards.js';
import { detectInstallRoot, underRoot } from './install-root.js';
import { Journal, stillOwed } from './journal.js';
import { writePrivate } from './private-files.js';
import { RedactedLines, Redactor } from './redact.js';
import { StepFiles, sweepStaleSecretFolders } from './secret-files.js';
import { lockHostState } from './lock.js';
import { hostStateDir } from './state.js';
import { checkSecret, childEnvironment, SECRET_KINDS, TOKEN_FORMAT, type SecretKind } from './token.js';

/** How the runner talks to a person; the CLI gives a terminal one, tests and CI a silent one. */
export interface Prompter {
  interactive: boolean;
  confirm(question: string): Promise<boolean>;
  secret(question: string): Promise<string>;
}

export interface ApplyOptions {
  stateDir: string;
  resume: boolean;
  dryRun: boolean;
  yes: boolean;
  /** Run only this stage of the host (apply --stage); without it, every step before a gated stage. */
  stage?: StageId;
  /** The token given is a reissue token: a host whose certificate expired or was revoked gets a new one. */
  reissue?: boolean;
  /**
   * From --token-file / --passphrase-file or the environment, already checked; otherwise asked for
   * when a step needs one.
   */
  secrets: Partial<Record<SecretKind, string>>;
  /** Manual steps the user confirms on the command line (--confirm). */
  confirmed: ReadonlySet<string>;
  stepTimeoutMs: number;
  /** The command that resumes this run, shown after a failure or a stop. */
  resumeCommand: string[];
  out: (line: string) => void;
  prompter: Prompter;
}

const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
const shown = (argv: string[]) => argv.map(quote).join(' ');

interface Outcome {
  exit: number | undefined;
  output: string;
  failure?: string;
  interrupted: boolean;
}

/** Runs one host's steps: dry run, consent, then each step journaled. Returns the exit code. */
export async function applyHost(plan: Plan, hostName: string, opts: ApplyOptions): Promise<number> {
  const host = plan.hosts.find((h) => h.name.toLowerCase() === hostName.toLowerCase());
  if (!host)
    throw new UsageError(
      `--host ${hostName} is not in the plan; its hosts are: ${plan.hosts.map((h) => h.name).join(', ')}.`,
    );
  const redactor = new Redactor();
  const secrets = { ...opts.secrets };
  for (const v of Object.values(secrets)) if (v) redactor.add(v);
  const say = (line: string) => opts.out(redactor.redact(line));
  const stateDir = hostStateDir(opts.stateDir, host.name);
  const swept = sweepStaleSecretFolders();
  if (swept) say(`Removed ${swept} secret folder${swept === 1 ? '' : 's'} left by an interrupted run (kill -9).`);
  // A dry run changes nothing and may run beside a real one; a real run has the host to itself.
  const lock = opts.dryRun ? undefined : lockHostState(stateDir);
  if (lock?.tookOver) say(`The state folder ${stateDir} was locked by an earlier run: ${lock.tookOver}.`);
  try {
    const here = await onThisMachine(host, say);
    return await applyLocked(plan, here, opts, { redactor, secrets, say, stateDir });
  } finally {
    lock?.release();
  }
}

async function applyLocked(
  plan: Plan,
  host: HostPlan,
  opts: ApplyOptions,
  ctx: {
    redactor: Redactor;
    secrets: Partial<Record<SecretKind, string>>;
    say: (line: string) => void;
    stateDir: string;
  },
): Promise<number> {
  const { redactor, secrets, say, stateDir } = ctx;
  const journal = new Journal(stateDir);
  const earlier = journal.progress(plan.digest, host.name);
  // On --resume a finished step is not run again, except one whose need is read from the host's state
  // each time (the token steps: whether the captured value is still at hand).
  const doneEarlier = (step: Step) => opts.resume && earlier.done.has(step.id) && !step.skipIfCaptured;
  if (opts.resume && earlier.done.size === 0) {
    // A run that failed at its first step has nothing to skip: resuming is starting again.
    const other = earlier.lastPlan && earlier.lastPlan !== plan.digest ? ' (it records another plan)' : '';
    say(`--resume: the journal has no finished step of this plan${other}; starting from the first step.`);
  }

  const selection = stepsToRun(host.steps, opts.stage);
  if (!selection) {
    const stages = [...new Set(host.steps.map((s) => s.stage))].join(', ');
    throw new UsageError(`--stage ${opts.stage}: ${host.name} has no steps in that stage; its stages are: ${stages}.`);
  }
  const { steps: resolved, snapshot } = await resolveSteps({ ...host, steps: selection.steps }, opts.stepTimeoutMs);
  say(
    `nbsecure apply: ${opts.dryRun ? 'dry run' : 'plan'}` +
      ` for ${host.name} (${host.role}, ${host.os}), plan ${plan.digest.slice(0, 16)}`,
  );
  say(`Each step runs exactly as shown: argv without a shell, stdin as given, secrets in 0600 files.`);
  resolved.forEach((r, i) => describeResolved(r, i + 1, host.os, doneEarlier(r.step)).forEach(say));
  if (selection.waitsAt) {
    say(`\nThen it stops: the ${selection.waitsAt} stage waits until every host has its certificate (--stage).`);
  }
  if (opts.dryRun) {
    say('\nDry run: nothing was changed.');
    return 0;
  }
  if (!opts.yes) {
    if (!opts.prompter.interactive) {
      throw new UsageError(
        'nbsecure apply needs your consent, and there is no terminal to ask on: read the dry ' +
          'run (--dry-run) and pass --yes to consent.',
      );
    }
    if (!(await opts.prompter.confirm(`Run these ${resolved.length} steps on ${host.name} now?`))) {
      say('Nothing was run.');
      return 1;
    }
  }

  const files = new StepFiles();
  let current: ResultPromise | undefined;
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = signal;
    current?.kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const changedNow = new Set<string>();
  // Owed when the trigger changed in this run, or in an earlier run after this step last completed.
  let snapshotTaken = existsSync(join(stateDir, 'config-before.txt'));
  let changes = 0;

  const run = async (
    cmd: PlanCommand,
    stdin: string | undefined,
    timeoutMs: number,
    echo: boolean,
  ): Promise<Outcome> => {
    const sub = execa(cmd.file, cmd.args, {
      env: childEnvironment(),
      extendEnv: false,
      reject: false,
      all: true,
      timeout: timeoutMs,
      stripFinalNewline: false,
      ...(stdin !== undefined ? { input: stdin } : { stdin: 'ignore' as const }),
    });
    current = sub;
    const lines = new RedactedLines(redactor);
    if (echo) {
      sub.all?.on('data', (chunk: Buffer) => {
        for (const l of lines.push(chunk.toString())) say(`    | ${l}`);
      });
    }
    const r = await sub;
    current = undefined;
    if (echo) for (const l of lines.flush()) say(`    | ${l}`);
    const output = String(r.all ?? '');
    if (r.failed && r.exitCode === undefined && !r.isTerminated && !r.timedOut) {
      return {
        exit: undefined,
        output,
        failure:
          `cannot run ${cmd.file} (${r.code ?? r.shortMessage}` +
          `); is NetBackup installed at this host's installPath?`,
        interrupted: false,
      };
    }
    if (r.timedOut)
      return {
        exit: undefined,
        output,
        failure: `timed out after ${timeoutMs / 1000} s and was stopped`,
        interrupted: false,
      };
    return { exit: r.exitCode, output, interrupted: Boolean(interrupted) };
  };

  const stop = (code: number) => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    files.dispose();
    return code;
  };
  const record = (
    step: Step,
    event: Parameters<Journal['append']>[0]['event'],
    extra: { exit?: number; ms?: number; changed?: boolean; reason?: string } = {},
  ) =>
    journal.append({
      plan: plan.digest,
      host: host.name,
      step: step.id,
      event,
      ...extra,
      ...(extra.reason ? { reason: redactor.redact(extra.reason) } : {}),
    });
  const interruptedExit = (step: Step) => {
    record(step, 'interrupted', { reason: `received ${interrupted}` });
    say(
      `\nInterrupted during ${step.id}; temporary secret files were removed. Continue ` +
        `with: ${shown([...opts.resumeCommand])}`,
    );
    return stop(130);
  };
  const failed = (step: Step, why: string, output: string, exit?: number) => {
    record(step, 'failed', { ...(exit !== undefined ? { exit } : {}), reason: why });
    const status = Number(/EXIT STATUS (\d+)/.exec(output)?.[1] ?? exit);
    const info = Number.isFinite(status) ? findStatus(status) : undefined;
    say(`\nFailed: ${step.title} (${step.id}): ${why}.`);
    if (info)
      say(`NetBackup status ${info.code}: ${info.meaning}\n  Likely cause: ${info.cause}\n  Remedy: ${info.remedy}`);
    say(`When it is fixed, continue with: ${shown(opts.resumeCommand)}`);
    return stop(1);
  };

  try {
    for (const [i, r] of resolved.entries()) {
      const step = r.step;
      if (interrupted) return interruptedExit(step);
      say(`\n==> [${i + 1}/${resolved.length}] ${step.manual ? 'MANUAL: ' : ''}${step.title}`);
      if (doneEarlier(step)) {
        say('    done in an earlier run');
        continue;
      }
      if (step.manual) {
        (step.instructions ?? []).forEach((l) => say(`    ${l}`));
        if (
          opts.confirmed.has(step.id) ||
          (opts.prompter.interactive && (await opts.prompter.confirm('    Is this done?')))
        ) {
          record(step, 'confirmed');
          continue;
        }
        record(step, 'failed', { reason: 'manual step not confirmed' });
        const resume = opts.resumeCommand.includes('--resume')
          ? opts.resumeCommand
          : [...opts.resumeCommand, '--resume'];
        say(`\nStopped at a manual step. Do it, then continue with: ${shown([...resume, '--confirm', step.id])}`);
        return stop(EXIT.waiting);
      }
      if (step.once && earlier.lastOk.has(step.id)) {
        record(step, 'skipped', { reason: 'done once in an earlier run' });
        say('    done in an earlier run: it is done once');
        continue;
      }
      if (step.skipIfCaptured) {
        const captured = capturedToken(stateDir);
        if (captured) {
          if (captured !== 'retired') redactor.add(captured);
          record(step, 'skipped', { reason: 'the token captured earlier is at hand' });
          say(`    skipped: the token captured earlier is at hand in ${join(stateDir, 'token')}`);
          continue;
        }
      }
      if (step.onlyIfChanged && !stillOwed(earlier, changedNow, step.id, step.onlyIfChanged)) {
        record(step, 'skipped', { reason: `${step.onlyIfChanged} changed nothing` });
        say('    skipped: nothing changed that needs it');
        continue;
      }
      let reissuing = false;
      if (step.done) {
        const check = await run(step.done.command, undefined, opts.stepTimeoutMs, false);
        if (check.interrupted) return interruptedExit(step);
        const matched =
          check.exit === 0 && (!step.done.outputMatches || new RegExp(step.done.outputMatches, 'i').test(check.output));
        const verdict =
          matched && step.done.certificate
            ? certificateVerdict(certificateState(check.output), new Date(), step.done.certificate.warnDays)
            : {};
        if (verdict.warning) say(`    WARNING: ${verdict.warning}`);
        if (verdict.reissue) {
          if (!opts.reissue || !step.reissue) {
            return failed(
              step,
              `${verdict.reissue}, so it needs a reissue token (a normal token must not be used): create it ` +
                `${step.reissue?.tokenHowTo ?? 'on the primary'}, ` +
                'then run apply again with --reissue --token-file FILE',
              '',
            );
          }
          reissuing = true;
          say(`    ${verdict.reissue}: a new certificate is fetched with the reissue token (-force)`);
        } else if (matched) {
          record(step, 'skipped', { reason: 'already done' });
          say('    already done');
          continue;
        }
      }
      if (r.configRead === 'failed')
        return failed(
          step,
          `the current configuration could not be read (${r.note}), so repeated keys cannot be merged safely`,
          '',
        );
      if (r.refusal) return failed(step, r.refusal, '');
      if (r.noChange) {
        record(step, 'skipped', { reason: 'configuration already matches' });
        say('    no changes: the configuration already matches');
        continue;
      }
      const invocation: PlanCommand & { stdin?: string } = reissuing ? step.reissue!.command : r.invocation!;
      const args = [...invocation.args];
      for (const f of (reissuing ? step.reissue!.files : step.files) ?? []) {
        let content = f.content;
        if (f.secret) {
          const kind = SECRET_KINDS[f.secret];
          if (!secrets[f.secret] && opts.prompter.interactive) {
            secrets[f.secret] = checkSecret(f.secret, await opts.prompter.secret(`${kind.prompt}: `), 'the prompt');
            redactor.add(secrets[f.secret]!);
          }
          if (!secrets[f.secret])
            return failed(step, `it needs ${kind.words}: pass ${kind.flag} FILE (mode 0600) or set ${kind.env}`, '');
          content = `${secrets[f.secret]}\n`;
        }
        const path = files.write(f.placeholder.slice(6, -1), content ?? '');
        for (let a = 0; a < args.length; a++) if (args[a] === f.placeholder) args[a] = path;
      }
      if (step.effect === 'change' && !snapshotTaken && snapshot !== undefined) {
        // Before the first change to this host, keep what was there: the plan never removes a key it does not own.
        writePrivate(join(stateDir, 'config-before.txt'), redactor.redact(snapshot));
        snapshotTaken = true;
      }
      record(step, 'start');
      const started = Date.now();
      const outcome = await run({ file: invocation.file, args }, invocation.stdin, opts.stepTimeoutMs, true);
      files.removeAll();
      const ms = Date.now() - started;
      if (outcome.interrupted) return interruptedExit(step);
      if (outcome.failure) return failed(step, outcome.failure, outcome.output);
      if (!step.expectExit.includes(outcome.exit ?? -1)) {
        if (!step.tolerateFailure) return failed(step, `exit status ${outcome.exit}`, outcome.output, outcome.exit);
        record(step, 'ok', { exit: outcome.exit ?? -1, ms: Date.now() - started, changed: false });
        say(`    exit status ${outcome.exit}: fine, ${step.tolerateFailure}`);
        continue;
      }
      const stopped = guardFailure(step, outcome.output);
      if (stopped) return failed(step, stopped, '');
      if (step.capturesSecret === 'token') {
        const created = /\b[A-Z]{16}\b/.exec(outcome.output)?.[0];
        if (created) {
          redactor.add(created);
          const file = join(stateDir, 'token');
          writePrivate(file, `${created}\n`);
          say(
            `    the new token is in ${file} (mode 0600): hand it to the hosts that need ` +
              `it with --token-file, then delete it`,
          );
        }
      }
      const didChange = step.effect === 'change';
      if (didChange) {
        changedNow.add(step.id);
        changes++;
      }
      if (step.retiresCaptured === 'token') retireToken(stateDir);
      record(step, 'ok', { exit: outcome.exit ?? 0, ms, changed: didChange });
      say(`    ok (${(ms / 1000).toFixed(1)} s)`);
    }
    const scope = opts.stage ? `stage ${opts.stage} of ${host.name}` : host.name;
    say(
      changes
        ? `\nDone: ${changes} step${changes === 1 ? '' : 's'} changed ${scope}. Journal: ${journal.file}`
        : `\nNo changes: ${scope} already matches the plan.`,
    );
    if (selection.waitsAt) {
      const again = opts.resumeCommand.filter((a) => a !== '--resume');
      say(
        `\nWaiting for the fleet: the ${selection.waitsAt} stage of ${host.name} comes after every media server and ` +
          `client has its certificate (nbsecure apply --host NAME on each). Then run here: ` +
          `${shown([...again, '--stage', selection.waitsAt])}` +
          (selection.waitsAt === 'tighten' ? `, and last: ${shown([...again, '--stage', 'verify'])}` : ''),
      );
      return stop(EXIT.waiting);
    }
    return stop(0);
  } catch (e) {
    stop(1);
    throw e;
  }
}

/**
 * What each step will run, decided before anything runs, so that the dry run shows exactly what
 * the run does. For the configuration step that means reading the host's current values.
 */
async function resolveSteps(host: HostPlan, timeoutMs: number): Promise<{ steps: ResolvedStep[]; snapshot?: string }> {
  const out: ResolvedStep[] = [];
  let snapshot: string | undefined;
  for (const step of host.steps) {
    const base: ResolvedStep = {
      step,
      ...(step.command
        ? { invocation: { ...step.command, ...(step.stdin !== undefined ? { stdin: step.stdin } : {}) } }
        : {}),
    };
    if (!step.mergeRepeatedKeys || !step.command) {
      out.push(base);
      continue;
    }
    // One read of the whole configuration serves the diff and the copy kept before the first change.
    const read = await execa(step.mergeRepeatedKeys.read.file, step.mergeRepeatedKeys.read.args, {
      env: childEnvironment(),
      extendEnv: false,
      reject: false,
      timeout: timeoutMs,
      stdin: 'ignore',
    });
    if (read.exitCode !== 0) {
      out.push({
        ...base,
        configRead: 'failed',
        note: String(read.code ?? read.shortMessage ?? `exit ${read.exitCode}`),
      });
      continue;
    }
    snapshot = String(read.stdout);
    const current = parseConfigLines(snapshot);
    const change = configChange(current, host.config, step.mergeRepeatedKeys.keys);
    const conflicts = identityConflicts(current, host.config, step.keepsIdentity?.keys ?? []);
    out.push({
      ...base,
      configRead: 'ok',
      ...(conflicts.length ? { refusal: identityRefusal(host.name, conflicts) } : {}),
      noChange: change.changedKeys.length === 0,
      invocation: { ...step.command, stdin: change.stdin },
      note: configNote(change.changedKeys, host.ownedKeys),
    });
  }
  return { steps: out, ...(snapshot !== undefined ? { snapshot } : {}) };
}

function identityRefusal(host: string, conflicts: { key: string; have: string; want: string }[]): string {
  return conflicts
    .map(
      (c) =>
        `${c.key} is ${c.have} on this host and the plan says ${c.want}: changing it would change ${host}'s ` +
        'NetBackup identity (its policies, host ID mappings and catalog entries). Correct the answers, or set ' +
        'replaceClientName: true for this host to change it on purpose',
    )
    .join('; ');
}

function configNote(changedKeys: string[], owned: string[]): string {
  if (!changedKeys.length) return 'the configuration already matches';
  const same = owned.filter((k) => !changedKeys.includes(k));
  return (
    `writes ${changedKeys.join(', ')}` +
    (same.length ? `; ${same.join(', ')} already match${same.length === 1 ? 'es' : ''}` : '') +
    `; other keys on the host are kept`
  );
}

/** After the rollout: the captured copy goes, and a marker says the token was deleted on purpose. */
function retireToken(stateDir: string): void {
  rmSync(join(stateDir, 'token'), { force: true });
  writePrivate(join(stateDir, 'token.retired'), 'deleted after the rollout\n');
}

/**
 * The token an earlier run captured on this host, if its file holds one. A retired token counts as at
 * hand: the rollout is over, and its steps must not make another one.
 */
function capturedToken(stateDir: string): string | undefined {
  if (existsSync(join(stateDir, 'token.retired'))) return 'retired';
  try {
    const value = readFileSync(join(stateDir, 'token'), 'utf8').trim();
    return TOKEN_FORMAT.test(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The host's plan as it runs here. On Windows, a host whose answers give no install root has its
 * commands moved under the folder NetBackup is really in (an upgraded host keeps its first folder).
 */
async function onThisMachine(host: HostPlan, say: (line: string) => void): Promise<HostPlan> {
  if (!host.installPathCandidates || process.platform !== 'win32') return host;
  const reg = await execa('reg', ['query', 'HKLM\\SOFTWARE\\Veritas\\NetBackup\\CurrentVersion', '/v', 'InstallDir'], {
    reject: false,
    stdin: 'ignore',
  });
  const registryRoot = /InstallDir\s+REG_\w+\s+(.+)$/m.exec(String(reg.stdout))?.[1]?.trim();
  const root = detectInstallRoot(host.installPathCandidates, registryRoot, (r) =>
    existsSync(win32.join(r, 'NetBackup', 'bin')),
  );
  if (!root) {
    throw new UserError(
      `NetBackup was found in none of ${host.installPathCandidates.join(', ')} on this machine; ` +
        `give installPath for ${host.name} in the answers and plan again.`,
      EXIT.failed,
    );
  }
  if (root !== host.installPath) say(`NetBackup is installed in ${root} on this host: the commands run from there.`);
  return underRoot(host, root);
}
