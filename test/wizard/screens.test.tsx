import { describe, expect, it, vi } from 'vitest';
import { emptyDraft, setHostList, setPath, type Draft, type HostItem } from '../../src/wizard/draft.js';
import { FormatPicker } from '../../src/wizard/ink/FormatPicker.js';
import { HostListScreen } from '../../src/wizard/ink/HostListScreen.js';
import { ItemForm } from '../../src/wizard/ink/ItemForm.js';
import { QuestionScreen } from '../../src/wizard/ink/QuestionScreen.js';
import { ReviewScreen } from '../../src/wizard/ink/ReviewScreen.js';
import { WelcomeScreen } from '../../src/wizard/ink/WelcomeScreen.js';
import { QUESTIONS } from '../../src/wizard/questions.js';
import { parseNameList } from '../../src/wizard/name-list.js';
import { KEY, mount } from '../helpers/ink.js';

const q = (id: string) => QUESTIONS.find((x) => x.id === id)!;

describe('welcome screen', () => {
  it('offers the last answers when there are some, and says which start was chosen', async () => {
    const onStart = vi.fn();
    const s = mount(<WelcomeScreen profile="lab" hasLast onStart={onStart} />);
    await s.wait(/From your last answers \(profile lab\)/);
    await s.choose(/How do you want to start/, /Import an answers file/);
    expect(onStart).toHaveBeenCalledWith('file');
  });

  it('does not offer last answers when there are none', async () => {
    const s = mount(<WelcomeScreen profile="default" hasLast={false} onStart={() => {}} />);
    expect(await s.wait(/Afresh/)).not.toContain('last answers');
  });
});

describe('a text question', () => {
  it('shows a validation error in words under the field and does not submit', async () => {
    const onAnswer = vi.fn();
    const s = mount(<QuestionScreen question={q('primary.name')} draft={emptyDraft()} onAnswer={onAnswer} />);
    await s.answer(/Primary server host name/, 'bad_name');
    await s.wait(/That is not a valid DNS host name/);
    expect(onAnswer).not.toHaveBeenCalled();
    await s.clear();
    await s.press('nbu-primary.corp.example', KEY.enter);
    expect(onAnswer).toHaveBeenCalledWith('nbu-primary.corp.example');
  });

  it('starts from the current answer, or the suggested one', async () => {
    const s = mount(<QuestionScreen question={q('primary.version')} draft={emptyDraft()} onAnswer={() => {}} />);
    await s.wait(/› 10\.4/);
  });
});

describe('a choice question', () => {
  it('explains each choice in one line and returns the value chosen', async () => {
    const onAnswer = vi.fn();
    const s = mount(
      <QuestionScreen question={q('certificates.securityLevel')} draft={emptyDraft()} onAnswer={onAnswer} />,
    );
    const f = await s.wait(/Very High — a token for every certificate request/);
    expect(f).toContain('Medium — no token if the name resolves to the requesting address');
    await s.choose(/security level/, /Very High/);
    expect(onAnswer).toHaveBeenCalledWith('very-high');
  });

  it('names the legacy hosts where they change the answer', async () => {
    const d = setHostList(setPath(emptyDraft(), 'primary', { name: 'p.example', version: '10.4' }), 'clients', [
      { name: 'old.example', version: '8.0' },
    ]);
    const s = mount(<QuestionScreen question={q('security.insecureCommunication')} draft={d} onAnswer={() => {}} />);
    await s.wait(/Auto \(recommended\) — stays on: old\.example at 8\.0 or earlier/);
  });
});

describe('a host list', () => {
  it('adds, picks for editing or removing, and finishes', async () => {
    const onAction = vi.fn();
    const s = mount(
      <HostListScreen
        label="Clients"
        items={[{ name: 'a.example' }, { name: 'b.example', zone: 'dmz', tunnelVia: ['m.example'] }]}
        onAction={onAction}
      />,
    );
    await s.wait(/b\.example · DMZ via m\.example/);
    await s.choose(/Clients \(2\)/, /b\.example/);
    expect(onAction).toHaveBeenLastCalledWith({ kind: 'pick', name: 'b.example' });
    await s.choose(/Clients \(2\)/, /Paste a list/);
    expect(onAction).toHaveBeenLastCalledWith({ kind: 'paste' });
    await s.choose(/Clients \(2\)/, /Remove several/);
    expect(onAction).toHaveBeenLastCalledWith({ kind: 'remove-many' });
  });
});

