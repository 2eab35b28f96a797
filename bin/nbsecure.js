#!/usr/bin/env node
// Launcher only: the bundled CLI lives in dist/ (built by `npm ci` through the prepare script).
import { main } from '../dist/cli.js';

await main();
