import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { editLine, lineState, type LineOptions, type LineState } from '../../src/wizard/line-editor.js';
import { addImported, detectFormat, importHosts } from '../../src/wizard/import-hosts.js';
import { emptyDraft, hostList, replaceHost, setHostList, setPath } from '../../src/wizard/draft.js';
import { answerValue, itemQuestions, problemInWords } from '../../src/wizard/questions.js';
import { linePrompts } from '../../src/wizard/prompts.js';
import { PassThrough, Readable } from 'node:stream';
import { topologyLines, topologyMermaid, SHOWN_PER_GROUP } from '../../src/render/topology.js';
import { folderContents, planOf, renderOutputs, validateDraft, writeOutputs } from '../../src/wizard/finish.js';
import { loadAnswersFile } from '../../src/environment/load.js';
import { buildPlan } from '../../src/plan/build.js';
import { parseNameList } from '../../src/wizard/name-list.js';

/** Feeds events one by one, as Ink hands them over, and returns the field and what was asked for. */
function feed(events: string[], start: LineState = lineState(''), opts: LineOptions = { helpKey: true }) {
  let s = start;
  const actions: string[] = [];
  for (const e of events) {
    const r = editLine(s, e, opts);
    s = r.state;
    actions.push(...r.actions);
  }
  return { text: s.text, cursor: s.cursor, actions };
}

describe('the line editor, with the bytes terminals send', () => {
  const at = (text: string, cursor: number): LineState => ({ text, cursor, pasting: false });
  it.each([
    ['Ctrl-U deletes back to the start', ['nbu-media', '\u0015'], '', 0],
    ['Ctrl-W deletes the name before the cursor', ['a.example b.example', '\u0017'], 'a.example ', 10],
    ['Ctrl-A then typing inserts at the start', ['example', '\u0001', 'nbu.'], 'nbu.example', 4],
    ['Ctrl-E goes to the end', ['ab', '\u0001', '\u0005', 'c'], 'abc', 3],
    ['Ctrl-K deletes to the end', ['abcdef', '\u0001', '\u0006\u0006', '\u000b'], 'ab', 2],
    ['two Backspaces in one read', ['abcd', '\u007f\u007f'], 'ab', 2],
    ['Home (xterm) and End (VT220)', ['bc', '\u001b[H', 'a', '\u001b[4~', 'd'], 'abcd', 4],
    ['Home and End (application mode)', ['bc', '\u001bOH', 'a', '\u001bOF', 'd'], 'abcd', 4],
    ['Left, Right and Delete', ['abc', '\u001b[D', '\u001b[D', '\u001b[3~', '\u001b[C', 'x'], 'acx', 3],
    ['Alt-B and Alt-F move by label', ['nbu-primary.corp', '\u001bb', '\u001bb', 'X'], 'nbu-Xprimary.corp', 5],
    ['Ctrl-Left (xterm) moves by label', ['abc.def', '\u001b[1;5D', '_'], 'abc._def', 5],
    ['Alt-Backspace deletes a label', ['nbu-media', '\u001b\u007f'], 'nbu-', 4],
    ['letters and Enter in one read', ['nbu-primary.corp.example\r'], 'nbu-primary.corp.example', 24],
  ])('%s', (_what, events, text, cursor) => {
    const r = feed(events);
    expect(r.text).toBe(text);
    expect(r.cursor).toBe(cursor);
  });

  it('`?` asks for the help and leaves the field as it was; what is typed after it lands in order', () => {
    const r = feed(['?', 'n', 'b', 'u', '-primary']);
    expect(r.text).toBe('nbu-primary');
    expect(r.actions).toEqual(['help']);
  });

  it('a masked field (a passphrase) takes `?` as a character', () => {
    expect(feed(['pa?ss'], lineState(''), {}).text).toBe('pa?ss');
  });

  it('Enter submits; the keys after it in the same read are not typed into the field', () => {
    const r = feed(['abc\rdef']);
    expect(r).toMatchObject({ text: 'abc', actions: ['submit'] });
  });

  it('a bracketed paste is text: its new lines do not submit and its `?` is typed', () => {
    const r = feed(['\u001b[200~', 'a?b\r\nc', '\u001b[201~']);
    expect(r).toMatchObject({ text: 'a?b c', actions: [] });
  });

  it('a paste of 1,000 names spread over many reads keeps all 1,000, in order', () => {
    const names = Array.from({ length: 1000 }, (_, i) => `c${i + 1}.corp.example`);
    const text = names.join('\n');
    const chunks = text.match(/[\s\S]{1,1024}/g)!;
    const r = feed(['\u001b[200~', ...chunks, '\u001b[201~', '\r'], lineState(''), { multiline: true, helpKey: true });
    expect(r.actions).toEqual(['submit']);
    expect(parseNameList(r.text, []).names).toEqual(names);
  });

  it('without bracketed paste, a list pasted into a list field keeps its lines; Enter at the end submits', () => {
    const r = feed(['a.example\nb.example\n'], lineState(''), { multiline: true });
    expect(r).toMatchObject({ text: 'a.example\nb.example', actions: ['submit'] });
  });

  it('editing keys never insert letters, whatever the cursor', () => {
    // Ink's own key parsing turned Ctrl-U into the letter u: `nbu-media` became `nbu-mediau`.
    for (const key of ['\u0015', '\u0017', '\u0001', '\u0005', '\u000b', '\u0002', '\u0006', '\u0004']) {
      const text = editLine(at('nbu-media', 4), key).state.text;
      expect(text.length, JSON.stringify(key)).toBeLessThanOrEqual('nbu-media'.length);
      expect('nbu-media'.startsWith(text) || 'nbu-media'.endsWith(text) || text === 'nbu-edia').toBe(true);
    }
  });
});

