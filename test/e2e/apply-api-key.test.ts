import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argvLog, readState } from '../netbackup-sim/layout.js';
import { makePki, startRestSim, type Pki, type RestSim } from '../netbackup-sim/rest-sim.js';
import { planDigest } from '../../src/plan/digest.js';
import { cli } from '../helpers/cli.js';
import { signFile, signingKey } from '../helpers/signing.js';
import { applyArgs, makeSite, type Site } from '../helpers/site.js';

const P = 'p.corp.example';
const KEY = 'A8fmNjyB5DvvzAN1CnRWblMv160U1Vt5hs5P2fqj81pJh9224HRus-test';

let pki: Pki;
beforeAll(async () => {
  pki = await makePki(P);
});

/** A site whose primary answers REST on a loopback address, with the CA the answers pin. */
async function restSite(opts: { fingerprint?: string } = {}): Promise<{ site: Site; sim: RestSim; keyFile: string }> {
  const site = makeSite({
    fingerprint: opts.fingerprint ?? pki.fingerprint,
    certificates: { securityLevel: 'medium' },
    // A DMZ client needs the token, which only an administrator's session can create.
    clients: [{ name: 'w1.dmz.example', zone: 'dmz', tunnelVia: ['m1.corp.example'] }],
  });
  // The domain's CA is the REST simulator's, whatever the answers pin.
  writeFileSync(join(site.domain, 'ca.json'), JSON.stringify({ fingerprint: pki.fingerprint }));
  const sim = await startRestSim({ domain: site.domain, pki, apiKey: KEY, primary: P });
  sims.push(sim);
  const keyFile = join(site.dir, 'apikey');
  writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 });
  return { site, sim, keyFile };
}
const sims: RestSim[] = [];
afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
});

const tighten = (site: Site, sim: RestSim, keyFile: string, extra: string[] = []) =>
  cli(applyArgs(site, P, ['--stage', 'tighten', '--api-key-file', keyFile, '--api-url', sim.url, ...extra]));

const level = (site: Site) => readState<{ level?: string }>(join(site.domain, 'security.json')).level;
const posts = (sim: RestSim) => sim.requests().filter((r) => r.method === 'POST');

