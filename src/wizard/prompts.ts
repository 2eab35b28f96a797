import { checkbox, confirm, input, password, select } from '@inquirer/prompts';
import { createInterface } from 'node:readline';
import type { Io } from '../output.js';

export interface PromptChoice<T extends string> {
  name: string;
  value: T;
  description?: string;
  checked?: boolean;
}

export interface CheckboxOptions<T extends string> {
  message: string;
  choices: PromptChoice<T>[];
  ordered?: boolean;
  allowNone?: boolean;
}

/**
 * The prompt functions --plain's questions are written against, so the flow is one piece of linear code
 * whatever draws the prompts: @inquirer/prompts on a terminal that can move its cursor, numbered lines
 * where it cannot (TERM=dumb, a serial console, a screen reader's line mode).
 */
export interface Prompts {
  select<T extends string>(o: { message: string; choices: PromptChoice<T>[]; default?: string }): Promise<T>;
  input(o: { message: string; default?: string; validate?: (s: string) => true | string }): Promise<string>;
  confirm(o: { message: string; default: boolean }): Promise<boolean>;
  /**
   * Several of the choices. `ordered`: in the order the person puts them (first choice first);
   * `allowNone`: none is an answer.
   */
  checkbox<T extends string>(o: CheckboxOptions<T>): Promise<T[]>;
  password(o: { message: string }): Promise<string>;
  /** Lines as typed or pasted, each handed to `onLine` until it returns false or the input ends. */
  lines(prompt: () => string, onLine: (line: string) => boolean): Promise<void>;
}

/** The prompts of @inquirer/prompts, on the wizard's streams. */
export function inquirerPrompts(io: Io): Prompts {
  const ctx = { input: io.stdin, output: io.stdout };
  return {
    select: (o) => select(o, ctx),
    input: (o) => input(o, ctx),
    confirm: (o) => confirm(o, ctx),
    async checkbox(o) {
      const { ordered, allowNone, ...rest } = o;
      const ticked = await checkbox({ ...rest, required: !allowNone }, ctx);
      if (!ordered) return ticked;
      // @inquirer's checkbox answers in the list's order: the order to try them in is asked after it.
      const order: typeof ticked = [];
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
    },
    password: (o) => password(o, ctx),
    // One reader for the whole list: a prompt per line would take the first line of a paste and lose the rest.
    async lines(prompt, onLine) {
      const rl = createInterface({ input: io.stdin, terminal: false });
      io.stdout.write(prompt());
      try {
        for await (const line of rl) {
          if (!onLine(line)) break;
          io.stdout.write(prompt());
        }
      } finally {
        rl.close();
      }
    },
  };
}

/** Raised when the input ends (Ctrl-D, a closed pipe): the same name @inquirer gives to Ctrl-C. */
class InputEnded extends Error {
  override name = 'ExitPromptError';
}

/**
 * Prompts as plain lines: a question, numbered choices, an answer typed and Enter. Nothing is drawn twice,
 * no cursor is moved, no escape code or line-drawing character is sent.
 */
export function linePrompts(io: Io): Prompts {
  const rl = createInterface({ input: io.stdin, terminal: false });
  const it = rl[Symbol.asyncIterator]();
  const say = (s: string) => io.stdout.write(s);
  const read = async (prompt: string): Promise<string> => {
    say(prompt);
    const r = await it.next();
    if (r.done) throw new InputEnded('the input ended');
    return r.value.trim();
  };
  const numbered = <T extends string>(choices: PromptChoice<T>[], mark?: (c: PromptChoice<T>) => string) =>
    choices.forEach((c, i) =>
      say(`  ${i + 1}) ${mark ? mark(c) : ''}${c.name}${c.description ? ` - ${c.description}` : ''}\n`),
    );
  return {
    async select(o) {
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
    async input(o) {
      for (;;) {
        const a = (await read(`${o.message}${o.default ? ` (Enter: ${o.default})` : ''}: `)) || (o.default ?? '');
        const ok = o.validate ? o.validate(a) : true;
        if (ok === true) return a;
        say(`${ok}\n`);
      }
    },
    async confirm(o) {
      for (;;) {
        const a = (await read(`${o.message} (${o.default ? 'Y/n' : 'y/N'}): `)).toLowerCase();
        if (!a) return o.default;
        if (a === 'y' || a === 'yes') return true;
        if (a === 'n' || a === 'no') return false;
        say('Type y or n.\n');
      }
    },
    async checkbox(o) {
      say(`${o.message}\n`);
      numbered(o.choices, (c) => (c.checked ? '[x] ' : '[ ] '));
      const ticked = o.choices.filter((c) => c.checked).map((c) => c.value);
      const what = o.ordered ? 'in the order to try them' : 'separated by spaces';
      const empty = ticked.length ? 'the ticked ones' : 'none';
      for (;;) {
        const a = await read(`Numbers of the ones you want, ${what} (Enter: ${empty}): `);
        if (!a && (ticked.length || o.allowNone)) return ticked;
        const ns = [
          ...new Set(
            a
              .split(/[\s,]+/)
              .filter(Boolean)
              .map(Number),
          ),
        ];
        if (ns.length && ns.every((n) => Number.isInteger(n) && n >= 1 && n <= o.choices.length))
          return o.ordered
            ? ns.map((n) => o.choices[n - 1]!.value)
            : o.choices.filter((_, i) => ns.includes(i + 1)).map((c) => c.value);
        say(`Type numbers from 1 to ${o.choices.length}.\n`);
      }
    },
    async password(o) {
      const stdin = io.stdin as NodeJS.ReadStream;
      // Not echoed: the terminal's own echo is off while the secret is typed, and on again after.
      if (!stdin.isTTY) return read(`${o.message}: `);
      rl.pause();
      say(`${o.message}: `);
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
                return reject(new InputEnded('interrupted'));
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
    },
    async lines(prompt, onLine) {
      for (;;) {
        say(prompt());
        const r = await it.next();
        if (r.done || !onLine(r.value)) return;
      }
    },
  };
}
