import { X509Certificate } from 'node:crypto';
import { request, type RequestOptions } from 'node:https';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { MEDIA_TYPE, REST } from '../catalogue/rest.js';

/** How the client talks to the primary; the defaults live here and nowhere else. */
export interface RestClientOptions {
  /** The API base, `https://PRIMARY:1556/netbackup`, or --api-url (a proxy, a test's loopback address). */
  url: string;
  /** The primary's name: its web certificate must be issued to it, whatever address the URL names. */
  serverName: string;
  /** The SHA-256 fingerprint of the CA the administrator confirmed (colon hex). */
  caFingerprint?: string;
  apiKey?: string;
  timeoutMs?: number;
  /** Further attempts after a 5xx or a connection reset, for calls that can be repeated safely. */
  retries?: number;
  retryDelayMs?: number;
}

const DEFAULTS = { timeoutMs: 30_000, retries: 2, retryDelayMs: 500 };

export type RestFailure = 'trust' | 'http' | 'timeout' | 'network';

/** A refused or failed call; its message never holds the key. */
export class RestError extends Error {
  constructor(
    message: string,
    readonly kind: RestFailure,
    readonly status?: number,
    /** The fingerprint the primary's CA really has, when trust failed on it. */
    readonly seen?: string,
  ) {
    super(message);
    this.name = 'RestError';
  }
}

export interface RestResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: unknown;
}

const hex = (fp: string) => fp.replace(/[^0-9a-f]/gi, '').toUpperCase();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The primary's REST API over pinned TLS. The CA comes from `/security/cacert` once, is accepted only
 * if its SHA-256 fingerprint is the one the administrator confirmed, and every later call is verified
 * against it and the primary's name. There is no way to turn verification off. The key is sent only
 * after the CA is trusted.
 */
export class RestClient {
  private ca: string | undefined;
  private readonly o: Required<Omit<RestClientOptions, 'caFingerprint' | 'apiKey'>> &
    Pick<RestClientOptions, 'caFingerprint' | 'apiKey'>;
  private readonly base: URL;

  constructor(options: RestClientOptions) {
    this.o = { ...DEFAULTS, ...options };
    this.base = new URL(options.url.replace(/\/+$/, ''));
    if (this.base.protocol !== 'https:') throw new RestError(`${options.url} is not an https URL`, 'trust');
  }

  /**
   * Fetches the CA and checks it: the one call made before trust exists, so it carries no key, and its
   * answer counts only if the CA's fingerprint matches and the server's own certificate was issued by it.
   */
  async trust(): Promise<{ fingerprint: string }> {
    if (this.ca) return { fingerprint: new X509Certificate(this.ca).fingerprint256 };
    const expected = this.o.caFingerprint;
    if (expected && hex(expected).length !== 64) {
      throw new RestError(
        `certificates.caFingerprint is a SHA-1 fingerprint; the REST client pins the CA by its SHA-256 ` +
          'fingerprint (nbcertcmd -displayCACertDetail shows both)',
        'trust',
      );
    }
    const { res, peer } = await this.send('GET', REST.cacert.path, undefined, { pinned: false });
    const pem = (res.body as { webRootCert?: unknown } | undefined)?.webRootCert;
    if (res.status !== 200 || typeof pem !== 'string') {
      throw new RestError(`GET ${REST.cacert.path} answered ${res.status} without a webRootCert`, 'trust', res.status);
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      throw new RestError(`GET ${REST.cacert.path}: webRootCert is not a certificate`, 'trust');
    }
    const seen = cert.fingerprint256;
    if (!expected) {
      throw new RestError(
        `no CA fingerprint to check the primary against (it presents ${seen}): compare it with what nbcertcmd ` +
          '-displayCACertDetail shows on the primary, put it in certificates.caFingerprint and plan again',
        'trust',
        undefined,
        seen,
      );
    }
    if (hex(seen) !== hex(expected)) {
      throw new RestError(
        `the primary's CA has the SHA-256 fingerprint ${seen}, not the expected ${expected}: ` +
          'nothing was sent to it. Check the fingerprint on the primary (nbcertcmd -displayCACertDetail); if it ' +
          'matches the answers, something between you and the primary is presenting another CA',
        'trust',
        undefined,
        seen,
      );
    }
    const presented = peer?.raw ? new X509Certificate(peer.raw) : undefined;
    if (!presented || !presented.checkIssued(cert) || !presented.verify(cert.publicKey)) {
      throw new RestError(
        `the server at ${this.base.host} presents a certificate the primary's CA did not issue`,
        'trust',
      );
    }
    this.ca = pem;
    return { fingerprint: seen };
  }

