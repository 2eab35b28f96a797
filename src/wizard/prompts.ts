import { checkbox, input, password, select } from '@inquirer/prompts';
import { createInterface } from 'node:readline';
import type { ApplyResult } from '../execute/events.js';
import type { ApplyOptions } from '../execute/runner.js';
import type { Plan } from '../plan/types.js';
import type { Io } from '../output.js';
import { wrapLines } from './wrap.js';

export interface PromptChoice<T extends string = string> {
  name: string;
  value: T;
  description?: string;
  checked?: boolean;
}

/** A line shown above a question: a review, the problems found, the files written. */
export interface BodyLine {
  text: string;
  bold?: boolean;
  tone?: 'warn' | 'error' | 'dim';
}

/**
 * Where a question stands, as data: the Ink front end draws it in its frame (section, progress, the help
 * behind `?`, the body scrolling above the question), the line front ends print the body and the help.
 */
export interface Place {
  section?: string;
  progress?: string;
  help?: string;
  /** A question of the site (not of the outputs): Ctrl-R opens the review from it. */
  answering?: boolean;
  body?: BodyLine[];
  /** Rows of an 80x24 screen the body leaves to the question under it. */
  reserved?: number;
}

export interface SelectOptions<T extends string> extends Place {
  message: string;
  choices: PromptChoice<T>[];
  default?: string;
  /** At most this many choices shown at once (Ink); the list scrolls. */
  limit?: number;
}

export interface InputOptions extends Place {
  message: string;
  default?: string;
  /** A problem in words, or true: the question is asked again, only it, until the answer is fine. */
  validate?: (s: string) => true | string;
}

export interface CheckboxOptions<T extends string> extends Place {
  message: string;
  choices: PromptChoice<T>[];
  /** The order the person puts them in is the answer (first choice first). */
  ordered?: boolean;
  /** None is an answer. */
  allowNone?: boolean;
  validate?: (values: T[]) => true | string;
  limit?: number;
}

export interface LinesOptions extends Place {
  message: string;
  /** The prompt before each line (line front ends). */
  prompt: () => string;
  /** Each line as typed or pasted, until it returns false or the input ends. */
  onLine: (line: string) => boolean;
}

/**
 * The prompt functions the wizard's one flow is written against (the Shopify CLI style): each returns a
 * promise, so the flow is linear async code whatever draws the prompts: Ink, @inquirer/prompts, or
 * numbered lines where the terminal cannot move its cursor (TERM=dumb, a serial console, a screen reader).
 */
export interface Prompts {
  select<T extends string>(o: SelectOptions<T>): Promise<T>;
  input(o: InputOptions): Promise<string>;
  checkbox<T extends string>(o: CheckboxOptions<T>): Promise<T[]>;
  password(o: InputOptions): Promise<string>;
  lines(o: LinesOptions): Promise<void>;
}

/** What the wizard runs on one host, and the choices after it, by how it ended. */
export interface RunRequest {
  plan: Plan;
  host: string;
  options: Omit<ApplyOptions, 'prompter'>;
  title: string;
  section: string;
  help: string;
  choices: (r: ApplyResult) => PromptChoice[];
}

/** A front end of the wizard: its prompts, and how it says things and shows a run. */
export interface WizardUi extends Prompts {
  /** A line of news: under the next question (Ink), or printed at once. */
  say(text: string, tone?: BodyLine['tone']): void;
  /** Runs (or dry-runs) the host, showing its events as they come; then asks what next. */
  run(r: RunRequest): Promise<{ value: string; result: ApplyResult }>;
  /** The last words, shown until the person leaves (Ink) or printed. */
  finish(message: string): Promise<void>;
}

/** Esc: the previous question. Only a front end with a back key raises it; the flow catches it where it goes. */
export class Back extends Error {
  override name = 'Back';
}

/** Ctrl-R while answering: the review, with the answers as they are. */
export class ToReview extends Error {
  override name = 'ToReview';
}

/** Ctrl-C, or the input ended: the same name @inquirer gives it. */
export class Interrupted extends Error {
  override name = 'ExitPromptError';
}

