import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from './cli.js';
import { makeSite, type Site } from './site.js';

/** A DMZ site big enough to roll out in waves: the primary, media servers with tunnels, internal and DMZ clients. */
export function fleetSite(clients = 9, fingerprint?: string): Site {
  const site = makeSite({
    ...(fingerprint ? { fingerprint } : {}),
    media: [{ name: 'm1.corp.example' }, { name: 'm2.corp.example' }],
    clients: Array.from({ length: clients }, (_, i) =>
      i % 3 === 0
        ? { name: `w${i + 1}.dmz.example`, zone: 'dmz' as const, tunnelVia: ['m1.corp.example'] }
        : { name: `c${i + 1}.corp.example` },
    ),
  });
  // The web login is a person's: the simulator records a session as if they had logged in.
  writeFileSync(join(site.domain, 'session.json'), '{}');
  return site;
}

export const CONFIRMED = ['login', 'security.level', 'tighten.login', 'verify.login'].map(
  (id) => `p.corp.example:${id}`,
);

/** Writes the site's playbook (plan --format ansible) and returns its folder. */
export async function renderPlaybook(site: Site): Promise<string> {
  const out = join(site.dir, 'rollout');
  const r = await cli(['plan', '--answers', site.answers, '--out', out, '--format', 'ansible']);
  if (r.code !== 0) throw new Error(r.stderr);
  return join(out, 'ansible');
}

/** ansible-playbook on the control node itself: every host runs locally, in its own install root. */
export function ansiblePlaybook(
  dir: string,
  site: Site,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
  /** Given, the run is a process group of its own, handed here as it starts (to be killed like a crash). */
  onChild?: (child: ChildProcess) => void,
): Promise<{ code: number; output: string }> {
  const vars = {
    ansible_connection: 'local',
    ansible_python_interpreter: '{{ ansible_playbook_python }}',
    nbsecure_state_dir: join(site.dir, 'ansible-state'),
    nbsecure_confirmed: CONFIRMED,
  };
  return new Promise((resolve) => {
    const child = spawn(
      'ansible-playbook',
      ['-i', join(dir, 'inventory.yml'), join(dir, 'site.yml'), '-e', JSON.stringify(vars), ...extra],
      {
        cwd: site.dir,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          ANSIBLE_NOCOLOR: '1',
          ...ansibleEnv(site),
          ANSIBLE_FORCE_COLOR: '0',
          ...env,
        },
        ...(onChild ? { detached: true } : {}),
      },
    );
    onChild?.(child);
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

/**
 * The user's own inventory, as they would write it, for the simulator: every host runs locally (its commands
 * are under its own install root), and the role keeps its state in the site's folder.
 */
export function localInventory(site: Site, plan: { hosts: { name: string; role: string }[] }): string {
  const group = (role: string) =>
    Object.fromEntries(plan.hosts.filter((h) => h.role === role).map((h) => [h.name, {}]));
  const file = join(site.dir, 'inventory.json');
  writeFileSync(
    file,
    JSON.stringify({
      all: {
        vars: {
          ansible_connection: 'local',
          ansible_python_interpreter: '{{ ansible_playbook_python }}',
          nbsecure_state_dir: join(site.dir, 'ansible-state'),
        },
        children: {
          nbsecure_primary: { hosts: group('primary') },
          nbsecure_media: { hosts: group('media') },
          nbsecure_clients: { hosts: group('client') },
        },
      },
    }),
  );
  return file;
}

/**
 * The environment a rollout runs in: Ansible's temporary files, and the hosts' (the secrets' private folders),
 * inside the site, to be searched for leaks.
 */
export function ansibleEnv(site: Site): NodeJS.ProcessEnv {
  const tmp = join(site.dir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  return {
    ANSIBLE_LOCAL_TEMP: join(site.dir, '.ansible-tmp'),
    ANSIBLE_REMOTE_TEMP: join(site.dir, '.ansible-remote-tmp'),
    TMPDIR: tmp,
  };
}

/** PLAY RECAP counts per host. */
export function recap(output: string): Record<string, { ok: number; changed: number; failed: number }> {
  const out: Record<string, { ok: number; changed: number; failed: number }> = {};
  for (const m of output.matchAll(/^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)/gm)) {
    out[m[1]!] = { ok: Number(m[2]), changed: Number(m[3]), failed: Number(m[4]) };
  }
  return out;
}
