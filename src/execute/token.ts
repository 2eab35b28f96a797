import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../errors.js';

export const TOKEN_FORMAT = /^[A-Z]{16}$/;

/** The secrets apply may hand to NetBackup commands, what they look like, and where they come from. */
export const SECRET_KINDS = {
  token: {
    words: 'the authorization token',
    flag: '--token-file',
    env: 'NBSECURE_TOKEN',
    prompt: 'Authorization token (16 upper-case letters, hidden)',
  },
  passphrase: {
    words: 'the private key passphrase',
    flag: '--passphrase-file',
    env: 'NBSECURE_PASSPHRASE',
    prompt: "Passphrase of the external certificate's private key (hidden)",
  },
} as const;
export type SecretKind = keyof typeof SECRET_KINDS;

/** Checks a secret's shape; the value is never part of a message. */
export function checkSecret(kind: SecretKind, value: string, from: string): string {
  const secret = value.replace(/\r?\n$/, '');
  if (kind === 'token' && !TOKEN_FORMAT.test(secret.trim()))
    throw new UsageError(
      `the authorization token from ${from} is not 16 upper-case ` +
        `letters; copy it again ` +
        `from nbcertcmd -createToken's ` +
        `output.`,
    );
  if (kind === 'passphrase' && !secret) throw new UsageError(`the private key passphrase from ${from} is empty.`);
  return kind === 'token' ? secret.trim() : secret;
}

/** A secret file must be readable by its owner alone. */
export function secretFromFile(kind: SecretKind, file: string): string {
  const flag = SECRET_KINDS[kind].flag;
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    throw new UsageError(`${flag} ${file} does not exist or cannot be read.`);
  }
  if (mode & 0o077)
    throw new UsageError(
      `${flag} ${file} is readable by group or others (mode ${mode.toString(8).padStart(4, '0')}` +
        `); run chmod 600 ${file} and try again.`,
    );
  return checkSecret(kind, readFileSync(file, 'utf8'), `${flag} ${file}`);
}

export function secretFromEnv(kind: SecretKind, env: NodeJS.ProcessEnv): string | undefined {
  const name = SECRET_KINDS[kind].env;
  return env[name] ? checkSecret(kind, env[name]!, name) : undefined;
}

export const tokenFromFile = (file: string) => secretFromFile('token', file);
export const tokenFromEnv = (env: NodeJS.ProcessEnv) => secretFromEnv('token', env);
