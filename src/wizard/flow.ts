import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import { TOKEN_EXACT } from '../catalogue/token-shape.js';
import { API_KEY_EXACT, SECRET_KINDS, type SecretKind } from '../execute/token.js';
import { restartQuestion, runRestartsServices } from '../execute/restart-consent.js';
import type { ApplyOptions } from '../execute/runner.js';
import { DEFAULT_FORMATS, FORMATS, type Format } from '../render/index.js';
import type { Plan } from '../plan/types.js';
import { folderChoices, folderText, replaceRememberedQuestion } from './consent.js';
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
import { parseNameList, refusedText, siteNames } from './name-list.js';
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
import { Back, ToReview, type BodyLine, type Place, type PromptChoice, type WizardUi } from './prompts.js';

type Secrets = Partial<Record<SecretKind, string>>;

/** What the flow needs of where it runs: nothing of a terminal, so both front ends drive it alike. */
export interface FlowContext {
  profile: string;
  cwd: string;
  stateDir: string;
  /** This machine's host name: apply runs only on the host it names. */
  machineName: string;
  /** Secrets from NBSECURE_TOKEN / NBSECURE_PASSPHRASE / NBSECURE_API_KEY; the others are asked for. */
  envSecrets: Secrets;
  /** The remembered answers of the profile. */
  recall: () => Promise<Draft | undefined>;
  /** Called on every change of the answers (never a secret). */
  remember: (d: Draft) => void;
  /** A terminal without line drawing: the picture of the site in ASCII. */
  ascii: boolean;
}

/** Validation, planning and writing: loaded while the first question is on screen. */
type Later = typeof import('./finish.js');

const LIST_TITLE: Record<HostListKey, string> = { clients: 'Clients', mediaServers: 'Media servers' };

const FORMAT_LABELS: Record<Format, string> = {
  markdown: 'runbook.md: the runbook for people',
  sh: 'bash script per UNIX host',
  ps1: 'PowerShell script per Windows host',
  bpconf: 'bp.conf snippet per host',
  json: 'plan.json: for apply --plan and machines',
  answerfile: 'NBInstallAnswer.conf for hosts not installed yet',
  ansible: 'ansible/: a playbook for the whole fleet (nbsecure rollout)',
};

const INTRO =
  'This wizard walks you through a secure NetBackup setup: hosts, DMZ tunnels, certificates and hardening. It ' +
  'writes runbooks and scripts, and can dry-run and apply one host. It never stores a token or password.';

/** What to do after the wizard, with the answers file the person saved, or how to get one. */
export const nextSteps = (saved: string | undefined) =>
  saved
    ? `Next, on each host as root, the primary first: nbsecure apply --answers ${saved} --host NAME ` +
      '(it dry-runs and asks first).'
    : 'Next: save these answers as a file (What next? → Save), then on each host as root, the primary ' +
      'first: nbsecure apply --answers FILE --host NAME (it dry-runs and asks first).';

/** A host in its list: its name and what differs from the defaults. */
export const hostSummary = (h: HostItem) =>
  [
    h.name,
    h.os === 'windows' ? 'Windows' : undefined,
    h.version ? String(h.version) : undefined,
    h.zone === 'dmz' ? `DMZ via ${(h.tunnelVia as string[] | undefined)?.join(', ') || 'any tunnel'}` : undefined,
    h.tunnel === false ? 'no tunnel' : undefined,
    h.nat ? 'NAT' : undefined,
    h.installed === false ? 'not installed' : undefined,
  ]
    .filter(Boolean)
    .join(' · ');

/**
 * The secrets a host's steps take that the environment did not give: the token or passphrase its files
 * need, and on the primary an optional API key (empty keeps the login and the level a person's).
 */
function secretsToAsk(plan: Plan, host: string, have: Secrets): SecretKind[] {
  const steps = plan.hosts.find((h) => h.name === host)!.steps;
  const kinds = new Set<SecretKind>(steps.flatMap((s) => (s.files ?? []).flatMap((f) => (f.secret ? [f.secret] : []))));
  if (steps.some((s) => s.apiKeyReplaces || s.rest)) kinds.add('apiKey');
  return [...kinds].filter((k) => !have[k]);
}

