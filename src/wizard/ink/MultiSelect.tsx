import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import type { Choice } from '../questions.js';
import { useColor } from './theme.js';

/**
 * Several of a list: arrows move, space ticks, `a` ticks or unticks all, Enter accepts. A list longer than
 * `limit` scrolls under the pointer and says how many are above and below, so 1,000 hosts fit 80x24.
 */
export function MultiSelect(props: {
  prompt: string;
  choices: Choice[];
  initial?: string[];
  /** Whether none ticked is an answer (else Enter asks for one). */
  allowNone?: boolean;
  limit?: number;
  onSubmit: (values: string[]) => void;
}) {
  const c = useColor();
  const n = props.choices.length;
  const [chosen, setChosen] = useState<Set<string>>(new Set(props.initial ?? []));
  const [at, setAt] = useState(0);
  const [error, setError] = useState(false);
  const limit = props.limit ?? 10;
  useInput((input, key) => {
    if (key.upArrow) setAt((a) => (a + n - 1) % n);
    if (key.downArrow) setAt((a) => (a + 1) % n);
    if (key.pageDown) setAt((a) => Math.min(n - 1, a + limit));
    if (key.pageUp) setAt((a) => Math.max(0, a - limit));
    if (input === ' ' || input === 'a') {
      const next = new Set(chosen);
      const value = props.choices[at]!.value;
      if (input === 'a') {
        const all = next.size === n;
        next.clear();
        if (!all) props.choices.forEach((ch) => next.add(ch.value));
      } else if (next.has(value)) next.delete(value);
      else next.add(value);
      setChosen(next);
      setError(false);
    }
    if (key.return) {
      if (chosen.size || props.allowNone)
        props.onSubmit(props.choices.map((ch) => ch.value).filter((v) => chosen.has(v)));
      else setError(true);
    }
  });
  const from = Math.max(0, Math.min(at - Math.floor(limit / 2), n - limit));
  const shown = props.choices.slice(from, from + limit);
  return (
    <Box flexDirection="column">
      <Text bold>
        {props.prompt} (space ticks, a: all, Enter accepts{chosen.size ? `; ${chosen.size} ticked` : ''})
      </Text>
      {from > 0 ? <Text dimColor> ↑ {from} more above</Text> : null}
      {shown.map((ch, i) => (
        <Text key={ch.value}>
          {from + i === at ? '❯ ' : '  '}[{chosen.has(ch.value) ? 'x' : ' '}] {ch.label}
          {ch.hint ? <Text dimColor> — {ch.hint}</Text> : null}
        </Text>
      ))}
      {from + limit < n ? <Text dimColor> ↓ {n - from - limit} more below</Text> : null}
      {error ? <Text color={c('red')}>Tick at least one (space).</Text> : null}
    </Box>
  );
}
