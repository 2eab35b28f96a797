import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { childEnvironment } from '../execute/token.js';
import { loadAnswersFile } from '../environment/load.js';
import { tunnelCandidates } from '../plan/bpconf.js';
import { parseConfigLines } from '../execute/config-diff.js';
import { HOSTNAME_RE } from '../environment/schema.js';
import { isIP } from 'node:net';

export interface Targets {
  host: string;
  primary: string;
  /** Media servers named for tunnelling, tried first, in order. */
  named: string[];
  /** The other media servers the client's configuration lists. */
  others: string[];
  /** Where the targets came from, said in the human output. */
  source: string;
}

function checkName(name: string, flag: string): string {
  if (!HOSTNAME_RE.test(name) && !isIP(name))
    throw new UsageError(`${flag} ${name} is not a host name or an IP address.`);
  return name;
}

export function targetsFromAnswers(file: string, hostName: string): Targets {
  const { environment: env } = loadAnswersFile(file);
  const client = [...env.clients, ...env.media].find((h) => h.name.toLowerCase() === hostName.toLowerCase());
  if (!client) throw new UsageError(`--host ${hostName} is not a client or media server in ${file}.`);
  const candidates =
    client.zone === 'dmz'
      ? tunnelCandidates(client, env)
      : env.media.filter((m) => m.tunnel && m.name !== client.name).map((m) => m.name);
  const named = client.tunnelVia.filter((n) => candidates.includes(n));
  return {
    host: client.name,
    primary: env.primary.name,
    named,
    others: candidates.filter((c) => !named.includes(c)),
    source: file,
  };
}

export function targetsFromFlags(primary: string, tunnel: string | undefined): Targets {
  const named = (tunnel ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((n) => checkName(n, '--tunnel'));
  return { host: hostname(), primary: checkName(primary, '--primary'), named, others: [], source: 'the command line' };
}

/**
 * This host's own configuration: SERVER (the first is the primary) and MEDIA_SERVER from nbgetconfig
 * (or bp.conf if nbgetconfig cannot run), with tunnels remembered in websvctunnels.cache first.
 */
export function targetsFromLocalConfig(installPath: string, timeoutMs: number): Targets {
  const bin = join(installPath, 'netbackup', 'bin', 'nbgetconfig');
  const bpconf = join(installPath, 'netbackup', 'bp.conf');
  let text: string | undefined;
  let source = bin;
  try {
    text = execFileSync(bin, ['SERVER', 'MEDIA_SERVER', 'CLIENT_NAME'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: timeoutMs,
      env: childEnvironment(),
    });
  } catch {
    if (existsSync(bpconf)) {
      text = readFileSync(bpconf, 'utf8');
      source = bpconf;
    }
  }
  if (text === undefined) {
    throw new UsageError(
      `doctor found no NetBackup configuration under ${installPath}` +
        ` (neither ${bin} nor ${bpconf}); name the paths with --primary NAME --tunnel ` +
        `MEDIA[,MEDIA], or --answers FILE --host ` +
        `NAME.`,
    );
  }
  const lines = parseConfigLines(text);
  const primary = lines.find(([k]) => k === 'SERVER')?.[1];
  if (!primary) throw new UsageError(`${source} lists no SERVER, so the primary is unknown; pass --primary NAME.`);
  const media = lines.filter(([k]) => k === 'MEDIA_SERVER').map(([, v]) => v);
  // The cache format is not documented: read it as names, one per line or separated by spaces.
  const cacheFile = join(dirname(bpconf), 'websvctunnels.cache');
  const cached = existsSync(cacheFile)
    ? readFileSync(cacheFile, 'utf8')
        .split(/[\s,;]+/)
        .filter((w) => HOSTNAME_RE.test(w) && media.includes(w))
    : [];
  return {
    host: lines.find(([k]) => k === 'CLIENT_NAME')?.[1] ?? hostname(),
    primary,
    named: [],
    others: [...new Set([...cached, ...media])],
    source: `${source}${cached.length ? ` and ${cacheFile}` : ''}`,
  };
}
