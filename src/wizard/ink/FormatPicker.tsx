import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import { DEFAULT_FORMATS as FORMATS, type Format } from '../../render/index.js';

const LABELS: Record<Format, string> = {
  markdown: 'runbook.md: the runbook for people',
  sh: 'bash script per UNIX host',
  ps1: 'PowerShell script per Windows host',
  bpconf: 'bp.conf snippet per host',
  json: 'plan.json: for apply --plan and machines',
  answerfile: 'NBInstallAnswer.conf for hosts not installed yet',
  ansible: 'ansible/: a playbook for the whole fleet (nbsecure rollout)',
};

/** Which outputs to write: arrows move, space toggles, Enter accepts. */
export function FormatPicker(props: { onSubmit: (formats: Format[]) => void }) {
  const [chosen, setChosen] = useState<Set<Format>>(new Set(FORMATS));
  const [at, setAt] = useState(0);
  const [error, setError] = useState(false);
  useInput((input, key) => {
    if (key.upArrow) setAt((a) => (a + FORMATS.length - 1) % FORMATS.length);
    if (key.downArrow) setAt((a) => (a + 1) % FORMATS.length);
    if (input === ' ') {
      const next = new Set(chosen);
      const f = FORMATS[at]!;
      if (next.has(f)) next.delete(f);
      else next.add(f);
      setChosen(next);
      setError(false);
    }
    if (key.return) {
      if (chosen.size) props.onSubmit(FORMATS.filter((f) => chosen.has(f)));
      else setError(true);
    }
  });
  return (
    <Box flexDirection="column">
      <Text bold>Which outputs? (space toggles, Enter accepts)</Text>
      {FORMATS.map((f, i) => (
        <Text key={f}>
          {i === at ? '❯ ' : '  '}[{chosen.has(f) ? 'x' : ' '}] {LABELS[f]}
        </Text>
      ))}
      {error ? <Text color="red">Choose at least one.</Text> : null}
    </Box>
  );
}
