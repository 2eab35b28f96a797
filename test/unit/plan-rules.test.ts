import { describe, expect, it } from 'vitest';
import { assertKnownFlags } from '../../src/catalogue/commands.js';
import { VERIFY_MARKER } from '../../src/catalogue/confidence.js';
import { base, FP, hasStep, host, planOf, step } from '../helpers/env.js';

const BIN = '/usr/openv/netbackup/bin';
const dmz = {
  ...base,
  clients: [{ name: 'c1.corp.example' }, { name: 'w1.dmz.example', zone: 'dmz', tunnelVia: ['m2.corp.example'] }],
};

describe('bp.conf entries', () => {
  it('lists the primary first, then every media server, as SERVER entries, and the host as CLIENT_NAME', () => {
    const c = host(planOf(base), 'c1.corp.example').config;
    expect(c.map((e) => `${e.key}=${e.value}`)).toEqual([
      'SERVER=p.corp.example',
      'SERVER=m1.corp.example',
      'SERVER=m2.corp.example',
      'CLIENT_NAME=c1.corp.example',
    ]);
  });

  it('gives a DMZ client MEDIA_SERVER tunnel candidates, the named tunnel first', () => {
    const c = host(planOf(dmz), 'w1.dmz.example').config.filter((e) => e.key === 'MEDIA_SERVER');
    expect(c.map((e) => e.value)).toEqual(['m2.corp.example', 'm1.corp.example']);
    expect(host(planOf(dmz), 'c1.corp.example').config.some((e) => e.key === 'MEDIA_SERVER')).toBe(false);
  });

  it('leaves media servers with the tunnel off out of the candidates and marks the unconfirmed key', () => {
    const p = planOf({
      ...dmz,
      mediaServers: [{ name: 'm1.corp.example', tunnel: false }, { name: 'm2.corp.example' }],
    });
    expect(
      host(p, 'w1.dmz.example')
        .config.filter((e) => e.key === 'MEDIA_SERVER')
        .map((e) => e.value),
    ).toEqual(['m2.corp.example']);
    const off = host(p, 'm1.corp.example').config.find((e) => e.key === 'WEB_SERVER_TUNNEL_ENABLE');
    expect(off?.value).toBe('NO');
    expect(off?.verifyForYourVersion).toContain(VERIFY_MARKER);
  });

  it('sets ACCEPT_REVERSE_CONNECTION only for clients behind NAT', () => {
    const p = planOf({ ...base, clients: [{ name: 'c1.corp.example' }, { name: 'n1.corp.example', nat: true }] });
    expect(host(p, 'n1.corp.example').config).toContainEqual(
      expect.objectContaining({ key: 'ACCEPT_REVERSE_CONNECTION', value: 'TRUE' }),
    );
    expect(host(p, 'c1.corp.example').config.some((e) => e.key === 'ACCEPT_REVERSE_CONNECTION')).toBe(false);
  });

  it('applies the entries with nbsetconfig on stdin, complete lists, merged after reading all keys', () => {
    const s = step(planOf(dmz), 'w1.dmz.example:config.set');
    expect(s.command).toEqual({ file: `${BIN}/nbsetconfig`, argv: [], args: [] });
    expect(s.stdin).toBe(
      'SERVER = p.corp.example\nSERVER = m1.corp.example\nSERVER = m2.corp.example\nCLIENT_NAME ' +
        '= w1.dmz.example\nMEDIA_SERVER = m2.corp.example\nMEDIA_SERVER = m1.corp.example\n',
    );
    expect(s.mergeRepeatedKeys).toMatchObject({
      keys: ['SERVER', 'MEDIA_SERVER'],
      // Every key: apply and the scripts read the same, and apply keeps it whole before the first change.
      read: { file: `${BIN}/nbgetconfig`, args: [] },
    });
  });

  it('reads the owned keys back with nbgetconfig', () => {
    const s = step(planOf(dmz), 'w1.dmz.example:config.verify');
    expect(s.command?.file).toBe(`${BIN}/nbgetconfig`);
    expect(s.command?.argv).toEqual(['SERVER', 'CLIENT_NAME', 'MEDIA_SERVER']);
    expect(s.effect).toBe('read');
  });
});

