/** POSIX shell single-quoting: the value reaches the command byte for byte, whatever it holds. */
export function shQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Bash $'...' form for multi-line text such as nbsetconfig input. */
export function shAnsiC(s: string): string {
  return `$'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/**
 * PowerShell single-quoted string. PowerShell ends such a string at the ASCII quote and at the
 * typographic single quotes too (U+2018, U+2019, U+201A, U+201B); each is doubled to stay literal.
 */
export const PS_SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;
export function psQuote(s: string): string {
  return `'${s.replace(PS_SINGLE_QUOTES, (q) => q + q)}'`;
}

/** Keeps generated comments on one line, whatever a value contains. */
export function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}
