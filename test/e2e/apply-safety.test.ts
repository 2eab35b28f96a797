import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadAnswersFile } from '../../src/environment/load.js';
import { buildPlan } from '../../src/plan/build.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { argvLog, bpconf, readState, setFaults, simPid } from '../netbackup-sim/layout.js';
import { planDigest } from '../../src/plan/digest.js';
import { BIN, nbsecure } from '../helpers/bin.js';
import { cli } from '../helpers/cli.js';
import { applyArgs, createToken, makeSite, type Site } from '../helpers/site.js';
import { FP } from '../helpers/env.js';
import { signFile, signingKey } from '../helpers/signing.js';

const PRIMARY = 'p.corp.example';
const CONFIRM = ['--confirm', 'login,security.level,tighten.login,verify.login'];
const TIGHTEN = [...CONFIRM, '--stage', 'tighten'];

/** nbsecure apply as its own process, so that it can be killed like a real one. */
function applyProcess(site: Site, host: string, extra: string[] = []) {
  const child = spawn(process.execPath, [BIN, ...applyArgs(site, host, extra)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

/** Waits for the simulator to say a command is hanging (bounded: 10 s). */
const hanging = (site: Site, host: string) => simPid(site.hosts[host]!, 'hanging');

describe('a change killed before it is journaled', () => {
  it('still owes the restart: --resume restarts the primary although the setting already reads off', async () => {
    const site = makeSite();
    createToken(site);
    writeFileSync(join(site.domain, 'session.json'), '{}');
    const primary = site.hosts[PRIMARY]!;
    // nbseccmd turns insecure communication off, then hangs: nbsecure is killed there, before its journal says ok.
    setFaults(primary, [
      { match: 'nbseccmd -setsecurityconfig -insecurecommunication off', hangAfter: true, times: 1 },
    ]);
    const run = applyProcess(site, PRIMARY, TIGHTEN);
    const pid = await hanging(site, PRIMARY);
    run.child.kill('SIGKILL');
    await run.exited;
    process.kill(pid, 'SIGKILL');
    expect(readState<{ insecureCommunication: string }>(join(site.domain, 'security.json')).insecureCommunication).toBe(
      'off',
    );

    const resumed = await cli(applyArgs(site, PRIMARY, [...TIGHTEN, '--resume']));
    expect(resumed.code, resumed.stdout).toBe(0);
    const sec = readState<{ restarts: number; effectiveInsecure: string }>(join(site.domain, 'security.json'));
    expect(sec.restarts).toBe(1);
    expect(sec.effectiveInsecure).toBe('off');
  }, 60_000);
});

describe('two applies at once on one host', () => {
  it('lets one run and refuses the other, naming the process that holds the host', async () => {
    const site = makeSite({ clients: [{ name: 'w1.dmz.example', zone: 'dmz', tunnelVia: ['m1.corp.example'] }] });
    const token = createToken(site);
    const host = site.hosts['w1.dmz.example']!;
    setFaults(host, [{ match: 'nbcertcmd -getCACertificate', hang: true, times: 1 }]);
    const first = applyProcess(site, 'w1.dmz.example', ['--token-file', site.tokenFile(token)]);
    await hanging(site, 'w1.dmz.example');
    const second = await cli(applyArgs(site, 'w1.dmz.example', ['--token-file', site.tokenFile(token)]));
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`another nbsecure apply holds .*process ${first.child.pid}`));
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(130);
    // Once the first is gone, the host is free again, and the token was used by one run only.
    const third = await cli(applyArgs(site, 'w1.dmz.example', ['--token-file', site.tokenFile(token), '--resume']));
    expect(third.code, third.stdout).toBe(0);
    expect(argvLog(host).filter((l) => l.args[0] === '-getCertificate')).toHaveLength(1);
  }, 60_000);
});

describe('a journal that lies', () => {
  it('replaced by a FIFO: --resume refuses at once with exit 2, naming it, never waiting for a writer', async () => {
    const site = makeSite();
    const dir = join(site.stateDir, 'c1.corp.example');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    expect(spawnSync('mkfifo', [join(dir, 'journal.jsonl')]).status).toBe(0);
    const r = await cli(applyArgs(site, 'c1.corp.example', ['--resume']));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'journal.jsonl')} is not a regular file`);
  });

  it('a dry run makes no journal key; the first real run does, and marks its lines with it', async () => {
    const site = makeSite();
    const key = join(site.stateDir, 'c1.corp.example', 'journal.key');
    expect((await cli(applyArgs(site, 'c1.corp.example', ['--dry-run']))).code).toBe(0);
    expect(existsSync(key)).toBe(false);
    expect((await cli(applyArgs(site, 'c1.corp.example'))).code).toBe(0);
    expect(readFileSync(key, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(
      site.journal('c1.corp.example').every((e) => /^[0-9a-f]{64}$/.test(String((e as { mac?: string }).mac))),
    ).toBe(true);
  });

  it('forged to say every step is done: --resume deploys the certificate all the same', async () => {
    const site = makeSite();
    const plan = buildPlan(loadAnswersFile(site.answers).environment);
    const host = plan.hosts.find((h) => h.name === 'c1.corp.example')!;
    const dir = join(site.stateDir, host.name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const forged = host.steps.map((st) =>
      JSON.stringify({ time: 'then', plan: plan.digest, host: host.name, step: st.id, event: 'ok', changed: true }),
    );
    writeFileSync(join(dir, 'journal.jsonl'), `${forged.join('\n')}\n`, { mode: 0o600 });
    const r = await cli(applyArgs(site, host.name, ['--resume']));
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).not.toContain('done in an earlier run');
    expect(readState<{ host?: object }>(join(site.hosts[host.name]!.root, 'sim', 'certs.json')).host).toBeDefined();
  });
});

describe('an edited plan.json', () => {
  // The edits are signed by a key the allowed signers trust (a careless or compromised signer): the plan's
  // content is still checked behind its signature.
  async function savedPlan(site: Site) {
    const file = join(site.dir, 'plan.json');
    const r = await cli(['plan', '--answers', site.answers, '--format', 'json', '--json']);
    writeFileSync(file, r.stdout);
    const signer = signingKey(site.dir);
    return { file, plan: JSON.parse(r.stdout), signed: ['--allowed-signers', signer.allowedSigners], ...signer };
  }
  const reseal = (plan: { digest: string }) => ({ ...plan, digest: planDigest(plan) });
  /** Writes the edited plan with its digest recomputed, and signs it. */
  const writeSigned = (file: string, plan: { digest: string }, key: string) => {
    writeFileSync(file, JSON.stringify(reseal(plan), null, 2));
    signFile(file, key);
  };

  it.each([
    [
      'a shell in place of nbcertcmd',
      (s: { command: { file: string; args: string[] } }) => (s.command = { file: '/bin/sh', args: ['-c', 'id'] }),
    ],
    ['a flag nbsecure never passes', (s: { command: { args: string[] } }) => s.command.args.push('-deleteAll')],
    [
      'the token file handed to another flag',
      (s: { command: { args: string[] } }) => (s.command.args = ['-ping', '-server', '{file:token}']),
    ],
    [
      'a done-check pattern that backtracks for ever',
      (s: { done: { outputMatches?: string } }) => (s.done.outputMatches = '^(\\w+\\s?)*$'),
    ],
  ])('is refused with exit 3 when it names %s, although its digest was recomputed', async (_what, edit) => {
    const site = makeSite({ clients: [{ name: 'w1.dmz.example', zone: 'dmz', tunnelVia: ['m1.corp.example'] }] });
    const token = createToken(site);
    const { file, plan, key, signed } = await savedPlan(site);
    const step = plan.hosts
      .find((h: { name: string }) => h.name === 'w1.dmz.example')
      .steps.find((s: { id: string }) => s.id.endsWith(':cert.get'));
    edit(step);
    writeSigned(file, plan, key);
    const r = await cli([
      'apply',
      ...signed,
      '--plan',
      file,
      '--host',
      'w1.dmz.example',
      '--this-host',
      'w1.dmz.example',
      '--state-dir',
      site.stateDir,
      '--yes',
      '--token-file',
      site.tokenFile(token),
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('asks for something nbsecure never plans');
    expect(argvLog(site.hosts['w1.dmz.example']!)).toEqual([]);
  });

  it('is refused with exit 3 when the form run with the fingerprint read on the primary is edited', async () => {
    const site = makeSite();
    const answers = JSON.parse(readFileSync(site.answers, 'utf8'));
    delete answers.certificates.caFingerprint;
    writeFileSync(site.answers, JSON.stringify(answers));
    const { file, plan, key, signed } = await savedPlan(site);
    const step = plan.hosts
      .find((h: { name: string }) => h.name === 'c1.corp.example')
      .steps.find((s: { id: string }) => s.id.endsWith(':ca.get'));
    step.withFact.command = { file: '/bin/sh', argv: ['-c', 'id'], args: ['-c', 'id'] };
    writeSigned(file, plan, key);
    const r = await cli(['apply', ...signed, '--plan', file, '--host', PRIMARY, '--this-host', PRIMARY, '--dry-run']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('its form with the fingerprint read on the primary');
  });

  it('is refused with exit 3 when --answers gives another plan, even with the same answers digest', async () => {
    const site = makeSite();
    const { file, plan } = await savedPlan(site);
    plan.hosts[0].steps[0].title = 'something else';
    writeFileSync(file, JSON.stringify(reseal(plan), null, 2));
    const r = await cli([
      'apply',
      '--plan',
      file,
      '--answers',
      site.answers,
      '--host',
      PRIMARY,
      '--this-host',
      PRIMARY,
      '--dry-run',
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`the plan is not the one ${site.answers} gives`);
  });

  it('with a valid digest and a broken structure, gets a message and exit 3, never an internal error', async () => {
    const site = makeSite();
    const { file, plan, key, signed } = await savedPlan(site);
    plan.hosts[1].steps = [null, 42];
    writeSigned(file, plan, key);
    const r = await cli(['apply', ...signed, '--plan', file, '--host', PRIMARY, '--this-host', PRIMARY, '--dry-run']);
    expect(r.code).toBe(3);
    expect(r.stderr).not.toContain('internal error');
  });
});

describe('secrets in the environment', () => {
  it('reach no NetBackup command that apply runs', () => {
    const site = makeSite({ clients: [{ name: 'w1.dmz.example', zone: 'dmz', tunnelVia: ['m1.corp.example'] }] });
    const token = createToken(site);
    const r = nbsecure(applyArgs(site, 'w1.dmz.example'), { env: { NBSECURE_TOKEN: token } });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const log = argvLog(site.hosts['w1.dmz.example']!);
    expect(log.length).toBeGreaterThan(0);
    expect(log.flatMap((l) => l.secretEnv)).toEqual([]);
  });
});

describe("a host's CLIENT_NAME", () => {
  const other = { bpconf: { 'c1.corp.example': 'SERVER = p.corp.example\nCLIENT_NAME = c1-old\nVERBOSE = 5\n' } };

  it('is never overwritten when the installed host has another: apply stops and says why', async () => {
    const site = makeSite(other);
    const r = await cli(applyArgs(site, 'c1.corp.example'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('CLIENT_NAME is c1-old on this host and the plan says c1.corp.example');
    expect(r.stdout).toContain('replaceClientName: true');
    expect(bpconf(site.hosts['c1.corp.example']!)).toBe(other.bpconf['c1.corp.example']);
  });

  it('is never overwritten by the generated bash script either', async () => {
    const site = makeSite(other);
    const out = join(site.dir, 'out');
    await cli(['plan', '--answers', site.answers, '--out', out, '--format', 'sh']);
    const run = spawnSync('bash', [join(out, 'c1.corp.example.sh')], { encoding: 'utf8', cwd: site.dir });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('CLIENT_NAME is c1-old on this host and the plan says c1.corp.example');
    expect(bpconf(site.hosts['c1.corp.example']!)).toBe(other.bpconf['c1.corp.example']);
  });

  it('is replaced when the answers say replaceClientName: true', async () => {
    const site = makeSite(other);
    const answers = JSON.parse(readFileSync(site.answers, 'utf8'));
    answers.clients[0].replaceClientName = true;
    writeFileSync(site.answers, JSON.stringify(answers));
    const r = await cli(applyArgs(site, 'c1.corp.example'));
    expect(r.code, r.stdout).toBe(0);
    expect(bpconf(site.hosts['c1.corp.example']!)).toContain('CLIENT_NAME = c1.corp.example');
    expect(bpconf(site.hosts['c1.corp.example']!)).not.toContain('c1-old');
  });
});

describe('a domain host at 8.0 that the answers leave out', () => {
  function siteWithUnlistedLegacy() {
    const site = makeSite();
    createToken(site);
    writeFileSync(join(site.domain, 'session.json'), '{}');
    writeFileSync(
      join(site.domain, 'emm.json'),
      JSON.stringify([
        { name: PRIMARY, version: '10.4' },
        { name: 'old9.corp.example', version: '8.0' },
      ]),
    );
    return site;
  }

  it('stops apply on the primary before insecure communication is turned off, naming the host', async () => {
    const site = siteWithUnlistedLegacy();
    const r = await cli(applyArgs(site, PRIMARY, TIGHTEN));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'the domain knows old9.corp.example (8.0.0.0), at 8.0 or earlier and not in the answers',
    );
    // The simulator writes its settings only when one changes: no file, the setting is still on.
    expect(existsSync(join(site.domain, 'security.json'))).toBe(false);
  });

  it('stops the generated bash script the same way', async () => {
    const site = siteWithUnlistedLegacy();
    const out = join(site.dir, 'out');
    await cli(['plan', '--answers', site.answers, '--out', out, '--format', 'sh']);
    const run = spawnSync('bash', [join(out, `${PRIMARY}.sh`)], {
      encoding: 'utf8',
      cwd: site.dir,
      env: {
        PATH: process.env.PATH,
        NBSECURE_STAGE: 'tighten',
        NBSECURE_MANUAL_DONE: `${PRIMARY}:tighten.login`,
      },
    });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toContain('the domain knows old9.corp.example (8.0.0.0), at 8.0 or earlier');
    // The simulator writes its settings only when one changes: no file, the setting is still on.
    expect(existsSync(join(site.domain, 'security.json'))).toBe(false);
  });
});

describe('the rollout token, when its value is not at hand', () => {
  const tokensOf = (site: Site) => readState<{ name: string; value: string }[]>(join(site.domain, 'tokens.json'));
  function dmzPrimary() {
    const site = makeSite({ clients: [{ name: 'w1.dmz.example', zone: 'dmz', tunnelVia: ['m1.corp.example'] }] });
    writeFileSync(join(site.domain, 'session.json'), '{}');
    return site;
  }

  it('is deleted and made again after a kill between its creation and its capture', async () => {
    const site = dmzPrimary();
    setFaults(site.hosts[PRIMARY]!, [{ match: 'nbcertcmd -createToken', hangAfter: true, times: 1 }]);
    const run = applyProcess(site, PRIMARY, CONFIRM);
    const pid = await hanging(site, PRIMARY);
    run.child.kill('SIGKILL');
    await run.exited;
    process.kill(pid, 'SIGKILL');
    const lost = tokensOf(site);
    expect(lost).toHaveLength(1);

    const resumed = await cli(applyArgs(site, PRIMARY, [...CONFIRM, '--resume']));
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(4); // prepare done; waiting for the fleet
    const now = tokensOf(site);
    expect(now).toHaveLength(1);
    expect(now[0]!.value).not.toBe(lost[0]!.value);
    expect(readFileSync(join(site.stateDir, PRIMARY, 'token'), 'utf8').trim()).toBe(now[0]!.value);
  }, 60_000);

  it('is never made twice while the captured value is at hand, by apply or by the script', async () => {
    const site = dmzPrimary();
    expect((await cli(applyArgs(site, PRIMARY, CONFIRM))).code).toBe(4);
    expect((await cli(applyArgs(site, PRIMARY, CONFIRM))).code).toBe(4);
    expect(tokensOf(site)).toHaveLength(1);
    expect(argvLog(site.hosts[PRIMARY]!).filter((l) => l.args[0] === '-createToken')).toHaveLength(1);

    const script = dmzPrimary();
    const out = join(script.dir, 'out');
    await cli(['plan', '--answers', script.answers, '--out', out, '--format', 'sh']);
    const env = { PATH: process.env.PATH, NBSECURE_MANUAL_DONE: `${PRIMARY}:login,${PRIMARY}:security.level` };
    for (let i = 0; i < 2; i++) {
      const r = spawnSync('bash', [join(out, `${PRIMARY}.sh`)], { encoding: 'utf8', cwd: script.dir, env });
      expect(r.status, r.stdout + r.stderr).toBe(4); // prepare done, waiting for the fleet
    }
    expect(tokensOf(script)).toHaveLength(1);
    expect(readFileSync(join(script.dir, 'nbsecure-token'), 'utf8').trim()).toBe(tokensOf(script)[0]!.value);
  });
});

describe('a host certificate that is listed but expired, revoked or expiring', () => {
  const certsFile = (site: Site) => join(site.hosts['c1.corp.example']!.root, 'sim', 'certs.json');
  function withCertificate(host: { expires: Date; revoked?: boolean }) {
    const site = makeSite();
    writeFileSync(
      certsFile(site),
      JSON.stringify({
        ca: FP,
        host: { hostId: 'abc123', name: 'c1.corp.example', ...host, expires: host.expires.toUTCString() },
      }),
    );
    return site;
  }
  const reissueToken = (site: Site) => {
    const value = 'REISSUEREISSUEAB';
    writeFileSync(
      join(site.domain, 'tokens.json'),
      JSON.stringify([{ name: 'reissue-c1', value, maxUses: 1, uses: 0, reissueHost: 'c1.corp.example' }]),
    );
    return value;
  };
  const DAY = 86_400_000;

  it('stops apply with what to do: a reissue token from the primary, then --reissue', async () => {
    const site = withCertificate({ expires: new Date(Date.now() - DAY) });
    const r = await cli(applyArgs(site, 'c1.corp.example'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/the host certificate expired on \d{4}-\d\d-\d\d, so it needs a reissue token/);
    expect(r.stdout).toContain('nbcertcmd -createToken -name reissue-c1 -reissue -host c1.corp.example');
    expect(argvLog(site.hosts['c1.corp.example']!).some((l) => l.args[0] === '-getCertificate')).toBe(false);

    const token = reissueToken(site);
    const again = await cli(
      applyArgs(site, 'c1.corp.example', ['--reissue', '--token-file', site.tokenFile(token), '--resume']),
    );
    expect(again.code, again.stdout).toBe(0);
    const get = argvLog(site.hosts['c1.corp.example']!).find((l) => l.args[0] === '-getCertificate')!;
    expect(get.args).toContain('-force');
    const certs = readState<{ host: { hostId: string; expires: string } }>(certsFile(site));
    expect(certs.host.hostId).toBe('abc123'); // a reissue keeps the host ID
    expect(new Date(certs.host.expires).getTime()).toBeGreaterThan(Date.now());
  });

  it('treats a revoked certificate the same way', async () => {
    const site = withCertificate({ expires: new Date(Date.now() + 200 * DAY), revoked: true });
    const r = await cli(applyArgs(site, 'c1.corp.example'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('the host certificate is revoked, so it needs a reissue token');
  });

  it('warns about one that expires within 30 days, and leaves it alone', async () => {
    const site = withCertificate({ expires: new Date(Date.now() + 10 * DAY) });
    const r = await cli(applyArgs(site, 'c1.corp.example'));
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/WARNING: the host certificate expires on \d{4}-\d\d-\d\d, in \d+ days/);
    expect(argvLog(site.hosts['c1.corp.example']!).some((l) => l.args[0] === '-getCertificate')).toBe(false);
  });

  it('is handled the same way by the generated bash script', async () => {
    const site = withCertificate({ expires: new Date(Date.now() - DAY) });
    const out = join(site.dir, 'out');
    await cli(['plan', '--answers', site.answers, '--out', out, '--format', 'sh']);
    const script = join(out, 'c1.corp.example.sh');
    const first = spawnSync('bash', [script], { encoding: 'utf8', cwd: site.dir, env: { PATH: process.env.PATH } });
    expect(first.status).toBe(1);
    expect(first.stderr).toContain('expired on');
    expect(first.stderr).toContain('-reissue -host c1.corp.example');
    const token = reissueToken(site);
    const env = { PATH: process.env.PATH, NBSECURE_REISSUE: '1', NBSECURE_TOKEN_FILE: site.tokenFile(token) };
    const second = spawnSync('bash', [script], { encoding: 'utf8', cwd: site.dir, env });
    expect(second.status, second.stdout + second.stderr).toBe(0);
    expect(argvLog(site.hosts['c1.corp.example']!).find((l) => l.args[0] === '-getCertificate')!.args).toContain(
      '-force',
    );
  });
});

describe('decommissioned hosts', () => {
  function siteWithRetired() {
    const site = makeSite();
    writeFileSync(join(site.domain, 'session.json'), '{}');
    const answers = JSON.parse(readFileSync(site.answers, 'utf8'));
    answers.decommissioned = ['retired1.corp.example'];
    writeFileSync(site.answers, JSON.stringify(answers));
    return site;
  }
  const revocations = (site: Site) =>
    argvLog(site.hosts[PRIMARY]!)
      .filter((l) => l.args[0] === '-revokeCertificate')
      .map((l) => l.args.join(' '));
  const CONFIRM_ALL = ['--confirm', 'login,security.level,revoke.retired1.corp.example.cleanup'];

  it('have their certificates revoked on the primary once, then a person removes them from policies', async () => {
    const site = siteWithRetired();
    const first = await cli(applyArgs(site, PRIMARY, CONFIRM_ALL));
    expect(first.code, first.stdout).toBe(4);
    expect(first.stdout).toContain('Remove retired1.corp.example from every backup policy');
    const second = await cli(applyArgs(site, PRIMARY, CONFIRM_ALL));
    expect(second.code, second.stdout).toBe(4);
    expect(revocations(site)).toEqual(['-revokeCertificate -host retired1.corp.example']);
    expect(readState<string[]>(join(site.domain, 'revoked.json'))).toEqual(['retired1.corp.example']);
  });

  it('are revoked once by the generated bash script too', async () => {
    const site = siteWithRetired();
    const out = join(site.dir, 'out');
    await cli(['plan', '--answers', site.answers, '--out', out, '--format', 'sh']);
    const env = {
      PATH: process.env.PATH,
      NBSECURE_MANUAL_DONE: [
        `${PRIMARY}:login`,
        `${PRIMARY}:security.level`,
        `${PRIMARY}:revoke.retired1.corp.example.cleanup`,
      ].join(','),
    };
    for (let i = 0; i < 2; i++) {
      const r = spawnSync('bash', [join(out, `${PRIMARY}.sh`)], { encoding: 'utf8', cwd: site.dir, env });
      expect(r.status, r.stdout + r.stderr).toBe(4); // prepare done, waiting for the fleet
    }
    expect(revocations(site)).toHaveLength(1);
  });
});

describe('apply --stage', () => {
  it('refuses an unknown stage and a stage the host has no steps in, with exit 2', async () => {
    const site = makeSite();
    const bad = await cli(applyArgs(site, PRIMARY, ['--stage', 'later']));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--stage later is not a stage; the stages are: prepare, media, clients, tighten, verify',
    );
    const none = await cli(applyArgs(site, 'c1.corp.example', ['--stage', 'tighten']));
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('c1.corp.example has no steps in that stage; its stages are: clients');
  });

  it('verify deletes the rollout token on the primary and retires its captured copy', async () => {
    const site = makeSite({ clients: [{ name: 'w1.dmz.example', zone: 'dmz', tunnelVia: ['m1.corp.example'] }] });
    writeFileSync(join(site.domain, 'session.json'), '{}');
    expect((await cli(applyArgs(site, PRIMARY, CONFIRM))).code).toBe(4);
    const token = readFileSync(join(site.stateDir, PRIMARY, 'token'), 'utf8').trim();
    expect((await cli(applyArgs(site, 'w1.dmz.example', ['--token-file', site.tokenFile(token)]))).code).toBe(0);
    expect((await cli(applyArgs(site, PRIMARY, TIGHTEN))).code).toBe(0);
    const verify = await cli(applyArgs(site, PRIMARY, [...CONFIRM, '--stage', 'verify']));
    expect(verify.code, verify.stdout).toBe(0);
    expect(readState<object[]>(join(site.domain, 'tokens.json'))).toEqual([]);
    expect(existsSync(join(site.stateDir, PRIMARY, 'token'))).toBe(false);
    // Preparing again after the rollout makes no new token.
    expect((await cli(applyArgs(site, PRIMARY, CONFIRM))).code).toBe(4);
    expect(readState<object[]>(join(site.domain, 'tokens.json'))).toEqual([]);
  });
});

describe('the generated bash script after a failed restart', () => {
  it('still owes the restart on the next run, although the setting already reads off', async () => {
    const site = makeSite();
    writeFileSync(join(site.domain, 'session.json'), '{}');
    setFaults(site.hosts[PRIMARY]!, [{ match: 'bp.kill_all', exit: 1, times: 1 }]);
    const out = join(site.dir, 'out');
    await cli(['plan', '--answers', site.answers, '--out', out, '--format', 'sh']);
    const env = {
      PATH: process.env.PATH,
      NBSECURE_STAGE: 'tighten',
      NBSECURE_MANUAL_DONE: `${PRIMARY}:tighten.login,${PRIMARY}:security.level`,
    };
    const run = () => spawnSync('bash', [join(out, `${PRIMARY}.sh`)], { encoding: 'utf8', cwd: site.dir, env });
    const first = run();
    expect(first.status).not.toBe(0);
    expect(
      readState<{ insecureCommunication: string; restarts: number }>(join(site.domain, 'security.json')),
    ).toMatchObject({
      insecureCommunication: 'off',
      restarts: 0,
    });
    const second = run();
    expect(second.status, second.stdout + second.stderr).toBe(0);
    expect(
      readState<{ restarts: number; effectiveInsecure: string }>(join(site.domain, 'security.json')),
    ).toMatchObject({
      restarts: 1,
      effectiveInsecure: 'off',
    });
    // Owed no more: a third run restarts nothing.
    expect(run().status).toBe(0);
    expect(readState<{ restarts: number }>(join(site.domain, 'security.json')).restarts).toBe(1);
  });
});
