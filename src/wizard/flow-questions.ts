import { setPath } from './draft.js';
import { askQuestion } from './flow-ask.js';
import { hostsPage } from './flow-hosts.js';
import type { Session } from './flow-session.js';
import { activeQuestions, answerValue, type Question } from './questions.js';
import { Back, type Place } from './prompts.js';

/** One question of the site; a host list is a page of its own. */
export async function answer(s: Session, q: Question, place: Place): Promise<void> {
  if (q.kind === 'hosts') return hostsPage(s, q, place);
  s.set(setPath(s.d, q.id, answerValue(q, await askQuestion(s, q, s.d, '', place))));
}

/** The questions from `from` on; Esc on the first goes back to the start (Back), Ctrl-R to the review. */
export async function questions(s: Session, from: number): Promise<void> {
  let i = from;
  while (i < activeQuestions(s.d).length) {
    const qs = activeQuestions(s.d);
    try {
      await answer(s, qs[i]!, { progress: `question ${i + 1} of ${qs.length}` });
      i++;
    } catch (e) {
      if (!(e instanceof Back) || i === 0) throw e;
      i--;
    }
  }
}
