import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SIM = resolve(import.meta.dirname, 'sim.mjs');
const BIN = ['nbsetconfig', 'nbgetconfig', 'nbcertcmd', 'bpnbat', 'bp.kill_all', 'bp.start_all'];
const ADMINCMD = ['nbseccmd', 'bpsetconfig', 'bpgetconfig', 'nbemmcmd'];

export interface SimHost {
  name: string;
  root: string;
  zone?: 'internal' | 'dmz';
  nat?: boolean;
  knownToPrimary?: boolean;
}

/** A domain: the CA, tokens and global settings shared by its simulated hosts. */
export function makeDomain(fingerprint: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nbsim-domain-'));
  writeFileSync(join(dir, 'ca.json'), JSON.stringify({ fingerprint }));
  return dir;
}

/** Lays out one host's install root with the simulated commands at their real paths. */
export function makeHost(domain: string, host: Omit<SimHost, 'root'>, bpconf = '', at?: string): SimHost {
  const root = at ?? mkdtempSync(join(tmpdir(), `nbsim-${host.name.split('.')[0]}-`));
  const bin = join(root, 'netbackup', 'bin');
  mkdirSync(join(bin, 'admincmd'), { recursive: true });
  mkdirSync(join(root, 'sim'), { recursive: true });
  for (const [dir, names] of [
    [bin, BIN],
    [join(bin, 'admincmd'), ADMINCMD],
  ] as const) {
    for (const name of names) {
      const file = join(dir, name);
      // CommonJS syntax with a dynamic import: names like bp.kill_all have no extension Node accepts for ESM.
      writeFileSync(
        file,
        `#!/usr/bin/env node\nimport(${JSON.stringify(SIM)}` +
          `).then((m) => m.run(process.argv[1], ${JSON.stringify(name)}` +
          `));\n`,
      );
      chmodSync(file, 0o755);
    }
  }
  writeFileSync(join(root, 'sim', 'domain'), domain);
  writeFileSync(join(root, 'sim', 'host.json'), JSON.stringify({ knownToPrimary: true, zone: 'internal', ...host }));
  writeFileSync(join(root, 'netbackup', 'bp.conf'), bpconf);
  return { ...host, root };
}

export function argvLog(host: SimHost): { cmd: string; args: string[]; secretEnv: string[]; apiKeyEnv?: boolean }[] {
  if (!existsSync(join(host.root, 'sim', 'argv.jsonl'))) return [];
  return readFileSync(join(host.root, 'sim', 'argv.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

export function bpconf(host: SimHost): string {
  return readFileSync(join(host.root, 'netbackup', 'bp.conf'), 'utf8');
}

export function readState<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export function setFaults(
  host: SimHost,
  faults: {
    match: string;
    exact?: boolean;
    nth?: number;
    exit?: number;
    hang?: boolean;
    hangAfter?: boolean;
    times?: number;
    message?: string;
  }[],
): void {
  writeFileSync(join(host.root, 'sim', 'faults.json'), JSON.stringify(faults));
}

/** Every token the simulated primary made, deleted or not. */
export function createdTokens(domain: string): string[] {
  const file = join(domain, 'created-tokens.log');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** The simulated commands that change a host or the domain (every other one only reads). */
const CHANGING = new RegExp(
  '^(nbsetconfig|bpsetconfig|bp\\.kill_all|bp\\.start_all)$|^nbseccmd -setsecurityconfig|' +
    '^nbcertcmd (-getCACertificate|-getCertificate|-createToken|-deleteToken|-revokeCertificate|' +
    '-enrollCertificate(?! -preCheck))',
);

/** The changing commands a host ran, in order; a step file's path (new every run) reads as <file>. */
export function changingCalls(host: SimHost): string[] {
  return argvLog(host)
    .map((l) => [l.cmd, ...l.args.map((a) => (a.startsWith('/') ? '<file>' : a))].join(' '))
    .filter((l) => CHANGING.test(l));
}
