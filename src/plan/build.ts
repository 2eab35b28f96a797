import { VERIFY_MARKER } from '../catalogue/confidence.js';
import type { Environment, HostEnv } from '../environment/types.js';
import { allHosts } from '../environment/types.js';
import { atLeast } from '../environment/versions.js';
import { configFor, configSteps, keyNotes, ownedKeys } from './bpconf.js';
import { ecaSteps, hostCaSteps, primaryCaSteps, primaryEcaManualSteps, revocationSteps } from './certificates.js';
import { answersDigest, planDigest } from './digest.js';
import { primaryApiUrl } from '../catalogue/rest.js';
import { hardeningPlan } from './hardening.js';
import { installAnswers } from './install-answers.js';
import {
  auditSteps,
  DTE_MIN_VERSION,
  globalSecuritySteps,
  insecureSetting,
  legacyHosts,
  loginStep,
  natSteps,
} from './security.js';
import { withOperations } from './operations.js';
import { manualStep } from './step.js';
import { inStageOrder, stagesOf } from './stages.js';
import { certificateNeed, hostsNeedingToken } from './token-policy.js';
import type { HostPlan, Plan, Step } from './types.js';

function installStep(host: HostEnv, env: Environment): Step[] {
  if (host.installed) return [];
  const answers = installAnswers(host, env);
  return [
    manualStep(
      host,
      'install',
      'Install NetBackup on this host',
      'The answers say NetBackup is not installed yet; every later step needs its commands.',
      host.os === 'linux'
        ? [
            `Copy ${answers?.file ?? 'the answer file'} to /tmp/NBInstallAnswer.conf on ${host.name} (mode 0600).`,
            'Run the NetBackup installer; it reads the answer file. With AUTHORIZATION_TOKEN = SKIP it still ' +
              'tries to get a host certificate, without a token; where that is refused, the next steps deploy it.',
            'Delete /tmp/NBInstallAnswer.conf afterwards.',
          ]
        : [
            `Set the values of ${answers?.file ?? 'the answer file'} in the ` +
              'silent-install script of the installation media and run it as an administrator.',
            'Leave the authorization token out of it: the next steps deploy the certificate, with the token in a ' +
              'file readable by you alone.',
          ],
      { stage: 'prepare' },
    ),
  ];
}

function hostPlan(host: HostEnv, env: Environment): HostPlan {
  const config = configFor(host, env);
  const steps: Step[] = [...installStep(host, env), ...configSteps(host, config)];
  if (host.role === 'primary') {
    steps.push(
      loginStep(host, 'prepare'),
      ...primaryEcaManualSteps(host, env),
      ...primaryCaSteps(host, env),
      ...globalSecuritySteps(host, env),
      ...auditSteps(host),
      ...revocationSteps(host, env),
      ...natSteps(host, env),
      ...ecaSteps(host, env),
    );
  } else {
    steps.push(...hostCaSteps(host, env), ...ecaSteps(host, env));
  }
  // Each later stage that acts as an administrator on the primary starts with the web login: days may
  // pass between stages, and a session does not last that long.
  const logins =
    host.role === 'primary'
      ? (['tighten', 'verify'] as const)
          .filter((stage) => steps.some((s) => s.stage === stage))
          .map((stage) => loginStep(host, stage))
      : [];
  const ordered = inStageOrder([...logins, ...steps]);
  const answers = installAnswers(host, env);
  return withOperations({
    name: host.name,
    role: host.role,
    os: host.os,
    version: host.version,
    zone: host.zone,
    // For the picture of the site (review, runbook): which media servers tunnel, which DMZ client through which.
    ...(host.role === 'media' ? { tunnel: host.tunnel } : {}),
    ...(host.zone === 'dmz' ? { tunnelVia: host.tunnelVia } : {}),
    installed: host.installed,
    installPath: host.installPath,
    ...(host.installPathCandidates ? { installPathCandidates: host.installPathCandidates } : {}),
    certificate: certificateNeed(host, env),
    ...(answers ? { installAnswers: answers } : {}),
    config,
    ownedKeys: ownedKeys(config),
    keyNotes: keyNotes(config),
    steps: ordered,
  });
}

