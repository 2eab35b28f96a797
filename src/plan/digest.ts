import { createHash } from 'node:crypto';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The digest of a plan is over everything but the digest itself, serialised with JSON.stringify.
 * Key order is part of the content: buildPlan inserts keys in one fixed order and JSON.parse keeps
 * the order of the file, so a plan reads back to the same bytes unless someone rewrote it (which
 * is what the digest is there to notice). Native serialisation keeps a 10,000-host plan fast.
 */
export function planDigest(plan: object): string {
  const { digest: _ignored, ...rest } = plan as { digest?: string; hosts?: unknown[] };
  const hosts = rest.hosts;
  if (!Array.isArray(hosts)) return sha256(JSON.stringify(rest));
  // The same bytes as JSON.stringify(rest), hashed one host at a time so that the whole
  // serialised plan never sits in memory. A quote inside any string is escaped, so the
  // marker below can only be the hosts key itself.
  const marker = '"hosts":[]';
  const frame = JSON.stringify({ ...rest, hosts: [] });
  const at = frame.indexOf(marker) + marker.length - 1;
  const hash = createHash('sha256').update(frame.slice(0, at));
  hosts.forEach((h, i) => hash.update(i ? `,${JSON.stringify(h)}` : JSON.stringify(h)));
  return hash.update(frame.slice(at)).digest('hex');
}

/** JSON with every object's keys sorted: the same data gives the same text, however it was built. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/**
 * Digest of the normalised answers. Canonical, because an Environment can come from a file, the
 * wizard or a caller of buildPlan, each building its objects in its own key order.
 */
export function answersDigest(env: object): string {
  return sha256(canonicalJson(env));
}
