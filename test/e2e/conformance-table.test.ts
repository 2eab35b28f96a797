import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { argvLog, bpconf, changingCalls, readState, setFaults } from '../netbackup-sim/layout.js';
import { EXECUTORS, type RunOptions } from '../helpers/executors.js';
import { createToken, makeSite, type Site } from '../helpers/site.js';

/** One row of test/conformance/table.yaml (its header says what each field means). */
interface Row {
  name: string;
  fixes?: string;
  site: 'dmz';
  login?: boolean;
  runs?: number;
  host: string;
  bpconf?: string;
  run?: {
    stage?: string;
    token?: boolean;
    confirm?: string[];
    stepTimeout?: number;
    outcomes?: boolean;
    apiKey?: boolean;
  };
  faults?: Parameters<typeof setFaults>[1];
  emm?: { name: string; version: string }[];
  remove?: string[];
  expect: {
    code: number;
    first?: number;
    again?: 'unchanged';
    once?: string[];
    neverRan?: string[];
    servers?: string[];
    certificate?: boolean;
    domain?: Record<string, Record<string, unknown>>;
    keyTo?: string[];
    keyNeverTo?: string[];
    secretsNowhere?: ('token' | 'apiKey')[];
    output?: string[];
    lacks?: string[];
    calls?: string[];
    noCalls?: string[];
    bpconf?: string[];
    lacksBpconf?: string[];
    outcomes?: Record<string, string>;
  };
  executors?: string[];
  because?: string;
}

const TABLE = join(import.meta.dirname, '..', 'conformance', 'table.yaml');
const rows = (parse(readFileSync(TABLE, 'utf8')) as { rows: Row[] }).rows;
const DAY = 86_400_000;
const API_KEY = 'A8fmNjyB5DvvzAN1CnRWblMv160U1Vt5hs5P2fqj81pJh9224HRus-table';

/** The row's {placeholders} filled in: dates relative to now, the site's token. */
function filled(text: string, token: string): string {
  return text
    .replace(/\{in (\d+) days\}/g, (_m, n: string) => new Date(Date.now() + Number(n) * DAY).toUTCString())
    .replace(/\{(\d+) days ago\}/g, (_m, n: string) => new Date(Date.now() - Number(n) * DAY).toUTCString())
    .replace(/\{token\}/g, token);
}

function siteFor(row: Row): { site: Site; token: string } {
  const site = makeSite({
    clients: [{ name: 'w1.dmz.example', zone: 'dmz', tunnelVia: ['m1.corp.example'] }],
    ...(row.bpconf ? { bpconf: { [row.host]: row.bpconf } } : {}),
  });
  // A web login happened, or (login: false) nobody logged in and the primary knows the API key instead.
  if (row.login === false) writeFileSync(join(site.domain, 'apikey'), API_KEY);
  else writeFileSync(join(site.domain, 'session.json'), '{}');
  const token = createToken(site);
  const host = site.hosts[row.host]!;
  if (row.faults) {
    setFaults(
      host,
      row.faults.map((f) => ({ ...f, ...(f.output !== undefined ? { output: filled(f.output, token) } : {}) })),
    );
  }
  if (row.emm) writeFileSync(join(site.domain, 'emm.json'), JSON.stringify(row.emm));
  for (const name of row.remove ?? []) {
    for (const dir of ['bin', join('bin', 'admincmd')])
      rmSync(join(host.root, 'netbackup', dir, name), { force: true });
  }
  return { site, token };
}

const startsWithCall = (calls: string[], call: string) => calls.some((c) => c.startsWith(call));

