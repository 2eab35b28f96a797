import { homedir } from 'node:os';
import { join } from 'node:path';
import { privateDir } from './private-files.js';

/** $XDG_STATE_HOME/nbsecure, or ~/.local/state/nbsecure as the XDG spec says when it is unset. */
export function defaultStateDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'nbsecure');
}

/** One folder per host: its journal, the saved configuration, a captured token. Owner-only. */
export function hostStateDir(stateDir: string, host: string): string {
  privateDir(stateDir);
  return privateDir(join(stateDir, host));
}
