import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDomain, makeHost, type SimHost } from '../netbackup-sim/layout.js';
import { FP } from './env.js';

export interface Site {
  dir: string;
  answers: string;
  stateDir: string;
  domain: string;
  hosts: Record<string, SimHost>;
  tokenFile(token: string, mode?: number): string;
  journal(host: string): { step: string; event: string; changed?: boolean; reason?: string }[];
}

type HostSpec = {
  name: string;
  zone?: 'dmz';
  nat?: boolean;
  knownToPrimary?: boolean;
  tunnelVia?: string[];
  version?: string;
};

/**
 * A simulated NetBackup domain: one install root per host (answers' installPath), a shared CA,
 * token list and global settings, and an answers file describing it.
 */
export function makeSite(
  spec: {
    media?: HostSpec[];
    clients?: HostSpec[];
    bpconf?: Record<string, string>;
    certificates?: object;
    security?: object;
    /** The CA's fingerprint (a REST simulator's CA): the domain's and the answers'. */
    fingerprint?: string;
    /** The simulator server (startSimServer) that answers the hosts' commands, instead of a process each. */
    serverPort?: number;
  } = {},
): Site {
  const dir = mkdtempSync(join(tmpdir(), 'nbsecure-site-'));
  const fp = spec.fingerprint ?? FP;
  const domain = makeDomain(fp, { serverPort: spec.serverPort });
  const media = spec.media ?? [{ name: 'm1.corp.example' }];
  const clients = spec.clients ?? [{ name: 'c1.corp.example' }];
  const all: HostSpec[] = [{ name: 'p.corp.example' }, ...media, ...clients];
  const hosts = Object.fromEntries(
    all.map((h) => [
      h.name,
      makeHost(
        domain,
        { name: h.name, zone: h.zone ?? 'internal', nat: h.nat ?? false, knownToPrimary: h.knownToPrimary ?? true },
        spec.bpconf?.[h.name] ?? '',
      ),
    ]),
  );
  const strip = ({ knownToPrimary: _k, ...h }: HostSpec) => ({ ...h, installPath: hosts[h.name]!.root });
  const answers = join(dir, 'answers.json');
  writeFileSync(
    answers,
    JSON.stringify(
      {
        version: 1,
        primary: { name: 'p.corp.example', version: '10.4', installPath: hosts['p.corp.example']!.root },
        mediaServers: media.map(strip),
        clients: clients.map(strip),
        certificates: { caFingerprint: fp, ...(spec.certificates ?? {}) },
        ...(spec.security ? { security: spec.security } : {}),
      },
      null,
      2,
    ),
  );
  const stateDir = join(dir, 'state');
  return {
    dir,
    answers,
    stateDir,
    domain,
    hosts,
    tokenFile(token, mode = 0o600) {
      const f = join(dir, `token-${Math.random().toString(36).slice(2)}`);
      writeFileSync(f, `${token}\n`, { mode });
      chmodSync(f, mode);
      return f;
    },
    journal(host) {
      return readFileSync(join(stateDir, host, 'journal.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
    },
  };
}

/** Creates a token in the simulated domain as the primary would, and returns it. */
export function createToken(site: Site, name = 'sim-token', maxUses = 10): string {
  const value = 'ABCDEFGHIJKLMNOP';
  const file = join(site.domain, 'tokens.json');
  let tokens: object[] = [];
  try {
    tokens = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    /* none yet */
  }
  tokens.push({ name, value, maxUses, uses: 0 });
  writeFileSync(file, JSON.stringify(tokens));
  return value;
}

/**
 * `nbsecure apply` for one host of the site with consent given, from the answers (or `plan`, a saved
 * plan.json): the machine is that host (--this-host), and the journal is the site's.
 */
export function applyArgs(site: Site, host: string, extra: string[] = [], plan?: string): string[] {
  const source = plan ? ['--plan', plan] : ['--answers', site.answers];
  return ['apply', ...source, '--host', host, '--this-host', host, '--state-dir', site.stateDir, '--yes', ...extra];
}
