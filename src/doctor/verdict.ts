import type { PathResult } from './probe.js';

const STAGE_WORDS = {
  dns: 'name resolution',
  connect: 'the TCP connection',
  proxy: "the proxy's answer to CONNECT",
  tls: 'the TLS handshake',
} as const;

export function describeFailure(p: PathResult): string {
  return `${p.stage ? STAGE_WORDS[p.stage] : 'the probe'} failed (${p.error})`;
}

/** One sentence (or two): which path works and what to configure, or which hop to check. */
export function verdict(
  host: string,
  primary: string,
  port: number,
  paths: PathResult[],
  namedTunnels: string[],
): string {
  const direct = paths.find((p) => p.via === 'direct');
  const tunnels = paths.filter((p) => p.via !== 'direct');
  const working = tunnels.filter((p) => p.ok).map((p) => p.via);
  if (direct?.ok) {
    return (
      `${host} reaches the primary ${primary} directly on port ${port}: no tunnel is needed.` +
      (working.length ? ` The tunnel through ${working.join(', ')} works too, as a fallback.` : '')
    );
  }
  if (working.length) {
    const order = [
      ...working.filter((w) => namedTunnels.includes(w)),
      ...working.filter((w) => !namedTunnels.includes(w)),
    ];
    const brokenNamed = tunnels.filter((t) => !t.ok && namedTunnels.includes(t.via));
    return (
      `${host} cannot reach ${primary} directly${direct ? `: ${describeFailure(direct)}` : ''}` +
      `. It reaches it through the HTTP tunnel on ${order[0]}` +
      `: list ${order.map((m) => `MEDIA_SERVER = ${m}`).join(', ')}` +
      ` in the client's bp.conf, keep TCP ${port} open from the client to ` +
      `${order.length > 1 ? 'those media servers' : order[0]}` +
      `, and deploy the certificate with a token (a tunnelled request without one is refused ` +
      `with status 5954 or 5955).${
        brokenNamed.length
          ? ` The named tunnel${brokenNamed.length > 1 ? 's' : ''}` +
            ` ${brokenNamed.map((t) => `${t.via} (${describeFailure(t)})`).join(', ')}` +
            ` did not work: check that the tunnel is enabled there and that port ${port}` +
            ` is open to it.`
          : ''
      }`
    );
  }
  const hops = [
    direct ? `client -> ${primary}:${port} (direct: ${describeFailure(direct)})` : undefined,
    ...tunnels.map((t) => `client -> ${t.via}:${port}, then ${t.via} -> ${primary}:${port} (${describeFailure(t)})`),
  ].filter(Boolean);
  return `No path from ${host} to ${primary} works. Check the firewall hops: ${hops.join('; ')}.${
    tunnels.length
      ? ''
      : ' No tunnel media server was named: add one with --tunnel, or under mediaServers in the answers.'
  }`;
}