const fixture = (f: string) => readFileSync(join('test/fixtures/import', f), 'utf8');

describe('importing hosts from a file', () => {
  it('tells the four formats apart by their shape', () => {
    expect(detectFormat(fixture('names.txt'))).toBe('names');
    expect(detectFormat(fixture('hosts.csv'))).toBe('csv');
    expect(detectFormat(fixture('bpplclients.txt'))).toBe('bpplclients');
    expect(detectFormat(fixture('nbemmcmd.txt'))).toBe('nbemmcmd');
  });

  it('a list: one name per line, comments and blank lines skipped, a bad name refused with its line', () => {
    const r = importHosts(fixture('names.txt'), 'clients');
    expect(r.hosts.map((h) => h.item.name)).toEqual(['c1.corp.example', 'c2.corp.example']);
    expect(r.refused).toEqual([expect.objectContaining({ line: 5, text: 'bad_name!' })]);
  });

  it('a CSV: role, os, version and zone columns; an unknown role refused, the primary left out', () => {
    const r = importHosts(fixture('hosts.csv'), 'clients');
    expect(r.hosts).toEqual([
      { list: 'mediaServers', item: { name: 'm9.corp.example', version: '10.4' } },
      { list: 'clients', item: { name: 'web9.dmz.example', os: 'windows', version: '10.3', zone: 'dmz' } },
      { list: 'clients', item: { name: 'old9.corp.example', version: '8.0' } },
    ]);
    expect(r.refused).toEqual([expect.objectContaining({ line: 5, why: expect.stringMatching(/role "router"/) })]);
    expect(r.ignored).toEqual([expect.objectContaining({ line: 6, text: 'p.corp.example' })]);
  });

  it('bpplclients -allunique -noheader: the client in the last column, Windows from the hardware', () => {
    const r = importHosts(fixture('bpplclients.txt'), 'clients');
    expect(r.hosts.map((h) => h.item)).toEqual([
      { name: 'app7.corp.example' },
      { name: 'sql7.corp.example', os: 'windows' },
    ]);
  });

  it('nbemmcmd -listhosts: media servers taken, the primary and an NDMP filer left out and said', () => {
    const r = importHosts(fixture('nbemmcmd.txt'), 'clients');
    expect(r.hosts).toEqual([{ list: 'mediaServers', item: { name: 'nbu-media7.corp.example' } }]);
    expect(r.ignored.map((i) => i.line)).toEqual([3, 5]);
  });

  it('adds to the site without repeating a host already in it, and says which were left out', () => {
    const d = setHostList(setPath(emptyDraft(), 'primary', { name: 'p.example' }), 'clients', [
      { name: 'c1.corp.example' },
    ]);
    const r = addImported(d, importHosts(fixture('names.txt'), 'clients'));
    expect(hostList(r.draft, 'clients').map((h) => h.name)).toEqual(['c1.corp.example', 'c2.corp.example']);
    expect(r).toMatchObject({ added: 1, skipped: ['c1.corp.example'] });
  });
});

