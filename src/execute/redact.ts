/** An authorization token's shape: 16 upper-case letters (NetBackup reference, section 5). */
export const TOKEN_RE = /\b[A-Z]{16}\b/g;
export const REDACTED = '[REDACTED]';

/**
 * Filters every line nbsecure prints, logs or journals. Known secrets are replaced wherever they
 * appear; anything shaped like a token is replaced too, because a command may echo a token
 * nbsecure has not seen yet (createToken prints the new one).
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string): void {
    if (secret.length >= 4) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join(REDACTED);
    return out.replace(TOKEN_RE, REDACTED);
  }
}
