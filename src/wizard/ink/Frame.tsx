import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useColor } from './theme.js';

/** Every screen's frame: where you are, the content, the help when asked for, the keys. */
export function Frame(props: {
  section: string;
  progress?: string;
  help?: string;
  showHelp?: boolean;
  keys?: string;
  children: ReactNode;
}) {
  const c = useColor();
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
        <Text dimColor>{props.keys ?? 'Enter: next · Esc: back · ?: help · Ctrl-C: quit'}</Text>
      </Box>
    </Box>
  );
}
