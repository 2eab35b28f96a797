import { UsageError } from '../errors.js';
import { findStatus, STATUS_REFERENCE } from '../catalogue/statuses.js';
import { writeLine, type Io } from '../output.js';
import { parseCommandArgs } from './args.js';

export async function explainCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('explain', args, { json: { type: 'boolean' } }, true);
  if (positionals.length !== 1 || !/^\d{1,6}$/.test(positionals[0]!)) {
    throw new UsageError(
      'nbsecure explain needs one NetBackup exit status, a whole number such as 5955. See nbsecure explain --help.',
    );
  }
  const code = Number(positionals[0]);
  const info = findStatus(code);
  if (values.json) {
    writeLine(
      io.stdout,
      JSON.stringify(info ? { known: true, ...info } : { known: false, code, reference: STATUS_REFERENCE }, null, 2),
    );
    return 0;
  }
  if (!info) {
    writeLine(
      io.stdout,
      `NetBackup status ${code} is not in nbsecure's catalogue. ` +
        `Look it up in ${STATUS_REFERENCE.replace('{code}', String(code))}.`,
    );
    return 0;
  }
  writeLine(
    io.stdout,
    `NetBackup status ${code}\n\nMeaning: ${info.meaning}` +
      `\nLikely cause: ${info.cause}\nRemedy: ${info.remedy}` +
      `\nSource: ${info.source}${info.confidence === 'unconfirmed' ? ' (unconfirmed: verify for your version)' : ''}`,
  );
  return 0;
}
