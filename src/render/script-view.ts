import { MEDIA_TYPE, MFA_HEADER, MFA_OTP_FIELD } from '../catalogue/rest.js';
import { apiUrlOf } from '../plan/api.js';
import { TOKEN_SHAPE } from '../catalogue/token-shape.js';
import { STATUS_LINE } from '../catalogue/statuses.js';
import { isFileArg } from '../plan/args.js';
import { GATED_STAGES } from '../plan/stages.js';
import type { Fact, FileName, HostPlan, Plan, PlanCommand, RestStep, StageId, Step, StepFile } from '../plan/types.js';
import { fileLabel } from './display.js';
import { oneLine } from './quote.js';
import type { Operation } from '../plan/operations.js';

/**
 * A command as a script holds it: its words (a file argument shown by its label until the step writes
 * the file) and where the file arguments are, by position in the words (the command is word 0).
 */
export interface ScriptCommand {
  words: string[];
  files: { index: number; file: FileName }[];
}

/** A file a step writes before its command runs: from a secret at run time, or with content from the plan. */
export interface ScriptFile {
  name: FileName;
  /** A secret's kind, the content itself, or the fact whose value the Ansible role read on the primary. */
  kind: 'secret' | 'content' | 'fact';
  value: string;
}

/**
 * One step as the scripts' step library reads it (lib.sh, lib.ps1): plain data from the plan, the same
 * for every dialect; each template only spells it. Nothing here decides anything the plan did not.
 */
export interface StepData {
  id: string;
  stage: StageId;
  /** The first step of a stage that waits for the fleet: the script stops here unless that stage is chosen. */
  gate?: StageId;
  title: string;
  why: string;
  marker?: string;
  manual?: string[];
  argv?: ScriptCommand;
  stdin?: string;
  files: ScriptFile[];
  done?: ScriptCommand;
  doneMatch?: string;
  /** A certificate step: the validity of what the done-check lists, and the reissue command. */
  certWarnDays?: number;
  reissue?: { argv: ScriptCommand; files: ScriptFile[]; howTo: string; token?: ScriptCommand };
  /** A token step the Ansible role does per wave instead (Step.perWave); the scripts run it as is. */
  perWave?: { validFor: string };
  /** The read of the host's configuration, and the repeated keys to merge. */
  merge?: { names: string[]; read: ScriptCommand };
  /** Identity keys to keep: the step stops if the host holds another value (see Step.keepsIdentity). */
  identity?: { names: string[]; wants: string[]; read: ScriptCommand };
  /** The step changes the host when it runs (a read-only step never reports a change). */
  changes: boolean;
  captures: boolean;
  skipIfCaptured: boolean;
  once: boolean;
  retires: boolean;
  tolerate?: string;
  /** Hosts the answers name (DNS names): a listed 8.0 host not among them stops the script. */
  legacyKnown?: string[];
  onlyIfChanged?: string;
  /** Steps that run only if this one changed something: owed in the state file when it does. */
  owes: string[];
  interrupts: boolean;
  /** Acts as an administrator: the Ansible role hands it the API key in NETBACKUP_APIKEY, if one is given. */
  session?: true;
  /** A login the API key stands in for: the Ansible role skips it when a key is given. */
  apiKeyReplaces?: true;
  /** The step's REST form, which the Ansible role runs on the primary when a key is given. */
  rest?: {
    url: string;
    primary: string;
    fingerprint: string;
    mediaType: string;
    mfaHeader: string;
    otpField: string;
    settings: { name: string; value: number | boolean; accept: string[] }[];
  };
  /** A fact in the output (the CA fingerprint) the Ansible role hands on to the other hosts. */
  capturesFact?: Fact;
  /** The command this person's step becomes where the Ansible role read the fact itself (Step.withFact). */
  withFact?: { fact: Fact; argv: ScriptCommand; files: ScriptFile[]; done: ScriptCommand };
  /** The step's Step operations, which lib.sh interprets. */
  operations: Operation[];
}

function scriptCommand(cmd: PlanCommand): ScriptCommand {
  return {
    words: [cmd.file, ...cmd.argv.map((a) => (isFileArg(a) ? fileLabel(a.file) : a))],
    files: cmd.argv.flatMap((a, i) => (isFileArg(a) ? [{ index: i + 1, file: a.file }] : [])),
  };
}

function scriptFiles(files: StepFile[]): ScriptFile[] {
  return files.map((f): ScriptFile => {
    if (f.secret) return { name: f.name, kind: 'secret', value: f.secret };
    if (f.fact) return { name: f.name, kind: 'fact', value: f.fact };
    return { name: f.name, kind: 'content', value: (f.content ?? '').trimEnd() };
  });
}

