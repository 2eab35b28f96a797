import { Box, Text } from 'ink';
import { SelectQuestion } from './SelectQuestion.js';

export type Start = 'last' | 'fresh' | 'file' | 'local';

/** Where to start: the last answers of this profile, afresh, an answers file, or this host's bp.conf. */
/** `hasLast` is undefined while the remembered answers are still being read. */
export function WelcomeScreen(props: { profile: string; hasLast: boolean | undefined; onStart: (s: Start) => void }) {
  return (
    <Box flexDirection="column">
      <Text>
        This wizard walks you through a secure NetBackup setup: hosts, DMZ tunnels, certificates and hardening. It
        writes runbooks and scripts, and can dry-run and apply one host. It never stores a token or password.
      </Text>
      <Box marginTop={1}>
        {props.hasLast === undefined ? (
          <Text dimColor>Reading your remembered answers…</Text>
        ) : (
          <SelectQuestion
            prompt="How do you want to start?"
            choices={[
              ...(props.hasLast ? [{ value: 'last', label: `From your last answers (profile ${props.profile})` }] : []),
              { value: 'fresh', label: 'Afresh' },
              { value: 'file', label: 'Import an answers file' },
              { value: 'local', label: "Import this host's NetBackup configuration (bp.conf)" },
            ]}
            initial={props.hasLast ? 'last' : 'fresh'}
            onSubmit={(v) => props.onStart(v as Start)}
          />
        )}
      </Box>
    </Box>
  );
}
