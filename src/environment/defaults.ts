import type { Answers } from './schema.js';
import type { EcaEnv, Environment, HostEnv, Os, Role } from './types.js';
import { atLeast } from './versions.js';

/** Every default of the answers file, in one place (CONTRACT.md, "Defaults"). */
export const DEFAULTS = {
  os: 'linux' as Os,
  zone: 'internal' as const,
  installed: true,
  mediaTunnel: true,
  unixInstallPath: '/usr/openv',
  authority: 'nbca' as const,
  securityLevel: 'high' as const,
  tokenName: 'nbsecure-rollout',
  /** Short on purpose: a token is a credential, and a rollout rarely needs more than a day. */
  tokenValidFor: '1D',
  insecureCommunication: 'auto' as const,
  dataInTransitEncryption: 'preferred-on' as const,
  /** Used only when the primary's version is not given; the plan warns that it assumed it. */
  primaryVersion: '10.4',
};

export function defaultInstallPath(os: Os, version: string): string {
  if (os === 'linux') return DEFAULTS.unixInstallPath;
  return atLeast(version, '11.1') ? 'C:\\Program Files\\Cohesity NetBackup' : 'C:\\Program Files\\Veritas';
}

/**
 * An installed Windows host without an installPath: the default for its version first, then the other
 * folder, because an upgrade keeps the old one (10.x upgraded to 11.1 stays in C:\Program Files\Veritas).
 */
export function windowsInstallCandidates(version: string): string[] {
  const first = defaultInstallPath('windows', version);
  return [first, ...WINDOWS_ROOTS.filter((r) => r !== first)];
}

const WINDOWS_ROOTS = ['C:\\Program Files\\Veritas', 'C:\\Program Files\\Cohesity NetBackup'];

type AnyHost = Answers['primary'] & {
  tunnel?: boolean;
  zone?: 'internal' | 'dmz';
  tunnelVia?: string[];
  nat?: boolean;
};

type RawEca = NonNullable<Answers['certificates']>['eca'];

/** A host's external-CA paths: its own over the shared ones; none unless all three required are known. */
function hostEca(shared: RawEca, own: RawEca, authority: string | undefined): EcaEnv | undefined {
  if (authority !== 'eca') return undefined;
  const merged = { ...(shared ?? {}), ...(own ?? {}) };
  if (!merged.certPath || !merged.privateKeyPath || !merged.trustStorePath) return undefined;
  return {
    ...merged,
    certPath: merged.certPath,
    privateKeyPath: merged.privateKeyPath,
    trustStorePath: merged.trustStorePath,
  };
}

function host(
  raw: AnyHost,
  role: Role,
  primaryVersion: string,
  topInstallPath: string | undefined,
  certificates: Answers['certificates'],
): HostEnv {
  const eca = hostEca(certificates?.eca, raw.eca, certificates?.authority);
  const os = raw.os ?? DEFAULTS.os;
  const version = raw.version ?? primaryVersion;
  return {
    name: raw.name,
    role,
    os,
    version,
    installPath: raw.installPath ?? topInstallPath ?? defaultInstallPath(os, version),
    ...(os === 'windows' && !raw.installPath && !topInstallPath && (raw.installed ?? DEFAULTS.installed)
      ? { installPathCandidates: windowsInstallCandidates(version) }
      : {}),
    installed: raw.installed ?? DEFAULTS.installed,
    zone: role === 'client' ? (raw.zone ?? DEFAULTS.zone) : 'internal',
    tunnel: role === 'media' ? (raw.tunnel ?? DEFAULTS.mediaTunnel) : false,
    tunnelVia: raw.tunnelVia ?? [],
    nat: raw.nat ?? false,
    replaceClientName: raw.replaceClientName ?? false,
    ...(eca ? { eca } : {}),
  };
}

/** Answers (validated) → Environment with every default filled in. Pure. */
export function withDefaults(a: Answers): Environment {
  const primaryVersion = a.primary.version ?? DEFAULTS.primaryVersion;
  const c = a.certificates ?? {};
  const eca = c.eca;
  return {
    primary: host(a.primary, 'primary', primaryVersion, a.installPath, a.certificates),
    media: (a.mediaServers ?? []).map((m) => host(m, 'media', primaryVersion, a.installPath, a.certificates)),
    clients: (a.clients ?? []).map((m) => host(m, 'client', primaryVersion, a.installPath, a.certificates)),
    certificates: {
      authority: c.authority ?? DEFAULTS.authority,
      securityLevel: c.securityLevel ?? DEFAULTS.securityLevel,
      ...(c.caFingerprint ? { caFingerprint: c.caFingerprint.toUpperCase() } : {}),
      token: {
        name: c.token?.name ?? DEFAULTS.tokenName,
        ...(c.token?.maxUses !== undefined ? { maxUses: c.token.maxUses } : {}),
        validFor: c.token?.validFor ?? DEFAULTS.tokenValidFor,
      },
      ...(eca?.certPath && eca.privateKeyPath && eca.trustStorePath
        ? {
            eca: {
              ...eca,
              certPath: eca.certPath,
              privateKeyPath: eca.privateKeyPath,
              trustStorePath: eca.trustStorePath,
            },
          }
        : {}),
    },
    security: {
      insecureCommunication: a.security?.insecureCommunication ?? DEFAULTS.insecureCommunication,
      dataInTransitEncryption: a.security?.dataInTransitEncryption ?? DEFAULTS.dataInTransitEncryption,
      acceptDteFailures: a.security?.acceptDteFailures ?? [],
    },
    hardening: { ...(a.hardening ?? {}) },
    decommissioned: a.decommissioned ?? [],
    assumptions: a.primary.version
      ? []
      : [
          `primary.version was not given: assumed ${DEFAULTS.primaryVersion}` +
            ` for every host without a version. Set it to get the right paths and commands.`,
        ],
  };
}