describe('the host form', () => {
  const withMedia = setHostList(setPath(emptyDraft(), 'primary', { name: 'p.example' }), 'mediaServers', [
    { name: 'm1.example' },
    { name: 'm2.example' },
  ]);

  const dmzClient = (draft: Draft, onDone: (item: HostItem) => void) => {
    const s = mount(
      <ItemForm
        list="clients"
        draft={draft}
        item={{ name: '' }}
        editing=""
        onDone={onDone}
        onCancel={() => {}}
        onHelp={() => {}}
      />,
    );
    return s;
  };

  it('asks for the tunnel media servers of a DMZ client in the order ticked', async () => {
    const onDone = vi.fn();
    const s = dmzClient(withMedia, onDone);
    await s.answer(/Host name/, 'web1.dmz.example');
    await s.choose(/Operating system/, /Linux/);
    await s.answer(/NetBackup version/, '');
    await s.choose(/Where is it/, /DMZ/);
    await s.wait(/❯ \[ \] m1\.example/);
    await s.press(KEY.down, ' ');
    await s.wait(/\[1\] m2\.example/);
    await s.press(KEY.up, ' ');
    await s.wait(/\[2\] m1\.example/);
    await s.press(KEY.enter);
    await s.choose(/installed on it already/, /Yes/);
    expect(onDone).toHaveBeenCalledWith({
      name: 'web1.dmz.example',
      os: 'linux',
      zone: 'dmz',
      tunnelVia: ['m2.example', 'm1.example'],
    });
  });

  it('says when no media server offers the tunnel, instead of taking the answer', async () => {
    const onDone = vi.fn();
    const s = dmzClient(setHostList(withMedia, 'mediaServers', [{ name: 'm1.example', tunnel: false }]), onDone);
    await s.answer(/Host name/, 'web1.dmz.example');
    await s.choose(/Operating system/, /Linux/);
    await s.answer(/NetBackup version/, '');
    await s.choose(/Where is it/, /DMZ/);
    await s.wait(/Tunnel media servers/);
    await s.press(KEY.enter);
    await s.wait(/No media server offers the tunnel: add one \(or turn its tunnel on\) first\./);
    expect(onDone).not.toHaveBeenCalled();
  });

  it('refuses a name already in the site', async () => {
    const s = mount(
      <ItemForm
        list="clients"
        draft={withMedia}
        item={{ name: '' }}
        editing=""
        onDone={() => {}}
        onCancel={() => {}}
        onHelp={() => {}}
      />,
    );
    await s.answer(/Host name/, 'M1.example');
    await s.wait(/M1\.example is already in this site; each host appears once/);
  });

  it('goes back one field with Esc, and cancels from the first', async () => {
    const onCancel = vi.fn();
    const s = mount(
      <ItemForm
        list="mediaServers"
        draft={withMedia}
        item={{ name: '' }}
        editing=""
        onDone={() => {}}
        onCancel={onCancel}
        onHelp={() => {}}
      />,
    );
    await s.answer(/Host name/, 'm3.example');
    await s.wait(/Operating system/);
    await s.press(KEY.esc);
    await s.wait(/Host name/);
    await s.press(KEY.esc);
    await vi.waitFor(() => expect(onCancel).toHaveBeenCalled());
  });
});

describe('review and outputs', () => {
  it('lists the problems in words when the answers do not validate', async () => {
    const s = mount(
      <ReviewScreen problems={['clients[0].tunnelVia[0] names m9, which is not in mediaServers']} onNext={() => {}} />,
    );
    await s.wait(/These answers have problems:\n\s+- clients\[0\]\.tunnelVia\[0\] names m9/);
  });

  it('toggles formats with space and refuses none', async () => {
    const onSubmit = vi.fn();
    const s = mount(<FormatPicker onSubmit={onSubmit} />);
    await s.wait(/\[x\] runbook\.md/);
    await s.press(KEY.space, KEY.down, KEY.space, KEY.enter);
    expect(onSubmit).toHaveBeenCalledWith(['ps1', 'bpconf', 'json', 'answerfile']);
  });
});

describe('typing faster than the screen redraws', () => {
  it('submits pasted text followed by Enter in one chunk', async () => {
    const onAnswer = vi.fn();
    const s = mount(<QuestionScreen question={q('primary.name')} draft={emptyDraft()} onAnswer={onAnswer} />);
    await s.wait(/Primary server host name/);
    await s.press('nbu-primary.corp.example\r');
    expect(onAnswer).toHaveBeenCalledWith('nbu-primary.corp.example');
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