const secretProblem = (kind: SecretKind, s: string): true | string =>
  kind === 'token'
    ? TOKEN_EXACT.test(s) || 'A token is 16 upper-case letters.'
    : kind === 'apiKey'
      ? !s.trim() ||
        API_KEY_EXACT.test(s.trim()) ||
        'An API key is one unbroken string of at least 16 characters; leave it empty to log in yourself.'
      : Boolean(s) || 'Type the passphrase.';

const secretHelp = (kind: SecretKind) =>
  kind === 'apiKey'
    ? 'Optional: leave it empty to log in yourself. The key replaces the web login and sets the level ' +
      'over TLS pinned to the CA fingerprint; it is never shown, never remembered.'
    : `${SECRET_KINDS[kind].words[0]!.toUpperCase()}${SECRET_KINDS[kind].words.slice(1)} is passed to NetBackup ` +
      'in a 0600 file, never shown, never remembered.';

const nonEmpty = (what: string) => (s: string) => (s.trim() ? true : `Type ${what}.`);
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
const userError = (e: unknown): e is UserError => e instanceof UserError;
/** Runs `ask`; Esc (Back) from it is an answer too: undefined, the screen before. */
async function orBack<T>(ask: () => Promise<T>): Promise<T | undefined> {
  try {
    return await ask();
  } catch (e) {
    if (e instanceof Back) return undefined;
    throw e;
  }
}

/**
 * The wizard, once, for every front end: the questions in order, each answer checked as it is given and
 * only that question asked again; the review; the outputs; the answers file; a dry run and a run of one
 * host. Esc (where a front end has it) goes back one question; Ctrl-R jumps to the review. Returns the
 * exit code.
 */
