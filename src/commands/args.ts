import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with errors a user can act on, naming the command and its --help. */
export function parseCommandArgs<O extends Options>(
  command: string,
  args: string[],
  options: O,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '');
    throw new UsageError(`nbsecure ${command}: ${msg}. See nbsecure ${command} --help.`);
  }
}

export function required(command: string, value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`nbsecure ${command} needs ${flag}. See nbsecure ${command} --help.`);
  return value;
}

/** --api-url: an https URL without credentials in it (they would show in the resume command and the journal). */
export function checkApiUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--api-url ${text} is not a URL; give it as https://HOST:PORT/netbackup.`);
  }
  if (url.protocol !== 'https:')
    throw new UsageError(`--api-url ${text} must be https: nbsecure never talks plain HTTP.`);
  if (url.username || url.password) throw new UsageError('--api-url must not hold a user or password.');
  return url.href.replace(/\/+$/, '');
}

/** --otp: the code an authenticator shows (6 digits; some show 8). */
export function checkOtp(otp: string | undefined): void {
  if (otp !== undefined && !/^\d{6,8}$/.test(otp)) {
    throw new UsageError('--otp must be the 6-digit code your authenticator shows.');
  }
}