describe('NetBackup CA certificates', () => {
  it('fetches the CA certificate with the fingerprint handed over by -file', () => {
    const s = step(planOf(base), 'c1.corp.example:ca.get');
    expect(s.command?.args).toEqual([
      '-getCACertificate',
      '-file',
      '{file:ca-fingerprint}',
      '-server',
      'p.corp.example',
    ]);
    expect(s.files).toEqual([{ name: 'ca-fingerprint', content: `${FP}\n` }]);
  });

  it('makes the CA fetch a manual step with no command when no fingerprint is known, and warns', () => {
    const p = planOf({ ...base, certificates: {} });
    const s = step(p, 'c1.corp.example:ca.get');
    expect(s.manual).toBe(true);
    expect(s.command).toBeUndefined();
    expect(p.warnings.join(' ')).toContain('certificates.caFingerprint is not set');
  });

  it('deploys an internal client certificate without a token at the High level', () => {
    const s = step(planOf(base), 'c1.corp.example:cert.get');
    expect(s.command?.args).toEqual(['-getCertificate', '-server', 'p.corp.example']);
    expect(s.files).toBeUndefined();
  });

  it('always uses a token by file for DMZ clients (5954/5955 otherwise)', () => {
    const s = step(planOf(dmz), 'w1.dmz.example:cert.get');
    expect(s.command?.argv).toEqual(['-getCertificate', '-file', { file: 'token' }, '-server', 'p.corp.example']);
    // plan.json's text form (contract 1.0) names the file without being run.
    expect(s.command?.args).toEqual(['-getCertificate', '-file', '{file:token}', '-server', 'p.corp.example']);
    expect(s.files).toEqual([{ name: 'token', secret: 'token' }]);
    expect(s.why).toMatch(/5954\/5955/);
  });

  it('uses a token for every host at the Very High level, and for NAT clients', () => {
    const vh = planOf({ ...base, certificates: { caFingerprint: FP, securityLevel: 'very-high' } });
    for (const h of ['m1.corp.example', 'm2.corp.example', 'c1.corp.example']) {
      expect(step(vh, `${h}:cert.get`).command?.argv).toContainEqual({ file: 'token' });
    }
    const nat = planOf({ ...base, clients: [{ name: 'n1.corp.example', nat: true }] });
    expect(step(nat, 'n1.corp.example:cert.get').command?.argv).toContainEqual({ file: 'token' });
  });

  it("creates one token on the primary covering exactly the hosts that need it, valid for the answers' period", () => {
    const p = planOf({ ...dmz, certificates: { caFingerprint: FP, token: { name: 'r1', validFor: '2D' } } });
    const s = step(p, 'p.corp.example:token.create');
    expect(s.command).toMatchObject({
      file: `${BIN}/nbcertcmd`,
      args: [
        '-createToken',
        '-name',
        'r1',
        '-maxUses',
        '1',
        '-validFor',
        '2D',
        '-reason',
        'nbsecure certificate rollout',
      ],
    });
    expect(s.capturesSecret).toBe('token');
    // Done only while the captured value is at hand; a token whose value is lost is deleted and made again.
    expect(s.done).toBeUndefined();
    expect(s.skipIfCaptured).toBe('token');
    const replace = step(p, 'p.corp.example:token.replace');
    expect(replace.command?.args).toEqual(['-deleteToken', '-name', 'r1']);
    expect(replace.tolerateFailure).toBeDefined();
  });

  it('honours a larger maxUses and creates no token when no host needs one', () => {
    const p = planOf({ ...dmz, certificates: { caFingerprint: FP, token: { maxUses: 5 } } });
    expect(step(p, 'p.corp.example:token.create').command?.args).toEqual(
      expect.arrayContaining(['-maxUses', '5', '-validFor', '1D']),
    );
    expect(hasStep(planOf(base), 'p.corp.example:token.create')).toBe(false);
  });

  it('verifies each host with -listCertDetails and -hostSelfCheck, read-only', () => {
    const p = planOf(base);
    expect(step(p, 'c1.corp.example:cert.verify').command?.args).toEqual(['-listCertDetails']);
    expect(step(p, 'c1.corp.example:cert.selfcheck').command?.args).toEqual(['-hostSelfCheck']);
    expect(step(p, 'c1.corp.example:cert.selfcheck').effect).toBe('read');
  });

  it('makes the web login a manual step on the primary, before any nbseccmd or createToken', () => {
    const p = planOf(dmz);
    const ids = host(p, 'p.corp.example').steps.map((s) => s.id.split(':')[1]);
    const login = step(p, 'p.corp.example:login');
    expect(login.manual).toBe(true);
    expect(login.command).toBeUndefined();
    expect(login.instructions?.join(' ')).toContain('bpnbat -login -logintype WEB');
    expect(ids.indexOf('login')).toBeLessThan(ids.indexOf('token.create'));
    expect(ids.indexOf('login')).toBeLessThan(ids.indexOf('security.insecure'));
  });
});

