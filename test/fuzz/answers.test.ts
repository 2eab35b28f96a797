import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parse } from 'yaml';
import { cli } from '../helpers/cli.js';

/** A small seeded generator (mulberry32): the same seed gives the same hostile files on every run. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}
type Rng = ReturnType<typeof rng>;
type Answers = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const EXAMPLES = readdirSync('examples')
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => parse(readFileSync(join('examples', f), 'utf8')) as Answers);

const BAD_NAMES = [
  'bad_name!',
  '',
  '-lead.example',
  `${'a'.repeat(64)}.example`,
  'x..y',
  'hôst.example',
  'a b',
  'x\ny',
];
const BAD_PATHS = ['/x\nSERVER = evil.example', '/nb\u0000', 'relative/path', '/it’s', '/a\rb', '\t/tab', 'C:relative'];
/** The primary, put back if an earlier mutation removed it: each mutation must stand on its own. */
const P = (a: Answers): Answers => (a.primary ??= { name: 'p.example' });
const hosts = (a: Answers): Answers[] => [
  P(a),
  ...(Array.isArray(a.mediaServers) ? a.mediaServers : []),
  ...(Array.isArray(a.clients) ? a.clients : []),
];

/** Each makes the answers invalid on its own, whatever else is true of them. */
const VIOLATIONS: ((a: Answers, r: Rng) => Answers | string)[] = [
  (a, r) => ((r.pick(hosts(a)).name = r.pick(BAD_NAMES)), a),
  (a, r) => ((P(a).version = r.pick(['10', 10.4, 'v10', '10.4.x', null, '7.7', '8.0'])), a),
  (a, r) => ((r.pick([a, P(a), ...hosts(a)])[r.pick(['colour', 'Name', 'zone ', '__proto__x'])] = 1), a),
  (a, r) => ((P(a).installPath = r.pick(BAD_PATHS)), a),
  (a, r) => ((a.installPath = r.pick(BAD_PATHS)), a),
  (a, r) => {
    a.certificates = { authority: 'eca', eca: { certPath: '/c', privateKeyPath: '/k', trustStorePath: '/t' } };
    a.certificates.eca[r.pick(['certPath', 'crlPath', 'passphraseFile', 'trustStorePath'])] = r.pick(BAD_PATHS);
    return a;
  },
  (a, r) => ((a.certificates = { authority: r.pick(['foo', 'ECA', 1, null]) }), a),
  (a, r) => ((a.certificates = { securityLevel: r.pick(['max', 'High', '', 3]) }), a),
  (a, r) => ((a.security = { dataInTransitEncryption: r.pick(['on', 'always', true]) }), a),
  (a, r) => ((a.clients = [{ name: 'c.example', zone: r.pick(['moon', 'DMZ', 0]) }]), a),
  (a, r) => ((P(a).os = r.pick(['mac', 'Linux', 'win', 7])), a),
  (a, r) => ((a.certificates = { caFingerprint: r.pick(['AB:CD', 'zz'.repeat(32), `${'AB:'.repeat(32)}`]) }), a),
  (a, r) => ((a.certificates = { token: { name: r.pick(['-x', 'a b', 'x'.repeat(65), '']) } }), a),
  (a, r) => ((a.certificates = { token: { maxUses: r.pick([0, -1, 1.5, '5', 1e9]) } }), a),
  (a, r) => ((a.certificates = { token: { validFor: r.pick(['2 days', 'D2', '1W', 5]) } }), a),
  (a, r) => ((a.version = r.pick([2, '1', 0, null])), a),
  (a) => (delete a.primary, a),
  (a, r) => (
    (a.clients = [{ name: 'c.example', tunnelVia: [r.pick(['nowhere.example', 'm9.example'])], zone: 'dmz' }]),
    a
  ),
  (a) => ((a.clients = [{ name: 'c.example', tunnelVia: [a.mediaServers?.[0]?.name ?? 'm.example'] }]), a),
  (a) => ((a.clients = [{ name: P(a).name.toUpperCase() }]), a),
  (a, r) => ((a.mediaServers = r.pick(['m1.example', { name: 'm.example' }, 5])), a),
  (a, r) => ((a.hardening = { mfa: r.pick(['yes', 1, null]) }), a),
  (a) => ((a.certificates = { authority: 'eca' }), a),
  (a) => {
    a.clients = Array.from({ length: 30 }, (_, i) => ({ name: `c${i}.example`, zone: 'dmz' }));
    a.certificates = { token: { maxUses: 2 } };
    return a;
  },
  (a) => ((a.mediaServers = []), (a.clients = [{ name: 'c.example', zone: 'dmz' }]), a),
  (a) => (
    (a.certificates = { securityLevel: 'very-high', token: { maxUses: 1 } }),
    (a.clients = [{ name: 'a.x' }, { name: 'b.x' }]),
    a
  ),
  (_a, r) => r.pick(['', '---\n', '- a\n- b\n', '42\n', 'null\n', '"text"\n', '[]', '{}']),
  (_a, r) =>
    r.pick(['version: 1\nprimary: { name: p.example\n', 'version: 1\n\tprimary: x\n', '{"version": 1,}', ': :\n']),
  () => 'version: 1\nprimary: { name: p.example }\nprimary: { name: q.example }\n',
  () => '{"version":1,"primary":{"name":"p.example","name":"q.example"}}',
  (_a, r) => Buffer.from(Array.from({ length: 200 }, () => r.int(256))).toString('latin1'),
  () => `${'['.repeat(5000)}${']'.repeat(5000)}`,
  () => `version: 1\nprimary: { name: ${'a'.repeat(1_000_000)} }\n`,
  () => {
    const levels = Array.from({ length: 10 }, (_, i) => `l${i + 1}: &l${i + 1} [${Array(9).fill(`*l${i}`).join(',')}]`);
    return `l0: &l0 [x]\n${levels.join('\n')}\nversion: 1\nprimary: { name: p.example }\n`;
  },
];

