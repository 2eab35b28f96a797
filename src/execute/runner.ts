import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, win32 } from 'node:path';
import { execa } from 'execa';
import { findStatus, statusOf } from '../catalogue/statuses.js';
import { firstToken, TOKEN_EXACT } from '../catalogue/token-shape.js';
import { EXIT, UsageError, UserError } from '../errors.js';
import { argvWithFiles } from '../plan/args.js';
import { stepsToRun } from '../plan/stages.js';
import { restartQuestion, restartsServices } from './restart-consent.js';
import type { FileName, HostPlan, Plan, PlanCommand, StageId, Step } from '../plan/types.js';
import { configChange, identityConflicts, parseConfigLines } from './config-diff.js';
import { describeResolved, type ResolvedStep, type RestCall } from './dry-run.js';
import { apiUrlOf } from '../plan/api.js';
import { RestClient } from './rest-client.js';
import { applySecuritySettings, createReissueToken, restCall, type Pending } from './rest-step.js';
import type { ApplyEvent, ApplyEventListener, ApplyResult, DryRunStep, Stop, StepOutcome } from './events.js';
import { certificateState, certificateVerdict } from './certificate-state.js';
import { guardFailure } from './guards.js';
import { detectInstallRoot, underRoot } from './install-root.js';
import { Journal, stillOwed } from './journal.js';
import { writePrivate } from './private-files.js';
import { RedactedLines, Redactor } from './redact.js';
import { checkSecretFolder, StepFiles, sweepStaleSecretFolders } from './secret-files.js';
import { lockHostState } from './lock.js';
import { runCommand } from './run-command.js';
import { shown } from './shell-words.js';
import { hostStateDir } from './state.js';
import { thisHostProblem } from './this-host.js';
import { checkSecret, childEnvironment, SECRET_KINDS, type SecretKind } from './token.js';

/** A read never takes a file: the plan check refuses one. */
const noFile = (file: FileName): string => {
  throw new Error(`internal: a configuration read with the ${file} file`);
};

/** How the runner asks a person; the CLI gives a terminal one, tests and CI a silent one. */
export interface Prompter {
  interactive: boolean;
  confirm(question: string): Promise<boolean>;
  secret(question: string): Promise<string>;
  /** A typed answer (the host's name before its services restart); without it, confirm is asked. */
  typed?(question: string): Promise<string>;
}

/** A run that asks nobody: a manual step stops it, and its caller asks what next (the wizard's runs). */
export const ASKS_NOBODY: Prompter = { interactive: false, confirm: async () => false, secret: async () => '' };

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
  /**
   * This machine's host name, and --this-host: a real run refuses (exit 2) on a machine that is not
   * the host, before any change. A dry run may show any host's steps anywhere.
   */
  machine: { hostname: string; thisHost?: string };
  /** The command that resumes this run, shown after a failure or a stop. */
  resumeCommand: string[];
  prompter: Prompter;
  /** The one-time password for a change the primary holds for adaptive MFA (--otp). */
  otp?: string;
  /** The primary's REST API base instead of the plan's (--api-url: a proxy, a loopback address in tests). */
  apiUrl?: string;
}

/** How a run is watched and stopped: the events it emits, and the signal that interrupts it. */
export interface ApplyControl {
  onEvent: ApplyEventListener;
  /** Aborting stops the running command (execa's cancelSignal) and ends the run with exit 130. */
  signal?: AbortSignal;
}

interface Outcome {
  exit: number | undefined;
  output: string;
  failure?: string;
  interrupted: boolean;
}

