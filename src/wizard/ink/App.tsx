import { Box, Text, useApp, useInput } from 'ink';
import { resolve } from 'node:path';
import { hostname } from 'node:os';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import { UserError } from '../../errors.js';
import { TOKEN_EXACT } from '../../catalogue/token-shape.js';
import { API_KEY_EXACT, SECRET_KINDS, type SecretKind } from '../../execute/token.js';
import type { RunningApply } from './ApplyScreen.js';
import type { Format } from '../../render/index.js';
import type { Plan } from '../../plan/types.js';
import { restartQuestion, runRestartsServices } from '../../execute/restart-consent.js';
import { folderChoices, folderText, replaceRememberedQuestion } from '../consent.js';
import { parseNameList, refusedText, siteNames } from '../name-list.js';
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
} from '../draft.js';
import { activeQuestions, answerLine, answerValue, problemInWords, type Question } from '../questions.js';
import { FormatPicker } from './FormatPicker.js';
import { Frame } from './Frame.js';
import { HostListScreen } from './HostListScreen.js';
import { ItemForm } from './ItemForm.js';
import { MultiSelect } from './MultiSelect.js';
import { QuestionScreen } from './QuestionScreen.js';
import { ReviewScreen } from './ReviewScreen.js';
import { ScrollText } from './ScrollText.js';
import { SelectQuestion } from './SelectQuestion.js';
import { TextQuestion } from './TextQuestion.js';
import { WelcomeScreen } from './WelcomeScreen.js';
import { FieldHelpContext } from './theme.js';

type Screen =
  | { kind: 'welcome' }
  | { kind: 'import-file' }
  | { kind: 'replace-remembered'; draft: Draft; file: string }
  /** `review`: reached from the review, so answering it returns there. */
  | { kind: 'question'; id: string; review?: boolean }
  | { kind: 'change' }
  | { kind: 'host-menu'; list: HostListKey; name: string }
  | { kind: 'item'; list: HostListKey; editing: string }
  | { kind: 'paste'; list: HostListKey }
  | { kind: 'import-hosts'; list: HostListKey }
  | { kind: 'remove-hosts'; list: HostListKey }
  | { kind: 'review' }
  | { kind: 'formats' }
  | { kind: 'folder'; formats: Format[] }
  | { kind: 'overwrite'; formats: Format[]; dir: string; replaced: string[]; stale: string[] }
  | { kind: 'written'; files: string[] }
  | { kind: 'save-answers'; file?: string }
  | { kind: 'choose-host' }
  | { kind: 'secret'; host: string; need: SecretKind[]; secrets: Secrets }
  | { kind: 'dry-run'; host: string; secrets: Secrets }
  | { kind: 'restart'; host: string; secrets: Secrets }
  | { kind: 'apply'; host: string; secrets: Secrets; confirmed: string[]; resume: boolean; run: number }
  | { kind: 'finished'; message: string };

type Secrets = Partial<Record<SecretKind, string>>;

export interface AppProps {
  profile: string;
  /** The remembered answers of this profile, or how to read them once the first frame is drawn. */
  last?: Draft | (() => Promise<Draft | undefined>);
  cwd: string;
  stateDir: string;
  /** This machine's host name (os.hostname() unless given): apply runs only on the host it names. */
  machineName?: string;
  /** Secrets from NBSECURE_TOKEN / NBSECURE_PASSPHRASE; the others are asked for, masked, and never kept. */
  envSecrets?: Secrets;
  /** Called on every change of the answers, so they are remembered (never secrets). */
  onDraft: (d: Draft) => void;
  onExit: (code: number) => void;
}

/**
 * What only the later screens need (validation, planning, rendering, running): loaded once the first
 * frame is on screen, so the wizard opens as fast as Ink itself.
 */
type Later = typeof import('../finish.js') & { ApplyScreen: typeof import('./ApplyScreen.js').ApplyScreen };
let later: Promise<Later> | undefined;
const loadLater = () =>
  (later ??= Promise.all([import('../finish.js'), import('./ApplyScreen.js')]).then(([f, a]) => ({
    ...f,
    ApplyScreen: a.ApplyScreen,
  })));

