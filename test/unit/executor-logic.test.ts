import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { verdict } from '../../src/doctor/verdict.js';
import { certificateState, certificateVerdict } from '../../src/execute/certificate-state.js';
import { configChange, parseConfigLines } from '../../src/execute/config-diff.js';
import { describeResolved } from '../../src/execute/dry-run.js';
import { journalLine, parseJournal, progressOf, stillOwed, type JournalEntry } from '../../src/execute/journal.js';
import { REDACTED, RedactedLines, Redactor } from '../../src/execute/redact.js';
import { psQuote, shAnsiC, shQuote } from '../../src/render/quote.js';
import { base, host, planOf, step } from '../helpers/env.js';

describe('the configuration diff', () => {
  const planned = [
    { key: 'SERVER', value: 'p.example' },
    { key: 'SERVER', value: 'm1.example' },
    { key: 'CLIENT_NAME', value: 'c1.example' },
  ];

  it('merges a repeated key with the values already on the host, the planned ones first', () => {
    const current = parseConfigLines('SERVER = old.example\nSERVER = m1.example\nCLIENT_NAME = c1.example\n');
    const change = configChange(current, planned, ['SERVER']);
    expect(change.changedKeys).toEqual(['SERVER']);
    expect(change.stdin).toBe('SERVER = p.example\nSERVER = m1.example\nSERVER = old.example\n');
  });

  it('never mentions keys the plan does not own, and leaves matching keys alone', () => {
    const current = parseConfigLines(
      'SERVER = p.example\nSERVER = m1.example\nCLIENT_NAME = c1.example\nVERBOSE = 5\nKEEP_LOGS_DAYS = 3\n',
    );
    const change = configChange(current, planned, ['SERVER']);
    expect(change).toEqual({ stdin: '', changedKeys: [] });
  });

  it('rewrites a repeated key whose order is wrong: the first SERVER is the primary', () => {
    const current = parseConfigLines('SERVER = m1.example\nSERVER = p.example\nCLIENT_NAME = c1.example\n');
    expect(configChange(current, planned, ['SERVER']).stdin).toBe('SERVER = p.example\nSERVER = m1.example\n');
  });

  it('reads only KEY = VALUE lines, trimming spaces, whatever else nbgetconfig prints', () => {
    expect(parseConfigLines('  SERVER =  p.example  \n# comment\nnot a line\n= x\nlower = y\n')).toEqual([
      ['SERVER', 'p.example'],
    ]);
  });
});

describe('the redactor', () => {
  const secret = 'QWERTYUIOPASDFGH';

  it('redacts a secret split across output chunks', () => {
    const r = new Redactor();
    r.add('s3cret-passphrase');
    const lines = new RedactedLines(r);
    const shown = [...lines.push('before s3cret-pa'), ...lines.push('ssphrase after\nnext'), ...lines.flush()];
    expect(shown).toEqual([`before ${REDACTED} after`, 'next']);
  });

  it('redacts a known secret inside a longer word', () => {
    const r = new Redactor();
    r.add('hunter2!');
    expect(r.redact('x=prefixhunter2!suffix')).toBe(`x=prefix${REDACTED}suffix`);
  });

  it('redacts anything shaped like a token, even one it was not told about', () => {
    expect(new Redactor().redact(`token: ${secret}.`)).toBe(`token: ${REDACTED}.`);
  });
});

