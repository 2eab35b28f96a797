/**
 * Markdown by context. Values from the answers (paths above all) reach the runbook, and a backtick
 * run or raw HTML in one must not end a code span, close a fence or open a tag.
 */

/** Text in a paragraph or a list item: a tag or an entity is shown as typed, never interpreted. */
export function mdText(s: string): string {
  return s.replace(/&(?=#?[A-Za-z0-9]+;)/g, '&amp;').replace(/</g, '&lt;');
}

const longestBackticks = (s: string) => Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length));

/** An inline code span whose delimiter is longer than any backtick run inside it (CommonMark). */
export function mdCode(s: string): string {
  const tick = '`'.repeat(longestBackticks(s) + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${tick}${pad}${s}${pad}${tick}`;
}

/** A fenced block whose fence is longer than any backtick run in its content (CommonMark). */
export function mdFence(content: string, lang = ''): string {
  const fence = '`'.repeat(Math.max(3, longestBackticks(content) + 1));
  return `${fence}${lang}\n${content}\n${fence}`;
}
