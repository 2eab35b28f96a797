import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { PlaybookEvent } from '../../src/rollout/events.js';
import { RolloutView } from '../../src/rollout/RolloutView.js';
import { planOf } from '../helpers/env.js';

describe('the rollout progress on a terminal', () => {
  it('counts each stage from the events, shows the host now running and the latest results', async () => {
    const answers = {
      version: 1,
      primary: { name: 'p.corp.example', version: '10.4' },
      mediaServers: [{ name: 'm1.corp.example' }],
      clients: [{ name: 'c1.corp.example' }, { name: 'c2.corp.example' }, { name: 'c3.corp.example' }],
    };
    const plan = planOf(answers);
    let push: ((e: PlaybookEvent) => void) | undefined;
    const feed = {
      subscribe(l: (e: PlaybookEvent) => void) {
        push = l;
        return () => {};
      },
    };
    const view = render(<RolloutView plan={plan} feed={feed} />);
    const tick = () => new Promise((r) => setImmediate(r));
    // The view listens once it has mounted: wait for that, as the command's feed would.
    for (let i = 0; i < 100 && !push; i++) await tick();
    push!({ event: 'stage', stage: 'clients', name: 'Clients' });
    push!({ event: 'start', stage: 'clients', host: 'c1.corp.example' });
    await tick();
    expect(view.lastFrame()).toContain('now: c1.corp.example');
    const done = (host: string, status: 'ok' | 'failed'): PlaybookEvent => ({
      event: 'host',
      stage: 'clients',
      host,
      task: 'Run the steps',
      steps_task: true,
      status,
      changed: true,
      steps: [
        { id: `${host}:config.set`, title: 'Write', outcome: status === 'ok' ? 'changed' : 'failed', detail: '' },
      ],
      ...(status === 'failed' ? { msg: 'Deploy the host certificate: exit status 1' } : {}),
    });
    push!(done('c1.corp.example', 'ok'));
    push!(done('c2.corp.example', 'failed'));
    await tick();
    const frame = view.lastFrame()!;
    expect(frame).toMatch(/clients\s+1\/3 done, 1 failed, 1 pending/);
    expect(frame).toContain('✓ c1.corp.example: 1 changed');
    expect(frame).toContain('✗ c2.corp.example: Deploy the host certificate: exit status 1');
    expect(frame).not.toContain('now: c1.corp.example');
  });
});
