import { render } from 'ink';
import type { Io } from '../../output.js';
import { App, type AppProps } from './App.js';
import { ColorContext } from './theme.js';

/** Renders the wizard and resolves with its exit code. Ctrl-C is the App's to handle (exit 130). */
export async function mountWizard(io: Io, color: boolean, props: Omit<AppProps, 'onExit'>): Promise<number> {
  let code = 0;
  const app = render(
    <ColorContext.Provider value={color}>
      <App {...props} onExit={(c) => (code = c)} />
    </ColorContext.Provider>,
    { exitOnCtrlC: false, stdin: io.stdin as NodeJS.ReadStream, stdout: io.stdout as NodeJS.WriteStream },
  );
  await app.waitUntilExit();
  return code;
}
