import { Box, Text } from 'ink';
import SelectInput from 'ink-select-input';
import type { HostItem } from '../draft.js';

export type HostListAction =
  | { kind: 'add' }
  | { kind: 'paste' }
  | { kind: 'import' }
  | { kind: 'remove-many' }
  | { kind: 'pick'; name: string }
  | { kind: 'done' };

const describe = (h: HostItem) =>
  [
    h.name,
    h.os === 'windows' ? 'Windows' : undefined,
    h.version ? String(h.version) : undefined,
    h.zone === 'dmz' ? `DMZ via ${(h.tunnelVia as string[] | undefined)?.join(', ') || 'any tunnel'}` : undefined,
    h.tunnel === false ? 'no tunnel' : undefined,
    h.nat ? 'NAT' : undefined,
    h.installed === false ? 'not installed' : undefined,
  ]
    .filter(Boolean)
    .join(' · ');

/**
 * A list of media servers or clients: pick one to edit or remove, add one, paste or import many, remove
 * several. The actions come first, so they stay in reach however long the list grows.
 */
export function HostListScreen(props: { label: string; items: HostItem[]; onAction: (a: HostListAction) => void }) {
  const actions = [
    { key: 'done', label: `→ Done with ${props.label.toLowerCase()}`, value: 'done' },
    { key: 'add', label: '+ Add one', value: 'add' },
    { key: 'paste', label: '+ Paste a list of names (large sites)', value: 'paste' },
    { key: 'import', label: '+ Import from a file (list, CSV, bpplclients, nbemmcmd)', value: 'import' },
    ...(props.items.length > 1 ? [{ key: 'remove-many', label: '− Remove several…', value: 'remove-many' }] : []),
  ];
  const items = [
    ...actions,
    ...props.items.map((h) => ({ key: `h:${h.name}`, label: describe(h), value: `h:${h.name}` })),
  ];
  return (
    <Box flexDirection="column">
      <Text bold>
        {props.label} ({props.items.length})
      </Text>
      <SelectInput
        items={items}
        initialIndex={props.items.length ? 0 : 1}
        limit={12}
        onSelect={(i) => {
          if (i.value.startsWith('h:')) props.onAction({ kind: 'pick', name: i.value.slice(2) });
          else props.onAction({ kind: i.value as 'add' | 'paste' | 'import' | 'remove-many' | 'done' });
        }}
      />
      {props.items.length > 11 ? <Text dimColor>(↑↓ scroll the {props.items.length} hosts)</Text> : null}
    </Box>
  );
}
