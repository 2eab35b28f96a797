import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAnswersFile, parseAnswers } from '../../src/environment/load.js';
import { patternProblem } from '../../src/execute/pattern-safety.js';
import { buildPlan } from '../../src/plan/build.js';
import { ROOT } from '../helpers/bin.js';
import { configChange } from '../../src/execute/config-diff.js';
import { Journal } from '../../src/execute/journal.js';
import { lockHostState } from '../../src/execute/lock.js';
import { appendPrivate, privateDir, writePrivate } from '../../src/execute/private-files.js';
import { sweepStaleSecretFolders } from '../../src/execute/secret-files.js';
import { secretFromFile } from '../../src/execute/token.js';
import { stateFailure } from '../../src/execute/private-files.js';
import { configLine } from '../../src/plan/config-line.js';
import { renderBpconf } from '../../src/render/bpconf.js';
import { mdCode, mdFence, mdText } from '../../src/render/markdown-escape.js';
import { answersProblems, base, FP, planOf } from '../helpers/env.js';
import { cli } from '../helpers/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'nbsecure-hostile-'));
const problemsOf = answersProblems;
const eca = (extra: object) => ({
  ...base,
  certificates: {
    authority: 'eca',
    eca: { certPath: '/etc/pki/c.pem', privateKeyPath: '/etc/pki/k.pem', trustStorePath: '/etc/pki/t.pem', ...extra },
  },
});

describe('free-text fields', () => {
  const PATH_FIELDS = ['certPath', 'privateKeyPath', 'trustStorePath', 'passphraseFile', 'crlPath'] as const;

  it.each(PATH_FIELDS)('refuse a line break in certificates.eca.%s, naming the field', (field) => {
    const message = problemsOf(eca({ [field]: '/x\nSERVER = evil.example' }));
    expect(message).toContain(`certificates.eca.${field} holds a line break`);
  });

  it.each([
    ['a NUL', '/opt/nb\u0000x', 'control character'],
    ['a carriage return', '/opt/nb\rx', 'line break'],
    ['a relative path', 'opt/openv', 'must be an absolute path'],
    ['a typographic quote', '/opt/it’s', 'typographic quote'],
    ['a line separator (U+2028), a line break to YAML readers', '/opt/nb\u2028x', 'line break'],
    ['a paragraph separator (U+2029)', '/opt/nb\u2029x', 'line break'],
    ['a path longer than PATH_MAX', `/${'a'.repeat(5 * 1024 * 1024)}`, 'a path has at most 4096'],
  ])('refuse %s in installPath', (_what, value, words) => {
    expect(problemsOf({ ...base, installPath: value })).toContain(words);
  });

  it('refuses a Windows path for a Linux host and a POSIX path for a Windows host', () => {
    const linux = problemsOf({ ...base, primary: { ...base.primary, installPath: 'C:\\Veritas' } });
    expect(linux).toContain('primary.installPath is not an absolute POSIX path');
    const windows = problemsOf({ ...base, clients: [{ name: 'w1.corp.example', os: 'windows', installPath: '/opt' }] });
    expect(windows).toContain('clients[0].installPath is not an absolute Windows path');
  });

  it('refuses external-CA paths that do not suit every host, naming the host', () => {
    const mixed = { ...eca({}), clients: [{ name: 'w1.corp.example', os: 'windows' }] };
    expect(problemsOf(mixed)).toContain('certificates.eca.certPath is not an absolute Windows path');
    expect(problemsOf(mixed)).toContain('as w1.corp.example (windows) needs');
  });

  it('accepts UNC and drive paths on Windows hosts', () => {
    expect(problemsOf({ ...base, clients: [{ name: 'w1.corp.example', os: 'windows', installPath: 'D:\\NB' }] })).toBe(
      '',
    );
    expect(
      problemsOf({ ...base, clients: [{ name: 'w1.corp.example', os: 'windows', installPath: '\\\\srv\\nb' }] }),
    ).toBe('');
  });

  it('refuses a token name that would read as a flag', () => {
    expect(problemsOf({ ...base, certificates: { caFingerprint: FP, token: { name: '-x' } } })).toContain(
      'certificates.token.name must be 1 to 64 letters',
    );
  });
});

