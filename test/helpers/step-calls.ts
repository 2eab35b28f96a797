import { basename } from 'node:path';
import { isFileArg, planCommand } from '../../src/plan/args.js';
import type { HostPlan, PlanCommand } from '../../src/plan/types.js';

/** A command as the simulator's argv log records it: the command's name and its arguments. */
export const line = (c: PlanCommand) => [basename(c.file), ...c.args].join(' ');

/**
 * Each command step, with which call of its exact command line is the step itself: the
 * configuration read before the run and the "already done" checks use the same argv as some
 * verify steps, in this order.
 */
export function stepCalls(host: HostPlan): { id: string; stage: string; match: string; exact: boolean; nth: number }[] {
  return [...new Set(host.steps.map((s) => s.stage))].flatMap((stage) =>
    stageCalls({ ...host, steps: host.steps.filter((s) => s.stage === stage) }).map((c) => ({ ...c, stage })),
  );
}

/** The calls of one stage's run: apply runs a stage on its own. */
function stageCalls(host: HostPlan): { id: string; match: string; exact: boolean; nth: number }[] {
  const seen = new Map<string, number>();
  const call = (l: string) => {
    seen.set(l, (seen.get(l) ?? 0) + 1);
    return seen.get(l)!;
  };
  for (const s of host.steps) if (s.mergeRepeatedKeys) call(basename(s.mergeRepeatedKeys.read.file));
  const out: { id: string; match: string; exact: boolean; nth: number }[] = [];
  for (const s of host.steps) {
    if (s.done) call(line(s.done.command));
    // A step whose failure is expected (deleting a token that may not exist) is not a failure point.
    if (!s.command || s.tolerateFailure) continue;
    // A step file's path differs every run: match the argv up to its first file argument.
    const cut = s.command.argv.findIndex(isFileArg);
    const match = line(cut < 0 ? s.command : planCommand(s.command.file, s.command.argv.slice(0, cut)));
    out.push({ id: s.id, match, exact: cut < 0, nth: call(match) });
  }
  return out;
}
