import type { Plan } from '../plan/types.js';
import { answer } from './flow-questions.js';
import { orBack, type Session } from './flow-session.js';
import { activeQuestions, answerLine, problemInWords } from './questions.js';
import { Back, ToReview, type BodyLine } from './prompts.js';

/** "No" at the review: any answer, then the review again. Esc or "Back" changes nothing. */
export async function change(s: Session): Promise<void> {
  const qs = activeQuestions(s.d);
  const id = await orBack(() =>
    s.ui.select({
      section: 'Change an answer',
      help: 'Pick the answer to change; after it you come back to the review. Ctrl-R opens the review any time.',
      message: 'Which answer do you want to change?',
      choices: [
        { name: '← Back to the review', value: '' },
        ...qs.map((q) => ({ name: answerLine(q, s.d), value: q.id })),
      ],
      limit: 14,
    }),
  );
  const q = qs.find((x) => x.id === id);
  if (!q) return;
  try {
    await answer(s, q, {});
  } catch (e) {
    if (!(e instanceof Back) && !(e instanceof ToReview)) throw e;
  }
}

const REVIEW_HELP =
  'Everything nbsecure will plan from your answers. No: pick any answer to change, then come back ' +
  'here. PgUp/PgDn scroll when the review is longer than the screen.';

/** The review until it is right: the plan it gives, or Back (Esc) to the last question. */
export async function review(s: Session): Promise<Plan> {
  for (;;) {
    const lib = await s.later;
    const checked = lib.validateDraft(s.d);
    if ('problems' in checked) {
      const body: BodyLine[] = [
        { text: 'These answers have problems:', bold: true, tone: 'error' },
        ...checked.problems.map((p) => ({ text: ` - ${problemInWords(p, s.d)}`, tone: 'error' as const })),
      ];
      await s.ui.select({
        section: 'Review',
        help: REVIEW_HELP,
        body,
        reserved: 9,
        message: 'Fix them',
        choices: [{ name: 'Change an answer (the others are kept)', value: 'back' }],
      });
      await change(s);
      continue;
    }
    const plan = lib.planOf(checked.environment);
    const body: BodyLine[] = [
      { text: 'The site', bold: true },
      ...lib.topologyLines(plan, s.ctx.ascii).map((t) => ({ text: ` ${t}` })),
      { text: '' },
      ...lib
        .reviewLines(checked.environment, plan)
        .flatMap((section) => [
          { text: section.title, bold: true, ...(section.title === 'Warnings' ? { tone: 'warn' as const } : {}) },
          ...section.lines.map((l) => ({ text: ` ${l}` })),
          { text: '' },
        ]),
    ];
    const right = await s.ui.select({
      section: 'Review',
      help: REVIEW_HELP,
      body,
      reserved: 10,
      message: 'Is this right?',
      choices: [
        { name: 'Yes: choose the outputs', value: 'yes' },
        { name: 'No: change an answer', value: 'no' },
      ],
    });
    if (right === 'yes') return plan;
    await change(s);
  }
}
