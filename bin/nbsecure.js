#!/usr/bin/env node
// Launcher only: the bundled CLI lives in dist/ (built by `npm ci` through the prepare script).
import module from 'node:module';

// Node 22.1+ caches compiled code between runs; Node 20 has no such API and simply skips it.
module.enableCompileCache?.();

const { main } = await import('../dist/cli.js');
await main();
