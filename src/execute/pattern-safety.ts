/**
 * Whether a done-check pattern from a saved plan is safe to run against a command's output. nbsecure's own
 * patterns are short literals with \b and .? (a fingerprint, a setting's name); a plan that carries a longer
 * one, a back-reference or a repeated group that itself repeats (catastrophic backtracking: `(a+)+$` takes
 * minutes on a line of forty a's) was not written by nbsecure.
 */
export const PATTERN_MAX = 256;

export function patternProblem(pattern: string): string | undefined {
  if (pattern.length > PATTERN_MAX) return `its done-check pattern is longer than ${PATTERN_MAX} characters`;
  if (/\\[1-9]|\\k</.test(pattern)) return 'its done-check pattern holds a back-reference';
  try {
    new RegExp(pattern, 'i');
  } catch {
    return 'its done-check pattern is not a valid pattern';
  }
  // Each open group: whether it holds a quantifier or an alternation. A group that does, repeated, backtracks.
  const open: boolean[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') {
      // A class is one character: skip to its end.
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
      continue;
    }
    if (c === '(') {
      open.push(false);
      // (?:  (?=  (?!  (?<=  (?<!  (?<name>: the group's kind, not a quantifier.
      const kind = /^\?(?:[:=!]|<[=!]|<[A-Za-z_]\w*>)/.exec(pattern.slice(i + 1));
      if (kind) i += kind[0].length;
    } else if ('*+?{|'.includes(c) && open.length) open[open.length - 1] = true;
    else if (c === ')') {
      const inner = open.pop() ?? false;
      if (inner && /^[*+{]|^\?(?![=!<:])/.test(pattern.slice(i + 1))) {
        return 'its done-check pattern repeats a group that itself repeats (catastrophic backtracking)';
      }
      if (inner && open.length) open[open.length - 1] = true;
    }
  }
  return undefined;
}
