/**
 * Free-text values that reach a host: install roots and external-CA paths. They become command
 * paths, arguments and `KEY = VALUE` lines, so a line break would be a new configuration line and
 * a quote (PowerShell counts the typographic ones too) could end a string in a script.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
export const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;
/** Line and paragraph separators: YAML readers (Ansible's among them) take them as line breaks. */
const LINE_SEPARATOR_RE = /[\u2028\u2029]/;
/** PATH_MAX on Linux; Windows' long paths are shorter still in practice. */
export const PATH_MAX = 4096;
/** Quote characters PowerShell recognises beyond the ASCII ones (single and double, typographic). */
export const TYPOGRAPHIC_QUOTES_RE = /[\u2018\u2019\u201A\u201B\u201C\u201D\u201E]/;
export const POSIX_ABSOLUTE_RE = /^\/(?!\/)/;
/** A drive (`C:\` or `C:/`) or a UNC share (`\\server\share`). */
export const WINDOWS_ABSOLUTE_RE = /^(?:[A-Za-z]:[\\/]|\\\\[^\\/]+[\\/][^\\/]+)/;
/** Characters Windows never allows in a path (beyond the drive's colon). */
const WINDOWS_FORBIDDEN_RE = /[<>"|?*]/;

export type PathOs = 'linux' | 'windows';

/** Why a path cannot be used at all, whatever the host, or undefined when it can. */
export function pathTextProblem(p: string): string | undefined {
  if (p.length > PATH_MAX) return `is ${p.length} characters long; a path has at most ${PATH_MAX}`;
  if (CONTROL_RE.test(p) || LINE_SEPARATOR_RE.test(p)) {
    return 'holds a line break or another control character; give one path on one line';
  }
  if (TYPOGRAPHIC_QUOTES_RE.test(p)) {
    return (
      'holds a typographic quote (‘ ’ ‚ ‛ “ ” „), which scripts would read as the end of ' +
      'a string; type it again with plain characters'
    );
  }
  if (!POSIX_ABSOLUTE_RE.test(p) && !WINDOWS_ABSOLUTE_RE.test(p)) {
    return 'must be an absolute path: /like/this on Linux and UNIX, C:\\like\\this or \\\\server\\share on Windows';
  }
  return undefined;
}

/** Why a path does not suit a host of this OS, or undefined when it does. */
export function pathForOsProblem(p: string, os: PathOs): string | undefined {
  if (os === 'linux' && !POSIX_ABSOLUTE_RE.test(p)) return 'is not an absolute POSIX path (/like/this)';
  if (os === 'windows') {
    if (!WINDOWS_ABSOLUTE_RE.test(p)) return 'is not an absolute Windows path (C:\\like\\this or \\\\server\\share)';
    if (WINDOWS_FORBIDDEN_RE.test(p.slice(2)))
      return 'holds a character Windows does not allow in a path (< > " | ? *)';
  }
  return undefined;
}
