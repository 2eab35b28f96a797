// Every step is bounded: by its deadline, by the size of what it prints, and by Ctrl-C, whatever the command
// leaves behind (a child holding its output open, a flood of output, a signal it ignores).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { setFaults, simPid } from '../netbackup-sim/layout.js';
import { BIN } from '../helpers/bin.js';
import { cli } from '../helpers/cli.js';
import { applyArgs, makeSite, type Site } from '../helpers/site.js';

const C1 = 'c1.corp.example';
const CA = 'nbcertcmd -getCACertificate';
const left: number[] = [];
afterEach(() => {
  for (const pid of left.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

/** Whether a process still runs: a zombie (killed, not yet reaped by an init that may never reap it) does not. */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** c1's simulated command's pid (simPid), killed after the test whatever happened. */
async function c1Pid(site: Site, name: 'orphan' | 'hanging'): Promise<number> {
  const pid = await simPid(site.hosts[C1]!, name);
  left.push(pid);
  return pid;
}

describe('a step is bounded', () => {
  it('by the grace after its command ends, not the step timeout, when a child holds the output open', async () => {
    const site = makeSite();
    setFaults(site.hosts[C1]!, [{ match: CA, orphan: true, times: 1 }]);
    const started = Date.now();
    const r = await cli(applyArgs(site, C1, ['--step-timeout', '60']));
    expect(r.code, r.stdout).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    // The child the command started lives on: nbsecure let go of the output, it killed nothing of the host's.
    expect(alive(await c1Pid(site, 'orphan'))).toBe(true);
  }, 60_000);

  it('by --step-timeout when the command hangs with a child holding its output: both are stopped', async () => {
    const site = makeSite();
    setFaults(site.hosts[C1]!, [{ match: CA, orphan: true, hang: true, times: 1 }]);
    const started = Date.now();
    const r = await cli(applyArgs(site, C1, ['--step-timeout', '2']));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('timed out after 2 s and was stopped, with every process it started');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(alive(await c1Pid(site, 'orphan'))).toBe(false);
    expect(alive(await c1Pid(site, 'hanging'))).toBe(false);
  }, 60_000);

  it('by the size of its output: a command that floods is stopped, never read whole', async () => {
    const site = makeSite();
    setFaults(site.hosts[C1]!, [{ match: CA, flood: 40, hang: true, times: 1 }]);
    const r = await cli(applyArgs(site, C1, ['--step-timeout', '60', '--json']));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('printed more output than any NetBackup command does');
    expect(r.stdout.length).toBeLessThan(24 * 1024 * 1024);
  }, 60_000);

  it("in the dry run's configuration read: a hanging nbgetconfig is stopped and said", async () => {
    const site = makeSite();
    setFaults(site.hosts[C1]!, [{ match: 'nbgetconfig', hang: true, orphan: true, times: 1 }]);
    const started = Date.now();
    const r = await cli(applyArgs(site, C1, ['--dry-run', '--step-timeout', '2']));
    expect(r.stdout + r.stderr).toContain('no answer in 2 s');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(alive(await c1Pid(site, 'orphan'))).toBe(false);
  }, 60_000);

  it('by Ctrl-C: SIGINT ends the step and what its command started, and apply exits 130', async () => {
    const site = makeSite();
    setFaults(site.hosts[C1]!, [{ match: CA, orphan: true, hang: true, times: 1 }]);
    const child = spawn(process.execPath, [BIN, ...applyArgs(site, C1)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true' },
    });
    child.stdout.resume();
    child.stderr.resume();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const orphan = await c1Pid(site, 'orphan');
    await c1Pid(site, 'hanging');
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(alive(orphan)).toBe(false);
  }, 60_000);
});
