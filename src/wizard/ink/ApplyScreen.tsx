import { Box, Static, Text } from 'ink';
import { useEffect, useState } from 'react';
import { EXIT } from '../../errors.js';
import { applyHost, type ApplyOptions } from '../../execute/runner.js';
import type { Plan } from '../../plan/types.js';
import { SelectQuestion } from './SelectQuestion.js';
import { useColor } from './theme.js';

export type ApplyResult = { code: number; manualStep?: string };

/**
 * Runs applyHost (dry run or real) and streams every line it prints; the lines are the same the
 * CLI prints, redacted by the runner. Ends with a choice of what to do next.
 */
export function ApplyScreen(props: {
  plan: Plan;
  host: string;
  options: Omit<ApplyOptions, 'out' | 'prompter'>;
  title: string;
  next: (r: ApplyResult) => { value: string; label: string }[];
  onNext: (value: string, r: ApplyResult) => void;
}) {
  const [lines, setLines] = useState<{ id: number; text: string }[]>([]);
  const [result, setResult] = useState<ApplyResult | undefined>();
  const c = useColor();
  // The run starts once, with the props the screen opened with: a re-render must never start a second apply.
  const [start] = useState(() => ({ plan: props.plan, host: props.host, options: props.options }));
  useEffect(() => {
    let n = 0;
    const out: string[] = [];
    const push = (text: string) => {
      out.push(text);
      setLines((l) => [...l, { id: n++, text }]);
    };
    applyHost(start.plan, start.host, {
      ...start.options,
      out: push,
      prompter: { interactive: false, confirm: async () => false, secret: async () => '' },
    })
      .then((code) => {
        const manual = out
          .map((l) => /--confirm (\S+)$/.exec(l)?.[1])
          .filter(Boolean)
          .at(-1);
        setResult({ code, ...(manual ? { manualStep: manual } : {}) });
      })
      .catch((e: Error) => {
        push(`Error: ${e.message}`);
        setResult({ code: 2 });
      });
  }, [start]);
  return (
    <Box flexDirection="column">
      <Static items={lines}>{(l) => <Text key={l.id}>{l.text}</Text>}</Static>
      <Text bold>{props.title}</Text>
      {result ? (
        <Box flexDirection="column">
          <Text color={result.code === 0 ? c('green') : result.code === EXIT.waiting ? c('yellow') : c('red')}>
            {result.code === 0
              ? 'Finished.'
              : result.manualStep
                ? `Stopped at a manual step: ${result.manualStep}`
                : result.code === EXIT.waiting
                  ? 'This stage is done; the next one waits for the fleet (see above).'
                  : `Stopped (exit ${result.code}).`}
          </Text>
          <SelectQuestion prompt="What next?" choices={props.next(result)} onSubmit={(v) => props.onNext(v, result)} />
        </Box>
      ) : (
        <Text dimColor>Running…</Text>
      )}
    </Box>
  );
}
