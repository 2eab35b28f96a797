// The simulator's layout helper for the benchmarks: it is TypeScript, so it is bundled for these plain scripts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

export const root = new URL('..', import.meta.url).pathname;
export const FP = 'C2:7D:A7:77:CE:C3:90:C2:BD:87:73:D9:07:DF:F1:E7:5E:3F:43:93:3A:1C:50:55:9B:65:F5:4D:CF:D6:09:F7';

/** A fresh working folder, and the simulator's makeDomain and makeHost. */
export async function simulator(name) {
  const dir = mkdtempSync(join(tmpdir(), `nbsecure-bench-${name}-`));
  const layoutJs = join(dir, 'layout.mjs');
  await build({
    entryPoints: [join(root, 'test/netbackup-sim/layout.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: layoutJs,
    logLevel: 'error',
    define: { 'import.meta.dirname': JSON.stringify(join(root, 'test/netbackup-sim')) },
  });
  return { dir, ...(await import(layoutJs)) };
}
