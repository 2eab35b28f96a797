import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORMATS } from '../../src/render/index.js';
import { argvLog, bpconf, makeDomain, makeHost, type SimHost } from '../netbackup-sim/layout.js';
import { cli } from '../helpers/cli.js';
import { FP } from '../helpers/env.js';

/** What an attacker types into a free-text field: each tries to run `touch pwned`, add a line, or break out. */
const PAYLOADS = [
  '\nSERVER = evil.example',
  '\r\nSERVER = evil.example',
  '$(touch pwned)',
  '`touch pwned`',
  "'; touch pwned; '",
  '"; touch pwned; "',
  '’; touch pwned; ’',
  '<img src=x onerror=alert(1)>',
  '```\n# out of the fence',
  '````',
  ' -x',
  '\u0000',
];

type Field =
  'clients[0].installPath' | 'certificates.eca.certPath' | 'certificates.eca.crlPath' | 'certificates.token.name';
const FIELDS: Field[] = [
  'clients[0].installPath',
  'certificates.eca.certPath',
  'certificates.eca.crlPath',
  'certificates.token.name',
];

interface Case {
  dir: string;
  answers: string;
  client: SimHost;
  primary: SimHost;
}

/** A primary and one client on the simulator, the payload placed in `field`. */
function site(field: Field, payload: string): Case {
  const dir = mkdtempSync(join(tmpdir(), 'nbsecure-inject-'));
  const domain = makeDomain(FP);
  writeFileSync(join(domain, 'session.json'), '{}');
  const primary = makeHost(domain, { name: 'p.corp.example' });
  const clientRoot = field === 'clients[0].installPath' ? join(dir, `nb${payload}`) : undefined;
  const canMake = clientRoot !== undefined && !/[\0/\n\r]/.test(payload);
  const client = makeHost(domain, { name: 'c1.corp.example' }, '', canMake ? clientRoot : undefined);
  const answers: Record<string, unknown> = {
    version: 1,
    primary: { name: 'p.corp.example', version: '10.4', installPath: primary.root },
    clients: [{ name: 'c1.corp.example', installPath: clientRoot ?? client.root }],
    certificates: { caFingerprint: FP, securityLevel: 'very-high', token: { name: 'rollout' } },
  };
  const certs = answers.certificates as Record<string, unknown>;
  if (field.startsWith('certificates.eca')) {
    certs.authority = 'eca';
    delete certs.caFingerprint;
    certs.eca = { certPath: '/etc/pki/c.pem', privateKeyPath: '/etc/pki/k.pem', trustStorePath: '/etc/pki/t.pem' };
    (certs.eca as Record<string, string>)[field.split('.').at(-1)!] = `/etc/pki/${payload}`;
  }
  if (field === 'certificates.token.name') (certs.token as Record<string, string>).name = payload;
  const file = join(dir, 'answers.json');
  writeFileSync(file, JSON.stringify(answers));
  return { dir, answers: file, client, primary };
}

/**
 * The runbook's text outside code, read as CommonMark does: a fence closes only with at least as
 * many backticks as opened it, a code span only with a run as long as its opening. Undefined when
 * a fence is left open.
 */
function outsideCode(markdown: string): string | undefined {
  let open = 0;
  const text: string[] = [];
  for (const line of markdown.split('\n')) {
    const m = /^(`{3,})(.*)$/.exec(line);
    if (open) {
      if (m && m[1]!.length >= open && !m[2]!.trim()) open = 0;
      continue;
    }
    if (m) open = m[1]!.length;
    else text.push(line.replace(/(`+)[^`]*?[\s\S]*?\1/g, ''));
  }
  return open ? undefined : text.join('\n');
}

const accepted: string[] = [];
const refused: string[] = [];

describe.each(FIELDS)('a hostile %s', (field) => {
  it.each(PAYLOADS)('%j is refused by validation, or rendered and run as plain data', async (payload) => {
    const c = site(field, payload);
    const out = join(c.dir, 'out');
    const r = await cli(['plan', '--answers', c.answers, '--out', out, '--format', FORMATS.join(',')]);
    const label = `${field} ${JSON.stringify(payload)}`;
    if (r.code === 2) {
      refused.push(label);
      expect(r.stderr).toContain(field);
      expect(existsSync(out)).toBe(false);
      return;
    }
    accepted.push(label);
    expect(r.code, r.stderr).toBe(0);
    // Every file written, the Ansible folder's included.
    const written = readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    for (const name of written.map((e) => join(e.parentPath, e.name).slice(out.length + 1))) {
      const text = readFileSync(join(out, name), 'utf8');
      expect(text, name).not.toMatch(/^\s*SERVER = evil\.example/m);
      if (name.endsWith('.md')) {
        const prose = outsideCode(text);
        expect(prose, 'a fence left open').toBeDefined();
        expect(prose).not.toContain('<img');
      }
    }
    // The bash script of the host that reads the value, run for real against the simulator.
    const host = field === 'certificates.token.name' ? c.primary : c.client;
    const script = join(out, `${host.name}.sh`);
    const run = spawnSync('bash', [script], {
      cwd: c.dir,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NBSECURE_TOKEN: 'ABCDEFGHIJKLMNOP',
        NBSECURE_MANUAL_DONE: 'login,security.level',
      },
    });
    expect(existsSync(join(c.dir, 'pwned')), `${label}: the payload ran\n${run.stdout}${run.stderr}`).toBe(false);
    expect(argvLog(host).length, `${label}: the script reached no NetBackup command`).toBeGreaterThan(0);
    // The script takes NBSECURE_TOKEN out of the environment before it runs anything.
    expect(argvLog(host).flatMap((l) => l.secretEnv)).toEqual([]);
    expect(bpconf(host)).not.toMatch(/^SERVER = evil\.example/m);
    // Where the value is an argument, it reached the command whole, as one argument.
    const value = field.startsWith('certificates.eca') ? `/etc/pki/${payload}` : undefined;
    if (value) expect(argvLog(host).some((l) => l.args.includes(value))).toBe(true);
  });
});

it('leaves the refused and the accepted payloads on record', () => {
  console.log(
    `injection table: ${PAYLOADS.length} payloads x ${FIELDS.length}` +
      ` fields x ${FORMATS.length} formats: ${refused.length}` +
      ` refused by validation, ${accepted.length} rendered and run as data, none ran`,
  );
  expect(refused.length + accepted.length).toBe(PAYLOADS.length * FIELDS.length);
});
