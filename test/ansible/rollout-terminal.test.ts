import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { loadAnswersFile } from '../../src/environment/load.js';
import { buildPlan } from '../../src/plan/build.js';
import type { RolloutReport } from '../../src/rollout/report.js';
import { ansibleEnv, fleetSite, localInventory } from '../helpers/ansible.js';
import { terminal } from '../helpers/tmux.js';
import { withTools } from '../helpers/tools.js';

const { it } = withTools('ansible-playbook', 'tmux');
const sessions: ReturnType<typeof terminal>[] = [];
afterEach(() => sessions.splice(0).forEach((s) => s.kill()));

it('draws the rollout with Ink on a terminal and ends with the summary table', async () => {
  const site = fleetSite(2);
  const plan = buildPlan(loadAnswersFile(site.answers).environment);
  const out = join(site.dir, 'out');
  const t = terminal(
    [
      ...['rollout', '--answers', site.answers, '--inventory', localInventory(site, plan), '--out', out, '--yes'],
      ...['--confirm', 'login,security.level,tighten.login,verify.login'],
    ],
    { NO_COLOR: '1', HOME: process.env.HOME!, ...(ansibleEnv(site) as Record<string, string>) },
  );
  sessions.push(t);
  expect(await t.exitCode(300_000)).toBe(0);
  const screen = t.history();
  expect(screen).toMatch(/host\s+stage\s+outcome\s+changed/);
  expect(screen).toMatch(/w1\.dmz\.example\s+clients\s+done/);
  const report = JSON.parse(readFileSync(join(out, 'rollout-report.json'), 'utf8')) as RolloutReport;
  expect(report.hosts.every((h) => h.outcome === 'done')).toBe(true);
}, 400_000);
