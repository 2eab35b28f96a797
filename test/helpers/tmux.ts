import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT } from './bin.js';
import type { Driver } from './wizard-flow.js';
import { clearField } from './field.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How often the screen is read while waiting for it to show something: a poll, not a pause. */
const POLL_MS = 50;

/**
 * nbsecure in a real pseudo-terminal (tmux, 80x24): what a person sees and types. Keys are sent as
 * raw bytes. A program draws a screen before it listens for keys; where it shows when it listens
 * (`listening`: the Ink wizard's keys line), the driver waits for that before typing, as a person
 * waits for the screen to be ready. Nothing waits a fixed time.
 */
export function terminal(
  args: string[],
  env: Record<string, string>,
  opts: { listening?: RegExp } = {},
): Driver & {
  exitCode(timeoutMs?: number): Promise<number>;
  kill(): void;
  paste(text: string): void;
  name: string;
  frameWithAttributes(): string;
  history(): string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'nbsecure-pty-'));
  // A tmux server of its own: on the shared default server, one test ending its last session stops the
  // server while another test's new-session is connecting ("server exited unexpectedly").
  const socket = join(dir, 'tmux.sock');
  const tmux = (...a: string[]) => execFileSync('tmux', ['-S', socket, ...a], { encoding: 'utf8' });
  const name = `nbs${process.pid}${Math.random().toString(36).slice(2, 8)}`;
  const exitFile = join(dir, 'exit');
  const script = join(dir, 'run.sh');
  const vars = Object.entries({ TERM: 'xterm-256color', ...env })
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
  writeFileSync(
    script,
    `cd ${JSON.stringify(ROOT)} && env -u CI -u NO_COLOR -u FORCE_COLOR ${vars}` +
      ` ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}` +
      ` ${args.map((a) => JSON.stringify(a)).join(' ')}` +
      `; echo $? > ${JSON.stringify(exitFile)}; sleep 600\n`,
  );
  tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24', `bash ${script}`);
  const frame = () => tmux('capture-pane', '-p', '-t', name);
  const drv = {
    name,
    frame,
    /** Everything the terminal showed, scrolled-off lines included. */
    history: () => tmux('capture-pane', '-p', '-S', '-', '-t', name),
    /** The screen with its colour and style escapes, to see whether colour was used. */
    frameWithAttributes: () => tmux('capture-pane', '-p', '-e', '-t', name),
    async wait(test: RegExp | ((f: string) => boolean), timeoutMs = 15_000) {
      const ok = (f: string) => (typeof test === 'function' ? test(f) : test.test(f));
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const f = frame();
        if (ok(f)) return f;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(test)}; the terminal showed:\n${f}`);
        await sleep(POLL_MS);
      }
    },
    async press(...keys: string[]) {
      if (opts.listening) await drv.wait(opts.listening);
      for (const k of keys) tmux('send-keys', '-t', name, '-l', k);
    },
    clear: () => clearField({ frame, wait: (t, ms) => drv.wait(t, ms), key: (k) => drv.press(k) }),
    async answer(prompt: RegExp, text: string) {
      await drv.wait(prompt);
      if (text) {
        await drv.press(text);
        // Enter only once the text is on the screen: under load the terminal redraws late.
        const squeeze = (x: string) => x.replace(/\s+/g, '');
        await drv.wait((f) => squeeze(f).includes(squeeze(text.slice(-20))));
      }
      await drv.press('\r');
    },
    async choose(prompt: RegExp, label: RegExp) {
      await drv.wait(prompt);
      const pointer = () =>
        frame()
          .split('\n')
          .find((l) => l.includes('❯'));
      for (let i = 0; i < 15; i++) {
        const line = pointer();
        if (line && label.test(line)) return drv.press('\r');
        await drv.press('\u001b[B');
        // Read the next choice only when the pointer has moved, or a stale screen would overshoot.
        await drv.wait(() => pointer() !== line, 5000);
      }
      throw new Error(`no choice ${label} under ${prompt}:\n${frame()}`);
    },
    /** Pastes as a terminal does: bracketed (ESC[200~ … ESC[201~) when the program asked for it. */
    paste(text: string) {
      const file = join(dir, 'paste.txt');
      writeFileSync(file, text);
      tmux('load-buffer', '-b', 'nbs', file);
      tmux('paste-buffer', '-p', '-d', '-b', 'nbs', '-t', name);
    },
    async exitCode(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!existsSync(exitFile) || !readFileSync(exitFile, 'utf8').trim()) {
        if (Date.now() > deadline) throw new Error(`nbsecure did not exit; the terminal showed:\n${frame()}`);
        await sleep(POLL_MS);
      }
      return Number(readFileSync(exitFile, 'utf8'));
    },
    kill() {
      try {
        tmux('kill-server');
      } catch {
        /* already gone */
      }
    },
  };
  return drv;
}

/**
 * The wizard in a terminal, with a home of its own (remembered answers, state). The Ink wizard is typed into
 * once its keys line shows; --plain and TERM=dumb prompt line by line and have none.
 */
export function wizardTerminal(args: string[], env: Record<string, string>, home: string) {
  return terminal(
    args,
    { XDG_CONFIG_HOME: join(home, 'config'), XDG_STATE_HOME: join(home, 'state'), HOME: home, ...env },
    args.includes('--plain') || env.TERM === 'dumb' ? {} : { listening: /Ctrl-C: quit/ },
  );
}
