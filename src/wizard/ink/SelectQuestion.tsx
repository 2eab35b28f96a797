import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import type { Choice } from '../questions.js';
import { useColor } from './theme.js';

/**
 * A choice among several, each with a one-line explanation: arrows move, Enter chooses. A list longer than
 * `limit` scrolls under the pointer and says how many are above and below, so a site of 1,000 clients fits
 * 80x24 and nobody wonders whether the list ended; PgUp/PgDn then move by a page (elsewhere they are the
 * page keys of the text above, as in the review).
 */
export function SelectQuestion(props: {
  prompt: string;
  choices: Choice[];
  initial?: string;
  /** At most this many choices at once. */
  limit?: number;
  onSubmit: (value: string) => void;
}) {
  const c = useColor();
  const n = props.choices.length;
  const limit = Math.min(props.limit ?? n, n);
  const [at, setAt] = useState(() =>
    Math.max(
      0,
      props.choices.findIndex((ch) => ch.value === props.initial),
    ),
  );
  useInput((_input, key) => {
    if (!n) return;
    if (key.upArrow) setAt((a) => (a + n - 1) % n);
    if (key.downArrow) setAt((a) => (a + 1) % n);
    if (key.pageDown && limit < n) setAt((a) => Math.min(n - 1, a + limit));
    if (key.pageUp && limit < n) setAt((a) => Math.max(0, a - limit));
    if (key.return) props.onSubmit(props.choices[at]!.value);
  });
  const from = Math.max(0, Math.min(at - Math.floor(limit / 2), n - limit));
  return (
    <Box flexDirection="column">
      {props.prompt ? <Text bold>{props.prompt}</Text> : null}
      {from > 0 ? <Text dimColor> ↑ {from} more above</Text> : null}
      {props.choices.slice(from, from + limit).map((ch, i) => {
        const here = from + i === at;
        return (
          <Text key={ch.value} {...(here && c('blue') ? { color: c('blue')! } : {})}>
            {here ? '❯ ' : '  '}
            {ch.hint ? `${ch.label} — ${ch.hint}` : ch.label}
          </Text>
        );
      })}
      {from + limit < n ? <Text dimColor> ↓ {n - from - limit} more below</Text> : null}
    </Box>
  );
}
