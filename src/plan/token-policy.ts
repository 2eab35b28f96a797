import type { Environment, HostEnv } from '../environment/types.js';

/**
 * Why a host needs an authorization token for its certificate, or undefined when it does not.
 * Security and Encryption Guide: Very High asks a token of every host; a host reaching the
 * primary through a tunnel or NAT is refused with 5954/5955 without one.
 */
export function tokenReason(host: HostEnv, env: Environment): string | undefined {
  if (host.role === 'primary' || env.certificates.authority !== 'nbca') return undefined;
  if (env.certificates.securityLevel === 'very-high')
    return 'the certificate deployment level is Very High, which asks a token of every host';
  if (host.zone === 'dmz')
    return (
      "it reaches the primary through an HTTP tunnel, so the primary sees the media server's " +
      'address and refuses a tokenless request (status 5954/5955)'
    );
  if (host.nat) return 'it is behind NAT, so its name does not resolve to the address the primary sees (status 5954)';
  return undefined;
}

export function hostsNeedingToken(env: Environment): HostEnv[] {
  return [...env.media, ...env.clients].filter((h) => tokenReason(h, env) !== undefined);
}
