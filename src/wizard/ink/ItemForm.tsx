import { Box, Text, useInput } from 'ink';
import { useEffect, useState } from 'react';
import type { Draft, HostItem, HostListKey } from '../draft.js';
import { answerValue, itemQuestions } from '../questions.js';
import { QuestionScreen } from './QuestionScreen.js';

/** The questions for one media server or client, one at a time; Esc goes back a field, or cancels. */
export function ItemForm(props: {
  list: HostListKey;
  draft: Draft;
  item: HostItem;
  editing: string;
  onDone: (item: HostItem) => void;
  onCancel: () => void;
  onHelp: (help: string) => void;
}) {
  const [item, setItem] = useState<HostItem>(props.item);
  const [history, setHistory] = useState<number[]>([]);
  const view = { ...props.draft, __item: item, __editing: props.editing } as Draft;
  const questions = itemQuestions(props.list);
  const nextIndex = (from: number, it: HostItem) => {
    const v = { ...props.draft, __item: it, __editing: props.editing } as Draft;
    let i = from;
    while (i < questions.length && questions[i]!.when && !questions[i]!.when!(v)) i++;
    return i;
  };
  const [index, setIndex] = useState(() => nextIndex(0, props.item));
  const q = questions[index];
  const { onHelp } = props;
  useEffect(() => onHelp(q?.help ?? ''), [q, onHelp]);

  useInput((_input, key) => {
    if (!key.escape) return;
    const prev = history.at(-1);
    if (prev === undefined) props.onCancel();
    else {
      setHistory(history.slice(0, -1));
      setIndex(prev);
    }
  });

  if (!q) return null;
  return (
    <Box flexDirection="column">
      <Text dimColor>
        {props.list === 'clients' ? 'Client' : 'Media server'}
        {item.name ? `: ${item.name}` : ''}
      </Text>
      <QuestionScreen
        key={`${index}`}
        question={q}
        draft={view}
        base="__item"
        onAnswer={(text) => {
          const value = answerValue(q, text);
          const next: HostItem = { ...item, [q.id]: value };
          if (value === undefined) delete next[q.id];
          // A field whose question no longer applies (tunnelVia after zone changes) is dropped.
          const v = { ...props.draft, __item: next, __editing: props.editing } as Draft;
          for (const other of questions) if (other.when && !other.when(v)) delete next[other.id];
          const after = nextIndex(index + 1, next);
          setItem(next);
          if (after >= questions.length) props.onDone(next);
          else {
            setHistory([...history, index]);
            setIndex(after);
          }
        }}
      />
    </Box>
  );
}
