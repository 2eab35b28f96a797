import { render } from 'ink';
import type { Io } from '../output.js';
import type { Plan } from '../plan/types.js';
import type { PlaybookEvent } from './events.js';
import { RolloutView } from './RolloutView.js';

/** Draws the rollout's progress on the terminal; the command pushes each event, and closes it at the end. */
export function mountRolloutView(plan: Plan, io: Io) {
  const listeners = new Set<(e: PlaybookEvent) => void>();
  const feed = {
    subscribe(l: (e: PlaybookEvent) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  const app = render(<RolloutView plan={plan} feed={feed} />, {
    stdout: io.stdout as NodeJS.WriteStream,
    exitOnCtrlC: false,
  });
  return {
    push: (e: PlaybookEvent) => listeners.forEach((l) => l(e)),
    close: () => app.unmount(),
  };
}
