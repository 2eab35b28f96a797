import type { Environment, HostEnv } from '../environment/types.js';
import { isLegacy } from '../environment/versions.js';
import type { CertificateNeed } from './types.js';

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

/** The certificate a host gets and whether it needs the token, in a few words. */
export function certificateNeed(host: HostEnv, env: Environment): CertificateNeed {
  if (isLegacy(host.version)) return { kind: 'none', why: '8.0 or earlier: no certificate until upgraded' };
  if (env.certificates.authority === 'eca') return { kind: 'external-ca', why: 'enrols its external certificate' };
  if (host.role === 'primary') return { kind: 'nbca-primary', why: 'holds the NetBackup CA; creates the token' };
  if (env.certificates.securityLevel === 'very-high') return { kind: 'token', why: 'token: the level is Very High' };
  if (host.zone === 'dmz') return { kind: 'token', why: 'token: it reaches the primary through a tunnel' };
  if (host.nat) return { kind: 'token', why: 'token: it is behind NAT' };
  return { kind: 'no-token', why: `no token at the ${env.certificates.securityLevel} level` };
}
