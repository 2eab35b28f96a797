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
import { parseNameList, refusedText, siteNames } from '../name-list.js';
import { emptyDraft, hostList, setHostList, setPath, type Draft, type HostItem, type HostListKey } from '../draft.js';
import { activeQuestions, answerValue, type Question } from '../questions.js';
import { FormatPicker } from './FormatPicker.js';
import { Frame } from './Frame.js';
import { HostListScreen } from './HostListScreen.js';
import { ItemForm } from './ItemForm.js';
import { QuestionScreen } from './QuestionScreen.js';
import { ReviewScreen } from './ReviewScreen.js';
import { SelectQuestion } from './SelectQuestion.js';
import { TextQuestion } from './TextQuestion.js';
import { WelcomeScreen } from './WelcomeScreen.js';

type Screen =
  | { kind: 'welcome' }
  | { kind: 'import-file' }
  | { kind: 'question'; id: string }
  | { kind: 'item'; list: HostListKey; editing: string }
  | { kind: 'paste'; list: HostListKey }
  | { kind: 'review' }
  | { kind: 'formats' }
  | { kind: 'folder'; formats: Format[] }
  | { kind: 'written'; files: string[] }
  | { kind: 'save-answers' }
  | { kind: 'choose-host' }
  | { kind: 'secret'; host: string; need: SecretKind[]; secrets: Secrets }
  | { kind: 'dry-run'; host: string; secrets: Secrets }
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

