import { MFA_HEADER, MFA_OTP_FIELD, REISSUE_TOKEN, REST } from '../catalogue/rest.js';
import { TOKEN_EXACT } from '../catalogue/token-shape.js';
import { settingsBody } from '../plan/security.js';
import type { RestSetting, RestStep } from '../plan/types.js';
import type { RestCall } from './dry-run.js';
import { httpProblem, RestError, type RestClient } from './rest-client.js';

export type RestOutcome =
  | { kind: 'unchanged' | 'changed'; detail: string }
  | { kind: 'waiting'; for: 'one-time-password' | 'approval'; text: string }
  | { kind: 'failed'; reason: string };

/** A change the primary holds for a person: a one-time password (with its request id), or an approval. */
export interface Pending {
  kind: 'mfa' | 'approval';
  id?: string;
}

export interface RestStepContext {
  client: RestClient;
  /** --otp, or undefined; `askOtp` asks a person when there is a terminal. */
  otp?: string;
  askOtp?: () => Promise<string>;
  pending?: Pending;
  savePending(p: Pending | undefined): void;
}

/** The REST calls of a step, from the API base: what the dry run shows and the runner makes. */
export function restCall(api: string, rest: RestStep): RestCall {
  const url = `${api.replace(/\/+$/, '')}${rest.path}`;
  return {
    read: { method: 'GET', url },
    write: { method: 'POST', url, body: settingsBody(rest.settings) },
  };
}

const norm = (v: unknown) =>
  String(v)
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');

/** Whether the primary's value is the plan's, in any spelling the setting accepts. */
function matches(current: unknown, s: RestSetting): boolean {
  if (current === undefined || current === null) return false;
  return [s.value, ...(s.accept ?? [])].some((v) => norm(v) === norm(current));
}

/** The properties, flat or JSON:API-wrapped; fields nbsecure does not know are ignored. */
function properties(body: unknown): Record<string, unknown> {
  const b = (body ?? {}) as { data?: { attributes?: Record<string, unknown> } } & Record<string, unknown>;
  return b.data?.attributes ?? b;
}

/**
 * Read the security properties, compare, POST only the fields that differ. A change held for a one-time
 * password or an approval is a waiting state (exit 4), continued with --resume; it is never sent twice.
 */
export async function applySecuritySettings(rest: RestStep, ctx: RestStepContext): Promise<RestOutcome> {
  const { client } = ctx;
  const held = ctx.pending;
  try {
    if (ctx.pending?.kind === 'mfa' && ctx.pending.id) {
      const validated = await validateOtp(ctx, ctx.pending.id);
      if (validated) return validated;
    }
    const got = await client.call('GET', rest.path);
    if (got.status !== 200) return { kind: 'failed', reason: httpProblem(`GET ${rest.path}`, got) };
    const current = properties(got.body);
    const differ = rest.settings.filter((s) => !matches(current[s.name], s));
    if (!differ.length) {
      ctx.savePending(undefined);
      return {
        kind: held ? 'changed' : 'unchanged',
        detail: held
          ? `the primary applied the change it held (${held.kind === 'mfa' ? 'one-time password' : 'approval'})`
          : `already set: ${rest.settings.map((s) => `${s.name} ${String(s.value)}`).join(', ')}`,
      };
    }
    if (ctx.pending?.kind === 'approval') return approvalWait(differ, true);
    const body = settingsBody(differ);
    const sent = await client.call('POST', rest.path, body, { idempotent: true });
    const sentWhat = differ.map((s) => `${s.name} ${String(s.value)} (was ${String(current[s.name])})`);
    const detail = `sent ${sentWhat.join(', ')}`;
    if (sent.status === 200 || sent.status === 204) return { kind: 'changed', detail };
    if (sent.status === 202) {
      const id = sent.headers[MFA_HEADER];
      if (id) {
        ctx.savePending({ kind: 'mfa', id });
        return (await validateOtp(ctx, id)) ?? { kind: 'changed', detail };
      }
      ctx.savePending({ kind: 'approval' });
      return approvalWait(differ, false);
    }
    return { kind: 'failed', reason: httpProblem(`POST ${rest.path}`, sent) };
  } catch (e) {
    if (e instanceof RestError) return { kind: 'failed', reason: e.message };
    throw e;
  }
}

function approvalWait(differ: RestSetting[], again: boolean): RestOutcome {
  return {
    kind: 'waiting',
    for: 'approval',
    text:
      `${again ? 'Still waiting' : 'Waiting'} for approval: the primary holds the change of ` +
      `${differ.map((s) => s.name).join(', ')} for a second administrator (multi-person authorization). ` +
      'Once it is approved in the web UI, run the same command with --resume; nothing is sent again.',
  };
}

/**
 * Sends the one-time password for a held change. Undefined when it was accepted (the caller reads the
 * settings back), a waiting or failed outcome otherwise.
 */
async function validateOtp(ctx: RestStepContext, id: string): Promise<RestOutcome | undefined> {
  const otp = ctx.otp ?? (ctx.askOtp ? await ctx.askOtp() : undefined);
  if (!otp) {
    return {
      kind: 'waiting',
      for: 'one-time-password',
      text:
        'Waiting for a one-time password: the primary holds the change until it is confirmed (adaptive MFA). ' +
        'Run the same command with --resume --otp CODE, with the code from your authenticator.',
    };
  }
  const path = REST.mfaValidate.path.replace('{id}', encodeURIComponent(id));
  const res = await ctx.client.call('POST', path, { [MFA_OTP_FIELD.name]: otp }, { idempotent: false });
  if (res.status >= 200 && res.status < 300) {
    ctx.savePending(undefined);
    return undefined;
  }
  if (res.status === 404 || res.status === 410) {
    // The held request expired: the change is sent again, and a new password asked for.
    ctx.savePending(undefined);
    return undefined;
  }
  return {
    kind: 'failed',
    reason:
      `${httpProblem('the one-time password', res)}. The change is still held: run the same command with ` +
      '--resume --otp CODE, with a fresh code',
  };
}

/**
 * A reissue token for one host, made on the primary over REST (POST /security/securitytokens with the
 * host ID its own certificate lists, type 1): single use and short-lived, so it is spent by the one
 * -getCertificate -force it is made for. The value is returned, never shown.
 */
export async function createReissueToken(
  client: RestClient,
  host: string,
  hostId: string,
  suffix: string,
): Promise<{ token: string } | { failed: string }> {
  const body = {
    tokenName: `nbsecure-reissue-${host.split('.')[0]}-${suffix}`,
    allowedCount: REISSUE_TOKEN.allowedCount,
    validFor: REISSUE_TOKEN.validForSeconds,
    hostId,
    type: REISSUE_TOKEN.type,
    reason: `nbsecure: reissue of ${host}, whose certificate expired or was revoked`,
  };
  try {
    const res = await client.call('POST', REST.tokens.path, body, { idempotent: false });
    const b = (res.body ?? {}) as { tokenValue?: unknown; data?: { attributes?: { tokenValue?: unknown } } };
    const token = b.tokenValue ?? b.data?.attributes?.tokenValue;
    if (res.status >= 300) return { failed: httpProblem(`POST ${REST.tokens.path}`, res) };
    if (typeof token !== 'string' || !TOKEN_EXACT.test(token)) {
      return { failed: `POST ${REST.tokens.path} answered ${res.status} without a token in tokenValue` };
    }
    return { token };
  } catch (e) {
    if (e instanceof RestError) return { failed: e.message };
    throw e;
  }
}