/** Runs one host's steps: dry run, consent, then each step journaled. Says what happens in events. */
export async function applyHost(
  plan: Plan,
  hostName: string,
  opts: ApplyOptions,
  control: ApplyControl,
): Promise<ApplyResult> {
  const host = plan.hosts.find((h) => h.name.toLowerCase() === hostName.toLowerCase());
  if (!host)
    throw new UsageError(
      `--host ${hostName} is not in the plan; its hosts are: ${plan.hosts.map((h) => h.name).join(', ')}.`,
    );
  const redactor = new Redactor();
  const secrets = { ...opts.secrets };
  for (const v of Object.values(secrets)) if (v) redactor.add(v);
  const notice = (text: string, step?: string, level: 'info' | 'warning' = 'info') =>
    control.onEvent({ type: 'notice', ...(step ? { step } : {}), level, text: redactor.redact(text) });
  const stateDir = hostStateDir(opts.stateDir, host.name);
  const swept = sweepStaleSecretFolders();
  if (swept) notice(`Removed ${swept} secret folder${swept === 1 ? '' : 's'} left by an interrupted run (kill -9).`);
  // A dry run changes nothing and may run beside a real one; a real run has the host to itself.
  const lock = opts.dryRun ? undefined : lockHostState(stateDir);
  if (lock?.tookOver) notice(`The state folder ${stateDir} was locked by an earlier run: ${lock.tookOver}.`);
  try {
    const here = await onThisMachine(host, notice);
    const result = await new HostRun(plan, here, opts, control, { redactor, secrets, notice, stateDir }).run();
    control.onEvent({ type: 'result', result });
    return result;
  } finally {
    lock?.release();
  }
}

/** One apply of one host: the state a run keeps between its steps. */
class HostRun {
  private readonly journal: Journal;
  private readonly earlier: ReturnType<Journal['progress']>;
  private readonly files = new StepFiles();
  private readonly changedNow = new Set<string>();
  private readonly outcomes: ApplyResult['steps'] = [];
  private changes = 0;
  private snapshotTaken: boolean;

  constructor(
    private readonly plan: Plan,
    private readonly host: HostPlan,
    private readonly opts: ApplyOptions,
    private readonly control: ApplyControl,
    private readonly ctx: {
      redactor: Redactor;
      secrets: Partial<Record<SecretKind, string>>;
      notice: (text: string, step?: string, level?: 'info' | 'warning') => void;
      stateDir: string;
    },
  ) {
    this.journal = new Journal(ctx.stateDir);
    this.earlier = this.journal.progress(plan.digest, host.name);
    this.snapshotTaken = existsSync(join(ctx.stateDir, 'config-before.txt'));
  }

  private emit(event: ApplyEvent): void {
    this.control.onEvent(event);
  }

  /**
   * On --resume a finished step is not run again, except one whose need is read from the host's state
   * each time (the token steps: whether the captured value is still at hand), and one with a read-only
   * done-check, which asks the host itself rather than the journal.
   */
  private doneEarlier(step: Step): boolean {
    return this.opts.resume && this.earlier.done.has(step.id) && !step.skipIfCaptured && !step.done;
  }

  private result(exitCode: number, stopped?: Stop): ApplyResult {
    return {
      exitCode,
      host: this.host.name,
      dryRun: this.opts.dryRun,
      ...(this.opts.stage ? { stage: this.opts.stage } : {}),
      changes: this.changes,
      steps: this.outcomes,
      ...(stopped ? { stopped } : {}),
      ...(this.opts.dryRun ? {} : { journal: this.journal.file }),
    };
  }

