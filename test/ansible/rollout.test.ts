import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, expect } from 'vitest';
import { loadAnswersFile } from '../../src/environment/load.js';
import { buildPlan } from '../../src/plan/build.js';
import type { RolloutReport } from '../../src/rollout/report.js';
import {
  argvLog,
  bpconf,
  changingCalls,
  createdTokens,
  readState,
  setFaults,
  simPid,
} from '../netbackup-sim/layout.js';
import { makePki, startRestSim } from '../netbackup-sim/rest-sim.js';
import { ansibleEnv, ansiblePlaybook, fleetSite, localInventory, renderPlaybook } from '../helpers/ansible.js';
import { BIN } from '../helpers/bin.js';
import { cli } from '../helpers/cli.js';
import { makeSite, type Site } from '../helpers/site.js';
import { base, FP } from '../helpers/env.js';
import { withTools } from '../helpers/tools.js';

const { it } = withTools('ansible-playbook');
const lint = withTools('ansible-playbook', 'ansible-lint');

/** nbsecure rollout on the simulated fleet, with the user's inventory; the report it wrote. */
async function rollout(site: Site, ...extra: string[]) {
  const plan = buildPlan(loadAnswersFile(site.answers).environment);
  const out = join(site.dir, 'out');
  const r = await cli(
    [
      ...['rollout', '--answers', site.answers, '--inventory', localInventory(site, plan), '--out', out],
      ...['--confirm', 'login,security.level,tighten.login,verify.login', '--json', ...extra],
    ],
    { cwd: site.dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...ansibleEnv(site) } },
  );
  const report = JSON.parse(readFileSync(join(out, 'rollout-report.json'), 'utf8')) as RolloutReport;
  const events = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map(
      (l) =>
        JSON.parse(l) as {
          event: string;
          stage?: string;
          check?: boolean;
          hosts?: Record<string, { changed: number }>;
        },
    );
  const stats = events.filter((e) => e.event === 'stats' && !e.check).at(-1);
  // Ansible starts a play again for each batch of its hosts: a stage's batches, in the dry run and in the run.
  const batches = (stage: string, check: boolean) =>
    events.filter((e) => e.event === 'stage' && e.stage === stage && Boolean(e.check) === check).length;
  return { ...r, report, stats, plan, batches };
}

/** The site's answers without certificates.caFingerprint. */
function withoutFingerprint(site: Site): Site {
  const answers = JSON.parse(readFileSync(site.answers, 'utf8')) as { certificates: { caFingerprint?: string } };
  delete answers.certificates.caFingerprint;
  writeFileSync(site.answers, JSON.stringify(answers));
  return site;
}

const OTHER_FP = Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).toUpperCase().padStart(2, '0')).join(
  ':',
);

const changes = (site: Site) => Object.values(site.hosts).flatMap(changingCalls);

/** Every file under a folder, with its text. */
function filesUnder(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => statSync(f).size < 5_000_000)
    .map((file) => ({ file, text: readFileSync(file, 'latin1') }));
}

