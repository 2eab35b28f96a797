import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { UsageError } from '../errors.js';
import { parseConfigLines } from '../execute/config-diff.js';
import { loadAnswersFile, parseAnswers } from '../environment/load.js';
import type { Answers } from '../environment/schema.js';
import type { Environment } from '../environment/types.js';
import { buildPlan } from '../plan/build.js';
import type { Plan } from '../plan/types.js';
import { renderOutputs, type Format } from '../render/index.js';
import { writeFileAtomic, writeFileSet } from '../write-outputs.js';
import { cleanDraft, emptyDraft, type Draft } from './draft.js';
import { reviewLines } from './review.js';

export { reviewLines };

/** Writes the chosen formats exactly as `nbsecure plan --out DIR --format ...` would. */
export function writeOutputs(plan: Plan, formats: Format[], dir: string): string[] {
  const outputs = renderOutputs(plan, formats);
  return writeFileSet(
    dir,
    outputs.map((o) => ({ name: o.name, text: o.text, mode: o.format === 'sh' ? 0o755 : 0o644 })),
  );
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
