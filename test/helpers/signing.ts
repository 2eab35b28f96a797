import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SIGNATURE_NAMESPACE } from '../../src/execute/plan-signature.js';

export interface SigningKey {
  /** The private key (no passphrase), as `plan --sign` takes it. */
  key: string;
  /** An allowed-signers file that lists this key for nbsecure plans. */
  allowedSigners: string;
}

/** An SSH key made for the test, and an allowed-signers file that trusts it for plans. */
export function signingKey(dir: string, name = 'admin'): SigningKey {
  const key = join(dir, `${name}-key`);
  const made = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', key], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`ssh-keygen: ${made.stderr}`);
  const allowedSigners = join(dir, `${name}-allowed-signers`);
  const pub = readFileSync(`${key}.pub`, 'utf8').trim();
  writeFileSync(allowedSigners, `${name}@example namespaces="${SIGNATURE_NAMESPACE}" ${pub}\n`);
  return { key, allowedSigners };
}

/** Signs a file as `ssh-keygen -Y sign` does by hand (a signer who signs whatever the file holds). */
export function signFile(file: string, key: string, namespace = SIGNATURE_NAMESPACE): void {
  rmSync(`${file}.sig`, { force: true });
  const r = spawnSync('ssh-keygen', ['-Y', 'sign', '-f', key, '-n', namespace, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen -Y sign: ${r.stderr}`);
}
