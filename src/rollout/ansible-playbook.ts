import { execa } from 'execa';
import { join } from 'node:path';
import { parseEvent, type PlaybookEvent } from './events.js';

export interface PlaybookRun {
  dir: string;
  /** The environment nbsecure was started with: Ansible needs its PATH, HOME and SSH agent. */
  env: NodeJS.ProcessEnv;
  inventory: string;
  check: boolean;
  limit?: string;
  forks?: number;
  extraVars: Record<string, unknown>;
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
  const args = ['-i', o.inventory, join(o.dir, 'site.yml'), '-e', JSON.stringify(o.extraVars)];
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
      if (e) o.onEvent(e);
    }
  });
  const r = await sub;
  const last = parseEvent(pending);
  if (last) o.onEvent(last);
  if (r.exitCode === undefined) throw new Error(`ansible-playbook could not run: ${r.shortMessage}`);
  return { exitCode: r.exitCode, stderr: String(r.stderr) };
}
