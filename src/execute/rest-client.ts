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
  /** The whole call, every attempt and every byte of the answer included, ends by this deadline. */
  timeoutMs?: number;
  /** The most an answer may hold; a longer one is cut off and the call fails (the first call comes before trust). */
  maxBodyBytes?: number;
  /** Further attempts after a 5xx or a connection reset, for calls that can be repeated safely. */
  retries?: number;
  retryDelayMs?: number;
}

// The largest answer nbsecure reads is the CA listing or the security properties: a few kilobytes.
const DEFAULTS = { timeoutMs: 30_000, retries: 2, retryDelayMs: 500, maxBodyBytes: 1 << 20 };

export type RestFailure = 'trust' | 'http' | 'timeout' | 'network' | 'size';

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
  async trust(deadline = Date.now() + this.o.timeoutMs): Promise<{ fingerprint: string }> {
    if (this.ca) return { fingerprint: new X509Certificate(this.ca).fingerprint256 };
    const expected = this.o.caFingerprint;
    if (expected && hex(expected).length !== 64) {
      throw new RestError(
        `certificates.caFingerprint is a SHA-1 fingerprint; the REST client pins the CA by its SHA-256 ` +
          'fingerprint (nbcertcmd -displayCACertDetail shows both)',
        'trust',
      );
    }
    const { res, peer } = await this.send('GET', REST.cacert.path, undefined, { pinned: false, deadline });
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
    const deadline = Date.now() + this.o.timeoutMs;
    await this.trust(deadline);
    const { idempotent = method === 'GET', auth = true } = opts;
    if (auth && !this.o.apiKey) throw new RestError('no API key was given', 'http');
    // A retry waits only while the call's own deadline leaves room for it.
    const retryAfter = (attempt: number) => {
      const wait = this.o.retryDelayMs * 2 ** attempt;
      return attempt < this.o.retries && Date.now() + wait < deadline ? wait : undefined;
    };
    for (let attempt = 0; ; attempt++) {
      try {
        const { res } = await this.send(method, path, body, { pinned: true, auth, deadline });
        const wait = res.status >= 500 && idempotent ? retryAfter(attempt) : undefined;
        if (wait === undefined) return res;
        await sleep(wait);
      } catch (e) {
        const reset =
          e instanceof RestError && e.kind === 'network' && /ECONNRESET|EPIPE|socket hang up/.test(e.message);
        const wait = reset && idempotent ? retryAfter(attempt) : undefined;
        if (wait === undefined) throw e;
        await sleep(wait);
      }
    }
  }

  /** A server's words with the key taken out: a 401 that echoes the Authorization header must not print it. */
  private redact(text: string): string {
    const key = this.o.apiKey;
    return key ? text.split(key).join('[redacted]') : text;
  }

  private send(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    how: { pinned: boolean; auth?: boolean; deadline: number },
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
    const limit = this.o.maxBodyBytes;
    return new Promise((resolve, reject) => {
      // One deadline for connecting, sending and every byte of the answer: a server that trickles a byte a
      // second keeps an idle timer alive for ever, never this one.
      let cause: RestError | undefined;
      const stop = (e: RestError) => {
        cause ??= e;
        req.destroy(e);
      };
      const timer = setTimeout(
        () => stop(new RestError(`${what} timed out after ${this.o.timeoutMs / 1000} s`, 'timeout')),
        Math.max(0, how.deadline - Date.now()),
      );
      const fail = (e: Error) => {
        clearTimeout(timer);
        reject(cause ?? e);
      };
      const req = request(options, (res) => {
        const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate?.(false);
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > limit) {
            stop(new RestError(`${what}: the answer is larger than ${limit} bytes; it was cut off`, 'size'));
            return;
          }
          chunks.push(c);
        });
        res.on('error', (e) => fail(e instanceof RestError ? e : new RestError(`${what}: ${e.message}`, 'network')));
        res.on('end', () => {
          clearTimeout(timer);
          const text = this.redact(Buffer.concat(chunks).toString('utf8'));
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = text;
          }
          const headers = Object.fromEntries(
            Object.entries(res.headers).map(([k, v]) => [
              k.toLowerCase(),
              v === undefined ? v : this.redact(Array.isArray(v) ? v.join(', ') : v),
            ]),
          );
          resolve({ res: { status: res.statusCode ?? 0, headers, body: parsed }, ...(peer ? { peer } : {}) });
        });
      });
      req.on('error', (e) => {
        if (e instanceof RestError) return fail(e);
        const code = (e as NodeJS.ErrnoException).code ?? '';
        const tls = /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|Hostname/i.test(`${code} ${e.message}`);
        fail(new RestError(this.redact(`${what}: ${code ? `${code} ` : ''}${e.message}`), tls ? 'trust' : 'network'));
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
