import { Box, Text, useApp, useInput } from 'ink';
import { hostname } from 'node:os';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactElement } from 'react';
import type { SecretKind } from '../../execute/token.js';
import type { Draft } from '../draft.js';
import { wizardFlow } from '../flow.js';
import { Back, Interrupted, ToReview, type BodyLine, type PromptChoice } from '../prompts.js';
import type { RunningApply } from './ApplyScreen.js';
import { Frame } from './Frame.js';
import { MultiSelect } from './MultiSelect.js';
import { promptStore, type Pending } from './prompt-store.js';
import { ScrollText } from './ScrollText.js';
import { SelectQuestion } from './SelectQuestion.js';
import { TextQuestion } from './TextQuestion.js';
import { FieldHelpContext, useColor } from './theme.js';

export interface AppProps {
  profile: string;
  /** The remembered answers of this profile, or how to read them once the first frame is drawn. */
  last?: Draft | (() => Promise<Draft | undefined>);
  cwd: string;
  stateDir: string;
  /** This machine's host name (os.hostname() unless given): apply runs only on the host it names. */
  machineName?: string;
  /** Secrets from NBSECURE_TOKEN / NBSECURE_PASSPHRASE; the others are asked for, masked, and never kept. */
  envSecrets?: Partial<Record<SecretKind, string>>;
  /** Called on every change of the answers, so they are remembered (never secrets). */
  onDraft: (d: Draft) => void;
  onExit: (code: number) => void;
}

const ANSWERING_KEYS = 'Enter: next · Esc: back · Ctrl-R: review · ?: help · Ctrl-C: quit';
/** A prompt's choice as the Ink lists take it. */
const choiceOf = (ch: PromptChoice) => ({
  value: ch.value,
  label: ch.name,
  ...(ch.description ? { hint: ch.description } : {}),
});
/** A problem in words, or true: the prompts' form; the Ink fields take undefined for "fine". */
const fine = (v: true | string | undefined) => (v === true ? undefined : v);

/**
 * The Ink front end of the wizard's one flow (flow.ts): the flow asks through the prompt store, this draws
 * the question it is waiting on in the frame, with the keys every screen shares: Esc back, Ctrl-R the
 * review, `?` the help, Ctrl-C quit (stopping a running apply first).
 */
