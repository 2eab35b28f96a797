import { Box, Text } from 'ink';
import { useContext, useEffect, useState } from 'react';
import { LineInput } from './LineInput.js';
import { FieldHelpContext, useColor } from './theme.js';

/**
 * A text answer with its validation shown under the field, in words. `?` opens the help, as on every
 * screen, unless the field is masked: a passphrase may hold one, no other answer nbsecure asks for does.
 */
export function TextQuestion(props: {
  prompt: string;
  initial: string;
  validate?: (s: string) => string | undefined;
  mask?: string;
  multiline?: boolean;
  onSubmit: (s: string) => void;
}) {
  const [error, setError] = useState<string | undefined>();
  const c = useColor();
  const help = useContext(FieldHelpContext);
  useEffect(() => {
    help.open.current++;
    return () => {
      help.open.current--;
    };
  }, [help]);
  const submit = (text: string) => {
    const answer = text.trim();
    const problem = props.validate?.(answer);
    if (problem) setError(problem);
    else props.onSubmit(answer);
  };
  return (
    <Box flexDirection="column">
      <Text bold>{props.prompt}</Text>
      <Box>
        <Text color={c('green')}>› </Text>
        <LineInput
          initial={props.initial}
          {...(props.mask ? { mask: props.mask } : {})}
          multiline={Boolean(props.multiline)}
          helpKey={!props.mask}
          onChange={() => setError(undefined)}
          onSubmit={submit}
          onHelp={help.toggle}
        />
      </Box>
      {error ? <Text color={c('red')}>{error}</Text> : null}
    </Box>
  );
}
