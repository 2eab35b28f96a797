import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePrivate } from '../execute/private-files.js';
import { parseEvent, type PlaybookEvent } from './events.js';

export interface PlaybookRun {
  dir: string;
  /** The playbook in `dir` (default site.yml; cleanup.yml after an interrupt). */
  playbook?: string;
  /** The environment nbsecure was started with: Ansible needs its PATH, HOME and SSH agent. */
  env: NodeJS.ProcessEnv;
  inventory: string;
  check: boolean;
  limit?: string;
  forks?: number;
  extraVars: Record<string, unknown>;
  /**
   * Variables that hold secrets (the API key, a one-time password): handed over in a file only its owner reads,
   * removed as soon as ansible-playbook has read it, never in an environment that Ansible's workers, their
   * shells and every command they start would inherit.
   */
  secretVars?: Record<string, string>;
  signal?: AbortSignal;
  onEvent: (e: PlaybookEvent) => void;
}

/** Whether ansible-playbook is on the PATH: the engine nbsecure hands the fan-out to. */
export async function hasAnsiblePlaybook(env: NodeJS.ProcessEnv): Promise<boolean> {
  const r = await execa('ansible-playbook', ['--version'], { reject: false, stdin: 'ignore', env, extendEnv: false });
  return r.exitCode === 0;
}

/**
 * Runs the rendered playbook as an argument array (never a shell), with nbsecure's callback: each line of
 * its stdout is an event. Resolves with ansible-playbook's exit status.
 */
export async function runPlaybook(o: PlaybookRun): Promise<{ exitCode: number; stderr: string }> {
  const args = ['-i', o.inventory, join(o.dir, o.playbook ?? 'site.yml'), '-e', JSON.stringify(o.extraVars)];
  const secrets = o.secretVars && Object.keys(o.secretVars).length ? secretVarsFile(o.secretVars) : undefined;
  try {
    return await playbook(o, secrets ? [...args, '-e', `@${secrets.file}`] : args, secrets?.remove);
  } finally {
    secrets?.remove();
  }
}

/** A private folder (0700) with the secret variables in a 0600 file; `remove` takes both away, once. */
function secretVarsFile(vars: Record<string, string>): { file: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'nbsecure-vars-'));
  const file = join(dir, 'secrets.json');
  writePrivate(file, JSON.stringify(vars));
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

async function playbook(
  o: PlaybookRun,
  args: string[],
  onFirstEvent?: () => void,
): Promise<{ exitCode: number; stderr: string }> {
  if (o.check) args.push('--check', '--diff');
  if (o.limit) args.push('--limit', o.limit);
  if (o.forks) args.push('--forks', String(o.forks));
  const sub = execa('ansible-playbook', args, {
    reject: false,
    stdin: 'ignore',
    cwd: o.dir,
    env: {
      ...o.env,
      ANSIBLE_STDOUT_CALLBACK: 'nbsecure_events',
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_RETRY_FILES_ENABLED: 'false',
    },
    extendEnv: false,
    ...(o.signal ? { cancelSignal: o.signal, killSignal: 'SIGINT' as const } : {}),
  });
  let pending = '';
  sub.stdout?.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const l of lines) {
      const e = parseEvent(l);
      if (!e) continue;
      // Ansible reads its extra variables before the first play: the secrets' file is no longer needed.
      onFirstEvent?.();
      o.onEvent(e);
    }
  });
  const r = await sub;
  const last = parseEvent(pending);
  if (last) o.onEvent(last);
  if (r.exitCode === undefined) throw new Error(`ansible-playbook could not run: ${r.shortMessage}`);
  return { exitCode: r.exitCode, stderr: String(r.stderr) };
}
