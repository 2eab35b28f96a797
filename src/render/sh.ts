import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isFileArg } from '../plan/args.js';
import type { Operation } from '../plan/operations.js';
import type { HostPlan, Plan } from '../plan/types.js';
import { fileLabel } from './display.js';
import { shAnsiC, shQuote } from './quote.js';
import { scriptView } from './script-view.js';
import { renderTemplate, templatesDir } from './templates.js';

let lib: string | undefined;

/** A value as one shell word: $'...' when it spans lines, so that each operation stays on one line. */
const word = (s: string) => (s.includes('\n') ? shAnsiC(s) : shQuote(s));
const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * One operation as lib.sh reads it: `nb_op NAME KEY=VALUE... [-- WORDS]`. A command's words follow `--`, its
 * file arguments shown by their labels and named by position in `files`; a manual step's lines follow `--` too.
 * Every other field is one KEY=VALUE word, lists space-separated: nothing of the operation is left out.
 */
export function spellOperation(op: Operation): string {
  const opts: string[] = [];
  let words: string[] = [];
  for (const [k, v] of Object.entries(op)) {
    if (k === 'op' || v === undefined) continue;
    if (k === 'if') opts.push(`if=${(v as string[]).join(',')}`);
    else if (k === 'argv') {
      const argv = v as Extract<Operation, { op: 'run' }>['argv'];
      words = argv.map((a) => (isFileArg(a) ? fileLabel(a.file) : a));
      const files = argv.flatMap((a, i) => (isFileArg(a) ? [`${i}:${a.file}`] : []));
      if (files.length) opts.push(`files=${files.join(' ')}`);
    } else if (k === 'lines' && Array.isArray(v)) words = v as string[];
    else if (k === 'lines') opts.push(`sep=${(v as { separator: string }).separator}`);
    else if (k === 'stdin') {
      const stdin = v as { text: string } | { from: string };
      opts.push('text' in stdin ? `stdin_text=${stdin.text}` : `stdin=${stdin.from}`);
    } else if (k === 'capture') opts.push(`capture=${(v as { shape: string }).shape}`);
    else if (k === 'settings')
      continue; // the REST form runs under apply and the rollout only (rest-api)
    else if (Array.isArray(v)) opts.push(`${snake(k)}=${v.join(' ')}`);
    else opts.push(`${snake(k)}=${v === true ? '1' : String(v)}`);
  }
  return ['nb_op', op.op, ...opts.map(word), ...(words.length ? ['--', ...words.map(word)] : [])].join(' ');
}

export function renderSh(plan: Plan, host: HostPlan): string {
  lib ??= readFileSync(join(templatesDir(), 'lib.sh'), 'utf8');
  return renderTemplate('host.sh.eta', { ...scriptView(plan, host), q: shQuote, spellOperation, lib });
}
