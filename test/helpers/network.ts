import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { createProxy } from 'proxy';
import { generate } from 'selfsigned';

export const PORT = 1556;

/** A throwaway self-signed certificate, made at test time so nothing secret lives in the repository. */
export async function selfSigned(): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: 'nbu-primary' }], {
    keyType: 'ec',
    curve: 'P-256',
    notAfterDate: new Date(Date.now() + 86_400_000),
  });
  return { key: pems.private, cert: pems.cert };
}

/** Keeps the server's open sockets so that closing it ends them too; their resets are expected. */
function tracked<S extends Server>(server: S): { server: S; destroyAll: () => void } {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  return { server, destroyAll: () => sockets.forEach((s) => s.destroy()) };
}

function listen(server: Server, host: string): Promise<() => Promise<void>> {
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(PORT, host, () =>
      ok(
        () =>
          new Promise((done) => {
            server.close(() => done());
            (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      ),
    );
  });
}

/** Stands in for the primary's web service on 1556: a TLS handshake, then close. */
export function tlsListener(host: string, creds: { key: string; cert: string }) {
  // A probe hangs up right after the handshake: the resets that follow are expected, not failures.
  const { server, destroyAll } = tracked(
    createTlsServer(creds, (s) => {
      s.on('error', () => {});
      s.end();
    }),
  );
  server.on('tlsClientError', () => {});
  return listen(server, host).then((close) => async () => {
    destroyAll();
    await close();
  });
}

/** Accepts TCP and never says a word: a peer that black-holes the conversation. */
export function blackHole(host: string) {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  return listen(server, host).then((close) => async () => {
    for (const s of sockets) s.destroy();
    await close();
  });
}

/**
 * A minimal CONNECT proxy for the cases tinyproxy cannot play: a refusal with a chosen status,
 * or a media server that resolves a name the client cannot (`names`).
 */
export function miniProxy(host: string, opts: { status?: number; names?: Record<string, string> }) {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('error', () => {});
    client.once('data', (chunk) => {
      const m = /^CONNECT ([^\s:]+):(\d+) HTTP\/1\.[01]\r\n/.exec(chunk.toString('latin1'));
      if (!m || opts.status) {
        client.end(`HTTP/1.1 ${opts.status ?? 400} Refused\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      const upstream = connect(Number(m[2]), opts.names?.[m[1]!] ?? m[1]!, () => {
        if (client.destroyed) return upstream.destroy();
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        upstream.pipe(client).pipe(upstream);
      });
      sockets.add(upstream);
      upstream.on('error', () => {
        if (!client.destroyed) client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      });
    });
  });
  return listen(server, host).then((close) => async () => {
    for (const s of sockets) s.destroy();
    await close();
  });
}

/**
 * A real HTTP proxy written in Node (the `proxy` package), needing no system install: CONNECT to
 * any port, or, with `refuse`, every request answered 407 as a proxy that wants credentials does.
 */
export function nodeProxy(host: string, opts: { refuse?: boolean } = {}) {
  const { server, destroyAll } = tracked(createProxy(createHttpServer()));
  if (opts.refuse) server.authenticate = () => false;
  return listen(server, host).then((close) => async () => {
    destroyAll();
    await close();
  });
}

/** tinyproxy from Debian on host:1556, allowing CONNECT only to `connectPorts`. */
export async function tinyproxy(host: string, connectPorts: number[]): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'nbsecure-tinyproxy-'));
  const conf = join(dir, 'tinyproxy.conf');
  writeFileSync(
    conf,
    [
      `Port ${PORT}`,
      `Listen ${host}`,
      'Timeout 10',
      'MaxClients 20',
      'Allow 127.0.0.0/8',
      'LogLevel Critical',
      ...(process.getuid?.() === 0 ? ['User nobody', 'Group nogroup'] : []),
      ...connectPorts.map((p) => `ConnectPort ${p}`),
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('tinyproxy', ['-d', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  // If the test process dies, its proxies must not outlive it and hold the port for the next run.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  for (let i = 0; i < 100 && child.exitCode === null; i++) {
    const up = await new Promise<boolean>((ok) => {
      const s = connect(PORT, host, () => {
        s.destroy();
        ok(true);
      });
      s.on('error', () => ok(false));
    });
    // Up, and ours: a proxy that failed to bind has exited, whoever else answers on the port.
    if (up && child.exitCode === null) {
      return async () => {
        process.removeListener('exit', reap);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  process.removeListener('exit', reap);
  throw new Error(`tinyproxy did not start on ${host}:${PORT}: ${err.trim().split('\n').pop()}`);
}
