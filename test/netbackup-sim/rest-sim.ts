// The primary's REST API for the tests: HTTPS on a loopback address, with a CA made at test time. It keeps
// the domain's global settings and tokens in the same files the simulated commands use, so nbseccmd and
// the API see one primary.
import { X509Certificate } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { generate } from 'selfsigned';

export interface Pki {
  caCert: string;
  fingerprint: string;
  key: string;
  cert: string;
}

/** A CA and the primary's web certificate issued by it, for `primary` (the name TLS is checked against). */
export async function makePki(primary: string): Promise<Pki> {
  const validity = { notBeforeDate: new Date(Date.now() - 60_000), notAfterDate: new Date(Date.now() + 86_400_000) };
  const ca = await generate([{ name: 'commonName', value: 'nbatd' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    ...validity,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const leaf = await generate([{ name: 'commonName', value: primary }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    ...validity,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: primary }] },
    ],
  });
  return {
    caCert: ca.cert,
    fingerprint: new X509Certificate(ca.cert).fingerprint256,
    key: leaf.private,
    cert: leaf.cert,
  };
}

/** One request as the simulator saw it: never the key, only whether one came and was right. */
export interface Logged {
  method: string;
  url: string;
  auth: 'none' | 'ok' | 'wrong';
  accept: string;
  body?: unknown;
}

/** How the next matching request is answered, once each, in order. */
export type Behaviour = { match: string; reply: 'mfa' | 'approval' | 'slow' | 'reset' | 500 | 401 };

export interface RestSim {
  url: string;
  requests(): Logged[];
  /** The next requests matching `METHOD /path` get these answers (each once). */
  script(...b: Behaviour[]): void;
  /** A second administrator approves the change held for approval. */
  approve(): void;
  close(): Promise<void>;
}

const LEVELS = ['very-high', 'high', 'medium'];
const SLOW_MS = 5_000;

