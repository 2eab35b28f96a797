// Several processes take over one stale lock at the same millisecond: the real lockHostState, bundled for
// plain Node, in processes of their own (a lock is about processes; threads would share one pid).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/bin.js';

const work = mkdtempSync(join(tmpdir(), 'nbsecure-lock-race-'));
const contender = join(work, 'contender.mjs');

beforeAll(() => {
  const entry = join(work, 'entry.ts');
  // Each contender waits for the shared instant, tries the lock, and holds it long enough for every other
  // contender to have tried while it is held.
  writeFileSync(
    entry,
    `import { lockHostState } from ${JSON.stringify(join(ROOT, 'src/execute/lock.ts'))};
const [dir, at] = process.argv.slice(2);
while (Date.now() < Number(at)) {}
let got = false, why = '';
try {
  const l = lockHostState(dir);
  got = true;
  const until = Date.now() + 400;
  while (Date.now() < until) {}
  l.release();
}
catch (e) { why = String(e.message); }
process.stdout.write(JSON.stringify({ got, why }));
`,
  );
  buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: contender,
    logLevel: 'error',
  });
});

function contend(dir: string, at: number): Promise<{ got: boolean; why: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [contender, dir, String(at)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', () => resolve(JSON.parse(out || '{"got":false,"why":"no answer"}')));
  });
}

describe('a stale lock taken over by several processes at the same instant', () => {
  it.each([
    ['a process that is gone', JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), started: 'then' })],
    ['an empty lock file', ''],
  ])(
    'left by %s: exactly one holds it',
    async (_what, lock) => {
      for (let round = 0; round < 6; round++) {
        const dir = mkdtempSync(join(work, 'state-'));
        writeFileSync(join(dir, 'apply.lock'), lock, { mode: 0o600 });
        // Time enough for five Node processes to start on two cores, then all at once.
        const at = Date.now() + 1_000;
        const results = await Promise.all(Array.from({ length: 5 }, () => contend(dir, at)));
        expect(
          results.filter((r) => r.got),
          `round ${round}: ${JSON.stringify(results)}`,
        ).toHaveLength(1);
      }
    },
    120_000,
  );
});
