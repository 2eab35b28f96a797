import type { Draft } from '../draft.js';
import { currentText, multiValues, type Question } from '../questions.js';
import { MultiSelect } from './MultiSelect.js';
import { SelectQuestion } from './SelectQuestion.js';
import { TextQuestion } from './TextQuestion.js';

/** Renders one question of the model, whatever its kind (host lists have their own screen). */
export function QuestionScreen(props: {
  question: Question;
  draft: Draft;
  base?: string;
  onAnswer: (text: string) => void;
}) {
  const q = props.question;
  const initial = currentText(q, props.draft, props.base);
  if (q.kind === 'select') {
    return (
      <SelectQuestion
        key={q.id}
        prompt={q.prompt}
        choices={q.choices!(props.draft)}
        initial={initial}
        onSubmit={props.onAnswer}
      />
    );
  }
  if (q.kind === 'multi') {
    return (
      <MultiSelect
        key={q.id}
        prompt={q.prompt}
        choices={q.choices!(props.draft)}
        initial={multiValues(initial)}
        ordered
        allowNone
        validate={(values) => q.validate?.(values.join(', '), props.draft)}
        onSubmit={(values) => props.onAnswer(values.join(', '))}
      />
    );
  }
  return (
    <TextQuestion
      key={q.id}
      prompt={q.prompt}
      initial={initial}
      validate={(s) => q.validate?.(s, props.draft)}
      onSubmit={props.onAnswer}
    />
  );
}
