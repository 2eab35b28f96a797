import { Box, Text, useInput, useStdout } from 'ink';
import { useState } from 'react';
import { wrapLines } from '../wrap.js';

export interface ScrollLine {
  text: string;
  bold?: boolean;
  dim?: boolean;
  color?: string | undefined;
}

/**
 * Lines that may be longer than the terminal: the part that fits, with how much is above and below and
 * the keys that scroll (PgUp/PgDn, and Ctrl-B/Ctrl-F where a terminal sends no page keys). Long lines are
 * wrapped here, so every line counted is one row.
 */
export function ScrollText(props: {
  lines: ScrollLine[];
  reserved: number;
  width?: number;
  /** Show the end, and keep showing it as lines are added, until the person scrolls up (a run's record). */
  follow?: boolean;
}) {
  const { stdout } = useStdout();
  const rows = Math.max(6, (stdout.rows || 24) - props.reserved);
  const rowsOf = props.lines.flatMap((l) => wrapLines(l.text, props.width ?? 78).map((text) => ({ ...l, text })));
  const fits = rowsOf.length <= rows;
  // Two rows go to the "more above/below" hints when the text does not fit.
  const page = fits ? rows : rows - 2;
  // undefined: at the end, following what is added.
  const [top, setTop] = useState<number | undefined>(props.follow ? undefined : 0);
  const maxTop = Math.max(0, rowsOf.length - page);
  const at = Math.min(top ?? maxTop, maxTop);
  useInput((input, key) => {
    if (fits) return;
    if (key.pageDown || (key.ctrl && input === 'f')) {
      const next = Math.min(maxTop, at + page - 1);
      setTop(props.follow && next === maxTop ? undefined : next);
    }
    if (key.pageUp || (key.ctrl && input === 'b')) setTop(Math.max(0, at - page + 1));
  });
  const shown = rowsOf.slice(at, at + page);
  return (
    <Box flexDirection="column">
      {fits ? null : <Text dimColor>{at > 0 ? `↑ ${at} more lines above (PgUp)` : ' '}</Text>}
      {shown.map((l, i) => (
        <Text key={at + i} bold={Boolean(l.bold)} dimColor={Boolean(l.dim)} {...(l.color ? { color: l.color } : {})}>
          {l.text || ' '}
        </Text>
      ))}
      {fits ? null : (
        <Text dimColor>
          {at + page < rowsOf.length ? `↓ ${rowsOf.length - at - page} more lines below (PgDn)` : ' '}
        </Text>
      )}
    </Box>
  );
}