describe('nbsecure rollout on a simulated DMZ fleet of 12 hosts', () => {
  it('rolls the site out stage by stage, then a second run changes nothing on any host', async () => {
    const site = fleetSite();
    const first = await rollout(site, '--yes');
    expect(first.code, first.stderr).toBe(0);
    expect(first.plan.hosts.length).toBeGreaterThanOrEqual(12);
    expect(first.report.hosts.every((h) => h.outcome === 'done')).toBe(true);
    for (const h of first.plan.hosts.filter((x) => x.role !== 'primary')) {
      expect(
        readState<{ host?: object }>(join(site.hosts[h.name]!.root, 'sim', 'certs.json')).host,
        h.name,
      ).toBeDefined();
    }
    expect(bpconf(site.hosts['w1.dmz.example']!)).toContain('MEDIA_SERVER = m1.corp.example');
    expect(readState(join(site.domain, 'security.json'))).toMatchObject({
      effectiveInsecure: 'off',
      dteGlobalMode: 1,
      restarts: 1,
    });
    // A token per wave, for exactly the hosts of that wave that needed one, each deleted when its wave ended.
    const made = argvLog(site.hosts['p.corp.example']!).filter((l) => l.args[0] === '-createToken');
    const flag = (args: string[], f: string) => args[args.indexOf(f) + 1]!;
    const needing = first.plan.hosts.filter((h) =>
      h.steps.some((s) => s.id.endsWith(':cert.get') && s.files?.some((f) => f.secret === 'token')),
    );
    expect(made.length).toBeGreaterThan(1);
    expect(made.reduce((n, l) => n + Number(flag(l.args, '-maxUses')), 0)).toBe(needing.length);
    expect(made.map((l) => flag(l.args, '-validFor'))).toEqual(made.map(() => '1H'));
    const deleted = argvLog(site.hosts['p.corp.example']!).filter((l) => l.args[0] === '-deleteToken');
    expect(deleted.map((l) => flag(l.args, '-name'))).toEqual(made.map((l) => flag(l.args, '-name')));
    expect(readState(join(site.domain, 'tokens.json'))).toEqual([]);
    expect(readFileSync(join(site.dir, 'out', 'rollout-report.md'), 'utf8')).toContain(
      '| w1.dmz.example | client | clients | done |',
    );
    // The clients went in canary waves; their dry run, which changes nothing, checked them in one batch.
    expect(first.batches('clients', false)).toBeGreaterThan(1);
    expect(first.batches('clients', true)).toBe(1);

    const second = await rollout(site, '--yes');
    expect(second.code, second.stderr).toBe(0);
    expect(Object.values(second.stats!.hosts!).map((h) => h.changed)).toEqual(first.plan.hosts.map(() => 0));
    expect(createdTokens(site.domain)).toHaveLength(made.length);
  }, 600_000);

  it('keeps its state in a folder of its own: made 0700, and no token written through a planted link', async () => {
    const site = fleetSite(3);
    const state = join(site.dir, 'ansible-state');
    mkdirSync(state, { mode: 0o755 });
    chmodSync(state, 0o755);
    const victim = join(site.dir, 'victim');
    writeFileSync(victim, 'not a token\n', { mode: 0o666 });
    for (const name of ['token.wave', 'token', 'p.corp.example.state']) symlinkSync(victim, join(state, name));
    const r = await ansiblePlaybook(await renderPlaybook(site), site);
    expect(r.code, r.output.slice(-3000)).toBe(0);
    expect(statSync(state).mode & 0o777).toBe(0o700);
    expect(readFileSync(victim, 'utf8')).toBe('not a token\n');
    // What the role wrote replaced the links (the wave's tokens are gone with their waves).
    expect(lstatSync(join(state, 'p.corp.example.state')).isSymbolicLink()).toBe(false);
    expect(existsSync(join(state, 'token.wave'))).toBe(false);
  }, 600_000);

  it.each([
    ['SIGINT', 'exits 130 and deletes the wave token at once'],
    ['SIGKILL', 'leaves a token the next run deletes first'],
  ])(
    'interrupted by %s mid-wave, %s: no token valid, no copy of it left',
    async (signal, _what) => {
      const site = fleetSite(3);
      const plan = buildPlan(loadAnswersFile(site.answers).environment);
      // The DMZ client hangs fetching its certificate, with its wave's token in hand.
      setFaults(site.hosts['w1.dmz.example']!, [{ match: 'nbcertcmd -getCertificate', hang: true, times: 1 }]);
      const args = [
        ...['rollout', '--answers', site.answers, '--inventory', localInventory(site, plan), '--yes', '--json'],
        ...['--confirm', 'login,security.level,tighten.login,verify.login'],
      ];
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true', ...ansibleEnv(site) };
      const child = spawn(process.execPath, [BIN, ...args], { cwd: site.dir, env, detached: true });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const pid = await simPid(site.hosts['w1.dmz.example']!, 'hanging', {
        timeoutMs: 60_000,
        context: () => output.slice(-2000),
      });
      expect(createdTokens(site.domain).length).toBeGreaterThan(0);
      if (signal === 'SIGINT') {
        child.kill('SIGINT');
        expect(await exited, output.slice(-2000)).toBe(130);
      } else {
        process.kill(-child.pid!, 'SIGKILL');
        await exited;
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone with its group */
        }
        const again = await cli(args, { cwd: site.dir, env });
        expect(again.code, again.stderr.slice(-2000)).toBe(0);
      }
      expect(readState(join(site.domain, 'tokens.json'))).toEqual([]);
      const left = filesUnder(site.dir).filter((f) => dirname(f.file) !== site.domain);
      for (const token of createdTokens(site.domain)) {
        expect(left.filter((f) => f.text.includes(token)).map((f) => f.file)).toEqual([]);
      }
      expect(readdirSync(join(site.dir, 'tmp')).filter((f) => f.startsWith('nbsecure-secrets-'))).toEqual([]);
    },
    600_000,
  );

  it('never shows the token: not in ansible-playbook -vvv output, the argv record, or a file left behind', async () => {
    const site = fleetSite(3);
    const dir = await renderPlaybook(site);
    const r = await ansiblePlaybook(dir, site, ['-vvv']);
    expect(r.code, r.output.slice(-3000)).toBe(0);
    const tokens = createdTokens(site.domain);
    expect(tokens.length).toBeGreaterThan(0);
    // The simulator's own domain records are NetBackup's; everything else in the site is what was left.
    const left = filesUnder(site.dir).filter((f) => dirname(f.file) !== site.domain);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Z]{16}$/);
      expect(r.output).not.toContain(token);
      for (const h of Object.values(site.hosts)) expect(JSON.stringify(argvLog(h))).not.toContain(token);
      expect(left.filter((f) => f.text.includes(token)).map((f) => f.file)).toEqual([]);
    }
  }, 600_000);

  it('with an API key nobody is asked: no login, the level over pinned REST, the key never logged', async () => {
    const pki = await makePki('p.corp.example');
    const site = fleetSite(3, pki.fingerprint);
    const key = 'A8fmNjyB5DvvzAN1CnRWblMv160U1Vt5hs5P2fqj81pJh9224HRus-test';
    // No one logged in; the primary accepts this key, and its level is not the plan's yet.
    rmSync(join(site.domain, 'session.json'));
    writeFileSync(join(site.domain, 'security.json'), JSON.stringify({ insecureCommunication: 'on', level: 'medium' }));
    const sim = await startRestSim({ domain: site.domain, pki, apiKey: key, primary: 'p.corp.example' });
    try {
      const dir = await renderPlaybook(site);
      const vars = JSON.stringify({ nbsecure_confirmed: [], nbsecure_api_url: sim.url });
      const r = await ansiblePlaybook(dir, site, ['-vvv', '-e', vars], { NBSECURE_API_KEY: key });
      expect(r.code, r.output.slice(-3000)).toBe(0);
      expect(r.output).toMatch(/the API key stands in for the login/);
      expect(r.output).not.toContain(key);
      expect(readState<{ level: string }>(join(site.domain, 'security.json')).level).toBe('high');
      expect(
        sim
          .requests()
          .filter((q) => q.method === 'POST')
          .map((q) => q.body),
      ).toEqual([{ certificateAutoDeployLevel: 1 }]);
      const primary = argvLog(site.hosts['p.corp.example']!);
      expect(primary.filter((l) => l.apiKeyEnv).map((l) => `${l.cmd} ${l.args[0]}`)).toContain(
        'nbcertcmd -createToken',
      );
      expect(primary.filter((l) => l.cmd === 'nbgetconfig').every((l) => !l.apiKeyEnv)).toBe(true);
      expect(
        Object.values(site.hosts)
          .flatMap(argvLog)
          .filter((l) => l.cmd === 'bpnbat'),
      ).toEqual([]);
      const left = filesUnder(site.dir).filter((f) => dirname(f.file) !== site.domain);
      expect(left.filter((f) => f.text.includes(key)).map((f) => f.file)).toEqual([]);
    } finally {
      await sim.close();
    }
  }, 600_000);

  it('rollout --api-key-file hands the key to the administrator commands alone, never in the env', async () => {
    const pki = await makePki('p.corp.example');
    const site = fleetSite(3, pki.fingerprint);
    const key = 'A8fmNjyB5DvvzAN1CnRWblMv160U1Vt5hs5P2fqj81pJh9224HRus-roll';
    rmSync(join(site.domain, 'session.json'));
    writeFileSync(join(site.domain, 'apikey'), key);
    const sim = await startRestSim({ domain: site.domain, pki, apiKey: key, primary: 'p.corp.example' });
    const keyFile = join(site.dir, 'apikey');
    writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
    const tmp = join(site.dir, 'tmp');
    mkdirSync(tmp);
    try {
      const plan = buildPlan(loadAnswersFile(site.answers).environment);
      const r = await cli(
        [
          ...['rollout', '--answers', site.answers, '--inventory', localInventory(site, plan), '--yes', '--json'],
          ...['--api-key-file', keyFile, '--api-url', sim.url],
        ],
        {
          cwd: site.dir,
          env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: tmp, ...ansibleEnv(site) },
        },
      );
      expect(r.code, r.stderr.slice(-3000)).toBe(0);
      const log = Object.values(site.hosts).flatMap(argvLog);
      // Not one NetBackup command, on any host, inherited a secret variable from the control node.
      expect(log.filter((l) => l.secretEnv.length).map((l) => `${l.cmd} ${l.secretEnv.join(',')}`)).toEqual([]);
      expect(log.filter((l) => l.apiKeyEnv).map((l) => `${l.cmd} ${l.args[0]}`)).toContain('nbcertcmd -createToken');
      expect(log.filter((l) => l.cmd === 'nbgetconfig' || l.cmd === 'nbsetconfig').every((l) => !l.apiKeyEnv)).toBe(
        true,
      );
      expect(r.stdout + r.stderr).not.toContain(key);
      // The secrets' file is gone with the run.
      expect(readdirSync(tmp).filter((f) => f.startsWith('nbsecure-vars-'))).toEqual([]);
    } finally {
      await sim.close();
    }
  }, 600_000);

  it("with no CA fingerprint given, prepare reads the primary's and each host's CA is checked by it", async () => {
    const site = withoutFingerprint(fleetSite(3));
    const r = await rollout(site, '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.hosts.every((h) => h.outcome === 'done')).toBe(true);
    for (const h of r.plan.hosts.filter((x) => x.role !== 'primary')) {
      // The fetch was the verified one, with the fingerprint in a file, never a person's "y".
      const fetch = argvLog(site.hosts[h.name]!).find(
        (l) => l.cmd === 'nbcertcmd' && l.args[0] === '-getCACertificate',
      );
      expect(fetch?.args, h.name).toContain('-file');
      expect(readState<{ ca?: string }>(join(site.hosts[h.name]!.root, 'sim', 'certs.json')).ca).toBe(FP);
    }
  }, 600_000);

  it('a primary showing two CA fingerprints (a CA migration) hands none on: the hosts wait for a person', async () => {
    const site = withoutFingerprint(fleetSite(1));
    writeFileSync(join(site.domain, 'ca.json'), JSON.stringify({ fingerprint: FP, others: [OTHER_FP] }));
    const r = await rollout(site, '--yes');
    expect(r.code).toBe(4);
    expect(r.stderr + r.stdout).toContain('shows 2 SHA-256 CA fingerprints');
    const media = r.report.hosts.find((h) => h.host === 'm1.corp.example')!;
    expect(media).toMatchObject({ outcome: 'waiting', failure: { step: 'm1.corp.example:ca.get' } });
    expect(
      Object.values(site.hosts)
        .flatMap(argvLog)
        .filter((l) => l.args[0] === '-getCACertificate'),
    ).toEqual([]);
  }, 600_000);

  it('a client whose certificate expired gets a reissue token in its wave, for it alone, then deleted', async () => {
    const site = fleetSite(3);
    const c2 = site.hosts['c2.corp.example']!;
    const expired = new Date(Date.now() - 86_400_000).toUTCString();
    writeFileSync(
      join(c2.root, 'sim', 'certs.json'),
      JSON.stringify({ ca: FP, host: { hostId: 'abc123', name: 'c2.corp.example', expires: expired } }),
    );
    const r = await rollout(site, '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.hosts.every((h) => h.outcome === 'done')).toBe(true);
    const made = argvLog(site.hosts['p.corp.example']!).filter((l) => l.args[0] === '-createToken');
    expect(
      made.filter((l) => l.args.includes('-reissue')).map((l) => l.args.slice(l.args.indexOf('-host'), -6)),
    ).toEqual([['-host', 'c2.corp.example']]);
    const renewed = readState<{ host: { hostId: string; expires: string } }>(join(c2.root, 'sim', 'certs.json')).host;
    // The same host ID (a reissue keeps the identity), a certificate valid again, fetched with -force.
    expect(renewed.hostId).toBe('abc123');
    expect(new Date(renewed.expires).getTime()).toBeGreaterThan(Date.now());
    expect(argvLog(c2).some((l) => l.args[0] === '-getCertificate' && l.args.includes('-force'))).toBe(true);
    expect(readState(join(site.domain, 'tokens.json'))).toEqual([]);
  }, 600_000);

  it('a wave whose token cannot be made stops the canary wave, leaves nothing, and the re-run ends it', async () => {
    const site = fleetSite(3);
    setFaults(site.hosts['p.corp.example']!, [{ match: 'nbcertcmd -createToken', times: 1, exit: 1 }]);
    const first = await rollout(site, '--yes');
    expect(first.code).not.toBe(0);
    // The first wave is the canary, w1.dmz.example alone: it needed the token, so nothing later ran.
    expect(first.report.hosts.find((h) => h.host === 'w1.dmz.example')).toMatchObject({ outcome: 'failed' });
    expect(first.report.hosts.find((h) => h.host === 'w1.dmz.example')!.failure!.message).toMatch(/token/);
    expect(first.report.hosts.find((h) => h.host === 'c2.corp.example')!.outcome).toBe('not run');
    expect(existsSync(join(site.domain, 'tokens.json')) ? readState(join(site.domain, 'tokens.json')) : []).toEqual([]);
    const again = await rollout(site, '--yes');
    expect(again.code, again.stderr).toBe(0);
    expect(again.report.hosts.every((h) => h.outcome === 'done')).toBe(true);
    expect(readState(join(site.domain, 'tokens.json'))).toEqual([]);
  }, 600_000);

  it('--check is a dry run: it says what would change, and nothing changes', async () => {
    const site = fleetSite(3);
    const r = await rollout(site, '--check');
    expect(r.code, r.stderr).toBe(0);
    expect(changes(site)).toEqual([]);
    expect(bpconf(site.hosts['w1.dmz.example']!)).toBe('');
    expect(r.stderr).toMatch(/w1\.dmz\.example: would change w1\.dmz\.example:config\.set/);
    expect(r.report.check).toBe(true);
  }, 600_000);

  it('a planned client missing from the inventory holds tighten back, named: insecure stays on', async () => {
    const site = fleetSite(3);
    const plan = buildPlan(loadAnswersFile(site.answers).environment);
    const missing = 'c2.corp.example';
    const inventory = localInventory(site, { hosts: plan.hosts.filter((h) => h.name !== missing) });
    const r = await cli(
      [
        ...['rollout', '--answers', site.answers, '--inventory', inventory, '--yes'],
        ...['--confirm', 'login,security.level,tighten.login,verify.login'],
      ],
      { cwd: site.dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...ansibleEnv(site) } },
    );
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(`${missing} (not in the inventory)`);
    expect(readState<{ insecureCommunication: string }>(join(site.domain, 'security.json')).insecureCommunication).toBe(
      'on',
    );
  }, 600_000);

  it('one failing client: its wave goes on, the report names it, tighten waits, and the re-run completes', async () => {
    const site = fleetSite();
    setFaults(site.hosts['c5.corp.example']!, [
      { match: 'nbcertcmd -getCertificate', times: 1, exit: 1, message: 'EXIT STATUS 5954' },
    ]);
    const waves = ['--waves', '1,4,4', '--max-fail-percentage', '34'];
    const first = await rollout(site, '--yes', ...waves);
    expect(first.code).toBe(1);
    const failed = first.report.hosts.find((h) => h.host === 'c5.corp.example')!;
    expect(failed).toMatchObject({
      outcome: 'failed',
      failure: { step: 'c5.corp.example:cert.get', status: { code: 5954 } },
    });
    expect(first.report.hosts.filter((h) => h.outcome === 'failed').map((h) => h.host)).toEqual(['c5.corp.example']);
    // The rest of its wave, and the next one, went on.
    expect(first.report.hosts.find((h) => h.host === 'c9.corp.example')!.outcome).toBe('done');
    // Tightening waited: insecure communication is still on.
    expect(readState<{ insecureCommunication: string }>(join(site.domain, 'security.json')).insecureCommunication).toBe(
      'on',
    );

    const again = await rollout(site, '--yes', ...waves);
    expect(again.code, again.stderr).toBe(0);
    expect(again.report.hosts.every((h) => h.outcome === 'done')).toBe(true);
    expect(readState(join(site.domain, 'security.json'))).toMatchObject({ effectiveInsecure: 'off' });
  }, 600_000);

  it('a client that fails with its wave token counts as unfinished: its wave goes on, tighten waits', async () => {
    const site = fleetSite();
    // w4 needs a token (DMZ): it waits for its wave's token, then fails with it.
    setFaults(site.hosts['w4.dmz.example']!, [
      { match: 'nbcertcmd -getCertificate', times: 1, exit: 1, message: 'EXIT STATUS 5954' },
    ]);
    const r = await rollout(site, '--yes', '--waves', '1,4,4', '--max-fail-percentage', '34');
    expect(r.code).toBe(1);
    expect(r.report.hosts.find((h) => h.host === 'w4.dmz.example')).toMatchObject({
      outcome: 'failed',
      failure: { step: 'w4.dmz.example:cert.get', status: { code: 5954 } },
    });
    expect(r.report.hosts.find((h) => h.host === 'c9.corp.example')!.outcome).toBe('done');
    expect(readState<{ insecureCommunication: string }>(join(site.domain, 'security.json')).insecureCommunication).toBe(
      'on',
    );
  }, 600_000);

  it('refuses without a terminal and without --yes, and says when ansible-playbook is missing', async () => {
    const site = fleetSite(1);
    const noConsent = await cli(['rollout', '--answers', site.answers]);
    expect(noConsent.code).toBe(2);
    expect(noConsent.stderr).toContain('--yes');
    // A PATH without ansible-playbook on it.
    const noAnsible = await cli(['rollout', '--answers', site.answers, '--check'], { env: { PATH: site.domain } });
    expect(noAnsible.code).toBe(2);
    expect(noAnsible.stderr).toContain('ansible-playbook, which is not installed here');
  });
});