/** The body and the help, wrapped for an 80-column line terminal, which breaks words where the line ends. */
const bodyText = (o: Place) =>
  (o.body ?? [])
    .flatMap((l) => wrapLines(l.text, 78))
    .map((l) => `${l}\n`)
    .join('');
const helpText = (o: Place) =>
  o.help
    ? `\n${wrapLines(`(${o.help})`, 76)
        .map((l) => `  ${l}\n`)
        .join('')}`
    : '';
/** What the line front ends print before a question: its body, then its help. */
const placeText = (o: Place) => `${o.body?.length ? `\n${bodyText(o)}` : ''}${helpText(o)}`;
const ok = (v: true | string | undefined) => v === undefined || v === true;

/** The prompts of @inquirer/prompts, on the wizard's streams; the body and the help printed before them. */
export function inquirerPrompts(io: Io): Prompts {
  const ctx = { input: io.stdin, output: io.stdout };
  const before = (o: Place) => io.stdout.write(placeText(o));
  return {
    select: (o) => (
      before(o),
      select({ message: o.message, choices: o.choices, ...(o.default ? { default: o.default } : {}) }, ctx)
    ),
    input: (o) => (
      before(o),
      input(
        {
          message: o.message,
          ...(o.default ? { default: o.default } : {}),
          ...(o.validate ? { validate: o.validate } : {}),
        },
        ctx,
      )
    ),
    password: (o) => (
      before(o),
      password({ message: o.message, mask: false, ...(o.validate ? { validate: o.validate } : {}) }, ctx)
    ),
    async checkbox<T extends string>(o: CheckboxOptions<T>) {
      before(o);
      // @inquirer's checkbox answers in the list's order: the order to try them in is asked after it.
      const rank = async (ticked: T[]): Promise<T[]> => {
        const order: T[] = [];
        for (let left = ticked; left.length > 1; left = left.filter((v) => !order.includes(v)))
          order.push(
            await select(
              {
                message: `Which of these ${order.length ? 'next' : 'first'}?`,
                choices: o.choices.filter((c) => left.includes(c.value)),
              },
              ctx,
            ),
          );
        return [...order, ...ticked.filter((v) => !order.includes(v))];
      };
      for (;;) {
        const ticked = await checkbox({ message: o.message, choices: o.choices, required: !o.allowNone }, ctx);
        const answer = o.ordered ? await rank(ticked) : ticked;
        const problem = o.validate?.(answer);
        if (ok(problem)) return answer;
        io.stdout.write(`${problem}\n`);
      }
    },
    // One reader for the whole list: a prompt per line would take the first line of a paste and lose the rest.
    async lines(o) {
      before(o);
      io.stdout.write(`${o.message}\n`);
      const rl = createInterface({ input: io.stdin, terminal: false });
      io.stdout.write(o.prompt());
      try {
        for await (const line of rl) {
          if (!o.onLine(line)) break;
          io.stdout.write(o.prompt());
        }
      } finally {
        rl.close();
      }
    },
  };
}

const ASCII: Record<string, string> = {
  '→': '->',
  '←': '<-',
  '−': '-',
  '—': '-',
  '–': '-',
  '·': '-',
  '…': '...',
  '‘': "'",
  '’': "'",
  '“': '"',
  '”': '"',
  '✓': '+',
  '✗': 'x',
  '↑': '^',
  '↓': 'v',
};

/** Text for a terminal that shows ASCII only (TERM=dumb, a serial console): the wizard's symbols in words. */
export const asciiOnly = (s: string) => s.replace(/[^\t\n\r\x20-\x7e]/g, (ch) => ASCII[ch] ?? '?');

/**
 * Prompts as plain lines: a question, numbered choices, an answer typed and Enter. Nothing is drawn twice,
 * no cursor is moved, no escape code or line-drawing character is sent.
 */
