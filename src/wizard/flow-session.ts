import { UserError } from '../errors.js';
import type { SecretKind } from '../execute/token.js';
import type { Draft, HostListKey } from './draft.js';
import { Back, type WizardUi } from './prompts.js';

export type Secrets = Partial<Record<SecretKind, string>>;

/** What the flow needs of where it runs: nothing of a terminal, so both front ends drive it alike. */
export interface FlowContext {
  profile: string;
  cwd: string;
  stateDir: string;
  /** This machine's host name: apply runs only on the host it names. */
  machineName: string;
  /** Secrets from NBSECURE_TOKEN / NBSECURE_PASSPHRASE / NBSECURE_API_KEY; the others are asked for. */
  envSecrets: Secrets;
  /** The remembered answers of the profile. */
  recall: () => Promise<Draft | undefined>;
  /** Called on every change of the answers (never a secret). */
  remember: (d: Draft) => void;
  /** A terminal without line drawing: the picture of the site in ASCII. */
  ascii: boolean;
}

/** Validation, planning and writing: loaded while the first question is on screen. */
export type Later = typeof import('./finish.js');

/** The wizard while it runs: the front end, where it runs, the answers so far and the answers file saved. */
export interface Session {
  ui: WizardUi;
  ctx: FlowContext;
  later: Promise<Later>;
  /** The answers so far; `set` changes them, and has them remembered. */
  d: Draft;
  set(next: Draft): void;
  saved?: string;
}

export function session(ui: WizardUi, ctx: FlowContext, d: Draft): Session {
  const s: Session = {
    ui,
    ctx,
    later: import('./finish.js'),
    d,
    set(next) {
      s.d = next;
      ctx.remember(next);
    },
  };
  return s;
}

export const LIST_TITLE: Record<HostListKey, string> = { clients: 'Clients', mediaServers: 'Media servers' };

export const nonEmpty = (what: string) => (s: string) => (s.trim() ? true : `Type ${what}.`);
export const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
export const userError = (e: unknown): e is UserError => e instanceof UserError;

/** Runs `ask`; Esc (Back) from it is an answer too: undefined, the screen before. */
export async function orBack<T>(ask: () => Promise<T>): Promise<T | undefined> {
  try {
    return await ask();
  } catch (e) {
    if (e instanceof Back) return undefined;
    throw e;
  }
}
