import { Box, Text, useInput } from 'ink';
import type { Choice } from '../questions.js';
import { ListWindow, useListPointer } from './list-window.js';
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
  // PgUp/PgDn only where the list scrolls: elsewhere they are the page keys of the text above it.
  const { at, from } = useListPointer(
    n,
    limit,
    Math.max(
      0,
      props.choices.findIndex((ch) => ch.value === props.initial),
    ),
    limit < n,
  );
  useInput((_input, key) => {
    if (n && key.return) props.onSubmit(props.choices[at]!.value);
  });
  return (
    <Box flexDirection="column">
      {props.prompt ? <Text bold>{props.prompt}</Text> : null}
      <ListWindow from={from} limit={limit} n={n}>
        {props.choices.slice(from, from + limit).map((ch, i) => {
          const here = from + i === at;
          return (
            <Text key={ch.value} {...(here && c('blue') ? { color: c('blue')! } : {})}>
              {here ? '❯ ' : '  '}
              {ch.hint ? `${ch.label} — ${ch.hint}` : ch.label}
            </Text>
          );
        })}
      </ListWindow>
    </Box>
  );
}
