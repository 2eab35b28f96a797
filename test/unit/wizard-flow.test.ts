import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Draft } from '../../src/wizard/draft.js';
import { wizardFlow, type FlowContext } from '../../src/wizard/flow.js';
import { Back, type Place, type PromptChoice, type WizardUi } from '../../src/wizard/prompts.js';

/** Every question the flow asked: its kind, its words, where it stood. */
type Asked = { kind: string; message: string } & Place;

/**
 * A front end that answers from a script: for a question whose words match, the answer given (a choice's
 * label or typed text); otherwise what the question offers (its default, its first choice, the ticked ones).
 */
function scripted(answers: [RegExp, string | string[]][]) {
  const asked: Asked[] = [];
  const said: string[] = [];
  // A list answers the question each time it is asked, in turn; its last answer then stays.
  const turns = new Map<RegExp, number>();
  const scriptFor = (message: string): string | undefined => {
    const found = answers.find(([re]) => re.test(message));
    if (!found) return undefined;
    const [re, said] = found;
    if (typeof said === 'string') return said;
    const n = turns.get(re) ?? 0;
    turns.set(re, n + 1);
    return said[Math.min(n, said.length - 1)];
  };
  const pick = <T extends string>(message: string, choices: PromptChoice<T>[], fallback?: string): T => {
    const want = scriptFor(message);
    const chosen = want ? choices.find((c) => c.name.includes(want)) : choices.find((c) => c.value === fallback);
    if (want && !chosen) throw new Error(`no choice "${want}" for "${message}"`);
    return (chosen ?? choices[0]!).value;
  };
  const typed = (message: string, fallback = '', validate?: (s: string) => true | string) => {
    const text = scriptFor(message) ?? fallback;
    const problem = validate?.(text);
    if (problem !== undefined && problem !== true) throw new Error(`"${message}": ${problem}`);
    return text;
  };
  const ui: WizardUi = {
    async select(o) {
      asked.push({ kind: 'select', ...o });
      return pick(o.message, o.choices, o.default);
    },
    async input(o) {
      asked.push({ kind: 'input', ...o });
      return typed(o.message, o.default, o.validate);
    },
    async password(o) {
      asked.push({ kind: 'password', ...o });
      return typed(o.message, '', o.validate);
    },
    async checkbox(o) {
      asked.push({ kind: 'checkbox', ...o });
      return o.choices.filter((c) => c.checked).map((c) => c.value);
    },
    async lines(o) {
      asked.push({ kind: 'lines', ...o });
      for (const line of (scriptFor(o.message) ?? '').split('\n')) if (!o.onLine(line)) break;
    },
    say: (text) => void said.push(text),
    run: () => Promise.reject(new Error('not run here')),
    async finish(message) {
      said.push(message);
    },
  };
  return { ui, asked, said };
}

function context(last?: Draft): FlowContext & { dir: string; remembered: Draft[] } {
  const dir = mkdtempSync(join(tmpdir(), 'nbsecure-flow-'));
  const remembered: Draft[] = [];
  return {
    dir,
    remembered,
    profile: 'default',
    cwd: dir,
    stateDir: join(dir, 'state'),
    machineName: 'here.example',
    envSecrets: {},
    recall: async () => last,
    remember: (d) => void remembered.push(d),
    ascii: false,
  };
}

/** A whole site from nothing: a primary, two pasted clients (and a refused name), outputs, a saved answers file. */
const fromNothing = (): [RegExp, string | string[]][] => [
  [/How do you want to start/, 'Afresh'],
  [/Primary server host name/, 'nbu-primary.corp.example'],
  [/^Media servers \(0\)/, 'Done'],
  [/^Clients \(0\)/, 'Paste a list'],
  [/^Host names/, 'app1.corp.example bad_name!\napp2.corp.example\n'],
  [/^Clients \(2\)/, 'Done'],
  [/CA certificate fingerprint/, ''],
  [/What next\?/, ['Save these answers', 'Finish']],
  [/Save the answers to/, 'answers.yaml'],
];

