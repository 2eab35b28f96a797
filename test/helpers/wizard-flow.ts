import { FP } from './env.js';

/** What the flows need of a screen driver: ink-testing-library's or a real terminal's (tmux). */
export interface Driver {
  frame(): string;
  wait(test: RegExp | ((f: string) => boolean), timeoutMs?: number): Promise<string>;
  press(...keys: string[]): Promise<void>;
  answer(prompt: RegExp, text: string): Promise<void>;
  choose(prompt: RegExp, label: RegExp): Promise<void>;
  /** Empties the focused text field, each key seen on screen before the next. */
  clear(): Promise<void>;
}

async function addHost(
  s: Driver,
  list: RegExp,
  a: { name: string; os?: RegExp; version?: string; tunnel?: RegExp; zone?: RegExp; via?: string[]; nat?: RegExp },
) {
  await s.choose(list, /\+ Add one/);
  await s.answer(/Host name/, a.name);
  await s.choose(/Operating system/, a.os ?? /Linux/);
  await s.answer(/NetBackup version/, a.version ?? '');
  if (a.tunnel) await s.choose(/offer the HTTP tunnel/, a.tunnel);
  if (a.zone) await s.choose(/Where is it/, a.zone);
  if (a.via !== undefined) {
    await s.wait(/Tunnel media servers/);
    for (const [i, name] of a.via.entries()) await tick(s, name, i + 1);
    await s.press('\r');
  }
  if (a.nat) await s.choose(/behind dynamic NAT/, a.nat);
  await s.choose(/installed on it already/, /Yes/);
}

/** Moves the pointer of a multiple choice to `label` and ticks it, the `nth` ticked. */
async function tick(s: Driver, label: string, nth: number) {
  const pointer = () =>
    s
      .frame()
      .split('\n')
      .find((l) => l.includes('❯'));
  for (let i = 0; i < 15; i++) {
    const line = pointer();
    if (line?.includes(label)) {
      await s.press(' ');
      await s.wait((f) => f.includes(`[${nth}] ${label}`));
      return;
    }
    await s.press('\u001b[B');
    await s.wait(() => pointer() !== line, 5000);
  }
  throw new Error(`no choice ${label}:\n${s.frame()}`);
}

/** Answers the Ink wizard for the site of test/fixtures/wizard-dmz.yaml (a DMZ client, an 8.0 host). */
export async function answerDmzSite(s: Driver): Promise<void> {
  await s.choose(/How do you want to start/, /Afresh/);
  await s.answer(/Primary server host name/, 'nbu-primary.corp.example');
  await s.choose(/Primary server operating system/, /Linux/);
  await s.answer(/Primary server NetBackup version/, '');
  await addHost(s, /Media servers \(0\)/, { name: 'nbu-media1.corp.example', tunnel: /Yes/ });
  await addHost(s, /Media servers \(1\)/, { name: 'nbu-media2.corp.example', tunnel: /Yes/ });
  await s.choose(/Media servers \(2\)/, /Done with media servers/);
  await addHost(s, /Clients \(0\)/, { name: 'app1.corp.example', zone: /Internal/, nat: /No/ });
  await addHost(s, /Clients \(1\)/, { name: 'web1.dmz.example', zone: /DMZ/, via: ['nbu-media2.corp.example'] });
  await addHost(s, /Clients \(2\)/, {
    name: 'old1.corp.example',
    os: /Windows/,
    version: '8.0',
    zone: /Internal/,
    nat: /No/,
  });
  await s.choose(/Clients \(3\)/, /Done with clients/);
  await s.choose(/Insecure communication/, /Auto/);
  await s.choose(/Certificate authority/, /NetBackup CA/);
  await s.choose(/deployment security level/, /High \(default\)/);
  await s.answer(/CA certificate fingerprint/, FP);
  await s.answer(/Name of the authorization token/, '');
  await s.answer(/How long the token stays valid/, '');
  await s.choose(/Data-in-transit encryption/, /Preferred On/);
  await s.choose(/encrypted at rest/, /I do not know/);
  await s.choose(/multi-factor/, /Yes/);
  await s.choose(/host firewall/, /I do not know/);
  await s.choose(/dedicated backup network/, /I do not know/);
  await s.choose(/reachable from the Internet/, /No/);
  await s.choose(/immutable/, /I do not know/);
  await s.choose(/web UI present a certificate/, /I do not know/);
}

/** The whole review, paged through with PgDn: it scrolls when it is longer than the screen. */
export async function wholeReview(s: Driver): Promise<string> {
  let frame = await s.wait(/Is this right\?/);
  let all = frame;
  while (/more lines below/.test(frame)) {
    const before = frame;
    await s.press('\u001b[6~');
    frame = await s.wait((f) => f !== before);
    all += `\n${frame}`;
  }
  return all;
}

/** From an answers file to the dry run of `host`: its review accepted, the default outputs written to `out`. */
export async function toDryRun(s: Driver, answers: string, host: RegExp, out?: string): Promise<void> {
  await s.choose(/How do you want to start/, /Import an answers file/);
  await s.answer(/Path of the answers file/, answers);
  await s.choose(/Is this right\?/, /Yes/);
  await s.wait(/Which outputs\?/);
  await s.press('\r');
  await s.wait(/which folder/);
  if (out) {
    await s.clear();
    await s.answer(/which folder/, out);
  } else await s.press('\r');
  await s.choose(/What next\?/, /Dry-run one host/);
  await s.choose(/Which host is this machine/, host);
}
