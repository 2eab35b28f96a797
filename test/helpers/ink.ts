import { render } from 'ink-testing-library';
import type { ReactElement } from 'react';
import { clearField } from './field.js';

export const KEY = {
  enter: '\r',
  esc: '\u001b',
  down: '\u001b[B',
  up: '\u001b[A',
  space: ' ',
  ctrlC: '\u0003',
  backspace: '\u007f',
};

/** Polls until the predicate holds on the last frame (no fixed sleeps); fails with the frame it saw. */
export async function waitFor(
  frame: () => string | undefined,
  test: RegExp | ((f: string) => boolean),
  timeoutMs = 3000,
): Promise<string> {
  const ok = (f: string) => (typeof test === 'function' ? test(f) : test.test(f));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const f = frame() ?? '';
    if (ok(f)) return f;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(test)}; the screen was:\n${f}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Lets React run its passive effects: Ink attaches input handlers in effects, after a screen is
 * drawn, so keys written the moment a prompt appears would reach nobody. Yields, no fixed sleep.
 */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

/** Renders an Ink element and gives a small driver: wait for text, type, press keys. */
export function mount(el: ReactElement) {
  const r = render(el);
  const drv = {
    ...r,
    frame: () => r.lastFrame() ?? '',
    wait: (test: RegExp | ((f: string) => boolean), timeoutMs?: number) => waitFor(r.lastFrame, test, timeoutMs),
    async press(...keys: string[]) {
      for (const k of keys) {
        await settle();
        r.stdin.write(k);
      }
      await settle();
    },
    /** Waits for `prompt`, then types `text` and Enter. */
    async answer(prompt: RegExp, text: string) {
      await drv.wait(prompt);
      await drv.press(...(text ? [text] : []), KEY.enter);
    },
    clear: () => clearField({ frame: drv.frame, wait: drv.wait, key: (k) => drv.press(k) }),
    /** Waits for `prompt`, then moves down to the choice whose label matches and presses Enter. */
    async choose(prompt: RegExp, label: RegExp) {
      await drv.wait(prompt);
      for (let i = 0; i < 12; i++) {
        const line = drv
          .frame()
          .split('\n')
          .find((l) => l.includes('❯'));
        if (line && label.test(line)) return drv.press(KEY.enter);
        await drv.press(KEY.down);
      }
      throw new Error(`no choice ${label} under ${prompt}:\n${drv.frame()}`);
    },
  };
  return drv;
}
