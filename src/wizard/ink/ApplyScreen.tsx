import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import { EXIT } from '../../errors.js';
import type { ApplyEvent, ApplyResult, StepOutcome } from '../../execute/events.js';
import { applyHost, ASKS_NOBODY, type ApplyOptions } from '../../execute/runner.js';
import type { Plan } from '../../plan/types.js';
import { ScrollText } from './ScrollText.js';
import { SelectQuestion } from './SelectQuestion.js';
import { useColor } from './theme.js';

/** A run the App can stop: Ctrl-C aborts it, and the App waits for its end before it exits. */
export interface RunningApply {
  stop: AbortController;
  done: Promise<unknown>;
}

const MARK: Record<StepOutcome, string> = { changed: '✓', unchanged: '=', skipped: '-', failed: '✗' };

/**
 * Rows of 80x24 that are not the record's: the frame's title, keys and margins, this screen's title, the
 * summary (two rows when it wraps), "What next?" and up to three choices.
 */
const RESERVED = 13;

/** One line of the run's record. */
type Line = { id: number; text: string; tone?: 'ok' | 'warn' | 'bad' | 'dim' };

/** The record an event adds: the screen's own rendering of the runner's events, never a parse of its text. */
function linesOf(e: ApplyEvent, titles: Map<string, string>): Omit<Line, 'id'>[] {
  switch (e.type) {
    case 'dry-run':
      return [
        { text: `${e.dryRun ? 'Dry run' : 'Plan'} for ${e.host} (${e.role}, ${e.os}): ${e.steps.length} steps` },
        ...e.steps.flatMap((s) => s.lines.map((text) => ({ text, tone: 'dim' as const }))),
      ];
    case 'step-start':
      return [{ text: `[${e.index}/${e.total}] ${e.manual ? 'MANUAL: ' : ''}${e.title}` }];
    case 'output':
      return [{ text: `    | ${e.line}`, tone: 'dim' }];
    case 'notice':
      return [{ text: e.step ? `    ${e.text}` : e.text, ...(e.level === 'warning' ? { tone: 'warn' as const } : {}) }];
    case 'manual-needed':
      return e.instructions.map((text) => ({ text: `    ${text}` }));
    case 'step-done': {
      const tone = e.outcome === 'failed' ? 'bad' : e.outcome === 'changed' ? 'ok' : 'dim';
      const how = e.detail ?? (e.ms !== undefined ? `${(e.ms / 1000).toFixed(1)} s` : '');
      return [{ text: `  ${MARK[e.outcome]} ${titles.get(e.step) ?? e.step}${how ? `: ${how}` : ''}`, tone }];
    }
    case 'waiting':
      return [{ text: e.text, tone: 'warn' }];
    case 'interrupted':
      return [{ text: `Interrupted (${e.signal}) during ${titles.get(e.step) ?? e.step}.`, tone: 'bad' }];
    case 'secret-needed':
    case 'result':
      return [];
  }
}

function summary(r: ApplyResult): string {
  const s = r.stopped;
  if (r.dryRun) return 'Finished. Nothing was changed.';
  if (!s) return r.changes ? `Finished. ${r.changes} steps changed ${r.host}.` : `Finished. ${r.host} already matched.`;
  if (s.kind === 'manual') return `Stopped at a manual step: ${s.step} (${s.title}).`;
  // A step's wait is the primary's (a one-time password, an approval); a run's is the fleet's.
  if (s.kind === 'waiting')
    return s.step ? s.reason : 'This stage is done; the next one waits for the fleet (see above).';
  if (s.kind === 'failed') {
    const status = s.status ? ` NetBackup status ${s.status.code}: ${s.status.meaning} Remedy: ${s.status.remedy}` : '';
    return `Failed: ${s.title}: ${s.reason}.${status}`;
  }
  if (s.kind === 'interrupted') return 'Interrupted: temporary secret files were removed.';
  return s.reason;
}

/**
 * Runs applyHost (dry run or real) and renders its events as they come; Ctrl-C (through the App)
 * aborts the run, which stops the running command. Ends with a choice of what to do next.
 */
export function ApplyScreen(props: {
  plan: Plan;
  host: string;
  options: Omit<ApplyOptions, 'prompter'>;
  title: string;
  onStart: (run: RunningApply) => void;
  next: (r: ApplyResult) => { value: string; label: string }[];
  onNext: (value: string, r: ApplyResult) => void;
}) {
  const [lines, setLines] = useState<Line[]>([]);
  const [current, setCurrent] = useState<string | undefined>();
  const [result, setResult] = useState<ApplyResult | { error: string } | undefined>();
  const c = useColor();
  // The run starts once, with the props the screen opened with: a re-render must never start a second apply.
  const [start] = useState(() => ({
    plan: props.plan,
    host: props.host,
    options: props.options,
    onStart: props.onStart,
  }));
  useEffect(() => {
    let n = 0;
    const titles = new Map(start.plan.hosts.flatMap((h) => h.steps.map((s) => [s.id, s.title] as const)));
    const stop = new AbortController();
    const onEvent = (e: ApplyEvent) => {
      if (e.type === 'step-start') setCurrent(e.title);
      if (e.type === 'step-done' || e.type === 'interrupted') setCurrent(undefined);
      const add = linesOf(e, titles).map((l) => ({ ...l, id: n++ }));
      if (add.length) setLines((l) => [...l, ...add]);
    };
    const done = applyHost(
      start.plan,
      start.host,
      { ...start.options, prompter: ASKS_NOBODY },
      { onEvent, signal: stop.signal },
    ).then(setResult, (e: Error) => setResult({ error: e.message }));
    start.onStart({ stop, done });
  }, [start]);
  const colourOf = (tone: Line['tone']) =>
    tone === 'ok' ? c('green') : tone === 'warn' ? c('yellow') : tone === 'bad' ? c('red') : undefined;
  return (
    <Box flexDirection="column">
      {/* The record scrolls in the screen, with how much is above and below: 80x24 shows a dozen lines of it. */}
      <ScrollText
        lines={lines.map((l) => ({ text: l.text, dim: l.tone === 'dim', color: colourOf(l.tone) }))}
        reserved={RESERVED}
        follow
      />
      <Text bold>{props.title}</Text>
      {result === undefined ? (
        <Text dimColor>{current ? `Running: ${current}` : 'Running…'}</Text>
      ) : 'error' in result ? (
        <Box flexDirection="column">
          <Text color={c('red')}>Error: {result.error}</Text>
          <SelectQuestion
            prompt="What next?"
            choices={[{ value: 'quit', label: 'Finish' }]}
            onSubmit={(v) => props.onNext(v, errorResult(props.host))}
          />
        </Box>
      ) : (
        <Box flexDirection="column">
          <Text color={result.exitCode === 0 ? c('green') : result.exitCode === EXIT.waiting ? c('yellow') : c('red')}>
            {summary(result)}
          </Text>
          <SelectQuestion prompt="What next?" choices={props.next(result)} onSubmit={(v) => props.onNext(v, result)} />
        </Box>
      )}
    </Box>
  );
}

function errorResult(host: string): ApplyResult {
  return { exitCode: EXIT.usage, host, dryRun: false, changes: 0, steps: [] };
}
