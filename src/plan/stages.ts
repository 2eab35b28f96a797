import type { HostPlan, Stage, StageId, Step } from './types.js';

/** The rollout, in order (DESIGN.md, "Rollout stages"). */
export const STAGES: readonly { id: StageId; title: string }[] = [
  { id: 'prepare', title: 'Prepare the primary' },
  { id: 'media', title: 'Media servers' },
  { id: 'clients', title: 'Clients' },
  { id: 'tighten', title: 'Tighten the domain (primary, last)' },
  { id: 'verify', title: 'Verify and clean up' },
];

/**
 * Stages that wait for the fleet: nothing in them runs until the media and client stages are done,
 * unless the user names the stage (apply --stage, the scripts' NBSECURE_STAGE).
 */
export const GATED_STAGES: readonly StageId[] = ['tighten', 'verify'];

/** The stages a primary's step can be in: a builder declares one for every step it makes. */
export type PrimaryStage = Extract<StageId, 'prepare' | 'tighten' | 'verify'>;

/**
 * The stage of a step, from the stage its builder declared: a media server's and a client's steps are in their
 * host's own stage (the declared one places the step on the primary, which builders of any host's steps share).
 */
export function stageOf(host: Pick<HostPlan, 'role'>, declared: PrimaryStage): StageId {
  if (host.role === 'media') return 'media';
  if (host.role === 'client') return 'clients';
  return declared;
}

const rank = (s: StageId) => STAGES.findIndex((x) => x.id === s);

/** Steps in stage order, each stage keeping the order its steps were planned in. */
export function inStageOrder(steps: Step[]): Step[] {
  return steps
    .map((s, i) => ({ s, i }))
    .sort((a, b) => rank(a.s.stage) - rank(b.s.stage) || a.i - b.i)
    .map(({ s }) => s);
}

/** plan.json's ordered stages: each with the hosts that have steps in it and those steps' ids. */
export function stagesOf(hosts: HostPlan[]): Stage[] {
  return STAGES.map(({ id, title }) => ({
    id,
    title,
    hosts: hosts
      .map((h) => ({ name: h.name, steps: h.steps.filter((s) => s.stage === id).map((s) => s.id) }))
      .filter((h) => h.steps.length),
  })).filter((s) => s.hosts.length);
}

/**
 * What apply runs of a host: the named stage, or else every step before the first gated stage,
 * and the gated stage it then waits at (the fleet must be ready first). Undefined when the host has
 * nothing in the named stage.
 */
export function stepsToRun(steps: Step[], stage?: StageId): { steps: Step[]; waitsAt?: StageId } | undefined {
  if (stage) {
    const chosen = steps.filter((s) => s.stage === stage);
    return chosen.length ? { steps: chosen } : undefined;
  }
  const gated = steps.findIndex((s) => GATED_STAGES.includes(s.stage));
  if (gated < 0) return { steps };
  return { steps: steps.slice(0, gated), waitsAt: steps[gated]!.stage };
}

export function isStageId(s: string): s is StageId {
  return STAGES.some((x) => x.id === s);
}