  async run(): Promise<ApplyResult> {
    const { opts, host, plan, earlier } = this;
    if (opts.resume && earlier.done.size === 0) {
      // A run that failed at its first step has nothing to skip: resuming is starting again.
      const other = earlier.lastPlan && earlier.lastPlan !== plan.digest ? ' (it records another plan)' : '';
      this.ctx.notice(`--resume: the journal has no finished step of this plan${other}; starting from the first step.`);
    }
    const selection = stepsToRun(host.steps, opts.stage);
    if (!selection) {
      const stages = [...new Set(host.steps.map((s) => s.stage))].join(', ');
      throw new UsageError(
        `--stage ${opts.stage}: ${host.name} has no steps in that stage; its stages are: ${stages}.`,
      );
    }
    if (!opts.dryRun) {
      // Before anything is read or changed: the reads below would describe the wrong machine.
      const elsewhere = thisHostProblem(host.name, opts.machine.hostname, opts.machine.thisHost);
      if (elsewhere) throw new UsageError(elsewhere);
      if (selection.steps.some((s) => s.files?.length || s.reissue?.files.length)) checkSecretFolder();
    }
    const { steps: resolved, snapshot } = await resolveSteps(
      { ...host, steps: selection.steps },
      opts.stepTimeoutMs,
      this.ctx.secrets.apiKey ? apiBase(plan, opts) : undefined,
    );
    this.emit({
      type: 'dry-run',
      host: host.name,
      role: host.role,
      os: host.os,
      plan: plan.digest,
      dryRun: opts.dryRun,
      steps: resolved.map((r, i) => dryRunStep(r, i + 1, host.os, this.doneEarlier(r.step))),
      ...(selection.waitsAt ? { waitsAt: selection.waitsAt } : {}),
    });
    if (opts.dryRun) return this.result(EXIT.ok);
    if (!opts.yes) {
      if (!opts.prompter.interactive) {
        throw new UsageError(
          'nbsecure apply needs your consent, and there is no terminal to ask on: read the dry ' +
            'run (--dry-run) and pass --yes to consent.',
        );
      }
      // Stopping the services fails the jobs running then: the host's name typed out, not a reflex "y".
      if (restartsServices(resolved.map((r) => r.step)) && opts.prompter.typed) {
        const typed = await opts.prompter.typed(restartQuestion(host.name));
        if (typed.trim() !== host.name)
          return this.result(EXIT.failed, { kind: 'declined', reason: `${host.name} was not typed; nothing was run.` });
      } else if (!(await opts.prompter.confirm(`Run these ${resolved.length} steps on ${host.name} now?`))) {
        return this.result(EXIT.failed, { kind: 'declined', reason: 'Nothing was run.' });
      }
    }
    try {
      for (const [i, r] of resolved.entries()) {
        const stopped = await this.runStep(r, i, resolved.length, snapshot);
        if (stopped) return stopped;
      }
    } finally {
      this.files.dispose();
    }
    if (selection.waitsAt) {
      const again = opts.resumeCommand.filter((a) => a !== '--resume');
      const next = [...again, '--stage', selection.waitsAt];
      const text =
        `Waiting for the fleet: the ${selection.waitsAt} stage of ${host.name} comes after every media server and ` +
        `client has its certificate (nbsecure apply --host NAME on each). Then run here: ${shown(next)}` +
        (selection.waitsAt === 'tighten' ? `, and last: ${shown([...again, '--stage', 'verify'])}` : '');
      this.emit({ type: 'waiting', for: 'fleet', stage: selection.waitsAt, text });
      return this.result(EXIT.waiting, { kind: 'waiting', reason: text, next });
    }
    return this.result(EXIT.ok);
  }

  private record(
    step: Step,
    event: Parameters<Journal['append']>[0]['event'],
    extra: { exit?: number; ms?: number; changed?: boolean; reason?: string } = {},
  ): void {
    this.journal.append({
      plan: this.plan.digest,
      host: this.host.name,
      step: step.id,
      event,
      ...extra,
      ...(extra.reason ? { reason: this.ctx.redactor.redact(extra.reason) } : {}),
    });
  }

  /** A step that did not run, or ran and changed nothing: journaled (unless said), and told. */
  private settle(step: Step, outcome: Exclude<StepOutcome, 'failed'>, detail: string, journal?: string): undefined {
    if (journal) this.record(step, 'skipped', { reason: journal });
    this.outcomes.push({ id: step.id, outcome, detail });
    this.emit({ type: 'step-done', step: step.id, outcome, detail });
    return undefined;
  }

  private interrupted(step: Step): ApplyResult {
    const signal = signalName(this.control.signal);
    this.record(step, 'interrupted', { reason: `received ${signal}` });
    this.emit({ type: 'interrupted', step: step.id, signal });
    this.files.removeAll();
    return this.result(EXIT.interrupted, {
      kind: 'interrupted',
      step: step.id,
      title: step.title,
      reason: `received ${signal}`,
      next: this.opts.resumeCommand,
    });
  }

