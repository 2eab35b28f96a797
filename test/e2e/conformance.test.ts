import { type ChildProcess } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bpconf, changingCalls, readState, setFaults, simPid } from '../netbackup-sim/layout.js';
import { bash, EXECUTORS } from '../helpers/executors.js';
import { createToken, makeSite, type Site } from '../helpers/site.js';
import { line, stepCalls } from '../helpers/step-calls.js';
import { loadAnswersFile } from '../../src/environment/load.js';
import { buildPlan } from '../../src/plan/build.js';

/**
 * The Step contract's scenarios, run against every executor that can run here (test/helpers/executors.ts): the
 * same assertions hold for all; a behaviour one of them lacks fails here. The parser vectors and fault kinds
 * are data, in test/conformance/table.yaml (conformance-table.test.ts).
 */
const changes = (site: Site, host: string) => changingCalls(site.hosts[host]!);

const PRIMARY = 'p.corp.example';
const DMZ = 'w1.dmz.example';
function dmzSite(bpconfOf: Record<string, string> = {}) {
  const site = makeSite({ clients: [{ name: DMZ, zone: 'dmz', tunnelVia: ['m1.corp.example'] }], bpconf: bpconfOf });
  writeFileSync(join(site.domain, 'session.json'), '{}');
  return site;
}

/** An external-CA site whose certificate files exist (the health check reads them), in `folder` of the site. */
function ecaSite(passphraseFile?: string, folder = 'pki') {
  const site = makeSite({
    certificates: {
      authority: 'eca',
      eca: { certPath: '', privateKeyPath: '', trustStorePath: '', ...(passphraseFile ? { passphraseFile } : {}) },
    },
  });
  const dir = join(site.dir, folder);
  mkdirSync(dir);
  const answers = JSON.parse(readFileSync(site.answers, 'utf8'));
  for (const k of ['certPath', 'privateKeyPath', 'trustStorePath']) {
    answers.certificates.eca[k] = join(dir, `${k}.pem`);
    writeFileSync(answers.certificates.eca[k], '-----BEGIN CERTIFICATE-----\n');
  }
  writeFileSync(site.answers, JSON.stringify(answers));
  return site;
}

describe.each(EXECUTORS)('the Step contract: $name', (ex) => {
  it.each([
    ['after bp.kill_all', 'bp.kill_all'],
    ['after insecure communication went off', 'nbseccmd -setsecurityconfig -insecurecommunication off'],
  ])(
    'killed right %s, the restart is still owed by the next run, of an edited plan too',
    async (_when, match) => {
      const site = dmzSite();
      const primary = site.hosts[PRIMARY]!;
      setFaults(primary, [{ match, hangAfter: true, times: 1 }]);
      const tighten = { stage: 'tighten', manualDone: ['tighten.login', 'security.level'] };
      let child: ChildProcess | undefined;
      const killed = ex.run(site, PRIMARY, { ...tighten, onChild: (c) => (child = c) });
      const pid = await simPid(primary, 'hanging', { timeoutMs: 30_000 });
      // A crash of the whole run (kill -9 of its process group), then of the command it left behind.
      process.kill(-child!.pid!, 'SIGKILL');
      await killed;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone with its group */
      }
      const answers = JSON.parse(readFileSync(site.answers, 'utf8'));
      answers.clients.push({ name: 'c2.corp.example', installPath: '/opt/nb-c2' });
      writeFileSync(site.answers, JSON.stringify(answers));
      const again = await ex.run(site, PRIMARY, tighten);
      expect(again.code, again.output).toBe(0);
      expect(
        readState<{ servicesUp: boolean; restarts: number; effectiveInsecure: string }>(
          join(site.domain, 'security.json'),
        ),
      ).toMatchObject({ servicesUp: true, restarts: 1, effectiveInsecure: 'off' });
    },
    120_000,
  );

  it('a path holding backslashes arrives byte for byte: no escape becomes a line or another character', async () => {
    // A folder name that awk -v would read as a line break, a tab, octal and hex escapes and a backslash.
    const site = ecaSite(undefined, 'pki\\nSERVER = evil.example\\t\\101\\x41\\\\');
    const r = await ex.run(site, 'c1.corp.example');
    expect(r.code, r.output).toBe(0);
    const conf = bpconf(site.hosts['c1.corp.example']!);
    const certPath = JSON.parse(readFileSync(site.answers, 'utf8')).certificates.eca.certPath;
    expect(certPath).toContain('\\nSERVER');
    expect(conf).toContain(`ECA_CERT_PATH = ${certPath}\n`);
    expect(conf).not.toMatch(/^SERVER = evil/m);
  });

  it('a secret a command echoes back is never shown', async () => {
    const site = ecaSite('/etc/pki/host.key.pass');
    const passphrase = 'correct horse battery staple';
    // The health check fails and prints what it was given, the passphrase among it.
    setFaults(site.hosts['c1.corp.example']!, [
      { match: 'nbcertcmd -ecaHealthCheck', exit: 1, times: 1, message: `cannot open key with ${passphrase}` },
    ]);
    const r = await ex.run(site, 'c1.corp.example', { passphrase });
    expect(r.code, r.output).toBe(1);
    expect(r.output).toContain('cannot open key with');
    expect(r.output).not.toContain(passphrase);
  });
});

