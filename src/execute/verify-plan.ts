import { COMMANDS, assertKnownFlags, needsSession, type CommandName, type CommandSpec } from '../catalogue/commands.js';
import { primaryApiUrl, REST, SECURITY_FIELDS } from '../catalogue/rest.js';
import { FINGERPRINT_RE, VALID_FOR_RE } from '../environment/patterns.js';
import { CONFIG_KEYS } from '../catalogue/config-keys.js';
import { StalePlanError } from '../errors.js';
import { pathForOsProblem, pathTextProblem } from '../environment/paths.js';
import { HOSTNAME_RE } from '../environment/patterns.js';
import { commandPath } from '../plan/paths.js';
import { argText, FILE_NAMES, isFileArg, textArgs } from '../plan/args.js';
import { lowerHost, OPERATIONS_VERSION } from '../plan/operations.js';
import { isStageId } from '../plan/stages.js';
import { patternProblem } from './pattern-safety.js';
import type { HostPlan, Plan, PlanCommand, Step } from '../plan/types.js';

const SECRETS = new Set(['token', 'passphrase']);

class Refused extends Error {}

function refuse(where: string, why: string): never {
  throw new Refused(`${where}: ${why}`);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Which catalogued command a path is on this host, or a refusal. */
function catalogued(host: HostPlan, cmd: unknown, where: string): { name: CommandName; spec: CommandSpec } {
  if (!isObject(cmd) || typeof cmd.file !== 'string' || !Array.isArray(cmd.argv) || !Array.isArray(cmd.args)) {
    refuse(where, 'its command is not a file with a list of arguments');
  }
  const argv: unknown[] = cmd.argv;
  if (!argv.every((a) => typeof a === 'string' || (isObject(a) && FILE_NAMES.includes(a.file as never)))) {
    refuse(where, 'an argument is neither text nor a file nbsecure writes');
  }
  // The text form is for reading only; one that says something else than what runs is an edit.
  const text = (argv as PlanCommand['argv']).map(argText);
  const args: unknown[] = cmd.args;
  if (text.length !== args.length || text.some((t, i) => t !== args[i])) {
    refuse(where, 'its args do not say what its argv runs');
  }
  const name = (Object.keys(COMMANDS) as CommandName[]).find((n) => {
    const spec: CommandSpec = COMMANDS[n];
    return (!spec.os || spec.os === host.os) && commandPath(host, n) === cmd.file;
  });
  if (!name) {
    refuse(where, `it runs ${cmd.file}, which is not a NetBackup command nbsecure knows at this host's install path`);
  }
  try {
    assertKnownFlags(name, textArgs(argv as PlanCommand['argv']));
  } catch {
    refuse(where, `it passes ${name} a flag that is not in nbsecure's catalogue`);
  }
  return { name, spec: COMMANDS[name] };
}

/** A file argument only as the value of a flag that takes a file, and declared by the step. */
function checkFileArguments(step: Step, cmd: PlanCommand, spec: CommandSpec, where: string): void {
  const declared = new Set((step.files ?? []).map((f) => f.name));
  cmd.argv.forEach((a, i) => {
    if (!isFileArg(a)) {
      if (/^\{file:/.test(a)) refuse(where, `${a} is text where a file argument belongs`);
      return;
    }
    const before = cmd.argv[i - 1];
    if (typeof before !== 'string' || !spec.fileFlags?.includes(before)) {
      refuse(
        where,
        `the ${a.file} file is given where ${spec.name} takes no file (after ${argText(before ?? 'nothing')})`,
      );
    }
    if (!declared.has(a.file)) refuse(where, `the ${a.file} file is not one of the step's files`);
  });
}

function checkStep(host: HostPlan, step: Step, n: number, primary: HostPlan | undefined): void {
  const id = isObject(step) && typeof step.id === 'string' ? step.id : 'no id';
  const where = `host ${host.name}, step ${n + 1} (${id})`;
  if (!isObject(step) || typeof step.id !== 'string' || typeof step.manual !== 'boolean') {
    refuse(where, 'it is not a step');
  }
  if (!isStageId(String(step.stage))) refuse(where, 'its stage is not one of the rollout stages');
  if (!Array.isArray(step.expectExit) || !step.expectExit.every(Number.isInteger))
    refuse(where, 'expectExit is not a list of statuses');
  for (const f of step.files ?? []) {
    if (!isObject(f) || !FILE_NAMES.includes(f.name as never)) refuse(where, 'a file is malformed');
    if (f.secret !== undefined && !SECRETS.has(f.secret))
      refuse(where, `${String(f.secret)} is not a secret nbsecure hands over`);
    if (f.content !== undefined && typeof f.content !== 'string') refuse(where, 'a file content is not text');
    if (f.fact !== undefined) refuse(where, 'a file of its own is written from a fact read elsewhere');
  }
  if (step.capturesFact !== undefined && (step.capturesFact !== 'caFingerprint' || step.effect !== 'read'))
    refuse(where, 'it captures a fact nbsecure does not read, or changes the host while reading it');
  if (step.rest !== undefined) checkRest(step, where);
  if (step.withFact !== undefined) checkWithFact(host, step, where);
  if (step.manual) {
    if (step.command) refuse(where, 'a manual step has a command');
    if (step.session) refuse(where, 'a manual step is handed the API key');
    return;
  }
  if (step.apiKeyReplaces) refuse(where, 'a step that runs a command claims to be a login');
  const { name, spec } = catalogued(host, step.command, where);
  // The API key goes only to the commands the catalogue says act as an administrator.
  if (step.session !== undefined && step.session !== needsSession(name, textArgs(step.command!.argv))) {
    refuse(where, `it hands the API key to ${name} ${argText(step.command!.argv[0] ?? '')}, which does not need it`);
  }
  checkFileArguments(step, step.command!, spec, where);
  if (step.stdin !== undefined && typeof step.stdin !== 'string') refuse(where, 'its stdin is not text');
  if (step.done) {
    const check = catalogued(host, step.done.command, `${where}, its done-check`);
    checkFileArguments(step, step.done.command, check.spec, `${where}, its done-check`);
    if (step.done.outputMatches !== undefined) {
      const problem = patternProblem(String(step.done.outputMatches));
      if (problem) refuse(where, problem);
    }
  }
  if (step.perWave !== undefined) {
    const words = textArgs(step.command!.argv);
    const ok =
      isObject(step.perWave) &&
      /\d/.test(String(step.perWave.validFor)) &&
      VALID_FOR_RE.test(String(step.perWave.validFor)) &&
      name === 'nbcertcmd' &&
      (words[0] === '-createToken' || words[0] === '-deleteToken');
    if (!ok) refuse(where, 'only the rollout token is made per wave, with a validity like 1H');
  }
  if (step.mergeRepeatedKeys) catalogued(host, step.mergeRepeatedKeys.read, `${where}, its configuration read`);
  if (step.reissue) {
    const re = catalogued(host, step.reissue.command, `${where}, its reissue command`);
    checkFileArguments({ ...step, files: step.reissue.files }, step.reissue.command, re.spec, `${where}, its reissue`);
    if (step.reissue.tokenCommand !== undefined) checkReissueToken(step.reissue.tokenCommand, primary, where);
  }
  if (step.keepsIdentity) catalogued(host, step.keepsIdentity.read, `${where}, its identity read`);
}

/** A reissue token is made on the primary, by -createToken -reissue and nothing else. */
function checkReissueToken(cmd: PlanCommand, primary: HostPlan | undefined, where: string): void {
  const at = `${where}, its reissue token`;
  if (!primary) refuse(at, 'the plan has no primary to make it on');
  const { name } = catalogued(primary, cmd, at);
  const words = textArgs(cmd.argv);
  if (name !== 'nbcertcmd' || words[0] !== '-createToken' || !words.includes('-reissue') || cmd.argv.some(isFileArg))
    refuse(at, 'it is not nbcertcmd -createToken -reissue');
}

/**
 * The command a person's step becomes where the executor read the CA fingerprint itself: catalogued, with
 * the fingerprint only in a file of the fact, and no secret.
 */
function checkWithFact(host: HostPlan, step: Step, where: string): void {
  const form: unknown = step.withFact;
  const at = `${where}, its form with the fingerprint read on the primary`;
  if (!step.manual) refuse(where, 'a step with a command has a form with a fact');
  if (!isObject(form) || form.fact !== 'caFingerprint' || !Array.isArray(form.files) || !isObject(form.done)) {
    refuse(at, 'it is malformed');
  }
  const files = form.files as unknown[];
  if (!files.every((f) => isObject(f) && f.name === 'ca-fingerprint' && f.fact === 'caFingerprint')) {
    refuse(at, 'it writes a file other than the fingerprint read on the primary');
  }
  const withFact = step.withFact!;
  const { spec } = catalogued(host, withFact.command, at);
  checkFileArguments({ ...step, files: withFact.files }, withFact.command, spec, at);
  catalogued(host, withFact.done.command, `${at}, its done-check`);
  const matches = withFact.done.outputMatches;
  const problem = matches === undefined ? undefined : patternProblem(String(matches));
  if (problem) refuse(at, problem);
}

/** A REST form only on a person's step, only the security properties, only the catalogued fields. */
function checkRest(step: Step, where: string): void {
  const rest: unknown = step.rest;
  if (!step.manual) refuse(where, 'a step with a command has a REST form');
  if (!isObject(rest) || rest.path !== REST.properties.path || !Array.isArray(rest.settings)) {
    refuse(where, `its REST form is not a change of ${REST.properties.path}`);
  }
  for (const x of rest.settings as unknown[]) {
    const ok =
      isObject(x) &&
      typeof x.name === 'string' &&
      x.name in SECURITY_FIELDS &&
      (typeof x.value === 'number' || typeof x.value === 'boolean') &&
      (x.accept === undefined || (Array.isArray(x.accept) && x.accept.every((a) => typeof a === 'string')));
    if (!ok) refuse(where, 'its REST form sets a field nbsecure does not know');
  }
}

/** The API is the primary's own, at its documented address: a key is never sent anywhere else. */
function checkApi(plan: Plan): void {
  const api: unknown = plan.api;
  if (api === undefined) return;
  const expected = primaryApiUrl(plan.primary);
  if (!isObject(api) || api.url !== expected) refuse('the plan', `its REST API is not ${expected}`);
  if (api.caFingerprint !== undefined && !FINGERPRINT_RE.test(String(api.caFingerprint))) {
    refuse('the plan', 'its CA fingerprint is not a fingerprint');
  }
}

function checkHost(host: unknown, i: number, primary: HostPlan | undefined): void {
  const where = `host ${i + 1}`;
  if (!isObject(host)) refuse(where, 'it is not a host');
  const h = host as unknown as HostPlan;
  if (typeof h.name !== 'string' || !HOSTNAME_RE.test(h.name)) refuse(where, 'its name is not a DNS host name');
  if (h.os !== 'linux' && h.os !== 'windows') refuse(`host ${h.name}`, 'its os is neither linux nor windows');
  if (typeof h.installPath !== 'string') refuse(`host ${h.name}`, 'it has no install path');
  const pathProblem = pathTextProblem(h.installPath) ?? pathForOsProblem(h.installPath, h.os);
  if (pathProblem) refuse(`host ${h.name}`, `its installPath ${pathProblem}`);
  for (const c of h.installPathCandidates ?? []) {
    if (typeof c !== 'string' || pathTextProblem(c) || pathForOsProblem(c, h.os)) {
      refuse(`host ${h.name}`, 'an install path candidate is not an absolute path for its OS');
    }
  }
  if (!Array.isArray(h.config) || !Array.isArray(h.steps) || !Array.isArray(h.ownedKeys)) {
    refuse(`host ${h.name}`, 'its config, ownedKeys or steps are missing');
  }
  for (const c of h.config) {
    if (!isObject(c) || typeof c.key !== 'string' || typeof c.value !== 'string')
      refuse(`host ${h.name}`, 'a config entry is malformed');
    if (!(c.key in CONFIG_KEYS)) refuse(`host ${h.name}`, `${c.key} is not a configuration key nbsecure writes`);
    if (/[\r\n\0]/.test(c.value)) refuse(`host ${h.name}`, `the value of ${c.key} holds a line break`);
  }
  h.steps.forEach((s, n) => checkStep(h, s, n, primary));
  checkOperations(h);
  if (h.installAnswers !== undefined) checkInstallAnswers(h);
}

/**
 * What the interpreters run is the steps' lowering and nothing else: operations that say anything other than
 * what nbsecure lowers from the checked step are an edit. A plan from before the operations carries none.
 */
function checkOperations(h: HostPlan): void {
  if (h.steps.every((s) => s.operations === undefined)) return;
  const lowered = lowerHost(h);
  h.steps.forEach((s, n) => {
    const want = JSON.stringify({ version: OPERATIONS_VERSION, list: lowered[n] });
    if (JSON.stringify(s.operations) !== want) {
      refuse(`host ${h.name}, step ${n + 1} (${s.id})`, 'its operations are not what nbsecure lowers from the step');
    }
  });
}

/** Install answers are rendered into a file the installer reads: one line per entry, a plain file name. */
function checkInstallAnswers(h: HostPlan): void {
  const a: unknown = h.installAnswers;
  const where = `host ${h.name}, its install answers`;
  if (!isObject(a) || typeof a.file !== 'string' || !Array.isArray(a.lines)) refuse(where, 'they are malformed');
  if (!/^[A-Za-z0-9][\w.-]*$/.test(a.file)) refuse(where, `${a.file} is not a plain file name`);
  if (a.kind !== 'unix' && a.kind !== 'windows') refuse(where, 'their kind is neither unix nor windows');
  const oneLine = (x: unknown) => typeof x === 'string' && !/[\r\n\0]/.test(x);
  for (const l of a.lines as unknown[]) {
    const ok =
      isObject(l) && (oneLine(l.comment) || (oneLine(l.key) && /^\w+$/.test(String(l.key)) && oneLine(l.value)));
    if (!ok) refuse(where, 'a line is not one setting or one comment');
  }
}

/**
 * A loaded plan runs only what nbsecure itself would emit: every command at its catalogued path
 * for the host's OS and install root, known flags, files only where the catalogue takes one, keys
 * from the catalogue. The digest proves a plan was not damaged, not that nbsecure wrote it: anyone
 * can recompute a digest. Anything else is refused with exit 3.
 */
export function verifyPlan(plan: Plan, file: string): void {
  try {
    if (!Array.isArray(plan.hosts)) refuse('the plan', 'it has no hosts');
    checkApi(plan);
    const primary = plan.hosts.find((h) => isObject(h) && h.name === plan.primary);
    plan.hosts.forEach((h, i) => checkHost(h, i, primary));
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    throw new StalePlanError(
      `--plan ${file} asks for something nbsecure never plans (${e.message}` +
        `). It was edited after nbsecure wrote it; nbsecure will not run it. Make it again ` +
        `with nbsecure plan.`,
    );
  }
}