  private failed(step: Step, why: string, output: string, exit?: number): ApplyResult {
    const reason = this.ctx.redactor.redact(why);
    this.record(step, 'failed', { ...(exit !== undefined ? { exit } : {}), reason });
    const code = Number(statusOf(output, exit));
    const info = Number.isFinite(code) ? findStatus(code) : undefined;
    this.outcomes.push({ id: step.id, outcome: 'failed', detail: reason });
    this.emit({
      type: 'step-done',
      step: step.id,
      outcome: 'failed',
      detail: reason,
      ...(exit !== undefined ? { exit } : {}),
    });
    return this.result(EXIT.failed, {
      kind: 'failed',
      step: step.id,
      title: step.title,
      reason,
      ...(info ? { status: { code: info.code, meaning: info.meaning, cause: info.cause, remedy: info.remedy } } : {}),
      next: this.opts.resumeCommand,
    });
  }

  private restClient?: RestClient;

  /** The primary's REST API, pinned to the plan's CA fingerprint, with the API key. */
  private rest(): RestClient {
    this.restClient ??= new RestClient({
      url: apiBase(this.plan, this.opts),
      serverName: this.plan.primary,
      ...(this.plan.api?.caFingerprint ? { caFingerprint: this.plan.api.caFingerprint } : {}),
      apiKey: this.ctx.secrets.apiKey!,
      timeoutMs: this.opts.stepTimeoutMs,
    });
    return this.restClient;
  }

  /** A manual step's REST form, with the API key: journaled, and its waits are exit 4 like a manual stop. */
  private async runRest(step: Step, call: RestCall): Promise<ApplyResult | undefined> {
    const { opts, ctx } = this;
    const pendingFile = join(ctx.stateDir, 'rest-pending.json');
    const held = readPending(pendingFile, step.id);
    ctx.notice(`${call.read.method} ${call.read.url}, then ${call.write.method} of the fields that differ`, step.id);
    this.record(step, 'start');
    const started = Date.now();
    const outcome = await applySecuritySettings(step.rest!, {
      client: this.rest(),
      ...(opts.otp ? { otp: opts.otp } : {}),
      ...(opts.prompter.interactive && !opts.otp
        ? { askOtp: () => opts.prompter.secret('    One-time password from your authenticator (hidden): ') }
        : {}),
      ...(held ? { pending: held } : {}),
      savePending: (p) =>
        p
          ? writePrivate(pendingFile, `${JSON.stringify({ step: step.id, ...p })}\n`)
          : rmSync(pendingFile, { force: true }),
    });
    if (outcome.kind === 'failed') return this.failed(step, outcome.reason, '');
    if (outcome.kind === 'waiting') {
      this.record(step, 'failed', { reason: `waiting for ${outcome.for}` });
      this.emit({ type: 'waiting', for: outcome.for, text: outcome.text });
      const resume = opts.resumeCommand.includes('--resume') ? opts.resumeCommand : [...opts.resumeCommand, '--resume'];
      return this.result(EXIT.waiting, {
        kind: 'waiting',
        step: step.id,
        title: step.title,
        reason: outcome.text,
        next: outcome.for === 'one-time-password' ? [...resume.filter((a) => a !== '--otp'), '--otp', 'CODE'] : resume,
      });
    }
    const ms = Date.now() - started;
    const changed = outcome.kind === 'changed';
    if (changed) {
      this.changedNow.add(step.id);
      this.changes++;
    }
    this.record(step, 'ok', { exit: 0, ms, changed });
    this.outcomes.push({ id: step.id, outcome: outcome.kind, detail: outcome.detail });
    this.emit({ type: 'step-done', step: step.id, outcome: outcome.kind, detail: outcome.detail, ms });
    return undefined;
  }

