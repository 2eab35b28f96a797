import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { TOKEN_EXACT } from '../catalogue/token-shape.js';
import { UsageError } from '../errors.js';

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
  apiKey: {
    words: 'the NetBackup API key',
    flag: '--api-key-file',
    env: 'NBSECURE_API_KEY',
    prompt: 'NetBackup API key (hidden)',
  },
} as const;

/** The variable NetBackup commands read an API key from (Security Guide 11.0: instead of bpnbat -login). */
export const NETBACKUP_APIKEY = 'NETBACKUP_APIKEY';
/** An API key is one long unbroken string; anything shorter than 16 characters is the wrong file. */
export const API_KEY_EXACT = /^\S{16,}$/;
export type SecretKind = keyof typeof SECRET_KINDS;

/** Shorter secrets cannot be redacted safely (every such run of letters in any output would go). */
export const MIN_SECRET_LENGTH = 4;
/** Far above any token or passphrase: a bigger "secret file" is the wrong file. */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** Checks a secret's shape; the value is never part of a message. */
export function checkSecret(kind: SecretKind, value: string, from: string): string {
  const secret = value.replace(/\r?\n$/, '');
  if (kind === 'token' && !TOKEN_EXACT.test(secret.trim())) {
    throw new UsageError(
      `the authorization token from ${from} is not 16 upper-case letters; copy it again ` +
        `from nbcertcmd -createToken's output.`,
    );
  }
  if (kind === 'passphrase' && secret.length < MIN_SECRET_LENGTH) {
    throw new UsageError(
      `the private key passphrase from ${from} is ${secret ? 'shorter than 4 characters' : 'empty'}` +
        `; OpenSSL refuses such a passphrase, and nbsecure could not hide it safely in what ` +
        `it prints.`,
    );
  }
  if (kind === 'apiKey') {
    const key = secret.trim();
    if (!API_KEY_EXACT.test(key)) {
      throw new UsageError(
        `the API key from ${from} is ${key ? 'not one unbroken string of at least 16 characters' : 'empty'}` +
          '; copy it again from the web UI (Security > API keys), where it is shown once when it is made.',
      );
    }
    return key;
  }
  return kind === 'token' ? secret.trim() : secret;
}

/**
 * A secret file must be a regular file readable by its owner alone. It is opened once and the
 * open file is checked (fstat), so a file swapped after a check is never read; a FIFO is refused
 * instead of waited on, and the size is capped.
 */
export function secretFromFile(kind: SecretKind, file: string): string {
  const flag = SECRET_KINDS[kind].flag;
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${flag} ${file} ${code === 'ENOENT' ? 'does not exist' : `cannot be opened (${code})`}.`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile())
      throw new UsageError(`${flag} ${file} is not a regular file; give the file that holds the secret.`);
    const mode = st.mode & 0o777;
    if (mode & 0o077) {
      throw new UsageError(
        `${flag} ${file} is readable by group or others (mode ${mode.toString(8).padStart(4, '0')}` +
          `); run chmod 600 ${file} and try again.`,
      );
    }
    if (st.size > MAX_SECRET_FILE_BYTES) {
      throw new UsageError(`${flag} ${file} is ${st.size} bytes: far too big to be ${SECRET_KINDS[kind].words}.`);
    }
    const buf = Buffer.alloc(MAX_SECRET_FILE_BYTES + 1);
    const n = readSync(fd, buf, 0, buf.length, 0);
    if (n > MAX_SECRET_FILE_BYTES)
      throw new UsageError(`${flag} ${file} is too big to be ${SECRET_KINDS[kind].words}.`);
    return checkSecret(kind, buf.subarray(0, n).toString('utf8'), `${flag} ${file}`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${flag} ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}).`);
  } finally {
    closeSync(fd);
  }
}

/** A secret from its file flag when one is given, else from its environment variable. */
export function secretFromFileOrEnv(kind: SecretKind, file: string | undefined, env: NodeJS.ProcessEnv) {
  return file ? secretFromFile(kind, file) : secretFromEnv(kind, env);
}

export function secretFromEnv(kind: SecretKind, env: NodeJS.ProcessEnv): string | undefined {
  const name = SECRET_KINDS[kind].env;
  return env[name] ? checkSecret(kind, env[name]!, name) : undefined;
}

export const tokenFromFile = (file: string) => secretFromFile('token', file);
export const tokenFromEnv = (env: NodeJS.ProcessEnv) => secretFromEnv('token', env);

/**
 * The environment NetBackup commands run with: nbsecure's own secret variables removed, and an API key
 * the shell may hold, so that no child (nor anything it starts) inherits a secret it was not handed on
 * purpose. `apiKey` is handed to the commands that act as an administrator, and to them alone.
 */
export function childEnvironment(env: NodeJS.ProcessEnv = process.env, apiKey?: string): NodeJS.ProcessEnv {
  const secretNames = new Set<string>([...Object.values(SECRET_KINDS).map((k) => k.env), NETBACKUP_APIKEY]);
  return {
    ...Object.fromEntries(Object.entries(env).filter(([k]) => !secretNames.has(k))),
    ...(apiKey ? { [NETBACKUP_APIKEY]: apiKey } : {}),
  };
}
