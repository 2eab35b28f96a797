import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { emptyDraft, setHostList, setPath, type Draft } from '../../src/wizard/draft.js';
import { mountApp } from '../helpers/wizard-app.js';
import { importAnswersFile } from '../../src/wizard/finish.js';
import { parseNameList } from '../../src/wizard/name-list.js';
import { KEY, mount } from '../helpers/ink.js';

const wizard = (last?: Draft) => mountApp({ profile: 'lab', ...(last ? { last } : {}) });
type Screen = ReturnType<typeof wizard>['s'];

const primary = setPath(emptyDraft(), 'primary', { name: 'p.example' });
const withMedia = setHostList(primary, 'mediaServers', [{ name: 'm1.example' }, { name: 'm2.example' }]);

/** From the remembered answers, each kept with Enter, up to the client list. */
async function toClients(s: Screen, media = 2) {
  await s.choose(/How do you want to start/, /From your last answers/);
  await s.answer(/Primary server host name/, '');
  await s.choose(/Primary server operating system/, /Linux/);
  await s.answer(/Primary server NetBackup version/, '');
  await s.choose(new RegExp(`Media servers \\(${media}\\)`), /Done with media servers/);
  await s.wait(/Clients \(\d+\)/);
}

/** A remembered, complete site (examples/dmz.yaml), at its review through Ctrl-R. */
async function atReview(last: Draft = importAnswersFile('examples/dmz.yaml')) {
  const w = wizard(last);
  await w.s.choose(/How do you want to start/, /From your last answers/);
  await w.s.wait(/Primary server host name/);
  await w.s.press('\u0012');
  await w.s.wait(/Is this right\?|Fix them/);
  return w;
}

describe('the start', () => {
  it('offers the last answers when there are some', async () => {
    const { s } = wizard(primary);
    await s.wait(/From your last answers \(profile lab\)/);
  });

  it('does not offer last answers when there are none', async () => {
    const { s } = wizard();
    expect(await s.wait(/Afresh/)).not.toContain('last answers');
  });
});

describe('a text question', () => {
  it('shows a validation error in words under the field, and asks only that question again', async () => {
    const { s, drafts } = wizard();
    await s.choose(/How do you want to start/, /Afresh/);
    await s.answer(/Primary server host name/, 'bad_name');
    await s.wait(/That is not a valid DNS host name/);
    expect(drafts.some((d) => JSON.stringify(d).includes('bad_name'))).toBe(false);
    await s.clear();
    await s.press('nbu-primary.corp.example', KEY.enter);
    await s.wait(/Primary server operating system/);
  });

  it('starts from the current answer, or the suggested one', async () => {
    const { s } = wizard();
    await s.choose(/How do you want to start/, /Afresh/);
    await s.answer(/Primary server host name/, 'p.example');
    await s.choose(/Primary server operating system/, /Linux/);
    await s.wait(/› 10\.4/);
  });

  it('submits pasted text followed by Enter in one chunk', async () => {
    const { s } = wizard();
    await s.choose(/How do you want to start/, /Afresh/);
    await s.wait(/Primary server host name/);
    await s.press('nbu-primary.corp.example\r');
    await s.wait(/Primary server operating system/);
  });
});

describe('a choice question, reached from the review', () => {
  it('explains each choice in one line, and answering it returns to the review', async () => {
    const { s, drafts } = await atReview();
    await s.choose(/Is this right\?/, /No: change an answer/);
    await s.choose(/Which answer do you want to change\?/, /security level/);
    const f = await s.wait(/Very High — a token for every certificate request/);
    expect(f).toContain('Medium — no token if the name resolves to the requesting address');
    await s.choose(/security level/, /Very High/);
    await s.wait(/Is this right\?/);
    expect(drafts.at(-1)).toMatchObject({ certificates: { securityLevel: 'very-high' } });
  });

  it('names the legacy hosts where they change the answer', async () => {
    const old = setHostList(setPath(primary, 'primary.version', '10.4'), 'clients', [
      { name: 'old.example', version: '8.0' },
    ]);
    const { s } = await atReview(old);
    await s.choose(/Is this right\?|Fix them/, /change an answer/i);
    await s.choose(/Which answer do you want to change\?/, /Insecure communication/);
    await s.wait(/Auto \(recommended\) — stays on: old\.example at 8\.0 or earlier/);
  });

  it('lists the problems in words when the answers do not validate', async () => {
    const bad = setHostList(withMedia, 'clients', [{ name: 'w.example', zone: 'dmz', tunnelVia: ['m9.example'] }]);
    const { s } = await atReview(bad);
    await s.wait(
      /These answers have problems:\n\s+- Client w\.example, "Tunnel media servers for it, in the order to try \(none:\s+any\)" names m9\.example, which is not in the media servers/,
    );
  });
});

describe('a host list', () => {
  it('shows each host with what differs, and picks one to remove', async () => {
    const { s, drafts } = wizard(
      setHostList(withMedia, 'clients', [
        { name: 'a.example' },
        { name: 'b.example', zone: 'dmz', tunnelVia: ['m1.example'] },
      ]),
    );
    await toClients(s);
    await s.wait(/b\.example · DMZ via m1\.example/);
    await s.choose(/Clients \(2\)/, /b\.example/);
    await s.choose(/Keep as it is/, /Remove/);
    await s.wait(/Clients \(1\)/);
    expect(drafts.at(-1)).toMatchObject({ clients: [{ name: 'a.example' }] });
  });
});

