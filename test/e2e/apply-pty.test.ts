import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { readState } from '../netbackup-sim/layout.js';
import { terminal } from '../helpers/tmux.js';
import { withTools } from '../helpers/tools.js';
import { applyArgs, createToken, makeSite } from '../helpers/site.js';

const PRIMARY = 'p.corp.example';
const sessions: ReturnType<typeof terminal>[] = [];
afterEach(() => sessions.splice(0).forEach((s) => s.kill()));

/** apply's tighten stage on the simulated primary, asking its consent on a terminal (no --yes). */
function tightenOnTerminal() {
  const site = makeSite();
  createToken(site);
  // The web login is done: the session the simulator keeps after it.
  writeFileSync(join(site.domain, 'session.json'), '{}');
  const args = applyArgs(site, PRIMARY, [
    '--confirm',
    'login,security.level,tighten.login',
    '--stage',
    'tighten',
  ]).filter((a) => a !== '--yes');
  const t = terminal(args, { NO_COLOR: '1', HOME: process.env.HOME! });
  sessions.push(t);
  return { site, t };
}

withTools('tmux').describe('apply asking on a terminal (tmux, 80x24)', () => {
  it('a restart of the primary’s services runs only when its name is typed out; "y" runs nothing', async () => {
    const { site, t } = tightenOnTerminal();
    await t.answer(/Type p\.corp\.example to run them:/, 'y');
    expect(await t.exitCode()).toBe(1);
    expect(t.history()).toContain('p.corp.example was not typed; nothing was run.');
    // The simulator writes its settings only when one changes: no file, nothing changed.
    expect(existsSync(join(site.domain, 'security.json'))).toBe(false);
  }, 60_000);

  it('the name typed out runs the steps: insecure communication off, the services restarted once', async () => {
    const { site, t } = tightenOnTerminal();
    await t.answer(/Type p\.corp\.example to run them:/, PRIMARY);
    expect(await t.exitCode(30_000)).toBe(0);
    const sec = readState<{ restarts: number; effectiveInsecure: string }>(join(site.domain, 'security.json'));
    expect(sec).toMatchObject({ restarts: 1, effectiveInsecure: 'off' });
  }, 60_000);
});
