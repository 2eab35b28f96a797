import type { Operation, OPERATIONS_VERSION } from './operations.js';
import type { SecurityField } from '../catalogue/rest.js';
import type { Os, Role, Zone } from '../environment/types.js';

/** A file the executor writes at run time and hands to the command by its path. */
export type FileName = 'token' | 'ca-fingerprint' | 'passphrase';
export interface FileArg {
  file: FileName;
}
/** One argument: text as given, or a file the executor writes (never a string parsed back apart). */
export type Arg = string | FileArg;

export interface PlanCommand {
  /** Absolute path of the executable on the host, for its OS and install root. */
  file: string;
  /** What every executor runs: the arguments, with typed file arguments. */
  argv: Arg[];
  /** The same arguments as text (plan.json 1.0), a file shown as `{file:NAME}`: for reading, never run. */
  args: string[];
}

/**
 * A file a step needs on disk, named by the step's `{ file: NAME }` arguments. A `secret` file's
 * content is never in the plan: it is supplied at apply time and written with mode 0600, then removed.
 */
export interface StepFile {
  name: FileName;
  secret?: 'token' | 'passphrase';
  content?: string;
  /** Written from a fact the executor read on another host (see Step.withFact), never from the plan. */
  fact?: Fact;
}

/** A fact read on one host that other hosts' steps need: the CA's SHA-256 fingerprint, read on the primary. */
export type Fact = 'caFingerprint';

/** "Already done" when this read-only command exits 0 (and its output matches, if given). */
export interface DoneCheck {
  command: PlanCommand;
  outputMatches?: string;
  /**
   * The output lists a certificate: done only while it is valid (not expired, not revoked); within
   * `warnDays` of expiry it says so. An expired or revoked one needs the step's `reissue` command.
   */
  certificate?: { warnDays: number };
}

export type StageId = 'prepare' | 'media' | 'clients' | 'tighten' | 'verify';

/** One stage of the rollout in plan.json: the hosts with steps in it, and those steps, in order. */
export interface Stage {
  id: StageId;
  title: string;
  hosts: { name: string; steps: string[] }[];
}

/** One global security setting a REST step compares and, where it differs, sets. */
export interface RestSetting {
  name: SecurityField;
  value: number | boolean;
  /** Other spellings of the same value the primary may answer with (the DTE mode's name for its number). */
  accept?: string[];
  verifyForYourVersion?: string;
}

/**
 * The REST form of a step, run when an API key is given: read the settings, compare, and POST only the
 * fields that differ. Without a key the step is a person's (its instructions give the same call as curl).
 */
export interface RestStep {
  path: '/security/properties';
  settings: RestSetting[];
}

export interface Step {
  id: string;
  host: string;
  /** The rollout stage the step belongs to (see stages.ts). */
  stage: StageId;
  title: string;
  why: string;
  /** Absent on manual steps: nothing pretends a person's action is a command. */
  command?: PlanCommand;
  stdin?: string;
  /**
   * Repeated keys in stdin that replace the host's whole set when written: the runner first reads
   * them with `read` and appends the host's other values, so nothing already there is lost.
   */
  mergeRepeatedKeys?: { keys: string[]; read: PlanCommand };
  /**
   * Keys that are the host's identity (CLIENT_NAME on an installed host): written only where the
   * host has none; a different value already there stops the step instead of replacing it.
   */
  keepsIdentity?: { keys: string[]; read: PlanCommand };
  manual: boolean;
  /** What a person does, for manual steps; each line a sentence or a command to type. */
  instructions?: string[];
  /** `change` steps alter the host; `read` steps only look (they run in a dry run's checks). */
  effect: 'change' | 'read';
  files?: StepFile[];
  expectExit: number[];
  done?: DoneCheck;
  /** Run only when the named step really ran (not skipped as already done). */
  onlyIfChanged?: string;
  /** Stops NetBackup services: running jobs are interrupted. */
  interruptsService?: boolean;
  /** The command prints a secret (the token) that must be captured, never shown. */
  capturesSecret?: 'token';
  /**
   * Skipped while the secret an earlier run captured is at hand (apply: STATE/HOST/token; the
   * scripts: NBSECURE_TOKEN_OUT or ./nbsecure-token). Without its value a token is useless.
   */
  skipIfCaptured?: 'token';
  /**
   * What replaces the command when the done-check finds the certificate expired or revoked: a new
   * certificate with a reissue token (single use, bound to the host), given with --reissue.
   */
  reissue?: {
    command: PlanCommand;
    files: StepFile[];
    tokenHowTo: string;
    /**
     * The primary's command that makes this host's reissue token (single use, bound to the host): a fleet
     * rollout runs it on the primary, in the host's wave, when it finds the certificate expired or revoked.
     */
    tokenCommand?: PlanCommand;
  };
  /**
   * Done once it succeeded in any earlier run of this plan on this host (revoking a certificate twice
   * is not a second change): apply reads its journal, the scripts a state file beside them.
   */
  once?: boolean;
  /**
   * After it succeeds, the captured secret is retired: its file removed, and a marker left so that the
   * steps that create it (skipIfCaptured) do not make another one (the rollout's token, deleted last).
   */
  retiresCaptured?: 'token';
  /**
   * A rollout-token step on the primary that a fleet rollout (Ansible) does per wave instead: one token for the
   * hosts of a wave that still need one (-maxUses that many, the name with the wave's number), deleted when
   * the wave ends; the verify stage's delete removes any a failed wave left. apply and the scripts run it as is.
   * A wave's token lives `validFor` (short: a wave takes minutes, and its token is deleted when it ends).
   */
  perWave?: { validFor: string };
  /** A failure here is expected and harmless, for this reason (a token to delete may not exist). */
  tolerateFailure?: string;
  /**
   * A condition on a read step's output that stops the run when it fails: here, hosts at 8.0 or
   * earlier that the domain knows and the answers do not list (they would lose contact).
   */
  guard?: { kind: 'no-unlisted-legacy-hosts'; known: string[] };
  /** Set when the step rests on an unconfirmed catalogue entry. */
  verifyForYourVersion?: string;
  /**
   * The command acts for an authenticated administrator: with an API key at hand it runs with
   * NETBACKUP_APIKEY in its environment (and no other command gets the key).
   */
  session?: boolean;
  /** A person's login that an API key stands in for: with a key, the step is done without asking. */
  apiKeyReplaces?: boolean;
  /** The REST call this manual step becomes when an API key is given. */
  rest?: RestStep;
  /**
   * The output holds a fact other hosts' steps need (the CA's SHA-256 fingerprint). An executor that reaches
   * every host over its own authenticated connection (the Ansible rollout) reads it here and hands it on.
   */
  capturesFact?: Fact;
  /**
   * The command this manual step becomes where the executor read the fact itself: its files take the fact's
   * value, and it is done when the done-check's output lists the value. apply and the scripts, which run on
   * one host, keep the step a person's.
   */
  withFact?: { fact: Fact; command: PlanCommand; files: StepFile[]; done: DoneCheck };
  /**
   * The step lowered into Step operations (operations.ts), what the interpreters run; absent only from plans
   * written before version 2 of the operations, which are lowered when they are read.
   */
  operations?: { version: typeof OPERATIONS_VERSION; list: Operation[] };
}

