import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
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
      // Every place is checked before the first file moves: a refusal leaves the folder as it was.
      const problem = files.map((f) => placeProblem(target, f.name)).find(Boolean);
      if (problem) throw new UsageError(`--out ${dir}: ${problem}; nothing was written.`);
      for (const f of files) {
        mkdirSync(dirname(join(target, f.name)), { recursive: true, mode: 0o755 });
        renameSync(join(tmp, f.name), join(target, f.name));
      }
      rmSync(tmp, { recursive: true, force: true });
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof UsageError) throw e;
    throw new UsageError(
      `--out ${dir}: writing failed (${(e as NodeJS.ErrnoException).code ?? String(e)}` +
        `); nothing was left half-written.`,
    );
  }
  return files.map((f) => join(target, f.name));
}

/**
 * Why a file of the set cannot go to `name` under the output folder: a symbolic link on the way (it would
 * take the file outside the folder, or onto another file) or a folder where the file goes.
 */
function placeProblem(root: string, name: string): string | undefined {
  const parts = name.split('/');
  let at = root;
  for (const [i, part] of parts.entries()) {
    at = join(at, part);
    let st;
    try {
      st = lstatSync(at);
    } catch {
      return undefined; // nothing there yet: it is made inside the folder
    }
    if (st.isSymbolicLink()) return `${at} is a symbolic link, which nbsecure does not write through`;
    if (i === parts.length - 1 && st.isDirectory()) return `${at} is a folder where nbsecure writes a file`;
  }
  return undefined;
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
