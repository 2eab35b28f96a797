import { configLine } from '../plan/config-line.js';
import type { ConfigEntry } from '../plan/types.js';

export type ConfigLine = [key: string, value: string];

/** `KEY = VALUE` lines as nbgetconfig prints them (and nbsetconfig reads them). */
export function parseConfigLines(text: string): ConfigLine[] {
  return text.split('\n').flatMap((line) => {
    const i = line.indexOf('=');
    if (i <= 0) return [];
    const key = line.slice(0, i).trim();
    return /^[A-Z][A-Z0-9_]*$/.test(key) ? [[key, line.slice(i + 1).trim()] as ConfigLine] : [];
  });
}

export interface ConfigChange {
  /** What nbsetconfig gets: only the keys that differ, each with its complete list. */
  stdin: string;
  changedKeys: string[];
}

/**
 * Which owned keys must be written. A repeated key keeps the host's other values after the
 * planned ones (writing it replaces the whole set); a key whose values already match is left alone;
 * keys the plan does not own are never mentioned.
 */
export function configChange(current: ConfigLine[], planned: ConfigEntry[], repeated: readonly string[]): ConfigChange {
  const keys = [...new Set(planned.map((e) => e.key))];
  const lines: string[] = [];
  const changedKeys: string[] = [];
  for (const key of keys) {
    const want = planned.filter((e) => e.key === key).map((e) => e.value);
    const have = current.filter(([k]) => k === key).map(([, v]) => v);
    const desired = repeated.includes(key) ? [...want, ...have.filter((v) => !want.includes(v))] : want;
    if (desired.length === have.length && desired.every((v, i) => v === have[i])) continue;
    changedKeys.push(key);
    for (const v of desired) lines.push(`${configLine(key, v)}\n`);
  }
  return { stdin: lines.join(''), changedKeys };
}

/**
 * Identity keys the host already holds with another value than the plan's: writing one would change
 * the host's NetBackup identity (policies, host ID mappings, catalog), so the step stops instead.
 */
export function identityConflicts(
  current: ConfigLine[],
  planned: ConfigEntry[],
  keys: readonly string[],
): { key: string; have: string; want: string }[] {
  return keys.flatMap((key) => {
    const want = planned.find((e) => e.key === key)?.value;
    const have = current.find(([k]) => k === key)?.[1];
    return want !== undefined && have !== undefined && have !== want ? [{ key, have, want }] : [];
  });
}
