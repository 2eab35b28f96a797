import type { Sourced } from './confidence.js';

/**
 * The primary's REST API as nbsecure uses it (reference section 4b). Every path, header and field the
 * product sends or reads is here, with its source; nothing else may be sent.
 */
const REST_PORT = 1556;
const REST_BASE_PATH = '/netbackup';

/**
 * The API version in the media type. The reference gives the media type's form, not which version a
 * release speaks: 6.0 (NetBackup 9.1, where DTE and API keys for the CLI are both present) is what
 * vendor samples that use API keys send, and later releases keep answering older versions.
 */
export const API_VERSION: Sourced & { value: string } = {
  value: '6.0',
  source: 'vendor API samples with API keys (media type version 6.0); the reference gives the form only',
  confidence: 'unconfirmed',
};

/** The primary's REST API base, where the documentation puts it. */
export function primaryApiUrl(primary: string): string {
  return `https://${primary}:${REST_PORT}${REST_BASE_PATH}`;
}

export const MEDIA_TYPE = `application/vnd.netbackup+json;version=${API_VERSION.value}`;

/** The response header of a change that waits for a one-time password (adaptive MFA, 10.4+). */
export const MFA_HEADER = 'x-netbackup-mfa-request';

export const REST = {
  cacert: { method: 'GET', path: '/security/cacert', source: 'API reference, GET /security/cacert', confidence: 'doc' },
  serverinfo: {
    method: 'GET',
    path: '/security/serverinfo',
    source: 'API reference, GET /security/serverinfo (no authentication)',
    confidence: 'auto',
  },
  properties: {
    method: 'GET',
    path: '/security/properties',
    source: 'API reference, GET and POST /security/properties',
    confidence: 'doc',
  },
  mfaValidate: {
    method: 'POST',
    path: '/security/adaptive-mfa/{id}/validate',
    source: 'API reference 10.4, adaptive MFA: validate a request with the one-time password',
    confidence: 'doc',
  },
  tokens: {
    method: 'POST',
    path: '/security/securitytokens',
    source: 'vendor samples: POST /security/securitytokens {tokenName, allowedCount, validFor, reason, hostId, type}',
    confidence: 'auto',
  },
  hosts: { method: 'GET', path: '/config/hosts', source: 'API reference, GET /config/hosts', confidence: 'auto' },
} as const satisfies Record<string, Sourced & { method: 'GET' | 'POST'; path: string }>;

/**
 * The body field of the validate call that carries the one-time password: the reference names the call,
 * not the field.
 */
export const MFA_OTP_FIELD: Sourced & { name: string } = {
  name: 'otp',
  source: 'not in the reference: the name of the field that carries the one-time password',
  confidence: 'unconfirmed',
};

/** A reissue token made over REST: single use, bound to the host's ID, alive for an hour. */
export const REISSUE_TOKEN = { allowedCount: 1, validForSeconds: 3600, type: 1 } as const;

/** Global security settings nbsecure compares and sets over REST (GET/POST /security/properties). */
export const SECURITY_FIELDS = {
  certificateAutoDeployLevel: { source: 'vendor automation: 1 = High', confidence: 'auto' },
  allowInsecureBackLevelHost: { source: 'API reference, security properties (boolean)', confidence: 'auto' },
  dteGlobalMode: { source: 'API reference, security properties; value form not documented', confidence: 'unconfirmed' },
} as const satisfies Record<string, Sourced>;

export type SecurityField = keyof typeof SECURITY_FIELDS;

/**
 * certificateAutoDeployLevel per security level: 1 = High is the vendor automation's default; 0 = Very
 * High and 2 = Medium come from a third-party scanner.
 */
export const DEPLOY_LEVEL = {
  'very-high': { value: 0, confidence: 'unconfirmed' },
  high: { value: 1, confidence: 'auto' },
  medium: { value: 2, confidence: 'unconfirmed' },
} as const;