describe('the second line of defence', () => {
  it('refuses a configuration value holding a line break wherever a KEY = VALUE line is built', () => {
    expect(() => configLine('ECA_CRL_PATH', '/x\nSERVER = evil.example')).toThrow(/line break/);
    expect(() => configChange([], [{ key: 'ECA_CRL_PATH', value: '/x\nSERVER = evil' }], [])).toThrow(/line break/);
    const plan = planOf(base);
    const host = { ...plan.hosts[0]!, config: [{ key: 'SERVER', value: 'p\nSERVER = evil.example' }] };
    expect(() => renderBpconf(plan, host)).toThrow(/line break/);
  });
});

describe('answers files that are valid but unusual, or hostile in shape', () => {
  it('refuses a key given twice in JSON, as in YAML, with its line', () => {
    const json = '{"version": 1,\n "primary": {"name": "p.example"},\n "primary": {"name": "q.example"}}';
    expect(() => parseAnswers(json, 'a.json')).toThrow(/a\.json:3:\d+: the key "primary" is given twice/);
  });

  it('accepts a merge key per host in a domain of 10,000 clients', () => {
    const rest = Array.from({ length: 9_999 }, (_, i) => `  - { <<: *lin, name: c${i + 1}.example }`).join('\n');
    const text =
      'version: 1\nprimary: { name: p.example }\nclients:\n' +
      `  - &lin { name: c0.example, os: windows, version: "10.4" }\n${rest}\n`;
    const clients = parseAnswers(text, 'many.yaml').environment.clients;
    expect(clients).toHaveLength(10_000);
    expect(clients.at(-1)).toMatchObject({ name: 'c9999.example', os: 'windows' });
  });

  it.each([
    ['primary.name', { primary: { name: '1e400' } }, 'primary.name reads as a number'],
    ['a client', { clients: [{ name: '12' }] }, 'clients[0].name reads as a number'],
    ['the token name', { certificates: { token: { name: '1e400' } } }, 'certificates.token.name reads as a number'],
    ['validFor', { certificates: { token: { validFor: '1'.repeat(100_000) } } }, 'longer than a validity is'],
    ['the fingerprint', { certificates: { caFingerprint: 'A'.repeat(100_000) } }, 'longer than a SHA-256'],
    ['a version', { primary: { name: 'p.example', version: '1'.repeat(100_000) } }, 'longer than a version is'],
  ])('refuses %s that no domain has, before any work', (_what, extra, words) => {
    expect(problemsOf({ ...base, ...extra })).toContain(words);
  });

  it('refuses more clients than one plan holds with a clear problem, before planning', () => {
    const clients = Array.from({ length: 50_000 }, (_, i) => ({ name: `c${i}.example` }));
    expect(problemsOf({ ...base, clients })).toContain('clients lists more than 30000 clients');
  });

  it('refuses an answers file larger than 64 MiB before reading it', async () => {
    const dir = tmp();
    const file = join(dir, 'huge.yaml');
    writeFileSync(file, `version: 1\n#${'x'.repeat(65 * 1024 * 1024)}\n`);
    const r = await cli(['plan', '--answers', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is larger than 64 MiB');
  });

  it('accepts a file with hundreds of aliases, and refuses an alias bomb with exit 2', async () => {
    const names = Array.from({ length: 300 }, (_, i) => `  - { name: c${i}.example, os: *os }`).join('\n');
    const many = `version: 1\nprimary: { name: p.example, os: &os linux }\nclients:\n${names}\n`;
    expect(parseAnswers(many, 'many.yaml').environment.clients).toHaveLength(300);

    const levels = Array.from(
      { length: 12 },
      (_, i) => `l${i + 1}: &l${i + 1} [${Array(9).fill(`*l${i}`).join(', ')}]`,
    );
    const bomb = `l0: &l0 [x]\n${levels.join('\n')}\nversion: 1\nprimary: { name: p.example }\n`;
    const dir = tmp();
    writeFileSync(join(dir, 'bomb.yaml'), bomb);
    const r = await cli(['plan', '--answers', join(dir, 'bomb.yaml'), '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('aliases');
    expect(r.stderr).not.toContain('internal error');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('secret files', () => {
  it('refuses a folder, a FIFO (without waiting for a writer), an oversized file and a loose mode', () => {
    const dir = tmp();
    expect(() => secretFromFile('token', dir)).toThrow(/not a regular file/);
    const fifo = join(dir, 'fifo');
    // mkfifo through the shell: Node has no call for it.
    execFileSync('mkfifo', ['-m', '600', fifo]);
    expect(() => secretFromFile('token', fifo)).toThrow(/not a regular file/);
    const big = join(dir, 'big');
    writeFileSync(big, 'A'.repeat(100_000), { mode: 0o600 });
    expect(() => secretFromFile('token', big)).toThrow(/far too big/);
    const loose = join(dir, 'loose');
    writeFileSync(loose, 'ABCDEFGHIJKLMNOP\n');
    chmodSync(loose, 0o644);
    expect(() => secretFromFile('token', loose)).toThrow(/readable by group or others/);
  });

  it('refuses a passphrase too short to hide in what nbsecure prints', () => {
    const f = join(tmp(), 'pass');
    writeFileSync(f, 'abc\n', { mode: 0o600 });
    expect(() => secretFromFile('passphrase', f)).toThrow(/shorter than 4 characters/);
  });
});

describe('state files', () => {
  it('writes a captured secret as a new 0600 file, whatever was there, and never through a link', () => {
    const dir = tmp();
    const file = join(dir, 'token');
    writeFileSync(file, 'old', { mode: 0o644 });
    writePrivate(file, 'NEW');
    expect(readFileSync(file, 'utf8')).toBe('NEW');
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const victim = join(dir, 'victim');
    writeFileSync(victim, 'untouched');
    const link = join(dir, 'link');
    symlinkSync(victim, link);
    writePrivate(link, 'SECRET');
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
  });

  it('refuses to append to a journal that is a link, and tightens a loose one', () => {
    const dir = tmp();
    const victim = join(dir, 'victim');
    writeFileSync(victim, '');
    symlinkSync(victim, join(dir, 'journal.jsonl'));
    expect(() => new Journal(dir).append({ plan: 'p', host: 'h', step: 's', event: 'ok' })).toThrow(/symbolic link/);
    const other = tmp();
    writeFileSync(join(other, 'journal.jsonl'), '', { mode: 0o644 });
    appendPrivate(join(other, 'journal.jsonl'), 'x\n', () => {});
    expect(statSync(join(other, 'journal.jsonl')).mode & 0o777).toBe(0o600);
  });

  it('refuses a state folder others can write to', () => {
    const dir = join(tmp(), 'state');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    expect(() => privateDir(dir)).toThrow(/can be written by group or others/);
  });

  it('reads a journal with a line that is not an entry, and says what is wrong with a folder in its place', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'journal.jsonl'), 'null\n42\n{"plan":"p","host":"h","step":"s","event":"ok"}\n{torn');
    expect(new Journal(dir).entries()).toHaveLength(1);
    const folder = tmp();
    mkdirSync(join(folder, 'journal.jsonl'));
    expect(() => new Journal(folder).entries()).toThrow(/it is a folder, not a file/);
  });

  it('takes over a FIFO planted where the lock goes, never waiting on it', () => {
    const dir = tmp();
    expect(spawnSync('mkfifo', [join(dir, 'apply.lock')]).status).toBe(0);
    const taken = lockHostState(dir);
    expect(taken.tookOver).toContain('an unreadable lock file');
    taken.release();
  });

  it('lets one apply at a time hold a host, names the holder, and takes over a lock whose process is gone', () => {
    const dir = tmp();
    const first = lockHostState(dir);
    expect(() => lockHostState(dir)).toThrow(new RegExp(`another nbsecure apply holds .*process ${process.pid}`));
    first.release();
    const again = lockHostState(dir);
    again.release();
    writeFileSync(join(dir, 'apply.lock'), JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), started: 'then' }));
    const taken = lockHostState(dir);
    expect(taken.tookOver).toContain(`process ${2 ** 22 + 1}, which is gone`);
    taken.release();
  });
});

describe('Markdown escaping by context', () => {
  it('keeps a code span and a fence closed whatever backticks a value holds, and shows tags as text', () => {
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdFence('x\n```\ny', 'sh')).toBe('````sh\nx\n```\ny\n````');
    expect(mdText('<img src=x onerror=alert(1)> &amp; & more')).toBe(
      '&lt;img src=x onerror=alert(1)> &amp;amp; & more',
    );
  });
});

describe('what a crash or a full disk leaves behind', () => {
  it('removes secret folders whose process is gone, and keeps those of live processes', () => {
    const base = tmp();
    const dead = join(base, 'nbsecure-secrets-dead');
    const live = join(base, 'nbsecure-secrets-live');
    for (const [dir, pid] of [
      [dead, 2 ** 22 + 3],
      [live, process.pid],
    ] as const) {
      mkdirSync(dir);
      writeFileSync(join(dir, 'owner.pid'), String(pid));
      writeFileSync(join(dir, 'token'), 'ABCDEFGHIJKLMNOP\n');
    }
    expect(sweepStaleSecretFolders(base)).toBe(1);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });

  it.each([
    ['ENOSPC', 'the disk is full'],
    ['EROFS', 'the file system is read-only'],
  ])('says in words what %s means for a state file, with exit 2', (code, words) => {
    const e = stateFailure('/state/h/journal.jsonl', Object.assign(new Error(code), { code }));
    expect(e.message).toContain(`/state/h/journal.jsonl: ${words}`);
    expect(e.exitCode).toBe(2);
  });

  it('refuses a state folder it cannot create, with a message and exit 2', async () => {
    const r = await cli([
      'apply',
      '--answers',
      'examples/internal.yaml',
      '--host',
      'app1.corp.example',
      '--this-host',
      'app1.corp.example',
      '--yes',
      '--state-dir',
      '/proc/nbsecure-cannot-be-here',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/proc/nbsecure-cannot-be-here');
    expect(r.stderr).not.toContain('internal error');
  });
});

describe('done-check patterns in a saved plan', () => {
  const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.yaml'));
  const own = [
    ...new Set(
      examples.flatMap((f) =>
        buildPlan(loadAnswersFile(join(ROOT, 'examples', f)).environment).hosts.flatMap((h) =>
          h.steps.flatMap((s) => [s.done?.outputMatches, s.withFact?.done.outputMatches]),
        ),
      ),
    ),
  ].filter((p): p is string => typeof p === 'string');

  it("accept every pattern nbsecure's own plans carry", () => {
    expect(own.length).toBeGreaterThan(0);
    expect(own.filter((p) => patternProblem(p))).toEqual([]);
  });

  it.each([
    ['(a+)+$', 'repeats a group'],
    ['(a|aa)*$', 'repeats a group'],
    ['^(\\w+\\s?)*$', 'repeats a group'],
    ['((ab)*c)+', 'repeats a group'],
    ['(.*a){12}', 'repeats a group'],
    ['(x)\\1', 'back-reference'],
    ['a'.repeat(300), 'longer than 256'],
    ['([', 'not a valid pattern'],
  ])('refuse %s', (pattern, words) => {
    expect(patternProblem(pattern)).toContain(words);
  });

  it('pass groups that do not repeat a repetition, and character classes with quantifier characters', () => {
    expect(patternProblem('(?:PREFERRED.?ON)')).toBeUndefined();
    expect(patternProblem('(?:ab)+')).toBeUndefined();
    expect(patternProblem('(?:a+)+')).toContain('repeats a group');
    expect(patternProblem('(on|off)\\b')).toBeUndefined();
    expect(patternProblem('([*+]x)+')).toBeUndefined();
  });
});
