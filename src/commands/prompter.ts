import { createInterface } from 'node:readline/promises';
import type { Prompter } from '../execute/runner.js';
import type { Io } from '../output.js';

/**
 * How a command asks a person on its terminal. Questions go where people read: stdout, or stderr when
 * stdout carries something else (JSON, a progress view). Without a terminal (or with CI set) it cannot ask.
 */
export function terminalPrompter(io: Io, onStderr: boolean): Prompter {
  const screen = onStderr ? io.stderr : io.stdout;
  const interactive = Boolean(io.stdin.isTTY && screen.isTTY) && !io.env.CI;
  return {
    interactive,
    async confirm(question) {
      const rl = createInterface({ input: io.stdin, output: screen });
      try {
        return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
      } finally {
        rl.close();
      }
    },
    async typed(question) {
      const rl = createInterface({ input: io.stdin, output: screen });
      try {
        return await rl.question(`${question} `);
      } finally {
        rl.close();
      }
    },
    async secret(question) {
      // Loaded only when a token is really asked for: the prompt library is not needed otherwise.
      const { password } = await import('@inquirer/prompts');
      return password({ message: question, mask: false }, { input: io.stdin, output: screen });
    },
  };
}
