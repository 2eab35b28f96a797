import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAnswersFile } from '../../src/environment/load.js';
import { buildPlan } from '../../src/plan/build.js';
import { OPERATION_NAMES, type Operation } from '../../src/plan/operations.js';
import { powershellFunctions } from '../helpers/powershell.js';

const LIB_SH = readFileSync(join('templates', 'lib.sh'), 'utf8');
const LIB_PS1 = readFileSync(join('templates', 'lib.ps1'), 'utf8');
const OPS = Object.keys(OPERATION_NAMES);
const pascal = (op: string) => op.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());

/** Every operation of every example's plan. */
const lowered: Operation[] = readdirSync('examples')
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => buildPlan(loadAnswersFile(join('examples', f)).environment).hosts)
  .flatMap((h) => h.steps.flatMap((s) => s.operations!.list));

/**
 * The rules the lowering hands the libraries as data: the keys a listing is read by, the version bound, the
 * warning's threshold and words, the guard's stop text. A library that spelt one of them itself would hold a
 * rule of its own.
 */
const RULE_FIELDS = ['expiryKey', 'revokedWord', 'nearEnd', 'nameKey', 'versionKey', 'before', 'stop', 'shape'];
const rules = [
  ...new Set(
    lowered.flatMap((op) =>
      Object.entries(op).flatMap(([k, v]) =>
        RULE_FIELDS.includes(k)
          ? [String(v)]
          : k === 'fact'
            ? [(v as { shape: string }).shape, (v as { unclear: string }).unclear]
            : [],
      ),
    ),
  ),
];

describe('the step libraries: one handler for every operation, no rule of their own', () => {
  it('lowers the examples into every operation at least once (so that the checks below see them all)', () => {
    expect(OPS.filter((op) => !lowered.some((o) => o.op === op))).toEqual([]);
  });

  it('lib.sh has a handler for every operation', () => {
    const handlers = [...LIB_SH.matchAll(/^op_([a-z_]+)\(\)/gm)].map((m) => m[1]!.replace(/_/g, '-'));
    expect(handlers.sort()).toEqual([...OPS].sort());
  });

  it('lib.ps1 has a handler for every operation (its functions, as the PowerShell grammar reads them)', async () => {
    const handlers = (await powershellFunctions(LIB_PS1)).filter((f) => f.startsWith('Invoke-Op') && f !== 'Invoke-Op');
    expect(handlers.sort()).toEqual(OPS.map((op) => `Invoke-Op${pascal(op)}`).sort());
  });

  it.each([
    ['lib.sh', LIB_SH],
    ['lib.ps1', LIB_PS1],
  ])('%s reads every rule from the operations: none of their values is written in its code', (_name, lib) => {
    const code = lib
      .split('\n')
      .filter((l) => !/^\s*#/.test(l))
      .join('\n');
    expect(rules.length).toBeGreaterThan(RULE_FIELDS.length - 2);
    // A value as such, not inside a name (revoked_word is where the library reads the word revoked).
    const spelt = (r: string) => new RegExp(`(?<!\\w)${r.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\w)`).test(code);
    expect(rules.filter(spelt)).toEqual([]);
  });
});

describe("the role's Windows module", () => {
  const role = join('templates', 'ansible', 'roles', 'nbsecure_steps');
  const tasks = readdirSync(join(role, 'tasks')).map((f) => readFileSync(join(role, 'tasks', f), 'utf8'));
  // Each call of a module, from its name to the next task.
  const calls = (module: string) =>
    tasks.flatMap((t) => t.split(/\n\s*- name: /).filter((task) => new RegExp(`\\n\\s+${module}:\\n`).test(task)));

  it('is handed the API key in every call, as the Python one is (it took none, and the logins stayed manual)', () => {
    const windows = calls('nbsecure_steps_win');
    expect(windows.length).toBeGreaterThan(0);
    expect(windows.filter((t) => !/\n\s+api_key: "\{\{ nbsecure_api_key \}\}"/.test(t))).toEqual([]);
  });

  it('hands the key to the script only in a file of its own, as lib.ps1 reads it', () => {
    const module = readFileSync(join(role, 'library', 'nbsecure_steps_win.ps1'), 'utf8');
    expect(module).toMatch(/NBSECURE_API_KEY_FILE = Join-Path \$folder 'api-key'/);
    expect(LIB_PS1).toMatch(/\$env:NBSECURE_API_KEY_FILE/);
    expect(module).not.toMatch(/NBSECURE_API_KEY =/);
  });
});
