import type { Plan } from '../plan/types.js';
import { describeFiles, displayCommand } from './display.js';
import { renderTemplate } from './templates.js';
import { mdCode, mdFence, mdText } from './markdown-escape.js';

const ROLE = { primary: 'Primary server', media: 'Media server', client: 'Client' } as const;

export function renderMarkdown(plan: Plan): string {
  const hosts = plan.hosts.map((h) => ({
    ...h,
    heading: `${ROLE[h.role]} ${h.name}`,
    summary:
      `${h.os === 'windows' ? 'Windows' : 'Linux/UNIX'}` +
      `, NetBackup ${h.version}${h.zone === 'dmz' ? ', in the DMZ' : ''}` +
      `${h.installed ? '' : ', not installed yet'}`,
    steps: h.steps.map((s) => ({
      ...s,
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
    byPriority,
    fence: (os: string) => (os === 'windows' ? 'powershell' : 'sh'),
    md: { text: mdText, code: mdCode, fence: mdFence },
  });
}
