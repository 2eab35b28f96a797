import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXIT, UsageError } from '../errors.js';
import { withInterrupts } from '../execute/interrupts.js';
import { SECRET_KINDS, secretFromFileOrEnv } from '../execute/token.js';
import { planFromFlags } from '../execute/load-plan.js';
import type { Plan } from '../plan/types.js';
import { renderAnsible } from '../render/ansible.js';
import { writeLine, type Io } from '../output.js';
import { hasAnsiblePlaybook, runPlaybook } from '../rollout/ansible-playbook.js';
import { changedSteps, type PlaybookEvent } from '../rollout/events.js';
import { RolloutProgress } from '../rollout/progress.js';
import { reportMarkdown, rolloutReport, type RolloutReport } from '../rollout/report.js';
import { writeFileAtomic, writeFileSet } from '../write-outputs.js';
import { checkApiUrl, checkOtp, parseCommandArgs } from './args.js';
import { terminalPrompter } from './prompter.js';

/** The environment variables the role's defaults read a secret from, and the variable each becomes. */
const SECRET_VARIABLES = {
  [SECRET_KINDS.apiKey.env]: 'nbsecure_api_key',
  NBSECURE_OTP: 'nbsecure_otp',
  [SECRET_KINDS.token.env]: 'nbsecure_given_token',
  [SECRET_KINDS.passphrase.env]: 'nbsecure_given_passphrase',
} as const;

/**
 * The secrets a rollout hands the role, as variables for a file only its owner reads, and the environment
 * ansible-playbook runs with, without them: what is in it reaches every worker and every command they start.
 */
function rolloutSecrets(
  env: NodeJS.ProcessEnv,
  apiKeyFile: string | undefined,
  otp: string | undefined,
): { env: NodeJS.ProcessEnv; secretVars: Record<string, string> } {
  const given: Record<string, string | undefined> = {
    ...Object.fromEntries(Object.keys(SECRET_VARIABLES).map((name) => [name, env[name]])),
    [SECRET_KINDS.apiKey.env]: secretFromFileOrEnv('apiKey', apiKeyFile, env),
    ...(otp ? { NBSECURE_OTP: otp } : {}),
  };
  const secretVars = Object.fromEntries(
    Object.entries(SECRET_VARIABLES).flatMap(([name, variable]) => (given[name] ? [[variable, given[name]]] : [])),
  );
  const rest = Object.fromEntries(Object.entries(env).filter(([name]) => !(name in SECRET_VARIABLES)));
  return { env: rest, secretVars };
}

