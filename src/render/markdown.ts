import type { Plan, StageId } from '../plan/types.js';
import { describeFiles, displayCommand } from './display.js';
import { renderTemplate } from './templates.js';
import { topologyMermaid } from './topology.js';
import { mdCode, mdFence, mdText } from './markdown-escape.js';

const ROLE = { primary: 'Primary server', media: 'Media server', client: 'Client' } as const;

const STAGE_INTRO: Record<StageId, string> = {
  prepare:
    'On the primary: its configuration, the CA fingerprint and the token the other hosts need. Nothing here ' +
    'stops a service or cuts a host off.',
  media: 'Each media server gets its configuration and certificate: DMZ clients reach the primary through them.',
  clients: 'Each client, in waves: a few first, then the rest.',
  tighten:
    'Only once every host that must keep working has its certificate: insecure communication off (with the ' +
    "primary's restart) and data-in-transit encryption as planned.",
  verify: 'Clean up: the rollout token is deleted, so that no copy of it stays useful.',
};

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
      number: i + 1,
      whyShown: referOnce(firstWhy, s.why, `${h.name}, step ${i + 1}`),
      shown: s.command ? displayCommand(s.command, h.os) : undefined,
      doneShown: s.done ? displayCommand(s.done.command, h.os) : undefined,
      fileLines: describeFiles(s),
    })),
  }));
  const byPriority = (['critical', 'high', 'medium', 'low'] as const)
    .map((p) => ({ priority: p, items: plan.hardening.filter((i) => i.priority === p) }))
    .filter((g) => g.items.length);
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const seen = new Set<string>();
  const stages = plan.stages.map((st) => ({
    ...st,
    intro: STAGE_INTRO[st.id],
    hosts: st.hosts.map(({ name, steps }) => {
      const h = byName.get(name)!;
      const first = !seen.has(name);
      seen.add(name);
      return { ...h, first, steps: h.steps.filter((s) => steps.includes(s.id)) };
    }),
  }));
  return renderTemplate('runbook.md.eta', {
    plan,
    site: topologyMermaid(plan),
    stages,
    overview: plan.hosts.map((h) => ({
      name: h.name,
      role: h.role,
      zone: h.zone,
      stages: [...new Set(h.steps.map((s) => s.stage))].join(', '),
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