describe('the role on a site of Windows and Linux hosts', () => {
  it("runs a Windows host's steps with the Windows module and a Linux host's with the Python one", async () => {
    // Windows cannot run here: which module each client's steps went to shows in the run's events, though
    // this control node cannot run the PowerShell one.
    const site = makeSite();
    const clients = ['win1.corp.example', 'lnx1.corp.example'];
    const answers = join(site.dir, 'mixed.json');
    writeFileSync(
      answers,
      JSON.stringify({ ...base, clients: [{ name: clients[0], os: 'windows' }, { name: clients[1] }] }),
    );
    const out = join(site.dir, 'mixed');
    const plan = await cli(['plan', '--answers', answers, '--out', out, '--format', 'ansible']);
    expect(plan.code, plan.stderr).toBe(0);
    // One client at a time: the Windows one fails here, which would stop the other's wave.
    const ran: Record<string, string[]> = {};
    for (const client of clients) {
      const r = await ansiblePlaybook(join(out, 'ansible'), site, ['--check', '--tags', 'clients', '--limit', client], {
        ANSIBLE_STDOUT_CALLBACK: 'nbsecure_events',
      });
      ran[client] = r.output
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { event: string; task?: string; steps_task?: boolean })
        .filter((e) => e.event === 'host' && e.steps_task)
        .map((e) => e.task!);
    }
    expect(ran).toEqual({
      [clients[0]!]: ['nbsecure_steps : Run the steps (Windows)'],
      [clients[1]!]: ['nbsecure_steps : Run the steps'],
    });
  }, 120_000);
});

lint.describe('the generated playbook', () => {
  lint.it(
    'passes ansible-playbook --syntax-check and ansible-lint (production profile)',
    async () => {
      // Without a fingerprint in the answers the playbook has every task (the primary's is read and handed on).
      const site = withoutFingerprint(fleetSite(3));
      const dir = await renderPlaybook(site);
      const { spawnSync } = await import('node:child_process');
      const syntax = spawnSync('ansible-playbook', ['--syntax-check', '-i', 'inventory.yml', 'site.yml'], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(syntax.status, syntax.stdout + syntax.stderr).toBe(0);
      const linted = spawnSync('ansible-lint', ['--offline', '--profile', 'production', 'site.yml'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, ANSIBLE_LINT_NODEPS: '1' },
      });
      expect(linted.status, linted.stdout + linted.stderr).toBe(0);
    },
    120_000,
  );
});
