import { render } from 'ink';
import type { Io } from '../../output.js';
import { App, type AppProps } from './App.js';
import { ColorContext } from './theme.js';

/** Bracketed paste: the terminal marks a paste, so a pasted list is text, never Enter or `?` keys. */
const PASTE_ON = '\u001b[?2004h';
const PASTE_OFF = '\u001b[?2004l';

/** Renders the wizard and resolves with its exit code. Ctrl-C is the App's to handle (exit 130). */
export async function mountWizard(io: Io, color: boolean, props: Omit<AppProps, 'onExit'>): Promise<number> {
  let code = 0;
  const tty = (io.stdout as NodeJS.WriteStream).isTTY === true;
  // The shell after us must not see pastes wrapped in markers, however the wizard ends.
  const off = () => void (tty && io.stdout.write(PASTE_OFF));
  if (tty) io.stdout.write(PASTE_ON);
  process.once('exit', off);
  const app = render(
    <ColorContext.Provider value={color}>
      <App {...props} onExit={(c) => (code = c)} />
    </ColorContext.Provider>,
    { exitOnCtrlC: false, stdin: io.stdin as NodeJS.ReadStream, stdout: io.stdout as NodeJS.WriteStream },
  );
  try {
    await app.waitUntilExit();
  } finally {
    off();
    process.removeListener('exit', off);
  }
  return code;
}