function warningsFor(env: Environment, hosts: HostPlan[]): string[] {
  const w = [...env.assumptions];
  const legacy = legacyHosts(env);
  const insecure = insecureSetting(env);
  if (legacy.length && insecure === 'on') {
    w.push(
      `Insecure communication stays on because ${legacy.map((h) => `${h.name} (${h.version})`).join(', ')}` +
        ` ${legacy.length === 1 ? 'is' : 'are'} at 8.0 or earlier; upgrade ${legacy.length === 1 ? 'it' : 'them'}` +
        ` (see the hardening plan).`,
    );
  }
  if (legacy.length && insecure === 'off') {
    w.push(
      `security.insecureCommunication is off, so ${legacy.map((h) => h.name).join(', ')}` +
        ` (8.0 or earlier) will no longer be able to talk to the primary.`,
    );
  }
  if (!legacy.length && env.security.insecureCommunication === 'on') {
    w.push('security.insecureCommunication is on although no host is at 8.0 or earlier; auto would turn it off.');
  }
  if (insecure === 'off')
    w.push(`Applying the plan on ${env.primary.name} restarts its NetBackup services, which interrupts running jobs.`);
  if (env.certificates.authority === 'nbca' && !env.certificates.caFingerprint && hosts.length > 1) {
    w.push(
      'certificates.caFingerprint is not set, so fetching the CA certificate is a manual ' +
        'step on every host under apply and the scripts; copy the fingerprint from nbcertcmd -displayCACertDetail ' +
        'on the primary into the answers to automate it. nbsecure rollout reads it on the primary instead.',
    );
  }
  const tokenHosts = hostsNeedingToken(env);
  if (tokenHosts.length) {
    w.push(
      `${tokenHosts.length} host${tokenHosts.length === 1 ? ' needs' : 's need'}` +
        ` the authorization token "${env.certificates.token.name}` +
        `" (created on the primary): supply it at apply time with --token-file or NBSECURE_TOKEN.`,
    );
  }
  if (env.certificates.authority === 'eca') {
    const old = allHosts(env).filter((h) => !atLeast(h.version, '8.2'));
    if (old.length)
      w.push(
        `External CA certificates need NetBackup 8.2 ` +
          `or later; ${old.map((h) => `${h.name} (${h.version})`).join(', ')}` +
          ` cannot enrol one.`,
      );
  }
  const nat = env.clients.filter((c) => c.nat);
  if (nat.length) {
    w.push(
      `${nat.map((c) => c.name).join(', ')} ${nat.length === 1 ? 'is' : 'are'} behind NAT: the primary needs NAT ` +
        'support on (the messaging broker), and servers fail to talk to clients without NAT support unless ' +
        'ENABLE_DIRECT_CONNECTION = TRUE is set on them; see the manual step on the primary.',
    );
  }
  if (!atLeast(env.primary.version, DTE_MIN_VERSION)) {
    w.push(
      `The primary is ${env.primary.version}: data-in-transit encryption needs ${DTE_MIN_VERSION} or later, ` +
        'so the plan does not set it. Upgrade the primary to encrypt backup data on the wire.',
    );
  }
  const marked = new Set<string>();
  for (const h of hosts) {
    for (const c of h.config) if (c.verifyForYourVersion) marked.add(`bp.conf ${c.key} = ${c.value}`);
    for (const s of h.steps)
      if (s.verifyForYourVersion && s.command) marked.add(s.command.file.split(/[\\/]/).pop() ?? s.id);
  }
  if (marked.size)
    w.push(
      `${VERIFY_MARKER}: ${[...marked].sort().join('; ')} rest on facts not confirmed ` +
        `in the vendor documentation; check them in the Administrator's Guide for your version.`,
    );
  return w;
}

/** The whole plan from the environment. Pure and deterministic: no clock, no I/O, no randomness. */
export function buildPlan(env: Environment): Plan {
  const hosts = allHosts(env).map((h) => hostPlan(h, env));
  const primaryIds = hosts[0]!.steps.map((s) => s.id);
  const plan: Plan = {
    version: 1,
    digest: '',
    answersDigest: answersDigest(env),
    primary: env.primary.name,
    api: {
      url: primaryApiUrl(env.primary.name),
      ...(env.certificates.caFingerprint ? { caFingerprint: env.certificates.caFingerprint } : {}),
    },
    stages: stagesOf(hosts),
    hosts,
    hardening: hardeningPlan(env, primaryIds),
    warnings: warningsFor(env, hosts),
  };
  plan.digest = planDigest(plan);
  return plan;
}
