import { checkbox, confirm, input, password, select } from '@inquirer/prompts';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { hostname } from 'node:os';
import { withInterrupts } from '../execute/interrupts.js';
import { applyHost } from '../execute/runner.js';
import { textView } from '../execute/views.js';
import { defaultStateDir } from '../execute/state.js';
import { secretFromEnv } from '../execute/token.js';
import { DEFAULT_FORMATS as FORMATS, type Format } from '../render/index.js';
import type { Io } from '../output.js';
import { recall, remember } from '../store.js';
import { emptyDraft, hostList, setHostList, setPath, type Draft, type HostItem, type HostListKey } from './draft.js';
import {
  importAnswersFile,
  importLocalConfig,
  planOf,
  saveAnswersFile,
  validateDraft,
  writeOutputs,
} from './finish.js';
import { activeQuestions, answerValue, currentText, itemQuestions, type Question } from './questions.js';
import { reviewLines } from './review.js';
import { parseNameList, refusedText, siteNames } from './name-list.js';

/**
 * The wizard line by line, for dumb terminals, serial consoles and screen readers: plain prompts,
 * no screen redrawing. Same questions, same review, outputs, dry run and consent as the Ink wizard.
 */
export async function runPlain(io: Io, profile: string): Promise<number> {
  const ctx = { input: io.stdin, output: io.stdout };
  const say = (s = '') => io.stdout.write(`${s}\n`);

  const ask = async (q: Question, d: Draft, base = ''): Promise<string> => {
    // The prompt itself prints the question: said once, with its help above it.
    say(`\n  (${q.help})`);
    if (q.kind === 'select') {
      const choices = q.choices!(d).map((c) => ({
        name: c.label,
        value: c.value,
        ...(c.hint ? { description: c.hint } : {}),
      }));
      return select({ message: q.prompt, choices, default: currentText(q, d, base) }, ctx);
    }
    return (
      await input(
        { message: q.prompt, default: currentText(q, d, base), validate: (s) => q.validate?.(s.trim(), d) ?? true },
        ctx,
      )
    ).trim();
  };

  const editItem = async (d: Draft, list: HostListKey, item: HostItem, editing: string): Promise<HostItem> => {
    let current = { ...item };
    for (const q of itemQuestions(list)) {
      const view = { ...d, __item: current, __editing: editing } as Draft;
      if (q.when && !q.when(view)) {
        delete current[q.id];
        continue;
      }
      const text = await ask(q, view, '__item');
      const value = answerValue(q, text);
      current = { ...current, [q.id]: value };
      if (value === undefined) delete current[q.id];
    }
    return current as HostItem;
  };

  const hostsPage = async (d: Draft, list: HostListKey, label: string): Promise<Draft> => {
    for (;;) {
      const items = hostList(d, list);
      say(`\n${label}: ${items.length ? items.map((i) => i.name).join(', ') : 'none yet'}`);
      const action = await select(
        {
          message: `${label}: what next?`,
          choices: [
            { name: 'Add one', value: 'add' },
            { name: 'Paste a list of names (large sites)', value: 'paste' },
            ...(items.length
              ? [
                  { name: 'Edit one', value: 'edit' },
                  { name: 'Remove one', value: 'remove' },
                ]
              : []),
            { name: 'Done, next question', value: 'done' },
          ],
        },
        ctx,
      );
      if (action === 'done') return d;
      if (action === 'add') d = setHostList(d, list, [...items, await editItem(d, list, { name: '' }, '')]);
      if (action === 'paste') {
        // Read as plain lines, not through a prompt: a prompt takes the first line of a paste and loses
        // the rest. Each line is checked as it arrives; a refused name is named with its reason.
        say('Names, separated by spaces or commas, on as many lines as you like; an empty line ends the list.');
        say('They get the defaults; edit any of them afterwards.');
        const added: string[] = [];
        const lines = createInterface({ input: io.stdin, terminal: false });
        io.stdout.write('names> ');
        for await (const line of lines) {
          if (!line.trim()) break;
          const got = parseNameList(line, [...items.map((i) => i.name), ...siteNames(d, list), ...added]);
          added.push(...got.names);
          if (got.refused.length) say(`  ${refusedText(got.refused)} Type it again, corrected, or leave it out.`);
          if (got.skipped.length) say(`  Already listed, left out: ${got.skipped.join(', ')}`);
          io.stdout.write(`names (${added.length} so far; an empty line ends)> `);
        }
        lines.close();
        say(`  ${added.length} name${added.length === 1 ? '' : 's'} added.`);
        d = setHostList(d, list, [...items, ...added.map((name) => ({ name }))]);
      }
      if (action === 'edit' || action === 'remove') {
        const name = await select(
          {
            message: action === 'edit' ? 'Edit which?' : 'Remove which?',
            choices: items.map((i) => ({ name: i.name, value: i.name })),
          },
          ctx,
        );
        d =
          action === 'remove'
            ? setHostList(
                d,
                list,
                items.filter((i) => i.name !== name),
              )
            : setHostList(
                d,
                list,
                await Promise.all(items.map((i) => (i.name === name ? editItem(d, list, i, name) : i))),
              );
      }
      remember(profile, d);
    }
  };

  try {
    let d: Draft = emptyDraft();
    const last = recall(profile);
    const start = await select(
      {
        message: 'nbsecure: how do you want to start?',
        choices: [
          ...(last ? [{ name: `From your last answers (profile ${profile})`, value: 'last' }] : []),
          { name: 'Afresh', value: 'fresh' },
          { name: 'Import an answers file', value: 'file' },
          { name: "Import this host's NetBackup configuration (bp.conf)", value: 'local' },
        ],
      },
      ctx,
    );
    if (start === 'last' && last) d = last;
    if (start === 'file')
      d = importAnswersFile(
        await input({ message: 'Answers file path', validate: (s) => (s.trim() ? true : 'Type a path.') }, ctx),
      );
    if (start === 'local') d = importLocalConfig();

    for (;;) {
      for (let i = 0; i < activeQuestions(d).length; i++) {
        const q = activeQuestions(d)[i]!;
        if (q.kind === 'hosts') d = await hostsPage(d, q.list!, q.prompt);
        else d = setPath(d, q.id, answerValue(q, await ask(q, d)));
        remember(profile, d);
      }
      const checked = validateDraft(d);
      if ('problems' in checked) {
        say('\nThese answers have problems:');
        for (const p of checked.problems) say(`  - ${p}`);
        say('Go through the questions again; your answers are kept.');
        continue;
      }
      const plan = planOf(checked.environment);
      for (const s of reviewLines(checked.environment, plan)) {
        say(`\n${s.title}`);
        for (const l of s.lines) say(`  ${l}`);
      }
      if (!(await confirm({ message: 'Is this right? (no: go through the questions again)', default: true }, ctx)))
        continue;

      const formats = await checkbox<Format>(
        {
          message: 'Which outputs?',
          choices: FORMATS.map((f) => ({ name: f, value: f, checked: true })),
          required: true,
        },
        ctx,
      );
      const dir = await input({ message: 'Write them to which folder?', default: 'nbsecure-runbooks' }, ctx);
      const files = writeOutputs(plan, formats, resolve(io.cwd, dir));
      say(`\nWrote ${files.length} files:`);
      for (const f of files) say(`  ${f}`);
      if (await confirm({ message: 'Save these answers as an answers file, for scripted runs?', default: true }, ctx)) {
        const file = resolve(io.cwd, await input({ message: 'Answers file', default: 'nbsecure-answers.yaml' }, ctx));
        saveAnswersFile(d, file);
        say(`Saved ${file}. Next time: nbsecure plan --answers ${file}`);
      }
      if (!(await confirm({ message: 'Dry-run one host on this machine now?', default: false }, ctx))) {
        say('\nNext: on each host, as root, run: nbsecure apply --answers ANSWERS --host NAME (the primary first).');
        return 0;
      }
      const host = await select(
        {
          message: 'Which host is this machine?',
          choices: plan.hosts.map((h) => ({ name: `${h.name} (${h.role})`, value: h.name })),
        },
        ctx,
      );
      const common = {
        stateDir: defaultStateDir(io.env),
        resume: false,
        confirmed: new Set<string>(),
        stepTimeoutMs: 600_000,
        resumeCommand: ['nbsecure', 'apply', '--answers', 'ANSWERS', '--host', host, '--resume'],
        machine: { hostname: hostname() },
        prompter: {
          interactive: true,
          confirm: (m: string) => confirm({ message: m, default: false }, ctx),
          secret: (m: string) => password({ message: m }, ctx),
        },
      };
      // As apply takes them: the secrets from the environment (an API key stands in for the login there too).
      const token = secretFromEnv('token', io.env);
      const passphrase = secretFromEnv('passphrase', io.env);
      const apiKey = secretFromEnv('apiKey', io.env);
      const secrets = {
        ...(token ? { token } : {}),
        ...(passphrase ? { passphrase } : {}),
        ...(apiKey ? { apiKey } : {}),
      };
      const onEvent = textView(say);
      await applyHost(plan, host, { ...common, dryRun: true, yes: false, secrets }, { onEvent });
      const result = await withInterrupts((signal) =>
        applyHost(plan, host, { ...common, dryRun: false, yes: false, secrets }, { onEvent, signal }),
      );
      return result.exitCode;
    }
  } catch (e) {
    if ((e as Error).name === 'ExitPromptError') {
      say('\nInterrupted; your answers so far are remembered.');
      return 130;
    }
    throw e;
  }
}
