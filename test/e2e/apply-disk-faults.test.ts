// A missing, read-only or full folder is the user's to fix: said with the folder and the cause, exit 2,
// before the first change where it can be known then, and never "internal error".
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect } from 'vitest';
import { changingCalls } from '../netbackup-sim/layout.js';
import { nbsecure } from '../helpers/bin.js';
import { applyArgs, createToken, makeSite } from '../helpers/site.js';
import { withTools } from '../helpers/tools.js';

const DMZ = 'w1.dmz.example';
const mounted: string[] = [];
afterEach(() => {
  for (const dir of mounted.splice(0)) spawnSync('umount', [dir]);
});

/** A tmpfs of `size` with `options`, unmounted after the test. */
function tmpfs(size: string, options = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'nbsecure-fs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${options ? `,${options}` : ''}`, 'tmpfs', dir]);
  if (r.status !== 0) throw new Error(`mount: ${String(r.stderr)}`);
  mounted.push(dir);
  return dir;
}

function dmzSite() {
  const site = makeSite({ clients: [{ name: DMZ, zone: 'dmz', tunnelVia: ['m1.corp.example'] }] });
  return { site, token: createToken(site) };
}

describe('folders that cannot hold what apply writes', () => {
  const { it } = withTools();
  it('a missing TMPDIR: exit 2 before the first change, naming the folder', () => {
    const { site, token } = dmzSite();
    const r = nbsecure(applyArgs(site, DMZ, ['--token-file', site.tokenFile(token)]), {
      env: { TMPDIR: '/nonexistent/tmp' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("the temporary folder /nonexistent/tmp cannot hold nbsecure's secret files");
    expect(r.stderr).toContain('no such file or folder');
    expect(r.stderr).not.toContain('internal error');
    expect(changingCalls(site.hosts[DMZ]!)).toEqual([]);
  });

  const mounts = withTools('mount tmpfs');
  mounts.it('a read-only TMPDIR: exit 2 before the first change, naming the folder and why', () => {
    const { site, token } = dmzSite();
    const ro = tmpfs('64k', 'ro');
    const r = nbsecure(applyArgs(site, DMZ, ['--token-file', site.tokenFile(token)]), { env: { TMPDIR: ro } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`the temporary folder ${ro} cannot hold`);
    expect(r.stderr).toContain('read-only');
    expect(changingCalls(site.hosts[DMZ]!)).toEqual([]);
  });

  mounts.it('a full state folder: exit 2, naming the file and the full disk, never an internal error', () => {
    const { site, token } = dmzSite();
    const state = tmpfs('4k');
    // The host's folder is there from an earlier run; the disk filled up since.
    mkdirSync(join(state, 'x', DMZ), { recursive: true, mode: 0o700 });
    const fill = spawnSync('dd', ['if=/dev/zero', `of=${join(state, 'fill')}`, 'bs=1k', 'count=64']);
    expect(fill.status).not.toBe(null);
    const args = applyArgs(site, DMZ, ['--token-file', site.tokenFile(token)]);
    args[args.indexOf('--state-dir') + 1] = join(state, 'x');
    const r = nbsecure(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/the disk is full/);
    expect(r.stderr).toContain(state);
    expect(r.stderr).not.toContain('internal error');
    rmSync(join(state, 'fill'), { force: true });
  });
});
