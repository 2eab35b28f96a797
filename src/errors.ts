/** Exit codes of CONTRACT.md. Every error a user can see is one of these classes. */
/** Exit codes of CONTRACT.md; 4 (1.1): stopped, waiting for a person (a manual step, the fleet, an approval). */
export const EXIT = { ok: 0, failed: 1, usage: 2, stale: 3, waiting: 4, interrupted: 130 } as const;

export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Bad flags, invalid answers, missing answers without a terminal: exit 2. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/** A saved plan whose digest or answers no longer match: exit 3. */
export class StalePlanError extends UserError {
  constructor(message: string) {
    super(message, EXIT.stale);
  }
}