  /** Runs one command; its output is emitted line by line, redacted, when `echo` (the step itself). */
  private async exec(
    cmd: { file: string; args: string[]; stdin?: string },
    step: Step,
    echo: boolean,
  ): Promise<Outcome> {
    const timeoutMs = this.opts.stepTimeoutMs;
    const lines = new RedactedLines(this.ctx.redactor);
    const say = (line: string) => this.emit({ type: 'output', step: step.id, line });
    const r = await runCommand({
      file: cmd.file,
      args: cmd.args,
      // Only a command that acts as an administrator is handed the API key.
      env: childEnvironment(process.env, step.session ? this.ctx.secrets.apiKey : undefined),
      timeoutMs,
      // Ctrl-C in the wizard, or SIGINT/SIGTERM on the command line, reaches the command and all it started.
      ...(this.control.signal ? { signal: this.control.signal } : {}),
      ...(cmd.stdin !== undefined ? { stdin: cmd.stdin } : {}),
      ...(echo ? { onOutput: (text: string) => lines.push(text).forEach(say) } : {}),
    });
    if (echo) lines.flush().forEach(say);
    const { output } = r;
    if (r.stopped === 'interrupt' || this.control.signal?.aborted)
      return { exit: undefined, output, interrupted: true };
    const failure = r.startError
      ? `cannot run ${cmd.file} (${r.startError}); is NetBackup installed at this host's installPath?`
      : r.stopped === 'timeout'
        ? `timed out after ${timeoutMs / 1000} s and was stopped, with every process it started`
        : r.stopped === 'output'
          ? 'printed more output than any NetBackup command does, and was stopped'
          : undefined;
    if (failure) return { exit: undefined, output, failure, interrupted: false };
    return { exit: r.exitCode, output, interrupted: false };
  }

