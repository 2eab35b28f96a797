import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERIFY_MARKER } from '../../src/catalogue/confidence.js';
import { loadAnswersFile } from '../../src/environment/load.js';
import { buildPlan } from '../../src/plan/build.js';
import { planDigest } from '../../src/plan/digest.js';
import { FORMATS, renderOutputs } from '../../src/render/index.js';
import { withTools } from '../helpers/tools.js';

const withShellcheck = withTools('shellcheck');
const EXAMPLES = readdirSync('examples')
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function outputsOf(example: string) {
  const { environment } = loadAnswersFile(join('examples', example));
  const plan = buildPlan(environment);
  return { plan, outputs: renderOutputs(plan, FORMATS) };
}

describe.each(EXAMPLES)('renderers on examples/%s', (example) => {
  const { plan, outputs } = outputsOf(example);

  it('come from plan.json alone: the saved plan re-renders every format byte for byte', () => {
    const json = outputs.find((o) => o.format === 'json')!.text;
    const again = renderOutputs(JSON.parse(json) as typeof plan, FORMATS);
    expect(again.map((o) => o.name)).toEqual(outputs.map((o) => o.name));
    again.forEach((o, i) => expect(o.text, o.name).toBe(outputs[i]!.text));
  });

  // The role runs the very scripts --format sh,ps1 writes: compared with them here, not kept twice as golden files.
  const roleScript = (name: string) => /^ansible\/scripts\//.test(name);

  it('match the golden files', async () => {
    for (const o of outputs.filter((x) => !roleScript(x.name))) {
      await expect(o.text).toMatchFileSnapshot(join('..', 'golden', basename(example, '.yaml'), o.name));
    }
  });

  it("give the Ansible role each host's own script, byte for byte", () => {
    const scripts = outputs.filter((o) => roleScript(o.name));
    expect(scripts.map((o) => o.name).sort()).toEqual(
      plan.hosts.map((h) => `ansible/scripts/${h.name}.${h.os === 'windows' ? 'ps1' : 'sh'}`).sort(),
    );
    for (const o of scripts) expect(o.text).toBe(outputs.find((x) => x.name === o.name.slice(16))!.text);
  });

  withShellcheck.it('give every UNIX host a bash script that passes shellcheck', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nbsecure-sc-'));
    const scripts = outputs.filter((o) => o.format === 'sh');
    expect(scripts.length).toBe(plan.hosts.filter((h) => h.os === 'linux').length);
    const files = scripts.map((o) => {
      const f = join(dir, o.name);
      writeFileSync(f, o.text);
      return f;
    });
    // shellcheck exits non-zero on any finding; its output is the failure message.
    execFileSync('shellcheck', ['--shell=bash', '--severity=style', ...files], { encoding: 'utf8' });
  });

  it('write strict, fully quoted bash that never puts a secret on a command line', () => {
    for (const o of outputs.filter((x) => x.format === 'sh')) {
      expect(o.text).toContain('set -euo pipefail');
      expect(o.text).not.toMatch(/-token\s+["']?\$/); // never `-token $TOKEN`
      expect(o.text).not.toMatch(/NBSECURE_TOKEN[^_\w]*\s*\|/);
    }
  });

  it('produce a plan.json whose digest verifies', () => {
    const json = outputs.find((o) => o.format === 'json')!;
    const parsed = JSON.parse(json.text);
    expect(parsed.digest).toBe(planDigest(parsed));
    expect(parsed.digest).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('unconfirmed facts', () => {
  it('carry the visible marker in the runbook, the scripts, bp.conf snippets and plan.json', () => {
    // windows.yaml has a media server with the tunnel off (WEB_SERVER_TUNNEL_ENABLE, values unconfirmed)
    // and a Windows primary whose service restart (bpdown/bpup) has unconfirmed flags.
    const { outputs } = outputsOf('windows.yaml');
    const by = (name: string) => outputs.find((o) => o.name === name)!.text;
    expect(by('runbook.md')).toContain(VERIFY_MARKER);
    expect(by('nbu-primary.corp.example.ps1')).toContain(`# ${VERIFY_MARKER}`);
    expect(by('nbu-media2.corp.example.bp.conf')).toMatch(
      new RegExp(`# ${VERIFY_MARKER}.*\\nWEB_SERVER_TUNNEL_ENABLE = NO`),
    );
    expect(by('nbu-media2.corp.example.ps1')).toContain(VERIFY_MARKER);
    const plan = JSON.parse(by('plan.json'));
    const entry = plan.hosts
      .find((h: { name: string }) => h.name === 'nbu-media2.corp.example')
      .config.find((c: { key: string }) => c.key === 'WEB_SERVER_TUNNEL_ENABLE');
    expect(entry.verifyForYourVersion).toContain(VERIFY_MARKER);
    expect(plan.warnings.join(' ')).toContain(VERIFY_MARKER);
  });

  it('are absent where every fact is documented', () => {
    // internal.yaml turns insecure communication off, which reads nbemmcmd's undocumented output layout,
    // and its level step has a REST form whose media type version and DTE field are not confirmed: with
    // those two steps left out, nothing in its outputs rests on an unconfirmed fact.
    const { environment } = loadAnswersFile('examples/internal.yaml');
    const plan = buildPlan(environment);
    const without = {
      ...plan,
      hosts: plan.hosts.map((h) => ({
        ...h,
        steps: h.steps.filter((s) => !/:security\.(insecure\.domain|level)$/.test(s.id)),
      })),
      warnings: plan.warnings.filter((w) => !w.startsWith(VERIFY_MARKER)),
    };
    expect(plan.hosts[0]!.steps.some((s) => s.verifyForYourVersion?.includes('nbemmcmd -listhosts'))).toBe(true);
    const level = plan.hosts[0]!.steps.find((s) => s.id.endsWith(':security.level'))!;
    expect(level.instructions!.filter((l) => l.startsWith(VERIFY_MARKER)).join('\n')).toMatch(/dteGlobalMode/);
    for (const o of renderOutputs(without, FORMATS)) expect(o.text, o.name).not.toContain(VERIFY_MARKER);
  });
});

/** The same data with every object's keys in reverse order, at every depth. */
function reverseKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reverseKeys) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reverseKeys(v)]),
    ) as T;
  }
  return value;
}

