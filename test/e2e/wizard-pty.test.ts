import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { argvLog, setFaults } from '../netbackup-sim/layout.js';
import { cli } from '../helpers/cli.js';
import { makeSite } from '../helpers/site.js';
import { terminal, wizardTerminal } from '../helpers/tmux.js';
import { answerDmzSite, toDryRun } from '../helpers/wizard-flow.js';
import { withTools } from '../helpers/tools.js';
import { HARDENING_FIELDS } from '../../src/environment/schema.js';

const sessions: ReturnType<typeof terminal>[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.kill();
});

function run(args: string[] = [], home = mkdtempSync(join(tmpdir(), 'nbsecure-home-')), colour = false) {
  const t = wizardTerminal(args, colour ? { FORCE_COLOR: '1' } : { NO_COLOR: '1' }, home);
  sessions.push(t);
  return { t, home };
}

withTools('tmux').describe('the wizard in a real terminal (tmux, 80x24)', () => {
  it('walks a DMZ site from welcome to written runbooks, identical to the scripted ones', async () => {
    const { t, home } = run();
    await answerDmzSite(t);
    await t.choose(/Is this right\?/, /Yes: choose the outputs/);
    await t.wait(/Which outputs\?/);
    await t.press('\r');
    await t.wait(/which folder/);
    const scripted = join(home, 'scripted');
    await cli(['plan', '--answers', 'test/fixtures/wizard-dmz.yaml', '--out', scripted]);
    await t.clear();
    await t.answer(/which folder/, join(home, 'out'));
    await t.wait(new RegExp(`Wrote ${readdirSync(scripted).length} files`));
    await t.choose(/What next\?/, /Save these answers/);
    await t.wait(/Save the answers to/);
    await t.clear();
    await t.answer(/Save the answers to/, join(home, 'answers.yaml'));
    await t.wait(/Saved .*answers\.yaml/);
    await t.choose(/What next\?/, /Finish/);
    await t.choose(/Next, on each host/, /Quit/);
    expect(await t.exitCode()).toBe(0);

    expect(readFileSync(join(home, 'out', 'runbook.md'), 'utf8')).toBe(
      readFileSync(join(scripted, 'runbook.md'), 'utf8'),
    );
    // The saved answers file plans the same, so the next run can be scripted.
    const again = join(home, 'again');
    expect((await cli(['plan', '--answers', join(home, 'answers.yaml'), '--out', again])).code).toBe(0);
    expect(readFileSync(join(again, 'plan.json'), 'utf8')).toBe(readFileSync(join(scripted, 'plan.json'), 'utf8'));
    // Remembered answers are the owner's alone and hold no secret.
    const store = join(home, 'config', 'nbsecure');
    const file = join(
      store,
      readdirSync(store).find((f) => f.startsWith('profile-default'))!,
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
  }, 120_000);

  it('exits 130 on Ctrl-C at the welcome screen', async () => {
    const { t } = run();
    await t.wait(/How do you want to start/);
    await t.press('\u0003');
    expect(await t.exitCode()).toBe(130);
  });

  it('exits 130 on Ctrl-C in the middle of a host form, and resumes from the remembered answers', async () => {
    const { t, home } = run();
    await t.choose(/How do you want to start/, /Afresh/);
    await t.answer(/Primary server host name/, 'nbu-primary.corp.example');
    await t.choose(/Primary server operating system/, /Linux/);
    await t.answer(/NetBackup version/, '');
    await t.choose(/Media servers \(0\)/, /\+ Add one/);
    await t.wait(/Host name/);
    await t.press('\u0003');
    expect(await t.exitCode()).toBe(130);

    const second = run([], home).t;
    await second.choose(/How do you want to start/, /From your last answers/);
    await second.wait(/› nbu-primary\.corp\.example/);
  }, 60_000);

  it('asks the same questions line by line with --plain', async () => {
    const { t, home } = run(['--plain']);
    await t.choose(/How do you want to start/, /Afresh/);
    await t.answer(/\? Primary server host name/, 'nbu-primary.corp.example');
    await t.choose(/\? Primary server operating system/, /Linux/);
    await t.answer(/\? Primary server NetBackup version/, '');
    await t.choose(/\? Media servers \(0\)/, /Add one/);
    await t.answer(/\? Host name/, 'nbu-media1.corp.example');
    await t.choose(/\? Operating system/, /Linux/);
    await t.answer(/\? NetBackup version/, '');
    await t.choose(/\? Does it offer the HTTP tunnel/, /Yes/);
    await t.choose(/\? Is NetBackup installed/, /Yes/);
    await t.choose(/\? Media servers \(1\)/, /Done/);
    await t.choose(/\? Clients \(0\)/, /Paste a list/);
    // A bad name is refused at once, naming it; the good ones on its line are kept.
    await t.answer(/^names>/m, 'bad_name! app0.corp.example');
    await t.wait(/Not a host name: bad_name!/);
    // A paste of several lines keeps every line.
    await t.wait(/names \(1 so far/);
    await t.press('app1.corp.example\rapp2.corp.example app3.corp.example\r');
    await t.answer(/names \(4 so far; an empty line ends\)>\s*$/m, '');
    await t.choose(/\? Clients \(4\)/, /Done/);
    for (const q of [
      /\? Insecure communication/,
      /\? Certificate authority/,
      /\? Certificate deployment security level/,
    ])
      await t.choose(q, /.*/);
    await t.answer(/\? CA certificate fingerprint/, '');
    await t.answer(/\? Name of the authorization token/, '');
    await t.answer(/\? How long the token stays valid/, '');
    await t.choose(/\? Data-in-transit encryption/, /.*/);
    for (let i = 0; i < HARDENING_FIELDS.length; i++) {
      const before = t.frame();
      await t.choose(/\? (Are|Is|Does) .*\n[\s\S]*❯/, /.*/);
      await t.wait((f) => f !== before);
    }
    // The review is longer than the screen: what scrolled off is in the terminal's history.
    await t.wait(/Is this right\?/);
    expect(t.history()).toContain('Hardening: high');
    await t.choose(/\? Is this right\?/, /Yes: choose the outputs/);
    await t.answer(/\? Which outputs\?/, '');
    await t.answer(/\? Write them to which folder\?/, join(home, 'plain-out'));
    await t.choose(/\? What next\?/, /Finish/);
    expect(await t.exitCode()).toBe(0);
    expect(readdirSync(join(home, 'plain-out'))).toContain('runbook.md');
    expect(readFileSync(join(home, 'plain-out', 'runbook.md'), 'utf8')).toContain('## Client app2.corp.example');
    expect(readFileSync(join(home, 'plain-out', 'runbook.md'), 'utf8')).toContain('## Client app3.corp.example');
    // Each question is said once, not printed and then asked.
    expect(t.history().match(/Primary server host name/g)).toHaveLength(1);
  }, 120_000);

  it('uses colour on a terminal, and none with NO_COLOR', async () => {
    const coloured = run([], undefined, true).t;
    await coloured.wait(/How do you want to start/);
    // Colour SGR parameters: 30-38 and 90-97 foreground, 40-48 and 100-107 background. Bold and dim are
    // not colour, and 39/49 only restore the default.
    // eslint-disable-next-line no-control-regex -- the escape character is what this test looks for
    const colour = /\u001b\[(?:[0-9]+;)*(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9]+)*m/;
    expect(coloured.frameWithAttributes()).toMatch(colour);
    const plain = run().t;
    await plain.wait(/How do you want to start/);
    expect(plain.frameWithAttributes()).not.toMatch(colour);
  });

  it('Ctrl-C while applying stops the running command: no NetBackup command runs after the keypress', async () => {
    // apply runs only on the host it names: the site's client is this machine, by its short name.
    const here = `${hostname().split('.')[0]!.toLowerCase()}.corp.example`;
    const site = makeSite({ clients: [{ name: here }] });
    const host = site.hosts[here]!;
    setFaults(host, [{ match: 'nbcertcmd -getCACertificate', hang: true }]);
    const { t, home } = run();
    // An imported answers file opens at its review.
    await toDryRun(t, site.answers, new RegExp(here.replace(/\./g, '\\.')), join(home, 'out'));
    await t.wait(/These are the exact commands/, 20_000);
    await t.choose(/What next\?/, /Run these steps/);
    const hanging = join(host.root, 'sim', 'hanging');
    await t.wait(() => existsSync(hanging), 20_000);
    const calls = argvLog(host).length;
    await t.press('\u0003');
    expect(await t.exitCode(20_000)).toBe(130);
    expect(argvLog(host)).toHaveLength(calls);
    expect(argvLog(host).at(-1)?.args[0]).toBe('-getCACertificate');
    const pid = Number(readFileSync(hanging, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow(); // the command itself was stopped
    const journal = readFileSync(join(home, 'state', 'nbsecure', here, 'journal.jsonl'), 'utf8');
    expect(journal.trim().split('\n').at(-1)).toContain('"event":"interrupted"');
  }, 120_000);
});
