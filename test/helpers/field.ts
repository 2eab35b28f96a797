// eslint-disable-next-line no-control-regex -- terminal escapes are what this strips
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** The text in the focused field of a wizard screen: the last line that starts with the `›` marker. */
export function fieldValue(frame: string): string | undefined {
  const line = frame
    .replace(ANSI, '')
    .split('\n')
    .filter((l) => /^\s*› /.test(l))
    .at(-1);
  return line?.replace(/^\s*› /, '').trimEnd();
}

/**
 * Empties the focused field as a person does: one Backspace at a time, each seen on the screen
 * before the next, so that how many keys it takes comes from the screen, not from the test.
 */
export async function clearField(drv: {
  frame(): string;
  wait(test: (f: string) => boolean, timeoutMs?: number): Promise<string>;
  key(k: string): Promise<void>;
}): Promise<void> {
  for (let left = fieldValue(drv.frame()); left; left = fieldValue(drv.frame())) {
    const before = left.length;
    await drv.key('\u007f');
    await drv.wait((f) => (fieldValue(f) ?? '').length < before, 5000);
  }
}
