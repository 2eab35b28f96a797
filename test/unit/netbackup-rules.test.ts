import { describe, expect, it } from 'vitest';
import { unlistedLegacyHosts } from '../../src/execute/guards.js';
import { detectInstallRoot, underRoot } from '../../src/execute/install-root.js';
import { renderOutputs } from '../../src/render/index.js';
import { answersProblems, base, envOf, FP, hasStep, host, planOf, step } from '../helpers/env.js';
import { commandStep, manualStep } from '../../src/plan/step.js';
import { cli } from '../helpers/cli.js';

const problems = answersProblems;

describe('done-checks that tell the truth', () => {
  it('counts the CA step done only when the expected fingerprint is among the trusted CAs', () => {
    const get = step(planOf(base), 'c1.corp.example:ca.get');
    expect(get.done?.outputMatches).toBe(FP);
  });

  it('never counts the CA step done without a fingerprint to match: a person compares it', () => {
    const plan = planOf({ ...base, certificates: {} });
    const get = step(plan, 'c1.corp.example:ca.get');
    expect(get.manual).toBe(true);
    expect(get.done).toBeUndefined();
  });
});

describe('data-in-transit encryption', () => {
  it('is not set on a primary older than 9.1, where nbseccmd has no -dteglobalmode', () => {
    const plan = planOf({ ...base, primary: { ...base.primary, version: '9.0' } });
    expect(hasStep(plan, 'p.corp.example:security.dte')).toBe(false);
    expect(hasStep(plan, 'p.corp.example:security.insecure')).toBe(true);
    expect(plan.warnings.join(' ')).toContain('data-in-transit encryption needs 9.1 or later');
  });

  it('refuses enforced with a 9.0 primary', () => {
    const answers = {
      ...base,
      primary: { ...base.primary, version: '9.0' },
      security: { dataInTransitEncryption: 'enforced' },
    };
    expect(problems(answers)).toContain('needs a primary at 9.1 or later');
  });

  it('refuses enforced while a listed host would fail its jobs, naming each and why', () => {
    const answers = {
      ...base,
      mediaServers: [{ name: 'm1.corp.example', version: '8.3' }],
      clients: [
        { name: 'c1.corp.example', version: '9.1' },
        { name: 'c2.corp.example', version: '10.0' },
      ],
      security: { dataInTransitEncryption: 'enforced' },
    };
    const message = problems(answers);
    expect(message).toContain('m1.corp.example (8.3, older than 9.1)');
    expect(message).toContain('c1.corp.example (a 9.1 client, whose own DTE mode defaults to Off)');
    expect(message).not.toContain('c2.corp.example');
  });

  it('enforces anyway when every such host is named in security.acceptDteFailures, and says which', () => {
    const answers = {
      ...base,
      clients: [{ name: 'c1.corp.example', version: '9.1' }],
      security: { dataInTransitEncryption: 'enforced', acceptDteFailures: ['C1.corp.example'] },
    };
    expect(problems(answers)).toBe('');
    expect(step(planOf(answers), 'p.corp.example:security.dte').why).toContain('c1.corp.example (a 9.1 client');
  });
});

describe('an external-CA-only domain', () => {
  const eca = {
    ...base,
    certificates: {
      authority: 'eca',
      securityLevel: 'very-high',
      eca: { certPath: '/etc/pki/c.pem', privateKeyPath: '/etc/pki/k.pem', trustStorePath: '/etc/pki/t.pem' },
    },
  };

  it('has no deployment level to set and no token, whatever the level says', () => {
    const plan = planOf(eca);
    expect(hasStep(plan, 'p.corp.example:security.level')).toBe(false);
    expect(plan.hosts.flatMap((h) => h.steps).some((s) => s.id.includes('token'))).toBe(false);
  });
});

