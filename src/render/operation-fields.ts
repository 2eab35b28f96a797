import { isFileArg } from '../plan/args.js';
import type { Operation } from '../plan/operations.js';
import { fileLabel } from './display.js';

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A field as KEY=VALUE pairs: a list space-separated, an object's fields as KEY_FIELD, true as 1. */
function fieldPairs(key: string, v: unknown, out: [string, string][]): void {
  if (v === undefined) return;
  if (Array.isArray(v)) out.push([key, v.join(' ')]);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) fieldPairs(`${key}_${snake(k)}`, x, out);
  else out.push([key, v === true ? '1' : String(v)]);
}

/**
 * One operation as the libraries read it (lib.sh, lib.ps1), the same for both: its fields as KEY=VALUE pairs
 * (the conditions comma-separated, the REST settings as JSON), and its words: a command's, its file arguments
 * shown by their labels and named by position in `files`, or a manual step's lines. Nothing is left out, so
 * that a script shows all it will do.
 */
export function operationFields(op: Operation): { fields: [string, string][]; words: string[] } {
  const fields: [string, string][] = [];
  let words: string[] = [];
  for (const [k, v] of Object.entries(op)) {
    if (k === 'op' || v === undefined) continue;
    if (k === 'if') fields.push(['if', (v as string[]).join(',')]);
    else if (k === 'argv') {
      const argv = v as Extract<Operation, { op: 'run' }>['argv'];
      words = argv.map((a) => (isFileArg(a) ? fileLabel(a.file) : a));
      const files = argv.flatMap((a, i) => (isFileArg(a) ? [`${i}:${a.file}`] : []));
      if (files.length) fields.push(['files', files.join(' ')]);
    } else if (k === 'lines' && Array.isArray(v)) words = v as string[];
    else if (k === 'settings') fields.push(['settings', JSON.stringify(v)]);
    else fieldPairs(snake(k), v, fields);
  }
  return { fields, words };
}