describe('the wizard’s one flow, as any front end drives it', () => {
  it('from an empty site to written outputs and a saved answers file, every question with its help', async () => {
    const { ui, asked, said } = scripted(fromNothing());
    const ctx = context();
    expect(await wizardFlow(ui, ctx)).toBe(0);

    const withoutHelp = asked.filter((a) => !a.help?.trim()).map((a) => a.message);
    expect(withoutHelp).toEqual([]);
    // A refused name is said when it is pasted, with the good names of its line kept.
    expect(said.filter((s) => s.startsWith('Not a host name: bad_name!.'))).toHaveLength(1);
    expect(said).toContain('Added 2 names.');
    expect(ctx.remembered.at(-1)).toMatchObject({
      clients: [{ name: 'app1.corp.example' }, { name: 'app2.corp.example' }],
    });
    expect(existsSync(join(ctx.dir, 'nbsecure-runbooks', 'runbook.md'))).toBe(true);
    expect(readFileSync(join(ctx.dir, 'answers.yaml'), 'utf8')).toContain('app2.corp.example');
    expect(said.at(-1)).toContain(`--answers ${join(ctx.dir, 'answers.yaml')}`);
  });

  it('an answers file goes to its review first, and asks before it replaces a remembered site', async () => {
    const remembered = { version: 1, primary: { name: 'kept.corp.example' } } as Draft;
    const { ui, asked, said } = scripted([
      [/How do you want to start/, 'Import an answers file'],
      [/Path of the answers file/, join(process.cwd(), 'examples/dmz.yaml')],
      [/Replace them\?/, 'No: keep'],
    ]);
    const ctx = context(remembered);
    // Kept: back at the start, which the script answers the same way until the test stops it.
    let starts = 0;
    const select = ui.select.bind(ui);
    ui.select = async (o) => {
      if (/How do you want to start/.test(o.message) && starts++)
        throw Object.assign(new Error('stop'), { name: 'ExitPromptError' });
      return select(o);
    };
    await expect(wizardFlow(ui, ctx)).rejects.toThrow('stop');
    expect(said).toContain('Kept the remembered answers; nothing was imported.');
    expect(ctx.remembered).toEqual([]);
    expect(asked.map((a) => a.message)).not.toContain('Is this right?');
  });

  it('asks before it replaces an answers file, and another name keeps the file as it was', async () => {
    const ctx = context();
    writeFileSync(join(ctx.dir, 'answers.yaml'), '# mine\n');
    const { ui, asked } = scripted([
      [/How do you want to start/, 'Import an answers file'],
      [/Path of the answers file/, join(process.cwd(), 'examples/dmz.yaml')],
      [/What next\?/, ['Save these answers', 'Finish']],
      [/Save the answers to/, ['answers.yaml', 'other.yaml']],
      [/exists\. Replace it\?/, 'No: choose another name'],
    ]);
    expect(await wizardFlow(ui, ctx)).toBe(0);
    expect(asked.map((a) => a.message)).toContain(`${join(ctx.dir, 'answers.yaml')} exists. Replace it?`);
    expect(readFileSync(join(ctx.dir, 'answers.yaml'), 'utf8')).toBe('# mine\n');
    expect(readFileSync(join(ctx.dir, 'other.yaml'), 'utf8')).toContain('web1.dmz.example');
  });

  it('shows what a hostile import brings in, never sends its control characters to the terminal', async () => {
    const ctx = context();
    const file = join(ctx.dir, 'hosts.csv');
    const esc = '\u001b]0;pwned\u0007\u001b[2J';
    writeFileSync(
      file,
      [
        'name,role,os,zone',
        `evil${esc}.example,client,linux,internal`,
        `ok1.corp.example,${esc}media,linux,internal`,
        `ok2.corp.example,client,lin${esc}ux,internal`,
        `ok3.corp.example,client,linux,dmz${esc}`,
        'app1.corp.example,client,linux,internal',
      ].join('\n'),
    );
    const { ui, asked, said } = scripted([
      [/How do you want to start/, 'Afresh'],
      [/Primary server host name/, 'nbu-primary.corp.example'],
      [/^Media servers \(0\)/, 'Done'],
      [/^Clients \(0\)/, 'Import from a file'],
      [/Path of the file with the hosts/, file],
      [/^Clients \(1\)/, 'Done'],
      [/CA certificate fingerprint/, ''],
      [/What next\?/, 'Finish'],
    ]);
    await wizardFlow(ui, ctx);
    const shown = JSON.stringify([asked, said]);
    expect(said.join('\n')).toContain('\\x1b]0;pwned');
    // eslint-disable-next-line no-control-regex -- what must never reach the terminal
    expect(shown).not.toMatch(/\\u001b|\u001b|\\u0007|\u0007/);
  });

  it('Esc at any question goes back and never ends the wizard', async () => {
    const whole = scripted(fromNothing());
    expect(await wizardFlow(whole.ui, context())).toBe(0);
    // Esc once, at each question of the whole run in turn: the run still ends with its outputs and exit 0.
    for (let n = 0; n < whole.asked.length; n++) {
      const { ui, asked } = scripted(fromNothing());
      const escAt =
        <T extends unknown[], R>(ask: (...a: T) => Promise<R>) =>
        (...a: T): Promise<R> =>
          asked.length === n ? (asked.push({ kind: 'esc', message: '' }), Promise.reject(new Back('Esc'))) : ask(...a);
      ui.select = escAt(ui.select.bind(ui)) as WizardUi['select'];
      ui.input = escAt(ui.input.bind(ui));
      ui.checkbox = escAt(ui.checkbox.bind(ui)) as WizardUi['checkbox'];
      ui.lines = escAt(ui.lines.bind(ui));
      const ctx = context();
      await expect(wizardFlow(ui, ctx), `Esc at question ${n + 1}`).resolves.toBe(0);
      expect(existsSync(join(ctx.dir, 'nbsecure-runbooks', 'runbook.md')), `Esc at question ${n + 1}`).toBe(true);
    }
  });
});
