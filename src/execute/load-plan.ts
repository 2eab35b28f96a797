import { readFileSync } from 'node:fs';
import { StalePlanError, UsageError } from '../errors.js';
import type { Environment } from '../environment/types.js';
import { answersDigest, planDigest } from '../plan/digest.js';
import { buildPlan } from '../plan/build.js';
import type { Plan } from '../plan/types.js';
import { loadAnswersFile } from '../environment/load.js';
import { signatureFileOf, verifyPlanSignature } from './plan-signature.js';
import { verifyPlan } from './verify-plan.js';
import { withOperations } from '../plan/operations.js';

/**
 * How a saved plan is trusted: checked against the answers it was made from (assertFresh, by the caller), or
 * signed by a key the allowed-signers file lists. A plan with neither is refused: its digest proves nothing,
 * since anyone can recompute one.
 */
export type PlanTrust = { answers: string } | { allowedSigners?: string | undefined };

/**
 * Reads a saved plan.json: authenticated first (the very bytes then parsed), then refused (exit 3) if its
 * content no longer matches its digest or asks for anything nbsecure never plans.
 */
export function loadPlanFile(file: string, trust: PlanTrust): Plan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--plan ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}).`);
  }
  if (!('answers' in trust)) authenticate(file, text, trust.allowedSigners);
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
  // A plan written before the Step operations is lowered here, as nbsecure plan would have.
  return { ...plan, hosts: plan.hosts.map((h) => (h.steps.some((s) => s.operations) ? h : withOperations(h))) };
}

/** A plan without its answers runs only with a valid signature by a key the administrator allowed. */
function authenticate(file: string, text: string, allowedSigners: string | undefined): void {
  const ways =
    `Give --allowed-signers FILE, the keys allowed to sign plans (sign one with nbsecure plan --answers FILE ` +
    `--out DIR --sign KEY), or --answers FILE to check the plan against the answers it was made from.`;
  if (!allowedSigners) {
    throw new StalePlanError(`--plan ${file} is not authenticated: a plan that travels must be signed. ${ways}`);
  }
  const verdict = verifyPlanSignature(text, signatureFileOf(file), allowedSigners);
  if ('problem' in verdict) {
    throw new StalePlanError(
      `--plan ${file} is not authenticated: ${verdict.problem}; nbsecure will not run it. ${ways}`,
    );
  }
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
export function planFromFlags(flags: {
  plan?: string | undefined;
  answers?: string | undefined;
  'allowed-signers'?: string | undefined;
}): Plan {
  if (flags.plan) {
    const plan = loadPlanFile(
      flags.plan,
      flags.answers ? { answers: flags.answers } : { allowedSigners: flags['allowed-signers'] },
    );
    if (flags.answers) assertFresh(plan, loadAnswersFile(flags.answers).environment, flags.answers);
    return plan;
  }
  return buildPlan(loadAnswersFile(flags.answers!).environment);
}