describe('what the plan says', () => {
  it('describes Medium as a name-to-address check and a token as the remedy at every level', () => {
    const medium = step(
      planOf({ ...base, certificates: { caFingerprint: FP, securityLevel: 'medium' } }),
      'c1.corp.example:cert.get',
    );
    expect(medium.why).toContain('resolves to the IP address the request comes from');
    expect(medium.why).not.toContain('already knows');
    const high = step(planOf(base), 'c1.corp.example:cert.get');
    expect(high.why).toContain('already knows');
    for (const s of [medium, high]) {
      expect(s.why).toContain('a token works at every level');
      expect(s.why).not.toContain('very-high');
    }
  });

  it('does not claim that the order of MEDIA_SERVER lines is the order of tunnel attempts', () => {
    const plan = planOf({ ...base, clients: [{ name: 'w1.dmz.example', zone: 'dmz' }] });
    const note = host(plan, 'w1.dmz.example').keyNotes.find((n) => n.key === 'MEDIA_SERVER')!;
    expect(note.why).toContain('does not document that their order is the order');
  });

  it('says that AUTHORIZATION_TOKEN = SKIP does not skip certificate deployment', () => {
    const answers = { ...base, clients: [{ name: 'n1.corp.example', installed: false }] };
    const [file] = renderOutputs(planOf(answers), ['answerfile']);
    expect(file!.text).toContain('SKIP does not skip certificate deployment');
  });

  it('tells DMZ firewall rules apart: 1556 for certificates, backups need the media server to reach the client', () => {
    const plan = planOf({ ...base, clients: [{ name: 'w1.dmz.example', zone: 'dmz' }] });
    const firewall = plan.hardening.find((h) => h.id === 'host-firewall')!;
    expect(firewall.how.join(' ')).toContain('bpcd');
  });

  it('explains an unknown status with its own number in the reference', async () => {
    const r = await cli(['explain', '5986']);
    expect(r.stdout).toContain('"NetBackup status code 5986"');
    expect(r.stdout).not.toContain('5986etBackup');
  });
});

describe('clients behind NAT', () => {
  it('make the primary side a manual step with its reason, and a warning', () => {
    const plan = planOf({ ...base, clients: [{ name: 'k1.corp.example', nat: true }] });
    const nat = step(plan, 'p.corp.example:nat.support');
    expect(nat.manual).toBe(true);
    expect(nat.why).toContain('ENABLE_DIRECT_CONNECTION');
    expect(plan.warnings.join(' ')).toContain('k1.corp.example is behind NAT');
  });

  it('are refused below 8.2, where NetBackup has no NAT support', () => {
    expect(problems({ ...base, clients: [{ name: 'k1.corp.example', nat: true, version: '8.1' }] })).toContain(
      'clients[0].nat is true, but NAT support needs NetBackup 8.2 or later',
    );
  });
});

describe('the hardening plan', () => {
  it("holds the vendor's top recommendations and risk-dashboard checks as their own items", () => {
    const ids = planOf(base).hardening.map((h) => h.id);
    for (const id of [
      'multi-person-authorization',
      'securing-credentials',
      'catalog-protection',
      'service-user',
      'redirected-restores',
      'malware-anomaly-detection',
    ]) {
      expect(ids).toContain(id);
    }
    expect(planOf(base).hardening.find((h) => h.id === 'malware-anomaly-detection')!.priority).toBe('high');
  });

  it('does what the CLI can: account lockout on the primary and a year of audit records', () => {
    const plan = planOf(base);
    const primary = host(plan, 'p.corp.example');
    expect(primary.config).toContainEqual({ key: 'GUI_MAX_LOGIN_ATTEMPTS', value: '5' });
    expect(primary.config).toContainEqual({ key: 'GUI_ACCOUNT_LOCKOUT_DURATION', value: '30' });
    expect(host(plan, 'c1.corp.example').config.map((c) => c.key)).not.toContain('GUI_MAX_LOGIN_ATTEMPTS');
    const audit = step(plan, 'p.corp.example:security.audit');
    expect(audit.command!.args).toEqual(['-setsecurityconfig', '-auditretentionperiod', '365']);
    expect(plan.hardening.find((h) => h.id === 'account-lockout')!.stepIds).toEqual(['p.corp.example:config.set']);
  });
});

