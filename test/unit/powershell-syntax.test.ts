import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAnswersFile } from '../../src/environment/load.js';
import { buildPlan } from '../../src/plan/build.js';
import { renderOutputs } from '../../src/render/index.js';
import { psQuote } from '../../src/render/quote.js';
import { powershellSyntaxErrors } from '../helpers/powershell.js';

const EXAMPLES = readdirSync('examples').filter((f) => f.endsWith('.yaml'));

describe('generated PowerShell, parsed with a real PowerShell grammar', () => {
  it.each(EXAMPLES)('every .ps1 of examples/%s parses without a syntax error', async (example) => {
    const { environment } = loadAnswersFile(join('examples', example));
    for (const o of renderOutputs(buildPlan(environment), ['ps1'])) {
      expect(await powershellSyntaxErrors(o.text), o.name).toEqual([]);
    }
  });

  it("parses the Ansible role's Windows module, the twin of its Python one", async () => {
    const { renderAnsible } = await import('../../src/render/ansible.js');
    const { environment } = loadAnswersFile(join('examples', 'windows.yaml'));
    const modules = renderAnsible(buildPlan(environment)).filter((f) => f.name.endsWith('.ps1'));
    expect(modules.map((m) => m.name)).toEqual(['ansible/roles/nbsecure_steps/library/nbsecure_steps_win.ps1']);
    for (const m of modules) expect(await powershellSyntaxErrors(m.text), m.name).toEqual([]);
  });

  it('passes every line a command prints through Hide-Secret, as lib.sh passes it through redact', () => {
    const lib = readFileSync(join('templates', 'lib.ps1'), 'utf8');
    const runs = lib.split('\n').filter((l) => /& \$Argv\[0\] @rest/.test(l));
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.filter((l) => !/2>&1 \| ForEach-Object \{ Hide-Secret "\$_" \} \| Out-Host/.test(l))).toEqual([]);
  });

  it('finds the error in a broken script (the check can fail)', async () => {
    expect(await powershellSyntaxErrors("$x = 'never closed\nif ($x) {\n")).not.toEqual([]);
  });

  it('escapes the typographic double quotes that end a double-quoted string, as the ASCII one', () => {
    const { environment } = loadAnswersFile(join('examples', 'windows.yaml'));
    const plan = buildPlan(environment);
    const host = plan.hosts.find((h) => h.os === 'windows' && h.steps.some((s) => s.stdin !== undefined))!;
    const step = host.steps.find((s) => s.stdin !== undefined)!;
    step.stdin = 'SERVER = a“b”c„d"e\n';
    const text = renderOutputs(plan, ['ps1'], host.name)[0]!.text;
    const line = text.split('\n').find((l) => l.includes('Stdin = ') && l.includes('a'))!;
    expect(line).toContain('SERVER = a`“b`”c`„d`"e`n"');
  });

  it.each(["it's", 'it’s', '‘a’ ‚b‛', '$(Get-Date) `n "x"', '; Remove-Item C:\\ -Recurse; '])(
    'keeps %j one string in an assignment',
    async (value) => {
      expect(await powershellSyntaxErrors(`$x = ${psQuote(value)}\nWrite-Output $x\n`)).toEqual([]);
    },
  );
});
