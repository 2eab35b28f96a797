import { GATED_STAGES } from '../plan/stages.js';
import { FILE_PLACEHOLDER_RE } from '../plan/step.js';
import type { HostPlan, Plan, PlanCommand, StageId, Step, StepFile } from '../plan/types.js';
import { oneLine } from './quote.js';

/** How one language spells things in a script; the templates only lay them out. */
export interface Dialect {
  quote(s: string): string;
  /** A reference to the variable holding a step file's path (see fileName). */
  fileRef(name: string): string;
  multiline(s: string): string;
  /** A list of plain words as one argument: bash gets them space-separated, PowerShell an array. */
  list(words: string[]): string;
  /** How the dialect spells a path under the install root found at run time (PowerShell only). */
  rootVariable?: (rest: string) => string;
  /** Where the install root is found on the host: a command under `plan` is spelt with `under(rest)`. */
  installRoot?: { plan: string; under(rest: string): string };
}

/** A command already quoted for the dialect: `file` and each of `args`, and `line`, all joined. */
export interface QuotedCommand {
  file: string;
  args: string[];
  line: string;
}

export interface ScriptStep {
  id: string;
  stage: StageId;
  /** The first step of a stage that waits for the fleet: the script stops here unless that stage is chosen. */
  gate?: StageId;
  title: string;
  why: string;
  marker?: string;
  manual?: string[];
  argv?: QuotedCommand;
  stdin?: string;
  done?: { argv: QuotedCommand; matches?: string };
  /** The read of the host's configuration, and the repeated keys to merge (quoted as one word, or a list). */
  merge?: { argv: QuotedCommand; keys: string };
  /** Identity keys to keep: the step stops if the host holds another value (see Step.keepsIdentity). */
  identity?: { key: string; want: string; argv: QuotedCommand }[];
  files: { name: string; ref: string; secret?: 'token' | 'passphrase'; content?: string }[];
  capturesToken: boolean;
  skipIfCaptured: boolean;
  once: boolean;
  retiresToken: boolean;
  /** A certificate step: its validity read from the done-check, and the reissue command. */
  cert?: {
    warnDays: number;
    argv: QuotedCommand;
    files: ScriptStep['files'];
    howTo: string;
  };
  tolerateFailure?: string;
  /** Hosts the answers name (DNS names): a listed 8.0 host not among them stops the script. */
  legacyGuard?: string[];
  onlyIfChanged?: string;
  /** Steps that run only if this one changed something: owed in the state file when it does. */
  owes: string[];
  interrupts: boolean;
}

/** `{file:ca-fingerprint}` → `ca_fingerprint_file`: a variable name valid in bash and PowerShell. */
export function fileName(placeholder: string): string {
  return `${placeholder.slice(6, -1).replace(/-/g, '_')}_file`;
}

function fileViews(files: StepFile[], d: Dialect): ScriptStep['files'] {
  return files.map((f) => ({
    name: fileName(f.placeholder),
    ref: d.fileRef(fileName(f.placeholder)),
    ...(f.secret ? { secret: f.secret } : {}),
    ...(f.content !== undefined ? { content: d.quote(f.content.trimEnd()) } : {}),
  }));
}

function argv(cmd: PlanCommand, d: Dialect): QuotedCommand {
  const file =
    d.installRoot && cmd.file.startsWith(d.installRoot.plan)
      ? d.installRoot.under(cmd.file.slice(d.installRoot.plan.length))
      : d.quote(cmd.file);
  const args = cmd.args.map((a) => (FILE_PLACEHOLDER_RE.test(a) ? d.fileRef(fileName(a)) : d.quote(a)));
  return { file, args, line: [file, ...args].join(' ') };
}

function scriptStep(
  s: Step,
  d: Dialect,
  owedBy: ReadonlyMap<string, string[]>,
  config: HostPlan['config'],
): ScriptStep {
  return {
    id: s.id,
    stage: s.stage,
    title: oneLine(s.title),
    why: oneLine(s.why),
    ...(s.verifyForYourVersion ? { marker: oneLine(s.verifyForYourVersion) } : {}),
    ...(s.manual ? { manual: s.instructions ?? [] } : {}),
    ...(s.command ? { argv: argv(s.command, d) } : {}),
    ...(s.stdin !== undefined ? { stdin: d.multiline(s.stdin) } : {}),
    ...(s.done
      ? {
          done: {
            argv: argv(s.done.command, d),
            ...(s.done.outputMatches ? { matches: d.quote(s.done.outputMatches) } : {}),
          },
        }
      : {}),
    ...(s.mergeRepeatedKeys
      ? { merge: { argv: argv(s.mergeRepeatedKeys.read, d), keys: d.list(s.mergeRepeatedKeys.keys) } }
      : {}),
    ...(s.keepsIdentity
      ? {
          identity: s.keepsIdentity.keys.map((key) => ({
            key: d.quote(key),
            want: d.quote(config.find((c) => c.key === key)?.value ?? ''),
            argv: argv(s.keepsIdentity!.read, d),
          })),
        }
      : {}),
    files: fileViews(s.files ?? [], d),
    capturesToken: s.capturesSecret === 'token',
    skipIfCaptured: s.skipIfCaptured === 'token',
    once: Boolean(s.once),
    retiresToken: s.retiresCaptured === 'token',
    ...(s.done?.certificate && s.reissue
      ? {
          cert: {
            warnDays: s.done.certificate.warnDays,
            argv: argv(s.reissue.command, d),
            files: fileViews(s.reissue.files, d),
            howTo: d.quote(s.reissue.tokenHowTo),
          },
        }
      : {}),
    ...(s.tolerateFailure ? { tolerateFailure: d.quote(`    a failure is fine: ${s.tolerateFailure}`) } : {}),
    ...(s.guard ? { legacyGuard: s.guard.known } : {}),
    ...(s.onlyIfChanged ? { onlyIfChanged: s.onlyIfChanged } : {}),
    owes: owedBy.get(s.id) ?? [],
    interrupts: Boolean(s.interruptsService),
  };
}

export function scriptView(plan: Plan, host: HostPlan, dialect: Dialect) {
  // A Windows host whose install root is found at run time: every command is spelt under it.
  const d: Dialect =
    host.installPathCandidates && dialect.rootVariable
      ? { ...dialect, installRoot: { plan: host.installPath, under: dialect.rootVariable } }
      : dialect;
  // A restart owed after a setting changed survives a failed run: the scripts keep it in their state file.
  const owedBy = new Map<string, string[]>();
  for (const s of host.steps) {
    if (s.onlyIfChanged) owedBy.set(s.onlyIfChanged, [...(owedBy.get(s.onlyIfChanged) ?? []), s.id]);
  }
  return {
    usesState: owedBy.size > 0 || host.steps.some((s) => s.once),
    host,
    digest: plan.digest,
    primary: plan.primary,
    quote: d.quote,
    installRootCandidates: host.installPathCandidates?.map((c) => d.quote(c)),
    steps: host.steps.map((s, i, all) => ({
      ...scriptStep(s, d, owedBy, host.config),
      ...(GATED_STAGES.includes(s.stage) && all[i - 1]?.stage !== s.stage ? { gate: s.stage } : {}),
    })),
  };
}
