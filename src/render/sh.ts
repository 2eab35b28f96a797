import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostPlan, Plan } from '../plan/types.js';
import { shAnsiC, shQuote } from './quote.js';
import { scriptView, type ScriptCommand, type ScriptFile } from './script-view.js';
import { renderTemplate, templatesDir } from './templates.js';

let lib: string | undefined;

/** How bash spells the step data: arrays of quoted words, files as NAME:KIND:VALUE words. */
const spell = {
  q: shQuote,
  text: shAnsiC,
  words: (c: ScriptCommand) => `(${c.words.map(shQuote).join(' ')})`,
  fileArgs: (c: ScriptCommand) => shQuote(c.files.map((f) => `${f.index}=${f.file}`).join(' ')),
  files: (fs: ScriptFile[]) => `(${fs.map((f) => shQuote(`${f.name}:${f.kind}:${f.value}`)).join(' ')})`,
  list: (words: string[]) => `(${words.map(shQuote).join(' ')})`,
};

export function renderSh(plan: Plan, host: HostPlan): string {
  lib ??= readFileSync(join(templatesDir(), 'lib.sh'), 'utf8');
  return renderTemplate('host.sh.eta', { ...scriptView(plan, host), ...spell, lib });
}
