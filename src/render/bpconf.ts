import type { HostPlan, Plan } from '../plan/types.js';
import { oneLine } from './quote.js';
import { configLine } from '../plan/config-line.js';

/** The bp.conf lines the plan owns for one host, as a reviewable snippet (nbsetconfig input format). */
export function renderBpconf(plan: Plan, host: HostPlan): string {
  const head = [
    `# bp.conf entries for ${host.name} (${host.role}), nbsecure plan ${plan.digest.slice(0, 16)}`,
    `# Apply with nbsetconfig (it reads these lines on stdin); repeated keys replace the ` +
      `whole set, so keep the list complete.`,
  ];
  const lines = host.config.flatMap((c) => [
    ...(c.verifyForYourVersion ? [`# ${oneLine(c.verifyForYourVersion)}`] : []),
    configLine(c.key, c.value),
  ]);
  return `${[...head, ...lines].join('\n')}\n`;
}
