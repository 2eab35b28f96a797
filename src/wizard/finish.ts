import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, type Dirent } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { UsageError } from '../errors.js';
import { parseConfigLines } from '../execute/config-diff.js';
import { loadAnswersFile, parseAnswers } from '../environment/load.js';
import type { Answers } from '../environment/schema.js';
import type { Environment } from '../environment/types.js';
import { buildPlan } from '../plan/build.js';
import type { Plan } from '../plan/types.js';
import { isOutputName, renderOutputs, type Output } from '../render/index.js';
import { writeFileAtomic, writeFileSet } from '../write-outputs.js';
import { cleanDraft, emptyDraft, type Draft, type HostListKey } from './draft.js';
import { addImported, importHosts, importSummary } from './import-hosts.js';
import { reviewLines } from './review.js';
import { topologyLines } from '../render/topology.js';

export { renderOutputs, reviewLines, topologyLines };

/**
 * Writes the rendered outputs exactly as `nbsecure plan --out DIR --format ...` would, then removes the
 * files named in `removeStale` (ones an earlier plan wrote there, as `folderContents` found them).
 */
export function writeOutputs(outputs: Output[], dir: string, removeStale: string[] = []): string[] {
  const written = writeFileSet(
    dir,
    outputs.map((o) => ({ name: o.name, text: o.text, mode: o.format === 'sh' ? 0o755 : 0o644 })),
  );
  for (const name of removeStale) rmSync(join(dir, name), { force: true });
  return written;
}

/** What the outputs would meet in `dir`: files they replace, and nbsecure files they no longer write. */
export function folderContents(outputs: Output[], dir: string): { replaced: string[]; stale: string[] } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return { replaced: [], stale: [] };
  const names = new Set(outputs.map((o) => o.name));
  const present = (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
  return {
    replaced: present.filter((n) => names.has(n)),
    // Only what nbsecure writes is offered for removal, never a person's own files beside it: a script,
    // snippet, runbook or plan.json names nbsecure in its text; the others have names of their own.
    stale: present
      .filter((n) => !names.has(n) && isOutputName(n))
      .filter((n) => !/\.(sh|ps1|bp\.conf|md|json)$/.test(n) || readFileSync(join(dir, n), 'utf8').includes('nbsecure'))
      .sort(),
  };
}

/** Hosts from a file added to the draft, and the summary of what was added, refused or left out. */
export function importHostsFile(d: Draft, list: HostListKey, file: string): { draft: Draft; summary: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`);
  }
  const imported = importHosts(text, list);
  const { draft, added, skipped } = addImported(d, imported);
  return { draft, summary: importSummary(file, imported, added, skipped) };
}

export function planOf(env: Environment): Plan {
  return buildPlan(env);
}

/** The answers as a version 1 answers file, so the next run can be scripted. */
export function saveAnswersFile(draft: Draft, file: string): void {
  writeFileAtomic(
    file,
    `# nbsecure answers file, written by the wizard. Use it with: nbsecure plan --answers ${file}` +
      `\n${stringify(cleanDraft(draft))}`,
  );
}

export function importAnswersFile(file: string): Draft {
  return loadAnswersFile(file).answers as unknown as Draft;
}

/** This host's configuration as a start: the first SERVER is the primary, the others and MEDIA_SERVER media servers. */
export function importLocalConfig(installPath = '/usr/openv'): Draft {
  let text: string | undefined;
  try {
    text = execFileSync(join(installPath, 'netbackup', 'bin', 'nbgetconfig'), ['SERVER', 'MEDIA_SERVER'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 30_000,
    });
  } catch {
    const file = join(installPath, 'netbackup', 'bp.conf');
    if (existsSync(file)) text = readFileSync(file, 'utf8');
  }
  if (!text) throw new UsageError(`no NetBackup configuration was found under ${installPath} to import.`);
  const lines = parseConfigLines(text);
  const servers = lines.filter(([k]) => k === 'SERVER').map(([, v]) => v);
  const media = [...new Set([...servers.slice(1), ...lines.filter(([k]) => k === 'MEDIA_SERVER').map(([, v]) => v)])];
  if (!servers[0]) throw new UsageError('the local configuration lists no SERVER, so the primary is unknown.');
  return {
    ...emptyDraft(),
    primary: { name: servers[0] },
    ...(media.length ? { mediaServers: media.map((name) => ({ name })) } : {}),
  };
}

/** Validates the draft as an answers file: the same messages, paths and rules. */
export function validateDraft(draft: Draft): { environment: Environment; answers: Answers } | { problems: string[] } {
  try {
    const { environment, answers } = parseAnswers(JSON.stringify(cleanDraft(draft), null, 2), 'your answers');
    return { environment, answers };
  } catch (e) {
    if (e instanceof UsageError)
      return {
        problems: e.message
          .split('\n')
          .slice(1)
          .map((l) => l.replace(/^\s+your answers(:\d+:\d+)?: /, '')),
      };
    throw e;
  }
}
