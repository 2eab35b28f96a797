import type { DteMode, Environment, HostEnv } from '../environment/types.js';
import { allHosts } from '../environment/types.js';
import { isLegacy } from '../environment/versions.js';
import { commandStep, doneWhen, manualStep, readStep } from './step.js';
import type { Step } from './types.js';

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

export function loginStep(primary: HostEnv): Step {
  return manualStep(
    primary,
    'login',
    'Log in as a NetBackup administrator',
    'nbseccmd and nbcertcmd -createToken act for an authenticated administrator; without ' +
      'a session they are refused (status 5930).',
    [
      `On ${primary.name}, run: ${primary.os === 'windows' ? 'bpnbat.exe' : 'bpnbat'} -login -logintype WEB`,
      'Give your NetBackup administrator credentials at its prompts (nbsecure never asks for or stores them).',
    ],
  );
}

/** Global security settings, set on the primary with nbseccmd (NetBackup reference, sections 4 and 5). */
export function globalSecuritySteps(primary: HostEnv, env: Environment): Step[] {
  const level = env.certificates.securityLevel;
  const insecure = insecureSetting(env);
  const legacy = legacyHosts(env);
  const dte = DTE_MODE[env.security.dataInTransitEncryption];
  const p = primary.name;
  const steps: Step[] = [
    manualStep(
      primary,
      'security.level',
      `Set the certificate deployment security level to ${LEVEL_LABEL[level]}`,
      'There is no documented nbseccmd flag for this setting, so nbsecure does not invent one.',
      [
        `In the web UI: Security > Global security settings > Secure communication, set the ` +
          `level to ${LEVEL_LABEL[level]}.`,
        `Or through the REST API: POST https://${p}:1556/netbackup/security/properties with the field certificateAutoDeployLevel set ` +
          `to the value your version's API reference gives for ${LEVEL_LABEL[level]}.`,
      ],
    ),
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
  steps.push(
    commandStep(
      primary,
      'security.dte',
      'nbseccmd',
      ['-setsecurityconfig', '-dteglobalmode', dte.flag],
      `Set data-in-transit encryption to ${dte.label}`,
      env.security.dataInTransitEncryption === 'enforced'
        ? 'Enforced: backup data is always encrypted on the wire; hosts that cannot encrypt will fail their jobs.'
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
