import type { DteMode, Environment, HostEnv } from '../environment/types.js';
import { allHosts } from '../environment/types.js';
import { atLeast, isLegacy } from '../environment/versions.js';
import { commandStep, doneWhen, manualStep, readStep } from './step.js';
import type { Step } from './types.js';
import { VERIFY_MARKER } from '../catalogue/confidence.js';

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
export function loginStep(primary: HostEnv, id = 'login'): Step {
  return manualStep(
    primary,
    id,
    'Log in as a NetBackup administrator',
    'nbseccmd and nbcertcmd -createToken act for an authenticated administrator; without ' +
      'a session they are refused (status 5930).',
    [
      `On ${primary.name}, run: ${primary.os === 'windows' ? 'bpnbat.exe' : 'bpnbat'} -login -logintype WEB`,
      'Give your NetBackup administrator credentials at its prompts (nbsecure never asks for or stores them).',
    ],
  );
}

/** The certificate deployment level: a web UI or REST setting, so a person's step (no nbseccmd flag exists). */
function levelStep(primary: HostEnv, env: Environment): Step {
  const label = LEVEL_LABEL[env.certificates.securityLevel];
  return manualStep(
    primary,
    'security.level',
    `Set the certificate deployment security level to ${label}`,
    'There is no documented nbseccmd flag for this setting, so nbsecure does not invent one.',
    [
      `In the web UI: Security > Global security settings > Secure communication, set the level to ${label}.`,
      `Or through the REST API: POST https://${primary.name}:1556/netbackup/security/properties with the field ` +
        `certificateAutoDeployLevel set to the value your version's API reference gives for ${label}.`,
    ],
  );
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
    ...levelSteps,
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
      { done: doneWhen(primary, 'nbseccmd', ['-getsecurityconfig', '-insecurecommunication'], `\\b${insecure}\\b`) },
    ),
    readStep(
      primary,
      'security.insecure.verify',
      'nbseccmd',
      ['-getsecurityconfig', '-insecurecommunication'],
      'Read the insecure communication setting back',
      `Confirms it is ${insecure}.`,
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
      }),
      commandStep(
        primary,
        'services.start',
        start,
        [],
        'Start the NetBackup services on the primary',
        'Brings the primary back with the new setting in effect.',
        { interruptsService: true, onlyIfChanged: `${p}:security.insecure` },
      ),
    );
  }
  if (!atLeast(primary.version, DTE_MIN_VERSION)) return steps;
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
      { done: doneWhen(primary, 'nbseccmd', ['-getsecurityconfig', '-dteglobalmode'], dte.output) },
    ),
    readStep(
      primary,
      'security.dte.verify',
      'nbseccmd',
      ['-getsecurityconfig', '-dteglobalmode'],
      'Read the data-in-transit encryption mode back',
      `Confirms it is ${dte.label}.`,
    ),
  );
  return steps;
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
    ),
  ];
}
