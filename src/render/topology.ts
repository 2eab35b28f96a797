import { isLegacy } from '../environment/versions.js';
import type { HostPlan, Plan } from '../plan/types.js';

/**
 * The site as a picture, from the plan alone: the primary, its media servers, the DMZ clients under the
 * media server they tunnel through first, the internal clients, legacy (8.0 and earlier) hosts marked.
 * One grouping feeds the review's tree and the runbook's Mermaid diagram, so both show the same site.
 */
export interface Topology {
  primary: HostPlan;
  media: { host: HostPlan; dmz: HostPlan[] }[];
  /** DMZ clients that name no tunnel media server: any media server that tunnels will do. */
  anyTunnel: HostPlan[];
  internal: HostPlan[];
}

/** Hosts shown one by one in a group before the rest are counted: a 1,000-client site stays readable. */
export const SHOWN_PER_GROUP = 12;

export function topology(plan: Plan): Topology {
  const primary = plan.hosts.find((h) => h.role === 'primary')!;
  const clients = plan.hosts.filter((h) => h.role === 'client');
  const media = plan.hosts
    .filter((h) => h.role === 'media')
    .map((host) => ({ host, dmz: clients.filter((c) => c.zone === 'dmz' && c.tunnelVia?.[0] === host.name) }));
  return {
    primary,
    media,
    anyTunnel: clients.filter((c) => c.zone === 'dmz' && !c.tunnelVia?.length),
    internal: clients.filter((c) => c.zone !== 'dmz'),
  };
}

/** A host's label: its name, and what a reader of the picture needs to know about it. */
export function hostLabel(h: HostPlan): string {
  const notes = [
    h.role === 'primary' ? 'primary' : undefined,
    h.os === 'windows' ? 'Windows' : undefined,
    isLegacy(h.version) ? `legacy ${h.version}` : undefined,
    h.role === 'media' && h.tunnel === false ? 'no tunnel' : undefined,
    h.role === 'media' && h.tunnel !== false ? 'tunnel' : undefined,
    h.zone === 'dmz' && (h.tunnelVia?.length ?? 0) > 1 ? `then ${h.tunnelVia!.slice(1).join(', ')}` : undefined,
    h.installed ? undefined : 'not installed',
  ].filter(Boolean);
  return notes.length ? `${h.name} (${notes.join(', ')})` : h.name;
}

interface Node {
  label: string;
  children: Node[];
}

const leaves = (hosts: HostPlan[], what: string): Node[] => [
  ...hosts.slice(0, SHOWN_PER_GROUP).map((h) => ({ label: hostLabel(h), children: [] })),
  ...(hosts.length > SHOWN_PER_GROUP
    ? [{ label: `… and ${hosts.length - SHOWN_PER_GROUP} more ${what}`, children: [] }]
    : []),
];

function tree(t: Topology): Node {
  return {
    label: hostLabel(t.primary),
    children: [
      ...t.media.map(({ host, dmz }) => ({ label: hostLabel(host), children: leaves(dmz, 'DMZ clients') })),
      ...(t.anyTunnel.length
        ? [{ label: 'DMZ clients, through any tunnel media server', children: leaves(t.anyTunnel, 'DMZ clients') }]
        : []),
      ...(t.internal.length
        ? [{ label: `Internal clients (${t.internal.length})`, children: leaves(t.internal, 'internal clients') }]
        : []),
    ],
  };
}

/** The site as a tree of text lines; `ascii` for terminals that cannot draw line characters. */
export function topologyLines(plan: Plan, ascii = false): string[] {
  const [mid, last, bar, gap] = ascii ? ['|-- ', '`-- ', '|   ', '    '] : ['├── ', '└── ', '│   ', '    '];
  const out: string[] = [];
  const walk = (n: Node, prefix: string, branch: string) => {
    out.push(`${prefix}${branch}${n.label}`);
    const below = prefix + (branch === '' ? '' : branch === last ? gap : bar);
    n.children.forEach((c, i) => walk(c, below, i === n.children.length - 1 ? last : mid));
  };
  walk(tree(topology(plan)), '', '');
  return ascii ? out.map((l) => l.replace(/…/g, '...')) : out;
}

/**
 * The same site as a Mermaid flowchart, which GitHub, GitLab and Confluence draw from a fenced block.
 * Labels are quoted and hold only host names and plain words; node ids are generated, never host names.
 */
export function topologyMermaid(plan: Plan): string {
  const t = topology(plan);
  const lines = ['flowchart TD'];
  let n = 0;
  const node = (label: string) => {
    const id = `n${n++}`;
    lines.push(`  ${id}["${label.replace(/"/g, "'")}"]`);
    return id;
  };
  const group = (hosts: HostPlan[], what: string, from: string, edge: string) => {
    for (const h of hosts.slice(0, SHOWN_PER_GROUP)) lines.push(`  ${from} ${edge} ${node(hostLabel(h))}`);
    if (hosts.length > SHOWN_PER_GROUP)
      lines.push(`  ${from} ${edge} ${node(`${hosts.length - SHOWN_PER_GROUP} more ${what}`)}`);
  };
  const primary = node(hostLabel(t.primary));
  for (const { host, dmz } of t.media) {
    const m = node(hostLabel(host));
    lines.push(`  ${primary} --- ${m}`);
    group(dmz, 'DMZ clients', m, '-. tunnel .->');
  }
  if (t.anyTunnel.length) {
    const any = node('DMZ clients, through any tunnel media server');
    lines.push(`  ${primary} -. tunnel .-> ${any}`);
    group(t.anyTunnel, 'DMZ clients', any, '---');
  }
  if (t.internal.length) {
    const internal = node(`Internal clients (${t.internal.length})`);
    lines.push(`  ${primary} --- ${internal}`);
    group(t.internal, 'internal clients', internal, '---');
  }
  return lines.join('\n');
}
