// Prints the time from starting `nbsecure` in a real terminal (tmux) to its first frame, against a
// bare Ink hello-world bundled the same way (esbuild, ESM, split so Ink's optional devtools stay out).
// Figures only. Target (issue 4): <= 1.2x the hello-world.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'nbsecure-bench-wizard-'));
const hello = join(dir, 'out', 'hello.js');
writeFileSync(join(dir, 'hello.jsx'), "import { render, Text } from 'ink';\nrender(<Text>hello from ink</Text>);\n");
await build({
  entryPoints: [join(dir, 'hello.jsx')],
  bundle: true,
  splitting: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  outdir: join(dir, 'out'),
  outExtension: { '.js': '.js' },
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  nodePaths: [join(root, 'node_modules')],
  external: ['react-devtools-core'],
  logLevel: 'error',
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
});

// A tmux server of its own, kept up by an idle session: a server whose last session just ended is still
// exiting when the next new-session connects ("server exited unexpectedly").
const socket = join(dir, 'tmux.sock');
const tmux = (...args) => execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' });
tmux('new-session', '-d', '-s', 'keep', 'sleep 600');
process.on('exit', () => tmux('kill-server'));

function firstFrame(command, expect) {
  const name = `bench${process.pid}${Math.random().toString(36).slice(2, 7)}`;
  const started = performance.now();
  tmux(
    'new-session',
    '-d',
    '-s',
    name,
    '-x',
    '80',
    '-y',
    '24',
    `cd ${root} && env -u CI XDG_CONFIG_HOME=${dir}/config ${command}; sleep 30`,
  );
  try {
    for (;;) {
      if (expect.test(tmux('capture-pane', '-p', '-t', name))) return performance.now() - started;
      if (performance.now() - started > 10_000) throw new Error(`no first frame from ${command}`);
    }
  } finally {
    tmux('kill-session', '-t', name);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const runs = 9;
const ink = median(Array.from({ length: runs }, () => firstFrame(`${process.execPath} ${hello}`, /hello from ink/)));
const wizard = median(
  Array.from({ length: runs }, () => firstFrame(`${process.execPath} bin/nbsecure.js`, /nbsecure · Welcome/)),
);
const ready = median(
  Array.from({ length: runs }, () => firstFrame(`${process.execPath} bin/nbsecure.js`, /How do you want to start/)),
);
console.log(`time to first frame in tmux, 80x24 (median of ${runs}; includes tmux start-up)`);
console.log(`  Ink hello-world    ${ink.toFixed(0)} ms`);
console.log(
  `  nbsecure wizard    ${wizard.toFixed(0)} ms  (${(wizard / ink).toFixed(2)}x; target <= 1.2x)  first frame`,
);
console.log(
  `                     ${ready.toFixed(0)} ms  (${(ready / ink).toFixed(2)}` +
    `x)  first question ready (remembered answers read)`,
);
