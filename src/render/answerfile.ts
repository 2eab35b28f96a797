import type { InstallAnswers } from '../plan/types.js';
import { configLine } from '../plan/config-line.js';

/**
 * A host's install answers as the installer reads them: NBInstallAnswer.conf lines on UNIX, `@set`
 * lines (CRLF) for the silent-install script on Windows. Everything in it was decided in the plan.
 */
export function renderInstallAnswers(answers: InstallAnswers): string {
  if (answers.kind === 'windows') {
    const lines = answers.lines.map((l) => ('comment' in l ? `@REM ${l.comment}` : `@set ${l.key}=${l.value}`));
    return `${lines.join('\r\n')}\r\n`;
  }
  return `${answers.lines.map((l) => ('comment' in l ? `# ${l.comment}` : configLine(l.key, l.value))).join('\n')}\n`;
}
