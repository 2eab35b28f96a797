import type { Answers } from '../environment/schema.js';

/**
 * What the wizard has collected so far: an answers file (version 1) in the making. Both front ends
 * fill the same object, and it is validated and planned exactly as a file would be.
 */
export type Draft = Record<string, unknown> & { version: 1 };
export type HostItem = Record<string, unknown> & { name: string };
export type HostListKey = 'mediaServers' | 'clients';

export function emptyDraft(): Draft {
  return { version: 1, primary: { name: '' } };
}

export function getPath(draft: Draft, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), draft);
}

/** Sets a dotted path, creating objects on the way; undefined removes the field. Returns a new draft. */
export function setPath(draft: Draft, path: string, value: unknown): Draft {
  const copy = structuredClone(draft);
  const keys = path.split('.');
  let o: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) {
    if (!o[k] || typeof o[k] !== 'object') o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  const last = keys.at(-1)!;
  if (value === undefined) delete o[last];
  else o[last] = value;
  return copy;
}

export function hostList(draft: Draft, key: HostListKey): HostItem[] {
  return ((draft[key] as HostItem[] | undefined) ?? []).map((h) => ({ ...h }));
}

export function setHostList(draft: Draft, key: HostListKey, items: HostItem[]): Draft {
  return setPath(draft, key, items.length ? items : undefined);
}

/** The draft without empty sections, in the order of the answers file format. */
export function cleanDraft(draft: Draft): Answers {
  const order = [
    'version',
    'installPath',
    'primary',
    'mediaServers',
    'clients',
    'certificates',
    'security',
    'hardening',
  ];
  const prune = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(prune);
    if (v && typeof v === 'object') {
      const entries = Object.entries(v)
        .map(([k, x]) => [k, prune(x)] as const)
        .filter(
          ([, x]) =>
            x !== undefined &&
            x !== '' &&
            !(typeof x === 'object' && x !== null && !Array.isArray(x) && Object.keys(x).length === 0),
        );
      return Object.fromEntries(entries);
    }
    return v;
  };
  const pruned = prune(draft) as Record<string, unknown>;
  return Object.fromEntries(order.filter((k) => pruned[k] !== undefined).map((k) => [k, pruned[k]])) as Answers;
}

/**
 * A host list after one of its hosts was edited. A media server's new name follows into the DMZ clients
 * that tunnel through it, so no client is left pointing at a name that no longer exists.
 */
export function replaceHost(draft: Draft, list: HostListKey, editing: string, item: HostItem): Draft {
  const items = hostList(draft, list);
  let d = setHostList(draft, list, editing ? items.map((h) => (h.name === editing ? item : h)) : [...items, item]);
  if (list === 'mediaServers' && editing && editing !== item.name) {
    d = setHostList(
      d,
      'clients',
      hostList(d, 'clients').map((c) =>
        Array.isArray(c.tunnelVia)
          ? { ...c, tunnelVia: (c.tunnelVia as string[]).map((n) => (n === editing ? item.name : n)) }
          : c,
      ),
    );
  }
  return d;
}

/** The draft without the named hosts of one list. */
export function removeHosts(draft: Draft, list: HostListKey, names: Iterable<string>): Draft {
  const gone = new Set(names);
  return setHostList(
    draft,
    list,
    hostList(draft, list).filter((h) => !gone.has(h.name)),
  );
}

/** Whether remembered answers hold a site worth asking about before an import replaces them. */
export const hasSite = (d: Draft | undefined): d is Draft =>
  d !== undefined &&
  Boolean(getPath(d, 'primary.name') || hostList(d, 'mediaServers').length || hostList(d, 'clients').length);

/** One line about a site, so a person knows what an import would replace. */
export const siteLine = (d: Draft) =>
  `primary ${String(getPath(d, 'primary.name') || 'not named yet')}, ${hostList(d, 'mediaServers').length} media ` +
  `servers, ${hostList(d, 'clients').length} clients`;
