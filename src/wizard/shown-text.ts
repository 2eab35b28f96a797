import type { WizardUi } from './prompts.js';

// Every control character but tab and newline: an ESC read from an imported file would drive the terminal.
// eslint-disable-next-line no-control-regex -- control characters are what this takes out
const CONTROL_RE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Text as it may be shown: each control character spelt out (\x1b), never sent to the terminal. */
export const shownText = (s: string): string =>
  s.replace(CONTROL_RE, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/**
 * A question's options with every text made safe to show: labels, messages, help, body lines, what a check
 * says. The answers' values are the flow's own (host names already checked, fixed keys) and pass as they are.
 */
function shownOptions<T>(x: T): T {
  if (typeof x === 'string') return shownText(x) as T;
  if (Array.isArray(x)) return x.map(shownOptions) as T;
  if (x && typeof x === 'object') {
    return Object.fromEntries(
      Object.entries(x).map(([k, v]) => [
        k,
        k === 'value'
          ? v
          : k === 'validate' && typeof v === 'function'
            ? (...args: unknown[]) => shownOptions((v as (...a: unknown[]) => unknown)(...args))
            : shownOptions(v),
      ]),
    ) as T;
  }
  return x;
}

/** The front end, with everything it is asked to show made safe first: one place for all three of them. */
export function shownSafely(ui: WizardUi): WizardUi {
  return {
    select: (o) => ui.select(shownOptions(o)),
    input: (o) => ui.input(shownOptions(o)),
    checkbox: (o) => ui.checkbox(shownOptions(o)),
    password: (o) => ui.password(shownOptions(o)),
    lines: (o) => ui.lines(shownOptions(o)),
    say: (text, tone) => ui.say(shownText(text), tone),
    run: (r) => ui.run({ ...r, title: shownText(r.title), section: shownText(r.section), help: shownText(r.help) }),
    finish: (message) => ui.finish(shownText(message)),
  };
}