  /** Runs step `i`; returns the run's result when the run stops here, undefined to go on. */
  private async runStep(
    r: ResolvedStep,
    i: number,
    total: number,
    snapshot: string | undefined,
  ): Promise<ApplyResult | undefined> {
    const { step } = r;
    const { opts, ctx, earlier } = this;
    if (this.control.signal?.aborted) return this.interrupted(step);
    this.emit({ type: 'step-start', step: step.id, title: step.title, index: i + 1, total, manual: step.manual });
    if (this.doneEarlier(step)) return this.settle(step, 'skipped', 'done in an earlier run');
    if (r.viaApiKey && 'login' in r.viaApiKey) {
      return this.settle(
        step,
        'skipped',
        'not needed: the API key stands in for the login (NETBACKUP_APIKEY, for the commands that need a session)',
        'the API key stands in for the login',
      );
    }
    if (r.viaApiKey && 'rest' in r.viaApiKey) return this.runRest(step, r.viaApiKey.rest);
    if (step.manual) {
      this.emit({ type: 'manual-needed', step: step.id, title: step.title, instructions: step.instructions ?? [] });
      if (
        opts.confirmed.has(step.id) ||
        (opts.prompter.interactive && (await opts.prompter.confirm('    Is this done?')))
      ) {
        this.record(step, 'confirmed');
        // A person did it, not nbsecure: like a done-check that holds, it is unchanged (every executor says so).
        this.outcomes.push({ id: step.id, outcome: 'unchanged', detail: 'confirmed done' });
        this.emit({ type: 'step-done', step: step.id, outcome: 'unchanged', detail: 'confirmed done' });
        return undefined;
      }
      this.record(step, 'failed', { reason: 'manual step not confirmed' });
      const resume = opts.resumeCommand.includes('--resume') ? opts.resumeCommand : [...opts.resumeCommand, '--resume'];
      return this.result(EXIT.waiting, {
        kind: 'manual',
        step: step.id,
        title: step.title,
        reason: 'a person must do this step',
        next: [...resume, '--confirm', step.id],
      });
    }
    if (step.once && earlier.lastOk.has(step.id)) {
      return this.settle(step, 'skipped', 'done in an earlier run: it is done once', 'done once in an earlier run');
    }
    if (step.skipIfCaptured) {
      const captured = capturedToken(ctx.stateDir);
      if (captured) {
        if (captured !== 'retired') ctx.redactor.add(captured);
        return this.settle(
          step,
          'skipped',
          `skipped: the token captured earlier is at hand in ${join(ctx.stateDir, 'token')}`,
          'the token captured earlier is at hand',
        );
      }
    }
    if (step.onlyIfChanged && !stillOwed(earlier, this.changedNow, step.id, step.onlyIfChanged)) {
      return this.settle(
        step,
        'skipped',
        'skipped: nothing changed that needs it',
        `${step.onlyIfChanged} changed nothing`,
      );
    }
    let reissuing = false;
    let reissueToken: string | undefined;
    if (step.done) {
      const check = await this.exec(
        runnable(step.done.command, () => ''),
        step,
        false,
      );
      if (check.interrupted) return this.interrupted(step);
      const matched =
        check.exit === 0 && (!step.done.outputMatches || new RegExp(step.done.outputMatches, 'i').test(check.output));
      const listed = matched && step.done.certificate ? certificateState(check.output) : undefined;
      const verdict = listed ? certificateVerdict(listed, new Date(), step.done.certificate!.warnDays) : {};
      if (verdict.warning) ctx.notice(`WARNING: ${verdict.warning}`, step.id, 'warning');
      if (verdict.reissue && !opts.reissue && step.reissue && ctx.secrets.apiKey) {
        // With an API key the primary makes the reissue token itself; without one a person does.
        const hostId = listed?.hostId;
        const made = hostId
          ? await createReissueToken(this.rest(), this.host.name, hostId, Date.now().toString(36))
          : { failed: 'the certificate listing shows no Host ID to bind a reissue token to' };
        if ('failed' in made) {
          return this.failed(
            step,
            `${verdict.reissue}; a reissue token could not be made over REST: ${made.failed}`,
            '',
          );
        }
        ctx.redactor.add(made.token);
        reissueToken = made.token;
        ctx.notice(
          `${verdict.reissue}: the primary made a single-use reissue token for it (REST, never shown)`,
          step.id,
        );
      }
      if (verdict.reissue) {
        if ((!opts.reissue && !reissueToken) || !step.reissue) {
          return this.failed(
            step,
            `${verdict.reissue}, so it needs a reissue token (a normal token must not be used): create it ` +
              `${step.reissue?.tokenHowTo ?? 'on the primary'}, ` +
              'then run apply again with --reissue --token-file FILE',
            '',
          );
        }
        reissuing = true;
        ctx.notice(`${verdict.reissue}: a new certificate is fetched with the reissue token (-force)`, step.id);
      } else if (matched) {
        return this.settle(step, 'unchanged', 'already done', 'already done');
      }
    }
    if (r.configRead === 'failed') {
      return this.failed(
        step,
        `the current configuration could not be read (${r.note}), so repeated keys cannot be merged safely`,
        '',
      );
    }
    if (r.refusal) return this.failed(step, r.refusal, '');
    if (r.noChange) {
      return this.settle(
        step,
        'unchanged',
        'no changes: the configuration already matches',
        'configuration already matches',
      );
    }
    const invocation = reissuing ? step.reissue!.command : r.invocation!;
    const paths = new Map<FileName, string>();
    for (const f of (reissuing ? step.reissue!.files : step.files) ?? []) {
      let content = f.content;
      if (f.secret === 'token' && reissueToken) content = `${reissueToken}\n`;
      else if (f.secret) {
        const kind = SECRET_KINDS[f.secret];
        const asking = !ctx.secrets[f.secret] && opts.prompter.interactive;
        if (!ctx.secrets[f.secret]) this.emit({ type: 'secret-needed', step: step.id, secret: f.secret, asking });
        if (asking) {
          ctx.secrets[f.secret] = checkSecret(f.secret, await opts.prompter.secret(`${kind.prompt}: `), 'the prompt');
          ctx.redactor.add(ctx.secrets[f.secret]!);
        }
        if (!ctx.secrets[f.secret])
          return this.failed(step, `it needs ${kind.words}: pass ${kind.flag} FILE (mode 0600) or set ${kind.env}`, '');
        content = `${ctx.secrets[f.secret]}\n`;
      }
      paths.set(f.name, this.files.write(f.name, content ?? ''));
    }
    if (step.effect === 'change' && !this.snapshotTaken && snapshot !== undefined) {
      // Before the first change to this host, keep what was there: the plan never removes a key it does not own.
      writePrivate(join(ctx.stateDir, 'config-before.txt'), ctx.redactor.redact(snapshot));
      this.snapshotTaken = true;
    }
    this.record(step, 'start');
    const started = Date.now();
    const stdin = reissuing ? undefined : r.invocation!.stdin;
    const outcome = await this.exec(
      { ...runnable(invocation, (f) => paths.get(f)!), ...(stdin !== undefined ? { stdin } : {}) },
      step,
      true,
    );
    this.files.removeAll();
    const ms = Date.now() - started;
    if (outcome.interrupted) return this.interrupted(step);
    if (outcome.failure) return this.failed(step, outcome.failure, outcome.output);
    if (!step.expectExit.includes(outcome.exit ?? -1)) {
      if (!step.tolerateFailure) return this.failed(step, `exit status ${outcome.exit}`, outcome.output, outcome.exit);
      this.record(step, 'ok', { exit: outcome.exit ?? -1, ms, changed: false });
      return this.settle(step, 'unchanged', `exit status ${outcome.exit}: fine, ${step.tolerateFailure}`);
    }
    const stopped = guardFailure(step, outcome.output);
    if (stopped) return this.failed(step, stopped, '');
    if (step.capturesSecret === 'token') {
      const created = firstToken(outcome.output);
      if (created) {
        ctx.redactor.add(created);
        const file = join(ctx.stateDir, 'token');
        writePrivate(file, `${created}\n`);
        ctx.notice(
          `the new token is in ${file} (mode 0600): hand it to the hosts that need it with --token-file, ` +
            'then delete it',
          step.id,
        );
      }
    }
    const didChange = step.effect === 'change';
    if (didChange) {
      this.changedNow.add(step.id);
      this.changes++;
    }
    if (step.retiresCaptured === 'token') retireToken(ctx.stateDir);
    this.record(step, 'ok', { exit: outcome.exit ?? 0, ms, changed: didChange });
    const outcomeKind: StepOutcome = didChange ? 'changed' : 'unchanged';
    this.outcomes.push({ id: step.id, outcome: outcomeKind });
    this.emit({ type: 'step-done', step: step.id, outcome: outcomeKind, ms, exit: outcome.exit ?? 0 });
    return undefined;
  }
}

