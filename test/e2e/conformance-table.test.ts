import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bpconf, changingCalls, setFaults } from '../netbackup-sim/layout.js';
import { EXECUTORS, type RunOptions } from '../helpers/executors.js';
import { createToken, makeSite, type Site } from '../helpers/site.js';

/** One row of test/conformance/table.yaml (its header says what each field means). */
interface Row {
  name: string;
  fixes?: string;
  site: 'dmz';
  host: string;
  bpconf?: string;
  run?: {
    stage?: string;
    token?: boolean;
    confirm?: string[];
    stepTimeout?: number;
    outcomes?: boolean;
  };
  faults?: Parameters<typeof setFaults>[1];
  emm?: { name: string; version: string }[];
  remove?: string[];
  expect: {
    code: number;
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
  writeFileSync(join(site.domain, 'session.json'), '{}');
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
    };
    const r = await ex.run(site, row.host, o);
    const e = row.expect;
    expect(r.code, r.output).toBe(e.code);
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
  });
});

describe('the conformance table', () => {
  it('names, for each row that leaves an executor out, why', () => {
    expect(rows.filter((r) => r.executors && !r.because).map((r) => r.name)).toEqual([]);
  });
});
