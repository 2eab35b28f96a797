import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import type { Choice } from '../questions.js';
import { ListWindow, useListPointer } from './list-window.js';
import { useColor } from './theme.js';

/**
 * Several of a list: arrows move, space ticks, `a` ticks or unticks all, Enter accepts. A list longer than
 * `limit` scrolls under the pointer and says how many are above and below, so 1,000 hosts fit 80x24.
 * `ordered`: the order of ticking is the answer (first choice first), shown as numbers in the boxes.
 */
export function MultiSelect(props: {
  prompt: string;
  choices: Choice[];
  initial?: string[];
  /** Whether none ticked is an answer (else Enter asks for one). */
  allowNone?: boolean;
  ordered?: boolean;
  /** A problem with these values, in words, shown instead of accepting them. */
  validate?: (values: string[]) => string | undefined;
  limit?: number;
  onSubmit: (values: string[]) => void;
}) {
  const c = useColor();
  const n = props.choices.length;
  // Kept in the order ticked; without `ordered`, the answer is in the list's order.
  const [chosen, setChosen] = useState<string[]>(props.initial ?? []);
  const [error, setError] = useState<string | undefined>();
  const limit = props.limit ?? 10;
  const { at, from } = useListPointer(n, limit, 0, true);
  useInput((input, key) => {
    if (!n && !key.return) return;
    if (input === ' ' || input === 'a') {
      const value = props.choices[at]!.value;
      if (input === 'a') setChosen(chosen.length === n ? [] : props.choices.map((ch) => ch.value));
      else setChosen(chosen.includes(value) ? chosen.filter((v) => v !== value) : [...chosen, value]);
      setError(undefined);
    }
    if (key.return) {
      const values = props.ordered ? chosen : props.choices.map((ch) => ch.value).filter((v) => chosen.includes(v));
      const problem = !values.length && !props.allowNone ? 'Tick at least one (space).' : props.validate?.(values);
      if (problem) setError(problem);
      else props.onSubmit(values);
    }
  });
  const box = (v: string) => {
    const i = chosen.indexOf(v);
    return i < 0 ? ' ' : props.ordered ? String(i + 1) : 'x';
  };
  const shown = props.choices.slice(from, from + limit);
  return (
    <Box flexDirection="column">
      <Text bold>
        {props.prompt} (space ticks, a: all, Enter accepts{chosen.length ? `; ${chosen.length} ticked` : ''})
      </Text>
      <ListWindow from={from} limit={limit} n={n}>
        {shown.map((ch, i) => (
          <Text key={ch.value}>
            {from + i === at ? '❯ ' : '  '}[{box(ch.value)}] {ch.label}
            {ch.hint ? <Text dimColor> — {ch.hint}</Text> : null}
          </Text>
        ))}
      </ListWindow>
      {error ? <Text color={c('red')}>{error}</Text> : null}
    </Box>
  );
}
