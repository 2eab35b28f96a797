import type { Environment, HostEnv } from '../environment/types.js';
import { isLegacy } from '../environment/versions.js';
import { fileArg } from './args.js';
import { command, commandStep, doneWhen, manualStep, readStep } from './step.js';
import { hostsNeedingToken, tokenReason } from './token-policy.js';
import type { Step, StepFile } from './types.js';

/** When a host gets a NetBackup certificate without a token (Security and Encryption Guide, security levels). */
const LEVEL_WITHOUT_TOKEN = {
  'very-high': 'At the Very High level every certificate request needs a token.',
  high:
    'At the High level the primary issues a certificate without a token to a host it already knows ' +
    '(in its configuration, EMM, a policy, or as a legacy client).',
  medium:
    'At the Medium level the primary issues a certificate without a token when the host name resolves to ' +
    'the IP address the request comes from; it does not check that the host is known.',
} as const;

/** Certificates last a year and renew themselves 180 days before expiry: 30 days left means renewal failed. */
export const CERT_WARN_DAYS = 30;

const TOKEN_FILE = fileArg('token');
/** A reissue token made during a rollout is used within minutes: an hour is plenty. */
const REISSUE_VALID_FOR = '1H';
/** A wave's token, likewise: used by its hosts within minutes, and deleted when the wave ends. */
const WAVE_TOKEN = { validFor: '1H' };
/** The token as a step's file: written at run time from the secret, never from the plan. */
const TOKEN_FILE_SPEC: StepFile = { name: 'token', secret: 'token' };
const FINGERPRINT_FILE = fileArg('ca-fingerprint');
const PASSPHRASE_FILE = fileArg('passphrase');

/** How many hosts the rollout token must serve: the answers' maxUses, or exactly the hosts that need it. */
export function tokenUses(env: Environment): number {
  return env.certificates.token.maxUses ?? hostsNeedingToken(env).length;
}

/** NetBackup CA steps on the primary: show the CA fingerprint, create the rollout token. */
export function primaryCaSteps(primary: HostEnv, env: Environment): Step[] {
  if (env.certificates.authority !== 'nbca') return [];
  const steps: Step[] = [
    readStep(
      primary,
      'ca.show',
      'nbcertcmd',
      ['-displayCACertDetail'],
      'Show the CA certificate and its fingerprint',
      'Every other host checks the CA it receives against this fingerprint; put it in certificates.caFingerprint ' +
        'so their steps run unattended and verified.' +
        (env.certificates.caFingerprint
          ? ''
          : " Without it, nbsecure rollout reads the fingerprint here, over Ansible's own authenticated " +
            "connection to the primary, and that reading is every host's trust anchor."),
      { stage: 'prepare', ...(env.certificates.caFingerprint ? {} : { capturesFact: 'caFingerprint' as const }) },
    ),
  ];
  const needing = hostsNeedingToken(env);
  if (needing.length) {
    const { name, validFor } = env.certificates.token;
    steps.push(
      commandStep(
        primary,
        'token.replace',
        'nbcertcmd',
        ['-deleteToken', '-name', name],
        `Delete an earlier token "${name}" whose value is not at hand`,
        'A token made by an earlier, interrupted run cannot be handed to anyone: its value was never captured. ' +
          'It is deleted so that a fresh one can be made under the same name.',
        { skipIfCaptured: 'token', tolerateFailure: 'there was no such token', perWave: WAVE_TOKEN, stage: 'prepare' },
      ),
      commandStep(
        primary,
        'token.create',
        'nbcertcmd',
        [
          '-createToken',
          '-name',
          name,
          '-maxUses',
          String(tokenUses(env)),
          '-validFor',
          validFor,
          '-reason',
          'nbsecure certificate rollout',
        ],
        `Create the authorization token "${name}" for ${needing.length} host${needing.length === 1 ? '' : 's'}`,
        `Needed by ${needing.map((h) => h.name).join(', ')}` +
          `. The token is a credential: nbsecure captures it into a 0600 file and never prints ` +
          `it; it expires after ${validFor}.`,
        { capturesSecret: 'token', skipIfCaptured: 'token', perWave: WAVE_TOKEN, stage: 'prepare' },
      ),
      commandStep(
        primary,
        'token.delete',
        'nbcertcmd',
        ['-deleteToken', '-name', name],
        `Delete the rollout token "${name}"`,
        'Every host that needed it has its certificate by now: a token left behind is a credential anyone who ' +
          'finds it could use until it expires. Its captured copy is removed too.',
        {
          tolerateFailure: 'the token was already deleted or has expired',
          retiresCaptured: 'token',
          perWave: WAVE_TOKEN,
          // Last of all: every host that needed the token has its certificate by now.
          stage: 'verify',
        },
      ),
    );
  }
  return steps;
}