describe('journal progress and the restart still owed', () => {
  const entry = (step: string, event: JournalEntry['event'], extra: Partial<JournalEntry> = {}): JournalEntry => ({
    time: '2026-01-01T00:00:00Z',
    plan: 'P',
    host: 'h',
    step,
    event,
    verified: true,
    ...extra,
  });
  const owed = (entries: JournalEntry[]) => stillOwed(progressOf(entries, 'P', 'h'), new Set(), 'restart', 'setting');

  it('owes the restart after the setting changed and the restart failed', () => {
    expect(owed([entry('setting', 'ok', { changed: true }), entry('restart', 'failed', { exit: 1 })])).toBe(true);
  });

  it('owes nothing once the restart ran after the change', () => {
    expect(owed([entry('setting', 'ok', { changed: true }), entry('restart', 'ok', { changed: true })])).toBe(false);
  });

  it('owes nothing when the setting was already as planned', () => {
    expect(owed([entry('setting', 'skipped'), entry('restart', 'skipped')])).toBe(false);
  });

  it('counts a change step started and never finished (killed) as a change', () => {
    expect(owed([entry('setting', 'start')])).toBe(true);
    expect(owed([entry('setting', 'start'), entry('setting', 'interrupted')])).toBe(true);
  });

  it('owes it again when the setting changed after the last restart', () => {
    const entries = [
      entry('setting', 'ok', { changed: true }),
      entry('restart', 'ok', { changed: true }),
      entry('setting', 'ok', { changed: true }),
    ];
    expect(owed(entries)).toBe(true);
  });

  it('takes no unmarked line (edited, forged) as a step done; an unmarked start still owes a restart', () => {
    const forged = (step: string, event: JournalEntry['event']) => entry(step, event, { verified: false });
    expect([...progressOf([forged('a', 'ok'), forged('b', 'confirmed')], 'P', 'h').done]).toEqual([]);
    expect(owed([entry('setting', 'ok', { changed: true }), forged('restart', 'ok')])).toBe(true);
    expect(owed([forged('setting', 'start')])).toBe(true);
  });

  it('marks each line so that a changed line no longer verifies', () => {
    const key = Buffer.alloc(32, 7);
    const line = journalLine(entry('a', 'ok'), key);
    expect(parseJournal(line, key)[0]!.verified).toBe(true);
    expect(parseJournal(line.replace('"ok"', '"skipped"'), key)[0]!.verified).toBe(false);
    expect(parseJournal(line, Buffer.alloc(32, 8))[0]!.verified).toBe(false);
    expect(parseJournal(JSON.stringify(entry('a', 'ok')), key)[0]!.verified).toBe(false);
  });

  it('knows what is done for this plan and host only', () => {
    const p = progressOf(
      [
        entry('a', 'ok'),
        entry('b', 'skipped'),
        { ...entry('c', 'ok'), plan: 'OTHER' },
        { ...entry('d', 'ok'), host: 'x' },
      ],
      'P',
      'h',
    );
    expect([...p.done]).toEqual(['a', 'b']);
    expect(p.lastPlan).toBe('OTHER');
  });
});

describe('the dry-run description', () => {
  const plan = planOf({ ...base, clients: [{ name: 'c1.corp.example', zone: 'dmz' }] });

  it('shows the exact path and argv, the files it hands over, and when it is skipped', () => {
    const s = step(plan, 'c1.corp.example:cert.get');
    const lines = describeResolved({ step: s, invocation: s.command! }, 3, 'linux', false).join('\n');
    expect(lines).toContain(`[cert.get] ${s.title}`);
    expect(lines).toContain(
      `run:   ${s.command!.file} ${s.command!.args.join(' ').replace('{file:token}', '<token file>')}`,
    );
    expect(lines).toContain('<token file>: the authorization token, written to a 0600 file');
    expect(lines).toMatch(/skip: {2}if `.*nbcertcmd -listCertDetails`/);
  });

  it('says that a step done in an earlier run will not run again', () => {
    const s = host(plan, 'c1.corp.example').steps[0]!;
    expect(describeResolved({ step: s }, 1, 'linux', true).join('\n')).toContain('done in an earlier run');
  });

  it('warns when a step interrupts jobs', () => {
    const restart = plan.hosts[0]!.steps.find((s) => s.interruptsService)!;
    expect(describeResolved({ step: restart }, 1, 'linux', false).join('\n')).toContain('interrupts running backup');
  });
});

