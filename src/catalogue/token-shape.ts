/**
 * An authorization token's shape, the one place it is written (NetBackup reference, section 5:
 * 16 upper-case letters). Every other form is derived: the runner's and the scripts' capture, the
 * redactor, the secret checks.
 */
export const TOKEN_SHAPE = '[A-Z]{16}';

/** A whole value that is a token. */
export const TOKEN_EXACT = new RegExp(`^${TOKEN_SHAPE}$`);

/** Every token-shaped word in a text (global: use with replace, or reset lastIndex). */
export const TOKEN_ANYWHERE = new RegExp(`\\b${TOKEN_SHAPE}\\b`, 'g');

/** The first token-shaped word in a command's output, if any. */
export function firstToken(text: string): string | undefined {
  return new RegExp(`\\b${TOKEN_SHAPE}\\b`).exec(text)?.[0];
}
