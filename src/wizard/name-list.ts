import { getPath, hostList, type Draft, type HostListKey } from './draft.js';
import { hostNameProblem } from './questions.js';

/** Pasted host names, each checked as it is read: the good ones, the ones skipped, and the ones refused. */
export interface NameList {
  names: string[];
  /** Already in the list (or twice in the text): left out, not an error. */
  skipped: string[];
  refused: { name: string; why: string }[];
}

/**
 * The host names in pasted text (spaces, commas, semicolons or new lines between them). A paste of any
 * length keeps every good name; a bad one is refused with its reason, never silently dropped or mangled.
 */
export function parseNameList(text: string, existing: readonly string[]): NameList {
  const seen = new Set(existing.map((n) => n.toLowerCase()));
  const out: NameList = { names: [], skipped: [], refused: [] };
  for (const name of text.split(/[\s,;]+/).filter(Boolean)) {
    const problem = hostNameProblem(name);
    if (problem) out.refused.push({ name, why: problem });
    else if (seen.has(name.toLowerCase())) out.skipped.push(name);
    else {
      seen.add(name.toLowerCase());
      out.names.push(name);
    }
  }
  return out;
}

/** The refusals in a person's words: every refused name, each with why (the reasons are few and shared). */
export function refusedText(refused: NameList['refused']): string {
  const byWhy = new Map<string, string[]>();
  for (const r of refused) byWhy.set(r.why, [...(byWhy.get(r.why) ?? []), r.name]);
  return [...byWhy]
    .map(
      ([why, names]) =>
        `${names.length === 1 ? 'Not a host name' : `${names.length} are not host names`}: ` +
        `${names.join(', ')}. ${why}`,
    )
    .join(' ');
}

/** Every host name already in the site, outside `list` too: a host appears once. */
export function siteNames(d: Draft, list: HostListKey): string[] {
  const other: HostListKey = list === 'clients' ? 'mediaServers' : 'clients';
  const primary = getPath(d, 'primary.name');
  return [...(typeof primary === 'string' && primary ? [primary] : []), ...hostList(d, other).map((h) => h.name)];
}
