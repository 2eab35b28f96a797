import { STATUS_LINE } from '../catalogue/statuses.js';
import { TOKEN_SHAPE } from '../catalogue/token-shape.js';
import type { Operation } from '../plan/operations.js';
import type { HostPlan, Plan, StageId } from '../plan/types.js';
import { oneLine } from './quote.js';

/**
 * One step as a host's script holds it: its heading (title, why, marker, on one line each) and its Step
 * operations, which the step library (lib.sh, lib.ps1) carries out. Each template only spells them.
 */
export interface ScriptStep {
  id: string;
  stage: StageId;
  title: string;
  why: string;
  marker?: string;
  operations: Operation[];
}

/** What a host's script template is given: the host, and its steps as the step library reads them. */
export function scriptView(plan: Plan, host: HostPlan) {
  return {
    host,
    digest: plan.digest,
    primary: plan.primary,
    tokenShape: TOKEN_SHAPE,
    statusLine: STATUS_LINE,
    steps: host.steps.map((s): ScriptStep => ({
      id: s.id,
      stage: s.stage,
      title: oneLine(s.title),
      why: oneLine(s.why),
      ...(s.verifyForYourVersion ? { marker: oneLine(s.verifyForYourVersion) } : {}),
      operations: s.operations?.list ?? [],
    })),
  };
}
