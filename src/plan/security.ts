import type { DteMode, Environment, HostEnv } from '../environment/types.js';
import { allHosts } from '../environment/types.js';
import { atLeast, isLegacy } from '../environment/versions.js';
import { commandStep, doneWhen, manualStep, readStep } from './step.js';
import type { PrimaryStage } from './stages.js';
import type { RestSetting, Step } from './types.js';
import { VERIFY_MARKER } from '../catalogue/confidence.js';
import { API_VERSION, DEPLOY_LEVEL, MEDIA_TYPE, REST, primaryApiUrl, SECURITY_FIELDS } from '../catalogue/rest.js';

export const DTE_MODE: Record<DteMode, { flag: string; label: string; output: string }> = {
  'preferred-off': { flag: '0', label: 'Preferred Off', output: 'PREFERRED.?OFF' },
  'preferred-on': { flag: '1', label: 'Preferred On', output: 'PREFERRED.?ON' },
  enforced: { flag: '2', label: 'Enforced', output: 'ENFORCED' },
};

const LEVEL_LABEL = { 'very-high': 'Very High', high: 'High', medium: 'Medium' } as const;

export function legacyHosts(env: Environment): HostEnv[] {
  return allHosts(env).filter((h) => isLegacy(h.version));
}

/** auto = off unless a host is at 8.0 or earlier, which can only talk insecurely. */
export function insecureSetting(env: Environment): 'on' | 'off' {
  const s = env.security.insecureCommunication;
  if (s !== 'auto') return s;
  return legacyHosts(env).length ? 'on' : 'off';
}

/** The web login on the primary, at the start of each stage there that acts as an administrator. */
export function loginStep(primary: HostEnv, stage: PrimaryStage): Step {
  const step = manualStep(
    primary,
    stage === 'prepare' ? 'login' : `${stage}.login`,
    'Log in as a NetBackup administrator',
    'nbseccmd and nbcertcmd -createToken act for an authenticated administrator; without ' +
      'a session they are refused (status 5930).',
    [
      `On ${primary.name}, run: ${primary.os === 'windows' ? 'bpnbat.exe' : 'bpnbat'} -login -logintype WEB`,
      'Give your NetBackup administrator credentials at its prompts (nbsecure never asks for or stores them).',
      'With an API key (nbsecure apply --api-key-file FILE, or NBSECURE_API_KEY), nbsecure skips this login and ' +
        'hands the key to the commands that need a session in NETBACKUP_APIKEY.',
    ],
    { stage },
  );
  return { ...step, apiKeyReplaces: true };
}

/** The REST settings of the tighten stage, as the primary's security properties name them. */
export function securitySettings(primary: HostEnv, env: Environment): RestSetting[] {
  const level = DEPLOY_LEVEL[env.certificates.securityLevel];
  const marker = (what: string) => ({ verifyForYourVersion: `${VERIFY_MARKER}: ${what}` });
  const settings: RestSetting[] = [
    {
      name: 'certificateAutoDeployLevel',
      value: level.value,
      ...(level.confidence === 'unconfirmed'
        ? marker(`certificateAutoDeployLevel ${level.value} for ${LEVEL_LABEL[env.certificates.securityLevel]}`)
        : {}),
    },
    { name: 'allowInsecureBackLevelHost', value: insecureSetting(env) === 'on' },
  ];
  if (atLeast(primary.version, DTE_MIN_VERSION)) {
    const dte = DTE_MODE[env.security.dataInTransitEncryption];
    settings.push({
      name: 'dteGlobalMode',
      value: Number(dte.flag),
      accept: [dte.label.toUpperCase().replace(' ', '_')],
      ...marker(`dteGlobalMode ${dte.flag} for ${dte.label} (${SECURITY_FIELDS.dteGlobalMode.source})`),
    });
  }
  return settings;
}

/** The JSON body that sets these settings: each field name with the plan's value. */
export function settingsBody(settings: readonly RestSetting[]): Record<string, number | boolean> {
  return Object.fromEntries(settings.map((s) => [s.name, s.value]));
}

/** The same call as a person types it: the key read from a 0600 header file, the CA pinned by its fingerprint. */
function curlInstructions(primary: HostEnv, env: Environment, body: string, markers: string[]): string[] {
  const base = primaryApiUrl(primary.name);
  const fp = env.certificates.caFingerprint ?? 'the fingerprint nbcertcmd -displayCACertDetail shows';
  return [
    'Or with an API key, from any host that reaches the primary (the key in a file readable by you alone, as the ' +
      'line "Authorization: KEY"; here nbsecure-apikey-header, in the current folder):',
    `curl -s --insecure -H 'Accept: ${MEDIA_TYPE}' ${base}${REST.cacert.path} | jq -r .webRootCert > nbsecure-ca.pem`,
    `openssl x509 -in nbsecure-ca.pem -noout -fingerprint -sha256   # must print ${fp}; stop if it does not`,
    `curl --fail --cacert nbsecure-ca.pem -H @nbsecure-apikey-header -H 'Accept: ${MEDIA_TYPE}' ` +
      `-H 'Content-Type: ${MEDIA_TYPE}' -X POST --data '${body}' ${base}${REST.properties.path}`,
    'An answer 202 with the header X-NetBackup-MFA-Request asks for a one-time password; nbsecure apply ' +
      '--api-key-file does all of this and asks for it.',
    ...markers,
  ];
}