/** The primary's REST API base: --api-url, else the plan's. */
function apiBase(plan: Plan, opts: ApplyOptions): string {
  return opts.apiUrl ?? apiUrlOf(plan);
}

/** The change a step left held on the primary in an earlier run (a one-time password, an approval). */
function readPending(file: string, step: string): Pending | undefined {
  try {
    const p = JSON.parse(readFileSync(file, 'utf8')) as Pending & { step?: string };
    return p.step === step && (p.kind === 'mfa' || p.kind === 'approval')
      ? { kind: p.kind, ...(typeof p.id === 'string' ? { id: p.id } : {}) }
      : undefined;
  } catch {
    return undefined;
  }
}

/** A command as execa runs it: the typed file arguments replaced by the paths their files were written to. */
function runnable(cmd: PlanCommand, pathOf: (file: FileName) => string): { file: string; args: string[] } {
  return { file: cmd.file, args: argvWithFiles(cmd, pathOf) };
}

function signalName(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  return typeof reason === 'string' ? reason : 'an interrupt';
}

function dryRunStep(r: ResolvedStep, n: number, os: HostPlan['os'], doneEarlier: boolean): DryRunStep {
  const s = r.step;
  return {
    id: s.id,
    title: s.title,
    stage: s.stage,
    manual: s.manual,
    doneEarlier,
    ...(r.invocation
      ? {
          run: {
            file: r.invocation.file,
            argv: r.invocation.argv,
            ...(r.invocation.stdin !== undefined && !r.noChange ? { stdin: r.invocation.stdin } : {}),
          },
        }
      : {}),
    lines: describeResolved(r, n, os, doneEarlier),
  };
}

