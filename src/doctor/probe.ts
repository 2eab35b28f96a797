import { lookup } from 'node:dns/promises';
import { isIP, Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

export type Stage = 'dns' | 'connect' | 'proxy' | 'tls';

export interface PathResult {
  via: string;
  ok: boolean;
  error?: string;
  /** Where it failed: name resolution, TCP connect, the proxy's answer to CONNECT, or TLS. */
  stage?: Stage;
  /** The proxy's HTTP status, when it answered CONNECT. */
  status?: number;
  ms: number;
}

class ProbeError extends Error {
  constructor(
    readonly stage: Stage,
    readonly code: string,
    readonly status?: number,
  ) {
    super(code);
  }
}

/**
 * One probe with one deadline for all its stages: whatever hangs (DNS, a black-holed SYN, a proxy
 * that never answers, a TLS peer that never speaks) is cut at the timeout and reported at its stage.
 */
async function withDeadline<T>(
  timeoutMs: number,
  body: (stage: (s: Stage) => void, track: (s: Socket) => void) => Promise<T>,
): Promise<T> {
  let current: Stage = 'dns';
  const sockets: Socket[] = [];
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeError(current, 'ETIMEDOUT')), timeoutMs);
  });
  try {
    // A peer may reset after the probe has its answer; that late error must not end the process.
    const track = (s: Socket) => {
      s.on('error', () => {});
      sockets.push(s);
    };
    return await Promise.race([body((s) => (current = s), track), deadline]);
  } catch (e) {
    if (e instanceof ProbeError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new ProbeError(current, code);
  } finally {
    clearTimeout(timer);
    // Outermost first: destroying a TCP socket under a live TLS socket crashes Node 20 (SIGSEGV).
    for (const s of sockets.reverse()) s.destroy();
  }
}

async function resolve(name: string): Promise<string> {
  if (isIP(name)) return name;
  return (await lookup(name)).address;
}

function tcp(host: string, port: number): Promise<Socket> {
  return new Promise((ok, fail) => {
    const s = new Socket();
    s.on('error', fail); // stays: a rejected or settled promise ignores later calls
    s.connect(port, host, () => ok(s));
  });
}

/**
 * The TLS handshake with the primary's web service. The primary presents a certificate from the
 * NetBackup CA, which this machine need not trust: the probe proves the path, not the identity.
 */
function handshake(socket: Socket, servername: string): Promise<TLSSocket> {
  return new Promise((ok, fail) => {
    const t = tlsConnect({ socket, ...(isIP(servername) ? {} : { servername }), rejectUnauthorized: false });
    t.on('error', fail);
    t.once('secureConnect', () => ok(t));
  });
}

/** Sends CONNECT and reads the proxy's status line and headers. */
function connectThrough(socket: Socket, target: string, port: number): Promise<number> {
  return new Promise((ok, fail) => {
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > 16384) fail(new Error('EPROTO'));
        return;
      }
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.pause();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(buf);
      if (!m) fail(new Error('EPROTO'));
      else ok(Number(m[1]));
    };
    const onEnd = () => fail(new Error('ECONNRESET'));
    socket.on('data', onData);
    socket.on('error', fail);
    socket.once('end', onEnd);
    const host = isIP(target) === 6 ? `[${target}]` : target;
    socket.write(`CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\nUser-Agent: nbsecure-doctor\r\n\r\n`);
  });
}

async function timed(via: string, run: () => Promise<void>): Promise<PathResult> {
  const start = performance.now();
  try {
    await run();
    return { via, ok: true, ms: Math.round(performance.now() - start) };
  } catch (e) {
    const p = e as ProbeError;
    return {
      via,
      ok: false,
      error: p.status ? `HTTP ${p.status}` : p.code,
      stage: p.stage,
      ...(p.status ? { status: p.status } : {}),
      ms: Math.round(performance.now() - start),
    };
  }
}

/** The primary directly: DNS, TCP to port, TLS handshake. */
export function probeDirect(primary: string, port: number, timeoutMs: number): Promise<PathResult> {
  return timed('direct', () =>
    withDeadline(timeoutMs, async (stage, track) => {
      const address = await resolve(primary);
      stage('connect');
      const s = await tcp(address, port);
      track(s);
      stage('tls');
      track(await handshake(s, primary));
    }),
  );
}

/** Through a media server's HTTP tunnel: DNS, TCP to media:port, CONNECT primary:port, TLS inside. */
export function probeTunnel(media: string, primary: string, port: number, timeoutMs: number): Promise<PathResult> {
  return timed(media, () =>
    withDeadline(timeoutMs, async (stage, track) => {
      const address = await resolve(media);
      stage('connect');
      const s = await tcp(address, port);
      track(s);
      stage('proxy');
      const status = await connectThrough(s, primary, port);
      if (status !== 200) throw new ProbeError('proxy', `HTTP ${status}`, status);
      stage('tls');
      track(await handshake(s, primary));
    }),
  );
}
