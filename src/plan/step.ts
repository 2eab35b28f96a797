import { assertKnownFlags, COMMANDS, confidenceOf, type CommandName } from '../catalogue/commands.js';
import { VERIFY_MARKER } from '../catalogue/confidence.js';
import type { HostEnv } from '../environment/types.js';
import { commandPath } from './paths.js';
import { stageOf } from './stages.js';
import type { DoneCheck, PlanCommand, Step } from './types.js';

/** A file a step hands to its command, in argv until the executor writes it: `{file:NAME}`. */
export const FILE_PLACEHOLDER_RE = /^\{file:([a-z][a-z-]*)\}$/;

type StepOptions = Omit<
  Step,
  'id' | 'host' | 'stage' | 'command' | 'manual' | 'title' | 'why' | 'effect' | 'expectExit'
> & {
  effect?: Step['effect'];
  expectExit?: number[];
};

export function command(host: HostEnv, name: CommandName, args: string[]): PlanCommand {
  assertKnownFlags(name, args);
  return { file: commandPath(host, name), args };
}

export function doneWhen(host: HostEnv, name: CommandName, args: string[], outputMatches?: string): DoneCheck {
  return { command: command(host, name, args), ...(outputMatches ? { outputMatches } : {}) };
}

/** A step's id (host-qualified), host and rollout stage: one place decides all three. */
function identity(host: HostEnv, id: string): Pick<Step, 'id' | 'host' | 'stage'> {
  const full = `${host.name}:${id}`;
  return { id: full, host: host.name, stage: stageOf(host, full) };
}

/** A step that runs a catalogued command. Unconfirmed commands or flags get the visible marker. */
export function commandStep(
  host: HostEnv,
  id: string,
  name: CommandName,
  args: string[],
  title: string,
  why: string,
  opts: StepOptions = {},
): Step {
  const { effect = 'change', expectExit = [0], ...rest } = opts;
  const unconfirmed = confidenceOf(name, args) === 'unconfirmed';
  return {
    ...identity(host, id),
    title,
    why,
    command: command(host, name, args),
    manual: false,
    effect,
    expectExit,
    ...rest,
    ...(unconfirmed && !rest.verifyForYourVersion
      ? { verifyForYourVersion: `${VERIFY_MARKER}: ${COMMANDS[name].source}` }
      : {}),
  };
}

export function readStep(
  host: HostEnv,
  id: string,
  name: CommandName,
  args: string[],
  title: string,
  why: string,
  opts: StepOptions = {},
): Step {
  return commandStep(host, id, name, args, title, why, { ...opts, effect: 'read' });
}

/** Something only a person can do (a login with a password, a web UI setting). */
export function manualStep(host: HostEnv, id: string, title: string, why: string, instructions: string[]): Step {
  return {
    ...identity(host, id),
    title,
    why,
    manual: true,
    instructions,
    effect: 'change',
    expectExit: [0],
  };
}