describe('determinism', () => {
  const planJson = (example: string) => outputsOf(example).outputs.find((o) => o.format === 'json')!.text;

  it.each(EXAMPLES)('gives byte-identical plan.json for %s whatever the key order of the answers', (example) => {
    const expected = planJson(example);
    expect(planJson(example)).toBe(expected);
    const { answers, environment } = loadAnswersFile(join('examples', example));

    // An Environment built in another key order (as the wizard or another caller may build it).
    const reversed = reverseKeys(environment);
    expect(JSON.stringify(reversed)).not.toBe(JSON.stringify(environment));
    expect(JSON.stringify(buildPlan(reversed), null, 2) + '\n').toBe(expected);

    // An answers file written in another key order, at every depth, as JSON.
    const file = join(mkdtempSync(join(tmpdir(), 'nbsecure-det-')), 'reordered.json');
    writeFileSync(file, JSON.stringify(reverseKeys(answers)));
    expect(JSON.stringify(buildPlan(loadAnswersFile(file).environment), null, 2) + '\n').toBe(expected);
  });
});

describe('answer files for hosts not installed yet', () => {
  it('never hold a token and fetch the CA by fingerprint', () => {
    const { outputs } = outputsOf('dmz.yaml');
    const af = outputs.find((o) => o.format === 'answerfile')!;
    expect(af.name).toBe('new1.dmz.example.NBInstallAnswer.conf');
    expect(af.text).toContain('AUTHORIZATION_TOKEN = SKIP');
    expect(af.text).toMatch(/CA_CERTIFICATE_FINGERPRINT = [0-9A-F:]{95}/);
    expect(af.text).toContain('MACHINE_ROLE = CLIENT');
    expect(af.text).toContain('MEDIA_SERVER = nbu-media1.corp.example');
  });

  it('give the ECA set for an external CA', () => {
    const af = outputsOf('eca.yaml').outputs.find((o) => o.format === 'answerfile')!;
    expect(af.text).toContain('ECA_CERT_PATH = /etc/pki/netbackup/host-chain.pem');
    expect(af.text).toContain('ECA_CRL_CHECK_LEVEL = USE_PATH');
    expect(af.text).not.toContain('AUTHORIZATION_TOKEN');
  });
});
