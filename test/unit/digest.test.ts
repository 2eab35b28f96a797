import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { planDigest } from '../../src/plan/digest.js';
import { base, planOf } from '../helpers/env.js';

describe('plan digest', () => {
  it('is the sha256 of the plan without its digest, serialised as written', () => {
    const plan = planOf(base);
    const { digest, ...rest } = plan;
    expect(digest).toBe(createHash('sha256').update(JSON.stringify(rest)).digest('hex'));
    expect(planDigest(JSON.parse(JSON.stringify(plan)))).toBe(digest);
  });

  it('changes when any step changes', () => {
    const plan = JSON.parse(JSON.stringify(planOf(base)));
    plan.hosts[1].steps[0].stdin = 'SERVER = evil.example\n';
    expect(planDigest(plan)).not.toBe(plan.digest);
  });
});
