import { VERIFY_MARKER } from '../catalogue/confidence.js';
import { atLeast } from '../environment/versions.js';
import type { Environment, HostEnv } from '../environment/types.js';
import { tunnelCandidates } from '../plan/bpconf.js';
import type { HostPlan } from '../plan/types.js';
import { configLine } from '../plan/config-line.js';

/** Hosts that get an answer file: those not installed yet (NBInstallAnswer.conf on UNIX, silent*.cmd on Windows). */
export function wantsAnswerFile(host: Pick<HostPlan, 'installed' | 'os' | 'role'>): boolean {
  return !host.installed && (host.os === 'linux' || host.role !== 'primary');
}

/** The answer file's name: the vendor's UNIX file, or its Windows silent-install script for the role. */
export function answerFileName(host: Pick<HostPlan, 'name' | 'os' | 'role'>): string {
  if (host.os === 'linux') return `${host.name}.NBInstallAnswer.conf`;
  return `${host.name}.${host.role === 'media' ? 'silentmedia' : 'silentclient'}.cmd`;
}

/**
 * The lines to set in the vendor's silentclient.cmd / silentmedia.cmd (from the installation media)
 * for a Windows host: CLIENT, MASTERSERVER and ADDITIONALSERVERS are the variables the reference
 * confirms; the certificate lines of that script are left to it, marked for checking.
 */
export function renderWindowsAnswerFile(env: Environment, host: HostEnv): string {
  const script = host.role === 'media' ? 'silentmedia.cmd' : 'silentclient.cmd';
  // ADDITIONALSERVERS: the servers besides the primary that may connect to this host (its media servers).
  const servers = env.media.map((m) => m.name).filter((n) => n !== host.name);
  return [
    `@REM Settings for ${host.name}: set these in the ${script} of your NetBackup installation media, then run it.`,
    '@REM The token is never written here: the plan deploys the certificate after installation, with the token in a',
    '@REM file readable by you alone.',
    `@REM ${VERIFY_MARKER}: the certificate variables (CA fingerprint, authorization token) of ${script} are`,
    '@REM named as the script itself says for your version; leave the token out and let the plan deploy it.',
    `@set CLIENT=${host.name}`,
    `@set MASTERSERVER=${env.primary.name}`,
    `@set ADDITIONALSERVERS=${servers.join(',')}`,
    '',
  ].join('\r\n');
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
    const eca = host.eca;
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
