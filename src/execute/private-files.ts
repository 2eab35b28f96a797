import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { UserError, EXIT } from '../errors.js';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW, O_NONBLOCK } = constants;

/** A state problem the user must fix (a folder where a file should be, a loose mode): exit 2. */
export class StateError extends UserError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

export function describeCode(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'EROFS') return 'the file system is read-only';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'it is a symbolic link, which nbsecure does not follow for state files';
  if (code === 'EISDIR') return 'it is a folder, not a file';
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'ENOTDIR') return 'a part of the path is not a folder';
  return code ?? String(e);
}

/** Wraps a file-system failure on a state file in a message naming the file and what to do. */
export function stateFailure(file: string, e: unknown): StateError {
  return new StateError(
    `nbsecure cannot write its state file ${file}` +
      `: ${describeCode(e)}. Fix that (or choose another folder with --state-dir) and run again with --resume.`,
  );
}

/**
 * The state folder and each host's folder: created 0700, and refused when it is a symbolic link
 * or others can write to it (they could swap the journal or plant a token file).
 */
export function privateDir(dir: string): string {
  try {
    makeDirs(dir);
    const st = lstatSync(dir);
    if (!st.isDirectory()) throw new StateError(`the state folder ${dir} is not a folder (is it a symbolic link?).`);
    if (st.mode & 0o022) {
      throw new StateError(
        `the state folder ${dir} can be written by group or others (mode ${(st.mode & 0o777).toString(8)}` +
          `); run chmod 700 ${dir}, or choose another folder with --state-dir.`,
      );
    }
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
      throw new StateError(`the state folder ${dir} belongs to another user; choose your own with --state-dir.`);
    }
  } catch (e) {
    if (e instanceof StateError) throw e;
    throw stateFailure(dir, e);
  }
  return dir;
}

/**
 * mkdir -p, one level at a time. Node's own recursive mkdir loops forever where a parent refuses
 * new entries with ENOENT (under /proc, say); this fails with that error instead.
 */
function makeDirs(dir: string): void {
  const parts = resolve(dir).split(sep).filter(Boolean);
  let at: string = sep;
  for (const part of parts) {
    at = join(at, part);
    try {
      mkdirSync(at, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** Appends to an owner-only file, never through a symbolic link; a looser existing mode is tightened. */
export function appendPrivate(file: string, text: string, sync: (fd: number) => void): void {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO planted where the file goes fails at once instead of waiting for a reader.
    fd = openSync(file, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK, 0o600);
  } catch (e) {
    throw stateFailure(file, e);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new StateError(`the state file ${file} is not a regular file; remove it and run again.`);
    if (st.mode & 0o077) fchmodSync(fd, 0o600);
    writeSync(fd, text);
    sync(fd);
  } catch (e) {
    if (e instanceof StateError) throw e;
    throw stateFailure(file, e);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a state file, never through a link and never waiting: a FIFO or a device put in its place is refused
 * (a reader of a FIFO waits for ever). Undefined when there is no such file.
 */
export function readPrivate(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw stateFailure(file, e);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw stateFailure(file, Object.assign(new Error('EISDIR'), { code: 'EISDIR' }));
    if (!st.isFile()) {
      throw new StateError(`the state file ${file} is not a regular file; remove it and run again.`);
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** Writes a new owner-only file: whatever was at the path (a file, a link) is removed first, never followed. */
export function writePrivate(file: string, text: string): void {
  try {
    try {
      unlinkSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const fd = openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw stateFailure(file, e);
  }
}
