import { readFileSync } from 'node:fs';
import { StalePlanError, UsageError } from '../errors.js';
import type { Environment } from '../environment/types.js';
import { answersDigest, planDigest } from '../plan/digest.js';
import { buildPlan } from '../plan/build.js';
import type { Plan } from '../plan/types.js';
import { loadAnswersFile } from '../environment/load.js';
import { verifyPlan } from './verify-plan.js';

/** Reads a saved plan.json and refuses it (exit 3) if its content no longer matches its digest. */
export function loadPlanFile(file: string): Plan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--plan ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}).`);
  }
  let plan: Plan;
  try {
    plan = JSON.parse(text) as Plan;
  } catch {
    throw new StalePlanError(
      `--plan ${file} is not valid JSON: it was truncated or edited. Make it again with nbsecure plan ` +
        `--answers FILE --format json.`,
    );
  }
  if (!plan || plan.version !== 1 || !Array.isArray(plan.hosts) || typeof plan.digest !== 'string') {
    throw new UsageError(
      `--plan ${file} is not an nbsecure plan (version 1); make one with nbsecure plan --answers FILE --format json.`,
    );
  }
  if (planDigest(plan) !== plan.digest) {
    throw new StalePlanError(
      `--plan ${file} was changed after nbsecure wrote it: its content does not match its digest. nbsecure ` +
        `will not run it; make it again with nbsecure plan.`,
    );
  }
  verifyPlan(plan, file);
  return plan;
}

/**
 * With the answers at hand, a saved plan must be exactly the plan they give now: made from other
 * answers it is stale (as terraform says); from the same answers but different, it was edited.
 */
export function assertFresh(plan: Plan, env: Environment, answersFile: string): void {
  if (plan.answersDigest !== answersDigest(env)) {
    throw new StalePlanError(
      `the plan is stale: ${answersFile} has changed since the plan was made. Run ` +
        `nbsecure plan again, or apply with --answers ${answersFile}` +
        ` alone.`,
    );
  }
  if (buildPlan(env).digest !== plan.digest) {
    throw new StalePlanError(
      `the plan is not the one ${answersFile} gives: it was edited after nbsecure wrote ` +
        `it, or written by another version of nbsecure. ` +
        `Run nbsecure plan again, or apply with --answers ${answersFile} alone.`,
    );
  }
}

/**
 * The plan a command runs: a saved plan.json (checked, and against the answers when both are given), or
 * the plan the answers give now.
 */
export function planFromFlags(flags: { plan?: string | undefined; answers?: string | undefined }): Plan {
  if (flags.plan) {
    const plan = loadPlanFile(flags.plan);
    if (flags.answers) assertFresh(plan, loadAnswersFile(flags.answers).environment, flags.answers);
    return plan;
  }
  return buildPlan(loadAnswersFile(flags.answers!).environment);
}