describe('the wizard in its own words', () => {
  it('names a host and the question where the answers file would give a path', () => {
    const d = setHostList(emptyDraft(), 'clients', [{ name: 'a.example' }, { name: 'web1.dmz.example' }]);
    expect(problemInWords('clients[1].zone: must be internal or dmz', d)).toBe(
      'Client web1.dmz.example, "Where is it?": must be internal or dmz',
    );
    expect(problemInWords('primary.name: is required', d)).toBe('"Primary server host name": is required');
  });

  it("renaming a media server renames it in the DMZ clients' tunnel lists at once", () => {
    let d = setHostList(emptyDraft(), 'mediaServers', [{ name: 'm1.example' }, { name: 'm2.example' }]);
    d = setHostList(d, 'clients', [{ name: 'w.example', zone: 'dmz', tunnelVia: ['m2.example', 'm1.example'] }]);
    d = replaceHost(d, 'mediaServers', 'm2.example', { name: 'm3.example' });
    expect(hostList(d, 'clients')[0]!.tunnelVia).toEqual(['m3.example', 'm1.example']);
  });
});

describe('a DMZ client’s tunnel media servers, chosen in the order to try them', () => {
  const media = ['m1.example', 'm2.example', 'm3.example'];
  const choices = media.map((m) => ({ name: m, value: m }));
  /** The line prompts (TERM=dumb) reading what a person typed, and what they printed. */
  const typed = (text: string) => {
    const out = new PassThrough();
    let shown = '';
    out.on('data', (b: Buffer) => (shown += b.toString()));
    const io = { stdin: Readable.from([text]), stdout: out, stderr: out, env: {}, cwd: '.' };
    return { prompts: linePrompts(io), shown: () => shown };
  };

  it('numbers typed in an order give the media servers in that order; Enter alone is none (any of them)', async () => {
    const { prompts, shown } = typed('9\n3 1\n');
    const got = await prompts.checkbox({ message: 'Tunnel?', choices, ordered: true, allowNone: true });
    expect(got).toEqual(['m3.example', 'm1.example']);
    expect(shown()).toContain('Type numbers from 1 to 3.');
    const none = typed('\n').prompts;
    expect(await none.checkbox({ message: 'Tunnel?', choices, ordered: true, allowNone: true })).toEqual([]);
  });

  it('the answer is the draft’s tunnelVia in that order, and only media servers with the tunnel on count', () => {
    const q = itemQuestions('clients').find((x) => x.id === 'tunnelVia')!;
    expect(q.kind).toBe('multi');
    let d = setHostList(emptyDraft(), 'mediaServers', [{ name: 'm1.example' }, { name: 'm2.example', tunnel: false }]);
    d = { ...d, __item: { name: 'w.example', zone: 'dmz' } } as typeof d;
    expect(q.choices!(d).map((c) => c.value)).toEqual(['m1.example']);
    expect(q.validate!('m2.example', d)).toMatch(/m2\.example is not a media server with the tunnel on/);
    expect(answerValue(q, 'm1.example')).toEqual(['m1.example']);
    expect(answerValue(q, '')).toBeUndefined();
  });
});

