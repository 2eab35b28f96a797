import { TOKEN_EXACT } from '../catalogue/token-shape.js';
import { restartQuestion, runRestartsServices } from '../execute/restart-consent.js';
import type { ApplyOptions } from '../execute/runner.js';
import { API_KEY_EXACT, SECRET_KINDS, type SecretKind } from '../execute/token.js';
import type { Plan, Step } from '../plan/types.js';
import { orBack, type Secrets, type Session } from './flow-session.js';
import type { Place } from './prompts.js';

/** What to do after the wizard, with the answers file the person saved, or how to get one. */
export const nextSteps = (saved: string | undefined) =>
  saved
    ? `Next, on each host as root, the primary first: nbsecure apply --answers ${saved} --host NAME ` +
      '(it dry-runs and asks first).'
    : 'Next: save these answers as a file (What next? → Save), then on each host as root, the primary ' +
      'first: nbsecure apply --answers FILE --host NAME (it dry-runs and asks first).';

/**
 * The secrets a host's steps take that the environment did not give: the token or passphrase its files
 * need, and on the primary an optional API key (empty keeps the login and the level a person's).
 */
function secretsToAsk(steps: Step[], have: Secrets): SecretKind[] {
  const kinds = new Set<SecretKind>(steps.flatMap((s) => (s.files ?? []).flatMap((f) => (f.secret ? [f.secret] : []))));
  if (steps.some((s) => s.apiKeyReplaces || s.rest)) kinds.add('apiKey');
  return [...kinds].filter((k) => !have[k]);
}

const secretProblem = (kind: SecretKind, s: string): true | string =>
  kind === 'token'
    ? TOKEN_EXACT.test(s) || 'A token is 16 upper-case letters.'
    : kind === 'apiKey'
      ? !s.trim() ||
        API_KEY_EXACT.test(s.trim()) ||
        'An API key is one unbroken string of at least 16 characters; leave it empty to log in yourself.'
      : Boolean(s) || 'Type the passphrase.';

const secretHelp = (kind: SecretKind) =>
  kind === 'apiKey'
    ? 'Optional: leave it empty to log in yourself. The key replaces the web login and sets the level ' +
      'over TLS pinned to the CA fingerprint; it is never shown, never remembered.'
    : `${SECRET_KINDS[kind].words[0]!.toUpperCase()}${SECRET_KINDS[kind].words.slice(1)} is passed to NetBackup ` +
      'in a 0600 file, never shown, never remembered.';

/** The dry run of one host, then, if the person chooses, the run: the exit code when the wizard ends. */
export async function runHost(s: Session, plan: Plan): Promise<number | undefined> {
  const host = await s.ui.select({
    section: 'Dry run',
    help:
      "Steps run only on the host they belong to: choose this machine's name. The dry run changes nothing " +
      'and needs no secret.',
    message: 'Which host is this machine? (its steps run here)',
    choices: plan.hosts.map((h) => ({ name: `${h.name} (${h.role}, ${h.os})`, value: h.name })),
  });
  const options = (dryRun: boolean, secrets: Secrets, confirmed: string[], resume: boolean) =>
    ({
      stateDir: s.ctx.stateDir,
      dryRun,
      yes: true,
      stepTimeoutMs: 600_000,
      resume,
      confirmed: new Set(confirmed),
      resumeCommand: ['nbsecure', 'apply', '--answers', s.saved ?? 'FILE', '--host', host, '--resume'],
      machine: { hostname: s.ctx.machineName },
      secrets,
    }) satisfies Omit<ApplyOptions, 'prompter'>;
  // A dry run never needs a secret: they are asked for only when the steps are to run.
  const dry = await s.ui.run({
    plan,
    host,
    options: options(true, { ...s.ctx.envSecrets }, [], false),
    title: 'These are the exact commands; nothing was changed.',
    section: `Dry run on ${host}`,
    help:
      'The exact commands, in order, with what each changes; PgUp/PgDn scroll them. Nothing ran. Running ' +
      'asks for any secret the steps need and, where the services restart, for the host name typed out.',
    // Running changes the host: the choice under the cursor is not to.
    choices: () => [
      { name: 'Finish without running', value: 'quit' },
      { name: `Run these steps on ${host} now`, value: 'run' },
    ],
  });
  if (dry.value !== 'run') {
    await s.ui.finish(nextSteps(s.saved));
    return 0;
  }
  const place: Place = { section: `Applying on ${host}` };
  const steps = plan.hosts.find((h) => h.name === host)!.steps;
  if (runRestartsServices(steps)) {
    const typed = await orBack(() =>
      s.ui.input({
        ...place,
        help:
          "Turning insecure communication off needs the primary's services restarted: bp.kill_all and " +
          'bp.start_all (bpdown and bpup on Windows). Jobs running then fail. Esc: back without running.',
        message: restartQuestion(host),
        validate: (text) => text.trim() === host || `Type ${host} exactly, or press Esc to go back.`,
      }),
    );
    if (typed === undefined) return undefined;
  }
  const secrets: Secrets = { ...s.ctx.envSecrets };
  for (const kind of secretsToAsk(steps, secrets)) {
    const value = await s.ui.password({
      section: 'Secrets',
      help: secretHelp(kind),
      message: SECRET_KINDS[kind].prompt,
      validate: (text) => secretProblem(kind, text),
    });
    if (value.trim()) secrets[kind] = value.trim();
  }
  const confirmed: string[] = [];
  for (let run = 0; ; run++) {
    const r = await s.ui.run({
      plan,
      host,
      options: options(false, secrets, confirmed, run > 0),
      title: 'Live progress',
      section: `Applying on ${host}`,
      help:
        'Each step is journaled: Retry resumes from the failed step, and nbsecure apply --resume does too. ' +
        'PgUp/PgDn scroll the record.',
      choices: (res) => [
        ...(res.stopped?.kind === 'manual'
          ? [{ name: 'It is done: continue', value: 'confirm' }]
          : res.exitCode !== 0
            ? [{ name: 'Retry from the failed step', value: 'retry' }]
            : []),
        { name: 'Finish', value: 'quit' },
      ],
    });
    if (r.value === 'quit') {
      await s.ui.finish(r.result.exitCode === 0 ? `${host} is done. ${nextSteps(s.saved)}` : nextSteps(s.saved));
      return 0;
    }
    if (r.value === 'confirm' && r.result.stopped?.step) confirmed.push(r.result.stopped.step);
  }
}
