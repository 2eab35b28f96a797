import type { Os } from '../environment/types.js';
import type { PlanCommand, Step } from '../plan/types.js';
import { FILE_PLACEHOLDER_RE } from '../plan/step.js';
import { psQuote, shQuote } from './quote.js';
import { SECRET_KINDS } from '../execute/token.js';

/** How a placeholder reads to a person: `{file:token}` → `<token file>`. */
export function placeholderLabel(arg: string): string | undefined {
  const m = FILE_PLACEHOLDER_RE.exec(arg);
  return m ? `<${m[1]!.replace(/-/g, ' ')} file>` : undefined;
}

/** One command as a person would type it on that OS; placeholders stay visible as <... file>. */
export function displayCommand(cmd: PlanCommand, os: Os): string {
  if (os === 'windows') {
    return `& ${[cmd.file, ...cmd.args].map((a) => placeholderLabel(a) ?? psQuote(a)).join(' ')}`;
  }
  return [cmd.file, ...cmd.args].map((a) => placeholderLabel(a) ?? shQuote(a)).join(' ');
}

/** What a step hands over beside its argv, in words, for runbooks and the dry run. */
export function describeFiles(step: Step): string[] {
  return (step.files ?? []).map((f) =>
    f.secret
      ? `${placeholderLabel(f.placeholder)}: ${SECRET_KINDS[f.secret].words}` +
        `, written to a 0600 file at run time and removed afterwards (from ${SECRET_KINDS[f.secret].flag}` +
        `, ${SECRET_KINDS[f.secret].env} or a hidden prompt)`
      : `${placeholderLabel(f.placeholder)}: a file holding ${JSON.stringify((f.content ?? '').trim())}`,
  );
}
