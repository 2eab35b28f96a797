// A plan that travels is authenticated: signed with the administrator's SSH key, verified against the keys
// allowed to sign plans. A digest proves nothing (anyone recomputes one); a signature does.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { planDigest } from '../../src/plan/digest.js';
import { argvLog } from '../netbackup-sim/layout.js';
import { cli } from '../helpers/cli.js';
import { applyArgs, makeSite, type Site } from '../helpers/site.js';
import { signFile, signingKey } from '../helpers/signing.js';
import { withTools } from '../helpers/tools.js';

const { it } = withTools('ssh-keygen');
const C1 = 'c1.corp.example';

/** plan --out DIR --sign KEY for the site: the signed plan.json and the allowed-signers file that trusts it. */
async function signedPlan(site: Site) {
  const { key, allowedSigners } = signingKey(site.dir);
  const out = join(site.dir, 'out');
  const r = await cli(['plan', '--answers', site.answers, '--out', out, '--sign', key]);
  expect(r.code, r.stderr).toBe(0);
  return { file: join(out, 'plan.json'), key, allowedSigners };
}

const dryRun = (site: Site, file: string, extra: string[] = []) =>
  cli([...applyArgs(site, C1, ['--dry-run', ...extra], file)]);

describe('signed plans', () => {
  it('plan --sign writes plan.json.sig; apply --plan with the allowed signers runs it as it is', async () => {
    const site = makeSite();
    const { file, allowedSigners } = await signedPlan(site);
    expect(readFileSync(`${file}.sig`, 'utf8')).toContain('BEGIN SSH SIGNATURE');
    const r = await dryRun(site, file, ['--allowed-signers', allowedSigners]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('nbsetconfig');
  });

  it('refuses an unsigned plan without --answers with exit 3, naming both ways to proceed', async () => {
    const site = makeSite();
    const { file } = await signedPlan(site);
    for (const args of [
      applyArgs(site, C1, ['--dry-run'], file),
      ['rollout', '--plan', file, '--check'],
      ['plan', '--plan', file],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(3);
      expect(r.stderr).toContain('is not authenticated');
      expect(r.stderr).toContain('--allowed-signers FILE');
      expect(r.stderr).toContain('--answers FILE');
      expect(r.stderr).not.toContain('internal error');
    }
    // With the answers it came from, nothing changes: it is checked against them instead.
    const withAnswers = await dryRun(site, file, ['--answers', site.answers]);
    expect(withAnswers.code, withAnswers.stderr).toBe(0);
  });

  // An edited plan is untyped JSON: the edits reach into it as any tamperer would.
  type PlanStep = { id: string; command: { argv: string[] }; done?: object; [k: string]: unknown };
  type Host = { name: string; config: { value: string }[]; steps: PlanStep[] };
  const step = (h: Host, id: string) => h.steps.find((x) => x.id.endsWith(id))!;
  it.each([
    ['SERVER = evil.example', (h: Host) => (h.config[0]!.value = 'evil.example')],
    ['-server evil.example', (h: Host) => step(h, ':cert.get').command.argv.push('-server', 'evil.example')],
    [
      'a done-check that is always true',
      (h: Host) => (step(h, ':config.set').done = { command: step(h, ':ca.get').command }),
    ],
    ['tolerateFailure on the certificate step', (h: Host) => (step(h, ':cert.get').tolerateFailure = 'fine')],
    ['a changed stdin', (h: Host) => (step(h, ':config.set').stdin = 'SERVER = evil.example\n')],
    [
      'a pattern that backtracks',
      (h: Host) => (step(h, ':ca.get').done = { ...step(h, ':ca.get').done, outputMatches: '(a+)+$' }),
    ],
  ])('refuses a signed plan edited afterwards (%s), its digest recomputed, and runs nothing', async (_what, edit) => {
    const site = makeSite();
    const { file, allowedSigners } = await signedPlan(site);
    const plan = JSON.parse(readFileSync(file, 'utf8'));
    edit(plan.hosts.find((h: Host) => h.name === C1));
    writeFileSync(file, JSON.stringify({ ...plan, digest: planDigest(plan) }, null, 2));
    const r = await cli(applyArgs(site, C1, ['--allowed-signers', allowedSigners], file));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('its signature does not verify');
    expect(argvLog(site.hosts[C1]!)).toEqual([]);
  });

  it('refuses a signature by a key the allowed signers do not list, or made for something else', async () => {
    const site = makeSite();
    const { file, allowedSigners } = await signedPlan(site);
    const other = signingKey(site.dir, 'mallory');
    signFile(file, other.key);
    const stranger = await dryRun(site, file, ['--allowed-signers', allowedSigners]);
    expect(stranger.code).toBe(3);
    expect(stranger.stderr).toContain('its signature is by no key that');

    const { key } = signingKey(site.dir, 'git');
    const gitAllowed = join(site.dir, 'git-allowed');
    writeFileSync(gitAllowed, `git@example ${readFileSync(`${key}.pub`, 'utf8')}`);
    signFile(file, key, 'git');
    const elsewhere = await dryRun(site, file, ['--allowed-signers', gitAllowed]);
    expect(elsewhere.code).toBe(3);
    expect(elsewhere.stderr).toContain('does not verify');
  });

  it('refuses a plan whose signature is missing, and an allowed-signers file that is not there', async () => {
    const site = makeSite();
    const { file, allowedSigners } = await signedPlan(site);
    const missing = await dryRun(site, file, ['--allowed-signers', join(site.dir, 'nope')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('does not exist');
    writeFileSync(`${file}.sig`, '');
    const empty = await dryRun(site, file, ['--allowed-signers', allowedSigners]);
    expect(empty.code).toBe(3);
  });

  it('--sign with a key that cannot sign exits 2 and writes nothing', async () => {
    const site = makeSite();
    const bad = join(site.dir, 'not-a-key');
    writeFileSync(bad, 'not a key\n', { mode: 0o600 });
    const out = join(site.dir, 'out');
    const r = await cli(['plan', '--answers', site.answers, '--out', out, '--sign', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--sign ${bad}: ssh-keygen could not sign with it`);
    expect(existsSync(out)).toBe(false);
    const noOut = await cli(['plan', '--answers', site.answers, '--sign', bad]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('give --out DIR');
  });
});