describe('the runbook', () => {
  const answers = {
    ...base,
    clients: [
      { name: 'c1.corp.example' },
      { name: 'w1.dmz.example', zone: 'dmz' },
      { name: 'w2.dmz.example', zone: 'dmz' },
    ],
  };
  const runbook = () => renderOutputs(planOf(answers), ['markdown'])[0]!.text;

  it('opens with a table of every host: role, zone, order and what its certificate needs', () => {
    const text = runbook();
    expect(text).toContain('| Host | Role | Zone | Stages | Certificate |');
    expect(text).toContain(
      '| w1.dmz.example | client | dmz | clients | token: it reaches the primary through a tunnel |',
    );
    expect(text).toContain('| c1.corp.example | client | internal | clients | no token at the high level |');
    expect(text).toContain('| p.corp.example | primary | internal | prepare, tighten, verify |');
    expect(text).toContain('-createToken -name NAME -reissue -host HOST');
  });

  it('says how the token gets from the primary to the hosts that need it, and how it is deleted', () => {
    const text = runbook();
    expect(text).toContain('## The authorization token');
    expect(text).toContain('Copy it to each host that needs it (w1.dmz.example, w2.dmz.example)');
    expect(text).toContain('nbcertcmd -deleteToken -name nbsecure-rollout');
  });

  it('follows the stages: no tightening before the last client step', () => {
    const text = runbook();
    const tighten = text.indexOf('## Stage 4: Tighten the domain (primary, last)');
    expect(tighten).toBeGreaterThan(text.lastIndexOf('### Client '));
    expect(text.indexOf('-setsecurityconfig -insecurecommunication off')).toBeGreaterThan(tighten);
    expect(text.indexOf('## Stage 5: Verify and clean up')).toBeGreaterThan(tighten);
  });

  it('gives a reason once and refers to it for the next host', () => {
    const text = runbook();
    const why = step(planOf(answers), 'w1.dmz.example:cert.get').why;
    expect(text.split(why.slice(0, 60)).length - 1).toBe(1);
    expect(text).toMatch(/Why: as for w1\.dmz\.example, step \d+\./);
  });
});

describe('insecure communication off, decided on the whole domain', () => {
  const output = [
    'p.corp.example:',
    '\tMachineName = "p.corp.example"',
    '\tNetBackupVersion = 10.4.0.0 (1040000)',
    'old9.corp.example:',
    '\tMachineName = "old9.corp.example"',
    '\tNetBackupVersion = 8.0.0.0 (800000)',
    'c1:',
    '\tMachineName = "c1"',
    '\tNetBackupVersion = 7.7.3.0 (770300)',
    'nas1:',
    '\tMachineName = "nas1"',
    '\tNetBackupVersion = 0.0.0.0 (0)',
  ].join('\n');

  it('reads the domain host list before the change, with the hosts the answers name', () => {
    const plan = planOf(base);
    const ids = host(plan, 'p.corp.example').steps.map((s) => s.id);
    const check = step(plan, 'p.corp.example:security.insecure.domain');
    expect(ids.indexOf(check.id)).toBeLessThan(ids.indexOf('p.corp.example:security.insecure'));
    expect(check.guard?.known).toEqual(['p.corp.example', 'm1.corp.example', 'm2.corp.example', 'c1.corp.example']);
    expect(check.verifyForYourVersion).toContain('VERIFY FOR YOUR VERSION');
  });

  it('names the 8.0-or-earlier hosts the answers leave out; short names match, version 0 is not judged', () => {
    expect(unlistedLegacyHosts(output, ['p.corp.example', 'c1.corp.example'])).toEqual([
      { name: 'old9.corp.example', version: '8.0.0.0' },
    ]);
  });

  it('has no such check while insecure communication stays on', () => {
    const plan = planOf({ ...base, clients: [{ name: 'c1.corp.example', version: '8.0' }] });
    expect(hasStep(plan, 'p.corp.example:security.insecure.domain')).toBe(false);
  });
});

describe('answer files for Windows hosts not installed yet', () => {
  it('give the silent-install settings for silentclient.cmd, never a token', () => {
    const answers = { ...base, clients: [{ name: 'w9.corp.example', os: 'windows', installed: false }] };
    const [file] = renderOutputs(planOf(answers), ['answerfile']);
    expect(file!.name).toBe('w9.corp.example.silentclient.cmd');
    expect(file!.text).toContain('@set CLIENT=w9.corp.example\r\n@set MASTERSERVER=p.corp.example\r\n');
    expect(file!.text).toContain('@set ADDITIONALSERVERS=m1.corp.example,m2.corp.example\r\n');
    expect(file!.text).not.toMatch(/TOKEN=/);
    expect(step(planOf(answers), 'w9.corp.example:install').instructions!.join(' ')).toContain(
      'w9.corp.example.silentclient.cmd',
    );
  });
});

