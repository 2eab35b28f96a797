import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAnswersFile } from '../../src/environment/load.js';
import type { ApplyEvent } from '../../src/execute/events.js';
import { applyHost, type ApplyOptions } from '../../src/execute/runner.js';
import { buildPlan } from '../../src/plan/build.js';
import { argvLog, setFaults } from '../netbackup-sim/layout.js';
import { cli } from '../helpers/cli.js';
import { applyArgs, makeSite, type Site } from '../helpers/site.js';

/** applyHost as a library user calls it: the events it emits, and its result. */
async function run(site: Site, host: string, extra: Partial<ApplyOptions> = {}, signal?: AbortSignal) {
  const plan = buildPlan(loadAnswersFile(site.answers).environment);
  const events: ApplyEvent[] = [];
  const onStep = extra as { onEvent?: (e: ApplyEvent) => void };
  const result = await applyHost(
    plan,
    host,
    {
      stateDir: site.stateDir,
      resume: false,
      dryRun: false,
      yes: true,
      secrets: {},
      confirmed: new Set(),
      stepTimeoutMs: 60_000,
      machine: { hostname: host },
      resumeCommand: ['nbsecure', 'apply', '--host', host, '--resume'],
      prompter: { interactive: false, confirm: async () => false, secret: async () => '' },
      ...extra,
    },
    {
      onEvent: (e) => {
        events.push(e);
        onStep.onEvent?.(e);
      },
      ...(signal ? { signal } : {}),
    },
  );
  return { plan, events, result, types: events.map((e) => e.type) };
}

const C1 = 'c1.corp.example';

describe('the executor speaks in events', () => {
  it('a happy path: the dry run, then each step started and done in order, then the result', async () => {
    const site = makeSite();
    const { plan, events, result, types } = await run(site, C1);
    expect(result.exitCode).toBe(0);
    expect(types[0]).toBe('dry-run');
    expect(types.at(-1)).toBe('result');
    const steps = plan.hosts.find((h) => h.name === C1)!.steps.map((s) => s.id);
    const started = events.flatMap((e) => (e.type === 'step-start' ? [e.step] : []));
    const done = events.flatMap((e) => (e.type === 'step-done' ? [e.step] : []));
    expect(started).toEqual(steps);
    expect(done).toEqual(steps);
    // Each step's output comes between its start and its end.
    for (const e of events.filter((x) => x.type === 'output')) {
      const i = events.indexOf(e);
      const start = events.findLastIndex((x, j) => j < i && x.type === 'step-start');
      expect((events[start] as { step: string }).step).toBe((e as { step: string }).step);
    }
    expect(result.steps.map((s) => s.id)).toEqual(steps);
    expect(result.changes).toBe(result.steps.filter((s) => s.outcome === 'changed').length);
  });

  it('a failure: the step is done as failed; the result says where, why, and the status explained', async () => {
    const site = makeSite();
    setFaults(site.hosts[C1]!, [{ match: 'nbcertcmd -getCertificate', exit: 1, message: 'EXIT STATUS 5954' }]);
    const { events, result } = await run(site, C1);
    expect(result.exitCode).toBe(1);
    const failed = events.find((e) => e.type === 'step-done' && e.outcome === 'failed');
    expect(failed).toMatchObject({ step: `${C1}:cert.get` });
    expect(result.stopped).toMatchObject({ kind: 'failed', step: `${C1}:cert.get`, status: { code: 5954 } });
    expect(result.stopped?.next).toContain('--resume');
    // Nothing after the failed step started.
    expect(events.findLast((e) => e.type === 'step-start')).toMatchObject({ step: `${C1}:cert.get` });
  });

  it('a manual stop: manual-needed, then a result that waits for a person (exit 4)', async () => {
    const site = makeSite();
    const { events, result, types } = await run(site, 'p.corp.example');
    expect(result.exitCode).toBe(4);
    expect(types.slice(-2)).toEqual(['manual-needed', 'result']);
    expect(events.at(-2)).toMatchObject({ step: 'p.corp.example:login' });
    expect(result.stopped).toMatchObject({ kind: 'manual', step: 'p.corp.example:login' });
    expect(result.stopped?.next?.join(' ')).toMatch(/--resume --confirm p\.corp\.example:login$/);
  });

  it('the primary waits for the fleet before tightening: a waiting event, exit 4', async () => {
    const site = makeSite();
    writeFileSync(join(site.domain, 'session.json'), '{}');
    const { events, result } = await run(site, 'p.corp.example', {
      confirmed: new Set(['p.corp.example:login', 'p.corp.example:security.level']),
    });
    expect(result.exitCode).toBe(4);
    expect(events.at(-2)).toMatchObject({ type: 'waiting', for: 'fleet', stage: 'tighten' });
    expect(result.stopped?.next).toEqual(expect.arrayContaining(['--stage', 'tighten']));
  });

  it('an abort stops the running command: interrupted, exit 130, and no command after it', async () => {
    const site = makeSite();
    const host = site.hosts[C1]!;
    setFaults(host, [{ match: 'nbcertcmd -getCACertificate', hang: true }]);
    const stop = new AbortController();
    const hanging = join(host.root, 'sim', 'hanging');
    const { events, result } = await run(
      site,
      C1,
      {
        // Abort once the hanging command has started (the simulator says so with its pid file).
        onEvent: (e: ApplyEvent) => {
          if (e.type === 'step-start' && e.step === `${C1}:ca.get`) {
            const poll = setInterval(() => {
              if (existsSync(hanging)) {
                clearInterval(poll);
                stop.abort('SIGINT');
              }
            }, 10);
          }
        },
      } as Partial<ApplyOptions>,
      stop.signal,
    );
    expect(result.exitCode).toBe(130);
    expect(events.at(-2)).toMatchObject({ type: 'interrupted', step: `${C1}:ca.get`, signal: 'SIGINT' });
    expect(argvLog(host).at(-1)?.args[0]).toBe('-getCACertificate');
    expect(site.journal(C1).at(-1)).toMatchObject({ step: `${C1}:ca.get`, event: 'interrupted' });
  });
});

