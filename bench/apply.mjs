// Prints the overhead of `nbsecure apply` over running the same simulated NetBackup commands from
// the generated bash script, on a fresh simulated client each run. Figures only.
// Target (issue 3): apply <= 1.2x the bash script. It also prints the gap between one step's end and the
// next step's start, from the --json events as they arrive (issue 11).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FP, root, simulator } from './simulator.mjs';

const { dir, makeDomain, makeHost } = await simulator('apply');

function freshClient() {
  const domain = makeDomain(FP);
  const host = makeHost(domain, { name: 'c1.corp.example', zone: 'internal', knownToPrimary: true });
  const answers = join(mkdtempSync(join(dir, 'site-')), 'answers.json');
  writeFileSync(
    answers,
    JSON.stringify({
      version: 1,
      primary: { name: 'p.corp.example', version: '10.4' },
      mediaServers: [{ name: 'm1.corp.example' }],
      clients: [{ name: 'c1.corp.example', installPath: host.root }],
      certificates: { caFingerprint: FP },
    }),
  );
  return answers;
}

function time(fn) {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

function must(r) {
  if (r.status !== 0) throw new Error(`${r.stderr}${r.stdout}`);
  return r;
}

/** Runs apply with --json; resolves with the wall time and the gaps between a step-done and the next step-start. */
function applyTimed(answers, stateDir) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [join(root, 'bin/nbsecure.js'), 'apply', '--answers', answers, '--host', 'c1.corp.example'].concat([
        '--this-host',
        'c1.corp.example',
        '--yes',
        '--json',
        '--state-dir',
        stateDir,
      ]),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const gaps = [];
    let lastDone;
    let pending = '';
    child.stdout.on('data', (chunk) => {
      const now = performance.now();
      const lines = (pending + chunk).split('\n');
      pending = lines.pop();
      for (const l of lines) {
        const e = JSON.parse(l);
        if (e.type === 'step-done') lastDone = now;
        if (e.type === 'step-start' && lastDone !== undefined) gaps.push(now - lastDone);
      }
    });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`apply exited ${code}: ${err}`));
      else resolve({ ms: performance.now() - started, gaps });
    });
  });
}

const runs = 7;
const applyTimes = [];
const bashTimes = [];
const gaps = [];
for (let i = 0; i < runs; i++) {
  const a = freshClient();
  const timed = await applyTimed(a, join(dir, `state-${i}`));
  applyTimes.push(timed.ms);
  gaps.push(...timed.gaps);
  const b = freshClient();
  const script = must(
    spawnSync(
      process.execPath,
      [join(root, 'bin/nbsecure.js'), 'plan', '--answers', b, '--format', 'sh', '--host', 'c1.corp.example'],
      { encoding: 'utf8' },
    ),
  ).stdout;
  const file = join(dir, `c1-${i}.sh`);
  writeFileSync(file, script);
  bashTimes.push(time(() => must(spawnSync('bash', [file], { encoding: 'utf8', input: '' }))));
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const ap = median(applyTimes);
const sh = median(bashTimes);
console.log(`apply vs bash on a fresh simulated client (median of ${runs}; each simulated command is a Node process)`);
console.log(`  bash script        ${sh.toFixed(0)} ms`);
console.log(`  nbsecure apply     ${ap.toFixed(0)} ms  (${(ap / sh).toFixed(2)}x; target <= 1.2x)`);
console.log(
  `  step gap           ${median(gaps).toFixed(1)} ms median, ${Math.max(...gaps).toFixed(1)} ms max ` +
    `(from a step's end to the next step's start, over ${gaps.length} gaps)`,
);
