// Prints how long validating an answers file takes as one map grows (10,000 and 40,000 keys), for
// YAML and JSON: the time must grow linearly. Every key here is unknown, so every one is a problem
// to locate and report, which is the slow path. Figures only; not a timed test.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nbsecure-bench-validate-'));
const { build } = await import('esbuild');
const source = join(root, 'src/environment/load.ts');
writeFileSync(join(dir, 'entry.ts'), `export { parseAnswers } from ${JSON.stringify(source)};\n`);
await build({
  entryPoints: [join(dir, 'entry.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: join(dir, 'entry.js'),
  logLevel: 'error',
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
});
const { parseAnswers } = await import(join(dir, 'entry.js'));

function answers(keys) {
  const hardening = Object.fromEntries(Array.from({ length: keys }, (_, i) => [`unknown${i}`, true]));
  return { version: 1, primary: { name: 'p.example' }, hardening };
}
const yaml = (a) =>
  `version: 1\nprimary: { name: p.example }\nhardening:\n${Object.keys(a.hardening)
    .map((k) => `  ${k}: true\n`)
    .join('')}`;

const time = (text, name) => {
  const t = performance.now();
  try {
    parseAnswers(text, name);
  } catch {
    /* every key is reported: that is the work measured */
  }
  return performance.now() - t;
};

console.log('validation of one map with N unknown keys (ms; each is reported as a problem)');
console.log('       keys     YAML     JSON');
const rows = [];
for (const n of [10_000, 40_000]) {
  const a = answers(n);
  const row = { n, yaml: time(yaml(a), 'a.yaml'), json: time(JSON.stringify(a), 'a.json') };
  rows.push(row);
  console.log(`  ${String(n).padStart(9)}  ${row.yaml.toFixed(0).padStart(7)}  ${row.json.toFixed(0).padStart(7)}`);
}
const [a, b] = rows;
const growth = (k) => (b[k] / a[k]).toFixed(1);
console.log(`  growth for 4x the keys: YAML ${growth('yaml')}x, JSON ${growth('json')}x (4.0 = linear)`);
