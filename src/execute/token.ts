import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../errors.js';

export const TOKEN_FORMAT = /^[A-Z]{16}$/;

function checked(value: string, from: string): string {
  const token = value.trim();
  if (!TOKEN_FORMAT.test(token)) throw new UsageError(`the authorization token from ${from} is not 16 upper-case letters; copy it again from nbcertcmd -createToken's output.`);
  return token;
}

/** --token-file must be readable by its owner alone: a token is a credential. */
export function tokenFromFile(file: string): string {
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    throw new UsageError(`--token-file ${file} does not exist or cannot be read.`);
  }
  if (mode & 0o077) throw new UsageError(`--token-file ${file} is readable by group or others (mode ${mode.toString(8).padStart(4, '0')}); run chmod 600 ${file} and try again.`);
  return checked(readFileSync(file, 'utf8'), `--token-file ${file}`);
}

export function tokenFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  return env.NBSECURE_TOKEN ? checked(env.NBSECURE_TOKEN, 'NBSECURE_TOKEN') : undefined;
}

export { checked as checkToken };
