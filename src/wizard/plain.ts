import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { hostname } from 'node:os';
import { withInterrupts } from '../execute/interrupts.js';
import { applyHost } from '../execute/runner.js';
import { textView } from '../execute/views.js';
import { defaultStateDir } from '../execute/state.js';
import { secretFromEnv } from '../execute/token.js';
import { DEFAULT_FORMATS, FORMATS, type Format } from '../render/index.js';
import { topologyLines } from '../render/topology.js';
import { restartQuestion, runRestartsServices } from '../execute/restart-consent.js';
import { UserError } from '../errors.js';
import type { Io } from '../output.js';
import { recall, remember } from '../store.js';
import {
  emptyDraft,
  hasSite,
  hostList,
  removeHosts,
  replaceHost,
  setHostList,
  setPath,
  siteLine,
  type Draft,
  type HostItem,
  type HostListKey,
} from './draft.js';
import {
  folderContents,
  importAnswersFile,
  importHostsFile,
  importLocalConfig,
  planOf,
  saveAnswersFile,
  validateDraft,
  writeOutputs,
} from './finish.js';
import {
  activeQuestions,
  answerLine,
  answerValue,
  currentText,
  itemQuestions,
  multiValues,
  problemInWords,
  type Question,
} from './questions.js';
import { reviewLines } from './review.js';
import { parseNameList, refusedText, siteNames } from './name-list.js';
import { folderChoices, folderText, replaceRememberedQuestion } from './consent.js';
import { inquirerPrompts, linePrompts } from './prompts.js';

/**
 * The wizard line by line, for dumb terminals, serial consoles and screen readers: plain prompts,
 * no screen redrawing. Same questions, same review, outputs, dry run and consent as the Ink wizard.
 */
