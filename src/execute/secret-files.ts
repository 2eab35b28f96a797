import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, UserError } from '../errors.js';
import { describeCode, writePrivate } from './private-files.js';
import { processAlive } from './process-alive.js';

const PREFIX = 'nbsecure-secrets-';
const OWNER = 'owner.pid';

/**
 * A private folder for secret files in the temporary folder, naming its process; or a refusal that says which
 * folder and why.
 */
function secretFolder(): string {
  const base = tmpdir();
  let dir: string | undefined;
  try {
    dir = mkdtempSync(join(base, PREFIX));
    writePrivate(join(dir, OWNER), String(process.pid));
    return dir;
  } catch (e) {
    if (dir) rmSync(dir, { recursive: true, force: true });
    const why = e instanceof UserError ? e.message : describeCode(e);
    throw new UserError(
      `the temporary folder ${base} cannot hold nbsecure's secret files (${why}): set TMPDIR to a ` +
        'folder that exists and that you can write, and run again.',
      EXIT.usage,
    );
  }
}

/**
 * Before the first change of a run: the secret files its steps will need can be written, so that a run never
 * stops half-way for want of a temporary folder.
 */
export function checkSecretFolder(): void {
  rmSync(secretFolder(), { recursive: true, force: true });
}

/**
 * Files handed to NetBackup commands (the token, the CA fingerprint): in a private 0700 folder,
 * each 0600, removed after the step and, whatever happens, when the process exits. The folder
 * names its process, so that one left by a `kill -9` is found and removed at the next start.
 */
export class StepFiles {
  private dir: string | undefined;
  private readonly cleanup = () => this.removeAll();

  constructor() {
    process.once('exit', this.cleanup);
  }

  write(name: string, content: string): string {
    if (!this.dir) {
      this.dir = secretFolder();
    }
    const file = join(this.dir, name.replace(/[^a-z0-9-]/gi, '_'));
    writePrivate(file, content);
    return file;
  }

  removeAll(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  dispose(): void {
    this.removeAll();
    process.removeListener('exit', this.cleanup);
  }
}

/** Removes this user's secret folders whose process is gone; returns how many it removed. */
export function sweepStaleSecretFolders(base = tmpdir()): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(base).filter((n) => n.startsWith(PREFIX));
  } catch {
    return 0;
  }
  for (const name of names) {
    const dir = join(base, name);
    try {
      const st = lstatSync(dir);
      if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid())) continue;
      let pid = NaN;
      try {
        pid = Number(readFileSync(join(dir, OWNER), 'utf8'));
      } catch {
        /* no owner written yet, or torn: judged by age below */
      }
      const stale = Number.isInteger(pid) ? !processAlive(pid) : Date.now() - st.mtimeMs > 60_000;
      if (!stale) continue;
      rmSync(dir, { recursive: true, force: true });
      removed++;
    } catch {
      /* another process removed it first */
    }
  }
  return removed;
}
