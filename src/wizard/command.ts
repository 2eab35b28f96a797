import { UsageError } from '../errors.js';
import { defaultStateDir } from '../execute/state.js';
import { tokenFromEnv } from '../execute/token.js';
import { writeLine, type Io } from '../output.js';
import { forgetAll, recall, remember } from '../store.js';
import { parseCommandArgs } from '../commands/args.js';

/** nbsecure with no command: the Ink wizard, or --plain; --forget removes remembered answers. */
export async function wizardCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs('', argv, { plain: { type: 'boolean' }, profile: { type: 'string' }, forget: { type: 'boolean' } });
  if (values.forget) {
    writeLine(io.stdout, `Removed the remembered answers in ${forgetAll()}.`);
    return 0;
  }
  const profile = values.profile ?? 'default';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(profile)) throw new UsageError(`--profile ${profile}: use 1 to 64 letters, digits, dots, dashes or underscores.`);
  if (values.plain || io.env.TERM === 'dumb') {
    const { runPlain } = await import('./plain.js');
    return runPlain(io, profile);
  }
  // React and Ink load only here: the scripted commands never pay for them.
  const { mountWizard } = await import('./ink/mount.js');
  const envToken = tokenFromEnv(io.env);
  const last = recall(profile);
  return mountWizard(io, {
    profile,
    ...(last ? { last } : {}),
    cwd: io.cwd,
    stateDir: defaultStateDir(io.env),
    ...(envToken ? { envToken } : {}),
    onDraft: (d) => remember(profile, d),
  });
}
