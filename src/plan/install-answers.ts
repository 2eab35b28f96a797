import { VERIFY_MARKER } from '../catalogue/confidence.js';
import type { Environment, HostEnv } from '../environment/types.js';
import { atLeast } from '../environment/versions.js';
import { tunnelCandidates } from './bpconf.js';
import type { InstallAnswers, InstallLine } from './types.js';

/** Hosts that get install answers: those not installed yet (a Windows primary is installed by hand). */
function wantsInstallAnswers(host: HostEnv): boolean {
  return !host.installed && (host.os === 'linux' || host.role !== 'primary');
}

const note = (comment: string): InstallLine => ({ comment });
const entry = (key: string, value: string): InstallLine => ({ key, value });

function machineRole(h: HostEnv): string {
  if (h.role === 'client') return 'CLIENT';
  if (h.role === 'media') return 'MEDIA';
  return atLeast(h.version, '10.1.1') ? 'PRIMARY' : 'MASTER';
}

function crlLevel(eca: NonNullable<HostEnv['eca']>): string {
  if (eca.crlCheck === 'disable') return 'DISABLED';
  return eca.crlPath ? 'USE_PATH' : 'USE_CDP';
}

/**
 * The vendor's silent-install answer file (NetBackup reference, section 8). It never holds a
 * token: with AUTHORIZATION_TOKEN = SKIP the installer asks without one, and the plan's own step
 * deploys the certificate where that is refused.
 */
function unixAnswers(env: Environment, host: HostEnv): InstallLine[] {
  const lines = [
    note(
      `NBInstallAnswer.conf for ${host.name}: copy to /tmp/NBInstallAnswer.conf (mode 0600) before installing; ` +
        'delete it afterwards.',
    ),
    entry('CLIENT_NAME', host.name),
    entry('MACHINE_ROLE', machineRole(host)),
  ];
  if (host.role === 'primary') {
    lines.push(
      note(`${VERIFY_MARKER}: a primary's silent install asks more than this file holds; see the Installation Guide.`),
    );
    return lines;
  }
  lines.push(entry('SERVER', env.primary.name), ...env.media.map((m) => entry('SERVER', m.name)));
  if (host.zone === 'dmz') lines.push(...tunnelCandidates(host, env).map((m) => entry('MEDIA_SERVER', m)));
  const eca = host.eca;
  if (eca) {
    lines.push(
      entry('ECA_CERT_PATH', eca.certPath),
      entry('ECA_PRIVATE_KEY_PATH', eca.privateKeyPath),
      entry('ECA_TRUST_STORE_PATH', eca.trustStorePath),
      entry('ECA_CRL_CHECK_LEVEL', crlLevel(eca)),
    );
    if (eca.crlPath) lines.push(entry('ECA_CRL_PATH', eca.crlPath));
    if (eca.passphraseFile) lines.push(entry('ECA_KEY_PASSPHRASEFILE', eca.passphraseFile));
  } else {
    lines.push(
      entry('CA_CERTIFICATE_FINGERPRINT', env.certificates.caFingerprint ?? 'SKIP'),
      note(
        'The token is never written here. SKIP does not skip certificate deployment: the installer tries ' +
          'without a token, and where that is refused the plan deploys the certificate with the token in a 0600 file.',
      ),
      entry('AUTHORIZATION_TOKEN', 'SKIP'),
    );
  }
  if (host.nat) lines.push(entry('ACCEPT_REVERSE_CONNECTION', 'TRUE'));
  return lines;
}

/**
 * The lines to set in the vendor's silentclient.cmd / silentmedia.cmd (from the installation media)
 * for a Windows host: CLIENT, MASTERSERVER and ADDITIONALSERVERS are the variables the reference
 * confirms; the certificate lines of that script are left to it, marked for checking.
 */
function windowsAnswers(env: Environment, host: HostEnv, script: string): InstallLine[] {
  // ADDITIONALSERVERS: the servers besides the primary that may connect to this host (its media servers).
  const servers = env.media.map((m) => m.name).filter((n) => n !== host.name);
  return [
    note(`Settings for ${host.name}: set these in the ${script} of your NetBackup installation media, then run it.`),
    note('The token is never written here: the plan deploys the certificate after installation, with the token in a'),
    note('file readable by you alone.'),
    note(`${VERIFY_MARKER}: the certificate variables (CA fingerprint, authorization token) of ${script} are`),
    note('named as the script itself says for your version; leave the token out and let the plan deploy it.'),
    entry('CLIENT', host.name),
    entry('MASTERSERVER', env.primary.name),
    entry('ADDITIONALSERVERS', servers.join(',')),
  ];
}

/** What the installer of a host not installed yet is given, decided here so that plan.json carries it. */
export function installAnswers(host: HostEnv, env: Environment): InstallAnswers | undefined {
  if (!wantsInstallAnswers(host)) return undefined;
  if (host.os === 'linux') {
    return { file: `${host.name}.NBInstallAnswer.conf`, kind: 'unix', lines: unixAnswers(env, host) };
  }
  const script = host.role === 'media' ? 'silentmedia.cmd' : 'silentclient.cmd';
  return { file: `${host.name}.${script}`, kind: 'windows', lines: windowsAnswers(env, host, script) };
}
