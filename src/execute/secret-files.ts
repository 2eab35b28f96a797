import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Files handed to NetBackup commands (the token, the CA fingerprint): in a private 0700 folder,
 * each 0600, removed after the step and, whatever happens, when the process exits.
 */
export class StepFiles {
  private dir: string | undefined;
  private readonly cleanup = () => this.removeAll();

  constructor() {
    process.once('exit', this.cleanup);
  }

  write(name: string, content: string): string {
    this.dir ??= mkdtempSync(join(tmpdir(), 'nbsecure-'));
    const file = join(this.dir, name.replace(/[^a-z0-9-]/gi, '_'));
    writeFileSync(file, content, { mode: 0o600 });
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
