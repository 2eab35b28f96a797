import { Box, Text } from 'ink';
import SelectInput from 'ink-select-input';
import type { Choice } from '../questions.js';

/** A choice among a few, each with a one-line explanation. */
export function SelectQuestion(props: {
  prompt: string;
  choices: Choice[];
  initial?: string;
  /** At most this many choices at once; the list scrolls under the pointer. */
  limit?: number;
  onSubmit: (value: string) => void;
}) {
  const items = props.choices.map((ch) => ({
    key: ch.value,
    label: ch.hint ? `${ch.label} — ${ch.hint}` : ch.label,
    value: ch.value,
  }));
  const initialIndex = Math.max(
    0,
    items.findIndex((i) => i.value === props.initial),
  );
  return (
    <Box flexDirection="column">
      <Text bold>{props.prompt}</Text>
      <SelectInput
        items={items}
        initialIndex={initialIndex}
        {...(props.limit ? { limit: props.limit } : {})}
        onSelect={(item) => props.onSubmit(item.value)}
      />
    </Box>
  );
}
