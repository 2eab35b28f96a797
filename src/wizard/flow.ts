import { resolve } from 'node:path';
import { replaceRememberedQuestion } from './consent.js';
import { emptyDraft, hasSite, siteLine, type Draft } from './draft.js';
import { outputs, saveAnswers } from './flow-outputs.js';
import { questions } from './flow-questions.js';
import { review } from './flow-review.js';
import { nextSteps, runHost } from './flow-run.js';
import { nonEmpty, orBack, session, userError, type FlowContext, type Session } from './flow-session.js';
import { activeQuestions } from './questions.js';
import { Back, ToReview, type Place, type PromptChoice, type WizardUi } from './prompts.js';
import { shownSafely } from './shown-text.js';
import type { Plan } from '../plan/types.js';

export type { FlowContext } from './flow-session.js';

const INTRO =
  'This wizard walks you through a secure NetBackup setup: hosts, DMZ tunnels, certificates and hardening. It ' +
  'writes runbooks and scripts, and can dry-run and apply one host. It never stores a token or password.';

/** Where to start; 'review' for an imported answers file (usually complete), else the first question. */
async function start(s: Session, last: Draft | undefined): Promise<'questions' | 'review'> {
  for (;;) {
    const how = await orBack(() =>
      s.ui.select({
        section: 'Welcome',
        help:
          'Your answers are remembered per profile (--profile NAME) after every question, never with a ' +
          'secret; nbsecure --forget removes them.',
        body: [{ text: INTRO }, { text: '' }],
        message: 'How do you want to start?',
        choices: [
          ...(last ? [{ name: `From your last answers (profile ${s.ctx.profile})`, value: 'last' }] : []),
          { name: 'Afresh', value: 'fresh' },
          { name: 'Import an answers file', value: 'file' },
          { name: "Import this host's NetBackup configuration (bp.conf)", value: 'local' },
        ],
        default: last ? 'last' : 'fresh',
      }),
    );
    try {
      if (how === 'last' && last) s.set(last);
      if (how === 'fresh') s.set(emptyDraft());
      if (how === 'local') s.set((await s.later).importLocalConfig());
      if (how === 'file' && (await importFile(s, last))) return 'review';
      if (how && how !== 'file') return 'questions';
    } catch (e) {
      if (!userError(e)) throw e;
      s.ui.say(e.message, 'error');
    }
  }
}

/** An answers file: true once imported, false to go back to the start. */
async function importFile(s: Session, last: Draft | undefined): Promise<boolean> {
  const place: Place = {
    section: 'Import',
    help:
      'An answers file (YAML, version 1), as nbsecure plan --answers reads it or the wizard saves it. Its ' +
      'review comes first.',
  };
  for (;;) {
    const path = await orBack(() =>
      s.ui.input({ ...place, message: 'Path of the answers file', validate: nonEmpty('a path') }),
    );
    if (path === undefined) return false;
    const file = resolve(s.ctx.cwd, path);
    let imported: Draft;
    try {
      imported = (await s.later).importAnswersFile(file);
    } catch (e) {
      if (!userError(e)) throw e;
      s.ui.say(e.message, 'error');
      continue;
    }
    if (hasSite(last)) {
      const replace = await orBack(() =>
        s.ui.select({
          section: 'Import',
          help:
            'The wizard remembers the answers of each profile (--profile NAME). Importing a file starts from ' +
            "the file's answers; to keep both, go back and start another profile with nbsecure --profile NAME.",
          message: replaceRememberedQuestion(file, s.ctx.profile, siteLine(last)),
          choices: [
            { name: 'No: keep the remembered answers', value: 'keep' },
            { name: "Yes: replace them with the file's answers", value: 'replace' },
          ],
          default: 'keep',
        }),
      );
      if (replace !== 'replace') {
        s.ui.say('Kept the remembered answers; nothing was imported.');
        return false;
      }
    }
    s.set(imported);
    return true;
  }
}

/**
 * The wizard, once, for every front end: the questions in order, each answer checked as it is given and
 * only that question asked again; the review; the outputs; the answers file; a dry run and a run of one
 * host. Esc (where a front end has it) goes back one question; Ctrl-R jumps to the review. Returns the
 * exit code.
 */
export async function wizardFlow(ui: WizardUi, ctx: FlowContext): Promise<number> {
  // Validation and planning start loading now, while the remembered answers are read and the first question shown.
  // What a file or an answer brought in (an ESC in an imported list) is shown, never sent to the terminal.
  const s = session(shownSafely(ui), ctx, emptyDraft());
  const last = await ctx.recall().catch(() => undefined);
  // The phases in order; Esc from the first question of one goes back to the one before.
  let phase: 'start' | 'questions' | 'review' | 'outputs' = 'start';
  let from = 0;
  let plan: Plan | undefined;
  let files: string[] | undefined;
  while (!plan || !files) {
    if (phase === 'start') {
      phase = await start(s, last);
      from = 0;
    } else if (phase === 'questions') {
      try {
        await questions(s, from);
        phase = 'review';
      } catch (e) {
        if (e instanceof Back) phase = 'start';
        else if (e instanceof ToReview) phase = 'review';
        else throw e;
      }
    } else if (phase === 'review' || !plan) {
      try {
        plan = await review(s);
        phase = 'outputs';
      } catch (e) {
        if (!(e instanceof Back)) throw e;
        phase = 'questions';
        from = activeQuestions(s.d).length - 1;
      }
    } else {
      const reviewed = plan;
      files = await orBack(() => outputs(s, reviewed));
      if (!files) phase = 'review';
    }
  }
  const lib = await s.later;
  for (;;) {
    const next = await orBack(() =>
      s.ui.select({
        section: 'Outputs',
        help:
          'Save: an answers file for nbsecure plan, apply and rollout. Dry run: the exact commands of one ' +
          'host, run on this machine only if you then choose to.',
        body: [
          { text: `Wrote ${files.length} files:`, bold: true },
          ...files.map((f) => ({ text: ` ${f}` })),
          { text: '' },
        ],
        reserved: 12,
        message: 'What next?',
        choices: [
          { name: 'Save these answers as an answers file (for scripted runs)', value: 'save' },
          { name: 'Dry-run one host on this machine', value: 'dry' },
          { name: 'Finish', value: 'quit' },
        ] satisfies PromptChoice[],
      }),
    );
    try {
      if (next === 'save') await saveAnswers(s, lib);
      if (next === 'dry') {
        const code = await runHost(s, plan);
        if (code !== undefined) return code;
      }
    } catch (e) {
      if (!(e instanceof Back)) throw e;
    }
    if (next === 'quit') {
      await s.ui.finish(nextSteps(s.saved));
      return 0;
    }
  }
}