  /** An authenticated call, after trust. `idempotent` calls are retried on a 5xx or a reset. */
  async call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    opts: { idempotent?: boolean; auth?: boolean } = {},
  ): Promise<RestResponse> {
    await this.trust();
    const { idempotent = method === 'GET', auth = true } = opts;
    if (auth && !this.o.apiKey) throw new RestError('no API key was given', 'http');
    for (let attempt = 0; ; attempt++) {
      try {
        const { res } = await this.send(method, path, body, { pinned: true, auth });
        if (res.status >= 500 && idempotent && attempt < this.o.retries) {
          await sleep(this.o.retryDelayMs * 2 ** attempt);
          continue;
        }
        return res;
      } catch (e) {
        const reset =
          e instanceof RestError && e.kind === 'network' && /ECONNRESET|EPIPE|socket hang up/.test(e.message);
        if (reset && idempotent && attempt < this.o.retries) {
          await sleep(this.o.retryDelayMs * 2 ** attempt);
          continue;
        }
        throw e;
      }
    }
  }

  private send(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    how: { pinned: boolean; auth?: boolean },
  ): Promise<{ res: RestResponse; peer?: PeerCertificate }> {
    const url = new URL(this.base.pathname + path, this.base);
    const data = body === undefined ? undefined : JSON.stringify(body);
    const serverName = this.o.serverName;
    const options: RequestOptions = {
      method,
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || 443,
      path: url.pathname + url.search,
      // SNI carries a name, never an address (RFC 6066); the certificate is checked against it either way.
      ...(isIP(serverName) ? {} : { servername: serverName }),
      headers: {
        Accept: MEDIA_TYPE,
        ...(data !== undefined ? { 'Content-Type': MEDIA_TYPE, 'Content-Length': Buffer.byteLength(data) } : {}),
        ...(how.auth && this.o.apiKey ? { Authorization: this.o.apiKey } : {}),
      },
      agent: false,
      ...(how.pinned
        ? {
            ca: this.ca,
            rejectUnauthorized: true,
            checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(serverName, cert),
          }
        : // Before trust there is nothing to verify against: the answer is checked by fingerprint instead.
          { rejectUnauthorized: false }),
    };
    const what = `${method} ${url.pathname}`;
    return new Promise((resolve, reject) => {
      const req = request(options, (res) => {
        const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate?.(false);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new RestError(`${what}: ${e.message}`, 'network')));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = text;
          }
          const headers = Object.fromEntries(
            Object.entries(res.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v]),
          );
          resolve({ res: { status: res.statusCode ?? 0, headers, body: parsed }, ...(peer ? { peer } : {}) });
        });
      });
      req.setTimeout(this.o.timeoutMs, () =>
        req.destroy(new RestError(`${what} timed out after ${this.o.timeoutMs / 1000} s`, 'timeout')),
      );
      req.on('error', (e) => {
        if (e instanceof RestError) return reject(e);
        const code = (e as NodeJS.ErrnoException).code ?? '';
        const tls = /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|Hostname/i.test(`${code} ${e.message}`);
        reject(new RestError(`${what}: ${code ? `${code} ` : ''}${e.message}`, tls ? 'trust' : 'network'));
      });
      if (data !== undefined) req.write(data);
      req.end();
    });
  }
}

/** A one-line description of an HTTP failure: the status and the primary's own message, if it gave one. */
export function httpProblem(what: string, res: RestResponse): string {
  const b = res.body as { errorMessage?: unknown; message?: unknown } | undefined;
  const message =
    typeof b?.errorMessage === 'string' ? b.errorMessage : typeof b?.message === 'string' ? b.message : '';
  const hint =
    res.status === 401
      ? ': the API key was not accepted (expired, revoked or mistyped?)'
      : res.status === 403
        ? ": the API key's role does not allow this"
        : '';
  return `${what} answered ${res.status}${message ? ` (${message})` : ''}${hint}`;
}
