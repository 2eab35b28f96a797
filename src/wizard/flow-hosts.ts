import { resolve } from 'node:path';
import {
  hostList,
  removeHosts,
  replaceHost,
  setHostList,
  type Draft,
  type HostItem,
  type HostListKey,
} from './draft.js';
import { askQuestion } from './flow-ask.js';
import { LIST_TITLE, nonEmpty, plural, userError, type Session } from './flow-session.js';
import { parseNameList, refusedText, siteNames } from './name-list.js';
import { answerValue, itemQuestions, type Question } from './questions.js';
import { Back, type Place } from './prompts.js';

/** A host in its list: its name and what differs from the defaults. */
const hostSummary = (h: HostItem) =>
  [
    h.name,
    h.os === 'windows' ? 'Windows' : undefined,
    h.version ? String(h.version) : undefined,
    h.zone === 'dmz' ? `DMZ via ${(h.tunnelVia as string[] | undefined)?.join(', ') || 'any tunnel'}` : undefined,
    h.tunnel === false ? 'no tunnel' : undefined,
    h.nat ? 'NAT' : undefined,
    h.installed === false ? 'not installed' : undefined,
  ]
    .filter(Boolean)
    .join(' · ');

/** A list of media servers or clients: the actions first, so they stay in reach however long it grows. */
export async function hostsPage(s: Session, q: Question, place: Place): Promise<void> {
  const list = q.list!;
  const where: Place = { ...place, section: q.section, help: q.help, answering: true };
  for (;;) {
    const items = hostList(s.d, list);
    const action = await s.ui.select({
      ...where,
      message: `${q.prompt} (${items.length})`,
      choices: [
        { name: `→ Done with ${q.prompt.toLowerCase()}`, value: 'done' },
        { name: '+ Add one', value: 'add' },
        { name: '+ Paste a list of names (large sites)', value: 'paste' },
        { name: '+ Import from a file (list, CSV, bpplclients, nbemmcmd)', value: 'import' },
        ...(items.length > 1 ? [{ name: '− Remove several…', value: 'remove' }] : []),
        ...items.map((h) => ({ name: hostSummary(h), value: `h:${h.name}` })),
      ],
      default: items.length ? 'done' : 'add',
      limit: 12,
    });
    if (action === 'done') return;
    // Esc from what an action asks comes back to the list.
    try {
      if (action === 'add') s.set(replaceHost(s.d, list, '', await editHost(s, list, { name: '' }, '')));
      if (action === 'paste') await pasteNames(s, list);
      if (action === 'import') await importHosts(s, list);
      if (action === 'remove') await removeSeveral(s, list, items);
      if (action.startsWith('h:')) await hostMenu(s, list, action.slice(2));
    } catch (e) {
      if (!(e instanceof Back)) throw e;
    }
  }
}

export async function hostMenu(s: Session, list: HostListKey, name: string): Promise<void> {
  const what = await s.ui.select({
    section: LIST_TITLE[list],
    help: 'Edit goes through its questions again, with its answers as the defaults. Esc: back to the list.',
    answering: true,
    message: name,
    choices: [
      { name: 'Edit', value: 'edit' },
      { name: 'Remove', value: 'remove' },
      { name: 'Keep as it is', value: 'keep' },
    ],
  });
  const item = hostList(s.d, list).find((h) => h.name === name)!;
  if (what === 'edit') s.set(replaceHost(s.d, list, name, await editHost(s, list, item, name)));
  if (what === 'remove') s.set(removeHosts(s.d, list, [name]));
}