describe('global security on the primary', () => {
  it('turns insecure communication off and restarts the primary when no host is at 8.0 or earlier', () => {
    const p = planOf(base);
    expect(step(p, 'p.corp.example:security.insecure').command).toMatchObject({
      file: `${BIN}/admincmd/nbseccmd`,
      args: ['-setsecurityconfig', '-insecurecommunication', 'off'],
    });
    const stop = step(p, 'p.corp.example:services.stop');
    expect(stop.command).toEqual({ file: `${BIN}/bp.kill_all`, argv: [], args: [] });
    expect(stop.stdin).toBe('y\n');
    expect(stop.interruptsService).toBe(true);
    expect(stop.onlyIfChanged).toBe('p.corp.example:security.insecure');
    expect(step(p, 'p.corp.example:services.start').command).toEqual({
      file: `${BIN}/bp.start_all`,
      argv: [],
      args: [],
    });
    expect(p.warnings.join(' ')).toContain('restarts its NetBackup services');
  });

  it(
    'keeps insecure communication on with a host at 8.0, warns naming it, plans its upgrade, ' + 'and does not restart',
    () => {
      const p = planOf({ ...base, clients: [{ name: 'old1.corp.example', version: '8.0' }] });
      expect(step(p, 'p.corp.example:security.insecure').command?.args).toEqual([
        '-setsecurityconfig',
        '-insecurecommunication',
        'on',
      ]);
      expect(hasStep(p, 'p.corp.example:services.stop')).toBe(false);
      expect(p.warnings.join(' ')).toContain('old1.corp.example (8.0)');
      const upgrade = p.hardening.find((i) => i.id === 'upgrade-legacy-hosts');
      expect(upgrade?.priority).toBe('critical');
      expect(upgrade?.title).toContain('old1.corp.example');
      expect(hasStep(p, 'old1.corp.example:cert.get')).toBe(false);
    },
  );

  it.each([
    ['preferred-off', '0'],
    ['preferred-on', '1'],
    ['enforced', '2'],
  ])('sets data-in-transit encryption %s as -dteglobalmode %s', (mode, flag) => {
    const p = planOf({ ...base, security: { dataInTransitEncryption: mode } });
    expect(step(p, 'p.corp.example:security.dte').command?.args).toEqual([
      '-setsecurityconfig',
      '-dteglobalmode',
      flag,
    ]);
  });

  it('makes the certificate deployment level a manual step, never an invented flag', () => {
    const s = step(
      planOf({ ...base, certificates: { caFingerprint: FP, securityLevel: 'very-high' } }),
      'p.corp.example:security.level',
    );
    expect(s.manual).toBe(true);
    expect(s.command).toBeUndefined();
    expect(s.instructions?.join(' ')).toContain('certificateAutoDeployLevel');
    expect(s.title).toContain('Very High');
  });
});

describe('Windows hosts', () => {
  it('use the Veritas install root before 11.1 and the Cohesity one from 11.1, with .exe and admincmd', () => {
    const p = planOf({
      ...base,
      primary: { name: 'p.corp.example', version: '11.1', os: 'windows' },
      clients: [{ name: 'w.corp.example', os: 'windows', version: '10.4' }],
    });
    expect(step(p, 'w.corp.example:cert.get').command?.file).toBe(
      'C:\\Program Files\\Veritas\\NetBackup\\bin\\nbcertcmd.exe',
    );
    expect(step(p, 'p.corp.example:security.dte').command?.file).toBe(
      'C:\\Program Files\\Cohesity NetBackup\\NetBackup\\bin\\admincmd\\nbseccmd.exe',
    );
    const stop = step(p, 'p.corp.example:services.stop');
    expect(stop.command?.file).toBe('C:\\Program Files\\Cohesity NetBackup\\NetBackup\\bin\\bpdown.exe');
    expect(stop.verifyForYourVersion).toContain(VERIFY_MARKER);
  });

  it('honour installPath per host and at the top level', () => {
    const p = planOf({
      ...base,
      installPath: '/opt/openv',
      clients: [{ name: 'c1.corp.example', installPath: '/srv/nb' }],
    });
    expect(step(p, 'm1.corp.example:cert.get').command?.file).toBe('/opt/openv/netbackup/bin/nbcertcmd');
    expect(step(p, 'c1.corp.example:cert.get').command?.file).toBe('/srv/nb/netbackup/bin/nbcertcmd');
  });
});