function restData(plan: Plan, rest: RestStep): StepData['rest'] {
  return {
    url: `${apiUrlOf(plan)}${rest.path}`,
    primary: plan.primary,
    fingerprint: plan.api?.caFingerprint ?? '',
    mediaType: MEDIA_TYPE,
    mfaHeader: MFA_HEADER,
    otpField: MFA_OTP_FIELD.name,
    settings: rest.settings.map((x) => ({ name: x.name, value: x.value, accept: x.accept ?? [] })),
  };
}

function stepData(plan: Plan, s: Step, owedBy: ReadonlyMap<string, string[]>, config: HostPlan['config']): StepData {
  return {
    id: s.id,
    stage: s.stage,
    operations: s.operations?.list ?? [],
    title: oneLine(s.title),
    why: oneLine(s.why),
    ...(s.verifyForYourVersion ? { marker: oneLine(s.verifyForYourVersion) } : {}),
    ...(s.manual ? { manual: s.instructions ?? [] } : {}),
    ...(s.command ? { argv: scriptCommand(s.command) } : {}),
    ...(s.stdin !== undefined ? { stdin: s.stdin } : {}),
    files: scriptFiles(s.files ?? []),
    ...(s.done
      ? { done: scriptCommand(s.done.command), ...(s.done.outputMatches ? { doneMatch: s.done.outputMatches } : {}) }
      : {}),
    ...(s.done?.certificate && s.reissue
      ? {
          certWarnDays: s.done.certificate.warnDays,
          reissue: {
            argv: scriptCommand(s.reissue.command),
            files: scriptFiles(s.reissue.files),
            howTo: s.reissue.tokenHowTo,
            ...(s.reissue.tokenCommand ? { token: scriptCommand(s.reissue.tokenCommand) } : {}),
          },
        }
      : {}),
    ...(s.mergeRepeatedKeys
      ? { merge: { names: s.mergeRepeatedKeys.keys, read: scriptCommand(s.mergeRepeatedKeys.read) } }
      : {}),
    ...(s.keepsIdentity
      ? {
          identity: {
            names: s.keepsIdentity.keys,
            wants: s.keepsIdentity.keys.map((key) => config.find((c) => c.key === key)?.value ?? ''),
            read: scriptCommand(s.keepsIdentity.read),
          },
        }
      : {}),
    changes: s.effect === 'change',
    captures: s.capturesSecret === 'token',
    skipIfCaptured: s.skipIfCaptured === 'token',
    once: Boolean(s.once),
    retires: s.retiresCaptured === 'token',
    ...(s.tolerateFailure ? { tolerate: s.tolerateFailure } : {}),
    ...(s.guard ? { legacyKnown: s.guard.known } : {}),
    ...(s.onlyIfChanged ? { onlyIfChanged: s.onlyIfChanged } : {}),
    owes: owedBy.get(s.id) ?? [],
    interrupts: Boolean(s.interruptsService),
    ...(s.session ? { session: true as const } : {}),
    ...(s.apiKeyReplaces ? { apiKeyReplaces: true as const } : {}),
    ...(s.rest ? { rest: restData(plan, s.rest) } : {}),
    ...(s.capturesFact ? { capturesFact: s.capturesFact } : {}),
    ...(s.perWave ? { perWave: { validFor: s.perWave.validFor } } : {}),
    ...(s.withFact
      ? {
          withFact: {
            fact: s.withFact.fact,
            argv: scriptCommand(s.withFact.command),
            files: scriptFiles(s.withFact.files),
            done: scriptCommand(s.withFact.done.command),
          },
        }
      : {}),
  };
}

/** What a host's script template is given: the host, and its steps as data for the step library. */
export function scriptView(plan: Plan, host: HostPlan) {
  // A restart owed after a setting changed survives a failed run: the scripts keep it in their state file.
  const owedBy = new Map<string, string[]>();
  for (const s of host.steps) {
    if (s.onlyIfChanged) owedBy.set(s.onlyIfChanged, [...(owedBy.get(s.onlyIfChanged) ?? []), s.id]);
  }
  return {
    host,
    digest: plan.digest,
    primary: plan.primary,
    tokenShape: TOKEN_SHAPE,
    statusLine: STATUS_LINE,
    steps: host.steps.map((s, i, all): StepData => ({
      ...stepData(plan, s, owedBy, host.config),
      ...(GATED_STAGES.includes(s.stage) && all[i - 1]?.stage !== s.stage ? { gate: s.stage } : {}),
    })),
  };
}