describe('a long list', () => {
  it('says how many hosts are above and below the part on screen', async () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ name: `c${i + 1}.example` }));
    const { s } = wizard(setHostList(withMedia, 'clients', many));
    await toClients(s);
    const first = await s.wait(/Clients \(30\)/);
    // Five actions (done, add, paste, import, remove several) and the hosts; 12 of them on screen.
    expect(first).toContain(`↓ ${5 + many.length - 12} more below`);
    expect(first).not.toMatch(/more above/);
    await s.press('\u001b[6~');
    await s.wait(/↑ \d+ more above[\s\S]*c\d+\.example[\s\S]*↓ \d+ more below/);
  });
});

describe('the host form', () => {
  /** Up to the tunnel question of a new DMZ client. */
  async function newDmzClient(last: Draft) {
    const w = wizard(last);
    await toClients(w.s, (last.mediaServers as unknown[]).length);
    await w.s.choose(/Clients \(0\)/, /\+ Add one/);
    await w.s.answer(/Host name/, 'web1.dmz.example');
    await w.s.choose(/Operating system/, /Linux/);
    await w.s.answer(/NetBackup version/, '');
    await w.s.choose(/Where is it/, /DMZ/);
    return w;
  }

  it('asks for the tunnel media servers of a DMZ client in the order ticked', async () => {
    const { s, drafts } = await newDmzClient(withMedia);
    await s.wait(/Tunnel media servers/);
    await s.wait(/❯ \[ \] m1\.example/);
    await s.press(KEY.down, ' ');
    await s.wait(/\[1\] m2\.example/);
    await s.press(KEY.up, ' ');
    await s.wait(/\[2\] m1\.example/);
    await s.press(KEY.enter);
    await s.choose(/installed on it already/, /Yes/);
    await s.wait(/Clients \(1\)/);
    expect(drafts.at(-1)).toMatchObject({
      clients: [{ name: 'web1.dmz.example', zone: 'dmz', tunnelVia: ['m2.example', 'm1.example'] }],
    });
  });

  it('says at once when no media server offers the tunnel', async () => {
    const { s } = await newDmzClient(setHostList(primary, 'mediaServers', [{ name: 'm1.example', tunnel: false }]));
    await s.wait(/No media server offers the tunnel: add one \(or turn its tunnel on\) first\./);
  });

  it('refuses a name already in the site', async () => {
    const { s } = wizard(withMedia);
    await toClients(s);
    await s.choose(/Clients \(0\)/, /\+ Add one/);
    await s.answer(/Host name/, 'M1.example');
    await s.wait(/M1\.example is already in this site; each host appears once/);
  });

  it('goes back one field with Esc, and from the first back to the list, adding nothing', async () => {
    const { s, drafts } = wizard(withMedia);
    await toClients(s);
    await s.choose(/Clients \(0\)/, /\+ Add one/);
    await s.answer(/Host name/, 'c3.example');
    await s.wait(/Operating system/);
    await s.press(KEY.esc);
    await s.wait(/Host name\n› c3\.example/);
    await s.press(KEY.esc);
    await s.wait(/Clients \(0\)/);
    expect(drafts.at(-1)).not.toMatchObject({ clients: [{ name: 'c3.example' }] });
  });
});

describe('outputs', () => {
  it('Esc from the first output question goes back to the review', async () => {
    const { s } = await atReview();
    await s.choose(/Is this right\?/, /Yes: choose the outputs/);
    await s.wait(/Which outputs\?/);
    await s.press(KEY.esc);
    await s.wait(/Is this right\?/);
  });

  it('writes the formats ticked, and none of the others', async () => {
    const { s, dir } = await atReview();
    await s.choose(/Is this right\?/, /Yes: choose the outputs/);
    await s.wait(/\[x\] runbook\.md/);
    // Untick the runbook, tick nothing else: only the scripts, snippets, plan and answer files are written.
    await s.press(KEY.space, KEY.enter);
    await s.answer(/which folder/, '');
    await s.wait(/Wrote \d+ files/);
    const written = readdirSync(join(dir, 'nbsecure-runbooks'));
    expect(written).not.toContain('runbook.md');
    expect(written).toContain('plan.json');
  });
});

describe('pasting names for a large site', () => {
  it('takes several lines as separate names instead of submitting at the first', async () => {
    const onSubmit = vi.fn();
    const { TextQuestion } = await import('../../src/wizard/ink/TextQuestion.js');
    const s = mount(<TextQuestion prompt="Host names" initial="" multiline onSubmit={onSubmit} />);
    await s.wait(/Host names/);
    await s.press('a1.example\na2.example\na3.example');
    expect(onSubmit).not.toHaveBeenCalled();
    await s.press(KEY.enter);
    expect(parseNameList(onSubmit.mock.calls[0]![0] as string, []).names).toEqual([
      'a1.example',
      'a2.example',
      'a3.example',
    ]);
  });
});
