import { readFileSync, statSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Document } from 'yaml';
import * as z from 'zod';
import { UsageError } from '../errors.js';
import { answersSchema, type Answers } from './schema.js';
import { crossFieldProblems, type Problem } from './checks.js';
import { withDefaults } from './defaults.js';
import { duplicateKeys, jsonHasDuplicateKeys } from './duplicate-keys.js';
import type { Environment } from './types.js';

// Counted as the yaml library does, by the nodes the aliases expand to: a merge key per host (<<: *defaults)
// in the largest domain passes; an alias bomb (aliases of aliases) does not.
const MAX_ALIASES = 1_000_000;
/** An answers file of the largest domain is a few megabytes. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

export interface Located extends Problem {
  line?: number;
  column?: number;
}

export function formatPath(path: readonly (string | number | symbol)[]): string {
  return path.reduce<string>(
    (s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)),
    '',
  );
}

/** The fields a schema accepts at a path, to say what a misspelt field should have been. */
function fieldsAt(path: readonly PropertyKey[]): string[] {
  let s: z.ZodType = answersSchema;
  for (const p of path) {
    while (s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
    if (s instanceof z.ZodArray) s = s.element as z.ZodType;
    else if (s instanceof z.ZodObject) s = (s.shape as Record<string, z.ZodType>)[String(p)] as z.ZodType;
    if (!s) return [];
  }
  while (s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

/**
 * Finds the line of a path in the YAML source, falling back to the nearest parent that exists.
 * A list or map is reported at its key's line, where the reader's eye goes; a scalar at its value.
 */
function locate(
  doc: Document,
  lc: LineCounter,
  path: readonly PropertyKey[],
  key?: string,
): { line: number; column: number } | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true);
    let target: unknown = node;
    if (n === path.length && key !== undefined && isMap(node)) {
      target = node.items.find((p) => isScalar(p.key) && p.key.value === key)?.key ?? node;
    } else if (n > 0 && (isMap(node) || isSeq(node))) {
      const parent = doc.getIn(path.slice(0, n - 1) as unknown[], true);
      if (isMap(parent)) target = parent.items.find((p) => p.value === node)?.key ?? node;
    }
    const range = (target as { range?: [number, number, number] } | undefined)?.range;
    if (range) {
      const { line, col } = lc.linePos(range[0]);
      return { line, column: col };
    }
  }
  return undefined;
}

function describe(issue: z.core.$ZodIssue, raw: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    const allowed = fieldsAt(issue.path);
    const shown = issue.keys.slice(0, 10).map((k) => `"${k}"`);
    const more = issue.keys.length > 10 ? ` and ${issue.keys.length - 10} more` : '';
    const hint = allowed.length ? `; the fields here are: ${allowed.join(', ')}` : '';
    return `has unknown field${issue.keys.length > 1 ? 's' : ''} ${shown.join(', ')}${more}${hint}`;
  }
  let value: unknown = raw;
  for (const p of issue.path)
    value = value == null ? undefined : (value as Record<PropertyKey, unknown>)[p as PropertyKey];
  if (issue.code === 'invalid_type' && value === undefined) return 'is required';
  return issue.message;
}

export interface LoadedAnswers {
  answers: Answers;
  environment: Environment;
}

/** Parses and validates answers text. Throws UsageError listing every problem with file:line. */
export function parseAnswers(text: string, file: string): LoadedAnswers {
  // Fast path for valid JSON (scripted runs on large sites): the YAML parser, which knows lines
  // and columns, is only needed to say where a problem is.
  if (/^\s*\{/.test(text)) {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      raw = undefined;
    }
    const parsed = raw === undefined ? undefined : answersSchema.safeParse(raw);
    if (parsed?.success) {
      const environment = withDefaults(parsed.data);
      if (crossFieldProblems(parsed.data, environment).length === 0 && !jsonHasDuplicateKeys(text)) {
        return { answers: parsed.data, environment };
      }
    }
  }
  const lc = new LineCounter();
  // Merge keys (<<: *defaults) as YAML 1.1 and Ansible read them: the way a large site shares a host's settings.
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false, prettyErrors: true, merge: true });
  const errors = doc.errors.map((e) => ({ message: e.message.split('\n')[0], pos: e.linePos?.[0] }));
  if (!errors.length) {
    for (const d of duplicateKeys(doc, lc)) {
      errors.push({ message: `the key "${d.key}" is given twice in the same map`, pos: { line: d.line, col: d.col } });
    }
  }
  if (errors.length) {
    const lines = errors.map(
      ({ message, pos }) => `  ${file}${pos?.line ? `:${pos.line}:${pos.col}` : ''}: ${message}`,
    );
    throw new UsageError(`${file} is not valid YAML or JSON; nothing was written:\n${lines.join('\n')}`);
  }
  let raw: unknown;
  try {
    // Aliases let a small file expand into a huge one; real answers files use a few dozen at most.
    raw = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    throw new UsageError(
      `${file} uses YAML aliases (*name) that expand too far (${(e as Error).message}` +
        `); write the values out, or use fewer than ${MAX_ALIASES}` +
        ` aliases. Nothing was written.`,
    );
  }
  if (raw === null || raw === undefined)
    throw new UsageError(`${file} is empty; start from one of the files in examples/ (see README, "Answers file").`);

  const parsed = answersSchema.safeParse(raw);
  if (!parsed.success) {
    throw problemsError(
      file,
      parsed.error.issues.map((i) => ({
        path: i.path as (string | number)[],
        message: describe(i, raw),
        ...locate(doc, lc, i.path, i.code === 'unrecognized_keys' ? i.keys[0] : undefined),
      })),
    );
  }
  const environment = withDefaults(parsed.data);
  const problems = crossFieldProblems(parsed.data, environment);
  if (problems.length)
    throw problemsError(
      file,
      problems.map((p) => ({ ...p, ...locate(doc, lc, p.path) })),
    );
  return { answers: parsed.data, environment };
}

/** Every problem at once, each with file, line and field; exit 2. */
function problemsError(file: string, problems: Located[]): UsageError {
  const lines = problems.map(
    (p) => `  ${file}${p.line ? `:${p.line}:${p.column}` : ''}: ${formatPath(p.path) || '(top level)'} ${p.message}`,
  );
  return new UsageError(
    `${file} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}` +
      `; nothing was written. Fix ${problems.length === 1 ? 'it' : 'them'}` +
      ` and run again:\n${lines.join('\n')}`,
  );
}

export function loadAnswersFile(file: string): LoadedAnswers {
  let text: string;
  try {
    if (statSync(file).size > MAX_FILE_BYTES) {
      throw new UsageError(
        `answers file ${file} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB, more than any domain's answers; ` +
          'nothing was written.',
      );
    }
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES'
          ? 'cannot be read (permission denied)'
          : code === 'EISDIR'
            ? 'is a folder, not a file'
            : `cannot be read (${code ?? String(e)})`;
    throw new UsageError(
      `answers file ${file} ${why}. Pass --answers with the path of a YAML or JSON answers file; examples/ has some ` +
        `to start from.`,
    );
  }
  return parseAnswers(text, file);
}