const NEXT_STEPS =
  'Next, on each host as root, the primary first: nbsecure apply --answers ANSWERS --host ' +
  'NAME (it dry-runs and asks first).';

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

  // Ctrl-C stops a running apply like SIGINT: the command gets the signal, and the wizard exits once
  // the run has recorded the interruption and removed its temporary secrets.
  const running = useRef<RunningApply | undefined>(undefined);
  const interrupt = useCallback(() => {
    const run = running.current;
    if (!run) return quit(130);
    run.stop.abort('SIGINT');
    void run.done.finally(() => quit(130));
  }, [quit]);

  useInput((input, key) => {
    if (key.ctrl && input === 'c') interrupt();
    else if (key.escape && screen.kind !== 'item') back();
    else if (input === '?') setShowHelp((s) => !s);
  });

  const pages = activeQuestions(draft);
  const firstPage = (d: Draft): Screen => ({ kind: 'question', id: activeQuestions(d)[0]!.id });
  const after = (id: string, d: Draft): Screen => {
    const list = activeQuestions(d);
    const i = list.findIndex((q) => q.id === id);
    const next = list[i + 1];
    return next ? { kind: 'question', id: next.id } : { kind: 'review' };
  };
  const checked = useMemo(
    () =>
      lib &&
      (screen.kind === 'review' ||
        screen.kind === 'formats' ||
        screen.kind === 'folder' ||
        screen.kind === 'choose-host' ||
        screen.kind === 'secret' ||
        screen.kind === 'dry-run' ||
        screen.kind === 'apply' ||
        screen.kind === 'written' ||
        screen.kind === 'save-answers')
        ? lib.validateDraft(draft)
        : undefined,
    [screen.kind, draft, lib],
  );
  const ok = checked && 'environment' in checked ? checked : undefined;
  const plan = useMemo(() => (ok && lib ? lib.planOf(ok.environment) : undefined), [ok, lib]);

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

  const needsLib = !['welcome', 'import-file', 'question', 'item', 'paste', 'finished'].includes(screen.kind);
  if (needsLib && (!lib || !checked)) body = <Text dimColor>Loading…</Text>;
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
        body = (
          <TextQuestion
            prompt="Path of the answers file"
            initial=""
            validate={(s) => (s ? undefined : 'Type a path.')}
            onSubmit={async (s) => {
              try {
                const d = (await loadLater()).importAnswersFile(resolve(props.cwd, s));
                setDraft(d);
                // An imported file is usually complete: its review comes first ("No" goes to the questions).
                go({ kind: 'review' });
              } catch (e) {
                if (e instanceof UserError) setNotice(e.message);
                else throw e;
              }
            }}
          />
        );
        break;
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
              label={question.prompt}
              items={hostList(draft, list)}
              onAction={(a) => {
                if (a.kind === 'done') go(after(question.id, draft));
                if (a.kind === 'add') go({ kind: 'item', list, editing: '' });
                if (a.kind === 'edit') go({ kind: 'item', list, editing: a.name });
                if (a.kind === 'paste') go({ kind: 'paste', list });
                if (a.kind === 'remove')
                  setDraft(
                    setHostList(
                      draft,
                      list,
                      hostList(draft, list).filter((h) => h.name !== a.name),
                    ),
                  );
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
                go(after(question.id, d));
              }}
            />
          );
        }
        break;
      }
      case 'item': {
        const list = screen.list;
        const items = hostList(draft, list);
        const original = items.find((h) => h.name === screen.editing) ?? { name: '' };
        section = list === 'clients' ? 'Clients' : 'Media servers';
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
              const next = screen.editing ? items.map((h) => (h.name === screen.editing ? item : h)) : [...items, item];
              setDraft(setHostList(draft, list, next));
              back();
            }}
          />
        );
        break;
      }
      case 'paste': {
        const list = screen.list;
        section = list === 'clients' ? 'Clients' : 'Media servers';
        help =
          'Paste or type the names separated by spaces or commas. They get the defaults (Linux, ' +
          "the primary's version, internal); edit any of them afterwards.";
        body = (
          <TextQuestion
            prompt="Host names"
            initial=""
            multiline
            validate={(s) => {
              const { refused } = parseNameList(s, []);
              return !s.trim() ? 'Type at least one name.' : refused.length ? refusedText(refused) : undefined;
            }}
            onSubmit={(s) => {
              const items = hostList(draft, list);
              const { names } = parseNameList(s, [...items.map((h) => h.name), ...siteNames(draft, list)]);
              setDraft(setHostList(draft, list, [...items, ...names.map((name) => ({ name }))]));
              back();
            }}
          />
        );
        break;
      }
      case 'review':
        section = 'Review';
        body = (
          <ReviewScreen
            {...(ok && plan && lib
              ? { sections: lib.reviewLines(ok.environment, plan) }
              : { problems: checked && 'problems' in checked ? checked.problems : [] })}
            onNext={(v) => (v === 'back' ? go(firstPage(draft)) : go({ kind: 'formats' }))}
          />
        );
        break;
      case 'formats':
        section = 'Outputs';
        body = <FormatPicker onSubmit={(formats) => go({ kind: 'folder', formats })} />;
        break;
      case 'folder':
        section = 'Outputs';
        body = (
          <TextQuestion
            prompt="Write them to which folder?"
            initial="nbsecure-runbooks"
            validate={(s) => (s ? undefined : 'Type a folder.')}
            onSubmit={(s) => {
              try {
                go({
                  kind: 'written',
                  files: lib!.writeOutputs(plan!, screen.formats, resolve(props.cwd, s)),
                });
              } catch (e) {
                if (e instanceof UserError) setNotice(e.message);
                else throw e;
              }
            }}
          />
        );
        break;
      case 'written':
        section = 'Outputs';
        body = (
          <Box flexDirection="column">
            <Text bold>Wrote {screen.files.length} files:</Text>
            {screen.files.map((f) => (
              <Text key={f}> {f}</Text>
            ))}
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
                      : go({ kind: 'finished', message: NEXT_STEPS })
                }
              />
            </Box>
          </Box>
        );
        break;
      case 'save-answers':
        section = 'Answers file';
        body = (
          <TextQuestion
            prompt="Save the answers to"
            initial="nbsecure-answers.yaml"
            onSubmit={(s) => {
              const file = resolve(props.cwd, s);
              lib!.saveAnswersFile(draft, file);
              setNotice(`Saved ${file}. Next time: nbsecure plan --answers ${file}`);
              back();
            }}
          />
        );
        break;
      case 'choose-host':
        section = 'Dry run';
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
        const options = {
          stateDir: props.stateDir,
          dryRun: !real,
          yes: true,
          stepTimeoutMs: 600_000,
          resume: real ? screen.resume : false,
          confirmed: new Set(real ? screen.confirmed : []),
          resumeCommand: ['nbsecure', 'apply', '--answers', 'ANSWERS', '--host', screen.host, '--resume'],
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
                  message: real && r.exitCode === 0 ? `${screen.host} is done. ${NEXT_STEPS}` : NEXT_STEPS,
                });
              if (v === 'run') {
                const need = secretsToAsk(plan!, screen.host, screen.secrets);
                return go(
                  need.length
                    ? { kind: 'secret', host: screen.host, need, secrets: screen.secrets }
                    : {
                        kind: 'apply',
                        host: screen.host,
                        secrets: screen.secrets,
                        confirmed: [],
                        resume: false,
                        run: 1,
                      },
                );
              }
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
      case 'finished':
        section = 'Done';
        body = (
          <Box flexDirection="column">
            <Text>{screen.message}</Text>
            <SelectQuestion prompt="" choices={[{ value: 'quit', label: 'Quit' }]} onSubmit={() => quit(0)} />
          </Box>
        );
        break;
    }

  return (
    <Frame
      screen={screen}
      section={section}
      {...(progress ? { progress } : {})}
      {...(help ? { help } : {})}
      showHelp={showHelp}
    >
      {body}
      {notice ? <Text color="yellow">{notice}</Text> : null}
    </Frame>
  );
}
