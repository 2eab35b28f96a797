import { REST } from '../catalogue/rest.js';
import { httpProblem, RestClient, RestError } from '../execute/rest-client.js';

/** doctor --primary's look at the primary's REST API: its version, its CA, and whether the API key works. */
export interface Preflight {
  url: string;
  /** The CA's SHA-256 fingerprint against the answers' (or --ca-fingerprint); `seen` is what the primary has. */
  ca: { ok: boolean; expected?: string; seen?: string; error?: string };
  /** GET /security/serverinfo (no authentication), over the pinned connection. */
  serverInfo?: { ok: boolean; nbuVersion?: string; serverName?: string; error?: string };
  /** An authenticated read (GET /security/properties): accepted, refused, or not tried without a key. */
  apiKey: { checked: boolean; ok?: boolean; status?: number; error?: string };
}

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

export async function preflightPrimary(o: {
  url: string;
  primary: string;
  caFingerprint?: string;
  apiKey?: string;
  timeoutMs: number;
}): Promise<Preflight> {
  const client = new RestClient({
    url: o.url,
    serverName: o.primary,
    ...(o.caFingerprint ? { caFingerprint: o.caFingerprint } : {}),
    ...(o.apiKey ? { apiKey: o.apiKey } : {}),
    timeoutMs: o.timeoutMs,
    retries: 0,
  });
  const expected = o.caFingerprint ? { expected: o.caFingerprint } : {};
  const result: Preflight = { url: o.url, ca: { ok: false, ...expected }, apiKey: { checked: false } };
  try {
    const { fingerprint } = await client.trust();
    result.ca = { ok: true, ...expected, seen: fingerprint };
  } catch (e) {
    if (!(e instanceof RestError)) throw e;
    result.ca = { ok: false, ...expected, ...(e.seen ? { seen: e.seen } : {}), error: e.message };
    return result;
  }
  try {
    const info = await client.call('GET', REST.serverinfo.path, undefined, { auth: false });
    const b = (info.body ?? {}) as Record<string, unknown>;
    result.serverInfo =
      info.status === 200
        ? {
            ok: true,
            ...(text(b.nbuVersion) ? { nbuVersion: text(b.nbuVersion) } : {}),
            ...(text(b.serverName) ? { serverName: text(b.serverName) } : {}),
          }
        : { ok: false, error: httpProblem(`GET ${REST.serverinfo.path}`, info) };
  } catch (e) {
    if (!(e instanceof RestError)) throw e;
    result.serverInfo = { ok: false, error: e.message };
  }
  if (!o.apiKey) return result;
  try {
    const r = await client.call('GET', REST.properties.path);
    result.apiKey =
      r.status === 200
        ? { checked: true, ok: true, status: r.status }
        : { checked: true, ok: false, status: r.status, error: httpProblem(`GET ${REST.properties.path}`, r) };
  } catch (e) {
    if (!(e instanceof RestError)) throw e;
    result.apiKey = { checked: true, ok: false, error: e.message };
  }
  return result;
}

/** The pre-flight in lines a person reads. */
export function preflightLines(p: Preflight): string[] {
  const mark = (ok: boolean | undefined) => (ok ? 'ok  ' : 'FAIL');
  return [
    `REST API ${p.url}:`,
    `  ${mark(p.ca.ok)}  CA fingerprint ${p.ca.ok ? `${p.ca.seen} (as expected)` : (p.ca.error ?? '')}`,
    ...(p.serverInfo
      ? [
          `  ${mark(p.serverInfo.ok)}  server info ${
            p.serverInfo.ok
              ? `${p.serverInfo.serverName ?? '?'}, NetBackup ${p.serverInfo.nbuVersion ?? '?'}`
              : p.serverInfo.error
          }`,
        ]
      : []),
    p.apiKey.checked
      ? `  ${mark(p.apiKey.ok)}  API key ${p.apiKey.ok ? 'accepted' : p.apiKey.error}`
      : '  ----  API key not checked (give --api-key-file FILE or NBSECURE_API_KEY)',
  ];
}

export function preflightOk(p: Preflight): boolean {
  return p.ca.ok && (p.serverInfo?.ok ?? false) && (!p.apiKey.checked || Boolean(p.apiKey.ok));
}
