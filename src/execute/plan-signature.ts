import { existsSync } from 'node:fs';
import { execaSync } from 'execa';
import { UsageError } from '../errors.js';

/**
 * Plans that travel are signed with the administrator's SSH key (ssh-keygen -Y sign) and verified against an
 * allowed-signers file (ssh-keygen -Y verify): anyone can recompute a digest, nobody can forge a signature.
 * The namespace keeps a signature made for something else (a git commit, a file) from passing as a plan's.
 */
export const SIGNATURE_NAMESPACE = 'nbsecure-plan';

export const signatureFileOf = (planFile: string): string => `${planFile}.sig`;

const NO_SSH_KEYGEN =
  'ssh-keygen is not installed here (Debian and Ubuntu: apt-get install openssh-client; it is part of OpenSSH)';

function sshKeygen(args: string[], input?: string) {
  return execaSync('ssh-keygen', args, {
    reject: false,
    // A key with a passphrase asks for it on the terminal itself (ssh-keygen opens /dev/tty).
    ...(input !== undefined ? { input } : { stdin: 'ignore' as const }),
    stripFinalNewline: false,
  });
}

/** The signature of a plan's bytes, as ssh-keygen writes it; a refusal names the key and what went wrong. */
export function signPlan(text: string, key: string): string {
  const r = sshKeygen(['-Y', 'sign', '-f', key, '-n', SIGNATURE_NAMESPACE], text);
  if (r.exitCode === undefined) throw new UsageError(`--sign ${key}: ${NO_SSH_KEYGEN}.`);
  if (r.exitCode !== 0 || !String(r.stdout).includes('BEGIN SSH SIGNATURE')) {
    const why = String(r.stderr).trim().split('\n').at(-1) || `exit status ${r.exitCode}`;
    throw new UsageError(`--sign ${key}: ssh-keygen could not sign with it (${why}); nothing was written.`);
  }
  return String(r.stdout);
}

/**
 * Whether `text` (the very bytes then parsed) carries a valid signature, in `sigFile`, by a key that the
 * allowed-signers file lists for plans: the principal who signed, or why not.
 */
export function verifyPlanSignature(
  text: string,
  sigFile: string,
  allowedSigners: string,
): { principal: string } | { problem: string } {
  if (!existsSync(allowedSigners)) return { problem: `the allowed-signers file ${allowedSigners} does not exist` };
  if (!existsSync(sigFile)) return { problem: `there is no signature beside it (${sigFile})` };
  const found = sshKeygen(['-Y', 'find-principals', '-s', sigFile, '-f', allowedSigners]);
  if (found.exitCode === undefined) return { problem: NO_SSH_KEYGEN };
  const principals = String(found.stdout).split('\n').filter(Boolean);
  if (found.exitCode !== 0 || !principals.length) {
    return { problem: `its signature is by no key that ${allowedSigners} lists` };
  }
  for (const principal of principals) {
    const r = sshKeygen(
      ['-Y', 'verify', '-f', allowedSigners, '-I', principal, '-n', SIGNATURE_NAMESPACE, '-s', sigFile],
      text,
    );
    if (r.exitCode === 0) return { principal };
  }
  return {
    problem:
      `its signature does not verify against ${allowedSigners}: the plan was changed after it was signed, or ` +
      `the signature was made for something other than an nbsecure plan`,
  };
}
