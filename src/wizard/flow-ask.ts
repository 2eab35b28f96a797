import type { Draft } from './draft.js';
import { currentText, multiValues, type Question } from './questions.js';
import type { Place } from './prompts.js';
import type { Session } from './flow-session.js';

/**
 * One question of the model through the front end's prompts, whatever its kind; `view` is the answers it is
 * asked against (with the host being edited under `base`). The answer as text, validated as it was given.
 */
export async function askQuestion(s: Session, q: Question, view: Draft, base: string, place: Place): Promise<string> {
  const where: Place = { section: q.section || place.section, help: q.help, answering: true, ...place };
  const now = currentText(q, view, base);
  if (q.kind === 'select')
    return s.ui.select({
      ...where,
      message: q.prompt,
      choices: q.choices!(view).map((c) => ({
        name: c.label,
        value: c.value,
        ...(c.hint ? { description: c.hint } : {}),
      })),
      default: now,
    });
  if (q.kind === 'multi') {
    const ticked = multiValues(now);
    const choices = q.choices!(view).map((c) => ({
      name: c.label,
      value: c.value,
      checked: ticked.includes(c.value),
    }));
    // Nothing to choose from: said now, and the review names it again until a media server offers the tunnel.
    if (!choices.length) {
      s.ui.say(q.validate?.('', view) ?? '', 'error');
      return '';
    }
    const values = await s.ui.checkbox({
      ...where,
      message: q.prompt,
      choices,
      ordered: true,
      allowNone: true,
      validate: (v) => q.validate?.(v.join(', '), view) ?? true,
    });
    return values.join(', ');
  }
  const text = await s.ui.input({
    ...where,
    message: q.prompt,
    default: now,
    validate: (typed) => q.validate?.(typed.trim(), view) ?? true,
  });
  return text.trim();
}
