import type { Plan } from '../plan/types.js';

/** plan.json: stable key order (as built), two-space indent, trailing newline. */
export function renderJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