/**
 * The certificate deployment level, with the other global settings compared: no nbseccmd flag exists for
 * the level, so it is a person's step (web UI), or with an API key a REST call that POSTs only what differs.
 */
function levelStep(primary: HostEnv, env: Environment): Step {
  const label = LEVEL_LABEL[env.certificates.securityLevel];
  const settings = securitySettings(primary, env);
  const body = JSON.stringify(settingsBody(settings));
  // The REST form rests on facts the web UI path does not: its markers go with it, not on the step.
  const markers = [
    ...(API_VERSION.confidence === 'unconfirmed'
      ? [`${VERIFY_MARKER}: the media type version ${API_VERSION.value} (${API_VERSION.source})`]
      : []),
    ...settings.flatMap((s) => (s.verifyForYourVersion ? [s.verifyForYourVersion] : [])),
  ];
  return {
    ...manualStep(
      primary,
      'security.level',
      `Set the certificate deployment security level to ${label}`,
      'There is no documented nbseccmd flag for this setting, so nbsecure does not invent one. With an API key ' +
        'nbsecure reads the security properties and sends only the fields that differ.',
      [
        `In the web UI: Security > Global security settings > Secure communication, set the level to ${label}.`,
        ...curlInstructions(primary, env, body, markers),
      ],
      { stage: 'tighten' },
    ),
    rest: { path: '/security/properties', settings },
  };
}

/** A year of audit records: enough to trace an intrusion found months later (Hardening Guide, observability). */
export const AUDIT_RETENTION_DAYS = 365;

/** Audit retention, set with nbseccmd (Commands Reference, nbseccmd -auditretentionperiod number_of_days). */
export function auditSteps(primary: HostEnv): Step[] {
  return [
    commandStep(
      primary,
      'security.audit',
      'nbseccmd',
      ['-setsecurityconfig', '-auditretentionperiod', String(AUDIT_RETENTION_DAYS)],
      `Keep audit records for ${AUDIT_RETENTION_DAYS} days`,
      'Audit records are how an intrusion is traced; attackers count on them being gone by the time it is found.',
      {
        done: doneWhen(
          primary,
          'nbseccmd',
          ['-getsecurityconfig', '-auditretentionperiod'],
          `\\b${AUDIT_RETENTION_DAYS}\\b`,
        ),
        stage: 'prepare',
      },
    ),
  ];
}

/** Data-in-transit encryption exists from 9.1 on the primary (the 8.1 nbseccmd synopsis has no DTE option). */
export const DTE_MIN_VERSION = '9.1';

/**
 * Hosts whose jobs fail under Enforced: older than 9.1, or 9.1.x clients, whose own DTE mode
 * defaults to Off (10.0 and later default to Automatic). Security Guide 11.1, DTE.
 */
export function dteEnforcedFailures(env: Environment): { host: HostEnv; why: string }[] {
  return [...env.media, ...env.clients].flatMap((host) => {
    if (!atLeast(host.version, DTE_MIN_VERSION)) return [{ host, why: `${host.version}, older than 9.1` }];
    if (host.role === 'client' && !atLeast(host.version, '10.0')) {
      return [{ host, why: `a ${host.version} client, whose own DTE mode defaults to Off` }];
    }
    return [];
  });
}

/**
 * Insecure communication off is decided on the domain's hosts, not only the answers': an unlisted
 * 8.0 host stops working after the restart. The primary's own host records are read first.
 */
function domainLegacyCheck(primary: HostEnv, env: Environment): Step {
  return readStep(
    primary,
    'security.insecure.domain',
    'nbemmcmd',
    ['-listhosts', '-verbose'],
    'Check the domain for hosts at 8.0 or earlier that the answers do not list',
    'Turning insecure communication off cuts off every host at 8.0 or earlier, listed or not; this stops the ' +
      'run before the change if the primary knows such a host that the answers leave out.',
    {
      guard: { kind: 'no-unlisted-legacy-hosts', known: allHosts(env).map((h) => h.name) },
      verifyForYourVersion:
        `${VERIFY_MARKER}: the layout of nbemmcmd -listhosts -verbose (MachineName and NetBackupVersion ` +
        'lines) is not documented; check that it lists your hosts with their versions',
      stage: 'tighten',
    },
  );
}