describe('the install folder of an installed Windows host without installPath', () => {
  const win = (version: string, extra: object = {}) =>
    host(
      planOf({ ...base, clients: [{ name: 'w1.corp.example', os: 'windows', version, ...extra }] }),
      'w1.corp.example',
    );

  it('is looked for on the host: the version default first, then the folder an upgrade keeps', () => {
    expect(win('11.1').installPathCandidates).toEqual([
      'C:\\Program Files\\Cohesity NetBackup',
      'C:\\Program Files\\Veritas',
    ]);
    expect(win('10.4').installPathCandidates).toEqual([
      'C:\\Program Files\\Veritas',
      'C:\\Program Files\\Cohesity NetBackup',
    ]);
    expect(win('11.1', { installPath: 'D:\\NB' }).installPathCandidates).toBeUndefined();
    expect(win('11.1', { installed: false }).installPathCandidates).toBeUndefined();
  });

  it('is found from the registry first, else the first candidate that holds NetBackup', () => {
    const candidates = ['C:\\Program Files\\Cohesity NetBackup', 'C:\\Program Files\\Veritas'];
    const has = (roots: string[]) => (r: string) => roots.includes(r);
    expect(detectInstallRoot(candidates, 'E:\\NetBackup\\', has(['E:\\NetBackup', candidates[1]!]))).toBe(
      'E:\\NetBackup',
    );
    expect(detectInstallRoot(candidates, undefined, has([candidates[1]!]))).toBe(candidates[1]);
    expect(detectInstallRoot(candidates, undefined, has([]))).toBeUndefined();
  });

  it('moves every command of the host under the folder found', () => {
    const h = win('11.1');
    const moved = underRoot(h, 'C:\\Program Files\\Veritas');
    const files = moved.steps
      .flatMap((s) => [s.command?.file, s.done?.command.file, s.reissue?.command.file])
      .filter(Boolean);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(f!.startsWith('C:\\Program Files\\Veritas\\NetBackup\\bin\\')).toBe(true);
  });

  it('is found by the PowerShell script, and the runbook names both candidates', () => {
    const answers = { ...base, clients: [{ name: 'w1.corp.example', os: 'windows', version: '11.1' }] };
    const out = renderOutputs(planOf(answers), ['ps1', 'markdown']);
    const ps1 = out.find((o) => o.format === 'ps1')!.text;
    expect(ps1).toContain(
      "$NbRoot = Find-NetBackupRoot @('C:\\Program Files\\Cohesity NetBackup', 'C:\\Program Files\\Veritas')",
    );
    expect(ps1).toContain("(Join-Path $NbRoot 'NetBackup\\bin\\nbcertcmd.exe')");
    expect(ps1).not.toContain("'C:\\Program Files\\Cohesity NetBackup\\NetBackup\\bin\\nbcertcmd.exe'");
    expect(out.find((o) => o.format === 'markdown')!.text).toContain(
      'Install folder: found on the host, C:\\Program Files\\Cohesity NetBackup or C:\\Program Files\\Veritas',
    );
  });
});

describe('external-CA paths per host', () => {
  const shared = { certPath: '/etc/pki/c.pem', privateKeyPath: '/etc/pki/k.pem', trustStorePath: '/etc/pki/t.pem' };
  const ownWin = { certPath: 'C:\\pki\\c.pem', privateKeyPath: 'C:\\pki\\k.pem', trustStorePath: 'C:\\pki\\t.pem' };
  const site = (client: object) => ({
    ...base,
    clients: [{ name: 'c1.corp.example' }, { name: 'w1.corp.example', os: 'windows', ...client }],
    certificates: { authority: 'eca', eca: shared },
  });

  it('lets a Windows host give its own, and each host gets its own in its configuration', () => {
    const answers = site({ eca: ownWin });
    expect(problems(answers)).toBe('');
    const plan = planOf(answers);
    const value = (h: string, key: string) => host(plan, h).config.find((c) => c.key === key)?.value;
    expect(value('w1.corp.example', 'ECA_CERT_PATH')).toBe('C:\\pki\\c.pem');
    expect(value('c1.corp.example', 'ECA_CERT_PATH')).toBe('/etc/pki/c.pem');
  });

  it('refuses shared POSIX paths for a Windows host without its own, naming the field and the way out', () => {
    expect(problems(site({}))).toContain(
      'certificates.eca.certPath is not an absolute Windows path (C:\\like\\this or \\\\server\\share), as ' +
        'w1.corp.example (windows) needs; give that host its own path in its eca.certPath',
    );
  });

  it('refuses a host eca without an external CA', () => {
    expect(problems({ ...base, clients: [{ name: 'c1.corp.example', eca: shared }] })).toContain(
      'clients[0].eca is only read with certificates.authority: eca',
    );
  });
});