/** What to do after the wizard, with the answers file the person saved, or how to get one. */
const nextSteps = (saved: string | undefined) =>
  saved
    ? `Next, on each host as root, the primary first: nbsecure apply --answers ${saved} --host NAME ` +
      '(it dry-runs and asks first).'
    : 'Next: save these answers as a file (What next? → Save), then on each host as root, the primary ' +
      'first: nbsecure apply --answers FILE --host NAME (it dry-runs and asks first).';

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

/**
 * The screens that show or use the plan: the answers are validated and planned (the later code loaded)
 * before they are drawn. One list, so a screen cannot be left waiting for a plan nobody makes.
 */
const PLANNED_SCREENS = new Set<Screen['kind']>([
  'review',
  'formats',
  'folder',
  'overwrite',
  'written',
  'save-answers',
  'choose-host',
  'dry-run',
  'restart',
  'secret',
  'apply',
]);

/** Where running a host goes next: the secrets its steps need and the environment did not give, else the run. */
const runScreen = (plan: Plan, host: string, secrets: Secrets): Screen => {
  const need = secretsToAsk(plan, host, secrets);
  return need.length
    ? { kind: 'secret', host, need, secrets }
    : { kind: 'apply', host, secrets, confirmed: [], resume: false, run: 1 };
};

const LIST_TITLE: Record<HostListKey, string> = { clients: 'Clients', mediaServers: 'Media servers' };

