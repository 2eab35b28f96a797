// Registered with `node --import`: records every module URL the process resolves into
// $NBSECURE_TRACE, so a test can see exactly what a command loaded.
import { register } from 'node:module';

register('./trace-hooks.mjs', import.meta.url);
