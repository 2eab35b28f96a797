import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import type { Draft } from '../../src/wizard/draft.js';
import { App } from '../../src/wizard/ink/App.js';
import { mount } from './ink.js';

/** The Ink wizard in a folder of its own, with these remembered answers (if any); what it remembers and how it ends. */
export function mountApp(opts: { last?: Draft; profile?: string } = {}) {
  const onExit = vi.fn();
  const drafts: Draft[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'nbsecure-wiz-'));
  const s = mount(
    <App
      profile={opts.profile ?? 'default'}
      cwd={dir}
      stateDir={join(dir, 'state')}
      onDraft={(d) => drafts.push(d)}
      onExit={onExit}
      {...(opts.last ? { last: opts.last } : {})}
    />,
  );
  return { s, onExit, drafts, dir };
}