export function App(props: AppProps) {
  const { exit } = useApp();
  const c = useColor();
  const store = useMemo(() => promptStore(), []);
  const { pending, notices } = useSyncExternalStore(store.subscribe, store.get);
  const [showHelp, setShowHelp] = useState(false);
  const fieldsOpen = useRef(0);
  const fieldHelp = useMemo(() => ({ open: fieldsOpen, toggle: () => setShowHelp((s) => !s) }), []);
  const running = useRef<RunningApply | undefined>(undefined);
  const { onExit, onDraft, last, profile, cwd, stateDir, machineName, envSecrets } = props;
  const quit = useCallback(
    (code: number) => {
      onExit(code);
      exit();
    },
    [exit, onExit],
  );

  // How the flow's end ends the wizard: with its exit code, or with an error that is not a person's answer,
  // which Ink hands to the command to report as it reports any other.
  const ending = useRef<(end: number | Error) => void>(() => undefined);
  ending.current = (end) => (typeof end === 'number' ? quit(end) : (onExit(1), exit(end)));
  // The flow starts once, with the props the wizard opened with.
  const [flowProps] = useState(() => ({ onDraft, last, profile, cwd, stateDir, machineName, envSecrets }));
  useEffect(() => {
    const p = flowProps;
    void wizardFlow(store.ui, {
      profile: p.profile,
      cwd: p.cwd,
      stateDir: p.stateDir,
      machineName: p.machineName ?? hostname(),
      envSecrets: { ...p.envSecrets },
      recall: typeof p.last === 'function' ? p.last : async () => p.last as Draft | undefined,
      remember: p.onDraft,
      ascii: false,
    }).then(
      (code) => ending.current(code),
      (e: Error) => ending.current(e instanceof Interrupted ? 130 : e),
    );
  }, [flowProps, store]);
  useEffect(() => setShowHelp(false), [pending]);

  // Ctrl-C stops a running apply like SIGINT: the command gets the signal, and the wizard exits once
  // the run has recorded the interruption and removed its temporary secrets.
  const interrupt = () => {
    const run = running.current;
    if (!run) return pending ? pending.reject(new Interrupted('Ctrl-C')) : quit(130);
    run.stop.abort('SIGINT');
    void run.done.finally(() => pending?.reject(new Interrupted('Ctrl-C')));
  };
  const answering = Boolean(pending && 'o' in pending && pending.o.answering);
  useInput((input, key) => {
    if (key.ctrl && input === 'c') interrupt();
    else if (key.ctrl && input === 'r' && answering) pending!.reject(new ToReview('Ctrl-R'));
    else if (key.escape && pending && pending.kind !== 'run' && pending.kind !== 'finish')
      pending.reject(new Back('Esc'));
    else if (input === '?' && fieldsOpen.current === 0) setShowHelp((s) => !s);
  });

  const toneColour = (tone: BodyLine['tone']) =>
    tone === 'error' ? c('red') : tone === 'warn' ? c('yellow') : undefined;
  let section = 'Welcome';
  let help: string | undefined;
  let progress: string | undefined;
  let body: ReactElement;
  if (!pending) body = <Text dimColor>Reading your remembered answers…</Text>;
  else {
    if (pending.kind === 'run') {
      section = pending.r.section;
      help = pending.r.help;
    } else if (pending.kind === 'finish') {
      section = 'Done';
      help = 'nbsecure --help lists the commands; the runbook says what each step does and why.';
    } else {
      section = pending.o.section ?? section;
      help = pending.o.help;
      progress = pending.o.progress;
    }
    body = question(pending);
  }

  function question(p: Pending): ReactElement {
    switch (p.kind) {
      case 'select':
        return (
          <SelectQuestion
            key={p.id}
            prompt={p.o.message}
            choices={p.o.choices.map(choiceOf)}
            {...(p.o.default !== undefined ? { initial: p.o.default } : {})}
            {...(p.o.limit ? { limit: p.o.limit } : {})}
            onSubmit={p.resolve}
          />
        );
      case 'input':
        return (
          <TextQuestion
            key={p.id}
            prompt={p.o.message}
            initial={p.o.default ?? ''}
            {...(p.mask ? { mask: '*' } : {})}
            validate={(s) => fine(p.o.validate?.(s))}
            onSubmit={p.resolve}
          />
        );
      case 'lines':
        return (
          <TextQuestion
            key={p.id}
            prompt={p.o.message}
            initial=""
            multiline
            validate={(s) => (s.trim() ? undefined : 'Type at least one name.')}
            onSubmit={p.resolve}
          />
        );
      case 'checkbox':
        return (
          <MultiSelect
            key={p.id}
            prompt={p.o.message}
            choices={p.o.choices.map(choiceOf)}
            initial={p.o.choices.filter((ch) => ch.checked).map((ch) => ch.value)}
            ordered={Boolean(p.o.ordered)}
            allowNone={Boolean(p.o.allowNone)}
            validate={(v) => fine(p.o.validate?.(v))}
            {...(p.o.limit ? { limit: p.o.limit } : {})}
            onSubmit={p.resolve}
          />
        );
      case 'run': {
        const { ApplyScreen, r } = p;
        return (
          <ApplyScreen
            key={p.id}
            plan={r.plan}
            host={r.host}
            options={r.options}
            title={r.title}
            onStart={(run) => {
              running.current = run;
              void run.done.finally(() => {
                if (running.current === run) running.current = undefined;
              });
            }}
            next={(res) => r.choices(res).map((ch) => ({ value: ch.value, label: ch.name }))}
            onNext={(value, result) => p.resolve({ value, result })}
          />
        );
      }
      case 'finish':
        return (
          <Box key={p.id} flexDirection="column">
            <Text>{p.message}</Text>
            <SelectQuestion prompt="" choices={[{ value: 'quit', label: 'Quit' }]} onSubmit={() => p.resolve()} />
          </Box>
        );
    }
  }

  const bodyLines = pending && 'o' in pending ? (pending.o.body ?? []) : [];
  return (
    <FieldHelpContext.Provider value={fieldHelp}>
      <Frame
        screen={pending ?? store}
        section={section}
        {...(progress ? { progress } : {})}
        {...(help ? { help } : {})}
        {...(pending ? (answering ? { keys: ANSWERING_KEYS } : {}) : { keys: ' ' })}
        showHelp={showHelp}
      >
        {bodyLines.length ? (
          <Box flexDirection="column">
            <ScrollText
              key={pending!.id}
              lines={bodyLines.map((l) => ({
                text: l.text,
                ...(l.bold ? { bold: true } : {}),
                ...(l.tone === 'dim' ? { dim: true } : {}),
                color: toneColour(l.tone),
              }))}
              reserved={pending && 'o' in pending ? (pending.o.reserved ?? 10) : 10}
            />
          </Box>
        ) : null}
        {body}
        {notices.map((n, i) => (
          <Text key={i} color={toneColour(n.tone) ?? c('yellow')}>
            {n.text}
          </Text>
        ))}
      </Frame>
    </FieldHelpContext.Provider>
  );
}
