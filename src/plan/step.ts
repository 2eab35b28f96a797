import { assertKnownFlags, COMMANDS, confidenceOf, needsSession, type CommandName } from '../catalogue/commands.js';
import { VERIFY_MARKER } from '../catalogue/confidence.js';
import type { HostEnv } from '../environment/types.js';
import { planCommand, textArgs } from './args.js';
import { commandPath } from './paths.js';
import { stageOf, type PrimaryStage } from './stages.js';
import type { Arg, DoneCheck, PlanCommand, Step } from './types.js';

type StepOptions = Omit<
  Step,
  'id' | 'host' | 'stage' | 'command' | 'manual' | 'title' | 'why' | 'effect' | 'expectExit'
> & {
  effect?: Step['effect'];
  expectExit?: number[];
  /** Where the step goes in the rollout when the host is the primary (see stageOf). */
  stage: PrimaryStage;
};

export function command(host: HostEnv, name: CommandName, argv: Arg[]): PlanCommand {
  assertKnownFlags(name, textArgs(argv));
  return planCommand(commandPath(host, name), argv);
}

export function doneWhen(host: HostEnv, name: CommandName, args: string[], outputMatches?: string): DoneCheck {
  return { command: command(host, name, args), ...(outputMatches ? { outputMatches } : {}) };
}

/** A step's id (host-qualified), host and rollout stage: one place decides all three. */
function identity(host: HostEnv, id: string, stage: PrimaryStage): Pick<Step, 'id' | 'host' | 'stage'> {
  return { id: `${host.name}:${id}`, host: host.name, stage: stageOf(host, stage) };
}

/** A step that runs a catalogued command. Unconfirmed commands or flags get the visible marker. */
export function commandStep(
  host: HostEnv,
  id: string,
  name: CommandName,
  args: Arg[],
  title: string,
  why: string,
  opts: StepOptions,
): Step {
  const { effect = 'change', expectExit = [0], stage, ...rest } = opts;
  const unconfirmed = confidenceOf(name, textArgs(args)) === 'unconfirmed';
  return {
    ...identity(host, id, stage),
    title,
    why,
    command: command(host, name, args),
    manual: false,
    effect,
    expectExit,
    ...rest,
    ...(needsSession(name, textArgs(args)) ? { session: true } : {}),
    ...(unconfirmed && !rest.verifyForYourVersion
      ? { verifyForYourVersion: `${VERIFY_MARKER}: ${COMMANDS[name].source}` }
      : {}),
  };
}

export function readStep(
  host: HostEnv,
  id: string,
  name: CommandName,
  args: Arg[],
  title: string,
  why: string,
  opts: StepOptions,
): Step {
  return commandStep(host, id, name, args, title, why, { ...opts, effect: 'read' });
}

/** Something only a person can do (a login with a password, a web UI setting). */
export function manualStep(
  host: HostEnv,
  id: string,
  title: string,
  why: string,
  instructions: string[],
  opts: Pick<Step, 'withFact'> & { stage: PrimaryStage },
): Step {
  const { stage, ...rest } = opts;
  return {
    ...identity(host, id, stage),
    title,
    why,
    manual: true,
    instructions,
    effect: 'change',
    expectExit: [0],
    ...rest,
  };
}
