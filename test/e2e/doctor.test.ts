import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDomain, makeHost, setFaults } from '../netbackup-sim/layout.js';
import { FP } from '../helpers/env.js';
import { cli } from '../helpers/cli.js';
import { blackHole, miniProxy, nodeProxy, selfSigned, tinyproxy, tlsListener } from '../helpers/network.js';
import { withTools } from '../helpers/tools.js';

const creds = await selfSigned();
const withTinyproxy = withTools('tinyproxy');
let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});
const start = async (p: Promise<() => Promise<void>>) => cleanups.push(await p);

async function doctor(args: string[]) {
  const r = await cli(['doctor', ...args, '--json']);
  return { ...r, report: r.stdout ? JSON.parse(r.stdout) : undefined };
}

describe('nbsecure doctor (loopback only)', () => {
  it('reports the direct path when the primary answers TLS on 1556', async () => {
    await start(tlsListener('127.0.10.2', creds));
    const r = await doctor(['--primary', '127.0.10.2', '--timeout', '2']);
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({ primary: '127.0.10.2', port: 1556, paths: [{ via: 'direct', ok: true }] });
    expect(r.report.verdict).toContain('directly on port 1556: no tunnel is needed');
  });

  it(
    'falls back to the named tunnel when the client cannot resolve the primary, and says ' + 'what to configure',
    async () => {
      await start(tlsListener('127.0.11.2', creds));
      // The media server resolves the primary's name; the client (this process) cannot: .invalid never resolves.
      await start(miniProxy('127.0.11.3', { names: { 'nbu-primary.invalid': '127.0.11.2' } }));
      const r = await doctor(['--primary', 'nbu-primary.invalid', '--tunnel', '127.0.11.3', '--timeout', '3']);
      expect(r.code).toBe(0);
      expect(r.report.paths[0]).toMatchObject({ via: 'direct', ok: false, stage: 'dns' });
      expect(r.report.paths[1]).toMatchObject({ via: '127.0.11.3', ok: true });
      expect(r.report.verdict).toContain(
        'cannot reach nbu-primary.invalid directly: name resolution failed (ENOTFOUND). It ' +
          'reaches it through the HTTP tunnel on 127.0.11.3: list MEDIA_SERVER = 127.0.11.3',
      );
      expect(r.report.verdict).toContain('5954 or 5955');
    },
  );

  // Two independent real proxies play the media server's tunnel: one written in Node (always here)
  // and Debian's tinyproxy (where installed).
  it('goes through a real HTTP CONNECT proxy (Node) next to the direct path', async () => {
    await start(tlsListener('127.0.12.2', creds));
    await start(nodeProxy('127.0.12.3'));
    const r = await doctor(['--primary', '127.0.12.2', '--tunnel', '127.0.12.3', '--timeout', '3']);
    expect(r.report.paths.map((p: { ok: boolean }) => p.ok)).toEqual([true, true]);
    expect(r.report.verdict).toContain('The tunnel through 127.0.12.3 works too');
  });

  it('reports a refusing named tunnel (a real proxy answers 407) and finds another one that works', async () => {
    await start(tlsListener('127.0.19.2', creds));
    await start(nodeProxy('127.0.19.3', { refuse: true }));
    await start(nodeProxy('127.0.19.4'));
    const r = await doctor(['--primary', '127.0.19.2', '--tunnel', '127.0.19.3,127.0.19.4', '--timeout', '3']);
    expect(r.report.paths[1]).toMatchObject({ via: '127.0.19.3', ok: false, stage: 'proxy', status: 407 });
    expect(r.report.paths[2]).toMatchObject({ via: '127.0.19.4', ok: true });
  });

  withTinyproxy.it('goes through tinyproxy when the direct path is closed', async () => {
    await start(tlsListener('127.0.12.2', creds));
    await start(tinyproxy('127.0.12.3', [1556]));
    const direct = await doctor(['--primary', '127.0.12.2', '--tunnel', '127.0.12.3', '--timeout', '3']);
    expect(direct.report.paths.map((p: { ok: boolean }) => p.ok)).toEqual([true, true]);
    expect(direct.report.verdict).toContain('The tunnel through 127.0.12.3 works too');
  });

  withTinyproxy.it('reports tinyproxy refusing CONNECT to 1556 (403) and finds another media server', async () => {
    await start(tlsListener('127.0.13.2', creds));
    await start(tinyproxy('127.0.13.3', [443])); // refuses CONNECT to 1556
    await start(tinyproxy('127.0.13.4', [1556]));
    const r = await doctor(['--primary', '127.0.13.2', '--tunnel', '127.0.13.3,127.0.13.4', '--timeout', '3']);
    expect(r.report.paths[1]).toMatchObject({
      via: '127.0.13.3',
      ok: false,
      stage: 'proxy',
      status: 403,
      error: 'HTTP 403',
    });
    expect(r.report.paths[2]).toMatchObject({ via: '127.0.13.4', ok: true });
  });

  it('names a refusing tunnel in the verdict when the client depends on another one', async () => {
    await start(tlsListener('127.0.17.2', creds));
    await start(miniProxy('127.0.17.3', { status: 403 }));
    await start(miniProxy('127.0.17.4', { names: { 'nbu-primary.invalid': '127.0.17.2' } }));
    const r = await doctor(['--primary', 'nbu-primary.invalid', '--tunnel', '127.0.17.3,127.0.17.4', '--timeout', '3']);
    expect(r.code).toBe(0);
    expect(r.report.verdict).toContain('through the HTTP tunnel on 127.0.17.4');
    expect(r.report.verdict).toContain(
      "The named tunnel 127.0.17.3 (the proxy's answer to CONNECT failed (HTTP 403)) did not work",
    );
  });

  it('exits 1 when nothing works and names the hops to check', async () => {
    await start(miniProxy('127.0.14.3', { status: 403 }));
    const r = await doctor(['--primary', 'nbu-primary.invalid', '--tunnel', '127.0.14.3,127.0.14.4', '--timeout', '2']);
    expect(r.code).toBe(1);
    expect(r.report.paths).toMatchObject([
      { via: 'direct', ok: false, stage: 'dns' },
      { via: '127.0.14.3', ok: false, stage: 'proxy', status: 403 },
      { via: '127.0.14.4', ok: false, stage: 'connect', error: 'ECONNREFUSED' },
    ]);
    expect(r.report.verdict).toMatch(
      /^No path from .* works\. Check the firewall hops: client -> nbu-primary\.invalid:1556/,
    );
  });

  it('cuts a black-holed peer at the timeout, at its stage, within the bound', async () => {
    await start(blackHole('127.0.15.2'));
    await start(blackHole('127.0.15.3'));
    const began = Date.now();
    const r = await doctor(['--primary', '127.0.15.2', '--tunnel', '127.0.15.3', '--timeout', '1']);
    const took = Date.now() - began;
    expect(r.code).toBe(1);
    expect(r.report.paths).toMatchObject([
      { via: 'direct', ok: false, stage: 'tls', error: 'ETIMEDOUT' },
      { via: '127.0.15.3', ok: false, stage: 'proxy', error: 'ETIMEDOUT' },
    ]);
    // What each probe measured itself: cut at its 1 s deadline, not left to hang. The margin above
    // is for a loaded machine's timers; the whole run is bounded far below the default of 5 s a probe.
    for (const p of r.report.paths) {
      expect(p.ms).toBeGreaterThanOrEqual(950);
      expect(p.ms).toBeLessThan(1000 + 1500);
    }
    expect(took).toBeLessThan(15_000);
  });

  it('reads the targets of a DMZ client from the answers file, the named tunnel first', async () => {
    const r = await cli([
      'doctor',
      '--answers',
      'examples/dmz.yaml',
      '--host',
      'web1.dmz.example',
      '--timeout',
      '0.5',
      '--json',
    ]);
    const report = JSON.parse(r.stdout);
    expect(report.host).toBe('web1.dmz.example');
    expect(report.paths.map((p: { via: string }) => p.via)).toEqual([
      'direct',
      'nbu-media1.corp.example',
      'nbu-media2.corp.example',
    ]);
  });

  it('prints a short table for people, and refuses bad usage with exit 2', async () => {
    await start(tlsListener('127.0.16.2', creds));
    const r = await cli(['doctor', '--primary', '127.0.16.2', '--timeout', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}ok +direct +\d+ ms/m);
    expect((await cli(['doctor', '--tunnel', 'm1.example'])).code).toBe(2);
    expect((await cli(['doctor', '--answers', 'examples/dmz.yaml'])).code).toBe(2);
    expect((await cli(['doctor', '--primary', 'p.example', '--timeout', 'soon'])).code).toBe(2);
  });

  it(
    'with no targets given, reads SERVER and MEDIA_SERVER from this host, tunnels remembered ' +
      'in websvctunnels.cache first',
    async () => {
      await start(tlsListener('127.0.18.2', creds));
      const host = makeHost(
        makeDomain(FP),
        { name: 'web9.dmz.example' },
        'SERVER = 127.0.18.2\nCLIENT_NAME = web9.dmz.example\nMEDIA_SERVER = 127.0.18.3\nMEDIA_SERVER = 127.0.18.4\n',
      );
      writeFileSync(join(host.root, 'netbackup', 'websvctunnels.cache'), '127.0.18.4\n');
      const r = await doctor(['--install-path', host.root, '--timeout', '1']);
      expect(r.code).toBe(0);
      expect(r.report.host).toBe('web9.dmz.example');
      expect(r.report.primary).toBe('127.0.18.2');
      expect(r.report.paths.map((p: { via: string }) => p.via)).toEqual(['direct', '127.0.18.4', '127.0.18.3']);
    },
  );

  it("bounds its read of this host's configuration by --timeout, then falls back to bp.conf", async () => {
    await start(tlsListener('127.0.18.2', creds));
    const host = makeHost(makeDomain(FP), { name: 'web8.dmz.example' }, 'SERVER = 127.0.18.2\nCLIENT_NAME = web8\n');
    setFaults(host, [{ match: 'nbgetconfig', hang: true }]);
    const began = Date.now();
    const r = await doctor(['--install-path', host.root, '--timeout', '1']);
    expect(r.code).toBe(0);
    expect(r.report.primary).toBe('127.0.18.2');
    // Without the bound the read waited 30 s; with it, one --timeout and the probe.
    expect(Date.now() - began).toBeLessThan(15_000);
  });
});
