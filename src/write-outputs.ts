import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.js';

export interface FileToWrite {
  name: string;
  text: string;
  mode?: number;
}

/**
 * Writes a set of files into `dir` without ever leaving half a set: everything goes to a temporary
 * folder beside `dir` first; a new `dir` is then renamed into place whole, an existing one receives
 * each file by an atomic rename.
 */
export function writeFileSet(dir: string, files: FileToWrite[]): string[] {
  const target = resolve(dir);
  const parent = dirname(target);
  if (!existsSync(parent)) throw new UsageError(`--out ${dir}: its parent folder ${parent} does not exist.`);
  if (existsSync(target) && !statSync(target).isDirectory())
    throw new UsageError(`--out ${dir} is a file, not a folder.`);
  let tmp: string;
  try {
    tmp = mkdtempSync(join(parent, `.${basename(target)}.nbsecure-`));
  } catch (e) {
    throw new UsageError(
      `--out ${dir}: cannot write in ${parent} (${(e as NodeJS.ErrnoException).code ?? String(e)}).`,
    );
  }
  try {
    // A name may hold folders (ansible/roles/...): they are made as the files are written.
    for (const f of files) {
      mkdirSync(dirname(join(tmp, f.name)), { recursive: true, mode: 0o755 });
      writeFileSync(join(tmp, f.name), f.text, { mode: f.mode ?? 0o644 });
      chmodSync(join(tmp, f.name), f.mode ?? 0o644);
    }
    if (!existsSync(target)) {
      chmodSync(tmp, 0o755);
      renameSync(tmp, target);
    } else {
      for (const f of files) {
        mkdirSync(dirname(join(target, f.name)), { recursive: true, mode: 0o755 });
        renameSync(join(tmp, f.name), join(target, f.name));
      }
      rmSync(tmp, { recursive: true, force: true });
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw new UsageError(
      `--out ${dir}: writing failed (${(e as NodeJS.ErrnoException).code ?? String(e)}` +
        `); nothing was left half-written.`,
    );
  }
  return files.map((f) => join(target, f.name));
}

/** Writes one file atomically (temp file in the same folder, then rename). */
export function writeFileAtomic(path: string, text: string, mode = 0o644): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text, { mode });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
