import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { argvLog, bpconf, changingCalls, readState } from '../netbackup-sim/layout.js';
import { cli } from '../helpers/cli.js';
import { signFile, signingKey } from '../helpers/signing.js';
import { applyArgs, createToken, makeSite, type Site } from '../helpers/site.js';

function apply(site: Site, host: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
  return cli(
    ['apply', '--answers', site.answers, '--host', host, '--this-host', host, '--state-dir', site.stateDir, ...extra],
    {
      env,
      cwd: site.dir,
    },
  );
}

describe('apply on a client', () => {
  it('writes the configuration, fetches the CA by fingerprint and the host certificate, and verifies', async () => {
    const site = makeSite();
    const r = await apply(site, 'c1.corp.example', ['--yes']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(bpconf(site.hosts['c1.corp.example']!)).toBe(
      'SERVER = p.corp.example\nSERVER = m1.corp.example\nCLIENT_NAME = c1.corp.example\n',
    );
    const certs = readState<{ ca?: string; host?: object }>(
      join(site.hosts['c1.corp.example']!.root, 'sim', 'certs.json'),
    );
    expect(certs.ca).toBeDefined();
    expect(certs.host).toBeDefined();
    expect(r.stdout).toContain('Done: 3 steps changed c1.corp.example');
    const calls = argvLog(site.hosts['c1.corp.example']!).map((l) => [l.cmd, ...l.args].join(' '));
    expect(calls).toContain('nbcertcmd -hostSelfCheck');
  });

  it("keeps unrelated keys and the host's other SERVER entries, after the planned ones", async () => {
    const site = makeSite({
      bpconf: { 'c1.corp.example': 'SERVER = old-media.corp.example\nVERBOSE = 5\nCLIENT_NAME = c1.corp.example\n' },
    });
    expect((await apply(site, 'c1.corp.example', ['--yes'])).code).toBe(0);
    const conf = bpconf(site.hosts['c1.corp.example']!);
    expect(conf).toContain('VERBOSE = 5');
    expect(conf.match(/^SERVER = .*$/gm)).toEqual([
      'SERVER = p.corp.example',
      'SERVER = m1.corp.example',
      'SERVER = old-media.corp.example',
    ]);
    const saved = readFileSync(join(site.stateDir, 'c1.corp.example', 'config-before.txt'), 'utf8');
    expect(saved).toContain('SERVER = old-media.corp.example');
    // CLIENT_NAME already matched, so only SERVER was written.
    const set = argvLog(site.hosts['c1.corp.example']!).filter((l) => l.cmd === 'nbsetconfig');
    expect(set).toHaveLength(1);
  });

  it('changes nothing the second time and says so', async () => {
    const site = makeSite();
    expect((await apply(site, 'c1.corp.example', ['--yes'])).code).toBe(0);
    const before = changingCalls(site.hosts['c1.corp.example']!).length;
    const second = await apply(site, 'c1.corp.example', ['--yes']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('No changes: c1.corp.example already matches the plan.');
    expect(changingCalls(site.hosts['c1.corp.example']!).length).toBe(before);
  });

  it('explains a NetBackup status when a step fails, with the command to resume', async () => {
    const site = makeSite({ clients: [{ name: 'c1.corp.example', knownToPrimary: false }] });
    const r = await apply(site, 'c1.corp.example', ['--yes']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('NetBackup status 5955');
    expect(r.stdout).toMatch(
      /continue with: nbsecure apply --answers \S+ --host c1\.corp\.example --this-host c1\.corp\.example --state-dir \S+ --yes --resume/,
    );
  });
});

describe('apply on a DMZ client with a token', () => {
  const dmzSite = () =>
    makeSite({ clients: [{ name: 'w1.dmz.example', zone: 'dmz', tunnelVia: ['m1.corp.example'] }] });

  it(
    'passes the token only through a 0600 file that is gone afterwards, never in argv, ' + 'output or journal',
    async () => {
      const site = dmzSite();
      const token = createToken(site);
      const r = await apply(site, 'w1.dmz.example', ['--yes', '--token-file', site.tokenFile(token)]);
      expect(r.code, r.stdout).toBe(0);
      const log = argvLog(site.hosts['w1.dmz.example']!);
      const get = log.find((l) => l.args[0] === '-getCertificate')!;
      expect(get.args).toEqual([
        '-getCertificate',
        '-file',
        expect.stringMatching(/nbsecure-.*token$/),
        '-server',
        'p.corp.example',
      ]);
      expect(existsSync(get.args[2]!)).toBe(false);
      expect(JSON.stringify(log)).not.toContain(token);
      expect(r.stdout + r.stderr).not.toContain(token);
      expect(readFileSync(join(site.stateDir, 'w1.dmz.example', 'journal.jsonl'), 'utf8')).not.toContain(token);
      expect(bpconf(site.hosts['w1.dmz.example']!)).toContain('MEDIA_SERVER = m1.corp.example');
    },
  );

  it('takes the token from NBSECURE_TOKEN too', async () => {
    const site = dmzSite();
    const token = createToken(site);
    const r = await apply(site, 'w1.dmz.example', ['--yes'], { NBSECURE_TOKEN: token });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).not.toContain(token);
  });

  it('refuses a token file others can read, and a token of the wrong shape, with exit 2', async () => {
    const site = dmzSite();
    const open = await apply(site, 'w1.dmz.example', [
      '--yes',
      '--token-file',
      site.tokenFile('ABCDEFGHIJKLMNOP', 0o644),
    ]);
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('is readable by group or others (mode 0644); run chmod 600');
    const bad = await apply(site, 'w1.dmz.example', ['--yes'], { NBSECURE_TOKEN: 'abc' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not 16 upper-case letters');
  });

  it('fails without a token and without a terminal, saying how to give one', async () => {
    const site = dmzSite();
    const r = await apply(site, 'w1.dmz.example', ['--yes']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'it needs the authorization token: pass --token-file FILE (mode 0600) or set NBSECURE_TOKEN',
    );
  });
});

describe('apply on a media server and on the primary', () => {
  it("deploys a media server's certificate", async () => {
    const site = makeSite();
    const r = await apply(site, 'm1.corp.example', ['--yes']);
    expect(r.code, r.stdout).toBe(0);
    expect(bpconf(site.hosts['m1.corp.example']!)).toBe(
      'SERVER = p.corp.example\nSERVER = m1.corp.example\nCLIENT_NAME = m1.corp.example\n',
    );
  });

  it('stops at the manual login with instructions and the command to continue (exit 4: waiting)', async () => {
    const site = makeSite();
    const r = await apply(site, 'p.corp.example', ['--yes']);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('bpnbat -login -logintype WEB');
    expect(r.stdout).toMatch(/--resume --confirm p\.corp\.example:login/);
  });

  it('prepares (token not printed), waits for the fleet, then tightens: insecure off, one restart, DTE', async () => {
    const site = makeSite({ clients: [{ name: 'w1.dmz.example', zone: 'dmz' }] });
    writeFileSync(join(site.domain, 'session.json'), '{}'); // the administrator ran bpnbat -login
    const confirm = ['--confirm', 'login,security.level,tighten.login'];
    const prepare = await apply(site, 'p.corp.example', ['--yes', ...confirm]);
    expect(prepare.code, prepare.stdout).toBe(4);
    expect(prepare.stdout).toContain('Waiting for the fleet: the tighten stage of p.corp.example comes after');
    expect(prepare.stdout).toMatch(/Then run here: nbsecure apply .* --stage tighten, and last: .* --stage verify/);
    // Nothing of the tighten stage ran before the fleet was ready.
    expect(
      readState<{ insecureCommunication: string; restarts: number }>(join(site.domain, 'security.json')),
    ).toMatchObject({ insecureCommunication: 'on', restarts: 0 });
    const r = await apply(site, 'p.corp.example', ['--yes', ...confirm, '--stage', 'tighten']);
    expect(r.code, r.stdout).toBe(0);
    const tokens = readState<{ value: string; maxUses: number }[]>(join(site.domain, 'tokens.json'));
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.maxUses).toBe(1);
    expect(prepare.stdout).not.toContain(tokens[0]!.value);
    expect(prepare.stdout).toContain('[REDACTED]');
    expect(readFileSync(join(site.stateDir, 'p.corp.example', 'token'), 'utf8').trim()).toBe(tokens[0]!.value);
    const sec = readState<{
      insecureCommunication: string;
      dteGlobalMode: number;
      restarts: number;
      effectiveInsecure: string;
    }>(join(site.domain, 'security.json'));
    expect(sec).toMatchObject({
      insecureCommunication: 'off',
      effectiveInsecure: 'off',
      dteGlobalMode: 1,
      restarts: 1,
    });
    expect(r.stdout).toContain('WARNING: interrupts running backup and restore jobs');

    // Applying both stages again finds everything done: no new token, no restart.
    const again = await apply(site, 'p.corp.example', ['--yes', ...confirm]);
    expect(again.code).toBe(4);
    expect(again.stdout).toContain('No changes');
    const tightenAgain = await apply(site, 'p.corp.example', ['--yes', ...confirm, '--stage', 'tighten']);
    expect(tightenAgain.code).toBe(0);
    expect(tightenAgain.stdout).toContain('No changes');
    expect(readState<{ restarts: number }>(join(site.domain, 'security.json')).restarts).toBe(1);
    expect(readState<object[]>(join(site.domain, 'tokens.json'))).toHaveLength(1);
  });
});

describe('dry run and consent', () => {
  it('prints every step and runs nothing that changes the host', async () => {
    const site = makeSite({ bpconf: { 'c1.corp.example': 'SERVER = p.corp.example\n' } });
    const r = await apply(site, 'c1.corp.example', ['--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `run:   ${site.hosts['c1.corp.example']!.root}` +
        `/netbackup/bin/nbcertcmd -getCACertificate -file <ca fingerprint file> -server p.corp.example`,
    );
    expect(r.stdout).toContain('note:  writes SERVER, CLIENT_NAME; other keys on the host are kept');
    expect(r.stdout).toContain('stdin: SERVER = p.corp.example');
    expect(r.stdout).toContain('Dry run: nothing was changed.');
    expect(changingCalls(site.hosts['c1.corp.example']!)).toEqual([]);
    expect(bpconf(site.hosts['c1.corp.example']!)).toBe('SERVER = p.corp.example\n');
  });

  it('refuses to run without --yes when there is no terminal to ask', async () => {
    const site = makeSite();
    const r = await apply(site, 'c1.corp.example');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pass --yes to consent');
    expect(changingCalls(site.hosts['c1.corp.example']!)).toEqual([]);
  });
});

describe('saved plans', () => {
  async function savedPlan(site: Site) {
    const file = join(site.dir, 'plan.json');
    const r = await cli(['plan', '--answers', site.answers, '--format', 'json', '--json']);
    writeFileSync(file, r.stdout);
    return file;
  }

  it('runs an untouched, signed plan.json', async () => {
    const site = makeSite();
    const plan = await savedPlan(site);
    const { key, allowedSigners } = signingKey(site.dir);
    signFile(plan, key);
    const r = await cli(applyArgs(site, 'c1.corp.example', ['--allowed-signers', allowedSigners], plan));
    expect(r.code, r.stdout).toBe(0);
  });

  it('refuses a tampered plan with exit 3 and runs nothing, even when a trusted key signed it so', async () => {
    const site = makeSite();
    const plan = await savedPlan(site);
    const { key, allowedSigners } = signingKey(site.dir);
    writeFileSync(plan, readFileSync(plan, 'utf8').replace('SERVER = m1.corp.example', 'SERVER = evil.example'));
    signFile(plan, key);
    const r = await cli(applyArgs(site, 'c1.corp.example', ['--allowed-signers', allowedSigners], plan));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('was changed after nbsecure wrote it');
    expect(changingCalls(site.hosts['c1.corp.example']!)).toEqual([]);
  });

  it('refuses a plan made from other answers (stale) with exit 3', async () => {
    const site = makeSite();
    const plan = await savedPlan(site);
    const answers = JSON.parse(readFileSync(site.answers, 'utf8'));
    answers.security = { dataInTransitEncryption: 'enforced' };
    writeFileSync(site.answers, JSON.stringify(answers));
    const r = await cli([
      'apply',
      '--plan',
      plan,
      '--answers',
      site.answers,
      '--host',
      'c1.corp.example',
      '--this-host',
      'c1.corp.example',
      '--yes',
      '--state-dir',
      site.stateDir,
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('the plan is stale');
  });
});
