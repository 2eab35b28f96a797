/** The environment as nbsecure understands it after defaults: what every later stage consumes. */
export type Role = 'primary' | 'media' | 'client';
export type Os = 'linux' | 'windows';
export type Zone = 'internal' | 'dmz';
export type SecurityLevel = 'very-high' | 'high' | 'medium';
export type DteMode = 'preferred-off' | 'preferred-on' | 'enforced';

export interface HostEnv {
  name: string;
  role: Role;
  os: Os;
  version: string;
  installPath: string;
  /**
   * Where the install root may be when the answers do not say: an installed Windows host keeps the
   * folder of the version it was first installed with, so the version alone does not decide it.
   */
  installPathCandidates?: string[];
  installed: boolean;
  zone: Zone;
  /** Media servers only: offers the HTTP CONNECT tunnel on 1556. */
  tunnel: boolean;
  /** Clients only: media servers named for tunnelling, in order. */
  tunnelVia: string[];
  nat: boolean;
  /** This host's external-CA paths (its own where the answers give them, else certificates.eca). */
  eca?: EcaEnv;
  /** Set CLIENT_NAME although the installed host has another: changes its NetBackup identity. */
  replaceClientName: boolean;
}

export interface EcaEnv {
  certPath: string;
  privateKeyPath: string;
  trustStorePath: string;
  passphraseFile?: string;
  crlCheck?: 'leaf' | 'chain' | 'disable';
  crlPath?: string;
}

export interface Environment {
  primary: HostEnv;
  media: HostEnv[];
  clients: HostEnv[];
  certificates: {
    authority: 'nbca' | 'eca';
    securityLevel: SecurityLevel;
    caFingerprint?: string;
    token: { name: string; maxUses?: number; validFor: string };
    eca?: EcaEnv;
  };
  security: {
    insecureCommunication: 'auto' | 'on' | 'off';
    dataInTransitEncryption: DteMode;
    acceptDteFailures: string[];
  };
  /** undefined = the user did not say; the hardening plan treats it as unknown. */
  /** Hosts taken out of service: their certificates are revoked on the primary. */
  decommissioned: string[];
  /** Defaults the user should know we chose for them; the plan repeats them as warnings. */
  assumptions: string[];
  hardening: Partial<
    Record<
      | 'mfa'
      | 'immutableStorage'
      | 'encryptionAtRest'
      | 'dedicatedBackupNetwork'
      | 'hostFirewall'
      | 'exposedToInternet'
      | 'trustedWebCertificate',
      boolean
    >
  >;
}

export function allHosts(env: Environment): HostEnv[] {
  return [env.primary, ...env.media, ...env.clients];
}
