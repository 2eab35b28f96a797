import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ansiblePlaybook, renderPlaybook } from './ansible.js';
import { BIN } from './bin.js';
import { cli } from './cli.js';
import { applyArgs, type Site } from './site.js';
import { withTools } from './tools.js';

/**
 * One table of scenarios, run against every executor that can run here: the TypeScript runner
 * (nbsecure apply), the generated bash script and the generated Ansible role (ansible-playbook). The
 * same assertions hold for all; a behaviour one of them lacks fails here. (PowerShell cannot run here:
 * its scripts are parsed instead.)
 */
export interface RunOptions {
  stage?: string;
  token?: string;
  manualDone?: string[];
  /** A NetBackup API key, handed over the executor's way: a 0600 file, or the environment for Ansible. */
  apiKey?: string;
  /** The external CA key's passphrase, handed over the executor's way. */
  passphrase?: string;
  /** Run as a process group of its own, handed here as it starts, so that a test can kill it like a crash. */
  onChild?: (child: ChildProcess) => void;
  /** Seconds a step may take (apply --step-timeout, NBSECURE_STEP_TIMEOUT). */
  stepTimeout?: number;
  /** Whether to collect each step's outcome as the executor itself reports it (apply --json, NBSECURE_EVENTS). */
  outcomes?: boolean;
}

/** What a run gives back: its exit status, everything it printed, and the outcomes it reported, if asked. */
export interface RunResult {
  code: number;
  output: string;
  outcomes?: Record<string, string>;
}

/** Runs a process in a group of its own; its output and exit status once it is gone (killed or not). */
function spawned(
  file: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
  onChild: (child: ChildProcess) => void,
): Promise<{ code: number; output: string }> {
  const child = spawn(file, args, { ...opts, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  onChild(child);
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, output })));
}

export interface Executor {
  name: string;
  /** How the conformance table names it (its rows' `executors`). */
  short: 'runner' | 'bash' | 'ansible';
  run(site: Site, host: string, o?: RunOptions): Promise<RunResult>;
  /** Files the executor keeps beside its work (journal, state file), which must never hold a secret. */
  leftovers(site: Site): string[];
  /**
   * Makes the rollout's token per wave of hosts instead of in the primary's prepare stage (Step.perWave): the
   * primary's own run has no token step to fail. The rollout tests fail the wave's token instead.
   */
  tokensPerWave?: true;
}

export const runner: Executor = {
  name: 'runner (nbsecure apply)',
  short: 'runner',
  async run(site, host, o = {}) {
    const args = applyArgs(site, host);
    if (o.stage) args.push('--stage', o.stage);
    if (o.token) args.push('--token-file', site.tokenFile(o.token));
    if (o.manualDone?.length) args.push('--confirm', o.manualDone.join(','));
    if (o.apiKey) args.push('--api-key-file', site.tokenFile(o.apiKey)); // a 0600 file, as for any secret
    if (o.passphrase) args.push('--passphrase-file', site.tokenFile(o.passphrase));
    if (o.stepTimeout) args.push('--step-timeout', String(o.stepTimeout));
    if (o.outcomes) args.push('--json');
    if (o.onChild) {
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true' };
      return spawned(process.execPath, [BIN, ...args], { cwd: site.dir, env }, o.onChild);
    }
    const r = await cli(args, { cwd: site.dir });
    if (!o.outcomes) return { code: r.code, output: r.stdout + r.stderr };
    const events = r.stdout
      .split('\n')
      .flatMap((l) => (l.startsWith('{') ? [JSON.parse(l) as Record<string, string>] : []));
    const outcomes = Object.fromEntries(events.filter((e) => e.type === 'step-done').map((e) => [e.step, e.outcome]));
    return { code: r.code, output: r.stdout + r.stderr, outcomes };
  },
  leftovers: (site) =>
    readdirSync(site.stateDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name)),
};

export const bash: Executor = {
  name: 'bash script',
  short: 'bash',
  async run(site, host, o = {}) {
    const out = join(site.dir, 'scripts');
    await cli(['plan', '--answers', site.answers, '--out', out, '--format', 'sh']);
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
    if (o.stage) env.NBSECURE_STAGE = o.stage;
    if (o.token) env.NBSECURE_TOKEN_FILE = site.tokenFile(o.token);
    if (o.manualDone?.length) env.NBSECURE_MANUAL_DONE = o.manualDone.map((id) => `${host}:${id}`).join(',');
    if (o.apiKey) env.NBSECURE_API_KEY_FILE = site.tokenFile(o.apiKey);
    if (o.passphrase) env.NBSECURE_PASSPHRASE_FILE = site.tokenFile(o.passphrase);
    if (o.stepTimeout) env.NBSECURE_STEP_TIMEOUT = String(o.stepTimeout);
    const events = join(site.dir, `events-${Math.random().toString(36).slice(2)}.jsonl`);
    if (o.outcomes) env.NBSECURE_EVENTS = events;
    if (o.onChild) return spawned('bash', [join(out, `${host}.sh`)], { cwd: site.dir, env }, o.onChild);
    const r = spawnSync('bash', [join(out, `${host}.sh`)], { encoding: 'utf8', cwd: site.dir, env });
    if (!o.outcomes) return { code: r.status ?? -1, output: r.stdout + r.stderr };
    const lines = existsSync(events) ? readFileSync(events, 'utf8').split('\n').filter(Boolean) : [];
    const done = lines.map((l) => JSON.parse(l) as Record<string, string>).filter((e) => e.type === 'step-done');
    return {
      code: r.status ?? -1,
      output: r.stdout + r.stderr,
      outcomes: Object.fromEntries(done.map((e) => [e.step, e.outcome])),
    };
  },
  leftovers: (site) =>
    readdirSync(site.dir)
      .filter((f) => f.startsWith('nbsecure-'))
      .map((f) => join(site.dir, f)),
};

export const ansible: Executor = {
  name: 'Ansible role (ansible-playbook)',
  short: 'ansible',
  tokensPerWave: true,
  async run(site, host, o = {}) {
    const dir = await renderPlaybook(site);
    const vars: Record<string, unknown> = { nbsecure_confirmed: (o.manualDone ?? []).map((id) => `${host}:${id}`) };
    // Naming a stage is saying the fleet is ready for it, as apply --stage does.
    if (o.stage) vars.nbsecure_fleet_ready = true;
    if (o.stepTimeout) vars.nbsecure_step_timeout = o.stepTimeout;
    const args = ['--limit', host, '-e', JSON.stringify(vars), ...(o.stage ? ['--tags', o.stage] : [])];
    const r = await ansiblePlaybook(
      dir,
      site,
      args,
      {
        ...(o.token ? { NBSECURE_TOKEN: o.token } : {}),
        ...(o.apiKey ? { NBSECURE_API_KEY: o.apiKey } : {}),
        ...(o.passphrase ? { NBSECURE_PASSPHRASE: o.passphrase } : {}),
      },
      o.onChild,
    );
    // ansible-playbook says a failed task with 2; the table's "a step failed" is 1.
    return { code: r.code === 2 ? 1 : r.code, output: r.output };
  },
  leftovers: (site) =>
    ['ansible-state', '.ansible-tmp', '.ansible-remote-tmp']
      .map((d) => join(site.dir, d))
      .filter((d) => existsSync(d))
      .flatMap((d) =>
        readdirSync(d, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => join(e.parentPath, e.name)),
      ),
};
export const withAnsible = withTools('ansible-playbook');
export const EXECUTORS = withAnsible.missing.length ? [runner, bash] : [runner, bash, ansible];
