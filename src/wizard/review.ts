import type { Environment } from '../environment/types.js';
import type { Plan } from '../plan/types.js';

/** The review both front ends show: environment, warnings, hardening by priority, doctor for DMZ clients. */
export function reviewLines(env: Environment, plan: Plan): { title: string; lines: string[] }[] {
  const host = (h: Environment['clients'][number]) =>
    `${h.name} (${h.os}, ${h.version}${h.zone === 'dmz' ? `, DMZ via ${h.tunnelVia.join(', ') || 'any tunnel'}` : ''}` +
    `${h.installed ? '' : ', not installed'}${h.nat ? ', NAT' : ''})`;
  const dmz = env.clients.filter((c) => c.zone === 'dmz');
  const sections = [
    {
      title: 'Environment',
      lines: [
        `Primary: ${env.primary.name} (${env.primary.os}, ${env.primary.version})`,
        `Media servers: ${env.media.map((m) => `${m.name}${m.tunnel ? '' : ' (no tunnel)'}`).join(', ') || 'none'}`,
        `Clients: ${env.clients.length ? env.clients.map(host).join('; ') : 'none'}`,
        `Certificates: ${env.certificates.authority === 'eca' ? 'external CA' : 'NetBackup CA'}` +
          `, level ${env.certificates.securityLevel}${env.certificates.caFingerprint ? ', fingerprint given' : ''}`,
        `Data in transit: ${env.security.dataInTransitEncryption}` +
          `; insecure communication: ${env.security.insecureCommunication}`,
      ],
    },
    { title: 'Warnings', lines: plan.warnings.length ? plan.warnings : ['none'] },
    ...(['critical', 'high', 'medium', 'low'] as const)
      .map((p) => ({
        title: `Hardening: ${p}`,
        lines: plan.hardening
          .filter((i) => i.priority === p)
          .map((i) => `[${i.status === 'done' ? 'x' : ' '}] ${i.title}${i.status === 'unknown' ? ' (unknown)' : ''}`),
      }))
      .filter((s) => s.lines.length),
  ];
  if (dmz.length) {
    sections.push({
      title: 'Before deploying DMZ certificates',
      lines: dmz.map((c) => `On ${c.name}: nbsecure doctor --answers FILE --host ${c.name}`),
    });
  }
  return sections;
}
