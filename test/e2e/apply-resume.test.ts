import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAnswersFile } from '../../src/environment/load.js';
import { buildPlan } from '../../src/plan/build.js';
import { argvLog, setFaults } from '../netbackup-sim/layout.js';
import { BIN } from '../helpers/bin.js';
import { cli } from '../helpers/cli.js';
import { createToken, makeSite, type Site } from '../helpers/site.js';
import { stepCalls } from '../helpers/step-calls.js';

function dmzSite(): { site: Site; token: string } {
  const site = makeSite({ clients: [{ name: 'w1.dmz.example', zone: 'dmz', tunnelVia: ['m1.corp.example'] }] });
  const token = createToken(site);
  writeFileSync(join(site.domain, 'session.json'), '{}');
  return { site, token };
}

const HOSTS = ['w1.dmz.example', 'p.corp.example'];

describe('a failure at every step, then --resume', () => {
  const { site: probe } = dmzSite();
  const plan = buildPlan(loadAnswersFile(probe.answers).environment);

  for (const hostName of HOSTS) {
    const calls = stepCalls(plan.hosts.find((h) => h.name === hostName)!);
    it.each(calls)(
      `${hostName}: failing $id exits 1, and --resume finishes without re-running a finished step`,
      async ({ id, stage, match, exact, nth }) => {
        const { site, token } = dmzSite();
        const host = site.hosts[hostName]!;
        setFaults(host, [{ match, exact, nth, times: 1, exit: 1, message: `injected failure at ${id}` }]);
        const args = [
          'apply',
          '--answers',
          site.answers,
          '--host',
          hostName,
          '--this-host',
          hostName,
          '--state-dir',
          site.stateDir,
          '--yes',
          '--token-file',
          site.tokenFile(token),
          '--confirm',
          'login,security.level,tighten.login,verify.login',
          '--stage',
          stage,
        ];
        const first = await cli(args, { cwd: site.dir });
        expect(first.code, first.stdout).toBe(1);
        expect(first.stdout).toContain(`Failed: `);
        expect(first.stdout).toContain(`(${id}): exit status 1`);
        expect(first.stdout).toMatch(/continue with: nbsecure apply .* --resume/);

        const second = await cli([...args, '--resume'], { cwd: site.dir });
        expect(second.code, second.stdout).toBe(0);
        // Steps whose need is read from the host's state each time (is the captured token at hand?) are
        // judged afresh; every other step that succeeded once is not run again.
        const stateful = new Set(
          plan.hosts
            .flatMap((h) => h.steps)
            .filter((s) => s.skipIfCaptured)
            .map((s) => s.id),
        );
        const allOks = site
          .journal(hostName)
          .filter((e) => e.event === 'ok')
          .map((e) => e.step);
        const oks = allOks.filter((s) => !stateful.has(s));
        expect(oks.filter((s, i) => oks.indexOf(s) !== i)).toEqual([]); // no step succeeded twice
        expect(allOks).toContain(id);
      },
    );
  }
});

describe('an interrupt while a step hangs', () => {
  it('passes SIGINT to the child, journals it, removes the token file and exits 130', async () => {
    const { site, token } = dmzSite();
    const host = site.hosts['w1.dmz.example']!;
    setFaults(host, [{ match: 'nbcertcmd -getCertificate', hang: true }]);
    const child = spawn(
      process.execPath,
      [
        BIN,
        'apply',
        '--answers',
        site.answers,
        '--host',
        'w1.dmz.example',
        '--this-host',
        'w1.dmz.example',
        '--state-dir',
        site.stateDir,
        '--yes',
        '--token-file',
        site.tokenFile(token),
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true' },
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const hanging = join(host.root, 'sim', 'hanging');
    for (let i = 0; i < 200 && !existsSync(hanging); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(hanging)).toBe(true);
    child.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 15_000))]);
    expect(code).toBe(130);
    expect(out).toContain('Interrupted during w1.dmz.example:cert.get');
    const journal = site.journal('w1.dmz.example');
    expect(journal.at(-1)).toMatchObject({ step: 'w1.dmz.example:cert.get', event: 'interrupted' });
    const get = argvLog(host).find((l) => l.args[0] === '-getCertificate')!;
    expect(existsSync(get.args[2]!)).toBe(false);
    const pid = Number(readFileSync(hanging, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow(); // the hanging child is gone
    expect(out).not.toContain(token);
  });
});
