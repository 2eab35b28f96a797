import type { Sourced } from './confidence.js';

export type HostKind = 'all' | 'servers' | 'primary' | 'media' | 'client';

export interface ConfigKey extends Sourced {
  key: string;
  hosts: HostKind;
  /** Repeatable keys are always written as the complete, merged list. */
  multi: boolean;
  syntax: string;
}

const SEC = 'NetBackup Security and Encryption Guide';
const TEMPLATE = 'vendor answer-file template (apulai/netbackup-ansible)';

/** Every bp.conf / registry key nbsecure may write. Nothing outside this list is ever emitted. */
export const CONFIG_KEYS = {
  SERVER: {
    key: 'SERVER',
    hosts: 'all',
    multi: true,
    syntax: 'host name; the first SERVER is the primary',
    source: TEMPLATE,
    confidence: 'auto',
  },
  CLIENT_NAME: {
    key: 'CLIENT_NAME',
    hosts: 'all',
    multi: false,
    syntax: "this host's NetBackup name",
    source: TEMPLATE,
    confidence: 'auto',
  },
  MEDIA_SERVER: {
    key: 'MEDIA_SERVER',
    hosts: 'client',
    multi: true,
    syntax: 'host name; each is a candidate HTTP tunnel',
    source: TEMPLATE,
    confidence: 'auto',
  },
  WEB_SERVER_TUNNEL_ENABLE: {
    key: 'WEB_SERVER_TUNNEL_ENABLE',
    hosts: 'media',
    multi: false,
    syntax: 'NO disables the tunnel, which is on by default',
    source: `${SEC}, DMZ/HTTP tunnel (name and default); values not verified`,
    confidence: 'unconfirmed',
  },
  ECA_CERT_PATH: {
    key: 'ECA_CERT_PATH',
    hosts: 'all',
    multi: false,
    syntax: 'path to the host certificate chain (leaf first, no root)',
    source: `${SEC}, external CA`,
    confidence: 'doc',
  },
  ECA_PRIVATE_KEY_PATH: {
    key: 'ECA_PRIVATE_KEY_PATH',
    hosts: 'all',
    multi: false,
    syntax: 'path',
    source: `${SEC}, external CA`,
    confidence: 'doc',
  },
  ECA_TRUST_STORE_PATH: {
    key: 'ECA_TRUST_STORE_PATH',
    hosts: 'all',
    multi: false,
    syntax: 'path',
    source: `${SEC}, external CA`,
    confidence: 'doc',
  },
  ECA_KEY_PASSPHRASEFILE: {
    key: 'ECA_KEY_PASSPHRASEFILE',
    hosts: 'all',
    multi: false,
    syntax: 'path to the key passphrase file',
    source: `${SEC}, external CA`,
    confidence: 'doc',
  },
  ECA_CRL_CHECK: {
    key: 'ECA_CRL_CHECK',
    hosts: 'all',
    multi: false,
    syntax: 'DISABLE, or a level (LEAF / CHAIN)',
    source: `${SEC}, CRLs (DISABLE documented; level names not verified)`,
    confidence: 'unconfirmed',
  },
  ECA_CRL_PATH: {
    key: 'ECA_CRL_PATH',
    hosts: 'all',
    multi: false,
    syntax: 'directory of CRLs',
    source: `${SEC}, CRLs`,
    confidence: 'doc',
  },
  ACCEPT_REVERSE_CONNECTION: {
    key: 'ACCEPT_REVERSE_CONNECTION',
    hosts: 'client',
    multi: false,
    syntax: 'TRUE | FALSE; only for clients behind dynamic NAT',
    source: TEMPLATE,
    confidence: 'auto',
  },
  GUI_MAX_LOGIN_ATTEMPTS: {
    key: 'GUI_MAX_LOGIN_ATTEMPTS',
    hosts: 'primary',
    multi: false,
    syntax: 'failed sign-in attempts before a web UI account is locked',
    source: "NetBackup Web UI Administrator's Guide (11.1), Configure the maximum of failed sign-in attempts",
    confidence: 'doc',
  },
  GUI_ACCOUNT_LOCKOUT_DURATION: {
    key: 'GUI_ACCOUNT_LOCKOUT_DURATION',
    hosts: 'primary',
    multi: false,
    syntax: 'minutes a locked account stays locked (default 15)',
    source: "NetBackup Administrator's Guide Vol. I, GUI_ACCOUNT_LOCKOUT_DURATION; Web UI Guide 11.1",
    confidence: 'doc',
  },
} as const satisfies Record<string, ConfigKey>;

export type ConfigKeyName = keyof typeof CONFIG_KEYS;

/** ECA_CRL_CHECK: DISABLE is documented; the level names are not, so they carry the marker. */
export function crlCheckIsConfirmed(value: string): boolean {
  return value === 'DISABLE';
}