/** Certificate deployment on a media server or client (NetBackup CA). */
export function hostCaSteps(host: HostEnv, env: Environment): Step[] {
  if (env.certificates.authority !== 'nbca' || isLegacy(host.version)) return [];
  const p = env.primary.name;
  const steps: Step[] = [];
  const fp = env.certificates.caFingerprint;
  if (fp) {
    steps.push(
      commandStep(
        host,
        'ca.get',
        'nbcertcmd',
        ['-getCACertificate', '-file', FINGERPRINT_FILE, '-server', p],
        'Fetch the CA certificate and check its fingerprint',
        'Trust is established only if the CA the primary presents has the fingerprint from ' +
          'the answers; a mismatch stops here instead of trusting an impostor.',
        {
          files: [{ name: 'ca-fingerprint', content: `${fp}\n` }],
          // Trusting a CA is not trusting the primary's: done only when the expected fingerprint is listed.
          done: doneWhen(host, 'nbcertcmd', ['-listCACertDetails'], fp.toUpperCase()),
          stage: 'prepare',
        },
      ),
    );
  } else {
    steps.push(
      manualStep(
        host,
        'ca.get',
        'Fetch the CA certificate and compare its fingerprint by eye',
        "No CA fingerprint was given, so only a person can confirm that the CA presented is the primary's.",
        [
          `On the primary, run: ${env.primary.os === 'windows' ? 'nbcertcmd.exe' : 'nbcertcmd'}` +
            ` -displayCACertDetail, and note the fingerprint.`,
          `On ${host.name}, run: nbcertcmd -getCACertificate -server ${p}`,
          "Answer y only if the fingerprint shown matches the primary's exactly.",
          'To automate this step, put the fingerprint in certificates.caFingerprint and plan again.',
        ],
        {
          // Where the rollout read the fingerprint on the primary itself, the fetch is verified as above.
          withFact: {
            fact: 'caFingerprint',
            command: command(host, 'nbcertcmd', ['-getCACertificate', '-file', FINGERPRINT_FILE, '-server', p]),
            files: [{ name: 'ca-fingerprint', fact: 'caFingerprint' }],
            done: doneWhen(host, 'nbcertcmd', ['-listCACertDetails']),
          },
          stage: 'prepare',
        },
      ),
    );
  }
  const reason = tokenReason(host, env);
  steps.push(
    commandStep(
      host,
      'cert.get',
      'nbcertcmd',
      ['-getCertificate', ...(reason ? ['-file', TOKEN_FILE] : []), '-server', p],
      reason ? 'Deploy the host certificate with the authorization token' : 'Deploy the host certificate',
      reason
        ? `A token is needed because ${reason}. It is handed over in a 0600 file, never ` +
            `on the command line, where the process ` +
            `list would show it.`
        : `${LEVEL_WITHOUT_TOKEN[env.certificates.securityLevel]} If the primary answers 5954 or 5955, deploy ` +
            'this certificate with a token: a token works at every level.',
      {
        ...(reason ? { files: [TOKEN_FILE_SPEC] } : {}),
        // A certificate that is listed may have expired or been revoked: that is not done.
        done: { ...doneWhen(host, 'nbcertcmd', ['-listCertDetails']), certificate: { warnDays: CERT_WARN_DAYS } },
        reissue: {
          command: command(host, 'nbcertcmd', ['-getCertificate', '-file', TOKEN_FILE, '-force', '-server', p]),
          files: [TOKEN_FILE_SPEC],
          tokenHowTo:
            `on ${p}, after logging in: nbcertcmd -createToken -name reissue-${host.name.split('.')[0]} ` +
            `-reissue -host ${host.name} (single use, bound to this host)`,
          tokenCommand: command(env.primary, 'nbcertcmd', [
            ...['-createToken', '-name', `reissue-${host.name.split('.')[0]}`, '-reissue', '-host', host.name],
            ...['-maxUses', '1', '-validFor', REISSUE_VALID_FOR, '-reason', 'nbsecure certificate reissue'],
          ]),
        },
        stage: 'prepare',
      },
    ),
  );
  steps.push(
    readStep(
      host,
      'cert.verify',
      'nbcertcmd',
      ['-listCertDetails'],
      'List the host certificate',
      'Shows the certificate that was just issued, its host ID and expiry.',
      { stage: 'prepare' },
    ),
  );
  steps.push(
    readStep(
      host,
      'cert.selfcheck',
      'nbcertcmd',
      ['-hostSelfCheck'],
      "Check the host's certificate state",
      "Reports whether this host's certificate is valid and not revoked.",
      { stage: 'prepare' },
    ),
  );
  return steps;
}

