import { Text, useInput } from 'ink';
import { useState, type ReactNode } from 'react';

/**
 * The pointer of a list that may be longer than the screen: arrows move it (round the ends), PgUp/PgDn by
 * `limit` where `pages` is set. `from` is the first choice shown, keeping the pointer mid-window.
 */
export function useListPointer(n: number, limit: number, initial: number, pages: boolean) {
  const [at, setAt] = useState(initial);
  useInput((_input, key) => {
    if (!n) return;
    if (key.upArrow) setAt((a) => (a + n - 1) % n);
    if (key.downArrow) setAt((a) => (a + 1) % n);
    if (pages && key.pageDown) setAt((a) => Math.min(n - 1, a + limit));
    if (pages && key.pageUp) setAt((a) => Math.max(0, a - limit));
  });
  return { at, from: Math.max(0, Math.min(at - Math.floor(limit / 2), n - limit)) };
}

/** The choices shown, with how many are above and below them, so nobody wonders whether the list ended. */
export function ListWindow(props: { from: number; limit: number; n: number; children: ReactNode }) {
  return (
    <>
      {props.from > 0 ? <Text dimColor> ↑ {props.from} more above</Text> : null}
      {props.children}
      {props.from + props.limit < props.n ? (
        <Text dimColor> ↓ {props.n - props.from - props.limit} more below</Text>
      ) : null}
    </>
  );
}
