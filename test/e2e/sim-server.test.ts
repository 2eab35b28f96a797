import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { argvLog, bpconf, makeDomain, makeHost, setFaults, startSimServer } from '../netbackup-sim/layout.js';
import { cli } from '../helpers/cli.js';
import { FP } from '../helpers/env.js';
import { applyArgs, makeSite } from '../helpers/site.js';

/**
 * The benchmarks' simulator server (a bash client per command instead of a Node process) must answer as the
 * simulated processes do, or the benchmarks would measure a different NetBackup.
 */
let server: Awaited<ReturnType<typeof startSimServer>>;
beforeAll(async () => {
  server = await startSimServer();
});
afterAll(() => server?.stop());

const modes = [
  { mode: 'a process per command', port: () => undefined },
  { mode: 'the simulator server', port: () => server.port },
];

/** Calls that read stdin, print, fail with NetBackup's statuses, see the environment and meet a fault. */
const CALLS: { cmd: string; args: string[]; input?: string; env?: Record<string, string> }[] = [
  { cmd: 'nbsetconfig', args: [], input: "CLIENT_NAME = c1.corp.example\nSERVER = p.corp.example 'x' \\\n" },
  { cmd: 'nbgetconfig', args: ['SERVER'] },
  { cmd: 'nbcertcmd', args: ['-listCertDetails'] },
  { cmd: 'admincmd/nbseccmd', args: ['-getsecurityconfig', '-insecurecommunication'] },
  { cmd: 'nbcertcmd', args: ['-getCACertificate', '-server', 'p.corp.example'], input: 'y\n' },
  { cmd: 'nbcertcmd', args: ['-getCertificate', '-server', 'p.corp.example'], env: { NBSECURE_TOKEN: 'leak' } },
  { cmd: 'nbcertcmd', args: ['-hostSelfCheck'], env: { NETBACKUP_APIKEY: 'key' } },
  { cmd: 'bp.kill_all', args: [], input: 'y\n' },
];

function callsIn(port: number | undefined) {
  const domain = makeDomain(FP, { serverPort: port });
  const host = makeHost(domain, { name: 'c1.corp.example' });
  setFaults(host, [{ match: 'bp.kill_all', exit: 77, message: 'simulated: services busy' }]);
  const results = CALLS.map((c) => {
    const r = spawnSync(join(host.root, 'netbackup', 'bin', c.cmd), c.args, {
      input: c.input ?? '',
      encoding: 'utf8',
      env: { ...process.env, ...c.env },
    });
    return { call: `${c.cmd} ${c.args.join(' ')}`, status: r.status, stdout: r.stdout, stderr: r.stderr };
  });
  const certs = JSON.parse(readFileSync(join(host.root, 'sim', 'certs.json'), 'utf8'));
  return { results, bpconf: bpconf(host), argv: argvLog(host), certs: Object.keys(certs), issuedTo: certs.host?.name };
}

describe('the simulator server', () => {
  it('answers every call with the exit status, output, files and record of the simulated processes', () => {
    const [processes, served] = modes.map((m) => callsIn(m.port()));
    expect(served).toEqual(processes);
    // What the comparison covers: a failure's truncated status, stdin read, and the environment's names seen.
    expect(processes!.results.map((r) => r.status)).toEqual([0, 0, 1, 5930 & 0xff, 0, 0, 0, 77]);
    expect(processes!.results[1]!.stdout).toBe("SERVER = p.corp.example 'x' \\\n");
    expect(processes!.argv[5]!.secretEnv).toEqual(['NBSECURE_TOKEN']);
    expect(processes!.argv[6]!.apiKeyEnv).toBe(true);
  });

  it.each(modes)('a hanging command leaves the pid to kill, with $mode', async ({ port }) => {
    const host = makeHost(makeDomain(FP, { serverPort: port() }), { name: 'c1.corp.example' });
    setFaults(host, [{ match: 'nbgetconfig', hang: true }]);
    const child = spawn(join(host.root, 'netbackup', 'bin', 'nbgetconfig'), [], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const hanging = join(host.root, 'sim', 'hanging');
    await vi.waitFor(() => expect(existsSync(hanging)).toBe(true), { timeout: 10_000, interval: 20 });
    expect(Number(readFileSync(hanging, 'utf8'))).toBe(child.pid);
    process.kill(child.pid!, 'SIGTERM');
    expect(await exited).toBe('SIGTERM');
  });

  it('runs nbsecure apply on a whole site as the processes do', async () => {
    const outcomes = [];
    for (const m of modes) {
      const site = makeSite({ serverPort: m.port() });
      const hosts = [];
      for (const [name, host] of Object.entries(site.hosts)) {
        const r = await cli(applyArgs(site, name), { cwd: site.dir });
        // Temporary files (the CA fingerprint's) are named afresh in every run.
        const calls = argvLog(host).map((c) => [c.cmd, ...c.args].join(' ').replaceAll(/\/tmp\/\S+/g, '<tmp>'));
        hosts.push({ name, code: r.code, bpconf: bpconf(host), calls });
      }
      outcomes.push(hosts);
    }
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(outcomes[0]!.flatMap((h) => h.calls)).toContain('nbcertcmd -getCertificate -server p.corp.example');
  });
});