/** External CA: health check, pre-check and enrolment of the host's external certificate. */
export function ecaSteps(host: HostEnv, env: Environment): Step[] {
  const eca = host.eca;
  if (env.certificates.authority !== 'eca' || !eca || isLegacy(host.version)) return [];
  const p = env.primary.name;
  const check = [
    '-ecaHealthCheck',
    '-trustStorePath',
    eca.trustStorePath,
    '-certPath',
    eca.certPath,
    '-privateKeyPath',
    eca.privateKeyPath,
    // The check proves the key opens with the passphrase the operator gives at apply time (a 0600 temp
    // file); ECA_KEY_PASSPHRASEFILE keeps naming the host's own file, which NetBackup reads later.
    ...(eca.passphraseFile ? ['-passphraseFile', PASSPHRASE_FILE] : []),
    ...(eca.crlCheck ? ['-crlCheckLevel', eca.crlCheck.toUpperCase()] : []),
    ...(eca.crlPath ? ['-crlPath', eca.crlPath] : []),
  ];
  return [
    readStep(
      host,
      'eca.health',
      'nbcertcmd',
      check,
      'Check the external certificate configuration',
      'Validates the chain, key, trust store and CRLs before anything is enrolled; status ' +
        '8779 lists each failed validation.',
      {
        stage: 'prepare',
        ...(eca.passphraseFile ? { files: [{ name: 'passphrase' as const, secret: 'passphrase' as const }] } : {}),
      },
    ),
    readStep(
      host,
      'eca.precheck',
      'nbcertcmd',
      ['-enrollCertificate', '-preCheck', '-server', p],
      'Pre-check the enrolment with the primary',
      "Confirms the primary will accept this host's external certificate.",
      { stage: 'prepare' },
    ),
    commandStep(
      host,
      'eca.enroll',
      'nbcertcmd',
      ['-enrollCertificate', '-server', p],
      'Enrol the external certificate with the primary',
      "Registers the host's external certificate so NetBackup uses it for secure communication.",
      { done: doneWhen(host, 'nbcertcmd', ['-listCertDetails']), stage: 'prepare' },
    ),
  ];
}

/** Manual steps on the primary for an external CA: the web server certificate and the CA usage setting. */
export function primaryEcaManualSteps(primary: HostEnv, env: Environment): Step[] {
  if (env.certificates.authority !== 'eca') return [];
  const script =
    primary.os === 'windows'
      ? `${primary.installPath}\\NetBackup\\wmc\\bin\\install\\configureWebServerCerts.bat`
      : `${primary.installPath.replace(/\/+$/, '')}/wmc/bin/install/configureWebServerCerts`;
  return [
    manualStep(
      primary,
      'eca.webserver',
      "Install the external certificate on the primary's web server",
      "Hosts verify the primary's web service (port 1556) against the external CA; the web " +
        'server must present a certificate from it.',
      [
        `Run ${script} with the options your version's Security and Encryption Guide gives for adding an ` +
          `external certificate (nbsecure does not guess them).`,
        'Then enable the external CA for the domain in the web UI (Security > Global security ' +
          'settings) and restart the web service as the guide says.',
        `Check with: nbcertcmd -getSecConfig -caUsage -server ${env.primary.name} (it prints ECA: ON).`,
      ],
      { stage: 'prepare' },
    ),
  ];
}

/**
 * Revocation for decommissioned hosts (Security and Encryption Guide 11.0, revoking a host ID-based
 * certificate): after a web login on the primary, -revokeCertificate -host with the host's primary
 * name; then a person removes it from policies (and deactivates it, if it was a media server).
 */
export function revocationSteps(primary: HostEnv, env: Environment): Step[] {
  return env.decommissioned.flatMap((name) => [
    commandStep(
      primary,
      `revoke.${name}`,
      'nbcertcmd',
      ['-revokeCertificate', '-host', name],
      `Revoke the certificate of ${name}, which is out of service`,
      'A decommissioned host keeps a valid certificate until it is revoked: anyone holding its files could ' +
        "still reach the primary's web services with it.",
      { once: true, stage: 'prepare' },
    ),
    manualStep(
      primary,
      `revoke.${name}.cleanup`,
      `Remove ${name} from policies`,
      'A revoked host left in policies fails its jobs and keeps a place an impostor could take.',
      [
        `Remove ${name} from every backup policy (web UI: Protection > Policies).`,
        `If ${name} was a media server, deactivate it and move its storage units to another media server.`,
      ],
      { stage: 'prepare' },
    ),
  ]);
}
