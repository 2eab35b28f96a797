import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

function answersFile(text: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nbsecure-val-'));
  const file = join(dir, 'answers.yaml');
  writeFileSync(file, text);
  return { dir, file };
}

async function planErrors(text: string) {
  const { dir, file } = answersFile(text);
  const out = join(dir, 'out');
  const r = await cli(['plan', '--answers', file, '--out', out]);
  return { ...r, file, outWritten: existsSync(out) };
}

const GOOD_HEAD = `version: 1
primary: { name: p.corp.example, version: "10.4" }
mediaServers:
  - { name: m1.corp.example }
`;

describe('answers file validation', () => {
  it('names the field, file and line of an invalid host name, exits 2 and writes nothing', async () => {
    const r = await planErrors(`${GOOD_HEAD}clients:\n  - { name: app_1.corp.example }\n`);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${r.file}:6:`);
    expect(r.stderr).toContain('clients[0].name is not a valid DNS host name');
    expect(r.outWritten).toBe(false);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('rejects a host name longer than 253 characters', async () => {
    const long = `${'a'.repeat(60)}.`.repeat(4) + 'b'.repeat(20);
    const r = await planErrors(`${GOOD_HEAD}clients:\n  - { name: ${long} }\n`);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('clients[0].name is not a valid DNS host name');
  });

  it('lists every problem at once, each with its own line', async () => {
    const r = await planErrors(`version: 1
primary: { name: p.corp.example, version: "10.4" }
mediaServers:
  - { name: m1.corp.example, version: "ten" }
clients:
  - { name: "-bad", os: solaris }
`);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('3 problems');
    expect(r.stderr).toMatch(/:4:\d+: mediaServers\[0\]\.version must look like N\.N/);
    expect(r.stderr).toMatch(/:6:\d+: clients\[0\]\.name is not a valid DNS host name/);
    expect(r.stderr).toMatch(/:6:\d+: clients\[0\]\.os must be linux or windows/);
  });

  it('explains that an unquoted version is read as a number', async () => {
    const r = await planErrors('version: 1\nprimary: { name: p.corp.example, version: 10.4 }\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/:2:\d+: primary\.version must be a quoted version such as "10\.4"/);
  });

  it('rejects duplicate hosts, case-insensitively, naming the first place', async () => {
    const r = await planErrors(`${GOOD_HEAD}clients:\n  - { name: M1.corp.example }\n`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /:6:\d+: clients\[0\]\.name host M1\.corp\.example is already listed at mediaServers\[0\]/,
    );
  });

  it('rejects a client naming an unknown tunnel media server and lists the known ones', async () => {
    const r = await planErrors(
      `${GOOD_HEAD}clients:\n  - name: web1.dmz.example\n    zone: dmz\n    tunnelVia: [m9.corp.example]\n`,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /:8:\d+: clients\[0\]\.tunnelVia\[0\] names m9\.corp\.example, which is not in mediaServers; name one of: m1\.corp\.example/,
    );
  });

  it('rejects a DMZ client when no media server offers the tunnel', async () => {
    const r = await planErrors(`version: 1
primary: { name: p.corp.example, version: "10.4" }
mediaServers:
  - { name: m1.corp.example, tunnel: false }
clients:
  - { name: web1.dmz.example, zone: dmz }
`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/:6:\d+: clients\[0\]\.zone is dmz, but no media server offers the HTTP tunnel/);
  });

  it('rejects an external CA without certificate paths and says which are missing', async () => {
    const r = await planErrors(
      `${GOOD_HEAD}certificates:\n  authority: eca\n  eca:\n    certPath: /etc/pki/host.pem\n`,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /:7:\d+: certificates\.eca an external CA \(authority: eca\) needs certificates\.eca\.privateKeyPath, certificates\.eca\.trustStorePath/,
    );
  });

  it('names an unknown field and lists the fields allowed there', async () => {
    const r = await planErrors(`${GOOD_HEAD}certificates:\n  securitylevel: high\n`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /:6:\d+: certificates has unknown field "securitylevel"; the fields here are: authority, securityLevel/,
    );
  });

  it('reports a missing required field', async () => {
    const r = await planErrors('version: 1\nmediaServers: []\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('primary is required');
  });

  it('reports YAML syntax errors with their line', async () => {
    const r = await planErrors('version: 1\nprimary: { name: p.corp.example\nclients: [\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not valid YAML or JSON; nothing was written:\n\s+.*answers\.yaml:\d+:\d+: /);
  });

  it('rejects a token maxUses below the number of hosts that need it', async () => {
    const r = await planErrors(`${GOOD_HEAD}clients:
  - { name: w1.dmz.example, zone: dmz }
  - { name: w2.dmz.example, zone: dmz }
certificates:
  token: { maxUses: 1 }
`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/certificates\.token\.maxUses is 1, but 2 hosts need the token; raise it to at least 2/);
  });

  it('rejects a primary older than 8.1', async () => {
    const r = await planErrors('version: 1\nprimary: { name: p.corp.example, version: "8.0" }\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /primary\.version is 8\.0; nbsecure configures certificate-based security, which needs a primary at 8\.1/,
    );
  });

  it('accepts JSON answers files and reports their lines too', async () => {
    const { file } = answersFile(
      '{\n  "version": 1,\n  "primary": { "name": "p.corp.example", "version": "10.4", "os": "aix" }\n}\n',
    );
    const r = await cli(['plan', '--answers', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/:3:\d+: primary\.os must be linux or windows/);
  });

  it('says when the answers file does not exist, or is empty', async () => {
    const missing = await cli(['plan', '--answers', '/nonexistent/answers.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('answers file /nonexistent/answers.yaml does not exist');
    const empty = await planErrors('');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('is empty');
  });
});