export interface ConfigEntry {
  key: string;
  value: string;
  verifyForYourVersion?: string;
}

/** What a host needs for its certificate: the runbook's overview says it once per host. */
export interface CertificateNeed {
  kind: 'nbca-primary' | 'token' | 'no-token' | 'external-ca' | 'none';
  /** Short, for a table cell: why a token, or why none. */
  why: string;
}

/** One line of install answers: a setting, or a comment for the person installing. */
export type InstallLine = { key: string; value: string } | { comment: string };

/**
 * The answers a host's installer is given (hosts not installed yet): the vendor's NBInstallAnswer.conf
 * on UNIX, the settings of its silent-install script on Windows. Never a token.
 */
export interface InstallAnswers {
  /** The file name the answers are written to. */
  file: string;
  kind: 'unix' | 'windows';
  lines: InstallLine[];
}

export interface HostPlan {
  name: string;
  role: Role;
  os: Os;
  version: string;
  zone: Zone;
  /** Media servers: whether they offer the HTTP tunnel to DMZ clients. */
  tunnel?: boolean;
  /** DMZ clients: the media servers they tunnel through, first choice first (empty: any that tunnels). */
  tunnelVia?: string[];
  installed: boolean;
  installPath: string;
  /**
   * The install roots to look for, in order, when the answers give none for an installed Windows host:
   * the executor finds the one on the host (the registry's install folder, else the folder that exists)
   * and runs every command under it instead of installPath, which is the first candidate.
   */
  installPathCandidates?: string[];
  certificate: CertificateNeed;
  /** What the installer is given, for a host not installed yet. */
  installAnswers?: InstallAnswers;
  /** bp.conf entries in order; repeated keys repeat. */
  config: ConfigEntry[];
  /** Keys this plan owns on the host: the only ones apply compares or writes. */
  ownedKeys: string[];
  /** Why each owned key is set, once per key. */
  keyNotes: { key: string; why: string }[];
  steps: Step[];
}

export type Priority = 'critical' | 'high' | 'medium' | 'low';

export interface HardeningItem {
  id: string;
  priority: Priority;
  title: string;
  why: string;
  how: string[];
  /** done: the answers say it is in place; todo: it is not; unknown: the answers do not say. */
  status: 'todo' | 'unknown' | 'done';
  /** Steps of this plan that carry it out, where the product can do it safely. */
  stepIds: string[];
  source: string;
}

/** Where the primary's REST API is and how to trust it: the CA fingerprint the administrator confirmed. */
export interface PrimaryApi {
  url: string;
  caFingerprint?: string;
}

export interface Plan {
  version: 1;
  digest: string;
  /** sha256 of the normalised answers: a plan made from other answers is stale. */
  answersDigest: string;
  primary: string;
  /** The primary's REST API, used only when an API key is given at apply time. */
  api: PrimaryApi;
  /** The rollout in order: prepare, media, clients, tighten, verify. */
  stages: Stage[];
  hosts: HostPlan[];
  hardening: HardeningItem[];
  warnings: string[];
}