/** A host's questions one at a time; Esc goes back a field, and from the first back to the list. */
export async function editHost(s: Session, list: HostListKey, original: HostItem, editing: string): Promise<HostItem> {
  const qs = itemQuestions(list);
  const viewOf = (it: HostItem) => ({ ...s.d, __item: it, __editing: editing }) as Draft;
  const applies = (i: number, it: HostItem) => !qs[i]!.when || qs[i]!.when!(viewOf(it));
  let item = { ...original };
  const history: number[] = [];
  let i = 0;
  while (i < qs.length && !applies(i, item)) i++;
  while (i < qs.length) {
    const q = qs[i]!;
    const label = `${list === 'clients' ? 'Client' : 'Media server'}${item.name ? `: ${item.name}` : ''}`;
    let text: string;
    try {
      text = await askQuestion(s, q, viewOf(item), '__item', {
        section: LIST_TITLE[list],
        // Ctrl-R would leave the host half answered: the review is one Esc or Enter away.
        answering: false,
        body: [{ text: label, tone: 'dim' }],
      });
    } catch (e) {
      if (!(e instanceof Back) || !history.length) throw e;
      i = history.pop()!;
      continue;
    }
    const value = answerValue(q, text);
    const next: HostItem = { ...item, [q.id]: value };
    if (value === undefined) delete next[q.id];
    // A field whose question no longer applies (tunnelVia after the zone changes) is dropped.
    qs.forEach((other, k) => {
      if (!applies(k, next)) delete next[other.id];
    });
    item = next;
    history.push(i);
    i++;
    while (i < qs.length && !applies(i, item)) i++;
  }
  return item;
}

export async function pasteNames(s: Session, list: HostListKey): Promise<void> {
  const items = hostList(s.d, list);
  const known = [...items.map((h) => h.name), ...siteNames(s.d, list)];
  const added: string[] = [];
  const skipped: string[] = [];
  await s.ui.lines({
    section: LIST_TITLE[list],
    help:
      'Paste or type the names separated by spaces or commas, on as many lines as you like. They get the ' +
      "defaults (Linux, the primary's version, internal); edit any of them afterwards.",
    message: 'Host names',
    prompt: () => (added.length ? `names (${added.length} so far; an empty line ends)> ` : 'names> '),
    onLine: (line) => {
      if (!line.trim()) return false;
      const got = parseNameList(line, [...known, ...added]);
      added.push(...got.names);
      skipped.push(...got.skipped);
      // Said at once, naming each refused name and why; the good names of the same line are kept.
      if (got.refused.length) s.ui.say(`${refusedText(got.refused)} Add it again, corrected, or leave it out.`, 'warn');
      return true;
    },
  });
  s.set(setHostList(s.d, list, [...items, ...added.map((name) => ({ name }))]));
  s.ui.say(
    [`Added ${plural(added.length, 'name')}.`, skipped.length ? `Already listed, left out: ${skipped.join(', ')}.` : '']
      .filter(Boolean)
      .join(' '),
  );
}

export async function importHosts(s: Session, list: HostListKey): Promise<void> {
  const path = await s.ui.input({
    section: LIST_TITLE[list],
    help:
      'A file with one name per line; a CSV with a name column and optional role (client, media), os, ' +
      'version and zone (internal, dmz) columns; or what the primary lists: bpplclients -allunique ' +
      '-noheader > clients.txt, nbemmcmd -listhosts > hosts.txt. Names already in the site are left out.',
    message: 'Path of the file with the hosts',
    validate: nonEmpty('a path'),
  });
  try {
    const got = (await s.later).importHostsFile(s.d, list, resolve(s.ctx.cwd, path));
    s.set(got.draft);
    s.ui.say(got.summary);
  } catch (e) {
    if (!userError(e)) throw e;
    s.ui.say(e.message, 'error');
  }
}

export async function removeSeveral(s: Session, list: HostListKey, items: HostItem[]): Promise<void> {
  const gone = await s.ui.checkbox({
    section: LIST_TITLE[list],
    help: 'Tick the hosts to remove with space (a: all), then Enter. Esc: back, nothing removed.',
    message: 'Remove which?',
    choices: items.map((h) => ({ name: h.name, value: h.name })),
    allowNone: true,
    limit: 12,
  });
  s.set(removeHosts(s.d, list, gone));
  if (gone.length) s.ui.say(`Removed ${plural(gone.length, 'host')}.`);
}
