import { Box, Text } from 'ink';
import SelectInput from 'ink-select-input';
import { useState } from 'react';
import type { HostItem } from '../draft.js';

export type HostListAction =
  | { kind: 'add' }
  | { kind: 'paste' }
  | { kind: 'edit'; name: string }
  | { kind: 'remove'; name: string }
  | { kind: 'done' };

const describe = (h: HostItem) =>
  [
    h.name,
    h.os === 'windows' ? 'Windows' : undefined,
    h.version ? String(h.version) : undefined,
    h.zone === 'dmz' ? `DMZ via ${(h.tunnelVia as string[] | undefined)?.join(', ') ?? 'any tunnel'}` : undefined,
    h.tunnel === false ? 'no tunnel' : undefined,
    h.nat ? 'NAT' : undefined,
    h.installed === false ? 'not installed' : undefined,
  ]
    .filter(Boolean)
    .join(' · ');

/** A list of media servers or clients: pick one to edit or remove, add one, or paste many names. */
export function HostListScreen(props: { label: string; items: HostItem[]; onAction: (a: HostListAction) => void }) {
  const [picked, setPicked] = useState<string | undefined>();
  if (picked) {
    return (
      <Box flexDirection="column">
        <Text bold>{picked}</Text>
        <SelectInput
          items={[
            { label: 'Edit', value: 'edit' },
            { label: 'Remove', value: 'remove' },
            { label: 'Keep as it is', value: 'keep' },
          ]}
          onSelect={(i) => {
            setPicked(undefined);
            if (i.value !== 'keep') props.onAction({ kind: i.value as 'edit' | 'remove', name: picked });
          }}
        />
      </Box>
    );
  }
  const items = [
    ...props.items.map((h) => ({ key: `h:${h.name}`, label: describe(h), value: `h:${h.name}` })),
    { key: 'add', label: '+ Add one', value: 'add' },
    { key: 'paste', label: '+ Paste a list of names (large sites)', value: 'paste' },
    { key: 'done', label: `→ Done with ${props.label.toLowerCase()}`, value: 'done' },
  ];
  return (
    <Box flexDirection="column">
      <Text bold>
        {props.label} ({props.items.length})
      </Text>
      <SelectInput
        items={items}
        initialIndex={props.items.length ? items.length - 1 : items.length - 3}
        limit={12}
        onSelect={(i) => {
          if (i.value.startsWith('h:')) setPicked(i.value.slice(2));
          else props.onAction({ kind: i.value as 'add' | 'paste' | 'done' });
        }}
      />
    </Box>
  );
}