/** Every file under a folder, read as text. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => readFileSync(f, 'utf8'));
}

describe('apply with an API key', () => {
  it('needs no login: the commands that act as an administrator get NETBACKUP_APIKEY, and no other', async () => {
    const { site, sim, keyFile } = await restSite();
    const r = await cli(applyArgs(site, P, ['--stage', 'prepare', '--api-key-file', keyFile, '--api-url', sim.url]));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/not needed: the API key stands in for the login/);
    const log = argvLog(site.hosts[P]!);
    const withKey = log.filter((l) => l.apiKeyEnv).map((l) => `${l.cmd} ${l.args[0]}`);
    expect(withKey).toContain('nbcertcmd -createToken');
    expect(withKey).toContain('nbseccmd -setsecurityconfig');
    expect(log.filter((l) => !l.apiKeyEnv).map((l) => l.cmd)).toContain('nbgetconfig');
    expect(log.filter((l) => l.cmd === 'nbgetconfig' || l.cmd === 'nbsetconfig').every((l) => !l.apiKeyEnv)).toBe(true);
    expect(log.flatMap((l) => l.secretEnv)).toEqual([]);
  });

  it("without a key the login stays a person's step (exit 4), as before", async () => {
    const { site } = await restSite();
    const r = await cli(applyArgs(site, P, ['--stage', 'prepare']));
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/bpnbat -login -logintype WEB/);
  });

  it('sets the level over pinned TLS, POSTing only the field that differs; a second apply sends nothing', async () => {
    const { site, sim, keyFile } = await restSite();
    const dry = await cli(applyArgs(site, P, ['--stage', 'tighten', '--api-key-file', keyFile, '--dry-run']));
    expect(dry.stdout).toContain(
      `send:  POST https://${P}:1556/netbackup/security/properties {"certificateAutoDeployLevel":2,`,
    );
    const first = await tighten(site, sim, keyFile);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(level(site)).toBe('medium');
    expect(posts(sim).map((p) => p.body)).toEqual([{ certificateAutoDeployLevel: 2 }]);
    // Every authenticated call carries the key and the versioned media type; the CA fetch carries no key.
    const [cacert, ...rest] = sim.requests();
    expect(cacert).toMatchObject({ method: 'GET', url: '/netbackup/security/cacert', auth: 'none' });
    expect(rest.every((r) => r.auth === 'ok' && /version=\d/.test(r.accept))).toBe(true);
    const second = await tighten(site, sim, keyFile);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/already set: certificateAutoDeployLevel 2/);
    expect(posts(sim)).toHaveLength(1);
  });

  it('refuses a CA whose fingerprint is not the one in the answers, before any authenticated call', async () => {
    const other = (await makePki(P)).fingerprint;
    const { site, sim, keyFile } = await restSite({ fingerprint: other });
    const r = await tighten(site, sim, keyFile);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`the primary's CA has the SHA-256 fingerprint ${pki.fingerprint}, not the expected`);
    expect(r.stdout).toContain(other);
    expect(sim.requests().map((q) => `${q.method} ${q.url} ${q.auth}`)).toEqual([
      'GET /netbackup/security/cacert none',
    ]);
  });

  it('waits for a one-time password (exit 4), then --resume --otp sends it and finishes', async () => {
    const { site, sim, keyFile } = await restSite();
    sim.script({ match: 'POST /security/properties', reply: 'mfa' });
    const first = await tighten(site, sim, keyFile);
    expect(first.code).toBe(4);
    expect(first.stdout).toMatch(/Waiting for a one-time password/);
    expect(first.stdout).toMatch(/--resume --otp CODE/);
    expect(level(site)).not.toBe('medium');
    const again = await tighten(site, sim, keyFile, ['--resume', '--otp', '123456']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(level(site)).toBe('medium');
    expect(posts(sim).map((p) => p.url)).toEqual([
      '/netbackup/security/properties',
      expect.stringMatching(/^\/netbackup\/security\/adaptive-mfa\/\w+\/validate$/),
    ]);
  });

  it('waits for an approval (exit 4) without sending the change twice, and goes on once it is approved', async () => {
    const { site, sim, keyFile } = await restSite();
    sim.script({ match: 'POST /security/properties', reply: 'approval' });
    expect((await tighten(site, sim, keyFile)).code).toBe(4);
    const still = await tighten(site, sim, keyFile, ['--resume']);
    expect(still.code).toBe(4);
    expect(still.stdout).toMatch(/Still waiting for approval/);
    sim.approve();
    const done = await tighten(site, sim, keyFile, ['--resume']);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/applied the change it held \(approval\)/);
    expect(posts(sim)).toHaveLength(1);
  });

  it('retries a 500, never a 401, and stops a reply that takes longer than the step timeout', async () => {
    const a = await restSite();
    a.sim.script({ match: 'GET /security/properties', reply: 500 });
    expect((await tighten(a.site, a.sim, a.keyFile)).code).toBe(0);
    expect(a.sim.requests().filter((r) => r.url.endsWith('/properties') && r.method === 'GET')).toHaveLength(2);

    const b = await restSite();
    b.sim.script({ match: 'GET /security/properties', reply: 401 });
    const refused = await tighten(b.site, b.sim, b.keyFile);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/answered 401 \(Authentication failed\): the API key was not accepted/);
    expect(b.sim.requests().filter((r) => r.url.endsWith('/properties'))).toHaveLength(1);

    const c = await restSite();
    c.sim.script({ match: 'GET /security/properties', reply: 'slow' });
    const slow = await tighten(c.site, c.sim, c.keyFile, ['--step-timeout', '1']);
    expect(slow.code).toBe(1);
    expect(slow.stdout).toMatch(/GET \/netbackup\/security\/properties timed out after 1 s/);
  });

  it('never shows the key: not in output, URLs, the journal or any file left behind', async () => {
    const { site, sim, keyFile } = await restSite();
    const out = [
      await cli(applyArgs(site, P, ['--stage', 'prepare', '--api-key-file', keyFile, '--api-url', sim.url, '--json'])),
      await tighten(site, sim, keyFile),
    ];
    for (const r of out) expect(r.stdout + r.stderr).not.toContain(KEY);
    expect(sim.requests().some((r) => r.url.includes(KEY))).toBe(false);
    for (const text of filesUnder(site.stateDir)) expect(text).not.toContain(KEY);
    for (const text of filesUnder(site.hosts[P]!.root)) expect(text).not.toContain(KEY);
  });

  it('refuses a key file others can read, and a short key, with exit 2', async () => {
    const { site, keyFile } = await restSite();
    writeFileSync(keyFile, `${KEY}\n`, { mode: 0o644 });
    const { chmodSync } = await import('node:fs');
    chmodSync(keyFile, 0o644);
    const open = await cli(applyArgs(site, P, ['--api-key-file', keyFile, '--dry-run']));
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(/--api-key-file .* is readable by group or others/);
    const short = await cli(applyArgs(site, P, ['--dry-run']), { env: { NBSECURE_API_KEY: 'abc' } });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/the API key from NBSECURE_API_KEY is not one unbroken string/);
  });
});

describe('a host whose certificate expired, with an API key', () => {
  it('gets a single-use reissue token from the primary over REST and a new certificate', async () => {
    const { site, sim, keyFile } = await restSite();
    const C = 'w1.dmz.example';
    const certs = join(site.hosts[C]!.root, 'sim', 'certs.json');
    const expired = new Date(Date.now() - 86_400_000).toUTCString();
    writeFileSync(
      certs,
      JSON.stringify({ ca: pki.fingerprint, host: { hostId: 'abc123', name: C, expires: expired } }),
    );
    const r = await cli(applyArgs(site, C, ['--api-key-file', keyFile, '--api-url', sim.url]));
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/expired on .*: the primary made a single-use reissue token for it/);
    const [post] = posts(sim);
    expect(post).toMatchObject({
      url: '/netbackup/security/securitytokens',
      body: { hostId: 'abc123', type: 1, allowedCount: 1, validFor: 3600 },
    });
    const get = argvLog(site.hosts[C]!).find((l) => l.args[0] === '-getCertificate')!;
    expect(get.args).toContain('-force');
    const after = readState<{ host: { hostId: string; expires: string } }>(certs);
    expect(after.host.hostId).toBe('abc123');
    expect(new Date(after.host.expires).getTime()).toBeGreaterThan(Date.now());
    // Spent by its one use; never in the output, the journal or the state.
    const [token] = readState<{ value: string; uses: number; maxUses: number }[]>(join(site.domain, 'tokens.json'));
    expect(token).toMatchObject({ uses: 1, maxUses: 1 });
    expect(r.stdout).not.toContain(token!.value);
    for (const text of filesUnder(site.stateDir)) expect(text).not.toContain(token!.value);
  });
});

describe('a saved plan that would send the key elsewhere', () => {
  const reseal = (plan: { digest: string }) => ({ ...plan, digest: planDigest(plan) });
  type Edit = (plan: {
    api: { url: string };
    hosts: { steps: { id: string; rest?: { path: string }; session?: boolean }[] }[];
  }) => void;
  it.each<[string, Edit]>([
    ['another REST address', (p) => (p.api.url = 'https://collector.example:1556/netbackup')],
    ['another REST call', (p) => (p.hosts[0]!.steps.find((s) => s.rest)!.rest!.path = '/security/securitytokens')],
    ['the key for a command that does not need it', (p) => (p.hosts[0]!.steps[0]!.session = true)],
  ])('is refused with exit 3 when it names %s, although its digest was recomputed', async (_what, edit) => {
    const { site, sim, keyFile } = await restSite();
    const out = await cli(['plan', '--answers', site.answers, '--format', 'json', '--json']);
    const plan = JSON.parse(out.stdout);
    edit(plan);
    const file = join(site.dir, 'plan.json');
    writeFileSync(file, JSON.stringify(reseal(plan)));
    // Signed by a trusted key all the same: what a plan asks for is checked behind its signature.
    const { key, allowedSigners } = signingKey(site.dir);
    signFile(file, key);
    const r = await cli(
      applyArgs(site, P, ['--stage', 'tighten', '--api-key-file', keyFile, '--allowed-signers', allowedSigners], file),
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('asks for something nbsecure never plans');
    expect(sim.requests()).toEqual([]);
    expect(argvLog(site.hosts[P]!)).toEqual([]);
  });
});

describe('doctor --primary: a pre-flight of the REST API', () => {
  const doctor = (site: Site, sim: RestSim, extra: string[], env: NodeJS.ProcessEnv = {}) =>
    cli(
      ['doctor', '--primary', P, '--answers', site.answers, '--api-url', sim.url, '--timeout', '2', '--json', ...extra],
      {
        env,
      },
    );

  it('reports the version, the CA checked against the answers, and the API key accepted, in its JSON', async () => {
    const { site, sim } = await restSite();
    const r = await doctor(site, sim, [], { NBSECURE_API_KEY: KEY });
    expect(r.stdout, r.stderr).toMatch(/^\{/);
    const report = JSON.parse(r.stdout);
    expect(report.api).toMatchObject({
      ca: { ok: true, expected: pki.fingerprint, seen: pki.fingerprint },
      serverInfo: { ok: true, nbuVersion: '10.4', serverName: P },
      apiKey: { checked: true, ok: true, status: 200 },
    });
    expect(r.stdout + r.stderr).not.toContain(KEY);
  });

  it('says a key was refused, and that a CA is not the expected one, without sending the key to it', async () => {
    const wrongKey = await restSite();
    const refused = JSON.parse((await doctor(wrongKey.site, wrongKey.sim, [], { NBSECURE_API_KEY: `${KEY}x` })).stdout);
    expect(refused.api.apiKey).toMatchObject({ checked: true, ok: false, status: 401 });

    const other = (await makePki(P)).fingerprint;
    const impostor = await restSite({ fingerprint: other });
    const r = await doctor(impostor.site, impostor.sim, [], { NBSECURE_API_KEY: KEY });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).api.ca).toMatchObject({ ok: false, expected: other, seen: pki.fingerprint });
    expect(impostor.sim.requests().every((q) => q.auth === 'none')).toBe(true);
  });
});
