/**
 * What `nbcertcmd -listCertDetails` says of the host certificate. The layout is not documented
 * (unconfirmed): nbsecure reads `Expiry Date : <date>` lines and a line that says revoked.
 */
export interface CertificateState {
  expires?: Date;
  revoked: boolean;
  /** The host ID the certificate carries (`Host ID : ...`): a reissue token is bound to it. */
  hostId?: string;
}

export function certificateState(output: string): CertificateState {
  const dates = [...output.matchAll(/Expiry Date\s*:\s*(.+)$/gim)]
    .map((m) => new Date(m[1]!.trim()))
    .filter((d) => !Number.isNaN(d.getTime()));
  const expires = dates.length ? new Date(Math.min(...dates.map((d) => d.getTime()))) : undefined;
  const hostId = /^\s*Host ID\s*:\s*(\S+)\s*$/im.exec(output)?.[1];
  return { ...(expires ? { expires } : {}), revoked: /\brevoked\b/i.test(output), ...(hostId ? { hostId } : {}) };
}

/** Needs a reissue (expired or revoked), a warning (expiring soon), or nothing. */
export function certificateVerdict(
  state: CertificateState,
  now: Date,
  warnDays: number,
): { reissue?: string; warning?: string } {
  if (state.revoked) return { reissue: 'the host certificate is revoked' };
  if (!state.expires) return {};
  const day = state.expires.toISOString().slice(0, 10);
  if (state.expires.getTime() <= now.getTime()) return { reissue: `the host certificate expired on ${day}` };
  const days = Math.floor((state.expires.getTime() - now.getTime()) / 86_400_000);
  return days <= warnDays
    ? {
        warning:
          `the host certificate expires on ${day}, in ${days} day${days === 1 ? '' : 's'}; certificates renew ` +
          'themselves 180 days before expiry, so renewal has failed here: run nbcertcmd -renewCertificate',
      }
    : {};
}