export function App(props: AppProps) {
  const { exit } = useApp();
  const [draft, setDraftState] = useState<Draft>(emptyDraft());
  const [screen, setScreen] = useState<Screen>({ kind: 'welcome' });
  const [history, setHistory] = useState<Screen[]>([]);
  const [showHelp, setShowHelp] = useState(false);
  const [itemHelp, setItemHelp] = useState('');
  const [notice, setNotice] = useState<string | undefined>();
  const [last, setLast] = useState<Draft | undefined | 'loading'>(
    typeof props.last === 'function' ? 'loading' : props.last,
  );
  const [lib, setLib] = useState<Later | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const fieldsOpen = useRef(0);
  const fieldHelp = useMemo(() => ({ open: fieldsOpen, toggle: () => setShowHelp((s) => !s) }), []);
  useEffect(() => {
    void loadLater().then(setLib);
  }, []);
  const { last: remembered } = props;
  useEffect(() => {
    if (typeof remembered === 'function')
      void remembered().then(
        (d) => setLast(d),
        () => setLast(undefined),
      );
  }, [remembered]);

  const setDraft = (d: Draft) => {
    setDraftState(d);
    props.onDraft(d);
  };
  const quit = useCallback(
    (code: number) => {
      props.onExit(code);
      exit();
    },
    [exit, props],
  );
  const go = (next: Screen) => {
    setHistory([...history, screen]);
    setScreen(next);
    setShowHelp(false);
    setNotice(undefined);
  };
  const back = () => {
    const prev = history.at(-1);
    if (!prev) return;
    setHistory(history.slice(0, -1));
    setScreen(prev);
    setShowHelp(false);
  };
  /** In place of the current screen: Esc from what comes next skips it (a menu that led to a form). */
  const replace = (next: Screen) => {
    setScreen(next);
    setShowHelp(false);
    setNotice(undefined);
  };

  // Ctrl-C stops a running apply like SIGINT: the command gets the signal, and the wizard exits once
  // the run has recorded the interruption and removed its temporary secrets.
  const running = useRef<RunningApply | undefined>(undefined);
  const interrupt = useCallback(() => {
    const run = running.current;
    if (!run) return quit(130);
    run.stop.abort('SIGINT');
    void run.done.finally(() => quit(130));
  }, [quit]);

  const answering = screen.kind === 'question' || screen.kind === 'change' || screen.kind === 'host-menu';
  useInput((input, key) => {
    if (key.ctrl && input === 'c') interrupt();
    else if (key.ctrl && input === 'r' && answering) go({ kind: 'review' });
    else if (key.escape && screen.kind !== 'item') back();
    else if (input === '?' && fieldsOpen.current === 0) setShowHelp((s) => !s);
  });

  const pages = activeQuestions(draft);
  const firstPage = (d: Draft): Screen => ({ kind: 'question', id: activeQuestions(d)[0]!.id });
  const after = (id: string, d: Draft, review = false): Screen => {
    if (review) return { kind: 'review' };
    const list = activeQuestions(d);
    const i = list.findIndex((q) => q.id === id);
    const next = list[i + 1];
    return next ? { kind: 'question', id: next.id } : { kind: 'review' };
  };
  const planned = PLANNED_SCREENS.has(screen.kind);
  const checked = useMemo(() => (lib && planned ? lib.validateDraft(draft) : undefined), [planned, draft, lib]);
  const ok = checked && 'environment' in checked ? checked : undefined;
  const plan = useMemo(() => (ok && lib ? lib.planOf(ok.environment) : undefined), [ok, lib]);

  const write = (formats: Format[], dir: string, removeStale: string[]) => {
    try {
      go({ kind: 'written', files: lib!.writeOutputs(plan!, formats, dir, removeStale) });
    } catch (e) {
      if (e instanceof UserError) setNotice(e.message);
      else throw e;
    }
  };

  const start = async (kind: 'last' | 'fresh' | 'file' | 'local') => {
    try {
      if (kind === 'file') return go({ kind: 'import-file' });
      const d =
        kind === 'last' && last && last !== 'loading'
          ? last
          : kind === 'local'
            ? (await loadLater()).importLocalConfig()
            : emptyDraft();
      setDraft(d);
      go(firstPage(d));
    } catch (e) {
      if (e instanceof UserError) setNotice(e.message);
      else throw e;
    }
  };

  const question = screen.kind === 'question' ? pages.find((q) => q.id === screen.id) : undefined;
  const progress = question ? `question ${pages.indexOf(question) + 1} of ${pages.length}` : undefined;
  let section = 'Welcome';
  let help: string | undefined;
  let body: ReactElement | null = null;

  if (planned && (!lib || !checked)) body = <Text dimColor>Loading…</Text>;
  else
    switch (screen.kind) {
      case 'welcome':
        body = (
          <WelcomeScreen
            profile={props.profile}
            hasLast={last === 'loading' ? undefined : Boolean(last)}
            onStart={start}
          />
        );
        help =
          'Your answers are remembered per profile (--profile NAME) after every question, never ' +
          'with a secret; nbsecure --forget removes them.';
        break;
      case 'import-file':
        section = 'Import';
        help =
          'An answers file (YAML, version 1), as nbsecure plan --answers reads it or the wizard saves it. Its ' +
          'review comes first.';
        body = (
          <TextQuestion
            prompt="Path of the answers file"
            initial=""
            validate={(s) => (s ? undefined : 'Type a path.')}
            onSubmit={async (s) => {
              try {
                const file = resolve(props.cwd, s);
                const d = (await loadLater()).importAnswersFile(file);
                if (last !== 'loading' && hasSite(last)) return go({ kind: 'replace-remembered', draft: d, file });
                setDraft(d);
                // An imported file is usually complete: its review comes first ("No" offers any question).
                go({ kind: 'review' });
              } catch (e) {
                if (e instanceof UserError) setNotice(e.message);
                else throw e;
              }
            }}
          />
        );
        break;
      case 'replace-remembered':
        section = 'Import';
        help =
          'The wizard remembers the answers of each profile (--profile NAME). Importing a file starts from ' +
          "the file's answers; to keep both, go back and start another profile with nbsecure --profile NAME.";
        body = (
          <SelectQuestion
            prompt={replaceRememberedQuestion(screen.file, props.profile, siteLine(last as Draft))}
            choices={[
              { value: 'keep', label: 'No: keep the remembered answers' },
              { value: 'replace', label: "Yes: replace them with the file's answers" },
            ]}
            onSubmit={(v) => {
              if (v === 'keep') {
                setHistory([]);
                return replace({ kind: 'welcome' });
              }
              setDraft(screen.draft);
              replace({ kind: 'review' });
            }}
          />
        );
        break;
      case 'change':
        section = 'Change an answer';
        help = 'Pick the answer to change; after it you come back to the review. Ctrl-R opens the review any time.';
        body = (
          <SelectQuestion
            prompt="Which answer do you want to change?"
            limit={14}
            choices={[
              { value: '', label: '← Back to the review' },
              ...pages.map((q) => ({ value: q.id, label: answerLine(q, draft) })),
            ]}
            onSubmit={(id) => (id ? replace({ kind: 'question', id, review: true }) : back())}
          />
        );
        break;
      case 'host-menu': {
        const list = screen.list;
        section = LIST_TITLE[list];
        help = 'Edit goes through its questions again, with its answers as the defaults. Esc: back to the list.';
        body = (
          <SelectQuestion
            prompt={screen.name}
            choices={[
              { value: 'edit', label: 'Edit' },
              { value: 'remove', label: 'Remove' },
              { value: 'keep', label: 'Keep as it is' },
            ]}
            onSubmit={(v) => {
              if (v === 'edit') return replace({ kind: 'item', list, editing: screen.name });
              if (v === 'remove') setDraft(removeHosts(draft, list, [screen.name]));
              back();
            }}
          />
        );
        break;
      }
      case 'question': {
        if (!question) {
          body = <Text>That question no longer applies; press Esc.</Text>;
          break;
        }
        section = question.section;
        help = question.help;
        if (question.kind === 'hosts') {
          const list = question.list!;
          body = (
            <HostListScreen
              key={question.id}
              label={question.prompt}
              items={hostList(draft, list)}
              onAction={(a) => {
                if (a.kind === 'done') go(after(question.id, draft, screen.review));
                if (a.kind === 'add') go({ kind: 'item', list, editing: '' });
                if (a.kind === 'pick') go({ kind: 'host-menu', list, name: a.name });
                if (a.kind === 'paste') go({ kind: 'paste', list });
                if (a.kind === 'import') go({ kind: 'import-hosts', list });
                if (a.kind === 'remove-many') go({ kind: 'remove-hosts', list });
              }}
            />
          );
        } else {
          body = (
            <QuestionScreen
              key={question.id}
              question={question as Question}
              draft={draft}
              onAnswer={(text) => {
                const d = setPath(draft, question.id, answerValue(question, text));
                setDraft(d);
                go(after(question.id, d, screen.review));
              }}
            />
          );
        }
        break;
      }
      case 'item': {
        const list = screen.list;
        const original = hostList(draft, list).find((h) => h.name === screen.editing) ?? { name: '' };
        section = LIST_TITLE[list];
        help = itemHelp;
        body = (
          <ItemForm
            key={`${list}:${screen.editing}`}
            list={list}
            draft={draft}
            item={original}
            editing={screen.editing}
            onHelp={setItemHelp}
            onCancel={back}
            onDone={(item: HostItem) => {
              setDraft(replaceHost(draft, list, screen.editing, item));
              back();
            }}
          />
        );
        break;
      }
      case 'paste': {
        const list = screen.list;
        section = LIST_TITLE[list];
        help =
          'Paste or type the names separated by spaces or commas. They get the defaults (Linux, ' +
          "the primary's version, internal); edit any of them afterwards.";
        body = (
          <TextQuestion
            prompt="Host names"
            initial=""
            multiline
            validate={(s) => {
              const { names, refused } = parseNameList(s, []);
              if (!s.trim()) return 'Type at least one name.';
              return names.length ? undefined : refusedText(refused);
            }}
            onSubmit={(s) => {
              const items = hostList(draft, list);
              const { names, skipped, refused } = parseNameList(s, [
                ...items.map((h) => h.name),
                ...siteNames(draft, list),
              ]);
              setDraft(setHostList(draft, list, [...items, ...names.map((name) => ({ name }))]));
              back();
              // Every name is accounted for: how many were added, and each one refused or left out, with why.
              setNotice(
                [
                  `Added ${names.length} name${names.length === 1 ? '' : 's'}.`,
                  refused.length ? refusedText(refused) : '',
                  skipped.length ? `Already listed, left out: ${skipped.join(', ')}.` : '',
                ]
                  .filter(Boolean)
                  .join(' '),
              );
            }}
          />
        );
        break;
      }
      case 'import-hosts': {
        const list = screen.list;
        section = LIST_TITLE[list];
        help =
          'A file with one name per line; a CSV with a name column and optional role (client, media), os, ' +
          'version and zone (internal, dmz) columns; or what the primary lists: bpplclients -allunique ' +
          '-noheader > clients.txt, nbemmcmd -listhosts > hosts.txt. Names already in the site are left out.';
        body = (
          <TextQuestion
            prompt="Path of the file with the hosts"
            initial=""
            validate={(s) => (s ? undefined : 'Type a path.')}
            onSubmit={async (s) => {
              const file = resolve(props.cwd, s);
              try {
                const { importHostsFile } = await loadLater();
                const { draft: d, summary } = importHostsFile(draft, list, file);
                setDraft(d);
                back();
                setNotice(summary);
              } catch (e) {
                if (e instanceof UserError) setNotice(e.message);
                else throw e;
              }
            }}
          />
        );
        break;
      }
      case 'remove-hosts': {
        const list = screen.list;
        section = LIST_TITLE[list];
        help = 'Tick the hosts to remove with space (a: all), then Enter. Esc: back, nothing removed.';
        body = (
          <MultiSelect
            prompt="Remove which?"
            limit={12}
            allowNone
            choices={hostList(draft, list).map((h) => ({ value: h.name, label: h.name }))}
            onSubmit={(names) => {
              setDraft(removeHosts(draft, list, names));
              back();
              if (names.length) setNotice(`Removed ${names.length} host${names.length === 1 ? '' : 's'}.`);
            }}
          />
        );
        break;
      }
      case 'review':
        section = 'Review';
        help =
          'Everything nbsecure will plan from your answers. No: pick any answer to change, then come back ' +
          'here. PgUp/PgDn scroll when the review is longer than the screen.';
        body = (
          <ReviewScreen
            {...(ok && plan && lib
              ? { sections: lib.reviewLines(ok.environment, plan), tree: lib.topologyLines(plan) }
              : {
                  problems: (checked && 'problems' in checked ? checked.problems : []).map((p) =>
                    problemInWords(p, draft),
                  ),
                })}
            onNext={(v) => (v === 'back' ? go({ kind: 'change' }) : go({ kind: 'formats' }))}
          />
        );
        break;
      case 'formats':
        section = 'Outputs';
        help =
          'Space ticks or unticks a format; Enter goes on. The same files as nbsecure plan --out DIR ' +
          '--format …; ansible/ is the playbook nbsecure rollout runs.';
        body = <FormatPicker onSubmit={(formats) => go({ kind: 'folder', formats })} />;
        break;
      case 'folder':
        section = 'Outputs';
        help =
          'A folder relative to where you started nbsecure, or an absolute path. If it already holds files, ' +
          'you are asked before any is replaced.';
        body = (
          <TextQuestion
            prompt="Write them to which folder?"
            initial="nbsecure-runbooks"
            validate={(s) => (s ? undefined : 'Type a folder.')}
            onSubmit={(s) => {
              const dir = resolve(props.cwd, s);
              const { replaced, stale } = lib!.folderContents(plan!, screen.formats, dir);
              if (replaced.length || stale.length)
                return go({ kind: 'overwrite', formats: screen.formats, dir, replaced, stale });
              write(screen.formats, dir, []);
            }}
          />
        );
        break;
      case 'overwrite':
        section = 'Outputs';
        help =
          'Files this plan no longer writes are usually from hosts since removed: left in the folder, a script ' +
          'for a host that is gone could still be run. Only files nbsecure writes are ever removed.';
        body = (
          <Box flexDirection="column">
            {/* Four names at most: the choices must stay on an 80x24 screen. */}
            <Text>{folderText(screen.dir, screen.replaced.length, screen.stale, 4)}</Text>
            <SelectQuestion
              prompt="Replace them?"
              choices={folderChoices(screen.stale)}
              onSubmit={(v) =>
                v === 'other' ? back() : write(screen.formats, screen.dir, v === 'clean' ? screen.stale : [])
              }
            />
          </Box>
        );
        break;
      case 'written':
        section = 'Outputs';
        help =
          'Save: an answers file for nbsecure plan, apply and rollout. Dry run: the exact commands of one ' +
          'host, run on this machine only if you then choose to.';
        body = (
          <Box flexDirection="column">
            {/* The list scrolls: the frame, this screen's choice and the margins take the rest of 80x24. */}
            <ScrollText
              lines={[
                { text: `Wrote ${screen.files.length} files:`, bold: true },
                ...screen.files.map((f) => ({ text: ` ${f}` })),
              ]}
              reserved={12}
            />
            <Box marginTop={1}>
              <SelectQuestion
                prompt="What next?"
                choices={[
                  { value: 'save', label: 'Save these answers as an answers file (for scripted runs)' },
                  { value: 'dry', label: 'Dry-run one host on this machine' },
                  { value: 'quit', label: 'Finish' },
                ]}
                onSubmit={(v) =>
                  v === 'save'
                    ? go({ kind: 'save-answers' })
                    : v === 'dry'
                      ? go({ kind: 'choose-host' })
                      : go({ kind: 'finished', message: nextSteps(saved) })
                }
              />
            </Box>
          </Box>
        );
        break;
      case 'save-answers': {
        section = 'Answers file';
        help = 'A YAML answers file with everything but secrets: nbsecure plan, apply and rollout read it.';
        const save = (file: string) => {
          try {
            lib!.saveAnswersFile(draft, file);
          } catch (e) {
            return setNotice(`Could not write ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`);
          }
          setSaved(file);
          back();
          setNotice(`Saved ${file}. Next time: nbsecure plan --answers ${file}`);
        };
        body = screen.file ? (
          <SelectQuestion
            prompt={`${screen.file} exists. Replace it?`}
            choices={[
              { value: 'no', label: 'No: choose another name' },
              { value: 'yes', label: 'Yes: replace it' },
            ]}
            onSubmit={(v) => (v === 'yes' ? save(screen.file!) : replace({ kind: 'save-answers' }))}
          />
        ) : (
          <TextQuestion
            prompt="Save the answers to"
            initial="nbsecure-answers.yaml"
            validate={(s) => (s ? undefined : 'Type a file name.')}
            onSubmit={(s) => {
              const file = resolve(props.cwd, s);
              if (lib!.exists(file)) replace({ kind: 'save-answers', file });
              else save(file);
            }}
          />
        );
        break;
      }
      case 'choose-host':
        section = 'Dry run';
        help =
          "Steps run only on the host they belong to: choose this machine's name. The dry run changes nothing " +
          'and needs no secret.';
        body = (
          <SelectQuestion
            prompt="Which host is this machine? (its steps run here)"
            choices={plan!.hosts.map((h) => ({ value: h.name, label: `${h.name} (${h.role}, ${h.os})` }))}
            // A dry run never needs a secret: they are asked for only when the steps are to run.
            onSubmit={(host) => go({ kind: 'dry-run', host, secrets: { ...props.envSecrets } })}
          />
        );
        break;
      case 'secret': {
        const kind = screen.need[0]!;
        section = 'Secrets';
        help =
          kind === 'apiKey'
            ? 'Optional: leave it empty to log in yourself. The key replaces the web login and sets the level ' +
              'over TLS pinned to the CA fingerprint; it is never shown, never remembered.'
            : `${SECRET_KINDS[kind].words[0]!.toUpperCase()}` +
              `${SECRET_KINDS[kind].words.slice(1)} is passed to NetBackup in a 0600 file, never shown, ` +
              'never remembered.';
        body = (
          <TextQuestion
            key={kind}
            prompt={SECRET_KINDS[kind].prompt}
            initial=""
            mask="*"
            validate={(s) =>
              kind === 'token'
                ? TOKEN_EXACT.test(s)
                  ? undefined
                  : 'A token is 16 upper-case letters.'
                : kind === 'apiKey'
                  ? !s.trim() || API_KEY_EXACT.test(s.trim())
                    ? undefined
                    : 'An API key is one unbroken string of at least 16 characters; leave it empty to log in yourself.'
                  : s
                    ? undefined
                    : 'Type the passphrase.'
            }
            onSubmit={(value) => {
              const secrets = value.trim() ? { ...screen.secrets, [kind]: value.trim() } : { ...screen.secrets };
              const rest = screen.need.slice(1);
              go(
                rest.length
                  ? { kind: 'secret', host: screen.host, need: rest, secrets }
                  : { kind: 'apply', host: screen.host, secrets, confirmed: [], resume: false, run: 1 },
              );
            }}
          />
        );
        break;
      }
      case 'dry-run':
      case 'apply': {
        const real = screen.kind === 'apply';
        section = real ? `Applying on ${screen.host}` : `Dry run on ${screen.host}`;
        help = real
          ? 'Each step is journaled: Retry resumes from the failed step, and nbsecure apply --resume does too.'
          : 'The exact commands, in order, with what each changes. Nothing ran. Running asks for any secret ' +
            'the steps need and, where the services restart, for the host name typed out.';
        const options = {
          stateDir: props.stateDir,
          dryRun: !real,
          yes: true,
          stepTimeoutMs: 600_000,
          resume: real ? screen.resume : false,
          confirmed: new Set(real ? screen.confirmed : []),
          resumeCommand: ['nbsecure', 'apply', '--answers', saved ?? 'FILE', '--host', screen.host, '--resume'],
          machine: { hostname: props.machineName ?? hostname() },
          secrets: screen.secrets,
        };
        const ApplyScreen = lib!.ApplyScreen;
        body = (
          <ApplyScreen
            key={real ? `apply-${screen.run}` : 'dry'}
            plan={plan!}
            host={screen.host}
            options={options}
            title={real ? 'Live progress' : 'These are the exact commands; nothing was changed.'}
            onStart={(run) => {
              running.current = run;
              void run.done.finally(() => {
                if (running.current === run) running.current = undefined;
              });
            }}
            next={(r) =>
              real
                ? [
                    ...(r.stopped?.kind === 'manual'
                      ? [{ value: 'confirm', label: 'It is done: continue' }]
                      : r.exitCode !== 0
                        ? [{ value: 'retry', label: 'Retry from the failed step' }]
                        : []),
                    { value: 'quit', label: 'Finish' },
                  ]
                : // Running changes the host: the choice under the cursor is not to.
                  [
                    { value: 'quit', label: 'Finish without running' },
                    { value: 'run', label: `Run these steps on ${screen.host} now` },
                  ]
            }
            onNext={(v, r) => {
              if (v === 'quit')
                return go({
                  kind: 'finished',
                  message: real && r.exitCode === 0 ? `${screen.host} is done. ${nextSteps(saved)}` : nextSteps(saved),
                });
              if (
                v === 'run' &&
                screen.kind === 'dry-run' &&
                runRestartsServices(plan!.hosts.find((h) => h.name === screen.host)!.steps)
              )
                return go({ kind: 'restart', host: screen.host, secrets: screen.secrets });
              if (v === 'run') return go(runScreen(plan!, screen.host, screen.secrets));
              if (screen.kind === 'apply') {
                const confirmed =
                  v === 'confirm' && r.stopped?.kind === 'manual' && r.stopped.step
                    ? [...screen.confirmed, r.stopped.step]
                    : screen.confirmed;
                setScreen({ ...screen, confirmed, resume: true, run: screen.run + 1 });
              }
            }}
          />
        );
        break;
      }
      case 'restart': {
        const host = screen.host;
        section = `Applying on ${host}`;
        help =
          "Turning insecure communication off needs the primary's services restarted: bp.kill_all and " +
          'bp.start_all (bpdown and bpup on Windows). Jobs running then fail. Esc: back without running.';
        body = (
          <TextQuestion
            prompt={restartQuestion(host)}
            initial=""
            validate={(s) => (s === host ? undefined : `Type ${host} exactly, or press Esc to go back.`)}
            onSubmit={() => replace(runScreen(plan!, host, screen.secrets))}
          />
        );
        break;
      }
      case 'finished':
        section = 'Done';
        help = 'nbsecure --help lists the commands; the runbook says what each step does and why.';
        body = (
          <Box flexDirection="column">
            <Text>{screen.message}</Text>
            <SelectQuestion prompt="" choices={[{ value: 'quit', label: 'Quit' }]} onSubmit={() => quit(0)} />
          </Box>
        );
        break;
    }

  return (
    <FieldHelpContext.Provider value={fieldHelp}>
      <Frame
        screen={screen}
        section={section}
        {...(progress ? { progress } : {})}
        {...(help ? { help } : {})}
        {...(answering ? { keys: 'Enter: next · Esc: back · Ctrl-R: review · ?: help · Ctrl-C: quit' } : {})}
        showHelp={showHelp}
      >
        {body}
        {notice ? <Text color="yellow">{notice}</Text> : null}
      </Frame>
    </FieldHelpContext.Provider>
  );
}
