import { UsageError } from '../errors.js';
import { probeDirect, probeTunnel, type PathResult } from '../doctor/probe.js';
import { targetsFromAnswers, targetsFromFlags, targetsFromLocalConfig, type Targets } from '../doctor/targets.js';
import { describeFailure, verdict } from '../doctor/verdict.js';
import { colours, writeLine, type Io } from '../output.js';
import { checkApiUrl, parseCommandArgs } from './args.js';
import { primaryApiUrl } from '../catalogue/rest.js';
import { preflightLines, preflightOk, preflightPrimary } from '../doctor/preflight.js';
import { loadAnswersFile } from '../environment/load.js';
import { secretFromFileOrEnv } from '../execute/token.js';

/** NetBackup's PBX and web service port: the direct path and the HTTP tunnel both use it. */
export const NETBACKUP_PORT = 1556;

function targetsFrom(
  values: {
    answers?: string;
    host?: string;
    primary?: string;
    tunnel?: string;
    'install-path'?: string;
  },
  timeoutMs: number,
): Targets {
  if (values.host || (values.answers && !values.primary)) {
    if (!values.answers || !values.host)
      throw new UsageError('nbsecure doctor: --answers FILE and --host NAME go together. See nbsecure doctor --help.');
    if (values.primary || values.tunnel)
      throw new UsageError('nbsecure doctor: give either --answers with --host, or --primary with --tunnel, not both.');
    return targetsFromAnswers(values.answers, values.host);
  }
  if (values.primary) return targetsFromFlags(values.primary, values.tunnel);
  if (values.tunnel) throw new UsageError('nbsecure doctor: --tunnel needs --primary NAME.');
  return targetsFromLocalConfig(values['install-path'] ?? '/usr/openv', timeoutMs);
}

function answersFingerprint(file: string): string | undefined {
  return loadAnswersFile(file).environment.certificates.caFingerprint;
}

export async function doctorCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs('doctor', args, {
    answers: { type: 'string' },
    host: { type: 'string' },
    primary: { type: 'string' },
    tunnel: { type: 'string' },
    json: { type: 'boolean' },
    timeout: { type: 'string' },
    'install-path': { type: 'string' },
    'api-key-file': { type: 'string' },
    'api-url': { type: 'string' },
    'ca-fingerprint': { type: 'string' },
  });
  const timeout = values.timeout === undefined ? 5 : Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 300)
    throw new UsageError(`--timeout ${values.timeout} must be a number of seconds above 0 and at most 300.`);
  const ms = timeout * 1000;
  // Reading this host's configuration is bounded by the same --timeout as every probe.
  const t = targetsFrom(values, ms);
  const c = colours(io.stderr, io.env);
  const human = (line: string) => writeLine(values.json ? io.stderr : io.stdout, line);
  human(
    `Probing how ${t.host} reaches ${t.primary}:${NETBACKUP_PORT} (targets from ${t.source}; ${timeout} s per probe)`,
  );

  // The documented order: the primary directly, the tunnels named for the host, the other media servers.
  const paths: PathResult[] = [];
  const tunnels = [...t.named, ...t.others];
  for (const via of ['direct', ...tunnels]) {
    const p =
      via === 'direct'
        ? await probeDirect(t.primary, NETBACKUP_PORT, ms)
        : await probeTunnel(via, t.primary, NETBACKUP_PORT, ms);
    paths.push(p);
    const label = via === 'direct' ? 'direct' : `tunnel ${via}${t.named.includes(via) ? ' (named)' : ''}`;
    human(
      `  ${p.ok ? c.green('ok  ') : c.red('FAIL')}  ${label.padEnd(40)}` +
        ` ${String(p.ms).padStart(6)} ms  ${p.ok ? '' : describeFailure(p)}`,
    );
  }
  const sentence = verdict(t.host, t.primary, NETBACKUP_PORT, paths, t.named);
  // With --primary, the primary's REST API too: it counts towards the exit only when a fingerprint was given.
  const fingerprint =
    values['ca-fingerprint'] ?? (values.primary && values.answers ? answersFingerprint(values.answers) : undefined);
  const key = values.primary ? secretFromFileOrEnv('apiKey', values['api-key-file'], io.env) : undefined;
  const api = values.primary
    ? await preflightPrimary({
        url: values['api-url'] ? checkApiUrl(values['api-url']) : primaryApiUrl(t.primary),
        primary: t.primary,
        ...(fingerprint ? { caFingerprint: fingerprint } : {}),
        ...(key ? { apiKey: key } : {}),
        timeoutMs: ms,
      })
    : undefined;
  if (api) preflightLines(api).forEach((l) => human(l));
  if (values.json) {
    writeLine(
      io.stdout,
      JSON.stringify(
        { host: t.host, primary: t.primary, port: NETBACKUP_PORT, paths, verdict: sentence, ...(api ? { api } : {}) },
        null,
        2,
      ),
    );
  } else {
    human(`\n${sentence}`);
  }
  const apiFailed = api !== undefined && fingerprint !== undefined && !preflightOk(api);
  return paths.some((p) => p.ok) && !apiFailed ? 0 : 1;
}
