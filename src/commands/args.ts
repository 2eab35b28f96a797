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
