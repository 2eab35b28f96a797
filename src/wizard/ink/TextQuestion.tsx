import { Box, Text } from 'ink';
import TextInput from 'ink-text-input';
import { useRef, useState } from 'react';
import { useColor } from './theme.js';

/**
 * A text answer with its validation shown under the field, in words. `?` is kept out of the
 * field: it opens the help, and no answer nbsecure asks for contains it.
 */
export function TextQuestion(props: {
  prompt: string;
  initial: string;
  validate?: (s: string) => string | undefined;
  mask?: string;
  multiline?: boolean;
  onSubmit: (s: string) => void;
}) {
  const [value, setValue] = useState(props.initial);
  // Text and Enter can arrive in one chunk (a paste, a fast typist): submit the latest text, not the
  // value of the last render, which would still be the text before the paste.
  const latest = useRef(props.initial);
  const [error, setError] = useState<string | undefined>();
  const c = useColor();
  const submit = () => {
    const answer = latest.current.trim();
    const problem = props.validate?.(answer);
    if (problem) setError(problem);
    else props.onSubmit(answer);
  };
  return (
    <Box flexDirection="column">
      <Text bold>{props.prompt}</Text>
      <Box>
        <Text color={c('green')}>› </Text>
        <TextInput
          value={value}
          {...(props.mask ? { mask: props.mask } : {})}
          onChange={(v) => {
            let text = v.replace(/\?/g, '');
            // A pasted newline: a separator where several lines are wanted, otherwise Enter.
            const nl = text.search(/[\r\n]/);
            if (props.multiline) text = text.replace(/[\r\n]+/g, ' ');
            else if (nl >= 0) text = text.slice(0, nl);
            latest.current = text;
            setValue(text);
            setError(undefined);
            if (!props.multiline && nl >= 0) submit();
          }}
          onSubmit={submit}
        />
      </Box>
      {error ? <Text color={c('red')}>{error}</Text> : null}
    </Box>
  );
}
