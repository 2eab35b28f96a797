import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/bin.js';
import { selfSigned } from '../helpers/network.js';
import { withTools } from '../helpers/tools.js';

const id = String(process.pid % 10000);
const NS = { client: `nbc${id}`, media: `nbm${id}`, primary: `nbp${id}` };
// Addresses exist only inside these namespaces, which the test makes and removes itself.
const NET = { clientSide: '10.231.1.1', mediaFront: '10.231.1.2', mediaBack: '10.231.2.1', primary: '10.231.2.2' };
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
const inNs = (ns: string, ...args: string[]) => ip('netns', 'exec', ns, ...args);

withTools('ip netns', 'tinyproxy').describe('doctor in a real DMZ wiring (network namespaces)', () => {
  const children: ReturnType<typeof spawn>[] = [];
  const dir = join(tmpdir(), `nbsecure-netns-${id}`);

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    for (const ns of Object.values(NS)) {
      ip('netns', 'add', ns);
      inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
    }
    // client <-> media, media <-> primary: the client has no link to the primary at all.
    ip('link', 'add', `c${id}`, 'type', 'veth', 'peer', 'name', `mf${id}`);
    ip('link', 'set', `c${id}`, 'netns', NS.client);
    ip('link', 'set', `mf${id}`, 'netns', NS.media);
    ip('link', 'add', `mb${id}`, 'type', 'veth', 'peer', 'name', `p${id}`);
    ip('link', 'set', `mb${id}`, 'netns', NS.media);
    ip('link', 'set', `p${id}`, 'netns', NS.primary);
    for (const [ns, dev, addr] of [
      [NS.client, `c${id}`, NET.clientSide],
      [NS.media, `mf${id}`, NET.mediaFront],
      [NS.media, `mb${id}`, NET.mediaBack],
      [NS.primary, `p${id}`, NET.primary],
    ] as const) {
      inNs(ns, 'ip', 'addr', 'add', `${addr}/30`, 'dev', dev);
      inNs(ns, 'ip', 'link', 'set', dev, 'up');
    }
    // Only the media server's resolver knows the primary's name (ip netns exec mounts /etc/netns/NS/hosts).
    mkdirSync(`/etc/netns/${NS.media}`, { recursive: true });
    writeFileSync(`/etc/netns/${NS.media}/hosts`, `127.0.0.1 localhost\n${NET.primary} nbu-primary.dmz-test.invalid\n`);

    const { key, cert } = await selfSigned();
    writeFileSync(join(dir, 'key.pem'), key);
    writeFileSync(join(dir, 'cert.pem'), cert);
    const server = [
      `const t=require('node:tls'),f=require('node:fs');`,
      `const s=t.createServer({key:f.readFileSync('${dir}/key.pem'),cert:f.readFileSync('${dir}/cert.pem')},`,
      `c=>{c.on('error',()=>{});c.end()});s.on('tlsClientError',()=>{});`,
      `s.listen(1556,'${NET.primary}',()=>console.log('up'));setTimeout(()=>process.exit(0),60000);`,
    ].join('');
    writeFileSync(
      join(dir, 'tinyproxy.conf'),
      [
        'Port 1556',
        `Listen ${NET.mediaFront}`,
        'Timeout 10',
        `Allow ${NET.clientSide}/30`,
        'LogLevel Critical',
        'User nobody',
        'Group nogroup',
        'ConnectPort 1556',
        '',
      ].join('\n'),
    );
    children.push(spawn('ip', ['netns', 'exec', NS.primary, process.execPath, '-e', server], { stdio: 'ignore' }));
    children.push(
      spawn('ip', ['netns', 'exec', NS.media, 'tinyproxy', '-d', '-c', join(dir, 'tinyproxy.conf')], {
        stdio: 'ignore',
      }),
    );
    for (let i = 0; i < 100; i++) {
      const ready = spawnSync(
        'ip',
        [
          'netns',
          'exec',
          NS.media,
          process.execPath,
          '-e',
          [
            `const n=require('node:net');let k=0;`,
            `for(const h of ['${NET.primary}','${NET.mediaFront}']){`,
            `const s=n.connect(1556,h,()=>{s.destroy();if(++k===2)process.exit(0)});s.on('error',()=>process.exit(1))}`,
          ].join(''),
        ],
        { timeout: 2000 },
      );
      if (ready.status === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the namespaced primary and tunnel did not start');
  }, 30_000);

  afterAll(() => {
    for (const c of children) c.kill('SIGTERM');
    spawnSync('pkill', ['-f', join(dir, 'tinyproxy.conf')]);
    for (const ns of Object.values(NS)) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    rmSync(`/etc/netns/${NS.media}`, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it("finds that the client reaches the primary only through the media server's tunnel", () => {
    const r = spawnSync(
      'ip',
      [
        'netns',
        'exec',
        NS.client,
        process.execPath,
        BIN,
        'doctor',
        '--primary',
        'nbu-primary.dmz-test.invalid',
        '--tunnel',
        NET.mediaFront,
        '--timeout',
        '2',
        '--json',
      ],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.paths[0]).toMatchObject({ via: 'direct', ok: false, stage: 'dns' });
    expect(report.paths[1]).toMatchObject({ via: NET.mediaFront, ok: true });
    expect(report.verdict).toContain(`through the HTTP tunnel on ${NET.mediaFront}`);
  });

  it('finds no direct route even by address: the DMZ has no path to the primary', () => {
    const r = spawnSync(
      'ip',
      [
        'netns',
        'exec',
        NS.client,
        process.execPath,
        BIN,
        'doctor',
        '--primary',
        NET.primary,
        '--timeout',
        '2',
        '--json',
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 20_000 },
    );
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).paths[0]).toMatchObject({ via: 'direct', ok: false, stage: 'connect' });
  });
});
