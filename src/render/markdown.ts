import type { Plan } from '../plan/types.js';
import { describeFiles, displayCommand } from './display.js';
import { renderTemplate } from './templates.js';
import { mdCode, mdFence, mdText } from './markdown-escape.js';

const ROLE = { primary: 'Primary server', media: 'Media server', client: 'Client' } as const;

const ORDER = { primary: '1 (and last: tighten)', media: '2', client: '3' } as const;

/** The token step, if the plan makes one: its name, and the hosts that need it. */
function tokenFacts(plan: Plan) {
  const create = plan.hosts[0]?.steps.find((s) => s.capturesSecret === 'token');
  if (!create?.command) return undefined;
  const arg = (flag: string) => create.command!.args[create.command!.args.indexOf(flag) + 1];
  return {
    name: arg('-name'),
    validFor: arg('-validFor'),
    primary: plan.hosts[0]!.name,
    hosts: plan.hosts.filter((h) => h.certificate.kind === 'token').map((h) => h.name),
  };
}

export function renderMarkdown(plan: Plan): string {
  // Say a reason once: a step whose reason was given for an earlier host refers to it.
  const firstWhy = new Map<string, string>();
  const hosts = plan.hosts.map((h) => ({
    ...h,
    heading: `${ROLE[h.role]} ${h.name}`,
    summary:
      `${h.os === 'windows' ? 'Windows' : 'Linux/UNIX'}` +
      `, NetBackup ${h.version}${h.zone === 'dmz' ? ', in the DMZ' : ''}` +
      `${h.installed ? '' : ', not installed yet'}` +
      (h.installPathCandidates
        ? `. Install folder: found on the host, ${h.installPathCandidates.join(' or ')} (an upgraded host keeps ` +
          'the folder of its first version); the commands below show the first'
        : ''),
    steps: h.steps.map((s, i) => ({
      ...s,
      whyShown: referOnce(firstWhy, s.why, `${h.name}, step ${i + 1}`),
      shown: s.command ? displayCommand(s.command, h.os) : undefined,
      doneShown: s.done ? displayCommand(s.done.command, h.os) : undefined,
      fileLines: describeFiles(s),
    })),
  }));
  const byPriority = (['critical', 'high', 'medium', 'low'] as const)
    .map((p) => ({ priority: p, items: plan.hardening.filter((i) => i.priority === p) }))
    .filter((g) => g.items.length);
  return renderTemplate('runbook.md.eta', {
    plan,
    hosts,
    overview: plan.hosts.map((h) => ({
      name: h.name,
      role: h.role,
      zone: h.zone,
      order: ORDER[h.role],
      cert: h.certificate.why,
    })),
    token: tokenFacts(plan),
    byPriority,
    fence: (os: string) => (os === 'windows' ? 'powershell' : 'sh'),
    md: { text: mdText, code: mdCode, fence: mdFence },
  });
}

function referOnce(seen: Map<string, string>, why: string, where: string): string {
  const first = seen.get(why);
  if (first) return `Why: as for ${first}.`;
  seen.set(why, where);
  return why;
}