describe.each(EXECUTORS)('the conformance table: $name', (ex) => {
  const mine = rows.filter((r) => !r.executors || r.executors.includes(ex.short));
  it.each(mine)('$name', async (row) => {
    const { site, token } = siteFor(row);
    const o: RunOptions = {
      ...(row.run?.stage ? { stage: row.run.stage } : {}),
      ...(row.run?.token ? { token } : {}),
      ...(row.run?.confirm ? { manualDone: row.run.confirm } : {}),
      ...(row.run?.stepTimeout ? { stepTimeout: row.run.stepTimeout } : {}),
      ...(row.run?.outcomes ? { outcomes: true } : {}),
      ...(row.run?.apiKey ? { apiKey: API_KEY } : {}),
    };
    const sim = site.hosts[row.host]!;
    const e = row.expect;
    let r = await ex.run(site, row.host, o);
    if (e.first !== undefined) expect(r.code, r.output).toBe(e.first);
    let before = changingCalls(sim);
    for (let n = 1; n < (row.runs ?? 1); n++) {
      before = changingCalls(sim);
      r = await ex.run(site, row.host, o);
    }
    expect(r.code, r.output).toBe(e.code);
    if (e.again) expect(changingCalls(sim)).toEqual(before);
    // Ansible wraps its warnings: texts compare with runs of white space as one space.
    const flat = (t: string) => t.replace(/\s+/g, ' ');
    for (const text of e.output ?? []) expect(flat(r.output)).toContain(flat(filled(text, token)));
    for (const text of e.lacks ?? []) expect(flat(r.output)).not.toContain(flat(filled(text, token)));
    const calls = changingCalls(site.hosts[row.host]!);
    for (const call of e.calls ?? []) expect(calls, `${call} ran`).toSatisfy((c: string[]) => startsWithCall(c, call));
    for (const call of e.noCalls ?? [])
      expect(calls, `${call} did not run`).not.toSatisfy((c: string[]) => startsWithCall(c, call));
    const conf = bpconf(site.hosts[row.host]!);
    for (const text of e.bpconf ?? []) expect(conf).toContain(text);
    for (const text of e.lacksBpconf ?? []) expect(conf).not.toContain(text);
    if (e.outcomes) expect(r.outcomes).toMatchObject(e.outcomes);
    for (const call of e.once ?? [])
      expect(
        calls.filter((c) => c.startsWith(call)),
        call,
      ).toHaveLength(1);
    const log = argvLog(sim);
    const ran = log.map((l) => [l.cmd, ...l.args].join(' '));
    for (const cmd of e.neverRan ?? []) expect(ran.filter((l) => l.startsWith(cmd))).toEqual([]);
    if (e.servers) expect([...conf.matchAll(/^SERVER = (.+)$/gm)].map((m) => m[1])).toEqual(e.servers);
    if (e.certificate) expect(readState<{ host?: object }>(join(sim.root, 'sim', 'certs.json')).host).toBeDefined();
    for (const [file, values] of Object.entries(e.domain ?? {})) {
      expect(readState<object>(join(site.domain, file))).toMatchObject(values);
    }
    const withKey = log.filter((l) => l.apiKeyEnv).map((l) => [l.cmd, ...l.args].join(' '));
    for (const cmd of e.keyTo ?? []) expect(withKey, cmd).toSatisfy((c: string[]) => startsWithCall(c, cmd));
    for (const cmd of e.keyNeverTo ?? []) expect(withKey.filter((l) => l.startsWith(cmd))).toEqual([]);
    for (const kind of e.secretsNowhere ?? []) {
      const secret = kind === 'token' ? token : API_KEY;
      expect(r.output).not.toContain(secret);
      expect(JSON.stringify(Object.values(site.hosts).map(argvLog))).not.toContain(secret);
      // No NetBackup command inherited one of nbsecure's secret variables.
      expect(log.filter((l) => l.secretEnv.length)).toEqual([]);
      for (const f of ex.leftovers(site)) expect(readFileSync(f, 'utf8'), f).not.toContain(secret);
    }
  });
});

describe('the conformance table', () => {
  it('names, for each row that leaves an executor out, why', () => {
    expect(rows.filter((r) => r.executors && !r.because).map((r) => r.name)).toEqual([]);
  });
});