export function linePrompts(io: Io): Prompts {
  const rl = createInterface({ input: io.stdin, terminal: false });
  const it = rl[Symbol.asyncIterator]();
  const say = (s: string) => io.stdout.write(asciiOnly(s));
  const before = (o: Place) => say(placeText(o));
  const read = async (prompt: string): Promise<string> => {
    say(prompt);
    const r = await it.next();
    if (r.done) throw new Interrupted('the input ended');
    return r.value.trim();
  };
  const numbered = <T extends string>(choices: PromptChoice<T>[], mark?: (c: PromptChoice<T>) => string) =>
    choices.forEach((c, i) =>
      say(`  ${i + 1}) ${mark ? mark(c) : ''}${c.name}${c.description ? ` - ${c.description}` : ''}\n`),
    );
  const asked = async (o: InputOptions, prompt: () => Promise<string>) => {
    for (;;) {
      const a = (await prompt()) || (o.default ?? '');
      const problem = o.validate ? o.validate(a) : true;
      if (problem === true) return a;
      say(`${problem}\n`);
    }
  };
  return {
    async select(o) {
      before(o);
      say(`${o.message}\n`);
      numbered(o.choices);
      const d = Math.max(
        0,
        o.choices.findIndex((c) => c.value === o.default),
      );
      for (;;) {
        const a = await read(`Number (Enter: ${d + 1}): `);
        const n = a === '' ? d + 1 : Number(a);
        if (Number.isInteger(n) && n >= 1 && n <= o.choices.length) return o.choices[n - 1]!.value;
        say(`Type a number from 1 to ${o.choices.length}.\n`);
      }
    },
    input(o) {
      before(o);
      return asked(o, () => read(`${o.message}${o.default ? ` (Enter: ${o.default})` : ''}: `));
    },
    async checkbox(o) {
      before(o);
      say(`${o.message}\n`);
      numbered(o.choices, (c) => (c.checked ? '[x] ' : '[ ] '));
      const ticked = o.choices.filter((c) => c.checked).map((c) => c.value);
      const what = o.ordered ? 'in the order to try them' : 'separated by spaces';
      const empty = ticked.length ? 'the ticked ones' : 'none';
      for (;;) {
        const a = await read(`Numbers of the ones you want, ${what} (Enter: ${empty}): `);
        let answer: (typeof ticked)[number][] | undefined;
        if (!a && (ticked.length || o.allowNone)) answer = ticked;
        const ns = [
          ...new Set(
            a
              .split(/[\s,]+/)
              .filter(Boolean)
              .map(Number),
          ),
        ];
        if (ns.length && ns.every((n) => Number.isInteger(n) && n >= 1 && n <= o.choices.length))
          answer = o.ordered
            ? ns.map((n) => o.choices[n - 1]!.value)
            : o.choices.filter((_, i) => ns.includes(i + 1)).map((c) => c.value);
        if (!answer) {
          say(`Type numbers from 1 to ${o.choices.length}.\n`);
          continue;
        }
        const problem = o.validate?.(answer);
        if (ok(problem)) return answer;
        say(`${problem}\n`);
      }
    },
    password(o) {
      before(o);
      return asked({ ...o, default: '' }, () => secretLine(`${o.message}: `));
    },
    async lines(o) {
      before(o);
      say(`${o.message}\n`);
      for (;;) {
        say(o.prompt());
        const r = await it.next();
        if (r.done || !o.onLine(r.value)) return;
      }
    },
  };

  async function secretLine(prompt: string): Promise<string> {
    const stdin = io.stdin as NodeJS.ReadStream;
    // Not echoed: the terminal's own echo is off while the secret is typed, and on again after.
    if (!stdin.isTTY) return read(prompt);
    rl.pause();
    say(prompt);
    stdin.setRawMode(true);
    try {
      return await new Promise<string>((resolve, reject) => {
        let secret = '';
        const onData = (b: Buffer) => {
          for (const ch of b.toString('utf8')) {
            if (ch === '\r' || ch === '\n') {
              stdin.removeListener('data', onData);
              say('\n');
              return resolve(secret);
            }
            if (ch === '\u0003' || ch === '\u0004') {
              stdin.removeListener('data', onData);
              return reject(new Interrupted('interrupted'));
            }
            if (ch === '\u007f' || ch === '\b') secret = secret.slice(0, -1);
            else if (ch >= ' ') secret += ch;
          }
        };
        stdin.on('data', onData);
      });
    } finally {
      stdin.setRawMode(false);
      rl.resume();
    }
  }
}
