// Prints how fast `nbsecure rollout` (ansible-playbook, 20 forks) rolls out simulated hosts, against the
// same hosts' generated bash scripts run one after another. Figures only (issue 12's target: the rollout
// at least 5x faster on this 2-core machine). HOSTS=50 node bench/rollout.mjs for a quicker look.
//
// The simulated commands are answered by the simulator server (test/netbackup-sim/sim-server.mjs): each is a
// bash client of some 5 ms, where a Node process of its own costs this machine some 100 ms of CPU. A real
// NetBackup command spends its CPU on its own host, not on the control node's two cores, which the rollout's
// Ansible needs. SIM=process runs every command as a Node process instead, for comparison.
//
// Measured twice. First as is: every command's work is on this machine. Then with REMOTE_MS (default 400)
// added to every simulated command, standing for what a real command spends on its own host and on the network
// to the primary: time that, in a real fleet, is not the control node's. The figure is an assumption, printed
// with the results; REMOTE_MS=0 skips the second measurement, ONLY=remote the first.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FP, root, simulator } from './simulator.mjs';

const HOSTS = Number(process.env.HOSTS ?? 200);
const REMOTE_MS = Number(process.env.REMOTE_MS ?? 400);
const FORKS = 20;
const bin = join(root, 'bin/nbsecure.js');
const { dir, makeDomain, makeHost, startSimServer } = await simulator('rollout');
const server = process.env.SIM === 'process' ? undefined : await startSimServer();
const names = Array.from({ length: HOSTS }, (_, i) => `c${i + 1}.corp.example`);

/** A fresh simulated domain: the primary, one media server and HOSTS internal clients, with their answers. */
function site(tag) {
  const domain = makeDomain(FP, { serverPort: server?.port });
  writeFileSync(join(domain, 'session.json'), '{}');
  const host = (name) => makeHost(domain, { name, zone: 'internal', knownToPrimary: true }).root;
  const answers = join(mkdtempSync(join(dir, `${tag}-`)), 'answers.json');
  writeFileSync(
    answers,
    JSON.stringify({
      version: 1,
      primary: { name: 'p.corp.example', version: '10.4', installPath: host('p.corp.example') },
      mediaServers: [{ name: 'm1.corp.example', installPath: host('m1.corp.example') }],
      clients: names.map((name) => ({ name, installPath: host(name) })),
      certificates: { caFingerprint: FP },
    }),
  );
  return answers;
}

function must(r, what) {
  if (r.status !== 0)
    throw new Error(`${what} failed (${r.status}): ${(r.stderr ?? '').slice(-2000)}${(r.stdout ?? '').slice(-2000)}`);
  return r;
}