describe('decommissioned hosts in the answers', () => {
  it('get a revocation on the primary, done once, and a manual policy clean-up', () => {
    const plan = planOf({ ...base, decommissioned: ['old7.corp.example'] });
    const revoke = step(plan, 'p.corp.example:revoke.old7.corp.example');
    expect(revoke.command!.args).toEqual(['-revokeCertificate', '-host', 'old7.corp.example']);
    expect(revoke.once).toBe(true);
    expect(step(plan, 'p.corp.example:revoke.old7.corp.example.cleanup').manual).toBe(true);
  });

  it('cannot also be in service', () => {
    expect(problems({ ...base, decommissioned: ['C1.corp.example'] })).toContain(
      'decommissioned[0] names C1.corp.example, which is also listed at clients[0]',
    );
  });
});

describe('the rollout in stages', () => {
  const dmzPlan = () =>
    planOf({ ...base, clients: [{ name: 'c1.corp.example' }, { name: 'w1.dmz.example', zone: 'dmz' }] });

  it('lists prepare, media, clients, tighten and verify in plan.json, each with its hosts and steps', () => {
    const plan = dmzPlan();
    expect(plan.stages.map((s) => s.id)).toEqual(['prepare', 'media', 'clients', 'tighten', 'verify']);
    expect(plan.stages.find((s) => s.id === 'clients')!.hosts.map((h) => h.name)).toEqual([
      'c1.corp.example',
      'w1.dmz.example',
    ]);
    expect(plan.stages.find((s) => s.id === 'tighten')!.hosts.map((h) => h.name)).toEqual(['p.corp.example']);
    const all = plan.hosts.flatMap((h) => h.steps);
    for (const stage of plan.stages)
      for (const h of stage.hosts)
        for (const id of h.steps) {
          expect(all.find((s) => s.id === id)!.stage).toBe(stage.id);
        }
  });

  it('places a step in the stage its builder declared, whatever its id says', () => {
    const env = envOf(base);
    const [primary, client] = [env.primary, env.clients[0]!];
    // An id no list knows: on the primary it goes where it was declared; elsewhere to its host's own stage.
    const made = (h: typeof primary) =>
      commandStep(h, 'audit.tighten.new', 'nbseccmd', ['-getsecurityconfig', '-insecurecommunication'], 't', 'w', {
        stage: 'tighten',
        effect: 'read',
      });
    expect(made(primary).stage).toBe('tighten');
    expect(made(client).stage).toBe('clients');
    expect(manualStep(primary, 'login', 't', 'w', [], { stage: 'verify' }).stage).toBe('verify');
  });

  it('puts the primary tightening last: insecure off, the restart and DTE; the token is deleted after it', () => {
    const plan = dmzPlan();
    const stageOf = (id: string) => step(plan, id).stage;
    for (const id of ['security.insecure', 'services.stop', 'services.start', 'security.dte']) {
      expect(stageOf(`p.corp.example:${id}`)).toBe('tighten');
    }
    expect(stageOf('p.corp.example:token.create')).toBe('prepare');
    expect(stageOf('p.corp.example:token.delete')).toBe('verify');
    expect(step(plan, 'p.corp.example:token.delete').command!.args).toEqual([
      '-deleteToken',
      '-name',
      'nbsecure-rollout',
    ]);
    // Each later stage on the primary starts with the web login.
    const primary = host(plan, 'p.corp.example').steps;
    expect(primary.find((s) => s.stage === 'tighten')!.id).toBe('p.corp.example:tighten.login');
    expect(primary.find((s) => s.stage === 'verify')!.id).toBe('p.corp.example:verify.login');
  });

  it('gives the bash script of the primary a gate before tightening', () => {
    const answers = { ...base, clients: [{ name: 'w1.dmz.example', zone: 'dmz' }] };
    const sh = renderOutputs(planOf(answers), ['sh']).find((o) => o.host === 'p.corp.example')!.text;
    const lines = sh.slice(sh.indexOf('# ---- The steps of')).split('\n');
    // The first tighten step carries the gate; every prepare step comes before it.
    const firstTighten = lines.findIndex((l) => / tighten '/.test(l) && l.startsWith('step_begin'));
    expect(lines[firstTighten + 1]).toBe('nb_op gate stage=tighten');
    expect(lines.findLastIndex((l) => / prepare '/.test(l) && l.startsWith('step_begin'))).toBeLessThan(firstTighten);
    expect(lines.findIndex((l) => l.includes('-insecurecommunication off'))).toBeGreaterThan(firstTighten);
  });
});
