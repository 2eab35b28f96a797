import { UsageError } from '../errors.js';
import { defaultStateDir } from '../execute/state.js';
import { secretFromEnv } from '../execute/token.js';
import { writeLine, type Io } from '../output.js';
import { parseCommandArgs } from '../commands/args.js';

/** nbsecure with no command: the Ink wizard, or --plain; --forget removes remembered answers. */
export async function wizardCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs('', argv, {
    plain: { type: 'boolean' },
    profile: { type: 'string' },
    forget: { type: 'boolean' },
  });
  if (values.forget) {
    const { forgetAll } = await import('../store.js');
    writeLine(io.stdout, `Removed the remembered answers in ${forgetAll()}.`);
    return 0;
  }
  const profile = values.profile ?? 'default';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(profile))
    throw new UsageError(`--profile ${profile}: use 1 to 64 letters, digits, dots, dashes or underscores.`);
  if (values.plain || io.env.TERM === 'dumb') {
    const { runPlain } = await import('./plain.js');
    return runPlain(io, profile);
  }
  // Ink colours through chalk, which reads FORCE_COLOR when it loads: without colour it gets
  // FORCE_COLOR=0, or library components (the select list's pointer) would still be coloured. NO_COLOR
  // goes, because Node warns when both are set; child processes see the same choice either way.
  const colour = io.env.NO_COLOR === undefined && io.env.TERM !== 'dumb';
  if (!colour) {
    process.env.FORCE_COLOR = '0';
    delete process.env.NO_COLOR;
  }
  // React and Ink load only here: the scripted commands never pay for them. The store (conf) loads
  // after the first frame is drawn, so opening the wizard does not wait for it.
  let store: Promise<typeof import('../store.js')> | undefined;
  const loadStore = () => (store ??= import('../store.js'));
  const { mountWizard } = await import('./ink/mount.js');
  const token = secretFromEnv('token', io.env);
  const passphrase = secretFromEnv('passphrase', io.env);
  const apiKey = secretFromEnv('apiKey', io.env);
  return mountWizard(io, colour, {
    profile,
    last: () => loadStore().then((s) => s.recall(profile)),
    cwd: io.cwd,
    stateDir: defaultStateDir(io.env),
    envSecrets: {
      ...(token ? { token } : {}),
      ...(passphrase ? { passphrase } : {}),
      ...(apiKey ? { apiKey } : {}),
    },
    onDraft: (d) => void loadStore().then((s) => s.remember(profile, d)),
  });
}
