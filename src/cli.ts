import { EXIT, UserError, UsageError } from './errors.js';
import { HELP } from './commands/help.js';
import { processIo, writeLine, type Io } from './output.js';
import { VERSION } from './version.js';

type Command = (args: string[], io: Io) => Promise<number>;

/** Lazy imports: the scripted path must never load react or ink, and loads only what it runs. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  plan: async () => (await import('./commands/plan.js')).planCommand,
  explain: async () => (await import('./commands/explain.js')).explainCommand,
  apply: async () => (await import('./commands/apply.js')).applyCommand,
  doctor: async () => (await import('./commands/doctor.js')).doctorCommand,
  rollout: async () => (await import('./commands/rollout.js')).rolloutCommand,
};

function noTerminal(io: Io): boolean {
  return !io.stdin.isTTY || !io.stdout.isTTY || Boolean(io.env.CI);
}

export async function run(argv: string[], io: Io = processIo()): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-v') {
    writeLine(io.stdout, VERSION);
    return EXIT.ok;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    writeLine(io.stdout, HELP[rest[0] ?? 'main'] ?? HELP.main);
    return EXIT.ok;
  }
  if (first && !first.startsWith('-')) {
    if (HELP[first] && first !== 'main' && (rest.includes('--help') || rest.includes('-h'))) {
      writeLine(io.stdout, HELP[first]);
      return EXIT.ok;
    }
    const load = COMMANDS[first];
    if (!load)
      throw new UsageError(
        `nbsecure: unknown command "${first}". The commands are ${Object.keys(COMMANDS).join(', ')}` +
          `; see nbsecure --help.`,
      );
    return (await load())(rest, io);
  }
  if (argv.includes('--forget')) {
    // Works without a terminal: removing remembered answers asks nothing.
    const { wizardCommand } = await import('./wizard/command.js');
    return wizardCommand(argv, io);
  }
  if (noTerminal(io)) {
    throw new UsageError(
      'nbsecure: the guided wizard needs a terminal (stdin and stdout), and this is not ' +
        'one. For scripts and CI, write an answers file and run: nbsecure plan --answers FILE ' +
        '(examples/ has five to start from). See nbsecure --help.',
    );
  }
  const { wizardCommand } = await import('./wizard/command.js');
  return wizardCommand(argv, io);
}

/** Runs a command and maps every error to an exit code and one readable message, never a stack trace. */
export async function execute(argv: string[], io: Io): Promise<number> {
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof UserError) {
      writeLine(io.stderr, e.message);
      return e.exitCode;
    }
    writeLine(
      io.stderr,
      `nbsecure: internal error: ${(e as Error)?.message ?? String(e)}` +
        `. Please report it${io.env.DEBUG ? '' : '; run with DEBUG=1 to see where it happened'}.`,
    );
    if (io.env.DEBUG) writeLine(io.stderr, (e as Error)?.stack ?? '');
    return EXIT.failed;
  }
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  process.exitCode = await execute(argv, processIo());
}