async function measure(remoteMs) {
  const env = { ...process.env, NBSIM_REMOTE_MS: String(remoteMs) };
  // The scripts: each client's bash script, one after another.
  const scripted = site('bash');
  const out = mkdtempSync(join(dir, 'scripts-'));
  must(spawnSync(process.execPath, [bin, 'plan', '--answers', scripted, '--out', out, '--format', 'sh']), 'plan');
  const bashStart = performance.now();
  for (const name of names) must(spawnSync('bash', [join(out, `${name}.sh`)], { cwd: out, input: '', env }), name);
  const bashMs = performance.now() - bashStart;

  // The rollout: every stage of the whole site through ansible-playbook with 20 forks.
  const rolled = site('rollout');
  const plan = JSON.parse(
    must(
      spawnSync(process.execPath, [bin, 'plan', '--answers', rolled, '--format', 'json'], {
        encoding: 'utf8',
        maxBuffer: 1 << 30,
      }),
      'plan',
    ).stdout,
  );
  const group = (role) => Object.fromEntries(plan.hosts.filter((h) => h.role === role).map((h) => [h.name, {}]));
  const work = mkdtempSync(join(dir, 'run-'));
  const inventory = join(work, 'inventory.json');
  writeFileSync(
    inventory,
    JSON.stringify({
      all: {
        vars: {
          ansible_connection: 'local',
          ansible_python_interpreter: '{{ ansible_playbook_python }}',
          nbsecure_state_dir: join(work, 'state'),
        },
        children: {
          nbsecure_primary: { hosts: group('primary') },
          nbsecure_media: { hosts: group('media') },
          nbsecure_clients: { hosts: group('client') },
        },
      },
    }),
  );
  const rolloutStart = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      bin,
      'rollout',
      '--answers',
      rolled,
      '--inventory',
      inventory,
      '--yes',
      '--forks',
      String(FORKS),
      '--json',
      '--confirm',
      'login,security.level,tighten.login,verify.login',
      '--out',
      join(work, 'out'),
    ],
    { encoding: 'utf8', cwd: work, maxBuffer: 1 << 30, env },
  );
  const rolloutMs = performance.now() - rolloutStart;
  must(r, 'rollout');
  const report = JSON.parse(readFileSync(join(work, 'out', 'rollout-report.json'), 'utf8'));
  const done = report.hosts.filter((h) => h.outcome === 'done').length;

  // The engine alone: the real run of the same playbook on a fresh site, without nbsecure's dry run.
  const direct = site('direct');
  const directOut = join(work, 'direct-out');
  must(
    spawnSync(process.execPath, [bin, 'plan', '--answers', direct, '--out', directOut, '--format', 'ansible']),
    'plan',
  );
  const vars = {
    nbsecure_confirmed: ['login', 'security.level', 'tighten.login', 'verify.login'].map((s) => `p.corp.example:${s}`),
  };
  const directStart = performance.now();
  must(
    spawnSync(
      'ansible-playbook',
      ['-i', inventory, join(directOut, 'ansible', 'site.yml'), '--forks', String(FORKS), '-e', JSON.stringify(vars)],
      {
        encoding: 'utf8',
        cwd: work,
        maxBuffer: 1 << 30,
        env: { ...env, ANSIBLE_STDOUT_CALLBACK: 'nbsecure_events' },
      },
    ),
    'ansible-playbook',
  );
  const directMs = performance.now() - directStart;

  const perMinute = (n, ms) => (n / ms) * 60_000;
  const row = (label, ms, extra = '') =>
    console.log(
      `  ${label.padEnd(33)}${(ms / 1000).toFixed(1)} s  ${perMinute(HOSTS, ms).toFixed(0)} hosts/min${extra}`,
    );
  console.log(
    `rollout of ${HOSTS} simulated clients (${cpus().length} cores; each simulated command is ` +
      (server ? 'a bash client of the simulator server' : 'a Node process') +
      (remoteMs ? `, plus ${remoteMs} ms for its own host and the network)` : ', all on this machine)'),
  );
  row('bash scripts, one after another', bashMs);
  row(
    `nbsecure rollout, ${FORKS} forks`,
    rolloutMs,
    ` (${done}/${report.hosts.length} hosts done; its dry run included)`,
  );
  row('ansible-playbook run alone', directMs);
  const ratio = (x) => `${(bashMs / x).toFixed(2)}x`;
  console.log(
    `  ratio                            ${ratio(rolloutMs)}, the run alone ${ratio(directMs)} (target >= 5x)`,
  );
  if (!remoteMs)
    console.log(
      // What a host costs the run beyond its script's own work shared out over every core: Ansible's share.
      `  overhead per host                ${((directMs - bashMs / cpus().length) / HOSTS).toFixed(0)} ms ` +
        "(the run alone, less the scripts' time shared out over the cores)",
    );
  // With remote time the scripts mostly wait: the run alone against the scripts' time split perfectly over the forks.
  else
    console.log(
      `  overhead per host                ${((directMs - bashMs / FORKS) / HOSTS).toFixed(0)} ms ` +
        `(the run alone, less the scripts' time split over ${FORKS} forks; the waves' waits included)`,
    );
}

try {
  if (process.env.ONLY !== 'remote') await measure(0);
  if (REMOTE_MS > 0) await measure(REMOTE_MS);
} finally {
  server?.stop();
}
