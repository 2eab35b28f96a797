import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { argvLog } from '../netbackup-sim/layout.js';
import { cli } from '../helpers/cli.js';
import { applyArgs, makeSite } from '../helpers/site.js';

function ecaSite() {
  const site = makeSite({
    certificates: {
      authority: 'eca',
      eca: { certPath: '', privateKeyPath: '', trustStorePath: '', passphraseFile: '/etc/pki/host.key.pass' },
    },
  });
  // Real files for the paths the health check reads, written into the answers.
  const answers = JSON.parse(readFileSync(site.answers, 'utf8'));
  for (const k of ['certPath', 'privateKeyPath', 'trustStorePath']) {
    const f = join(site.dir, `${k}.pem`);
    writeFileSync(f, '-----BEGIN CERTIFICATE-----\n');
    answers.certificates.eca[k] = f;
  }
  writeFileSync(site.answers, JSON.stringify(answers));
  return site;
}

const PASSPHRASE = 'correct horse battery staple';

describe('apply with an external CA', () => {
  it('passes the key passphrase only through a 0600 file, never in argv, output or journal', async () => {
    const site = ecaSite();
    const file = join(site.dir, 'pass');
    writeFileSync(file, `${PASSPHRASE}\n`, { mode: 0o600 });
    const r = await cli(applyArgs(site, 'c1.corp.example', ['--passphrase-file', file]));
    expect(r.code, r.stdout).toBe(0);
    const host = site.hosts['c1.corp.example']!;
    // The simulator saw the passphrase in the file it was handed...
    expect(readFileSync(join(host.root, 'sim', 'passphrases.log'), 'utf8').trim()).toBe(PASSPHRASE);
    // ...and nowhere else.
    const health = argvLog(host).find((l) => l.args[0] === '-ecaHealthCheck')!;
    expect(health.args).toContain('-passphraseFile');
    expect(JSON.stringify(argvLog(host))).not.toContain('correct horse');
    expect(r.stdout + r.stderr).not.toContain('correct horse');
    expect(readFileSync(join(site.stateDir, 'c1.corp.example', 'journal.jsonl'), 'utf8')).not.toContain(
      'correct horse',
    );
    expect(readFileSync(join(host.root, 'netbackup', 'bp.conf'), 'utf8')).toContain(
      'ECA_KEY_PASSPHRASEFILE = /etc/pki/host.key.pass',
    );
  });

  it('takes it from NBSECURE_PASSPHRASE, refuses a file others can read, and says how to give it', async () => {
    const site = ecaSite();
    const env = await cli(applyArgs(site, 'c1.corp.example'), { env: { NBSECURE_PASSPHRASE: PASSPHRASE } });
    expect(env.code, env.stdout).toBe(0);
    expect(env.stdout).not.toContain('correct horse');

    const other = ecaSite();
    const open = join(other.dir, 'pass');
    writeFileSync(open, PASSPHRASE, { mode: 0o644 });
    const refused = await cli(applyArgs(other, 'c1.corp.example', ['--passphrase-file', open]));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--passphrase-file');
    const missing = await cli(applyArgs(other, 'c1.corp.example'));
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain(
      'it needs the private key passphrase: pass --passphrase-file FILE (mode 0600) or set NBSECURE_PASSPHRASE',
    );
  });
});
