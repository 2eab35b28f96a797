import { Box, Text } from 'ink';
import { SelectQuestion } from './SelectQuestion.js';
import { useColor } from './theme.js';

/** The summary before anything is written: environment, warnings, hardening by priority; or the problems to fix. */
export function ReviewScreen(props: {
  sections?: { title: string; lines: string[] }[];
  problems?: string[];
  onNext: (v: 'continue' | 'back') => void;
}) {
  const c = useColor();
  return (
    <Box flexDirection="column">
      {props.problems ? (
        <Box flexDirection="column">
          <Text bold color={c('red')}>
            These answers have problems:
          </Text>
          {props.problems.map((p) => (
            <Text key={p} color={c('red')}>
              {' '}
              - {p}
            </Text>
          ))}
        </Box>
      ) : (
        props.sections?.map((s) => (
          <Box key={s.title} flexDirection="column" marginBottom={1}>
            <Text bold color={s.title === 'Warnings' ? c('yellow') : undefined}>
              {s.title}
            </Text>
            {s.lines.map((l, i) => (
              <Text key={i}> {l}</Text>
            ))}
          </Box>
        ))
      )}
      <SelectQuestion
        prompt={props.problems ? 'Fix them' : 'Is this right?'}
        choices={
          props.problems
            ? [{ value: 'back', label: 'Back to the questions (answers are kept)' }]
            : [
                { value: 'continue', label: 'Yes: choose the outputs' },
                { value: 'back', label: 'No: back to the questions' },
              ]
        }
        onSubmit={(v) => props.onNext(v as 'continue' | 'back')}
      />
    </Box>
  );
}
