/** Word-wraps one line to `width` columns; the lines it continues on are indented two more. */
export function wrapLines(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const first = /^\s*/.exec(text)![0];
  const cont = `${first}  `;
  const out: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.trim().split(/\s+/)) {
    if (empty) line += word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      out.push(line);
      line = cont + word;
    }
    empty = false;
    // A word longer than the width (a fingerprint, a path) is cut, not left to overflow the row.
    while (line.length > width) {
      out.push(line.slice(0, width));
      line = cont + line.slice(width);
    }
  }
  out.push(line);
  return out;
}