/** Keeps the answers' meaning: order, encoding, line endings. */
function serialise(a: Answers | string, r: Rng): string {
  if (typeof a === 'string') return a;
  let text = r.next() < 0.5 ? JSON.stringify(a, null, r.pick([0, 2])) : stringify(a);
  if (r.next() < 0.2) text = text.replace(/\n/g, '\r\n');
  if (r.next() < 0.1) text = `\uFEFF${text}`;
  return text;
}

const FILES = 1000;
const SEED = 20261122;

describe('the answers fuzzer', () => {
  it(`refuses ${FILES} seeded hostile files with exit 2, a message, nothing written and no stack trace`, async () => {
    const r = rng(SEED);
    const dir = mkdtempSync(join(tmpdir(), 'nbsecure-fuzz-'));
    const failures: string[] = [];
    const started = Date.now();
    for (let i = 0; i < FILES; i++) {
      let answers: Answers | string = structuredClone(r.pick(EXAMPLES));
      for (let k = 1 + r.int(2); k > 0; k--) {
        answers = typeof answers === 'string' ? answers : r.pick(VIOLATIONS)(answers, r);
      }
      const file = join(dir, `f${i}.${r.next() < 0.5 ? 'yaml' : 'json'}`);
      writeFileSync(file, serialise(answers, r));
      const out = join(dir, `out${i}`);
      const res = await cli(['plan', '--answers', file, '--out', out]);
      const bad =
        res.code !== 2
          ? `exit ${res.code}`
          : !res.stderr.trim()
            ? 'no message'
            : /internal error|\n\s+at /.test(res.stderr)
              ? 'stack trace or internal error'
              : existsSync(out) || res.stdout
                ? 'wrote something'
                : '';
      if (bad) failures.push(`${file}: ${bad}: ${res.stderr.slice(0, 300)}`);
    }
    console.log(
      `answers fuzzer: ${FILES} hostile files, ${failures.length} not refused cleanly, ${Date.now() - started} ms`,
    );
    expect(failures).toEqual([]);
  }, 120_000);
});
