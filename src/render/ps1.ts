import type { HostPlan, Plan } from '../plan/types.js';
import { psQuote } from './quote.js';
import { scriptView, type Dialect } from './script-view.js';
import { renderTemplate } from './templates.js';

const powershell: Dialect = {
  quote: psQuote,
  fileRef: (name) => `$${name}`,
  // A double-quoted string with backtick escapes: the only PowerShell form that holds newlines on one line.
  list: (words) => `@(${words.map(psQuote).join(', ')})`,
  rootVariable: (rest) => `(Join-Path $NbRoot ${psQuote(rest.replace(/^[\\/]+/, ''))})`,
  multiline: (s) => `"${s.replace(/`/g, '``').replace(/"/g, '`"').replace(/\$/g, '`$').replace(/\n/g, '`n')}"`,
};

export function renderPs1(plan: Plan, host: HostPlan): string {
  return renderTemplate('host.ps1.eta', scriptView(plan, host, powershell));
}