/** Global security settings, set on the primary with nbseccmd (NetBackup reference, sections 4 and 5). */
export function globalSecuritySteps(primary: HostEnv, env: Environment): Step[] {
  const insecure = insecureSetting(env);
  const legacy = legacyHosts(env);
  const dte = DTE_MODE[env.security.dataInTransitEncryption];
  const p = primary.name;
  // Deployment levels govern NetBackup-CA certificates only: an external-CA domain has none to set.
  const levelSteps = env.certificates.authority === 'nbca' ? [levelStep(primary, env)] : [];
  const steps: Step[] = [
    ...(insecure === 'off' ? [domainLegacyCheck(primary, env)] : []),
    commandStep(
      primary,
      'security.insecure',
      'nbseccmd',
      ['-setsecurityconfig', '-insecurecommunication', insecure],
      `Turn insecure communication ${insecure}`,
      insecure === 'off'
        ? 'No host is at 8.0 or earlier, so nothing needs the insecure protocol; leaving it ' +
            'on lets any 8.0 host talk to the domain unauthenticated.'
        : legacy.length
          ? `Hosts at 8.0 or earlier (${legacy.map((h) => `${h.name} ${h.version}`).join(', ')}` +
            `) can only talk insecurely; it stays on until they are upgraded.`
          : 'The answers ask for it to stay on.',
      {
        done: doneWhen(primary, 'nbseccmd', ['-getsecurityconfig', '-insecurecommunication'], `\\b${insecure}\\b`),
        stage: 'tighten',
      },
    ),
    readStep(
      primary,
      'security.insecure.verify',
      'nbseccmd',
      ['-getsecurityconfig', '-insecurecommunication'],
      'Read the insecure communication setting back',
      `Confirms it is ${insecure}.`,
      { stage: 'tighten' },
    ),
  ];
  if (insecure === 'off') {
    const [stop, start] =
      primary.os === 'windows' ? (['bpdown', 'bpup'] as const) : (['bp.kill_all', 'bp.start_all'] as const);
    const why =
      "Turning insecure communication off takes effect only after the primary's services " +
      'restart. This interrupts running backup and restore jobs: choose a quiet window.';
    steps.push(
      commandStep(primary, 'services.stop', stop, [], 'Stop the NetBackup services on the primary', why, {
        stdin: 'y\n',
        interruptsService: true,
        onlyIfChanged: `${p}:security.insecure`,
        stage: 'tighten',
      }),
      commandStep(
        primary,
        'services.start',
        start,
        [],
        'Start the NetBackup services on the primary',
        'Brings the primary back with the new setting in effect.',
        { interruptsService: true, onlyIfChanged: `${p}:security.insecure`, stage: 'tighten' },
      ),
    );
  }
  // The level comes last: its REST form compares the settings the nbseccmd steps above made.
  if (!atLeast(primary.version, DTE_MIN_VERSION)) return [...steps, ...levelSteps];
  const failing = env.security.dataInTransitEncryption === 'enforced' ? dteEnforcedFailures(env) : [];
  steps.push(
    commandStep(
      primary,
      'security.dte',
      'nbseccmd',
      ['-setsecurityconfig', '-dteglobalmode', dte.flag],
      `Set data-in-transit encryption to ${dte.label}`,
      env.security.dataInTransitEncryption === 'enforced'
        ? 'Enforced: backup data is always encrypted on the wire; hosts that cannot encrypt fail their jobs' +
            (failing.length
              ? `: ${failing.map((f) => `${f.host.name} (${f.why})`).join(', ')}` +
                ', accepted in security.acceptDteFailures.'
              : '; none of the listed hosts is one.')
        : `${dte.label}: data is encrypted on the wire ` +
            (env.security.dataInTransitEncryption === 'preferred-on'
              ? 'unless a client or policy opts out.'
              : 'only where a client or policy asks for it.'),
      { done: doneWhen(primary, 'nbseccmd', ['-getsecurityconfig', '-dteglobalmode'], dte.output), stage: 'tighten' },
    ),
    readStep(
      primary,
      'security.dte.verify',
      'nbseccmd',
      ['-getsecurityconfig', '-dteglobalmode'],
      'Read the data-in-transit encryption mode back',
      `Confirms it is ${dte.label}.`,
      { stage: 'tighten' },
    ),
  );
  return [...steps, ...levelSteps];
}

/**
 * NAT clients need the primary's side too (NetBackup NAT guide, 11.1): NAT support with the
 * messaging broker (nbmqbroker) on the primary, and ENABLE_DIRECT_CONNECTION = TRUE on servers
 * that must still reach clients without NAT support. A person's decision for the whole domain.
 */
export function natSteps(primary: HostEnv, env: Environment): Step[] {
  const nat = env.clients.filter((c) => c.nat);
  if (!nat.length) return [];
  return [
    manualStep(
      primary,
      'nat.support',
      'Turn on NAT support for the clients behind NAT',
      `${nat.map((c) => c.name).join(', ')} ${nat.length === 1 ? 'is' : 'are'} behind dynamic NAT: they reach the ` +
        'primary through the messaging broker, and once NAT support is on, servers fail to communicate with any ' +
        'client that has NAT support disabled unless ENABLE_DIRECT_CONNECTION is TRUE on them.',
      [
        'In the web UI, turn on NAT support for the domain as the NAT guide for your version says; this ' +
          'starts the messaging broker (nbmqbroker) on the primary.',
        'On each server that must still reach clients without NAT support, set ENABLE_DIRECT_CONNECTION = TRUE ' +
          '(nbsetconfig), then check that backups of those clients still run.',
        'External certificates are not enrolled automatically for NAT clients: enrol them on each client.',
      ],
      { stage: 'prepare' },
    ),
  ];
}