const MANUAL_DONE = ['login', 'security.level', 'tighten.login', 'verify.login'];

describe.each(EXECUTORS)('a failure at each step, then a re-run: $name', (ex) => {
  const plan = buildPlan(loadAnswersFile(dmzSite().answers).environment);
  for (const hostName of [DMZ, PRIMARY]) {
    const host = plan.hosts.find((h) => h.name === hostName)!;
    // Steps whose need is read from the host each time (is the captured token at hand?) are judged afresh.
    const afresh = host.steps.filter((s) => s.skipIfCaptured && s.command).map((s) => line(s.command!));
    const perWave = new Set(host.steps.filter((s) => s.perWave).map((s) => s.id));
    it.each(stepCalls(host).filter((c) => !(ex.tokensPerWave && perWave.has(c.id))))(
      `${hostName}: failing $id exits 1, and the re-run finishes without changing again what was done`,
      async ({ id, stage, match, exact, nth }) => {
        const site = dmzSite();
        const token = createToken(site);
        setFaults(site.hosts[hostName]!, [{ match, exact, nth, times: 1, exit: 1 }]);
        const o = { stage, token, manualDone: MANUAL_DONE };
        const first = await ex.run(site, hostName, o);
        expect(first.code, first.output).toBe(1);
        expect(first.output).toContain(id);
        const second = await ex.run(site, hostName, o);
        expect(second.code, second.output).toBe(0);
        // Every change happened once, but the failed step's own command, which ran again.
        const done = changes(site, hostName);
        const again = done.filter((l, i) => done.indexOf(l) !== i && !afresh.includes(l));
        expect(again.filter((l) => !l.startsWith(match))).toEqual([]);
      },
    );
  }
});

describe('the bash script in a folder others can write', () => {
  it.each(['nbsecure-token', `nbsecure-${PRIMARY}.state`])(
    'refuses a link planted where its %s file goes, and writes nothing through it',
    async (name) => {
      const site = dmzSite();
      const victim = join(site.dir, 'victim');
      writeFileSync(victim, 'another user’s file\n');
      symlinkSync(victim, join(site.dir, name));
      const r = await bash.run(site, PRIMARY, { stage: 'prepare', manualDone: ['login'] });
      expect(r.code, r.output).toBe(2);
      expect(r.output).toContain(`${name} is a symbolic link`);
      expect(readFileSync(victim, 'utf8')).toBe('another user’s file\n');
      expect(changes(site, PRIMARY)).toEqual([]);
    },
  );

  it('writes the captured token as a file of its own, readable by its owner alone', async () => {
    const site = dmzSite();
    const r = await bash.run(site, PRIMARY, { stage: 'prepare', manualDone: ['login'] });
    expect(r.code, r.output).toBe(0);
    const token = join(site.dir, 'nbsecure-token');
    expect(lstatSync(token).isSymbolicLink()).toBe(false);
    expect(statSync(token).mode & 0o777).toBe(0o600);
  });
});
