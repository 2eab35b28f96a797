import { Text, useStdin } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { editLine, lineState, type LineState } from '../line-editor.js';

/** Inverse video is an attribute, not a colour: the cursor stays visible under NO_COLOR. */
const INVERSE = '\u001b[7m';
const INVERSE_OFF = '\u001b[27m';

/** How much of a long value is drawn: the part around the cursor, so a 1,000-name paste fits on screen. */
const SHOWN = 76 * 3;

/**
 * A text field fed by the line editor. Ink's own `useInput` reads a run of keys as one key and knows no
 * paste, so the field listens to Ink's input events (one escape sequence, or a run of text, each) and
 * lets the pure `editLine` apply them. The terminal is asked for bracketed paste when the wizard mounts.
 */
export function LineInput(props: {
  initial: string;
  mask?: string;
  multiline?: boolean;
  helpKey?: boolean;
  onChange?: (text: string) => void;
  onSubmit: (text: string) => void;
  onHelp?: () => void;
}) {
  const { internal_eventEmitter: events, setRawMode } = useStdin();
  const [state, setState] = useState<LineState>(() => lineState(props.initial));
  const latest = useRef(state);
  // The handlers of the latest render, read when an event arrives: a listener attached once sees them all.
  const handlers = useRef(props);
  handlers.current = props;

  useEffect(() => {
    setRawMode(true);
    return () => setRawMode(false);
  }, [setRawMode]);

  useEffect(() => {
    const onInput = (data: string) => {
      const p = handlers.current;
      const before = latest.current;
      const { state: next, actions } = editLine(before, data, {
        multiline: Boolean(p.multiline),
        helpKey: Boolean(p.helpKey),
      });
      latest.current = next;
      setState(next);
      if (next.text !== before.text) p.onChange?.(next.text);
      for (const a of actions) {
        if (a === 'submit') p.onSubmit(next.text);
        else p.onHelp?.();
      }
    };
    events.on('input', onInput);
    return () => {
      events.removeListener('input', onInput);
    };
  }, [events]);

  const shown = (props.mask ? props.mask.repeat(state.text.length) : state.text).replace(/\n/g, ' ');
  const from = Math.max(0, Math.min(state.cursor - SHOWN / 2, shown.length - SHOWN));
  const to = Math.min(shown.length, from + SHOWN);
  const before = shown.slice(from, state.cursor);
  const under = shown[state.cursor] ?? ' ';
  const after = shown.slice(state.cursor + 1, to);
  return (
    <Text>
      {from > 0 ? '…' : ''}
      {before}
      {`${INVERSE}${under}${INVERSE_OFF}`}
      {after}
      {to < shown.length ? '…' : ''}
    </Text>
  );
}
