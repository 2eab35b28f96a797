import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAnswersFile } from '../../src/environment/load.js';
import { buildPlan } from '../../src/plan/build.js';
import { renderOutputs } from '../../src/render/index.js';
import { withOperations } from '../../src/plan/operations.js';
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

  it("parses the Ansible role's Windows module and the hosts' scripts it runs", async () => {
    const { renderAnsible } = await import('../../src/render/ansible.js');
    const { environment } = loadAnswersFile(join('examples', 'windows.yaml'));
    const plan = buildPlan(environment);
    const files = renderAnsible(plan).filter((f) => f.name.endsWith('.ps1'));
    expect(files.map((m) => m.name).sort()).toEqual(
      [
        'ansible/roles/nbsecure_steps/library/nbsecure_steps_win.ps1',
        ...plan.hosts.filter((h) => h.os === 'windows').map((h) => `ansible/scripts/${h.name}.ps1`),
      ].sort(),
    );
    for (const m of files) expect(await powershellSyntaxErrors(m.text), m.name).toEqual([]);
  });

  it('runs commands only through Invoke-Native, and prints what they say only through Hide-Secret', () => {
    const lib = readFileSync(join('templates', 'lib.ps1'), 'utf8');
    // The call operator runs an operation's handler, never a command's words.
    expect(lib.split('\n').filter((l) => /& \$/.test(l) && !/& \$handler /.test(l))).toEqual([]);
    const prints = lib.split('\n').filter((l) => /Write-Host/.test(l) && /\$script:Output/.test(l));
    expect(prints.length).toBeGreaterThan(0);
    expect(prints.filter((l) => !/Hide-Secret/.test(l))).toEqual([]);
  });

  it('finds the error in a broken script (the check can fail)', async () => {
    expect(await powershellSyntaxErrors("$x = 'never closed\nif ($x) {\n")).not.toEqual([]);
  });

  it('escapes the typographic double quotes that end a double-quoted string, as the ASCII one', () => {
    const { environment } = loadAnswersFile(join('examples', 'windows.yaml'));
    const plan = buildPlan(environment);
    const at = plan.hosts.findIndex((h) => h.os === 'windows' && h.steps.some((s) => s.stdin !== undefined));
    const step = plan.hosts[at]!.steps.find((s) => s.stdin !== undefined)!;
    step.stdin = 'SERVER = a“b”c„d"e\n';
    plan.hosts[at] = withOperations(plan.hosts[at]!);
    const text = renderOutputs(plan, ['ps1'], plan.hosts[at]!.name)[0]!.text;
    const line = text.split('\n').find((l) => l.includes("'planned' = ") && l.includes('SERVER = a'))!;
    expect(line).toContain('SERVER = a`“b`”c`„d`"e`n"');
  });

  it.each(["it's", 'it’s', '‘a’ ‚b‛', '$(Get-Date) `n "x"', '; Remove-Item C:\\ -Recurse; '])(
    'keeps %j one string in an assignment',
    async (value) => {
      expect(await powershellSyntaxErrors(`$x = ${psQuote(value)}\nWrite-Output $x\n`)).toEqual([]);
    },
  );
});
