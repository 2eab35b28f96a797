import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level: the same data always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The digest of a plan is over everything but the digest itself. */
export function planDigest(plan: object): string {
  const { digest: _ignored, ...rest } = plan as { digest?: string };
  return sha256(canonicalJson(rest));
}
