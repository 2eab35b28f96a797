import type { Environment } from '../environment/types.js';
import { ACCOUNT_LOCKOUT } from './bpconf.js';
import { AUDIT_RETENTION_DAYS, insecureSetting, legacyHosts } from './security.js';
import type { HardeningItem, Priority } from './types.js';

const HG = 'NetBackup and Appliances Hardening Guide (11.x), top recommendations';
const SEC = 'NetBackup Security and Encryption Guide';
const NAKIVO = 'NAKIVO Backup & Replication 9.4, Security Considerations';
const DASHBOARD = 'NetBackup 11.x security risk dashboard (KB 100072910)';

type Answer = boolean | undefined;

/** Priority from an answer: `bad` when the answer is the risky one, lower when unknown, dropped when done. */
function byAnswer(
  answer: Answer,
  risky: boolean,
  bad: Priority,
  unknown: Priority,
): { priority: Priority; status: HardeningItem['status'] } {
  if (answer === undefined) return { priority: unknown, status: 'unknown' };
  return answer === risky ? { priority: bad, status: 'todo' } : { priority: 'low', status: 'done' };
}

const UNKNOWN_NOTE = 'The answers do not say whether this is in place; it is listed so that someone checks.';

/** The prioritised hardening plan (NetBackup reference, section 7): every item says why and how. */
export function hardeningPlan(env: Environment, primaryStepIds: string[]): HardeningItem[] {
  const h = env.hardening;
  const p = env.primary.name;
  const stepIds = (suffix: string) => primaryStepIds.filter((id) => id.endsWith(suffix));
  const items: HardeningItem[] = [];
  const add = (item: Omit<HardeningItem, 'stepIds'> & { stepIds?: string[] }) =>
    items.push({
      ...item,
      stepIds: item.stepIds ?? [],
      why: item.status === 'unknown' ? `${item.why} ${UNKNOWN_NOTE}` : item.why,
    });

  add({
    id: 'internet-exposure',
    ...byAnswer(h.exposedToInternet, true, 'critical', 'high'),
    title: 'Keep backup servers off the Internet',
    why:
      'A backup server reachable from the Internet is a direct path for ransomware to the ' +
      'copies meant to survive it.',
    how: [
      'Remove public addresses and inbound NAT rules to the primary and media servers.',
      'Reach other sites over a VPN; in the cloud, use private subnets only.',
    ],
    source: `${NAKIVO}; ${HG}`,
  });

  const legacy = legacyHosts(env);
  if (legacy.length) {
    add({
      id: 'upgrade-legacy-hosts',
      priority: 'critical',
      status: 'todo',
      title: `Upgrade hosts at 8.0 or earlier (${legacy.map((x) => x.name).join(', ')})`,
      why:
        'While any host is at 8.0 or earlier, insecure communication must stay on, so any ' +
        'such host can talk to the domain without a certificate.',
      how: [
        'Upgrade each listed host to a current release.',
        'Then set security.insecureCommunication to auto, plan again and apply on the primary: ' +
          "it turns insecure communication off and restarts the primary's services.",
      ],
      source: `${SEC}, "How NetBackup 8.1 or later hosts communicate with NetBackup 8.0 and earlier hosts"`,
    });
  } else if (insecureSetting(env) === 'off') {
    add({
      id: 'insecure-communication-off',
      priority: 'high',
      status: 'todo',
      title: 'Turn insecure communication off',
      why: 'No host needs the 8.0 protocol any more; leaving it on keeps an unauthenticated door open.',
      how: [`Applied by the plan on ${p} with nbseccmd, followed by a restart of the primary's services.`],
      stepIds: stepIds(':security.insecure'),
      source: SEC,
    });
  }

  add({
    id: 'mfa',
    ...byAnswer(h.mfa, false, 'high', 'high'),
    title: 'Multi-factor authentication for the web UI and administrators',
    why: 'A stolen administrator password is the usual way attackers delete backups before encrypting production.',
    how: [
      'Enable MFA for NetBackup web UI users.',
      'Require multi-person authorization for destructive operations where your version offers it.',
      'Use strong, unique passwords for OS and backup accounts.',
    ],
    source: `${HG}; ${NAKIVO}`,
  });

  add({
    id: 'immutable-storage',
    ...byAnswer(h.immutableStorage, false, 'high', 'high'),
    title: 'Immutable (WORM) storage or an isolated recovery copy',
    why:
      'Backups an administrator account can delete or encrypt do not survive a ransomware ' +
      'attack that reaches that account.',
    how: [
      'Write at least one copy to immutable (WORM) storage or an isolated recovery environment.',
      'Protect the NetBackup catalog with its own backup policy and an off-host copy.',
    ],
    source: HG,
  });

  add({
    id: 'encryption-at-rest',
    ...byAnswer(h.encryptionAtRest, false, 'high', 'medium'),
    title: 'Encrypt backups at rest',
    why: "Stolen backup media or storage otherwise exposes every protected system's data.",
    how: ['Enable MSDP encryption or a KMS-backed storage encryption for every storage unit.'],
    source: `${HG}; ${NAKIVO}`,
  });

  const dte = env.security.dataInTransitEncryption;
  add({
    id: 'encryption-in-transit',
    priority: dte === 'preferred-off' ? 'high' : dte === 'preferred-on' ? 'medium' : 'low',
    status: dte === 'enforced' ? 'done' : 'todo',
    title: 'Encrypt backup data in transit',
    why:
      dte === 'enforced'
        ? 'Enforced by this plan.'
        : 'Backup streams cross the network; with encryption only preferred, a client or policy ' +
          'can still send in clear.',
    how: [
      `This plan sets the global mode to ${dte} on ${p}.`,
      ...(dte !== 'enforced'
        ? ['Move to enforced once every host is at a version that supports data-in-transit encryption.']
        : []),
    ],
    stepIds: stepIds(':security.dte'),
    source: `${SEC}, data-in-transit encryption (nbseccmd -dteglobalmode)`,
  });

  const level = env.certificates.securityLevel;
  add({
    id: 'certificate-security-level',
    priority: level === 'medium' ? 'high' : 'low',
    status: level === 'medium' ? 'todo' : 'done',
    title: 'Raise the certificate deployment security level',
    why:
      level === 'medium'
        ? 'At Medium, any host whose name resolves to its address gets a certificate without ' +
          'a token: name spoofing is enough.'
        : `The plan sets ${level}; Very High asks a token of every host.`,
    how: ['Set High or Very High (a manual step on the primary in this plan).'],
    stepIds: stepIds(':security.level'),
    source: `${SEC}, certificate deployment security levels`,
  });

  add({
    id: 'host-firewall',
    ...byAnswer(h.hostFirewall, false, 'high', 'medium'),
    title: 'Host firewall on every backup host',
    why: "Only NetBackup's own ports need to be reachable; every other open port is attack surface.",
    how: [
      'Allow 1556 (PBX and web service) and 13724 (vnetd) between NetBackup hosts, and what ' +
        'your storage needs; deny the rest.',
      ...(env.clients.some((c) => c.zone === 'dmz')
        ? [
            'From the DMZ, TCP 1556 to the tunnel media servers is what certificate deployment and the web ' +
              'service need; backups also need the media server to reach the client (bpcd over 1556 or 13724). ' +
              'Run nbsecure doctor on each DMZ client to prove the certificate path.',
          ]
        : []),
    ],
    source: `${HG}; ${NAKIVO}`,
  });

  add({
    id: 'backup-network',
    ...byAnswer(h.dedicatedBackupNetwork, false, 'medium', 'medium'),
    title: 'Dedicated backup network',
    why: 'Separating backup traffic keeps it away from user networks where attackers land first.',
    how: ['Put backup traffic on its own VLAN or network, reachable only by backup hosts.'],
    source: `${NAKIVO}; ${HG}`,
  });

  add({
    id: 'trusted-web-certificate',
    ...byAnswer(h.trustedWebCertificate, false, 'medium', 'medium'),
    title: 'A trusted TLS certificate for the web UI',
    why: 'Administrators who learn to click through certificate warnings cannot notice an impostor.',
    how: [
      "Issue the primary's web server certificate from your external CA and install it with configureWebServerCerts.",
    ],
    source: `${HG}; ${NAKIVO}`,
  });

  add({
    id: 'least-privilege',
    priority: 'high',
    status: 'unknown',
    title: 'Least privilege: roles, access and service accounts',
    why: 'Limiting who can change or delete backups limits what one compromised account can do.',
    how: [
      'Give administrators role-based access with only the rights they need.',
      'Run the web service account without OS administrator rights.',
      'Limit physical and console access to backup hosts to authorised staff.',
    ],
    source: `${HG}; ${NAKIVO}`,
  });

  add({
    id: 'patching',
    priority: 'high',
    status: 'unknown',
    title: 'Patch operating systems and NetBackup',
    why: 'Backup servers are high-value targets; known vulnerabilities are exploited quickly.',
    how: [
      'Patch the OS of every backup host on a schedule.',
      'Keep NetBackup on a current release and apply its security updates.',
    ],
    source: `${NAKIVO}; ${HG}`,
  });

  add({
    id: 'malware-anomaly-detection',
    priority: 'high',
    status: 'unknown',
    title: 'Malware scanning and anomaly detection',
    why:
      'Ransomware often sits in the data for weeks before it strikes: scanning backups and flagging unusual ' +
      'jobs finds it while clean copies still exist.',
    how: [
      'Turn on anomaly detection for backup jobs and review its alerts.',
      'Scan backup images for malware before they are used for recovery.',
    ],
    source: `${HG}; ${DASHBOARD}`,
  });

  add({
    id: 'observability',
    priority: 'medium',
    status: 'unknown',
    title: 'Audit records, log forwarding and a sign-in banner',
    why: 'Attacks on backups show up first in audit trails, and only if the records are still there.',
    how: [
      `Keep audit records for ${AUDIT_RETENTION_DAYS} days (this plan sets it with nbseccmd -auditretentionperiod).`,
      'Forward NetBackup audit logs to your SIEM.',
      'Show a sign-in banner on the web UI.',
    ],
    stepIds: stepIds(':security.audit'),
    source: `${HG}; Commands Reference, nbseccmd -auditretentionperiod`,
  });

  add({
    id: 'multi-person-authorization',
    priority: 'high',
    status: 'unknown',
    title: 'Multi-person authorization for destructive operations',
    why:
      'One stolen administrator account should not be enough to expire backups, delete storage or weaken ' +
      'security settings: a second person approves such operations.',
    how: ['Turn on multi-person authorization (10.5 and later) and name the approvers for destructive operations.'],
    source: `${HG}; ${DASHBOARD}`,
  });

  add({
    id: 'securing-credentials',
    priority: 'high',
    status: 'unknown',
    title: 'Secure the credentials NetBackup uses',
    why: 'Storage, cloud and database credentials stored in NetBackup are keys to the backups themselves.',
    how: [
      'Keep credentials in NetBackup credential management or a vault, never in scripts.',
      'Give API keys the least privilege that works and a short lifetime; rotate passwords and keys.',
    ],
    source: HG,
  });

  add({
    id: 'catalog-protection',
    priority: 'high',
    status: 'unknown',
    title: 'Protect the NetBackup catalog',
    why: 'Without the catalog the backups cannot be found or restored: it is the first thing to recover.',
    how: [
      'Run a catalog backup policy, with a copy on immutable storage or off site.',
      'Keep the disaster recovery package passphrase and file where a recovery team can reach them.',
    ],
    source: HG,
  });

  add({
    id: 'service-user',
    priority: 'medium',
    status: 'unknown',
    title: 'Run NetBackup services as a non-root service user',
    why: 'A service that does not run as root or Administrator limits what an exploit in it can reach.',
    how: ['Configure the NetBackup service user on every host where your version supports it.'],
    source: DASHBOARD,
  });

  add({
    id: 'redirected-restores',
    priority: 'medium',
    status: 'unknown',
    title: 'Restrict client-initiated redirected restores',
    why: "A compromised client that may restore other clients' data to itself can read the whole estate.",
    how: ['Allow redirected restores only from the primary, or to named clients that need them.'],
    source: DASHBOARD,
  });

  add({
    id: 'account-lockout',
    priority: 'low',
    status: 'todo',
    title: 'Lock web UI accounts after repeated failed sign-ins',
    why: 'Stops online password guessing against the web UI.',
    how: [
      `This plan sets GUI_MAX_LOGIN_ATTEMPTS = ${ACCOUNT_LOCKOUT.attempts} and GUI_ACCOUNT_LOCKOUT_DURATION = ` +
        `${ACCOUNT_LOCKOUT.minutes} (minutes) on the primary.`,
    ],
    stepIds: stepIds(':config.set'),
    source: "NetBackup Web UI Administrator's Guide (11.1), Configure the maximum of failed sign-in attempts",
  });

  const rank: Record<Priority, number> = { critical: 0, high: 1, medium: 2, low: 3 };
  return items.sort((a, b) => rank[a.priority] - rank[b.priority]);
}
