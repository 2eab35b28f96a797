import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const SIM = resolve(import.meta.dirname, 'sim.mjs');
const SERVER = resolve(import.meta.dirname, 'sim-server.mjs');
const BIN = ['nbsetconfig', 'nbgetconfig', 'nbcertcmd', 'bpnbat', 'bp.kill_all', 'bp.start_all'];
const ADMINCMD = ['nbseccmd', 'bpsetconfig', 'bpgetconfig', 'nbemmcmd'];

export interface SimHost {
  name: string;
  root: string;
  zone?: 'internal' | 'dmz';
  nat?: boolean;
  knownToPrimary?: boolean;
}

/**
 * A domain: the CA, tokens and global settings shared by its simulated hosts. With `serverPort` (of
 * startSimServer), its hosts' commands are answered by that server instead of starting Node each.
 */
export function makeDomain(fingerprint: string, options: { serverPort?: number } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'nbsim-domain-'));
  writeFileSync(join(dir, 'ca.json'), JSON.stringify({ fingerprint }));
  if (options.serverPort) writeFileSync(join(dir, 'server-port'), String(options.serverPort));
  return dir;
}

/** The simulator server (sim-server.mjs) in a process of its own, and how to stop it. */
export async function startSimServer(): Promise<{ port: number; stop: () => void }> {
  const child = spawn(process.execPath, [SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(Number(line)));
    child.once('exit', (code) => reject(new Error(`the simulator server exited (${code}) before it listened`)));
  });
  return { port, stop: () => child.kill() };
}

/** A simulated command: Node running sim.mjs, or a bash client of the simulator server (sim-server.mjs). */
function executable(file: string, name: string, serverPort: string | undefined): string {
  if (!serverPort)
    // CommonJS syntax with a dynamic import: names like bp.kill_all have no extension Node accepts for ESM.
    return (
      `#!/usr/bin/env node\nimport(${JSON.stringify(SIM)})` +
      `.then((m) => m.run(process.argv[1], ${JSON.stringify(name)}));\n`
    );
  const quoted = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
  // Bash builtins only (no process but bash itself): the request and the answer as sim-server.mjs reads them.
  return [
    '#!/bin/bash',
    `exec 3<>/dev/tcp/127.0.0.1/${serverPort} || exit 70`,
    'stdin=',
    "[[ -t 0 ]] || IFS= read -r -d '' stdin",
    `{ printf '%s\\0' "$$" ${quoted(file)} ${quoted(name)} "$#" "$@"`,
    `  for v in $(compgen -e); do printf '%s=%s\\0' "$v" "\${!v}"; done`,
    `  printf '\\0%s\\0' "$stdin"; } >&3`,
    "IFS= read -r -d '' status <&3 || exit 70",
    "IFS= read -r -d '' out <&3",
    "IFS= read -r -d '' err <&3",
    `printf '%s' "$out"`,
    `printf '%s' "$err" >&2`,
    'exit "$status"',
    '',
  ].join('\n');
}

/** Lays out one host's install root with the simulated commands at their real paths. */
export function makeHost(domain: string, host: Omit<SimHost, 'root'>, bpconf = '', at?: string): SimHost {
  const root = at ?? mkdtempSync(join(tmpdir(), `nbsim-${host.name.split('.')[0]}-`));
  const bin = join(root, 'netbackup', 'bin');
  mkdirSync(join(bin, 'admincmd'), { recursive: true });
  mkdirSync(join(root, 'sim'), { recursive: true });
  const portFile = join(domain, 'server-port');
  const serverPort = existsSync(portFile) ? readFileSync(portFile, 'utf8') : undefined;
  for (const [dir, names] of [
    [bin, BIN],
    [join(bin, 'admincmd'), ADMINCMD],
  ] as const) {
    for (const name of names) {
      const file = join(dir, name);
      writeFileSync(file, executable(file, name, serverPort));
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
    /** Print this many MiB first (then act). */
    flood?: number;
    /** Leave a child holding the output open (its pid in sim/orphan), then act and exit. */
    orphan?: boolean;
    /** Answer with this text (a real command's output), failing with `exit` if given. */
    output?: string;
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

/**
 * The pid a simulated command wrote when it hung (`hanging`) or left a child holding its output (`orphan`):
 * waited for, bounded; a file that never comes fails with `context` (the run's output, say).
 */
export async function simPid(
  host: SimHost,
  name: 'hanging' | 'orphan',
  o: { timeoutMs?: number; context?: () => string } = {},
): Promise<number> {
  const file = join(host.root, 'sim', name);
  const until = Date.now() + (o.timeoutMs ?? 10_000);
  while (!existsSync(file) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(file)) throw new Error(`no simulated command wrote sim/${name}\n${o.context?.() ?? ''}`);
  return Number(readFileSync(file, 'utf8'));
}
