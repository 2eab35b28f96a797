import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostPlan, Plan } from '../plan/types.js';
import { psQuote } from './quote.js';
import type { Operation } from '../plan/operations.js';
import { operationFields } from './operation-fields.js';
import { scriptView } from './script-view.js';
import { renderTemplate, templatesDir } from './templates.js';

let lib: string | undefined;

/**
 * A double-quoted string with backtick escapes: the only PowerShell form that holds newlines on one line. It
 * ends at the typographic double quotes too (U+201C, U+201D, U+201E), so each is escaped like the ASCII one.
 */
const psText = (s: string) =>
  `"${s
    .replace(/`/g, '``')
    .replace(/["\u201C\u201D\u201E]/g, (q) => `\`${q}`)
    .replace(/\$/g, '`$')
    .replace(/\n/g, '`n')}"`;

/**
 * How PowerShell spells an operation: `Invoke-Op 'NAME' @{ 'KEY' = 'VALUE'; ... } @('WORD', ...)`, the same
 * fields and words lib.sh gets (operationFields). A host whose install root is found at run time has every
 * command spelt under $NbRoot.
 */
function spelling(host: HostPlan) {
  const root = host.installPathCandidates ? host.installPath : undefined;
  const file = (f: string) =>
    root && f.startsWith(root)
      ? `(Join-Path $NbRoot ${psQuote(f.slice(root.length).replace(/^[\\/]+/, ''))})`
      : psQuote(f);
  const value = (v: string) => (v.includes('\n') ? psText(v) : psQuote(v));
  return {
    q: psQuote,
    spellOperation(op: Operation): string {
      const { fields, words } = operationFields(op);
      const table = `@{ ${fields.map(([k, v]) => `${psQuote(k)} = ${value(v)}`).join('; ')} }`;
      const command = 'argv' in op;
      const list = words.map((w, i) => (command && i === 0 ? file(w) : value(w)));
      return `Invoke-Op ${psQuote(op.op)} ${table}${list.length ? ` @(${list.join(', ')})` : ''}`;
    },
    installRootCandidates: host.installPathCandidates?.map(psQuote),
  };
}

export function renderPs1(plan: Plan, host: HostPlan): string {
  lib ??= readFileSync(join(templatesDir(), 'lib.ps1'), 'utf8');
  return renderTemplate('host.ps1.eta', { ...scriptView(plan, host), ...spelling(host), lib });
}
