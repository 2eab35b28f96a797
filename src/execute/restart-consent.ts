import { stepsToRun } from '../plan/stages.js';
import type { Step } from '../plan/types.js';

/**
 * Stopping a host's NetBackup services fails the jobs running then, so consent to it is the host's name
 * typed out, not a reflex "y". One wording for apply, the Ink wizard and --plain.
 */
export const restartQuestion = (host: string) =>
  `These steps restart the NetBackup services on ${host}, which stops running backup and restore jobs. ` +
  `Type ${host} to run them:`;

export const restartsServices = (steps: { interruptsService?: boolean }[]) => steps.some((s) => s.interruptsService);

/** Whether a run without --stage (the steps before a gated stage, as the wizard runs them) restarts services. */
export const runRestartsServices = (steps: Step[]) => restartsServices(stepsToRun(steps)?.steps ?? []);
