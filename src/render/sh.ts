import type { HostPlan, Plan } from '../plan/types.js';
import { shAnsiC, shQuote } from './quote.js';
import { scriptView, type Dialect } from './script-view.js';
import { renderTemplate } from './templates.js';

const bash: Dialect = {
  quote: shQuote,
  fileRef: (name) => `"$${name}"`,
  list: (words) => shQuote(words.join(' ')),
  multiline: shAnsiC,
};

export function renderSh(plan: Plan, host: HostPlan): string {
  return renderTemplate('host.sh.eta', scriptView(plan, host, bash));
}
