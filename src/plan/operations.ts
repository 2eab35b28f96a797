import { TOKEN_SHAPE } from '../catalogue/token-shape.js';
import { SHA256_FINGERPRINT_SHAPE } from '../environment/patterns.js';
import { GATED_STAGES } from './stages.js';
import type { Arg, Fact, HostPlan, PlanCommand, StageId, Step, StepFile } from './types.js';

/**
 * The Step operations (DESIGN.md, "Step operations"): every step lowered, once and here, into a short list
 * drawn from this closed set. An interpreter implements the operations and nothing else: the order of a step's
 * checks, and every rule they apply (what a legacy version is, when a certificate is near its end, which keys
 * merge), is decided by the lowering and travels as data.
 */
export const OPERATIONS_VERSION = 2;

/**
 * What an operation waits on: all must hold. A name is a flag an earlier operation of the step set, or one
 * the interpreter knows of its run (see RUN_FLAGS); `state:KEY` a line of the host's state; `!` negates.
 */
export type Condition = string;

/** Flags an interpreter knows from its run, not from an operation. */
export const RUN_FLAGS = {
  'api-key': 'an API key was given',
  reissue: 'the token given is a reissue token (apply --reissue, NBSECURE_REISSUE=1)',
  'token-at-hand': 'the token an earlier run captured is at hand, or was retired',
  'rest-api': 'an API key was given, and the interpreter calls the REST API itself (apply, the Ansible role)',
  'per-wave': "the executor makes the rollout's tokens per wave of hosts (the Ansible role)",
  'token-wait': "the executor hands each host its wave's token: a step that needs one it lacks waits for it",
  'secret:token': 'the token is at hand (given, or asked for on a terminal)',
  'fact:caFingerprint': 'the CA fingerprint was read on the primary by the executor itself (the Ansible role)',
} as const;

/** A command as an operation runs it: the executable, then its arguments; files by name (written earlier). */
export type Argv = [string, ...Arg[]];

/** Lines of `KEY = VALUE` (or `KEY : VALUE`): the one shape every parser vector has. */
export interface KeyLines {
  separator: '=' | ':';
}

export type Operation = { if?: Condition[] } & (
  | { op: 'gate'; stage: StageId }
  | { op: 'skip'; say: string; outcome: 'unchanged' | 'skipped' }
  | { op: 'say'; text: string; warning?: true }
  | { op: 'manual'; lines: string[] }
  | { op: 'rest'; path: string; settings: { name: string; value: number | boolean; accept: string[] }[] }
  | {
      op: 'probe';
      argv: Argv;
      session?: true;
      match?: string;
      /** Done when the output holds this fact's value (read by the executor itself), whatever its case. */
      matchFact?: Fact;
      set: string;
    }
  | {
      op: 'certificate';
      argv: Argv;
      session?: true;
      /**
       * `Expiry Date : DATE` lines (the earliest counts); the word `revoked` anywhere. Valid within `warnDays`
       * of its end is valid with a warning: the date, the days left, then `nearEnd`.
       */
      expiryKey: string;
      revokedWord: string;
      warnDays: number;
      nearEnd: string;
      lines: KeyLines;
    }
  | { op: 'identity'; argv: Argv; key: string; want: string; lines: KeyLines }
  | { op: 'config-merge'; argv: Argv; planned: string; repeated: string[]; lines: KeyLines }
  | {
      op: 'legacy-guard';
      argv: Argv;
      session?: true;
      nameKey: string;
      versionKey: string;
      /** A version older than this is legacy (missing parts are 0: "8" is 8.0); one of only zeros is unknown. */
      before: string;
      known: string[];
      lines: KeyLines;
      /** What stops the run, the hosts found in place of `{hosts}`. */
      stop: string;
    }
  | { op: 'write-file'; name: StepFile['name']; from: 'secret' | 'content' | 'fact'; value: string }
  | {
      op: 'run';
      argv: Argv;
      session?: true;
      /** Text for the command's standard input, or the lines config-merge computed. */
      stdin?: { text: string } | { from: 'config-merge' };
      expectExit: number[];
      /** Recorded as owed before the command runs; taken back when it fails with a status of its own. */
      owes?: string[];
      /** A failure is harmless, for this reason: the step goes on, the flag `tolerated` set. */
      tolerate?: string;
      /** The output holds a secret of this shape: saved to a 0600 file, never shown. */
      capture?: { secret: 'token'; shape: string };
      /**
       * The output holds a fact other hosts' steps need (the CA fingerprint), in this shape (an extended regular
       * expression): when exactly one is there, it is reported, and the Ansible role hands it on.
       */
      fact?: { name: Fact; shape: string; unclear: string };
      interrupts?: true;
      /** A read-only command: it runs in check mode too, and never reports a change. */
      read?: true;
    }
  | { op: 'state-add'; key: string }
  | { op: 'state-remove'; key: string }
  | { op: 'retire'; secret: 'token' }
  | { op: 'stop'; code: number; text: string }
  /** Stop, waiting (exit 4), for what the executor brings next: the wave's token, or a reissue token it makes. */
  | { op: 'wait'; for: 'token' | 'reissue-token'; argv?: Argv }
);