describe('apply --json', () => {
  it('prints one JSON event per line on stdout, ending with the result, and nothing else', async () => {
    const site = makeSite();
    const r = await cli(applyArgs(site, C1, ['--json']), { cwd: site.dir });
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ApplyEvent);
    expect(events[0]!.type).toBe('dry-run');
    expect(events.at(-1)).toMatchObject({ type: 'result', result: { exitCode: 0, host: C1 } });
    expect(new Set(events.map((e) => e.type))).toEqual(
      new Set(['dry-run', 'step-start', 'output', 'step-done', 'result']),
    );
  });

  it('says a manual stop as data, with exit 4', async () => {
    const site = makeSite();
    const r = await cli(
      [
        'apply',
        '--answers',
        site.answers,
        '--host',
        'p.corp.example',
        '--this-host',
        'p',
        '--state-dir',
        site.stateDir,
      ],
      { cwd: site.dir },
    );
    expect(r.code).toBe(2); // no consent without a terminal
    const j = await cli(
      [
        ...['apply', '--answers', site.answers, '--host', 'p.corp.example', '--this-host', 'p.corp.example'],
        ...['--state-dir', site.stateDir, '--yes', '--json'],
      ],
      { cwd: site.dir },
    );
    expect(j.code).toBe(4);
    const last = JSON.parse(j.stdout.trim().split('\n').at(-1)!) as ApplyEvent;
    expect(last).toMatchObject({ type: 'result', result: { exitCode: 4, stopped: { kind: 'manual' } } });
  });
});

describe('apply runs only on its own host', () => {
  const args = (site: Site, ...extra: string[]) => [
    ...['apply', '--answers', site.answers, '--host', C1, '--state-dir', site.stateDir, '--yes'],
    ...extra,
  ];

  it('refuses another machine with exit 2 before running anything, and says how to name an alias', async () => {
    const site = makeSite();
    const r = await cli(args(site), { cwd: site.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--host c1\.corp\.example is not this machine \(its host name is \S+\)/);
    expect(r.stderr).toContain('--this-host c1.corp.example');
    expect(argvLog(site.hosts[C1]!)).toEqual([]);
  });

  it('refuses a --this-host that names another host', async () => {
    const site = makeSite();
    const r = await cli(args(site, '--this-host', 'm1.corp.example'), { cwd: site.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--this-host m1.corp.example does not name --host c1.corp.example');
    expect(argvLog(site.hosts[C1]!)).toEqual([]);
  });

  it('shows any host its dry run anywhere: a dry run changes nothing', async () => {
    const site = makeSite();
    const r = await cli(['apply', '--answers', site.answers, '--host', C1, '--state-dir', site.stateDir, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Dry run: nothing was changed.');
  });
});
