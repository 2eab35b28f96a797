import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { planFromFlags } from '../execute/load-plan.js';
import { applyHost, type ApplyOptions } from '../execute/runner.js';
import { withInterrupts } from '../execute/interrupts.js';
import { jsonView, textView } from '../execute/views.js';
import { defaultStateDir } from '../execute/state.js';
import { secretFromFileOrEnv } from '../execute/token.js';
import { isStageId, STAGES } from '../plan/stages.js';
import type { StageId } from '../plan/types.js';
import { writeLine, type Io } from '../output.js';
import { checkApiUrl, checkOtp, parseCommandArgs, required } from './args.js';
import { terminalPrompter } from './prompter.js';

export async function applyCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs('apply', args, {
    answers: { type: 'string' },
    plan: { type: 'string' },
    'allowed-signers': { type: 'string' },
    host: { type: 'string' },
    'this-host': { type: 'string' },
    json: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    reissue: { type: 'boolean' },
    stage: { type: 'string' },
    yes: { type: 'boolean' },
    resume: { type: 'boolean' },
    'token-file': { type: 'string' },
    'passphrase-file': { type: 'string' },
    'api-key-file': { type: 'string' },
    'api-url': { type: 'string' },
    otp: { type: 'string' },
    'state-dir': { type: 'string' },
    'step-timeout': { type: 'string' },
    confirm: { type: 'string', multiple: true },
  });
  const hostName = required('apply', values.host, '--host NAME (the host this machine is)');
  if (!values.answers && !values.plan)
    throw new UsageError('nbsecure apply needs --answers FILE or --plan PLAN.json. See nbsecure apply --help.');
  const timeout = values['step-timeout'] === undefined ? 600 : Number(values['step-timeout']);
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new UsageError(`--step-timeout ${values['step-timeout']} must be a number of seconds above 0.`);

  if (values.stage !== undefined && !isStageId(values.stage)) {
    throw new UsageError(
      `--stage ${values.stage} is not a stage; the stages are: ${STAGES.map((s) => s.id).join(', ')}. ` +
        'See nbsecure apply --help.',
    );
  }
  // Checked above: a stage id or nothing.
  const stage = values.stage as StageId | undefined;
  const plan = planFromFlags(values);
  const token = secretFromFileOrEnv('token', values['token-file'], io.env);
  const passphrase = secretFromFileOrEnv('passphrase', values['passphrase-file'], io.env);
  const apiKey = secretFromFileOrEnv('apiKey', values['api-key-file'], io.env);
  checkOtp(values.otp);
  const apiUrl = values['api-url'] === undefined ? undefined : checkApiUrl(values['api-url']);
  // The resume command repeats what was given, with absolute paths, so it works from anywhere.
  const resumeCommand = ['nbsecure', 'apply'];
  if (values.plan) resumeCommand.push('--plan', resolve(io.cwd, values.plan));
  if (values.answers) resumeCommand.push('--answers', resolve(io.cwd, values.answers));
  if (values['allowed-signers']) resumeCommand.push('--allowed-signers', resolve(io.cwd, values['allowed-signers']));
  resumeCommand.push('--host', hostName);
  if (values['this-host']) resumeCommand.push('--this-host', values['this-host']);
  if (values['token-file']) resumeCommand.push('--token-file', resolve(io.cwd, values['token-file']));
  if (values['passphrase-file']) resumeCommand.push('--passphrase-file', resolve(io.cwd, values['passphrase-file']));
  if (values['api-key-file']) resumeCommand.push('--api-key-file', resolve(io.cwd, values['api-key-file']));
  if (apiUrl) resumeCommand.push('--api-url', apiUrl);
  if (values['state-dir']) resumeCommand.push('--state-dir', resolve(io.cwd, values['state-dir']));
  if (values.yes) resumeCommand.push('--yes');
  if (values.reissue) resumeCommand.push('--reissue');
  if (values.stage) resumeCommand.push('--stage', values.stage);
  if (values.json) resumeCommand.push('--json');
  resumeCommand.push('--resume');

  const json = Boolean(values.json);
  const write = (line: string) => writeLine(io.stdout, line);
  // SIGINT (Ctrl-C) and SIGTERM stop the running command through the signal, and the run ends with 130.
  const result = await withInterrupts((signal) =>
    applyHost(plan, hostName, options(), { onEvent: json ? jsonView(write) : textView(write), signal }),
  );
  return result.exitCode;

  function options(): ApplyOptions {
    return {
      stateDir: values['state-dir'] ? resolve(io.cwd, values['state-dir']) : defaultStateDir(io.env),
      resume: Boolean(values.resume),
      dryRun: Boolean(values['dry-run']),
      yes: Boolean(values.yes),
      reissue: Boolean(values.reissue),
      ...(stage ? { stage } : {}),
      secrets: { ...(token ? { token } : {}), ...(passphrase ? { passphrase } : {}), ...(apiKey ? { apiKey } : {}) },
      ...(values.otp ? { otp: values.otp } : {}),
      ...(apiUrl ? { apiUrl } : {}),
      confirmed: new Set(
        (values.confirm ?? []).flatMap((c) => c.split(',')).map((c) => (c.includes(':') ? c : `${hostName}:${c}`)),
      ),
      stepTimeoutMs: timeout * 1000,
      machine: { hostname: hostname(), ...(values['this-host'] ? { thisHost: values['this-host'] } : {}) },
      resumeCommand,
      prompter: terminalPrompter(io, json),
    };
  }
}
