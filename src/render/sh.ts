import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Operation } from '../plan/operations.js';
import type { HostPlan, Plan } from '../plan/types.js';
import { operationFields } from './operation-fields.js';
import { shAnsiC, shQuote } from './quote.js';
import { scriptView } from './script-view.js';
import { renderTemplate, templatesDir } from './templates.js';

let lib: string | undefined;

/** A value as one shell word: $'...' when it spans lines, so that each operation stays on one line. */
const word = (s: string) => (s.includes('\n') ? shAnsiC(s) : shQuote(s));
/** One operation as lib.sh reads it: `nb_op NAME KEY=VALUE... [-- WORDS]` (operationFields). */
export function spellOperation(op: Operation): string {
  const { fields, words } = operationFields(op);
  const opts = fields.map(([k, v]) => word(`${k}=${v}`));
  return ['nb_op', op.op, ...opts, ...(words.length ? ['--', ...words.map(word)] : [])].join(' ');
}

export function renderSh(plan: Plan, host: HostPlan): string {
  lib ??= readFileSync(join(templatesDir(), 'lib.sh'), 'utf8');
  return renderTemplate('host.sh.eta', { ...scriptView(plan, host), q: shQuote, spellOperation, lib });
}
