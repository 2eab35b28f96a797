import { configLine } from './config-line.js';
import { CONFIG_KEYS, crlCheckIsConfirmed, type ConfigKeyName } from '../catalogue/config-keys.js';
import { VERIFY_MARKER } from '../catalogue/confidence.js';
import type { Environment, HostEnv } from '../environment/types.js';
import { command, commandStep, readStep } from './step.js';
import type { ConfigEntry, Step } from './types.js';

/**
 * Web UI account lockout. Five failed sign-ins stop a password-guessing run early while a person who
 * mistypes still gets in; thirty minutes (twice the default) slows guessing to a few tries an hour, and
 * an administrator can unlock an account at once.
 */
export const ACCOUNT_LOCKOUT = { attempts: 5, minutes: 30 } as const;

/** Why each key is set: said once per key and host, not once per entry (SERVER repeats per media server). */
export const KEY_REASONS: Record<ConfigKeyName, string> = {
  SERVER: 'The first SERVER entry names the primary; the others are the media servers allowed to connect to this host.',
  CLIENT_NAME: 'The name this host is known by in NetBackup and in its certificate.',
  MEDIA_SERVER:
    'Each media server listed here is a candidate HTTP tunnel to the primary (port 1556) for a DMZ client; ' +
    'NetBackup does not document that their order is the order it tries them.',
  ACCEPT_REVERSE_CONNECTION:
    'This client is behind dynamic NAT, so servers cannot open connections to it; it must accept reverse connections.',
  WEB_SERVER_TUNNEL_ENABLE: 'The answers say this media server must not offer the HTTP tunnel, which is on by default.',
  ECA_CERT_PATH: 'The external CA certificate chain of this host.',
  ECA_PRIVATE_KEY_PATH: 'The private key of the external certificate.',
  ECA_TRUST_STORE_PATH: 'The CA certificates this host trusts.',
  ECA_KEY_PASSPHRASEFILE: 'The private key is encrypted; NetBackup reads its passphrase from this file.',
  ECA_CRL_CHECK: "How the peer's certificate is checked for revocation.",
  ECA_CRL_PATH: "Revocation lists are read from this folder instead of the certificate's CDP.",
  GUI_MAX_LOGIN_ATTEMPTS:
    `Locks a web UI account after ${ACCOUNT_LOCKOUT.attempts} failed sign-ins, ` +
    'which stops password guessing early.',
  GUI_ACCOUNT_LOCKOUT_DURATION:
    `Keeps a locked account locked for ${ACCOUNT_LOCKOUT.minutes} minutes; ` + 'an administrator can unlock it sooner.',
};

/** `valueConfirmed`: this particular value is documented even though the key's others are not. */
function entry(key: ConfigKeyName, value: string, valueConfirmed = false): ConfigEntry {
  const spec = CONFIG_KEYS[key];
  const marked = spec.confidence === 'unconfirmed' && !valueConfirmed;
  return { key, value, ...(marked ? { verifyForYourVersion: `${VERIFY_MARKER}: ${spec.source}` } : {}) };
}

/** Media servers a DMZ client should try as tunnels: the named ones first, then the other tunnels. */
export function tunnelCandidates(host: HostEnv, env: Environment): string[] {
  const tunnels = env.media.filter((m) => m.tunnel).map((m) => m.name);
  const named = host.tunnelVia.map((n) => tunnels.find((t) => t.toLowerCase() === n.toLowerCase()) ?? n);
  return [...named, ...tunnels.filter((t) => !named.includes(t))];
}

/** The bp.conf entries this host should have, in order (NetBackup reference, section 3). */
export function configFor(host: HostEnv, env: Environment): ConfigEntry[] {
  const out: ConfigEntry[] = [];
  out.push(entry('SERVER', env.primary.name));
  for (const m of env.media) out.push(entry('SERVER', m.name));
  out.push(entry('CLIENT_NAME', host.name));
  if (host.zone === 'dmz') {
    for (const m of tunnelCandidates(host, env)) {
      out.push(entry('MEDIA_SERVER', m));
    }
  }
  if (host.role === 'primary') {
    out.push(entry('GUI_MAX_LOGIN_ATTEMPTS', String(ACCOUNT_LOCKOUT.attempts)));
    out.push(entry('GUI_ACCOUNT_LOCKOUT_DURATION', String(ACCOUNT_LOCKOUT.minutes)));
  }
  if (host.role === 'client' && host.nat) {
    out.push(entry('ACCEPT_REVERSE_CONNECTION', 'TRUE'));
  }
  if (host.role === 'media' && !host.tunnel) {
    out.push(entry('WEB_SERVER_TUNNEL_ENABLE', 'NO'));
  }
  const eca = host.eca;
  if (eca) {
    out.push(entry('ECA_CERT_PATH', eca.certPath));
    out.push(entry('ECA_PRIVATE_KEY_PATH', eca.privateKeyPath));
    out.push(entry('ECA_TRUST_STORE_PATH', eca.trustStorePath));
    if (eca.passphraseFile) out.push(entry('ECA_KEY_PASSPHRASEFILE', eca.passphraseFile));
    if (eca.crlCheck) {
      const v = eca.crlCheck.toUpperCase();
      out.push(entry('ECA_CRL_CHECK', v, crlCheckIsConfirmed(v)));
    }
    if (eca.crlPath) out.push(entry('ECA_CRL_PATH', eca.crlPath));
  }
  return out;
}

export function ownedKeys(config: ConfigEntry[]): string[] {
  return [...new Set(config.map((c) => c.key))];
}

export function keyNotes(config: ConfigEntry[]): { key: string; why: string }[] {
  return ownedKeys(config).map((key) => ({ key, why: KEY_REASONS[key as ConfigKeyName] }));
}

/** nbsetconfig reads KEY = VALUE lines; repeated keys are given as the complete list. */
export function configStdin(config: ConfigEntry[]): string {
  return config.map((c) => `${configLine(c.key, c.value)}\n`).join('');
}

export function configSteps(host: HostEnv, config: ConfigEntry[]): Step[] {
  const keys = ownedKeys(config);
  const marked = config.find((c) => c.verifyForYourVersion)?.verifyForYourVersion;
  const repeated = keys.filter((k) => CONFIG_KEYS[k as ConfigKeyName]?.multi);
  return [
    commandStep(
      host,
      'config.set',
      'nbsetconfig',
      [],
      'Write the NetBackup configuration',
      `Sets ${keys.join(', ')}. Repeated keys are written as the complete list, merged with entries already on ` +
        `the host, because setting one replaces the whole set.`,
      {
        stdin: configStdin(config),
        ...(repeated.length ? { mergeRepeatedKeys: { keys: repeated, read: command(host, 'nbgetconfig', []) } } : {}),
        ...(host.installed && !host.replaceClientName
          ? { keepsIdentity: { keys: ['CLIENT_NAME'], read: command(host, 'nbgetconfig', ['CLIENT_NAME']) } }
          : {}),
        ...(marked ? { verifyForYourVersion: marked } : {}),
        stage: 'prepare',
      },
    ),
    readStep(
      host,
      'config.verify',
      'nbgetconfig',
      keys,
      'Read the configuration back',
      'Confirms that every value the plan owns is now in effect.',
      { stage: 'prepare' },
    ),
  ];
}
