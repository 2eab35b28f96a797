import { VERSION_RE } from '../environment/patterns.js';
import { hostList, setHostList, type Draft, type HostItem, type HostListKey } from './draft.js';
import { allNames, hostNameProblem } from './questions.js';

/**
 * Hosts read from a file a large site already has: a list of names, a CSV export, or what the primary
 * itself lists. Each parser says how sure its reading of the format is: `documented` where the format is
 * nbsecure's own (a list, a CSV with named columns), `unconfirmed` where it follows the output of a
 * NetBackup command whose layout the vendor does not document (the wizard then asks to check the list).
 */
export type ImportFormat = 'names' | 'csv' | 'bpplclients' | 'nbemmcmd';

export const IMPORT_FORMATS: Record<ImportFormat, { words: string; confidence: 'documented' | 'unconfirmed' }> = {
  names: { words: 'one name per line', confidence: 'documented' },
  csv: { words: 'CSV with a name column (and role, os, version, zone)', confidence: 'documented' },
  bpplclients: { words: 'the output of bpplclients -allunique -noheader', confidence: 'unconfirmed' },
  nbemmcmd: { words: 'the output of nbemmcmd -listhosts', confidence: 'unconfirmed' },
};

export interface ImportedHosts {
  format: ImportFormat;
  hosts: { list: HostListKey; item: HostItem }[];
  /** Each with its line number in the file and why it was not taken. */
  refused: { line: number; text: string; why: string }[];
  /** Entries that are not hosts nbsecure configures (the primary itself, NDMP filers, clusters…). */
  ignored: { line: number; text: string; why: string }[];
}

/** Recognises the format by its shape: the command outputs by their headers, a CSV by its `name` column. */
export function detectFormat(text: string): ImportFormat {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() && !l.trim().startsWith('#'));
  if (lines.some((l) => /^\s*NBEMMCMD,|^\s*The following hosts were found/i.test(l))) return 'nbemmcmd';
  if (lines[0] && /,/.test(lines[0]) && splitCsv(lines[0]).some((c) => c.trim().toLowerCase() === 'name')) return 'csv';
  // bpplclients prints hardware, operating system and client name on each line.
  if (lines.length && lines.every((l) => l.trim().split(/\s+/).length === 3)) return 'bpplclients';
  return 'names';
}

/** One CSV line: commas, and double quotes around a field that holds one (RFC 4180, one line per record). */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out.map((f) => f.trim());
}

const ROLES: Record<string, HostListKey | 'primary'> = {
  client: 'clients',
  media: 'mediaServers',
  'media server': 'mediaServers',
  mediaserver: 'mediaServers',
  primary: 'primary',
  master: 'primary',
};

/** Reads hosts from `text` (the contents of `file`), each name checked as the wizard checks a typed one. */
export function importHosts(text: string, defaultList: HostListKey, format = detectFormat(text)): ImportedHosts {
  const out: ImportedHosts = { format, hosts: [], refused: [], ignored: [] };
  const lines = text.split(/\r?\n/);
  const take = (line: number, name: string, list: HostListKey, extra: Partial<HostItem> = {}) => {
    const problem = hostNameProblem(name);
    if (problem) out.refused.push({ line, text: name, why: problem });
    else out.hosts.push({ list, item: { ...extra, name } });
  };
  let header: string[] | undefined;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const text = raw.trim();
    if (!text || text.startsWith('#')) return;
    if (format === 'names') return take(line, text, defaultList);
    if (format === 'bpplclients') {
      const [hardware = '', , name = ''] = text.split(/\s+/);
      return take(line, name, 'clients', /^windows/i.test(hardware) ? { os: 'windows' } : {});
    }
    if (format === 'nbemmcmd') {
      if (/^NBEMMCMD,|^The following hosts were found|^Command completed/i.test(text)) return;
      const [type = '', name = ''] = text.split(/\s+/);
      const kind = type.toLowerCase();
      if (kind === 'media') return take(line, name, 'mediaServers');
      const why =
        kind === 'server' || kind === 'master' || kind === 'primary'
          ? 'the primary server is asked for on its own'
          : `a ${type} entry is not a host nbsecure configures`;
      return void out.ignored.push({ line, text, why });
    }
    const cells = splitCsv(raw);
    if (!header) return void (header = cells.map((c) => c.toLowerCase()));
    const cell = (col: string) => cells[header!.indexOf(col)]?.trim() ?? '';
    const role = cell('role').toLowerCase();
    const list = role ? ROLES[role] : defaultList;
    if (!list) return void out.refused.push({ line, text: cell('name'), why: `role "${role}" is not client or media` });
    if (list === 'primary')
      return void out.ignored.push({ line, text: cell('name'), why: 'the primary server is asked for on its own' });
    const os = cell('os').toLowerCase();
    const zone = cell('zone').toLowerCase();
    const version = cell('version');
    if (os && os !== 'linux' && os !== 'windows')
      return void out.refused.push({ line, text: cell('name'), why: `os "${os}" is not linux or windows` });
    if (zone && zone !== 'internal' && zone !== 'dmz')
      return void out.refused.push({ line, text: cell('name'), why: `zone "${zone}" is not internal or dmz` });
    if (version && !VERSION_RE.test(version))
      return void out.refused.push({
        line,
        text: cell('name'),
        why: `version "${version}" is not N.N, N.N.N or N.N.N.N`,
      });
    if (zone === 'dmz' && list !== 'clients')
      return void out.refused.push({ line, text: cell('name'), why: 'only clients can be in the DMZ' });
    take(line, cell('name'), list, {
      ...(os === 'windows' ? { os } : {}),
      ...(version ? { version } : {}),
      ...(zone === 'dmz' ? { zone } : {}),
    });
  });
  return out;
}

/** The imported hosts added to the site; a name already in it (or twice in the file) is left out, and said. */
export function addImported(d: Draft, imported: ImportedHosts): { draft: Draft; added: number; skipped: string[] } {
  const seen = new Set(allNames(d).map((n) => n.toLowerCase()));
  const lists: Record<HostListKey, HostItem[]> = {
    mediaServers: hostList(d, 'mediaServers'),
    clients: hostList(d, 'clients'),
  };
  const skipped: string[] = [];
  let added = 0;
  for (const { list, item } of imported.hosts) {
    if (seen.has(item.name.toLowerCase())) skipped.push(item.name);
    else {
      seen.add(item.name.toLowerCase());
      lists[list].push(item);
      added++;
    }
  }
  return {
    draft: setHostList(setHostList(d, 'mediaServers', lists.mediaServers), 'clients', lists.clients),
    added,
    skipped,
  };
}

/** What an import did, in a person's words: how many, from what, and every name refused or left out. */
export function importSummary(file: string, imported: ImportedHosts, added: number, skipped: string[]): string {
  const f = IMPORT_FORMATS[imported.format];
  return [
    `Added ${added} host${added === 1 ? '' : 's'} from ${file} (read as ${f.words}).`,
    f.confidence === 'unconfirmed' ? 'That layout is not documented by the vendor: check the list.' : '',
    ...imported.refused.map((r) => `Line ${r.line}: ${r.text || '(no name)'} refused: ${r.why}`),
    ...imported.ignored.map((r) => `Line ${r.line}: ${r.text} left out: ${r.why}.`),
    skipped.length ? `Already in the site, left out: ${skipped.join(', ')}.` : '',
  ]
    .filter(Boolean)
    .join('\n');
}
