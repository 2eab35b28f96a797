import { UsageError } from '../errors.js';

/**
 * One `KEY = VALUE` line, as nbsetconfig reads it and bp.conf and NBInstallAnswer.conf hold it.
 * Validation already refuses line breaks in every value; this is the second line of defence,
 * because a value holding one would write a configuration line of its own.
 */
export function configLine(key: string, value: string): string {
  if (/[\r\n\0\u2028\u2029]/.test(value) || !/^[A-Z][A-Z0-9_]*$/.test(key)) {
    throw new UsageError(
      `refusing to write the configuration line ${key}` +
        `: its value holds a line break, which would become a configuration line of its own. ` +
        `Fix the value in the answers and plan again.`,
    );
  }
  return `${key} = ${value}`;
}
