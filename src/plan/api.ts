import { primaryApiUrl } from '../catalogue/rest.js';
import type { Plan } from './types.js';

/** The REST API a plan names; a plan.json written before plans named one uses the documented address. */
export function apiUrlOf(plan: Pick<Plan, 'primary'> & { api?: Plan['api'] }): string {
  return plan.api?.url ?? primaryApiUrl(plan.primary);
}
