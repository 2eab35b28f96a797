import { Box } from 'ink';
import { ScrollText, type ScrollLine } from './ScrollText.js';
import { SelectQuestion } from './SelectQuestion.js';
import { useColor } from './theme.js';

/**
 * The summary before anything is written: the site as a tree, the environment, warnings, hardening by
 * priority; or the problems to fix. It scrolls when longer than the terminal, the choice staying below.
 */
export function ReviewScreen(props: {
  sections?: { title: string; lines: string[] }[];
  tree?: string[];
  problems?: string[];
  onNext: (v: 'continue' | 'back') => void;
}) {
  const c = useColor();
  const lines: ScrollLine[] = props.problems
    ? [
        { text: 'These answers have problems:', bold: true, color: c('red') },
        ...props.problems.map((p) => ({ text: ` - ${p}`, color: c('red') })),
      ]
    : [
        ...(props.tree
          ? [{ text: 'The site', bold: true }, ...props.tree.map((t) => ({ text: ` ${t}` })), { text: '' }]
          : []),
        ...(props.sections ?? []).flatMap((s) => [
          { text: s.title, bold: true, color: s.title === 'Warnings' ? c('yellow') : undefined },
          ...s.lines.map((l) => ({ text: ` ${l}` })),
          { text: '' },
        ]),
      ];
  return (
    <Box flexDirection="column">
      {/* The frame's title and keys line, the question and its choices, and the margins between them. */}
      <ScrollText lines={lines} reserved={props.problems ? 9 : 10} />
      <SelectQuestion
        prompt={props.problems ? 'Fix them' : 'Is this right?'}
        choices={
          props.problems
            ? [{ value: 'back', label: 'Change an answer (the others are kept)' }]
            : [
                { value: 'continue', label: 'Yes: choose the outputs' },
                { value: 'back', label: 'No: change an answer' },
              ]
        }
        onSubmit={(v) => props.onNext(v as 'continue' | 'back')}
      />
    </Box>
  );
}
