import { isMap, isScalar, visit, type Document, type LineCounter } from 'yaml';

/**
 * Keys given twice in one map, found in one pass with a set per map. The YAML library's own
 * `uniqueKeys` check compares every pair of keys, which takes seconds on a map of 20,000 keys.
 */
export function duplicateKeys(doc: Document, lc: LineCounter): { key: string; line: number; col: number }[] {
  const found: { key: string; line: number; col: number }[] = [];
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (!seen.has(key)) {
          seen.add(key);
          continue;
        }
        const at = isScalar(pair.key) && pair.key.range ? lc.linePos(pair.key.range[0]) : { line: 0, col: 0 };
        found.push({ key: String(key), ...at });
      }
    },
  });
  return found;
}

/**
 * Whether JSON text gives a key twice in one object. JSON.parse keeps the last silently; the
 * answers must be refused instead, as the same YAML is. One pass over the text.
 */
export function jsonHasDuplicateKeys(text: string): boolean {
  const stack: (Set<string> | null)[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const raw = text.slice(i, j + 1);
      i = j + 1;
      const keys = stack.at(-1);
      if (!keys) continue;
      let k = i;
      while (k < n && /\s/.test(text[k]!)) k++;
      if (text[k] !== ':') continue;
      let key: string;
      try {
        key = JSON.parse(raw) as string;
      } catch {
        return false;
      }
      if (keys.has(key)) return true;
      keys.add(key);
      continue;
    }
    if (ch === '{') stack.push(new Set());
    else if (ch === '[') stack.push(null);
    else if (ch === '}' || ch === ']') stack.pop();
    i++;
  }
  return false;
}