describe('the picture of the site', () => {
  const plan = buildPlan(loadAnswersFile('examples/dmz.yaml').environment);

  it('a tree: DMZ clients under the media server they tunnel through first, legacy hosts marked', () => {
    const lines = topologyLines(plan);
    const media2 = lines.findIndex((l) => l.includes('nbu-media2.corp.example'));
    expect(lines[0]).toBe(`${plan.primary} (primary)`);
    expect(lines[media2 + 1]).toMatch(/^│ {3}└── web2\.dmz\.example/);
    expect(topologyLines(plan, true).join(' ')).not.toMatch(/[^\x20-\x7e]/);
  });

  it('a large site stays readable: each group shows a few hosts and counts the rest', () => {
    const names = Array.from({ length: 1000 }, (_, i) => ({ name: `c${i}.corp.example` }));
    const d = setHostList(setPath(emptyDraft(), 'primary', { name: 'p.corp.example' }), 'clients', names);
    const checked = validateDraft(d);
    if (!('environment' in checked)) throw new Error(checked.problems.join('\n'));
    const big = planOf(checked.environment);
    const lines = topologyLines(big);
    expect(lines.length).toBeLessThan(24);
    expect(lines.at(-1)).toContain(`… and ${1000 - SHOWN_PER_GROUP} more internal clients`);
    expect(topologyMermaid(big).split('\n').length).toBeLessThan(40);
  });

  it('a Mermaid flowchart: generated node ids, every label quoted, every edge between declared nodes', () => {
    const m = topologyMermaid(plan).split('\n');
    expect(m[0]).toBe('flowchart TD');
    const declared = new Set<string>();
    for (const line of m.slice(1)) {
      const node = /^ {2}(n\d+)\["[^"]*"\]$/.exec(line);
      const edge = /^ {2}(n\d+) (---|-\. tunnel \.->) (n\d+)$/.exec(line);
      expect(node ?? edge, line).toBeTruthy();
      if (node) declared.add(node[1]!);
      if (edge) expect(declared.has(edge[1]!) && declared.has(edge[3]!), line).toBe(true);
    }
    for (const h of plan.hosts) expect(m.join('\n')).toContain(h.name);
  });
});

describe('the runbook’s Mermaid diagram, read by mermaid itself', () => {
  /** mermaid.parse, as GitHub and GitLab call it before drawing; Node has no DOM, which only drawing needs. */
  const mermaidParse = async () => {
    const { default: purify } = await import('dompurify');
    Object.assign(purify, { addHook() {}, removeHook() {}, removeHooks() {}, sanitize: (s: unknown) => String(s) });
    const { default: mermaid } = await import('mermaid');
    return (text: string) => mermaid.parse(text);
  };
  const block = (runbook: string) => /^```mermaid\n([\s\S]*?)\n```$/m.exec(runbook)?.[1];

  it.each(readdirSync('examples').filter((f) => f.endsWith('.yaml')))(
    '%s: the block parses as a flowchart',
    async (f) => {
      const parse = await mermaidParse();
      const runbook = readFileSync(join('test/golden', f.replace(/\.yaml$/, ''), 'runbook.md'), 'utf8');
      const text = block(runbook);
      expect(text, 'the runbook has a mermaid block').toBeDefined();
      await expect(parse(text!)).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
    },
  );

  it('a large site with every kind of host parses too, and a broken diagram does not', async () => {
    const parse = await mermaidParse();
    const plan = buildPlan(loadAnswersFile('examples/dmz.yaml').environment);
    const many = {
      ...plan,
      hosts: [
        ...plan.hosts,
        ...Array.from({ length: 40 }, (_, i) => ({
          ...plan.hosts.find((h) => h.role === 'client')!,
          name: `c${i}.corp.example`,
        })),
      ],
    };
    await expect(parse(topologyMermaid(many))).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
    await expect(parse(topologyMermaid(plan).replace('"]', ''))).rejects.toThrow(/Parse error/);
  });
});

describe('writing into a folder that already holds outputs', () => {
  it('finds the files it replaces and the nbsecure files it no longer writes, never a person’s own', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nbsecure-out-'));
    const plan = buildPlan(loadAnswersFile('examples/dmz.yaml').environment);
    const outputs = renderOutputs(plan, ['markdown', 'sh']);
    writeOutputs(outputs, dir);
    writeFileSync(join(dir, 'gone.corp.example.sh'), '#!/bin/bash\n# nbsecure: a host since removed\n');
    writeFileSync(join(dir, 'my-notes.sh'), '#!/bin/bash\necho mine\n');
    mkdirSync(join(dir, 'sub'));
    const found = folderContents(outputs, dir);
    expect(found.replaced).toContain('runbook.md');
    expect(found.stale).toEqual(['gone.corp.example.sh']);
    writeOutputs(outputs, dir, found.stale);
    expect(existsSync(join(dir, 'gone.corp.example.sh'))).toBe(false);
    expect(existsSync(join(dir, 'my-notes.sh'))).toBe(true);
  });
});
