import type { Confidence } from './confidence.js';

export interface StatusInfo {
  code: number;
  meaning: string;
  cause: string;
  remedy: string;
  source: string;
  confidence: Confidence;
}

const SEC = 'NetBackup Security and Encryption Guide';
export const STATUS_REFERENCE =
  'the NetBackup Status Codes Reference Guide for your version (search the vendor documentation ' +
  'for "NetBackup status code {code}")';

/**
 * How a NetBackup command ends a failure's output: `EXIT STATUS n`, the whole status. The process's own exit
 * status keeps only n & 255 (5930 arrives as 42), so the line is what names the status.
 */
export const STATUS_LINE = 'EXIT STATUS';

/** The NetBackup status a failure's output names, else the process's exit status. */
export function statusOf(output: string, exit: number | undefined): number | undefined {
  const named = new RegExp(`${STATUS_LINE} (\\d+)`).exec(output)?.[1];
  return named !== undefined ? Number(named) : exit;
}

/** NetBackup exit statuses nbsecure explains; written in our own words from the cited sources. */
export const STATUSES: readonly StatusInfo[] = [
  {
    code: 5954,
    meaning:
      'The certificate request was refused because the requesting host name does not resolve ' +
      'to the IP address the primary sees.',
    cause:
      'The client reached the primary through an HTTP tunnel on a media server (a DMZ client), ' +
      "so the primary sees the media server's address; or the client is behind NAT.",
    remedy:
      'Deploy the certificate with an authorization token: create one on the primary (nbcertcmd ' +
      '-createToken) and run nbcertcmd -getCertificate -file TOKEN_FILE on the client. nbsecure ' +
      'plans a token for every DMZ and NAT client.',
    source:
      `${SEC}, "About the communication between a NetBackup client located in a demilitarized ` +
      `zone and a primary server through an HTTP tunnel"`,
    confidence: 'seed',
  },
  {
    code: 5955,
    meaning: 'The certificate request was refused because the host name is not known to the primary server.',
    cause:
      'At the High or Medium certificate deployment level, a host asked without a token ' +
      'but the primary has no record of it (not in its configuration, EMM or a policy), ' +
      'or the request came through a tunnel.',
    remedy:
      'Deploy the certificate with an authorization token, or first add the host where the ' +
      'primary knows it (a policy or the host mappings).',
    source: `${SEC}, DMZ / HTTP tunnel section`,
    confidence: 'seed',
  },
  {
    code: 8779,
    meaning:
      'nbcertcmd -ecaHealthCheck found at least one failed validation of the external certificate configuration.',
    cause:
      'A certificate, key, trust store or CRL path is empty, unreadable or in an unsupported ' +
      'format, or the chain does not validate.',
    remedy:
      "Read the report's validation IDs (USER_INPUT_CERT_PATH_VALIDATION and so on), fix " +
      'each path or file, and run nbcertcmd -ecaHealthCheck again before enrolling.',
    source: 'NetBackup Status Codes Reference Guide, status 8779',
    confidence: 'doc',
  },
  {
    code: 5930,
    meaning: 'The operation was not authorized (seen from nbseccmd -getsecurityconfig without a web login).',
    cause: 'nbseccmd and nbcertcmd -createToken need an authenticated administrator session on the primary.',
    remedy: 'Run bpnbat -login -logintype WEB on the primary as a NetBackup administrator, then repeat the step.',
    source: 'public field notes on nbseccmd; not checked against the Status Codes Reference Guide',
    confidence: 'unconfirmed',
  },
];

export function findStatus(code: number): StatusInfo | undefined {
  return STATUSES.find((s) => s.code === code);
}
