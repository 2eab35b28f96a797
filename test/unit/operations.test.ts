import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../src/execute/load-plan.js';
import { planDigest } from '../../src/plan/digest.js';
import { lowerHost, OPERATIONS_VERSION } from '../../src/plan/operations.js';
import type { Plan } from '../../src/plan/types.js';
import { base, planOf } from '../helpers/env.js';

/** A plan written to a file, its digest made again after `edit`, as someone who edits plan.json would. */
function saved(edit: (p: Plan) => void): string {
  const plan = JSON.parse(JSON.stringify(planOf({ ...base, clients: [{ name: 'w1.dmz.example', zone: 'dmz' }] })));
  edit(plan);
  plan.digest = planDigest(plan);
  const file = join(mkdtempSync(join(tmpdir(), 'nbsecure-ops-')), 'plan.json');
  writeFileSync(file, JSON.stringify(plan));
  return file;
}

describe('plan.json carries the Step operations', () => {
  it('under their version, for every step, as the lowering makes them', () => {
    const plan = planOf(base);
    for (const h of plan.hosts) {
      const lowered = lowerHost(h);
      h.steps.forEach((s, i) => expect(s.operations).toEqual({ version: OPERATIONS_VERSION, list: lowered[i] }));
    }
  });

  it('refuses (exit 3) a plan whose operations say other than its steps, although its digest was made again', () => {
    const file = saved((p) => {
      const run = p.hosts[0]!.steps[0]!.operations!.list.find((o) => o.op === 'run')!;
      (run as { argv: string[] }).argv = ['/bin/sh', '-c', 'id'];
    });
    expect(() => loadPlanFile(file, { answers: 'unused' })).toThrow(/operations are not what nbsecure lowers/);
  });

  it('lowers a plan written before the operations when it is read', () => {
    const file = saved((p) => p.hosts.forEach((h) => h.steps.forEach((s) => delete s.operations)));
    const plan = loadPlanFile(file, { answers: 'unused' });
    for (const h of plan.hosts) {
      const lowered = lowerHost(h);
      h.steps.forEach((s, i) => expect(s.operations?.list).toEqual(lowered[i]));
    }
  });
});