export type OperationName = Operation['op'];

/** Every operation by name, with what it does: the one list interpreters and their checks derive from. */
export const OPERATION_NAMES = {
  gate: 'stop (exit 4) unless the stage was chosen: the fleet must be ready first',
  skip: 'end the step, unchanged, saying why',
  say: 'print a line (a warning with warning: true)',
  manual: "a person's step: confirmed, asked on a terminal, or the run stops (exit 4)",
  rest: 'read the security properties, and POST only the fields that differ',
  probe: 'run a read-only command; set the flag when it exits 0 (and its output matches)',
  certificate: 'read the host certificate: set cert-valid (warning near its end) or cert-reissue, saying why',
  identity: 'stop when the host holds another value for an identity key',
  'config-merge': 'read the configuration; compute what differs (repeated keys merged); set config-same',
  'legacy-guard': 'stop when the domain knows a legacy host the answers do not list',
  'write-file': 'write a file the command takes: from a secret (0600), the plan, or a fact',
  run: 'run the command; a status not in expectExit fails the step, unless tolerated',
  'state-add': 'add a line to the host state',
  'state-remove': 'remove a line from the host state',
  retire: 'remove the captured secret, and mark it retired',
  stop: 'end the run with this status and text',
  wait: 'end the run waiting (exit 4) for a token the executor brings, saying which',
} as const satisfies Record<OperationName, string>;

/** How `nbgetconfig` and `nbemmcmd -listhosts -verbose` write a value (a new object each: no YAML aliases). */
const equals = (): KeyLines => ({ separator: '=' });
/** How `nbcertcmd -listCertDetails` does. */
const colon = (): KeyLines => ({ separator: ':' });

/** The first version that is not legacy (isLegacy: 8.0 and earlier). */
export const LEGACY_BEFORE = '8.1';

/** Why the legacy guard stops a run: `{hosts}` is each host found, with its version. */
export const LEGACY_GUARD_STOP =
  'the domain knows {hosts}, at 8.0 or earlier and not in the answers: turning insecure communication off would ' +
  'cut them off. Upgrade or decommission them, or add them to the answers (insecure communication then stays ' +
  'on), and run again';

const argvOf = (c: PlanCommand): Argv => [c.file, ...c.argv];
const session = (s: Step): { session?: true } => (s.session ? { session: true } : {});
const writes = (files: StepFile[] = [], cond: Condition[] = []): Operation[] =>
  files.flatMap((f): Operation[] => [
    // Where each host's wave brings its token (the Ansible role), a host without one waits for it.
    ...(f.secret === 'token'
      ? [{ if: ['token-wait', '!secret:token', ...cond], op: 'wait' as const, for: 'token' as const }]
      : []),
    {
      ...(cond.length ? { if: cond } : {}),
      op: 'write-file',
      name: f.name,
      ...(f.secret
        ? { from: 'secret', value: f.secret }
        : f.fact
          ? { from: 'fact', value: f.fact }
          : { from: 'content', value: (f.content ?? '').trimEnd() }),
    },
  ]);

/** Why no fingerprint is handed on when the primary shows several (a CA migration): `{count}` of them. */
export const FINGERPRINT_UNCLEAR =
  "the primary shows {count} SHA-256 CA fingerprints, so none is handed on: the hosts' CA step stays a person's " +
  '(put the right one in certificates.caFingerprint)';

/** What the lowering needs beyond the step: its place among the host's steps and the host's values. */
export interface LoweringContext {
  host: HostPlan;
  /** Steps that run only if this one changed something (Step.onlyIfChanged names it). */
  owedBy: readonly string[];
  /** The first step of a gated stage: the run stops here unless that stage is chosen. */
  gate?: StageId;
}

