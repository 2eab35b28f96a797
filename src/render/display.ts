import type { Os } from '../environment/types.js';
import { isFileArg } from '../plan/args.js';
import type { Arg, FileName, PlanCommand, Step } from '../plan/types.js';
import { psQuote, shQuote } from './quote.js';
import { SECRET_KINDS } from '../execute/token.js';

/** How a file reads to a person: `token` → `<token file>`. */
export function fileLabel(file: FileName): string {
  return `<${file.replace(/-/g, ' ')} file>`;
}

/** One command as a person would type it on that OS; files stay visible as <... file>. */
export function displayCommand(cmd: Pick<PlanCommand, 'file' | 'argv'>, os: Os): string {
  const quote = os === 'windows' ? psQuote : shQuote;
  const words = [cmd.file, ...cmd.argv].map((a: Arg) => (isFileArg(a) ? fileLabel(a.file) : quote(a)));
  return os === 'windows' ? `& ${words.join(' ')}` : words.join(' ');
}

/** What a step hands over beside its argv, in words, for runbooks and the dry run. */
export function describeFiles(step: Step): string[] {
  return (step.files ?? []).map((f) =>
    f.secret
      ? `${fileLabel(f.name)}: ${SECRET_KINDS[f.secret].words}` +
        `, written to a 0600 file at run time and removed afterwards (from ${SECRET_KINDS[f.secret].flag}` +
        `, ${SECRET_KINDS[f.secret].env} or a hidden prompt)`
      : `${fileLabel(f.name)}: a file holding ${JSON.stringify((f.content ?? '').trim())}`,
  );
}
