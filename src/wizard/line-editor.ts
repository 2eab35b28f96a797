/**
 * A one-field line editor as a pure function of what the terminal sends. Ink hands over its input as
 * events: an escape sequence alone, or a run of text that may hold several keys typed in one read (two
 * Backspaces, Ctrl-U, a letter and Enter). Every key of a run is applied in order, so none is lost, and a
 * bracketed paste (ESC[200~ … ESC[201~, however many reads it spans) is text, never keys: its newlines do
 * not submit and its `?` does not open the help.
 */
export interface LineState {
  text: string;
  /** Where the next character goes: 0 … text.length. */
  cursor: number;
  /** Between ESC[200~ and ESC[201~. */
  pasting: boolean;
}

export interface LineOptions {
  /** New lines are kept (a list of names); otherwise Enter submits and a pasted new line is a space. */
  multiline?: boolean;
  /** `?` outside a paste asks for the help instead of being typed (fields whose answers never hold it). */
  helpKey?: boolean;
}

export type LineAction = 'submit' | 'help';

export const lineState = (text: string): LineState => ({ text, cursor: text.length, pasting: false });

const PASTE_START = '\u001b[200~';
const PASTE_END = '\u001b[201~';

/** Escape sequences terminals send for the editing keys (xterm, VT220, rxvt, tmux and screen forms). */
const SEQUENCES: Record<string, (s: LineState) => LineState> = {};
const bind = (keys: string[], f: (s: LineState) => LineState) => keys.forEach((k) => (SEQUENCES[k] = f));
const at = (s: LineState, cursor: number): LineState => ({
  ...s,
  cursor: Math.max(0, Math.min(s.text.length, cursor)),
});
const cut = (s: LineState, from: number, to: number): LineState => ({
  ...s,
  text: s.text.slice(0, from) + s.text.slice(to),
  cursor: from,
});

/** Word moves skip to the next letter or digit run (readline's Alt-B/Alt-F): the labels of a host name. */
const wordLeft = (s: LineState) => {
  let i = s.cursor;
  while (i > 0 && !/[\p{L}\p{N}]/u.test(s.text[i - 1]!)) i--;
  while (i > 0 && /[\p{L}\p{N}]/u.test(s.text[i - 1]!)) i--;
  return i;
};
const wordRight = (s: LineState) => {
  let i = s.cursor;
  while (i < s.text.length && !/[\p{L}\p{N}]/u.test(s.text[i]!)) i++;
  while (i < s.text.length && /[\p{L}\p{N}]/u.test(s.text[i]!)) i++;
  return i;
};
/** Ctrl-W is readline's unix-word-rubout: back to the previous space, so it removes a whole name. */
const spaceWordLeft = (s: LineState) => {
  let i = s.cursor;
  while (i > 0 && /\s/.test(s.text[i - 1]!)) i--;
  while (i > 0 && !/\s/.test(s.text[i - 1]!)) i--;
  return i;
};

bind(['\u001b[D', '\u001bOD'], (s) => at(s, s.cursor - 1));
bind(['\u001b[C', '\u001bOC'], (s) => at(s, s.cursor + 1));
bind(['\u001b[H', '\u001bOH', '\u001b[1~', '\u001b[7~'], (s) => at(s, 0));
bind(['\u001b[F', '\u001bOF', '\u001b[4~', '\u001b[8~'], (s) => at(s, s.text.length));
bind(['\u001b[3~'], (s) => cut(s, s.cursor, Math.min(s.text.length, s.cursor + 1)));
bind(['\u001bb', '\u001b[1;5D', '\u001b[1;3D', '\u001b\u001b[D'], (s) => at(s, wordLeft(s)));
bind(['\u001bf', '\u001b[1;5C', '\u001b[1;3C', '\u001b\u001b[C'], (s) => at(s, wordRight(s)));
bind(['\u001b\u007f', '\u001b\b'], (s) => cut(s, wordLeft(s), s.cursor));
bind(['\u001bd'], (s) => cut(s, s.cursor, wordRight(s)));

/** Control keys within a run of text. */
const CONTROLS: Record<string, (s: LineState) => LineState> = {
  '\u0001': (s) => at(s, 0), // Ctrl-A
  '\u0005': (s) => at(s, s.text.length), // Ctrl-E
  '\u0002': (s) => at(s, s.cursor - 1), // Ctrl-B
  '\u0006': (s) => at(s, s.cursor + 1), // Ctrl-F
  '\u0015': (s) => cut(s, 0, s.cursor), // Ctrl-U
  '\u000b': (s) => cut(s, s.cursor, s.text.length), // Ctrl-K
  '\u0017': (s) => cut(s, spaceWordLeft(s), s.cursor), // Ctrl-W
  '\u0004': (s) => cut(s, s.cursor, Math.min(s.text.length, s.cursor + 1)), // Ctrl-D
  '\u007f': (s) => cut(s, Math.max(0, s.cursor - 1), s.cursor), // Backspace
  '\b': (s) => cut(s, Math.max(0, s.cursor - 1), s.cursor), // Ctrl-H, Backspace on some terminals
};

const insert = (s: LineState, text: string): LineState => ({
  ...s,
  text: s.text.slice(0, s.cursor) + text + s.text.slice(s.cursor),
  cursor: s.cursor + text.length,
});

/** Pasted text as the field keeps it: new lines for a list, spaces on one line, no other control bytes. */
function pasted(text: string, multiline: boolean): string {
  const clean = text
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    // eslint-disable-next-line no-control-regex -- control bytes are what a paste must not carry into a field
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '');
  return multiline ? clean : clean.replace(/\n/g, ' ');
}

/**
 * One input event applied to the field. Returns the new state and what the keys asked for besides
 * editing (submit, help), in the order they came.
 */
export function editLine(
  state: LineState,
  event: string,
  opts: LineOptions = {},
): { state: LineState; actions: LineAction[] } {
  const actions: LineAction[] = [];
  let s = state;
  if (event === PASTE_START) return { state: { ...s, pasting: true }, actions };
  if (event === PASTE_END) return { state: { ...s, pasting: false }, actions };
  if (s.pasting) return { state: insert(s, pasted(event, Boolean(opts.multiline))), actions };
  if (event.startsWith('\u001b')) {
    const f = SEQUENCES[event];
    return { state: f ? f(s) : s, actions };
  }
  const chars = [...event];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && chars[i + 1] === '\n') i++;
      // Without bracketed paste, a list pasted into a list field arrives as text with new lines in it:
      // a new line with more text after it in the same read is a separator; one at the end is Enter.
      if (opts.multiline && i < chars.length - 1) s = insert(s, '\n');
      else {
        actions.push('submit');
        break;
      }
    } else if (CONTROLS[ch]) s = CONTROLS[ch](s);
    else if (ch === '?' && opts.helpKey) actions.push('help');
    else if (ch === '\t') s = insert(s, opts.multiline ? ' ' : '');
    else if (ch >= ' ' && ch !== '\u007f') s = insert(s, ch);
  }
  return { state: s, actions };
}