/** nbsecure rollout: the fleet form of apply, through ansible-playbook (CONTRACT 1.1). */
export async function rolloutCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs('rollout', args, {
    answers: { type: 'string' },
    plan: { type: 'string' },
    'allowed-signers': { type: 'string' },
    inventory: { type: 'string' },
    out: { type: 'string' },
    check: { type: 'boolean' },
    yes: { type: 'boolean' },
    limit: { type: 'string' },
    forks: { type: 'string' },
    'media-batch': { type: 'string' },
    waves: { type: 'string' },
    'max-fail-percentage': { type: 'string' },
    json: { type: 'boolean' },
    confirm: { type: 'string', multiple: true },
    'api-key-file': { type: 'string' },
    otp: { type: 'string' },
    'api-url': { type: 'string' },
  });
  if (!values.answers && !values.plan) {
    throw new UsageError('nbsecure rollout needs --answers FILE or --plan PLAN.json. See nbsecure rollout --help.');
  }
  const forks = values.forks === undefined ? undefined : Number(values.forks);
  if (forks !== undefined && (!Number.isInteger(forks) || forks < 1)) {
    throw new UsageError(`--forks ${values.forks} must be a whole number of parallel hosts, 1 or more.`);
  }
  const { maxFailPercentage, ...playVars } = wavesOption(values);
  // Questions go to stderr: stdout carries the progress, or JSON.
  const prompter = terminalPrompter(io, true);
  if (!values.check && !values.yes && !prompter.interactive) {
    throw new UsageError(
      'nbsecure rollout needs your consent, and there is no terminal to ask on: read the dry run ' +
        '(--check) and pass --yes to consent.',
    );
  }
  const plan = planFromFlags(values);
  checkOtp(values.otp);
  const { env, secretVars } = rolloutSecrets(io.env, values['api-key-file'], values.otp);
  const apiUrl = values['api-url'] === undefined ? undefined : checkApiUrl(values['api-url']);
  if (!(await hasAnsiblePlaybook(io.env))) {
    throw new UsageError(
      'nbsecure rollout runs the fleet through ansible-playbook, which is not installed here: install ' +
        'ansible-core 2.14 or later (Debian and Ubuntu: apt-get install ansible-core), or run nbsecure apply ' +
        'on each host.',
    );
  }
  // Human text goes to stderr with --json: stdout is then JSON lines only.
  const human = values.json ? io.stderr : io.stdout;
  const say = (line: string) => writeLine(human, line);
  const temp = values.out ? undefined : mkdtempSync(join(tmpdir(), 'nbsecure-rollout-'));
  const out = values.out ? resolve(io.cwd, values.out) : temp!;
  try {
    writeFileSet(
      out,
      renderAnsible(plan, maxFailPercentage === undefined ? {} : { maxFailPercentage: maxFailPercentage as number }),
    );
    const dir = join(out, 'ansible');
    const run = (check: boolean, onEvent: (e: PlaybookEvent) => void, signal?: AbortSignal, playbook?: string) =>
      runPlaybook({
        dir,
        ...(playbook ? { playbook } : {}),
        env,
        inventory: values.inventory ? resolve(io.cwd, values.inventory) : join(dir, 'inventory.yml'),
        check,
        // The clean-up reaches the primary whatever --limit named: it holds the tokens.
        ...(values.limit && !playbook ? { limit: values.limit } : {}),
        ...(forks ? { forks } : {}),
        secretVars,
        extraVars: {
          nbsecure_confirmed: confirmedSteps(plan, values.confirm ?? []),
          ...(apiUrl ? { nbsecure_api_url: apiUrl } : {}),
          ...playVars,
          ...(check ? DRY_RUN_BATCHES : {}),
        },
        ...(signal ? { signal } : {}),
        onEvent,
      });

    // The dry run: ansible-playbook --check --diff, and per host what would change.
    const dry: PlaybookEvent[] = [];
    say(`nbsecure rollout: dry run (ansible-playbook --check --diff) of plan ${plan.digest.slice(0, 16)}`);
    const checked = await run(true, (e) => {
      dry.push(e);
      if (values.json) writeLine(io.stdout, JSON.stringify({ ...e, check: true }));
    });
    if (!dry.length && checked.exitCode !== 0)
      throw new UsageError(`ansible-playbook failed: ${checked.stderr.trim()}`);
    const preview = rolloutReport(plan, dry, true);
    for (const h of preview.hosts) {
      const would =
        h.outcome === 'not run'
          ? 'not reached in the dry run'
          : h.changed.length
            ? `would change ${h.changed.join(', ')}`
            : 'nothing to change';
      say(`  ${h.host}: ${would}${h.failure ? `; stops: ${h.failure.message}` : ''}`);
    }
    if (values.check) return finish(preview, checked.exitCode);
    if (!values.yes) {
      const yes = await prompter.confirm('Roll these changes out now?');
      if (!yes) {
        say('Nothing was run.');
        return EXIT.failed;
      }
    }

    // The run, with its progress: the stage, hosts done/failed/pending, a bar, and the host now running.
    // Ink draws it on a terminal; plain lines otherwise; JSON lines with --json.
    const events: PlaybookEvent[] = [];
    const view = !values.json && io.stdout.isTTY ? await inkView(plan, io) : undefined;
    const show: (e: PlaybookEvent) => void = values.json
      ? (e) => writeLine(io.stdout, JSON.stringify(e))
      : (view?.push ?? plainView(plan, say));
    let interrupted = false;
    const ran = await withInterrupts(async (signal) => {
      const r = await run(
        false,
        (e) => {
          events.push(e);
          show(e);
        },
        signal,
      );
      interrupted = signal.aborted;
      return r;
    }).finally(() => view?.close());
    const report = rolloutReport(plan, events, false);
    if (interrupted) {
      // ansible-playbook stopped without its always blocks: the wave's tokens are still valid on the primary,
      // and secrets folders may be left on the hosts. Both go before nbsecure exits.
      say('\nInterrupted: deleting the tokens this rollout made and removing the secrets it handed out...');
      const cleaned = await run(false, () => undefined, undefined, 'cleanup.yml');
      say(cleaned.exitCode === 0 ? 'Cleaned up.' : `The clean-up failed: ${cleaned.stderr.trim().slice(-500)}`);
      finish(report, ran.exitCode);
      return EXIT.interrupted;
    }
    return finish(report, ran.exitCode);
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true });
  }

  function finish(report: RolloutReport, exitCode: number): number {
    const dir = values.out ? resolve(io.cwd, values.out) : io.cwd;
    writeFileAtomic(join(dir, 'rollout-report.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileAtomic(join(dir, 'rollout-report.md'), reportMarkdown(report));
    say(`\n${summaryTable(report)}`);
    say(`Report: ${join(dir, 'rollout-report.md')} and rollout-report.json`);
    if (values.json) writeLine(io.stdout, JSON.stringify({ event: 'report', report }));
    if (report.hosts.some((h) => h.outcome === 'failed')) return EXIT.failed;
    if (report.hosts.some((h) => h.outcome === 'waiting')) return EXIT.waiting;
    return exitCode === 0 ? EXIT.ok : EXIT.failed;
  }
}

/**
 * The dry run checks every media server, then every client, in one batch (as many at once as the forks allow):
 * it changes nothing, so the batches and canary waves have nothing to protect, and a failing canary would hide
 * what the other hosts would do.
 */
const DRY_RUN_BATCHES = { nbsecure_media_serial: '100%', nbsecure_client_waves: ['100%'] };

/** --media-batch, --waves and --max-fail-percentage as the playbook's variables (they set serial, read first). */
function wavesOption(values: { 'media-batch'?: string; waves?: string; 'max-fail-percentage'?: string }) {
  const vars: Record<string, unknown> = {};
  const whole = (flag: string, v: string, max = Infinity) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${flag} ${v} must be a whole number from 1.`);
    return n;
  };
  if (values['media-batch']) vars.nbsecure_media_serial = whole('--media-batch', values['media-batch']);
  if (values['max-fail-percentage'] !== undefined) {
    const n = Number(values['max-fail-percentage']);
    if (!Number.isInteger(n) || n < 0 || n > 100) {
      throw new UsageError(
        `--max-fail-percentage ${values['max-fail-percentage']} must be a whole number from 0 to 100.`,
      );
    }
    vars.maxFailPercentage = n;
  }
  if (values.waves) {
    vars.nbsecure_client_waves = values.waves.split(',').map((w) => {
      const t = w.trim();
      if (/^\d{1,3}%$/.test(t) && Number(t.slice(0, -1)) >= 1 && Number(t.slice(0, -1)) <= 100) return t;
      return whole('--waves: a wave', t);
    });
  }
  return vars;
}

/** The progress as plain lines: each stage, each host's outcome, and where the stage stands. */
function plainView(plan: Plan, say: (line: string) => void): (e: PlaybookEvent) => void {
  const progress = new RolloutProgress(plan);
  return (e) => {
    progress.update(e);
    if (e.event === 'stage') say(`\n==> stage ${e.stage}: ${e.name}`);
    else if (e.event === 'host' && e.steps_task) {
      const changed = changedSteps(e).length;
      say(e.status === 'ok' ? `  ok     ${e.host}: ${changed} changed` : `  FAILED ${e.host}: ${e.msg}`);
      say(`  ${progress.line()}`);
    }
  };
}

/** The Ink progress view, loaded only on a terminal: the scripted path never loads React or Ink. */
async function inkView(plan: Plan, io: Io) {
  const { mountRolloutView } = await import('../rollout/mount-view.js');
  return mountRolloutView(plan, io);
}

/** Manual steps confirmed on the command line: a bare id is the primary's (login, security.level). */
function confirmedSteps(plan: Plan, confirm: string[]): string[] {
  return confirm.flatMap((c) => c.split(',')).map((c) => (c.includes(':') ? c : `${plan.primary}:${c}`));
}

/** Per host: the stage reached, the changed steps, the failure with its NetBackup status explained. */
function summaryTable(r: RolloutReport): string {
  const width = Math.max(4, ...r.hosts.map((h) => h.host.length));
  const lines = r.hosts.map((h) => {
    const failure = h.failure
      ? ` ${h.failure.step ?? ''} ${h.failure.message}` +
        (h.failure.status ? ` [NetBackup ${h.failure.status.code}: ${h.failure.status.meaning}]` : '')
      : '';
    const counts = `${(h.stage || '-').padEnd(8)} ${h.outcome.padEnd(8)} ${String(h.changed.length).padStart(3)}`;
    return `${h.host.padEnd(width)}  ${counts}${failure}`;
  });
  return [`${'host'.padEnd(width)}  stage    outcome  changed`, ...lines].join('\n');
}
