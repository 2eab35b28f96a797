// Prints how long buildPlan takes for 10, 1,000 and 10,000 hosts, its peak memory, and the start-up
// of the scripted `plan` command against bare `node -e 0`. Figures only: no pass/fail here.
// Targets (issue 2): plan start <= 1.5x bare Node; 10,000 hosts <= 1 s, linear, <= 200 MiB peak.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'nbsecure-bench-'));

const mediaFor = (n) => (n <= 10 ? 1 : n <= 1000 ? 10 : 20);

function answers(n) {
  // Every host's SERVER list names every media server, so size grows with hosts x media servers;
  // the benchmark uses a realistic count (1, 10, 20) and prints it.
  const media = Array.from({ length: mediaFor(n) }, (_, i) => ({ name: `media${i}.corp.example` }));
  const clients = Array.from({ length: Math.max(0, n - 1 - media.length) }, (_, i) =>
    i % 10 === 0
      ? { name: `web${i}.dmz.example`, zone: 'dmz', tunnelVia: [media[i % media.length].name] }
      : { name: `app${i}.corp.example`, os: i % 3 ? 'linux' : 'windows' },
  );
  return {
    version: 1,
    primary: { name: 'primary.corp.example', version: '10.4' },
    mediaServers: media,
    clients,
    certificates: {
      caFingerprint: 'C2:7D:A7:77:CE:C3:90:C2:BD:87:73:D9:07:DF:F1:E7:5E:3F:43:93:3A:1C:50:55:9B:65:F5:4D:CF:D6:09:F7',
      token: { maxUses: 99999 },
    },
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeRuns(cmd, args, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'ignore', 'ignore'] });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
    times.push(performance.now() - t);
  }
  return median(times);
}

// Each size runs in a fresh process so its peak RSS is its own.
const worker = `
  const { parseAnswers } = await import(${JSON.stringify(join(dir, 'bench-entry.js'))});
  const text = (await import('node:fs')).readFileSync(process.argv[1], 'utf8');
  const t0 = performance.now();
  const { environment } = parseAnswers.load(text, 'bench.json');
  const t1 = performance.now();
  const plan = parseAnswers.buildPlan(environment);
  const t2 = performance.now();
  const rssPlan = process.resourceUsage().maxRSS / 1024;
  const json = JSON.stringify(plan);
  const t3 = performance.now();
  const steps = plan.hosts.reduce((a, h) => a + h.steps.length, 0);
  const rss = process.resourceUsage().maxRSS / 1024;
  const figures = { validate: t1 - t0, plan: t2 - t1, json: t3 - t2, steps, bytes: json.length, rssPlan, rss };
  console.log(JSON.stringify(figures));
`;

const { build } = await import('esbuild');
// A small bundle of the two pure functions, so each measured process loads only them.
writeFileSync(
  join(dir, 'entry.ts'),
  `import { parseAnswers as load } from ${JSON.stringify(join(root, 'src/environment/load.ts'))}` +
    `;\nimport { buildPlan } from ${JSON.stringify(join(root, 'src/plan/build.ts'))}` +
    `;\nexport const parseAnswers = { load, buildPlan };\n`,
);
await build({
  entryPoints: [join(dir, 'entry.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: join(dir, 'bench-entry.js'),
  logLevel: 'error',
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
});

console.log('buildPlan (fresh process per size; median of 3)');
console.log('  hosts  media  validate ms   plan ms   json ms    steps   plan.json MiB   peak MiB (plan / +json)');
let perHost;
for (const n of [10, 1000, 10000]) {
  const file = join(dir, `answers-${n}.json`);
  writeFileSync(file, JSON.stringify(answers(n)));
  const runs = [0, 1, 2].map(() => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', worker, file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout);
  });
  const m = (k) => median(runs.map((r) => r[k]));
  console.log(
    `  ${String(n).padStart(5)}  ${String(mediaFor(n)).padStart(5)}` +
      `  ${m('validate').toFixed(1).padStart(11)}  ${m('plan').toFixed(1).padStart(8)}` +
      `  ${m('json').toFixed(1).padStart(8)}  ${String(runs[0].steps).padStart(7)}` +
      `  ${(runs[0].bytes / 2 ** 20).toFixed(1).padStart(14)}` +
      `  ${m('rssPlan').toFixed(0).padStart(10)} / ${m('rss').toFixed(0)}`,
  );
  if (n === 1000) perHost = (m('validate') + m('plan')) / n;
  if (n === 10000)
    console.log(
      `  growth: ${((m('validate') + m('plan')) / n / perHost).toFixed(2)}` +
        `x the per-host time at 1,000 hosts (1.00 = linear; media servers also double)`,
    );
}

const bare = timeRuns(process.execPath, ['-e', '0'], 15);
const help = timeRuns(process.execPath, ['bin/nbsecure.js', '--help'], 15);
const plan = timeRuns(
  process.execPath,
  ['bin/nbsecure.js', 'plan', '--answers', 'examples/internal.yaml', '--format', 'json'],
  15,
);
console.log('\nstart-up (median of 15)');
console.log(`  node -e 0                 ${bare.toFixed(1)} ms`);
console.log(`  nbsecure --help           ${help.toFixed(1)} ms  (${(help / bare).toFixed(2)}x bare node)`);
console.log(
  `  nbsecure plan (4 hosts)   ${plan.toFixed(1)} ms  (${(plan / bare).toFixed(2)}x bare node; target <= 1.5x)`,
);
