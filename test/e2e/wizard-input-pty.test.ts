import { mkdtempSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { fieldValue } from '../helpers/field.js';
import { toDryRun } from '../helpers/wizard-flow.js';
import { terminal, wizardTerminal } from '../helpers/tmux.js';
import { withTools } from '../helpers/tools.js';
import { makeSite } from '../helpers/site.js';

const sessions: ReturnType<typeof terminal>[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.kill();
});

function run(
  args: string[] = [],
  env: Record<string, string> = { NO_COLOR: '1' },
  home = mkdtempSync(join(tmpdir(), 'nbsecure-home-')),
) {
  const t = wizardTerminal(args, env, home);
  sessions.push(t);
  return { t, home };
}

/** Up to the client list: a primary, no media servers. */
async function toClients(t: ReturnType<typeof terminal>) {
  await t.choose(/How do you want to start/, /Afresh/);
  await t.answer(/Primary server host name/, 'nbu-primary.corp.example');
  await t.choose(/Primary server operating system/, /Linux/);
  await t.answer(/Primary server NetBackup version/, '');
  await t.choose(/Media servers \(0\)/, /Done with media servers/);
  await t.wait(/Clients \(0\)/);
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `c${i + 1}.corp.example`);

withTools('tmux').describe('typing and pasting in the wizard, in a real terminal (tmux, 80x24)', () => {
  it.each([300, 1000])(
    'a bracketed paste of %i names, one per line, keeps every one',
    async (n) => {
      const { t } = run();
      await toClients(t);
      await t.choose(/Clients \(0\)/, /Paste a list/);
      await t.wait(/Host names/);
      t.paste(`${names(n).join('\n')}\n`);
      await t.wait(new RegExp(`c${n}\\.corp\\.example`));
      await t.press('\r');
      await t.wait(new RegExp(`Clients \\(${n}\\)`));
      await t.wait(new RegExp(`Added ${n} names\\.`));
    },
    60_000,
  );

  it('refuses the bad names of a paste by name, and keeps the good ones', async () => {
    const { t } = run();
    await toClients(t);
    await t.choose(/Clients \(0\)/, /Paste a list/);
    await t.wait(/Host names/);
    t.paste('a.corp.example\nbad_name!\n.example\nb.corp.example\n');
    await t.wait(/b\.corp\.example/);
    await t.press('\r');
    await t.wait(/Clients \(2\)/);
    await t.wait(/2 are not host names: bad_name!, \.example/);
  }, 60_000);

  it('`?` opens the help, and what is typed after it lands as typed', async () => {
    const { t } = run();
    await t.choose(/How do you want to start/, /Afresh/);
    await t.wait(/Primary server host name/);
    await t.press('?');
    await t.wait(/called master before 10\.x/);
    await t.press('nbu-primary.corp.example');
    await t.wait((f) => fieldValue(f) === 'nbu-primary.corp.example');
  });

  it('Ctrl-U, Ctrl-W, Home, End and two Backspaces in one write edit the line as readline does', async () => {
    const { t } = run();
    await t.choose(/How do you want to start/, /Afresh/);
    await t.wait(/Primary server host name/);
    await t.press('nbu-media');
    await t.wait((f) => fieldValue(f) === 'nbu-media');
    await t.press('\u0015');
    await t.wait((f) => (fieldValue(f) ?? '') === '');
    await t.press('a.example b.example');
    await t.wait((f) => fieldValue(f) === 'a.example b.example');
    await t.press('\u0017');
    await t.wait((f) => fieldValue(f) === 'a.example');
    await t.press('\u001b[H', 'x', '\u001b[F', 'yz');
    // Ctrl-W left the space before the word it removed, as readline does.
    await t.wait((f) => fieldValue(f) === 'xa.example yz');
    await t.press('\u007f\u007f');
    await t.wait((f) => fieldValue(f) === 'xa.example');
  });

  it('shows the cursor without colour (NO_COLOR): inverse video, no colour codes', async () => {
    const { t } = run();
    await t.choose(/How do you want to start/, /Afresh/);
    await t.wait(/Primary server host name/);
    await t.press('abc');
    await t.wait((f) => fieldValue(f) === 'abc');
    const line = t
      .frameWithAttributes()
      .split('\n')
      .find((l) => l.includes('abc'))!;
    expect(line).toContain('\u001b[7m');
    // eslint-disable-next-line no-control-regex -- a colour escape is what must not be there
    expect(line).not.toMatch(/\u001b\[(3\d|9\d|38;)/);
  });

  it('Esc from a client’s menu goes back to the client list, and forward again starts fresh', async () => {
    const { t } = run();
    await toClients(t);
    await t.choose(/Clients \(0\)/, /Paste a list/);
    await t.answer(/Host names/, 'a.corp.example');
    await t.choose(/Clients \(1\)/, /a\.corp\.example/);
    await t.wait(/Keep as it is/);
    await t.press('\u001b');
    const f = await t.wait(/Clients \(1\)/);
    expect(f).not.toMatch(/Media servers|Keep as it is/);
    await t.choose(/Clients \(1\)/, /Done with clients/);
    await t.wait(/Insecure communication/);
    await t.press('\u001b');
    expect(await t.wait(/Clients \(1\)/)).not.toContain('Keep as it is');
  });

  it('asks before an imported answers file replaces the remembered site', async () => {
    const { t, home } = run();
    await t.choose(/How do you want to start/, /Afresh/);
    await t.answer(/Primary server host name/, 'remembered.corp.example');
    await t.wait(/Primary server operating system/);
    await t.press('\u0003');
    expect(await t.exitCode()).toBe(130);
    const { t: second } = run([], { NO_COLOR: '1' }, home);
    await second.choose(/How do you want to start/, /Import an answers file/);
    await second.answer(/Path of the answers file/, 'examples/dmz.yaml');
    await second.wait(/replaces the answers remembered for\s+profile default \(primary remembered\.corp\.example/);
    await second.choose(/Replace them\?/, /No: keep/);
    await second.choose(/How do you want to start/, /From your last answers/);
    await second.wait(/› remembered\.corp\.example/);
  });

  it('asks before writing into a folder that holds outputs, and offers to remove the stale ones', async () => {
    const { t, home } = run();
    const out = join(home, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'gone.corp.example.sh'), '# written by nbsecure for a host since removed\n');
    writeFileSync(join(out, 'runbook.md'), '# nbsecure runbook of an earlier plan\n');
    await t.choose(/How do you want to start/, /Import an answers file/);
    await t.answer(/Path of the answers file/, 'examples/dmz.yaml');
    await t.choose(/Is this right\?/, /Yes: choose the outputs/);
    await t.wait(/Which outputs\?/);
    await t.press('\r');
    await t.wait(/which folder/);
    await t.clear();
    await t.answer(/which folder/, out);
    await t.wait(/already holds 1 of these files and 1 that this\s+plan does not write: gone\.corp\.example\.sh/);
    await t.choose(/Replace them\?/, /remove the 1 it no longer writes/);
    await t.wait(/Wrote \d+ files/);
    expect(readdirSync(out)).not.toContain('gone.corp.example.sh');
  });

  it('a DMZ client’s tunnel media servers are ticked in the order to try them', async () => {
    const { t } = run();
    await t.choose(/How do you want to start/, /Import an answers file/);
    await t.answer(/Path of the answers file/, 'examples/dmz.yaml');
    await t.choose(/Is this right\?/, /No/);
    await t.choose(/Which answer do you want to change\?/, /Clients: /);
    await t.choose(/Clients \(4\)/, /web2\.dmz\.example/);
    await t.choose(/Keep as it is/, /Edit/);
    await t.answer(/Host name/, '');
    await t.choose(/Operating system/, /Windows/);
    await t.answer(/NetBackup version/, '');
    await t.choose(/Where is it\?/, /DMZ/);
    // The file's choice is ticked as the first; ticking the other makes it the second.
    await t.wait(/\[1\] nbu-media2\.corp\.example/);
    await t.press(' ');
    await t.wait(/\[2\] nbu-media1\.corp\.example/);
    await t.press('\r');
    await t.choose(/installed/i, /Yes/);
    await t.choose(/Clients \(4\)/, /Done with clients/);
    // The review's tree: under its first choice, then the next.
    await t.wait(
      /nbu-media2\.corp\.example \(tunnel\)\n.*└── web2\.dmz\.example \(Windows, then nbu-media1\.corp\.example\)/,
    );
  });

  it('the dry run’s record scrolls in 80x24: its end first, and PgUp for what is above', async () => {
    const site = makeSite();
    const { t, home } = run();
    await toDryRun(t, site.answers, /p\.corp\.example/, join(home, 'out'));
    const end = await t.wait(/These are the exact commands[\s\S]*Finish without running/, 20_000);
    expect(end).toMatch(/↑ \d+ more lines above \(PgUp\)/);
    const first = /Dry run for p\.corp\.example \(primary, linux\): \d+ steps/;
    expect(end).not.toMatch(first);
    for (let i = 0; i < 30 && !first.test(t.frame()); i++) {
      const before = t.frame();
      await t.press('\u001b[5~');
      await t.wait((f) => f !== before);
    }
    expect(t.frame()).toMatch(first);
    expect(t.frame()).toMatch(/↓ \d+ more lines below \(PgDn\)/);
    // Declining to run is a way to finish: exit 0.
    await t.choose(/What next\?/, /Finish without running/);
    await t.choose(/Next: save these answers/, /Quit/);
    expect(await t.exitCode()).toBe(0);
  }, 60_000);

  it('--plain dry-runs a host with the same flow, and declining to run exits 0', async () => {
    const site = makeSite();
    const { t, home } = run(['--plain']);
    await t.choose(/How do you want to start/, /Import an answers file/);
    await t.answer(/Path of the answers file/, site.answers);
    await t.choose(/\? Is this right\?/, /Yes: choose the outputs/);
    await t.answer(/\? Which outputs\?/, '');
    await t.answer(/\? Write them to which folder\?/, join(home, 'out'));
    await t.choose(/\? What next\?/, /Dry-run one host/);
    await t.choose(/\? Which host is this machine/, /p\.corp\.example/);
    // apply's own text view of the dry run, then the same choices as the Ink screen.
    await t.wait(/\[ca\.show\] Show the CA certificate[\s\S]*Dry run: nothing was changed\./, 20_000);
    await t.choose(/\? What next\?\s*\n[\s\S]*Finish without running/, /Finish without running/);
    expect(await t.exitCode()).toBe(0);
    expect(t.history()).toContain('Next: save these answers as a file');
  }, 60_000);

  it('TERM=dumb: the plain questions as numbered lines, with no escape code', async () => {
    const { t } = run([], { TERM: 'dumb' });
    await t.wait(/How do you want to start\?/);
    await t.answer(/Number \(Enter: 1\):\s*$/m, '1');
    await t.answer(/Primary server host name.*:\s*$/m, 'bad_name!');
    await t.wait(/not a valid DNS host name/);
    await t.answer(/Primary server host name.*:\s*$/m, 'nbu-primary.corp.example');
    await t.wait(/Primary server operating system/);
    await t.answer(/Number \(Enter: 1\):\s*$/m, '');
    await t.answer(/Primary server NetBackup version.*:\s*$/m, '');
    // The host list: its actions and hosts, which the other front ends draw with symbols.
    await t.wait(/Media servers \(0\)[\s\S]*Number \(Enter: 2\):\s*$/);
    const shown = t.frameWithAttributes();
    expect(shown).not.toContain('\u001b');
    // eslint-disable-next-line no-control-regex -- ASCII only: no line-drawing or other Unicode symbol
    expect(t.history()).not.toMatch(/[^\x00-\x7f]/);
  });
});