export async function runPlain(io: Io, profile: string): Promise<number> {
  // A dumb terminal cannot move its cursor: numbered lines there, @inquirer's prompts elsewhere.
  const dumb = io.env.TERM === 'dumb';
  const { select, input, confirm, checkbox, password, lines } = dumb ? linePrompts(io) : inquirerPrompts(io);
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
      return select({ message: q.prompt, choices, default: currentText(q, d, base) });
    }
    if (q.kind === 'multi') {
      const now = multiValues(currentText(q, d, base));
      const choices = q.choices!(d).map((c) => ({ name: c.label, value: c.value, checked: now.includes(c.value) }));
      // Nothing to choose from: said now, and the review names it again until a media server offers the tunnel.
      if (!choices.length) {
        say(q.validate?.('', d));
        return '';
      }
      for (;;) {
        const text = (await checkbox({ message: q.prompt, choices, ordered: true, allowNone: true })).join(', ');
        const problem = q.validate?.(text, d);
        if (!problem) return text;
        say(problem);
      }
    }
    return (
      await input({
        message: q.prompt,
        default: currentText(q, d, base),
        validate: (s) => q.validate?.(s.trim(), d) ?? true,
      })
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
      const action = await select({
        message: `${label}: what next?`,
        choices: [
          { name: 'Add one', value: 'add' },
          { name: 'Paste a list of names (large sites)', value: 'paste' },
          { name: 'Import from a file (list, CSV, bpplclients or nbemmcmd output)', value: 'import' },
          ...(items.length
            ? [
                { name: 'Edit one', value: 'edit' },
                { name: 'Remove some', value: 'remove' },
              ]
            : []),
          { name: 'Done, next question', value: 'done' },
        ],
      });
      if (action === 'done') return d;
      if (action === 'add') d = replaceHost(d, list, '', await editItem(d, list, { name: '' }, ''));
      if (action === 'paste') {
        // Each line is checked as it arrives; a refused name is named with its reason.
        say('Names, separated by spaces or commas, on as many lines as you like; an empty line ends the list.');
        say('They get the defaults; edit any of them afterwards.');
        const added: string[] = [];
        await lines(
          () => (added.length ? `names (${added.length} so far; an empty line ends)> ` : 'names> '),
          (line) => {
            if (!line.trim()) return false;
            const got = parseNameList(line, [...items.map((i) => i.name), ...siteNames(d, list), ...added]);
            added.push(...got.names);
            if (got.refused.length) say(`  ${refusedText(got.refused)} Type it again, corrected, or leave it out.`);
            if (got.skipped.length) say(`  Already listed, left out: ${got.skipped.join(', ')}`);
            return true;
          },
        );
        say(`  ${added.length} name${added.length === 1 ? '' : 's'} added.`);
        d = setHostList(d, list, [...items, ...added.map((name) => ({ name }))]);
      }
      if (action === 'import') {
        const file = resolve(io.cwd, await input({ message: 'Path of the file with the hosts', validate: nonEmpty }));
        try {
          const got = importHostsFile(d, list, file);
          d = got.draft;
          say(got.summary);
        } catch (e) {
          if (!(e instanceof UserError)) throw e;
          say(e.message);
        }
      }
      if (action === 'edit') {
        const name = await select({
          message: 'Edit which?',
          choices: items.map((i) => ({ name: i.name, value: i.name })),
        });
        d = replaceHost(
          d,
          list,
          name,
          await editItem(
            d,
            list,
            items.find((i) => i.name === name)!,
            name,
          ),
        );
      }
      if (action === 'remove') {
        const gone = await checkbox({
          message: 'Remove which?',
          choices: items.map((i) => ({ name: i.name, value: i.name })),
        });
        d = removeHosts(d, list, gone);
        say(`  Removed ${gone.length}.`);
      }
      remember(profile, d);
    }
  };

  const askOne = async (q: Question, d: Draft): Promise<Draft> => {
    const next =
      q.kind === 'hosts' ? await hostsPage(d, q.list!, q.prompt) : setPath(d, q.id, answerValue(q, await ask(q, d)));
    remember(profile, next);
    return next;
  };

  try {
    let d: Draft = emptyDraft();
    const last = recall(profile);
    const start = await select({
      message: 'nbsecure: how do you want to start?',
      choices: [
        ...(last ? [{ name: `From your last answers (profile ${profile})`, value: 'last' }] : []),
        { name: 'Afresh', value: 'fresh' },
        { name: 'Import an answers file', value: 'file' },
        { name: "Import this host's NetBackup configuration (bp.conf)", value: 'local' },
      ],
    });
    if (start === 'last' && last) d = last;
    if (start === 'file') {
      const file = resolve(io.cwd, await input({ message: 'Answers file path', validate: nonEmpty }));
      d = importAnswersFile(file);
      if (
        hasSite(last) &&
        !(await confirm({ message: replaceRememberedQuestion(file, profile, siteLine(last)), default: false }))
      ) {
        say('Kept the remembered answers; nothing was imported.');
        d = last;
      }
    }
    if (start === 'local') d = importLocalConfig();

    // The questions once in order; after the review, only the answers a person asks to change.
    let pending: Question[] | undefined = start === 'file' ? [] : undefined;
    for (;;) {
      if (pending === undefined)
        for (let i = 0; i < activeQuestions(d).length; i++) d = await askOne(activeQuestions(d)[i]!, d);
      else for (const q of pending) d = await askOne(q, d);
      const checked = validateDraft(d);
      const change = async () => {
        const qs = activeQuestions(d);
        const id = await select({
          message: 'Which answer do you want to change?',
          choices: qs.map((q) => ({ name: answerLine(q, d), value: q.id })),
        });
        pending = qs.filter((q) => q.id === id);
      };
      if ('problems' in checked) {
        say('\nThese answers have problems:');
        for (const p of checked.problems) say(`  - ${problemInWords(p, d)}`);
        await change();
        continue;
      }
      const plan = planOf(checked.environment);
      say('\nThe site');
      for (const l of topologyLines(plan, dumb)) say(`  ${l}`);
      for (const s of reviewLines(checked.environment, plan)) {
        say(`\n${s.title}`);
        for (const l of s.lines) say(`  ${l}`);
      }
      if (!(await confirm({ message: 'Is this right? (no: choose an answer to change)', default: true }))) {
        await change();
        continue;
      }

      const formats = await checkbox<Format>({
        message: 'Which outputs?',
        choices: FORMATS.map((f) => ({
          name: f,
          value: f,
          checked: (DEFAULT_FORMATS as readonly string[]).includes(f),
        })),
      });
      let dir: string;
      let stale: string[] = [];
      for (;;) {
        dir = resolve(io.cwd, await input({ message: 'Write them to which folder?', default: 'nbsecure-runbooks' }));
        const found = folderContents(plan, formats, dir);
        if (!found.replaced.length && !found.stale.length) break;
        say(folderText(dir, found.replaced.length, found.stale));
        const how = await select({
          message: 'Replace them?',
          choices: folderChoices(found.stale).map((c) => ({ name: c.label, value: c.value })),
        });
        if (how === 'other') continue;
        stale = how === 'clean' ? found.stale : [];
        break;
      }
      const files = writeOutputs(plan, formats, dir, stale);
      say(`\nWrote ${files.length} files:`);
      for (const f of files) say(`  ${f}`);
      let saved: string | undefined;
      if (await confirm({ message: 'Save these answers as an answers file, for scripted runs?', default: true })) {
        for (;;) {
          const file = resolve(io.cwd, await input({ message: 'Answers file', default: 'nbsecure-answers.yaml' }));
          if (existsSync(file) && !(await confirm({ message: `${file} exists. Replace it?`, default: false })))
            continue;
          saveAnswersFile(d, file);
          saved = file;
          say(`Saved ${file}. Next time: nbsecure plan --answers ${file}`);
          break;
        }
      }
      const next =
        '\nNext: on each host, as root, run: ' +
        `nbsecure apply --answers ${saved ?? 'FILE'} --host NAME (the primary first).` +
        (saved ? '' : ' Save the answers as a file first (run the wizard again and answer yes).');
      if (!(await confirm({ message: 'Dry-run one host on this machine now?', default: false }))) {
        say(next);
        return 0;
      }
      const host = await select({
        message: 'Which host is this machine?',
        choices: plan.hosts.map((h) => ({ name: `${h.name} (${h.role})`, value: h.name })),
      });
      const common = {
        stateDir: defaultStateDir(io.env),
        resume: false,
        confirmed: new Set<string>(),
        stepTimeoutMs: 600_000,
        resumeCommand: ['nbsecure', 'apply', '--answers', saved ?? 'FILE', '--host', host, '--resume'],
        machine: { hostname: hostname() },
        prompter: {
          interactive: true,
          confirm: (m: string) => confirm({ message: m, default: false }),
          secret: (m: string) => password({ message: m }),
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
      const dry = await applyHost(plan, host, { ...common, dryRun: true, yes: true, secrets }, { onEvent });
      if (dry.exitCode !== 0) return dry.exitCode;
      // Declining is a way to finish, as in the Ink wizard: exit 0 (apply's own decline stays exit 1).
      if (!(await confirm({ message: `Run these steps on ${host} now?`, default: false }))) {
        say(next);
        return 0;
      }
      if (runRestartsServices(plan.hosts.find((h) => h.name === host)!.steps)) {
        const typed = await input({ message: restartQuestion(host).replace(/:$/, '') });
        if (typed.trim() !== host) {
          say(`Not run.${next}`);
          return 0;
        }
      }
      const result = await withInterrupts((signal) =>
        applyHost(plan, host, { ...common, dryRun: false, yes: true, secrets }, { onEvent, signal }),
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

const nonEmpty = (s: string) => (s.trim() ? true : 'Type a path.');
