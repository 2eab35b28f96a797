import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostPlan, Plan } from '../plan/types.js';
import { psQuote } from './quote.js';
import { scriptView, type ScriptCommand, type ScriptFile } from './script-view.js';
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
 * How PowerShell spells the step data: arrays of quoted words, files as 'NAME:KIND:VALUE' words, as lib.sh
 * has them. A host whose install root is found at run time has every command spelt under $NbRoot.
 */
function spelling(host: HostPlan) {
  const root = host.installPathCandidates ? host.installPath : undefined;
  const file = (f: string) =>
    root && f.startsWith(root)
      ? `(Join-Path $NbRoot ${psQuote(f.slice(root.length).replace(/^[\\/]+/, ''))})`
      : psQuote(f);
  const list = (words: string[]) => `@(${words.map(psQuote).join(', ')})`;
  return {
    q: psQuote,
    text: psText,
    list,
    words: (c: ScriptCommand) => `@(${[file(c.words[0]!), ...c.words.slice(1).map(psQuote)].join(', ')})`,
    fileArgs: (c: ScriptCommand) => psQuote(c.files.map((f) => `${f.index}=${f.file}`).join(' ')),
    files: (fs: ScriptFile[]) => list(fs.map((f) => `${f.name}:${f.kind}:${f.value}`)),
    installRootCandidates: host.installPathCandidates?.map(psQuote),
  };
}

export function renderPs1(plan: Plan, host: HostPlan): string {
  lib ??= readFileSync(join(templatesDir(), 'lib.ps1'), 'utf8');
  return renderTemplate('host.ps1.eta', { ...scriptView(plan, host), ...spelling(host), lib });
}