export async function startRestSim(opts: {
  domain: string;
  pki: Pki;
  apiKey: string;
  primary: string;
  version?: string;
  otp?: string;
  host?: string;
}): Promise<RestSim> {
  const { domain, pki, apiKey } = opts;
  const log: Logged[] = [];
  // The key the primary accepts, for the simulated commands too (NETBACKUP_APIKEY).
  writeFileSync(join(domain, 'apikey'), apiKey);
  const behaviours: Behaviour[] = [];
  const securityFile = join(domain, 'security.json');
  const tokensFile = join(domain, 'tokens.json');
  const read = <T>(file: string, fallback: T): T =>
    existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : fallback;
  const security = () =>
    read<Record<string, unknown>>(securityFile, {
      insecureCommunication: 'on',
      dteGlobalMode: 0,
      restarts: 0,
      servicesUp: true,
    });
  const properties = () => {
    const s = security();
    return {
      certificateAutoDeployLevel: LEVELS.indexOf(String(s.level ?? 'high')),
      allowInsecureBackLevelHost: s.insecureCommunication === 'on',
      dteGlobalMode: ['PREFERRED_OFF', 'PREFERRED_ON', 'ENFORCED'][Number(s.dteGlobalMode ?? 0)],
      aliasAutoAdd: true,
    };
  };
  const setProperties = (body: Record<string, unknown>) => {
    const s = security();
    if ('certificateAutoDeployLevel' in body) s.level = LEVELS[Number(body.certificateAutoDeployLevel)];
    if ('allowInsecureBackLevelHost' in body) s.insecureCommunication = body.allowInsecureBackLevelHost ? 'on' : 'off';
    if ('dteGlobalMode' in body) s.dteGlobalMode = Number(body.dteGlobalMode);
    writeFileSync(securityFile, `${JSON.stringify(s, null, 2)}\n`);
  };
  let mfa: { id: string; body: Record<string, unknown> } | undefined;
  let approval: Record<string, unknown> | undefined;
  const sockets = new Set<Socket>();

  const server: Server = createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => {});

  function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'Content-Type': 'application/vnd.netbackup+json', ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }

  function handle(req: IncomingMessage, res: ServerResponse, text: string) {
    const url = req.url ?? '';
    const path = url.replace(/^\/netbackup/, '').replace(/\?.*$/, '');
    const given = req.headers.authorization;
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const entry: Logged = {
      method: req.method ?? '',
      url,
      auth: given === undefined ? 'none' : given === apiKey ? 'ok' : 'wrong',
      accept: String(req.headers.accept ?? ''),
      ...(body !== undefined ? { body } : {}),
    };
    log.push(entry);
    appendFileSync(join(domain, 'rest-requests.jsonl'), `${JSON.stringify(entry)}\n`);
    if (!/^application\/vnd\.netbackup\+json;version=\d+\.\d+$/.test(entry.accept)) {
      return send(res, 406, { errorMessage: 'Unsupported media type version' });
    }
    const i = behaviours.findIndex((b) => b.match === `${req.method} ${path}`);
    const b = i >= 0 ? behaviours.splice(i, 1)[0] : undefined;
    if (b?.reply === 'slow') {
      const t = setTimeout(() => !res.writableEnded && send(res, 200, properties()), SLOW_MS);
      res.on('close', () => clearTimeout(t));
      return;
    }
    if (b?.reply === 'reset') return req.socket.destroy();
    if (b?.reply === 500) return send(res, 500, { errorMessage: 'Internal server error' });
    if (b?.reply === 401) return send(res, 401, { errorMessage: 'Authentication failed' });

    if (req.method === 'GET' && path === '/security/cacert') {
      return send(res, 200, { webRootCert: pki.caCert, cacert: [pki.caCert] });
    }
    if (req.method === 'GET' && path === '/security/serverinfo') {
      return send(res, 200, {
        nbuVersion: opts.version ?? '10.4',
        serverName: opts.primary,
        masterHostId: 'sim-host-id',
      });
    }
    if (entry.auth !== 'ok') return send(res, 401, { errorMessage: 'Authentication failed' });
    if (req.method === 'GET' && path === '/security/properties') return send(res, 200, properties());
    if (req.method === 'POST' && path === '/security/properties') {
      const change = body as Record<string, unknown>;
      if (b?.reply === 'mfa') {
        mfa = { id: randomBytes(6).toString('hex'), body: change };
        return send(res, 202, undefined, { 'X-NetBackup-MFA-Request': mfa.id });
      }
      if (b?.reply === 'approval') {
        approval = change;
        return send(res, 202, { status: 'PENDING_APPROVAL' });
      }
      setProperties(change);
      return send(res, 200);
    }
    const validate = /^\/security\/adaptive-mfa\/([^/]+)\/validate$/.exec(path);
    if (req.method === 'POST' && validate) {
      if (!mfa || mfa.id !== decodeURIComponent(validate[1]!))
        return send(res, 404, { errorMessage: 'No such request' });
      if ((body as { otp?: unknown })?.otp !== (opts.otp ?? '123456'))
        return send(res, 401, { errorMessage: 'The one-time password is not valid' });
      setProperties(mfa.body);
      mfa = undefined;
      return send(res, 200);
    }
    if (req.method === 'POST' && path === '/security/securitytokens') {
      const t = body as { tokenName: string; allowedCount: number; hostId?: string; type?: number };
      const tokens = read<object[]>(tokensFile, []);
      const value = Array.from(randomBytes(16), (x) => String.fromCharCode(65 + (x % 26))).join('');
      // type 1 with a hostId: a reissue token, bound to that host ID.
      tokens.push({
        name: t.tokenName,
        value,
        maxUses: t.allowedCount,
        uses: 0,
        ...(t.type === 1 && t.hostId ? { reissueHostId: t.hostId } : {}),
      });
      writeFileSync(tokensFile, JSON.stringify(tokens));
      appendFileSync(join(domain, 'created-tokens.log'), `${value}\n`);
      return send(res, 201, { tokenValue: value });
    }
    return send(res, 404, { errorMessage: `${req.method} ${path} is not simulated` });
  }

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, host, () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}/netbackup`,
    requests: () => [...log],
    script: (...b) => behaviours.push(...b),
    approve() {
      if (approval) setProperties(approval);
      approval = undefined;
    },
    close: () =>
      new Promise((done) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => done());
      }),
  };
}