/** The steps that wait on each step's change, by id: each owes them when it runs. */
export function owedByStep(steps: readonly Step[]): Map<string, string[]> {
  const owed = new Map<string, string[]>();
  for (const s of steps) if (s.onlyIfChanged) owed.set(s.onlyIfChanged, [...(owed.get(s.onlyIfChanged) ?? []), s.id]);
  return owed;
}

/** The first step of each gated stage, by id. */
export function gateOf(steps: readonly Step[], i: number): StageId | undefined {
  const s = steps[i]!;
  return GATED_STAGES.includes(s.stage) && steps[i - 1]?.stage !== s.stage ? s.stage : undefined;
}

/** One step, lowered: the decision order of DESIGN.md, written once. */
export function lowerStep(step: Step, ctx: LoweringContext): Operation[] {
  const ops: Operation[] = [];
  if (ctx.gate) ops.push({ op: 'gate', stage: ctx.gate });
  if (step.apiKeyReplaces)
    ops.push({
      if: ['api-key'],
      op: 'skip',
      say: 'not needed: the API key stands in for the login',
      outcome: 'skipped',
    });
  if (step.manual) {
    if (step.rest) {
      ops.push({
        if: ['rest-api'],
        op: 'rest',
        path: step.rest.path,
        settings: step.rest.settings.map((x) => ({ name: x.name, value: x.value, accept: x.accept ?? [] })),
      });
    }
    if (step.withFact) {
      // Where the executor read the fact itself (the Ansible role), the person's check becomes a command.
      const f = [`fact:${step.withFact.fact}`];
      ops.push(
        {
          if: f,
          op: 'probe',
          argv: argvOf(step.withFact.done.command),
          matchFact: step.withFact.fact,
          set: 'done',
        },
        { if: [...f, 'done'], op: 'skip', say: 'already done', outcome: 'unchanged' },
        ...writes(step.withFact.files, f),
        { if: f, op: 'run', argv: argvOf(step.withFact.command), expectExit: [0] },
      );
    }
    const unless = [...(step.rest ? ['!rest-api'] : []), ...(step.withFact ? [`!fact:${step.withFact.fact}`] : [])];
    ops.push({ ...(unless.length ? { if: unless } : {}), op: 'manual', lines: step.instructions ?? [] });
    return ops;
  }
  const cmd = step.command!;
  if (step.perWave)
    ops.push({ if: ['per-wave'], op: 'skip', say: 'the rollout makes this per wave of hosts', outcome: 'skipped' });
  if (step.once)
    ops.push({
      if: [`state:${step.id}`],
      op: 'skip',
      say: 'done in an earlier run: it is done once',
      outcome: 'skipped',
    });
  if (step.skipIfCaptured)
    ops.push({
      if: ['token-at-hand'],
      op: 'skip',
      say: 'skipped: the token captured earlier is at hand',
      outcome: 'skipped',
    });
  if (step.onlyIfChanged)
    ops.push({
      if: [`!state:owed ${step.id}`],
      op: 'skip',
      say: 'skipped: nothing changed that needs it',
      outcome: 'skipped',
    });
  // A certificate step: what the listing says decides between done, a reissue, and a first certificate.
  const reissue = step.done?.certificate ? step.reissue : undefined;
  if (step.done?.certificate && reissue) {
    ops.push(
      {
        op: 'certificate',
        argv: argvOf(step.done.command),
        ...session(step),
        expiryKey: 'Expiry Date',
        revokedWord: 'revoked',
        warnDays: step.done.certificate.warnDays,
        nearEnd:
          'certificates renew themselves 180 days before expiry, so renewal has failed here: run ' +
          'nbcertcmd -renewCertificate',
        lines: colon(),
      },
      { if: ['cert-valid'], op: 'skip', say: 'already done', outcome: 'unchanged' },
      ...(reissue.tokenCommand
        ? [
            {
              if: ['token-wait', '!reissue', 'cert-reissue'],
              op: 'wait' as const,
              for: 'reissue-token' as const,
              argv: argvOf(reissue.tokenCommand),
            },
          ]
        : []),
      {
        if: ['!reissue', 'cert-reissue'],
        op: 'stop',
        code: 1,
        text:
          `The host certificate needs a reissue token: create it ${reissue.tokenHowTo}, then run again with ` +
          'it (apply --reissue --token-file FILE; the scripts: NBSECURE_REISSUE=1 and NBSECURE_TOKEN_FILE).',
      },
      { if: ['cert-reissue'], op: 'say', text: 'a new certificate is fetched with the reissue token (-force)' },
    );
  } else if (step.done) {
    ops.push(
      {
        op: 'probe',
        argv: argvOf(step.done.command),
        ...session(step),
        ...(step.done.outputMatches ? { match: step.done.outputMatches } : {}),
        set: 'done',
      },
      { if: ['done'], op: 'skip', say: 'already done', outcome: 'unchanged' },
    );
  }
  for (const key of step.keepsIdentity?.keys ?? []) {
    const want = ctx.host.config.find((c) => c.key === key)?.value ?? '';
    ops.push({ op: 'identity', argv: argvOf(step.keepsIdentity!.read), key, want, lines: equals() });
  }
  if (step.mergeRepeatedKeys) {
    ops.push(
      {
        op: 'config-merge',
        argv: argvOf(step.mergeRepeatedKeys.read),
        planned: step.stdin ?? '',
        repeated: step.mergeRepeatedKeys.keys,
        lines: equals(),
      },
      { if: ['config-same'], op: 'skip', say: 'no changes: the configuration already matches', outcome: 'unchanged' },
    );
  }
  if (step.guard) {
    ops.push({
      op: 'legacy-guard',
      argv: argvOf(cmd),
      ...session(step),
      nameKey: 'MachineName',
      versionKey: 'NetBackupVersion',
      before: LEGACY_BEFORE,
      known: step.guard.known,
      lines: equals(),
      stop: LEGACY_GUARD_STOP,
    });
    return ops;
  }
  if (step.interruptsService) ops.push({ op: 'say', text: 'This interrupts running backup and restore jobs.' });
  const run = (argv: Argv, cond?: Condition[]): Operation => ({
    ...(cond ? { if: cond } : {}),
    op: 'run',
    argv,
    ...session(step),
    ...(step.mergeRepeatedKeys
      ? { stdin: { from: 'config-merge' as const } }
      : step.stdin !== undefined
        ? { stdin: { text: step.stdin } }
        : {}),
    expectExit: step.expectExit,
    ...(ctx.owedBy.length ? { owes: [...ctx.owedBy] } : {}),
    ...(step.tolerateFailure ? { tolerate: step.tolerateFailure } : {}),
    ...(step.capturesSecret ? { capture: { secret: step.capturesSecret, shape: TOKEN_SHAPE } } : {}),
    ...(step.capturesFact
      ? { fact: { name: step.capturesFact, shape: SHA256_FINGERPRINT_SHAPE, unclear: FINGERPRINT_UNCLEAR } }
      : {}),
    ...(step.interruptsService ? { interrupts: true as const } : {}),
    ...(step.effect === 'read' ? { read: true as const } : {}),
  });
  if (reissue) {
    ops.push(...writes(reissue.files, ['cert-reissue']), run(argvOf(reissue.command), ['cert-reissue']));
    ops.push(...writes(step.files, ['!cert-reissue']), run(argvOf(cmd), ['!cert-reissue']));
  } else {
    ops.push(...writes(step.files), run(argvOf(cmd)));
  }
  if (step.onlyIfChanged) ops.push({ if: ['!tolerated'], op: 'state-remove', key: `owed ${step.id}` });
  if (step.once) ops.push({ op: 'state-add', key: step.id });
  if (step.retiresCaptured) ops.push({ if: ['!tolerated'], op: 'retire', secret: step.retiresCaptured });
  return ops;
}

/** Every step of a host, lowered. */
export function lowerHost(host: HostPlan): Operation[][] {
  const owed = owedByStep(host.steps);
  return host.steps.map((s, i) => {
    const gate = gateOf(host.steps, i);
    return lowerStep(s, { host, owedBy: owed.get(s.id) ?? [], ...(gate ? { gate } : {}) });
  });
}

/** The host with each step carrying its operations, under their version (plan.json, CONTRACT 1.2). */
export function withOperations(host: HostPlan): HostPlan {
  const lowered = lowerHost(host);
  return {
    ...host,
    steps: host.steps.map((s, i) => ({ ...s, operations: { version: OPERATIONS_VERSION, list: lowered[i]! } })),
  };
}
