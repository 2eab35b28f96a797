import { UsageError } from '../errors.js';
import type { Io } from '../output.js';

/** Placeholder until the wizard lands (issue 4): says what to do instead, with exit 2. */
export async function wizardCommand(_argv: string[], _io: Io): Promise<number> {
  throw new UsageError('nbsecure: the guided wizard is not built yet. Write an answers file (examples/ has five) and run: nbsecure plan --answers FILE.');
}
