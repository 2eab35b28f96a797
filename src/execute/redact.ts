import { TOKEN_ANYWHERE } from '../catalogue/token-shape.js';

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
    return out.replace(TOKEN_ANYWHERE, REDACTED);
  }
}

/**
 * Turns a child's output chunks into redacted whole lines. A chunk may end in the middle of a
 * secret, so nothing is redacted or shown until its line is complete.
 */
export class RedactedLines {
  private pending = '';

  constructor(private readonly redactor: Redactor) {}

  push(chunk: string): string[] {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop() ?? '';
    return lines.map((l) => this.redactor.redact(l));
  }

  /** The last line, if the output did not end with a newline. */
  flush(): string[] {
    const rest = this.pending;
    this.pending = '';
    return rest ? [this.redactor.redact(rest)] : [];
  }
}