export async function wizardFlow(ui: WizardUi, ctx: FlowContext): Promise<number> {
  const later: Promise<Later> = import('./finish.js');
  let d: Draft = emptyDraft();
  let saved: string | undefined;
  const set = (next: Draft) => {
    d = next;
    ctx.remember(d);
  };
  const last = await ctx.recall().catch(() => undefined);

  /** Where to start; 'review' for an imported answers file (usually complete), else the first question. */
  async function start(): Promise<'questions' | 'review'> {
    for (;;) {
      const how = await orBack(() =>
        ui.select({
          section: 'Welcome',
          help:
            'Your answers are remembered per profile (--profile NAME) after every question, never with a ' +
            'secret; nbsecure --forget removes them.',
          body: [{ text: INTRO }, { text: '' }],
          message: 'How do you want to start?',
          choices: [
            ...(last ? [{ name: `From your last answers (profile ${ctx.profile})`, value: 'last' }] : []),
            { name: 'Afresh', value: 'fresh' },
            { name: 'Import an answers file', value: 'file' },
            { name: "Import this host's NetBackup configuration (bp.conf)", value: 'local' },
          ],
          default: last ? 'last' : 'fresh',
        }),
      );
      try {
        if (how === 'last' && last) set(last);
        if (how === 'fresh') set(emptyDraft());
        if (how === 'local') set((await later).importLocalConfig());
        if (how === 'file' && (await importFile())) return 'review';
        if (how && how !== 'file') return 'questions';
      } catch (e) {
        if (!userError(e)) throw e;
        ui.say(e.message, 'error');
      }
    }
  }

  /** An answers file: true once imported, false to go back to the start. */
  async function importFile(): Promise<boolean> {
    const place: Place = {
      section: 'Import',
      help:
        'An answers file (YAML, version 1), as nbsecure plan --answers reads it or the wizard saves it. Its ' +
        'review comes first.',
    };
    for (;;) {
      const path = await orBack(() =>
        ui.input({ ...place, message: 'Path of the answers file', validate: nonEmpty('a path') }),
      );
      if (path === undefined) return false;
      const file = resolve(ctx.cwd, path);
      let imported: Draft;
      try {
        imported = (await later).importAnswersFile(file);
      } catch (e) {
        if (!userError(e)) throw e;
        ui.say(e.message, 'error');
        continue;
      }
      if (hasSite(last)) {
        const replace = await orBack(() =>
          ui.select({
            section: 'Import',
            help:
              'The wizard remembers the answers of each profile (--profile NAME). Importing a file starts from ' +
              "the file's answers; to keep both, go back and start another profile with nbsecure --profile NAME.",
            message: replaceRememberedQuestion(file, ctx.profile, siteLine(last)),
            choices: [
              { name: 'No: keep the remembered answers', value: 'keep' },
              { name: "Yes: replace them with the file's answers", value: 'replace' },
            ],
            default: 'keep',
          }),
        );
        if (replace !== 'replace') {
          ui.say('Kept the remembered answers; nothing was imported.');
          return false;
        }
      }
      set(imported);
      return true;
    }
  }

  /** One question of the site; a host list is a page of its own. */
  async function answer(q: Question, place: Place): Promise<void> {
    if (q.kind === 'hosts') return hostsPage(q, place);
    set(setPath(d, q.id, answerValue(q, await ask(q, d, '', place))));
  }

  async function ask(q: Question, view: Draft, base: string, place: Place): Promise<string> {
    const where: Place = { section: q.section || place.section, help: q.help, answering: true, ...place };
    const now = currentText(q, view, base);
    if (q.kind === 'select')
      return ui.select({
        ...where,
        message: q.prompt,
        choices: q.choices!(view).map((c) => ({
          name: c.label,
          value: c.value,
          ...(c.hint ? { description: c.hint } : {}),
        })),
        default: now,
      });
    if (q.kind === 'multi') {
      const ticked = multiValues(now);
      const choices = q.choices!(view).map((c) => ({
        name: c.label,
        value: c.value,
        checked: ticked.includes(c.value),
      }));
      // Nothing to choose from: said now, and the review names it again until a media server offers the tunnel.
      if (!choices.length) {
        ui.say(q.validate?.('', view) ?? '', 'error');
        return '';
      }
      const values = await ui.checkbox({
        ...where,
        message: q.prompt,
        choices,
        ordered: true,
        allowNone: true,
        validate: (v) => q.validate?.(v.join(', '), view) ?? true,
      });
      return values.join(', ');
    }
    const text = await ui.input({
      ...where,
      message: q.prompt,
      default: now,
      validate: (s) => q.validate?.(s.trim(), view) ?? true,
    });
    return text.trim();
  }

  /** The questions from `from` on; Esc on the first goes back to the start (Back), Ctrl-R to the review. */
  async function questions(from: number): Promise<void> {
    let i = from;
    while (i < activeQuestions(d).length) {
      const qs = activeQuestions(d);
      try {
        await answer(qs[i]!, { progress: `question ${i + 1} of ${qs.length}` });
        i++;
      } catch (e) {
        if (!(e instanceof Back) || i === 0) throw e;
        i--;
      }
    }
  }

  /** A list of media servers or clients: the actions first, so they stay in reach however long it grows. */
  async function hostsPage(q: Question, place: Place): Promise<void> {
    const list = q.list!;
    const where: Place = { ...place, section: q.section, help: q.help, answering: true };
    for (;;) {
      const items = hostList(d, list);
      const action = await ui.select({
        ...where,
        message: `${q.prompt} (${items.length})`,
        choices: [
          { name: `→ Done with ${q.prompt.toLowerCase()}`, value: 'done' },
          { name: '+ Add one', value: 'add' },
          { name: '+ Paste a list of names (large sites)', value: 'paste' },
          { name: '+ Import from a file (list, CSV, bpplclients, nbemmcmd)', value: 'import' },
          ...(items.length > 1 ? [{ name: '− Remove several…', value: 'remove' }] : []),
          ...items.map((h) => ({ name: hostSummary(h), value: `h:${h.name}` })),
        ],
        default: items.length ? 'done' : 'add',
        limit: 12,
      });
      if (action === 'done') return;
      // Esc from what an action asks comes back to the list.
      try {
        if (action === 'add') set(replaceHost(d, list, '', await editHost(list, { name: '' }, '')));
        if (action === 'paste') await pasteNames(list);
        if (action === 'import') await importHosts(list);
        if (action === 'remove') await removeSeveral(list, items);
        if (action.startsWith('h:')) await hostMenu(list, action.slice(2));
      } catch (e) {
        if (!(e instanceof Back)) throw e;
      }
    }
  }

  async function hostMenu(list: HostListKey, name: string): Promise<void> {
    const what = await ui.select({
      section: LIST_TITLE[list],
      help: 'Edit goes through its questions again, with its answers as the defaults. Esc: back to the list.',
      answering: true,
      message: name,
      choices: [
        { name: 'Edit', value: 'edit' },
        { name: 'Remove', value: 'remove' },
        { name: 'Keep as it is', value: 'keep' },
      ],
    });
    const item = hostList(d, list).find((h) => h.name === name)!;
    if (what === 'edit') set(replaceHost(d, list, name, await editHost(list, item, name)));
    if (what === 'remove') set(removeHosts(d, list, [name]));
  }

  /** A host's questions one at a time; Esc goes back a field, and from the first back to the list. */
  async function editHost(list: HostListKey, original: HostItem, editing: string): Promise<HostItem> {
    const qs = itemQuestions(list);
    const viewOf = (it: HostItem) => ({ ...d, __item: it, __editing: editing }) as Draft;
    const applies = (i: number, it: HostItem) => !qs[i]!.when || qs[i]!.when!(viewOf(it));
    let item = { ...original };
    const history: number[] = [];
    let i = 0;
    while (i < qs.length && !applies(i, item)) i++;
    while (i < qs.length) {
      const q = qs[i]!;
      const label = `${list === 'clients' ? 'Client' : 'Media server'}${item.name ? `: ${item.name}` : ''}`;
      let text: string;
      try {
        text = await ask(q, viewOf(item), '__item', {
          section: LIST_TITLE[list],
          // Ctrl-R would leave the host half answered: the review is one Esc or Enter away.
          answering: false,
          body: [{ text: label, tone: 'dim' }],
        });
      } catch (e) {
        if (!(e instanceof Back) || !history.length) throw e;
        i = history.pop()!;
        continue;
      }
      const value = answerValue(q, text);
      const next: HostItem = { ...item, [q.id]: value };
      if (value === undefined) delete next[q.id];
      // A field whose question no longer applies (tunnelVia after the zone changes) is dropped.
      qs.forEach((other, k) => {
        if (!applies(k, next)) delete next[other.id];
      });
      item = next;
      history.push(i);
      i++;
      while (i < qs.length && !applies(i, item)) i++;
    }
    return item;
  }

  async function pasteNames(list: HostListKey): Promise<void> {
    const items = hostList(d, list);
    const known = [...items.map((h) => h.name), ...siteNames(d, list)];
    const added: string[] = [];
    const skipped: string[] = [];
    await ui.lines({
      section: LIST_TITLE[list],
      help:
        'Paste or type the names separated by spaces or commas, on as many lines as you like. They get the ' +
        "defaults (Linux, the primary's version, internal); edit any of them afterwards.",
      message: 'Host names',
      prompt: () => (added.length ? `names (${added.length} so far; an empty line ends)> ` : 'names> '),
      onLine: (line) => {
        if (!line.trim()) return false;
        const got = parseNameList(line, [...known, ...added]);
        added.push(...got.names);
        skipped.push(...got.skipped);
        // Said at once, naming each refused name and why; the good names of the same line are kept.
        if (got.refused.length) ui.say(`${refusedText(got.refused)} Add it again, corrected, or leave it out.`, 'warn');
        return true;
      },
    });
    set(setHostList(d, list, [...items, ...added.map((name) => ({ name }))]));
    ui.say(
      [
        `Added ${plural(added.length, 'name')}.`,
        skipped.length ? `Already listed, left out: ${skipped.join(', ')}.` : '',
      ]
        .filter(Boolean)
        .join(' '),
    );
  }

  async function importHosts(list: HostListKey): Promise<void> {
    const path = await ui.input({
      section: LIST_TITLE[list],
      help:
        'A file with one name per line; a CSV with a name column and optional role (client, media), os, ' +
        'version and zone (internal, dmz) columns; or what the primary lists: bpplclients -allunique ' +
        '-noheader > clients.txt, nbemmcmd -listhosts > hosts.txt. Names already in the site are left out.',
      message: 'Path of the file with the hosts',
      validate: nonEmpty('a path'),
    });
    try {
      const got = (await later).importHostsFile(d, list, resolve(ctx.cwd, path));
      set(got.draft);
      ui.say(got.summary);
    } catch (e) {
      if (!userError(e)) throw e;
      ui.say(e.message, 'error');
    }
  }

  async function removeSeveral(list: HostListKey, items: HostItem[]): Promise<void> {
    const gone = await ui.checkbox({
      section: LIST_TITLE[list],
      help: 'Tick the hosts to remove with space (a: all), then Enter. Esc: back, nothing removed.',
      message: 'Remove which?',
      choices: items.map((h) => ({ name: h.name, value: h.name })),
      allowNone: true,
      limit: 12,
    });
    set(removeHosts(d, list, gone));
    if (gone.length) ui.say(`Removed ${plural(gone.length, 'host')}.`);
  }

  /** "No" at the review: any answer, then the review again. Esc or "Back" changes nothing. */
  async function change(): Promise<void> {
    const qs = activeQuestions(d);
    const id = await orBack(() =>
      ui.select({
        section: 'Change an answer',
        help: 'Pick the answer to change; after it you come back to the review. Ctrl-R opens the review any time.',
        message: 'Which answer do you want to change?',
        choices: [
          { name: '← Back to the review', value: '' },
          ...qs.map((q) => ({ name: answerLine(q, d), value: q.id })),
        ],
        limit: 14,
      }),
    );
    const q = qs.find((x) => x.id === id);
    if (!q) return;
    try {
      await answer(q, {});
    } catch (e) {
      if (!(e instanceof Back) && !(e instanceof ToReview)) throw e;
    }
  }

  const REVIEW_HELP =
    'Everything nbsecure will plan from your answers. No: pick any answer to change, then come back ' +
    'here. PgUp/PgDn scroll when the review is longer than the screen.';

  /** The review until it is right: the plan it gives, or Back (Esc) to the last question. */
  async function review(): Promise<Plan> {
    for (;;) {
      const lib = await later;
      const checked = lib.validateDraft(d);
      if ('problems' in checked) {
        const body: BodyLine[] = [
          { text: 'These answers have problems:', bold: true, tone: 'error' },
          ...checked.problems.map((p) => ({ text: ` - ${problemInWords(p, d)}`, tone: 'error' as const })),
        ];
        await ui.select({
          section: 'Review',
          help: REVIEW_HELP,
          body,
          reserved: 9,
          message: 'Fix them',
          choices: [{ name: 'Change an answer (the others are kept)', value: 'back' }],
        });
        await change();
        continue;
      }
      const plan = lib.planOf(checked.environment);
      const body: BodyLine[] = [
        { text: 'The site', bold: true },
        ...lib.topologyLines(plan, ctx.ascii).map((t) => ({ text: ` ${t}` })),
        { text: '' },
        ...lib
          .reviewLines(checked.environment, plan)
          .flatMap((s) => [
            { text: s.title, bold: true, ...(s.title === 'Warnings' ? { tone: 'warn' as const } : {}) },
            ...s.lines.map((l) => ({ text: ` ${l}` })),
            { text: '' },
          ]),
      ];
      const right = await ui.select({
        section: 'Review',
        help: REVIEW_HELP,
        body,
        reserved: 10,
        message: 'Is this right?',
        choices: [
          { name: 'Yes: choose the outputs', value: 'yes' },
          { name: 'No: change an answer', value: 'no' },
        ],
      });
      if (right === 'yes') return plan;
      await change();
    }
  }

  /** The outputs written; Back from the first of their questions goes back to the review. */
  async function outputs(plan: Plan): Promise<string[]> {
    const lib = await later;
    const place: Place = {
      section: 'Outputs',
      help:
        'Space ticks or unticks a format; Enter goes on. The same files as nbsecure plan --out DIR ' +
        '--format …; ansible/ is the playbook nbsecure rollout runs.',
    };
    for (;;) {
      const formats = await ui.checkbox<Format>({
        ...place,
        message: 'Which outputs?',
        choices: FORMATS.map((f) => ({
          name: FORMAT_LABELS[f],
          value: f,
          checked: (DEFAULT_FORMATS as readonly string[]).includes(f),
        })),
      });
      const written = await orBack(() => writeInto(plan, formats, lib));
      if (written) return written;
    }
  }

  async function writeInto(plan: Plan, formats: Format[], lib: Later): Promise<string[]> {
    for (;;) {
      const dir = resolve(
        ctx.cwd,
        await ui.input({
          section: 'Outputs',
          help:
            'A folder relative to where you started nbsecure, or an absolute path. If it already holds files, ' +
            'you are asked before any is replaced.',
          message: 'Write them to which folder?',
          default: 'nbsecure-runbooks',
          validate: nonEmpty('a folder'),
        }),
      );
      const found = lib.folderContents(plan, formats, dir);
      let stale: string[] = [];
      if (found.replaced.length || found.stale.length) {
        const how = await orBack(() =>
          ui.select({
            section: 'Outputs',
            help:
              'Files this plan no longer writes are usually from hosts since removed: left in the folder, a ' +
              'script for a host that is gone could still be run. Only files nbsecure writes are ever removed.',
            // Four names at most: the choices must stay on an 80x24 screen.
            body: [{ text: folderText(dir, found.replaced.length, found.stale, 4) }],
            message: 'Replace them?',
            choices: folderChoices(found.stale).map((c) => ({ name: c.label, value: c.value })),
          }),
        );
        if (how === undefined || how === 'other') continue;
        stale = how === 'clean' ? found.stale : [];
      }
      try {
        return lib.writeOutputs(plan, formats, dir, stale);
      } catch (e) {
        if (!userError(e)) throw e;
        ui.say(e.message, 'error');
      }
    }
  }

  async function saveAnswers(lib: Later): Promise<void> {
    const place: Place = {
      section: 'Answers file',
      help: 'A YAML answers file with everything but secrets: nbsecure plan, apply and rollout read it.',
    };
    for (;;) {
      const file = resolve(
        ctx.cwd,
        await ui.input({
          ...place,
          message: 'Save the answers to',
          default: 'nbsecure-answers.yaml',
          validate: nonEmpty('a file name'),
        }),
      );
      if (lib.exists(file)) {
        const replace = await orBack(() =>
          ui.select({
            ...place,
            message: `${file} exists. Replace it?`,
            choices: [
              { name: 'No: choose another name', value: 'no' },
              { name: 'Yes: replace it', value: 'yes' },
            ],
          }),
        );
        if (replace !== 'yes') continue;
      }
      try {
        lib.saveAnswersFile(d, file);
      } catch (e) {
        ui.say(`Could not write ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`, 'error');
        continue;
      }
      saved = file;
      ui.say(`Saved ${file}. Next time: nbsecure plan --answers ${file}`);
      return;
    }
  }

  /** The dry run of one host, then, if the person chooses, the run: the exit code when the wizard ends. */
  async function runHost(plan: Plan): Promise<number | undefined> {
    const host = await ui.select({
      section: 'Dry run',
      help:
        "Steps run only on the host they belong to: choose this machine's name. The dry run changes nothing " +
        'and needs no secret.',
      message: 'Which host is this machine? (its steps run here)',
      choices: plan.hosts.map((h) => ({ name: `${h.name} (${h.role}, ${h.os})`, value: h.name })),
    });
    const options = (dryRun: boolean, secrets: Secrets, confirmed: string[], resume: boolean) =>
      ({
        stateDir: ctx.stateDir,
        dryRun,
        yes: true,
        stepTimeoutMs: 600_000,
        resume,
        confirmed: new Set(confirmed),
        resumeCommand: ['nbsecure', 'apply', '--answers', saved ?? 'FILE', '--host', host, '--resume'],
        machine: { hostname: ctx.machineName },
        secrets,
      }) satisfies Omit<ApplyOptions, 'prompter'>;
    // A dry run never needs a secret: they are asked for only when the steps are to run.
    const dry = await ui.run({
      plan,
      host,
      options: options(true, { ...ctx.envSecrets }, [], false),
      title: 'These are the exact commands; nothing was changed.',
      section: `Dry run on ${host}`,
      help:
        'The exact commands, in order, with what each changes; PgUp/PgDn scroll them. Nothing ran. Running ' +
        'asks for any secret the steps need and, where the services restart, for the host name typed out.',
      // Running changes the host: the choice under the cursor is not to.
      choices: () => [
        { name: 'Finish without running', value: 'quit' },
        { name: `Run these steps on ${host} now`, value: 'run' },
      ],
    });
    if (dry.value !== 'run') {
      await ui.finish(nextSteps(saved));
      return 0;
    }
    const place: Place = { section: `Applying on ${host}` };
    if (runRestartsServices(plan.hosts.find((h) => h.name === host)!.steps)) {
      const typed = await orBack(() =>
        ui.input({
          ...place,
          help:
            "Turning insecure communication off needs the primary's services restarted: bp.kill_all and " +
            'bp.start_all (bpdown and bpup on Windows). Jobs running then fail. Esc: back without running.',
          message: restartQuestion(host),
          validate: (s) => s.trim() === host || `Type ${host} exactly, or press Esc to go back.`,
        }),
      );
      if (typed === undefined) return undefined;
    }
    const secrets: Secrets = { ...ctx.envSecrets };
    for (const kind of secretsToAsk(plan, host, secrets)) {
      const value = await ui.password({
        section: 'Secrets',
        help: secretHelp(kind),
        message: SECRET_KINDS[kind].prompt,
        validate: (s) => secretProblem(kind, s),
      });
      if (value.trim()) secrets[kind] = value.trim();
    }
    const confirmed: string[] = [];
    for (let run = 0; ; run++) {
      const r = await ui.run({
        plan,
        host,
        options: options(false, secrets, confirmed, run > 0),
        title: 'Live progress',
        section: `Applying on ${host}`,
        help:
          'Each step is journaled: Retry resumes from the failed step, and nbsecure apply --resume does too. ' +
          'PgUp/PgDn scroll the record.',
        choices: (res) => [
          ...(res.stopped?.kind === 'manual'
            ? [{ name: 'It is done: continue', value: 'confirm' }]
            : res.exitCode !== 0
              ? [{ name: 'Retry from the failed step', value: 'retry' }]
              : []),
          { name: 'Finish', value: 'quit' },
        ],
      });
      if (r.value === 'quit') {
        await ui.finish(r.result.exitCode === 0 ? `${host} is done. ${nextSteps(saved)}` : nextSteps(saved));
        return 0;
      }
      if (r.value === 'confirm' && r.result.stopped?.step) confirmed.push(r.result.stopped.step);
    }
  }

  // The phases in order; Esc from the first question of one goes back to the one before.
  let phase: 'start' | 'questions' | 'review' = 'start';
  let from = 0;
  let plan: Plan | undefined;
  while (!plan) {
    if (phase === 'start') {
      phase = await start();
      from = 0;
    } else if (phase === 'questions') {
      try {
        await questions(from);
        phase = 'review';
      } catch (e) {
        if (e instanceof Back) phase = 'start';
        else if (e instanceof ToReview) phase = 'review';
        else throw e;
      }
    } else {
      try {
        plan = await review();
      } catch (e) {
        if (!(e instanceof Back)) throw e;
        phase = 'questions';
        from = activeQuestions(d).length - 1;
      }
    }
  }
  const files = await outputs(plan);
  const lib = await later;
  for (;;) {
    const next = await orBack(() =>
      ui.select({
        section: 'Outputs',
        help:
          'Save: an answers file for nbsecure plan, apply and rollout. Dry run: the exact commands of one ' +
          'host, run on this machine only if you then choose to.',
        body: [
          { text: `Wrote ${files.length} files:`, bold: true },
          ...files.map((f) => ({ text: ` ${f}` })),
          { text: '' },
        ],
        reserved: 12,
        message: 'What next?',
        choices: [
          { name: 'Save these answers as an answers file (for scripted runs)', value: 'save' },
          { name: 'Dry-run one host on this machine', value: 'dry' },
          { name: 'Finish', value: 'quit' },
        ] satisfies PromptChoice[],
      }),
    );
    try {
      if (next === 'save') await saveAnswers(lib);
      if (next === 'dry') {
        const code = await runHost(plan);
        if (code !== undefined) return code;
      }
    } catch (e) {
      if (!(e instanceof Back)) throw e;
    }
    if (next === 'quit') {
      await ui.finish(nextSteps(saved));
      return 0;
    }
  }
}
