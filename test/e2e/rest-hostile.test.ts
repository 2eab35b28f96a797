// The REST client against a hostile primary on a loopback address: the first call is made before any trust
// exists, so whatever answers it may send an endless, a trickling or a huge body, or echo the key back.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestClient, RestError } from '../../src/execute/rest-client.js';
import { makePki, type Pki } from '../netbackup-sim/rest-sim.js';
import { cli } from '../helpers/cli.js';
import { makeSite } from '../helpers/site.js';

const P = 'p.corp.example';
const KEY = 'A8fmNjyB5DvvzAN1CnRWblMv160U1Vt5hs5P2fqj81pJh9224HRus-hostile';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let pki: Pki;
let server: Server;
let url: string;
let handler: Handler = (_q, s) => s.end();
const sockets = new Set<Socket>();

beforeAll(async () => {
  pki = await makePki(P);
  server = createServer({ key: pki.key, cert: pki.cert }, (q, s) => handler(q, s));
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/netbackup`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

const client = (o: { timeoutMs?: number; apiKey?: string } = {}) =>
  new RestClient({ url, serverName: P, caFingerprint: pki.fingerprint, retries: 2, retryDelayMs: 10, ...o });

/** Writes `chunk` every `ms` until the client goes away (bounded: at most `most` writes). */
function trickle(res: ServerResponse, chunk: string, ms: number, most: number): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  let n = 0;
  const t = setInterval(() => {
    if (res.destroyed || ++n > most) return clearInterval(t);
    res.write(chunk);
  }, ms);
  res.on('close', () => clearInterval(t));
}

/** The hostile answer for the CA listing; every other path answers as a sound primary would. */
function caAnswer(hostile: Handler): Handler {
  return (q, s) => (q.url?.endsWith('/security/cacert') ? hostile(q, s) : s.end('{}'));
}

const failure = async (p: Promise<unknown>) => {
  const started = Date.now();
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  return { e: e as RestError, ms: Date.now() - started };
};

describe('the REST client against a hostile server', () => {
  it('cuts off an endless body at its size limit and fails closed', async () => {
    handler = caAnswer((_q, s) => trickle(s, 'x'.repeat(64 * 1024), 1, 100_000));
    const { e } = await failure(client({ timeoutMs: 20_000 }).trust());
    expect(e).toBeInstanceOf(RestError);
    expect(e.kind).toBe('size');
    expect(e.message).toMatch(/larger than \d+ bytes/);
  });

  it('refuses a huge body sent at once', async () => {
    handler = caAnswer((_q, s) => s.end(`{"webRootCert":"${'A'.repeat(5 * 1024 * 1024)}"}`));
    const { e } = await failure(client().trust());
    expect(e.kind).toBe('size');
  });

  it('ends a body that trickles a byte at a time at the call deadline, not at an idle timer', async () => {
    handler = caAnswer((_q, s) => trickle(s, ' ', 100, 600));
    const { e, ms } = await failure(client({ timeoutMs: 1_500 }).trust());
    expect(e.kind).toBe('timeout');
    expect(ms).toBeLessThan(5_000);
  });

  it('keeps retries of a failing call inside the same deadline', async () => {
    const trusted = client({ timeoutMs: 1_500, apiKey: KEY });
    handler = caAnswer((_q, s) => s.end(JSON.stringify({ webRootCert: pki.caCert })));
    await trusted.trust();
    handler = (q, s) =>
      q.url?.endsWith('/security/cacert')
        ? s.end(JSON.stringify({ webRootCert: pki.caCert }))
        : trickle(s, ' ', 100, 600);
    const { e, ms } = await failure(trusted.call('GET', '/security/properties'));
    expect(e.kind).toBe('timeout');
    expect(ms).toBeLessThan(5_000);
  });

  it('takes the key out of everything a server sends back, body and headers', async () => {
    handler = (q, s) => {
      if (q.url?.endsWith('/security/cacert')) return s.end(JSON.stringify({ webRootCert: pki.caCert }));
      s.writeHead(401, { 'Content-Type': 'application/json', 'X-Echo': String(q.headers.authorization) });
      s.end(JSON.stringify({ errorMessage: `invalid key ${String(q.headers.authorization)}` }));
    };
    const r = await client({ apiKey: KEY }).call('GET', '/security/properties');
    expect(r.status).toBe(401);
    expect(JSON.stringify(r)).not.toContain(KEY);
    expect(JSON.stringify(r.body)).toContain('[redacted]');
  });

  it('doctor --primary never prints an API key the server echoes in its 401', async () => {
    const site = makeSite({ fingerprint: pki.fingerprint });
    const keyFile = join(site.dir, 'apikey');
    writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 });
    handler = (q, s) => {
      if (q.url?.endsWith('/security/cacert')) return s.end(JSON.stringify({ webRootCert: pki.caCert }));
      if (q.url?.endsWith('/security/serverinfo')) return s.end(JSON.stringify({ nbuVersion: '10.4', serverName: P }));
      s.writeHead(401, { 'Content-Type': 'application/json' });
      s.end(JSON.stringify({ errorMessage: `key ${String(q.headers.authorization)} is not valid` }));
    };
    for (const json of [[], ['--json']]) {
      const r = await cli([
        'doctor',
        '--primary',
        P,
        '--tunnel',
        'm1.corp.example',
        '--api-key-file',
        keyFile,
        '--api-url',
        url,
        '--ca-fingerprint',
        pki.fingerprint,
        '--timeout',
        '1',
        ...json,
      ]);
      expect(r.stdout + r.stderr).toContain('[redacted]');
      expect(r.stdout + r.stderr).not.toContain(KEY);
    }
  });
});
