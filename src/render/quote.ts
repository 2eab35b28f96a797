/** POSIX shell single-quoting: the value reaches the command byte for byte, whatever it holds. */
export function shQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Bash $'...' form for multi-line text such as nbsetconfig input. */
export function shAnsiC(s: string): string {
  return `$'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** PowerShell single-quoted string: only the quote itself needs doubling. */
export function psQuote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Keeps generated comments on one line, whatever a value contains. */
export function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}
