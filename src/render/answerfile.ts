import { VERIFY_MARKER } from '../catalogue/confidence.js';
import { atLeast } from '../environment/versions.js';
import type { Environment, HostEnv } from '../environment/types.js';
import { tunnelCandidates } from '../plan/bpconf.js';
import type { HostPlan } from '../plan/types.js';
import { configLine } from '../plan/config-line.js';

/** Hosts that get an NBInstallAnswer.conf: UNIX hosts not installed yet (the file is UNIX-only). */
export function wantsAnswerFile(host: Pick<HostPlan, 'installed' | 'os'>): boolean {
  return !host.installed && host.os === 'linux';
}

function role(h: HostEnv): string {
  if (h.role === 'client') return 'CLIENT';
  if (h.role === 'media') return 'MEDIA';
  return atLeast(h.version, '10.1.1') ? 'PRIMARY' : 'MASTER';
}

function crlLevel(eca: NonNullable<Environment['certificates']['eca']>): string {
  if (eca.crlCheck === 'disable') return 'DISABLED';
  return eca.crlPath ? 'USE_PATH' : 'USE_CDP';
}

/**
 * The vendor's silent-install answer file (NetBackup reference, section 8). It never holds a
 * token: with AUTHORIZATION_TOKEN = SKIP the installer asks without one, and the plan's own step
 * deploys the certificate where that is refused.
 */
export function renderAnswerFile(env: Environment, host: HostEnv): string {
  const lines = [
    `# NBInstallAnswer.conf for ${host.name}: copy to /tmp/NBInstallAnswer.conf (mode ` +
      `0600) before installing; delete it afterwards.`,
    configLine('CLIENT_NAME', host.name),
    configLine('MACHINE_ROLE', role(host)),
  ];
  if (host.role !== 'primary') {
    lines.push(configLine('SERVER', env.primary.name), ...env.media.map((m) => configLine('SERVER', m.name)));
    if (host.zone === 'dmz') lines.push(...tunnelCandidates(host, env).map((m) => configLine('MEDIA_SERVER', m)));
    const eca = env.certificates.authority === 'eca' ? env.certificates.eca : undefined;
    if (eca) {
      lines.push(
        configLine('ECA_CERT_PATH', eca.certPath),
        configLine('ECA_PRIVATE_KEY_PATH', eca.privateKeyPath),
        configLine('ECA_TRUST_STORE_PATH', eca.trustStorePath),
        configLine('ECA_CRL_CHECK_LEVEL', crlLevel(eca)),
      );
      if (eca.crlPath) lines.push(configLine('ECA_CRL_PATH', eca.crlPath));
      if (eca.passphraseFile) lines.push(configLine('ECA_KEY_PASSPHRASEFILE', eca.passphraseFile));
    } else {
      lines.push(configLine('CA_CERTIFICATE_FINGERPRINT', env.certificates.caFingerprint ?? 'SKIP'));
      lines.push(
        '# The token is never written here. SKIP does not skip certificate deployment: the installer tries ' +
          'without a token, and where that is refused the plan deploys the certificate with the token in a 0600 file.',
      );
      lines.push('AUTHORIZATION_TOKEN = SKIP');
    }
    if (host.nat) lines.push('ACCEPT_REVERSE_CONNECTION = TRUE');
  } else {
    lines.push(
      `# ${VERIFY_MARKER}: a primary's silent install asks more than this file holds; see the Installation Guide.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
