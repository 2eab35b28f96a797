import { MEDIA_TYPE, MFA_HEADER, MFA_OTP_FIELD } from '../catalogue/rest.js';
import { apiUrlOf } from '../plan/api.js';
import { isFileArg } from '../plan/args.js';
import type { FileName, HostPlan, Plan, PlanCommand, RestStep, StageId, Step, StepFile } from '../plan/types.js';
import { fileLabel } from './display.js';

/** A command as the role reads it: its words, a file argument shown by its label, and where those are. */
interface RoleCommand {
  words: string[];
  files: { index: number; file: FileName }[];
}

/** A file a step writes: from a secret at run time, with content from the plan, or from a fact. */
interface RoleFile {
  name: FileName;
  kind: 'secret' | 'content' | 'fact';
  value: string;
}

/**
 * One step as the Ansible role reads it in host_vars, beside the host's script that runs it: which secrets
 * a stage takes (files, and a reissue's), the token steps its waves stand in for (argv, perWave, retires),
 * and the REST form its Python module runs from the control node. Nothing here is interpreted as a step.
 */
export interface RoleStep {
  id: string;
  stage: StageId;
  title: string;
  files: RoleFile[];
  argv?: RoleCommand;
  reissue?: { files: RoleFile[] };
  perWave?: { validFor: string };
  retires: boolean;
  rest?: {
    url: string;
    primary: string;
    fingerprint: string;
    mediaType: string;
    mfaHeader: string;
    otpField: string;
    settings: { name: string; value: number | boolean; accept: string[] }[];
  };
}

function roleCommand(cmd: PlanCommand): RoleCommand {
  return {
    words: [cmd.file, ...cmd.argv.map((a) => (isFileArg(a) ? fileLabel(a.file) : a))],
    files: cmd.argv.flatMap((a, i) => (isFileArg(a) ? [{ index: i + 1, file: a.file }] : [])),
  };
}

function roleFiles(files: StepFile[]): RoleFile[] {
  return files.map((f): RoleFile => {
    if (f.secret) return { name: f.name, kind: 'secret', value: f.secret };
    if (f.fact) return { name: f.name, kind: 'fact', value: f.fact };
    return { name: f.name, kind: 'content', value: (f.content ?? '').trimEnd() };
  });
}

function restData(plan: Plan, rest: RestStep): RoleStep['rest'] {
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

function roleStep(plan: Plan, s: Step): RoleStep {
  return {
    id: s.id,
    stage: s.stage,
    title: s.title,
    files: roleFiles(s.files ?? []),
    ...(s.command ? { argv: roleCommand(s.command) } : {}),
    ...(s.done?.certificate && s.reissue ? { reissue: { files: roleFiles(s.reissue.files) } } : {}),
    ...(s.perWave ? { perWave: { validFor: s.perWave.validFor } } : {}),
    retires: s.retiresCaptured === 'token',
    ...(s.rest ? { rest: restData(plan, s.rest) } : {}),
  };
}

/** A host's steps as its host_vars hold them. */
export function roleSteps(plan: Plan, host: HostPlan): RoleStep[] {
  return host.steps.map((s) => roleStep(plan, s));
}
