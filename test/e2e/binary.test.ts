import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nbsecure, ROOT } from '../helpers/bin.js';

const TRACE = join(ROOT, 'test', 'helpers', 'trace-loads.mjs');

/** Module URLs a run resolved, and whether any of them is react, ink or code bundled from them. */
function traced(run: (traceFile: string) => void): { urls: string[]; loadsUi: boolean } {
  const file = join(mkdtempSync(join(tmpdir(), 'nbsecure-trace-')), 'trace.txt');
  run(file);
  const urls = readFileSync(file, 'utf8').trim().split('\n');
  const loadsUi = urls.some((u) => {
    if (/\/node_modules\/(react|ink|react-reconciler|yoga-layout)\//.test(u)) return true;
    if (!u.startsWith('file:') || !u.includes('/dist/')) return false;
    const text = readFileSync(fileURLToPath(u), 'utf8');
    return text.includes('react.transitional.element') || text.includes('yoga-layout');
  });
  return { urls, loadsUi };
}

describe('the built nbsecure binary', () => {
  it('runs the README example without a terminal and exits 0', () => {
    const r = nbsecure(['plan', '--answers', 'examples/dmz.yaml']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('# NetBackup security runbook');
  });

  it('exits 2 with a readable message and no stack trace on invalid answers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nbsecure-bin-'));
    const r = nbsecure([
      'plan',
      '--answers',
      join(ROOT, 'test', 'fixtures', 'invalid.yaml'),
      '--out',
      join(dir, 'out'),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/invalid\.yaml:\d+:\d+: clients\[0\]\.name is not a valid DNS host name/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stdout).toBe('');
  });

  it('never loads react or ink on the scripted path (plan, explain, help)', () => {
    for (const args of [['plan', '--answers', 'examples/dmz.yaml'], ['explain', '5955'], ['--help']]) {
      const t = traced((file) => {
        const r = nbsecure(args, { nodeArgs: ['--import', TRACE], env: { NBSECURE_TRACE: file } });
        expect(r.status).toBe(0);
      });
      expect(t.urls.some((u) => u.includes('/dist/cli.js'))).toBe(true);
      expect(t.loadsUi).toBe(false);
    }
  });

  it('has a load check that does see react when it is loaded (control)', () => {
    const t = traced((file) => {
      const r = spawnSync(
        process.execPath,
        ['--import', TRACE, '--input-type=module', '-e', "await import('react'); await import('ink');"],
        {
          cwd: ROOT,
          encoding: 'utf8',
          env: { ...process.env, NBSECURE_TRACE: file },
        },
      );
      expect(r.status).toBe(0);
    });
    expect(t.loadsUi).toBe(true);
  });
});
