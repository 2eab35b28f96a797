import type { Plan } from '../plan/types.js';
import { renderAnsible } from './ansible.js';
import { renderInstallAnswers } from './answerfile.js';
import { renderBpconf } from './bpconf.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderPs1 } from './ps1.js';
import { renderSh } from './sh.js';

export const FORMATS = ['markdown', 'sh', 'ps1', 'bpconf', 'json', 'answerfile', 'ansible'] as const;
/** What `plan --out DIR` writes without --format: the formats of version 1.0 (ansible is asked for by name). */
export const DEFAULT_FORMATS = ['markdown', 'sh', 'ps1', 'bpconf', 'json', 'answerfile'] as const;
export type Format = (typeof FORMATS)[number];

export interface Output {
  /** File name under --out; also the heading when several outputs go to stdout. */
  name: string;
  format: Format;
  host?: string;
  text: string;
}

/**
 * Every output of the chosen formats, from the plan alone (plan.json re-renders all of them). Per-host
 * formats go only to the hosts they fit (sh: UNIX, ps1: Windows, answerfile: hosts not installed yet).
 * `only` limits to one host.
 */
export function renderOutputs(plan: Plan, formats: readonly Format[], only?: string): Output[] {
  const hosts = plan.hosts.filter((h) => !only || h.name.toLowerCase() === only.toLowerCase());
  const out: Output[] = [];
  for (const format of formats) {
    if (format === 'markdown')
      out.push({ name: 'runbook.md', format, text: renderMarkdown(only ? { ...plan, hosts } : plan) });
    else if (format === 'json') out.push({ name: 'plan.json', format, text: renderJson(plan) });
    else if (format === 'ansible') out.push(...renderAnsible(plan).map((f) => ({ ...f, format })));
    else {
      for (const h of hosts) {
        if (format === 'sh' && h.os === 'linux')
          out.push({ name: `${h.name}.sh`, format, host: h.name, text: renderSh(plan, h) });
        if (format === 'ps1' && h.os === 'windows')
          out.push({ name: `${h.name}.ps1`, format, host: h.name, text: renderPs1(plan, h) });
        if (format === 'bpconf')
          out.push({ name: `${h.name}.bp.conf`, format, host: h.name, text: renderBpconf(plan, h) });
        if (format === 'answerfile' && h.installAnswers) {
          out.push({ name: h.installAnswers.file, format, host: h.name, text: renderInstallAnswers(h.installAnswers) });
        }
      }
    }
  }
  return out;
}

/**
 * Whether a file name is one nbsecure writes (a host's script, snippet or install answers, the runbook,
 * plan.json, the playbook's files): the only files an output folder's clean-up may remove.
 */
export function isOutputName(name: string): boolean {
  return (
    name === 'runbook.md' ||
    name === 'plan.json' ||
    name === 'plan.json.sig' ||
    name.startsWith('ansible/') ||
    /\.(sh|ps1|bp\.conf|NBInstallAnswer\.conf)$/.test(name) ||
    /\.(silentclient|silentprimary|silentmedia)\.cmd$/i.test(name)
  );
}
