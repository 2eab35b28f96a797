import { hostname } from 'node:os';
import { withInterrupts } from '../execute/interrupts.js';
import { applyHost, ASKS_NOBODY } from '../execute/runner.js';
import { textView } from '../execute/views.js';
import { defaultStateDir } from '../execute/state.js';
import { secretFromEnv } from '../execute/token.js';
import type { Io } from '../output.js';
import { recall, remember } from '../store.js';
import { wizardFlow } from './flow.js';
import { asciiOnly, inquirerPrompts, linePrompts, Interrupted, type WizardUi } from './prompts.js';

/**
 * The wizard line by line, for dumb terminals, serial consoles and screen readers: the one flow over
 * @inquirer's prompts, or numbered lines where the terminal cannot move its cursor (TERM=dumb).
 */
export async function runPlain(io: Io, profile: string): Promise<number> {
  const dumb = io.env.TERM === 'dumb';
  const prompts = dumb ? linePrompts(io) : inquirerPrompts(io);
  const say = (s = '') => io.stdout.write(`${dumb ? asciiOnly(s) : s}\n`);
  const ui: WizardUi = {
    ...prompts,
    say: (text) => say(`  ${text}`),
    async run(r) {
      say(`\n${r.section}`);
      // The runner's own text view; a manual step stops the run, and the choices after it say what next.
      const result = await withInterrupts((signal) =>
        applyHost(r.plan, r.host, { ...r.options, prompter: ASKS_NOBODY }, { onEvent: textView(say), signal }),
      );
      if (result.stopped?.kind === 'interrupted') throw new Interrupted('interrupted');
      const value = await prompts.select({ message: 'What next?', choices: r.choices(result) });
      return { value, result };
    },
    async finish(message) {
      say(`\n${message}`);
    },
  };
  const token = secretFromEnv('token', io.env);
  const passphrase = secretFromEnv('passphrase', io.env);
  const apiKey = secretFromEnv('apiKey', io.env);
  try {
    return await wizardFlow(ui, {
      profile,
      cwd: io.cwd,
      stateDir: defaultStateDir(io.env),
      machineName: hostname(),
      envSecrets: {
        ...(token ? { token } : {}),
        ...(passphrase ? { passphrase } : {}),
        ...(apiKey ? { apiKey } : {}),
      },
      recall: async () => recall(profile),
      remember: (d) => remember(profile, d),
      ascii: dumb,
    });
  } catch (e) {
    if ((e as Error).name === 'ExitPromptError') {
      say('\nInterrupted; your answers so far are remembered.');
      return 130;
    }
    throw e;
  }
}