describe('external CA', () => {
  const eca = {
    ...base,
    certificates: {
      authority: 'eca',
      eca: {
        certPath: '/pki/c.pem',
        privateKeyPath: '/pki/k.pem',
        trustStorePath: '/pki/t.pem',
        crlCheck: 'chain',
        crlPath: '/pki/crl',
      },
    },
  };

  it('writes the ECA_* keys, marking the unconfirmed CRL level name', () => {
    const c = host(planOf(eca), 'c1.corp.example').config;
    expect(c.filter((e) => e.key.startsWith('ECA_')).map((e) => `${e.key}=${e.value}`)).toEqual([
      'ECA_CERT_PATH=/pki/c.pem',
      'ECA_PRIVATE_KEY_PATH=/pki/k.pem',
      'ECA_TRUST_STORE_PATH=/pki/t.pem',
      'ECA_CRL_CHECK=CHAIN',
      'ECA_CRL_PATH=/pki/crl',
    ]);
    expect(c.find((e) => e.key === 'ECA_CRL_CHECK')?.verifyForYourVersion).toContain(VERIFY_MARKER);
    expect(c.find((e) => e.key === 'ECA_CERT_PATH')?.verifyForYourVersion).toBeUndefined();
  });

  it('checks health, pre-checks and enrols, and never runs NetBackup CA steps', () => {
    const p = planOf(eca);
    expect(step(p, 'c1.corp.example:eca.health').command?.args).toEqual([
      '-ecaHealthCheck',
      '-trustStorePath',
      '/pki/t.pem',
      '-certPath',
      '/pki/c.pem',
      '-privateKeyPath',
      '/pki/k.pem',
      '-crlCheckLevel',
      'CHAIN',
      '-crlPath',
      '/pki/crl',
    ]);
    expect(step(p, 'c1.corp.example:eca.precheck').command?.args).toEqual([
      '-enrollCertificate',
      '-preCheck',
      '-server',
      'p.corp.example',
    ]);
    expect(step(p, 'c1.corp.example:eca.enroll').command?.args).toEqual([
      '-enrollCertificate',
      '-server',
      'p.corp.example',
    ]);
    expect(hasStep(p, 'c1.corp.example:cert.get')).toBe(false);
    expect(hasStep(p, 'p.corp.example:token.create')).toBe(false);
    const web = step(p, 'p.corp.example:eca.webserver');
    expect(web.manual).toBe(true);
    expect(web.instructions?.join(' ')).toContain('/usr/openv/wmc/bin/install/configureWebServerCerts');
  });
});

describe('hardening plan', () => {
  it(
    'puts Internet exposure first as critical, marks unanswered items unknown, and gives ' +
      'every item a why and a source',
    () => {
      const p = planOf({ ...base, hardening: { exposedToInternet: true, mfa: true } });
      expect(p.hardening[0]).toMatchObject({ id: 'internet-exposure', priority: 'critical', status: 'todo' });
      expect(p.hardening.find((i) => i.id === 'mfa')).toMatchObject({ status: 'done', priority: 'low' });
      expect(p.hardening.find((i) => i.id === 'immutable-storage')?.status).toBe('unknown');
      for (const i of p.hardening) {
        expect(i.why.length).toBeGreaterThan(10);
        expect(i.source.length).toBeGreaterThan(5);
        expect(i.how.length).toBeGreaterThan(0);
      }
      const order = { critical: 0, high: 1, medium: 2, low: 3 };
      const ranks = p.hardening.map((i) => order[i.priority]);
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    },
  );

  it('links automated items to the steps that carry them out', () => {
    const p = planOf(base);
    expect(p.hardening.find((i) => i.id === 'encryption-in-transit')?.stepIds).toEqual(['p.corp.example:security.dte']);
  });
});

describe('the catalogue guard', () => {
  it('refuses a flag that is not catalogued, so an invented flag cannot reach a host', () => {
    expect(() => assertKnownFlags('nbseccmd', ['-setsecurityconfig', '-certdeploylevel', '1'])).toThrow(
      /not in the command catalogue/,
    );
    expect(() => assertKnownFlags('nbcertcmd', ['-getCertificate', '-file', '/x'])).not.toThrow();
  });
});

describe('the external CA key passphrase', () => {
  it("is handed to the health check as a secret file, while bp.conf keeps naming the host's own file", () => {
    const p = planOf({
      ...base,
      certificates: {
        authority: 'eca',
        eca: {
          certPath: '/pki/c.pem',
          privateKeyPath: '/pki/k.pem',
          trustStorePath: '/pki/t.pem',
          passphraseFile: '/pki/k.pass',
        },
      },
    });
    const health = step(p, 'c1.corp.example:eca.health');
    expect(health.command?.args).toEqual([
      '-ecaHealthCheck',
      '-trustStorePath',
      '/pki/t.pem',
      '-certPath',
      '/pki/c.pem',
      '-privateKeyPath',
      '/pki/k.pem',
      '-passphraseFile',
      '{file:passphrase}',
    ]);
    expect(health.files).toEqual([{ name: 'passphrase', secret: 'passphrase' }]);
    expect(host(p, 'c1.corp.example').config).toContainEqual({ key: 'ECA_KEY_PASSPHRASEFILE', value: '/pki/k.pass' });
  });
});