describe("the doctor's verdict", () => {
  it('says no tunnel is needed when the direct path works', () => {
    const v = verdict('c', 'p', 1556, [{ via: 'direct', ok: true, ms: 1 }], []);
    expect(v).toBe('c reaches the primary p directly on port 1556: no tunnel is needed.');
  });

  it('names the working tunnel, the named one first, and the token remedy', () => {
    const v = verdict(
      'c',
      'p',
      1556,
      [
        { via: 'direct', ok: false, stage: 'connect', error: 'ECONNREFUSED', ms: 1 },
        { via: 'm2', ok: true, ms: 1 },
        { via: 'm1', ok: true, ms: 1 },
      ],
      ['m1'],
    );
    expect(v).toContain('the TCP connection failed (ECONNREFUSED)');
    expect(v).toContain('list MEDIA_SERVER = m1, MEDIA_SERVER = m2');
    expect(v).toContain('5954 or 5955');
  });

  it('names the hops to check when nothing works', () => {
    const v = verdict('c', 'p', 1556, [{ via: 'direct', ok: false, stage: 'dns', error: 'ENOTFOUND', ms: 1 }], []);
    expect(v).toMatch(
      /^No path from c to p works\. Check the firewall hops: client -> p:1556 \(direct: name resolution/,
    );
    expect(v).toContain('No tunnel media server was named');
  });
});

// Every character that matters to a POSIX shell, and the ones that matter to PowerShell.
const NASTY = [
  'plain',
  '',
  'with space',
  "it's",
  '"double"',
  '$HOME',
  '`uname`',
  '$(id)',
  'a;b&c|d',
  'x>y<z',
  '*?[a]',
  '~root',
  '#hash',
  '!bang',
  'back\\slash',
  'tab\there',
  '{a,b}',
  '-leading-dash',
  'ünïcödé',
  'smart ‘single’ ‚low‛',
  'smart “double” „low',
];

describe('shell quoting', () => {
  it.each(NASTY)('hands %j to a command byte for byte in bash', (value) => {
    const out = execFileSync('bash', ['-c', `printf '%s' ${shQuote(value)}`], { encoding: 'utf8' });
    expect(out).toBe(value);
  });

  it.each([...NASTY, 'two\nlines', "quote'\nand newline"])("keeps %j intact in $'...'", (value) => {
    const out = execFileSync('bash', ['-c', `printf '%s' ${shAnsiC(value)}`], { encoding: 'utf8' });
    expect(out).toBe(value);
  });
});

describe('PowerShell quoting', () => {
  // PowerShell ends a single-quoted string at any of these, and reads two in a row as one literal.
  const QUOTES = ["'", '\u2018', '\u2019', '\u201A', '\u201B'];

  it.each([
    ['plain', "'plain'"],
    ["it's", "'it''s'"],
    ['it’s', "'it’’s'"],
    ['‘a’ ‚b‛', "'‘‘a’’ ‚‚b‛‛'"],
    ['$env:PATH `n "x"', '\'$env:PATH `n "x"\''],
    ['C:\\Program Files\\Veritas', "'C:\\Program Files\\Veritas'"],
  ])('quotes %j as %s', (value, quoted) => {
    expect(psQuote(value)).toBe(quoted);
  });

  it.each(NASTY)('never lets %j end the string early', (value) => {
    const inner = psQuote(value).slice(1, -1);
    // Inside, every run of quote characters has an even length: each is a doubled, literal quote.
    for (const run of inner.match(new RegExp(`[${QUOTES.join('')}]+`, 'g')) ?? []) expect(run.length % 2).toBe(0);
  });
});

describe('the state of a listed host certificate', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const listed = (expiry: string, extra = '') => `Host ID : abc\n  Expiry Date : ${expiry}\n${extra}`;

  it.each([
    [listed('Mon, 01 Jun 2026 00:00:00 GMT'), { reissue: 'the host certificate expired on 2026-06-01' }],
    [listed('Sun, 31 May 2026 10:00:00 GMT'), { reissue: 'the host certificate expired on 2026-05-31' }],
    [listed('Fri, 01 Jan 2027 00:00:00 GMT', '  State : Revoked\n'), { reissue: 'the host certificate is revoked' }],
    [listed('Fri, 01 Jan 2027 00:00:00 GMT'), {}],
    ['Host ID : abc\n', {}],
  ])('reads %j', (output, verdict) => {
    expect(certificateVerdict(certificateState(output), now, 30)).toEqual(verdict);
  });

  it('warns within 30 days of expiry', () => {
    const v = certificateVerdict(certificateState(listed('Thu, 11 Jun 2026 00:00:00 GMT')), now, 30);
    expect(v.warning).toContain('expires on 2026-06-11, in 10 days');
    expect(v.reissue).toBeUndefined();
  });
});
