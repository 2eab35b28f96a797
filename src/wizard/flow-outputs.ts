import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Plan } from '../plan/types.js';
import { DEFAULT_FORMATS, FORMATS, type Format, type Output } from '../render/index.js';
import { folderChoices, folderText } from './consent.js';
import { nonEmpty, orBack, userError, type Later, type Session } from './flow-session.js';
import type { Place } from './prompts.js';

const FORMAT_LABELS: Record<Format, string> = {
  markdown: 'runbook.md: the runbook for people',
  sh: 'bash script per UNIX host',
  ps1: 'PowerShell script per Windows host',
  bpconf: 'bp.conf snippet per host',
  json: 'plan.json: for apply --plan and machines',
  answerfile: 'NBInstallAnswer.conf for hosts not installed yet',
  ansible: 'ansible/: a playbook for the whole fleet (nbsecure rollout)',
};

/** The outputs written; Back from the first of their questions goes back to the review. */
export async function outputs(s: Session, plan: Plan): Promise<string[]> {
  const lib = await s.later;
  const place: Place = {
    section: 'Outputs',
    help:
      'Space ticks or unticks a format; Enter goes on. The same files as nbsecure plan --out DIR ' +
      '--format …; ansible/ is the playbook nbsecure rollout runs.',
  };
  for (;;) {
    const formats = await s.ui.checkbox<Format>({
      ...place,
      message: 'Which outputs?',
      choices: FORMATS.map((f) => ({
        name: FORMAT_LABELS[f],
        value: f,
        checked: (DEFAULT_FORMATS as readonly string[]).includes(f),
      })),
    });
    // Rendered once: the folder's check and the writing both use these.
    const rendered = lib.renderOutputs(plan, formats);
    const written = await orBack(() => writeInto(s, rendered, lib));
    if (written) return written;
  }
}

async function writeInto(s: Session, outputs: Output[], lib: Later): Promise<string[]> {
  for (;;) {
    const dir = resolve(
      s.ctx.cwd,
      await s.ui.input({
        section: 'Outputs',
        help:
          'A folder relative to where you started nbsecure, or an absolute path. If it already holds files, ' +
          'you are asked before any is replaced.',
        message: 'Write them to which folder?',
        default: 'nbsecure-runbooks',
        validate: nonEmpty('a folder'),
      }),
    );
    const found = lib.folderContents(outputs, dir);
    let stale: string[] = [];
    if (found.replaced.length || found.stale.length) {
      const how = await orBack(() =>
        s.ui.select({
          section: 'Outputs',
          help:
            'Files this plan no longer writes are usually from hosts since removed: left in the folder, a ' +
            'script for a host that is gone could still be run. Only files nbsecure writes are ever removed.',
          // Four names at most: the choices must stay on an 80x24 screen.
          body: [{ text: folderText(dir, found.replaced.length, found.stale, 4) }],
          message: 'Replace them?',
          choices: folderChoices(found.stale).map((c) => ({ name: c.label, value: c.value })),
        }),
      );
      if (how === undefined || how === 'other') continue;
      stale = how === 'clean' ? found.stale : [];
    }
    try {
      return lib.writeOutputs(outputs, dir, stale);
    } catch (e) {
      if (!userError(e)) throw e;
      s.ui.say(e.message, 'error');
    }
  }
}

export async function saveAnswers(s: Session, lib: Later): Promise<void> {
  const place: Place = {
    section: 'Answers file',
    help: 'A YAML answers file with everything but secrets: nbsecure plan, apply and rollout read it.',
  };
  for (;;) {
    const file = resolve(
      s.ctx.cwd,
      await s.ui.input({
        ...place,
        message: 'Save the answers to',
        default: 'nbsecure-answers.yaml',
        validate: nonEmpty('a file name'),
      }),
    );
    if (existsSync(file)) {
      const replace = await orBack(() =>
        s.ui.select({
          ...place,
          message: `${file} exists. Replace it?`,
          choices: [
            { name: 'No: choose another name', value: 'no' },
            { name: 'Yes: replace it', value: 'yes' },
          ],
        }),
      );
      if (replace !== 'yes') continue;
    }
    try {
      lib.saveAnswersFile(s.d, file);
    } catch (e) {
      s.ui.say(`Could not write ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`, 'error');
      continue;
    }
    s.saved = file;
    s.ui.say(`Saved ${file}. Next time: nbsecure plan --answers ${file}`);
    return;
  }
}
