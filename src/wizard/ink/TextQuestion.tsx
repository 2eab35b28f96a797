import { Box, Text } from 'ink';
import TextInput from 'ink-text-input';
import { useState } from 'react';
import { useColor } from './theme.js';

/**
 * A text answer with its validation shown under the field, in words. `?` is kept out of the
 * field: it opens the help, and no answer nbsecure asks for contains it.
 */
export function TextQuestion(props: { prompt: string; initial: string; validate?: (s: string) => string | undefined; mask?: string; onSubmit: (s: string) => void }) {
  const [value, setValue] = useState(props.initial);
  const [error, setError] = useState<string | undefined>();
  const c = useColor();
  return (
    <Box flexDirection="column">
      <Text bold>{props.prompt}</Text>
      <Box>
        <Text color={c('green')}>› </Text>
        <TextInput
          value={value}
          {...(props.mask ? { mask: props.mask } : {})}
          onChange={(v) => {
            setValue(v.replace(/\?/g, ''));
            setError(undefined);
          }}
          onSubmit={(v) => {
            const answer = v.trim();
            const problem = props.validate?.(answer);
            if (problem) setError(problem);
            else props.onSubmit(answer);
          }}
        />
      </Box>
      {error ? <Text color={c('red')}>{error}</Text> : null}
    </Box>
  );
}
