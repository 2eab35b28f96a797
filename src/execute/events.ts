import type { Os, Role } from '../environment/types.js';
import type { Arg, StageId } from '../plan/types.js';
import type { SecretKind } from './token.js';

/** What became of a step in this run. */
export type StepOutcome = 'changed' | 'unchanged' | 'skipped' | 'failed';

/** A NetBackup status the run stopped on, explained from the catalogue. */
export interface StatusInfo {
  code: number;
  meaning: string;
  cause: string;
  remedy: string;
}

/** Where and why a run stopped before its last step, and what continues it. */
export interface Stop {
  kind: 'failed' | 'manual' | 'waiting' | 'interrupted' | 'declined';
  step?: string;
  /** Step title, for views that name it. */
  title?: string;
  reason: string;
  status?: StatusInfo;
  /** The command that continues the run (argv), when there is one. */
  next?: string[];
}

export interface ApplyResult {
  exitCode: number;
  host: string;
  dryRun: boolean;
  /** The one stage run (apply --stage), if one was chosen. */
  stage?: StageId;
  /** Steps that changed the host in this run. */
  changes: number;
  /** Every step reached in this run, in order, with what became of it. */
  steps: { id: string; outcome: StepOutcome; detail?: string }[];
  stopped?: Stop;
  journal?: string;
}

/** One step as the dry run shows it: the exact command and stdin, and the same in words. */
export interface DryRunStep {
  id: string;
  title: string;
  stage: StageId;
  manual: boolean;
  doneEarlier: boolean;
  run?: { file: string; argv: Arg[]; stdin?: string };
  /** The dry run's text for this step, as the CLI prints it. */
  lines: string[];
}

/**
 * What the executor says while it works (DESIGN.md, "The executor speaks in events"). Every text in
 * an event is already redacted. Views turn them into text, Ink components or JSON lines.
 */
export type ApplyEvent =
  | { type: 'notice'; step?: string; level: 'info' | 'warning'; text: string }
  | {
      type: 'dry-run';
      host: string;
      role: Role;
      os: Os;
      plan: string;
      dryRun: boolean;
      steps: DryRunStep[];
      /** The gated stage this run stops before (apply without --stage on the primary). */
      waitsAt?: StageId;
    }
  | { type: 'step-start'; step: string; title: string; index: number; total: number; manual: boolean }
  | { type: 'output'; step: string; line: string }
  | { type: 'step-done'; step: string; outcome: StepOutcome; detail?: string; ms?: number; exit?: number }
  | { type: 'manual-needed'; step: string; title: string; instructions: string[] }
  | { type: 'secret-needed'; step: string; secret: SecretKind; asking: boolean }
  | { type: 'waiting'; for: 'fleet' | 'approval' | 'one-time-password'; stage?: StageId; text: string }
  | { type: 'interrupted'; step: string; signal: string }
  | { type: 'result'; result: ApplyResult };

export type ApplyEventListener = (event: ApplyEvent) => void;
