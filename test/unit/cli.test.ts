import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { loadAnswersFile } from '../../src/environment/load.js';
import { buildPlan } from '../../src/plan/build.js';

const hostsOf = (file: string) => buildPlan(loadAnswersFile(file).environment).hosts;

const tmp = () => mkdtempSync(join(tmpdir(), 'nbsecure-cli-'));

describe('nbsecure plan', () => {
  it('prints the Markdown runbook by default and the warnings on stderr', async () => {
    const r = await cli(['plan', '--answers', 'examples/dmz.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# NetBackup security runbook for nbu-primary\.corp\.example/);
    expect(r.stderr).toContain('warning: 3 hosts need the authorization token');
  });

  it('prints only machine-readable plan.json with --json', async () => {
    const r = await cli(['plan', '--answers', 'examples/dmz.yaml', '--json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.version).toBe(1);
    expect(plan.hosts.map((h: { name: string }) => h.name)).toContain('web1.dmz.example');
  });

  it('limits output to one host and format', async () => {
    const r = await cli(['plan', '--answers', 'examples/dmz.yaml', '--format', 'sh', '--host', 'web1.dmz.example']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^#!\/usr\/bin\/env bash\n# nbsecure: steps for web1\.dmz\.example/);
    expect(r.stdout).not.toContain('==>  ');
  });

  it('heads each output when several go to stdout', async () => {
    const r = await cli(['plan', '--answers', 'examples/internal.yaml', '--format', 'bpconf']);
    expect(r.stdout.match(/^==> .*\.bp\.conf <==$/gm)?.length).toBe(hostsOf('examples/internal.yaml').length);
  });

  it('writes one file per host and format plus runbook.md and plan.json with --out', async () => {
    const out = join(tmp(), 'runbooks');
    const r = await cli(['plan', '--answers', 'examples/dmz.yaml', '--out', out]);
    expect(r.code).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toContain('runbook.md');
    expect(files).toContain('plan.json');
    expect(files).toContain('web1.dmz.example.sh');
    expect(files).toContain('web2.dmz.example.ps1');
    expect(files).toContain('new1.dmz.example.NBInstallAnswer.conf');
    expect(files.filter((f) => f.endsWith('.bp.conf'))).toHaveLength(hostsOf('examples/dmz.yaml').length);
    expect(files.some((f) => f.includes('nbsecure-'))).toBe(false); // no temp folder left behind
  });

  it('adds to an existing --out folder without touching other files', async () => {
    const out = join(tmp(), 'runbooks');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const r = await cli(['plan', '--answers', 'examples/internal.yaml', '--out', out, '--format', 'json', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).files).toEqual([join(out, 'plan.json')]);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('writes nothing into an --out folder where plan.json is a folder', async () => {
    const out = join(tmp(), 'runbooks');
    mkdirSync(join(out, 'plan.json'), { recursive: true });
    const r = await cli(['plan', '--answers', 'examples/internal.yaml', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${join(out, 'plan.json')} is a folder where nbsecure writes a file; nothing was written`,
    );
    expect(readdirSync(out)).toEqual(['plan.json']);
  });

  it('writes nothing through a link inside the --out folder (ansible/ pointing elsewhere)', async () => {
    const root = tmp();
    const out = join(root, 'runbooks');
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(out);
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(out, 'ansible'));
    const r = await cli(['plan', '--answers', 'examples/internal.yaml', '--out', out, '--format', 'ansible,json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is a symbolic link, which nbsecure does not write through');
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(readdirSync(out)).toEqual(['ansible']);
  });

  it('refuses an unknown host, format or option with exit 2 and a pointer to help', async () => {
    const host = await cli(['plan', '--answers', 'examples/dmz.yaml', '--host', 'nope.example']);
    expect(host.code).toBe(2);
    expect(host.stderr).toContain(
      '--host nope.example is not in examples/dmz.yaml; its hosts are: nbu-primary.corp.example',
    );
    const format = await cli(['plan', '--answers', 'examples/dmz.yaml', '--format', 'pdf']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('unknown format pdf; the formats are markdown, sh, ps1, bpconf, json, answerfile');
    const opt = await cli(['plan', '--answers', 'examples/dmz.yaml', '--colour']);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toMatch(/nbsecure plan: Unknown option '--colour'.*See nbsecure plan --help/);
    const missing = await cli(['plan']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nbsecure plan needs --answers FILE');
  });

  it('colours warnings on a terminal and honours NO_COLOR', async () => {
    const coloured = await cli(['plan', '--answers', 'examples/dmz.yaml', '--json'], { tty: true });
    expect(coloured.stderr).toContain('\u001b[33mwarning:');
    const plain = await cli(['plan', '--answers', 'examples/dmz.yaml', '--json'], {
      tty: true,
      env: { NO_COLOR: '1' },
    });
    expect(plain.stderr).not.toContain('\u001b[');
  });
});

describe('nbsecure explain', () => {
  it('explains 5955 with cause, remedy and source', async () => {
    const r = await cli(['explain', '5955']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('NetBackup status 5955');
    expect(r.stdout).toMatch(/Remedy: Deploy the certificate with an authorization token/);
    expect(r.stdout).toContain('Source: NetBackup Security and Encryption Guide');
  });

  it('says so for a status it does not know, and points to the vendor reference', async () => {
    const r = await cli(['explain', '42', '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ known: false, code: 42 });
    const t = await cli(['explain', '42']);
    expect(t.stdout).toContain("not in nbsecure's catalogue");
    expect(t.stdout).toContain('Status Codes Reference Guide');
  });

  it('refuses a status that is not a number', async () => {
    const r = await cli(['explain', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('needs one NetBackup exit status');
  });
});

describe('nbsecure itself', () => {
  it('prints help for every command and its version', async () => {
    for (const c of ['plan', 'apply', 'doctor', 'explain']) {
      const r = await cli([c, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`nbsecure ${c}`);
    }
    const main = await cli(['--help']);
    expect(main.stdout).toContain('nbsecure plan    --answers FILE');
    expect((await cli(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('without a terminal, the bare command exits 2 and names plan --answers and the examples', async () => {
    const r = await cli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nbsecure plan --answers FILE');
    expect(r.stderr).toContain('examples/');
  });

  it('--forget removes the remembered answers, without a terminal', async () => {
    const { remember, recall } = await import('../../src/store.js');
    const home = tmp();
    const old = process.env.XDG_CONFIG_HOME;
    process.env.XDG_CONFIG_HOME = home;
    try {
      remember('lab', { version: 1, primary: { name: 'p.example' } });
      expect(recall('lab')).toMatchObject({ primary: { name: 'p.example' } });
      const r = await cli(['--forget']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Removed the remembered answers');
      expect(recall('lab')).toBeUndefined();
    } finally {
      process.env.XDG_CONFIG_HOME = old;
    }
  });

  it('refuses an unknown command with exit 2', async () => {
    const r = await cli(['deploy']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "deploy"');
  });
});
