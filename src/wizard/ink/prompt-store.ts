import type { ApplyResult } from '../../execute/events.js';
import type {
  BodyLine,
  CheckboxOptions,
  InputOptions,
  LinesOptions,
  RunRequest,
  SelectOptions,
  WizardUi,
} from '../prompts.js';

type ApplyScreenType = typeof import('./ApplyScreen.js').ApplyScreen;

/** The question on screen: what it asks, and how the flow waiting on it is answered. */
export type Pending = { id: number; reject: (e: Error) => void } & (
  | { kind: 'select'; o: SelectOptions<string>; resolve: (v: string) => void }
  | { kind: 'input'; o: InputOptions; mask: boolean; resolve: (v: string) => void }
  | { kind: 'checkbox'; o: CheckboxOptions<string>; resolve: (v: string[]) => void }
  | { kind: 'lines'; o: LinesOptions; resolve: (v: string) => void }
  | {
      kind: 'run';
      r: RunRequest;
      ApplyScreen: ApplyScreenType;
      resolve: (v: { value: string; result: ApplyResult }) => void;
    }
  | { kind: 'finish'; message: string; resolve: () => void }
);

export interface Shown {
  pending: Pending | undefined;
  /** What the flow said since the question before: shown under this one. */
  notices: { text: string; tone?: BodyLine['tone'] }[];
}

/**
 * The Ink front end's prompts as a store: a prompt function puts its question here and returns a promise;
 * the App draws whatever is here (useSyncExternalStore) and settles the promise when it is answered.
 */
export function promptStore(): { ui: WizardUi; subscribe: (f: () => void) => () => void; get: () => Shown } {
  const listeners = new Set<() => void>();
  let shown: Shown = { pending: undefined, notices: [] };
  let said: Shown['notices'] = [];
  let next = 0;
  const show = <T>(make: (resolve: (v: T) => void, reject: (e: Error) => void, id: number) => Pending) =>
    new Promise<T>((resolve, reject) => {
      const pending = make(resolve, reject, next++);
      shown = { pending, notices: said };
      said = [];
      listeners.forEach((f) => f());
    });
  const ui: WizardUi = {
    select: <T extends string>(o: SelectOptions<T>) =>
      show<T>((resolve, reject, id) => ({
        kind: 'select',
        o: o as SelectOptions<string>,
        resolve: resolve as (v: string) => void,
        reject,
        id,
      })),
    input: (o) => show<string>((resolve, reject, id) => ({ kind: 'input', o, mask: false, resolve, reject, id })),
    password: (o) => show<string>((resolve, reject, id) => ({ kind: 'input', o, mask: true, resolve, reject, id })),
    checkbox: <T extends string>(o: CheckboxOptions<T>) =>
      show<T[]>((resolve, reject, id) => ({
        kind: 'checkbox',
        o: o as unknown as CheckboxOptions<string>,
        resolve: resolve as (v: string[]) => void,
        reject,
        id,
      })),
    async lines(o) {
      // The field takes the whole paste, however many lines, and hands it over as one piece: names may be
      // separated by new lines as by spaces, and its refusals are said together.
      const text = await show<string>((resolve, reject, id) => ({ kind: 'lines', o, resolve, reject, id }));
      if (text.trim()) o.onLine(text);
    },
    say(text, tone) {
      said = [...said, { text, ...(tone ? { tone } : {}) }];
    },
    async run(r) {
      const { ApplyScreen } = await import('./ApplyScreen.js');
      return show((resolve, reject, id) => ({ kind: 'run', r, ApplyScreen, resolve, reject, id }));
    },
    finish: (message) => show<void>((resolve, reject, id) => ({ kind: 'finish', message, resolve, reject, id })),
  };
  return {
    ui,
    subscribe(f) {
      listeners.add(f);
      return () => listeners.delete(f);
    },
    get: () => shown,
  };
}