/**
 * What each step will run, decided before anything runs, so that the dry run shows exactly what
 * the run does. For the configuration step that means reading the host's current values.
 */
async function resolveSteps(
  host: HostPlan,
  timeoutMs: number,
  api: string | undefined,
): Promise<{ steps: ResolvedStep[]; snapshot?: string }> {
  const out: ResolvedStep[] = [];
  let snapshot: string | undefined;
  for (const step of host.steps) {
    const base: ResolvedStep = {
      step,
      ...(step.command
        ? { invocation: { ...step.command, ...(step.stdin !== undefined ? { stdin: step.stdin } : {}) } }
        : {}),
      ...(api && step.apiKeyReplaces ? { viaApiKey: { login: true as const } } : {}),
      ...(api && step.rest ? { viaApiKey: { rest: restCall(api, step.rest) } } : {}),
    };
    // The identity keys are read with the read the plan gives for them, whatever else the step reads.
    const identity = step.keepsIdentity ? await readConfig(step.keepsIdentity.read, timeoutMs) : undefined;
    const conflicts =
      identity?.exitCode === 0
        ? identityConflicts(parseConfigLines(identity.output), host.config, step.keepsIdentity!.keys)
        : [];
    const refusal = conflicts.length ? { refusal: identityRefusal(host.name, conflicts) } : {};
    if (identity && identity.exitCode !== 0) {
      out.push({ ...base, configRead: 'failed', note: readProblem(identity, timeoutMs) });
      continue;
    }
    if (!step.mergeRepeatedKeys || !step.command) {
      out.push({ ...base, ...refusal });
      continue;
    }
    // One read of the whole configuration serves the diff and the copy kept before the first change.
    const read = await readConfig(step.mergeRepeatedKeys.read, timeoutMs);
    if (read.exitCode !== 0) {
      out.push({ ...base, configRead: 'failed', note: readProblem(read, timeoutMs) });
      continue;
    }
    snapshot = read.output;
    const current = parseConfigLines(snapshot);
    const change = configChange(current, host.config, step.mergeRepeatedKeys.keys);
    out.push({
      ...base,
      configRead: 'ok',
      ...refusal,
      noChange: change.changedKeys.length === 0,
      invocation: { ...step.command, stdin: change.stdin },
      note: configNote(change.changedKeys, host.ownedKeys),
    });
  }
  return { steps: out, ...(snapshot !== undefined ? { snapshot } : {}) };
}

/** Why a configuration read gave nothing to go on. */
function readProblem(read: Awaited<ReturnType<typeof readConfig>>, timeoutMs: number): string {
  const why = read.stopped === 'timeout' ? `no answer in ${timeoutMs / 1000} s` : read.stopped;
  return why ?? read.startError ?? `exit ${read.exitCode}`;
}

/** A read-only configuration read (nbgetconfig): its standard output alone, as the parsers read it. */
function readConfig(read: PlanCommand, timeoutMs: number) {
  return runCommand({
    file: read.file,
    args: argvWithFiles(read, noFile),
    env: childEnvironment(),
    timeoutMs,
    stdoutOnly: true,
  });
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
    return TOKEN_EXACT.test(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The host's plan as it runs here. On Windows, a host whose answers give no install root has its
 * commands moved under the folder NetBackup is really in (an upgraded host keeps its first folder).
 */
async function onThisMachine(host: HostPlan, say: (text: string) => void): Promise<HostPlan> {
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
