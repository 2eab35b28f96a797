import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../../src/wizard/ink/App.js';
import { bpconf } from '../netbackup-sim/layout.js';
import { KEY, mount } from '../helpers/ink.js';
import { toDryRun } from '../helpers/wizard-flow.js';
import { createToken, makeSite, type Site } from '../helpers/site.js';

/** The wizard on a machine of the site, with the site's state folder. */
function wizardOn(site: Site, machineName: string, onExit: (code: number) => void = () => {}) {
  return mount(
    <App
      profile="t"
      cwd={site.dir}
      stateDir={site.stateDir}
      machineName={machineName}
      onDraft={() => {}}
      onExit={onExit}
    />,
  );
}

describe('the wizard runs one host', () => {
  it(
    'imports an answers file, dry-runs a DMZ client, asks for the token, applies it and ' + 'shows the progress',
    async () => {
      const site = makeSite({ clients: [{ name: 'w1.dmz.example', zone: 'dmz', tunnelVia: ['m1.corp.example'] }] });
      const token = createToken(site);
      const onExit = vi.fn();
      const s = wizardOn(site, 'w1.dmz.example', onExit);
      await toDryRun(s, site.answers, /w1\.dmz\.example/);
      // The dry run needs no secret: the token is asked for only when the steps are to run.
      await s.wait(/These are the exact commands; nothing was changed/, 10_000);
      expect(s.frame()).not.toMatch(/Authorization token/);
      expect(bpconf(site.hosts['w1.dmz.example']!)).toBe('');
      await s.choose(/What next\?/, /Run these steps on w1\.dmz\.example now/);
      await s.answer(/Authorization token/, 'not-a-token');
      await s.wait(/A token is 16 upper-case letters/);
      await s.clear();
      await s.press(token, KEY.enter);
      await s.wait(/Finished\./, 20_000);
      expect(s.frames.join('\n')).not.toContain(token);
      expect(bpconf(site.hosts['w1.dmz.example']!)).toContain('MEDIA_SERVER = m1.corp.example');
      await s.choose(/What next\?/, /Finish/);
      await s.choose(/is done/, /Quit/);
      expect(onExit).toHaveBeenCalledWith(0);
    },
  );

  it('stops at a manual step on the primary and continues when the user says it is done', async () => {
    const site = makeSite();
    const s = wizardOn(site, 'p');
    await toDryRun(s, site.answers, /p\.corp\.example/);
    await s.choose(/What next\?/, /Run these steps/);
    // The API key is optional: without one, the login stays a person's step.
    await s.answer(/NetBackup API key/, '');
    await s.wait(/Stopped at a manual step: p\.corp\.example:login/, 20_000);
    // The administrator logs in (here: the simulator records a session), then says it is done.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(site.domain, 'session.json'), '{}');
    await s.choose(/What next\?/, /It is done: continue/);
    // The primary's first stage is done (the level is set when the domain is tightened); tightening waits
    // until every host has its certificate.
    await s.wait(/This stage is done; the next one waits for the fleet/, 20_000);
  });

  it('asks the primary for an optional API key, and with it needs no one to log in', async () => {
    const site = makeSite();
    const key = 'A8fmNjyB5DvvzAN1CnRWblMv160U1Vt5hs5P2fqj81pJh9224HRus-test';
    const { writeFileSync } = await import('node:fs');
    // The primary accepts this key (the simulator's record of it); nobody has logged in.
    writeFileSync(join(site.domain, 'apikey'), key);
    const s = wizardOn(site, 'p');
    await toDryRun(s, site.answers, /p\.corp\.example/);
    await s.choose(/What next\?/, /Run these steps/);
    await s.answer(/NetBackup API key/, 'too short');
    await s.wait(/An API key is one unbroken string of at least 16 characters/);
    await s.clear();
    await s.press(key, KEY.enter);
    await s.wait(/This stage is done; the next one waits for the fleet/, 20_000);
    const frames = s.frames.join('\n');
    expect(frames).toMatch(/Log in as a NetBackup administrator: not needed/);
    expect(frames).not.toContain(key);
  });
});
