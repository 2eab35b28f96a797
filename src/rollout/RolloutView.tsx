import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import type { Plan } from '../plan/types.js';
import { changedSteps, type PlaybookEvent } from './events.js';
import { RolloutProgress } from './progress.js';

/** Where the view gets its events: the command pushes each one as ansible-playbook prints it. */
export interface EventFeed {
  subscribe(listener: (e: PlaybookEvent) => void): () => void;
}

/** The rollout on a terminal: per stage done, failed and pending, a bar, the host now running, the last results. */
export function RolloutView(props: { plan: Plan; feed: EventFeed }) {
  const [progress] = useState(() => new RolloutProgress(props.plan));
  const [, redraw] = useState(0);
  const [recent, setRecent] = useState<string[]>([]);
  useEffect(
    () =>
      props.feed.subscribe((e) => {
        progress.update(e);
        if (e.event === 'host' && e.steps_task) {
          const changed = changedSteps(e).length;
          const line = e.status === 'ok' ? `✓ ${e.host}: ${changed} changed` : `✗ ${e.host}: ${e.msg ?? e.status}`;
          setRecent((r) => [...r.slice(-4), line]);
        }
        redraw((n) => n + 1);
      }),
    [props.feed, progress],
  );
  return (
    <Box flexDirection="column">
      {props.plan.stages.map((s) => {
        const c = progress.counts(s.id);
        const here = progress.stage === s.id;
        return (
          <Text key={s.id} {...(here ? { bold: true } : { dimColor: true })}>
            {here ? '▶ ' : '  '}
            {s.id.padEnd(8)} {c.done}/{c.total} done, {c.failed} failed, {c.pending} pending
          </Text>
        );
      })}
      <Text>{progress.line()}</Text>
      {recent.map((l, i) => (
        <Text key={i} {...(l.startsWith('✗') ? { color: 'red' } : {})}>
          {l}
        </Text>
      ))}
    </Box>
  );
}
