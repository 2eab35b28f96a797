import { Box, Text } from 'ink';
import { useEffect, useState, type ReactNode } from 'react';
import { useColor } from './theme.js';

/**
 * Every screen's frame: where you are, the content, the help when asked for, the keys. The keys
 * line appears once the screen listens: React runs this frame's effect after those of the screen
 * inside it, whose input handlers are attached in effects. Until then a key would reach nobody, so
 * the keys line is the signal, to a person and to a test, that typing now counts.
 */
export function Frame(props: {
  /** The screen shown: a new one (a new object) hides the keys line until it listens. */
  screen: object;
  section: string;
  progress?: string;
  help?: string;
  showHelp?: boolean;
  keys?: string;
  children: ReactNode;
}) {
  const c = useColor();
  const [listening, setListening] = useState<object>();
  useEffect(() => setListening(props.screen), [props.screen]);
  return (
    <Box flexDirection="column" width={80}>
      <Text bold color={c('cyan')}>
        nbsecure · {props.section}
        {props.progress ? <Text dimColor> · {props.progress}</Text> : null}
      </Text>
      <Box flexDirection="column" marginTop={1}>
        {props.children}
      </Box>
      {props.showHelp && props.help ? (
        <Box marginTop={1} borderStyle="round" borderColor={c('yellow')} paddingX={1}>
          <Text>{props.help}</Text>
        </Box>
      ) : null}
      <Box marginTop={1}>
        <Text dimColor>
          {listening === props.screen ? (props.keys ?? 'Enter: next · Esc: back · ?: help · Ctrl-C: quit') : ' '}
        </Text>
      </Box>
    </Box>
  );
}
