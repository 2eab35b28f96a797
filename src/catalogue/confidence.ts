/**
 * How sure we are of a NetBackup fact. `unconfirmed` facts are still emitted where the plan
 * needs them, but every output built on one carries VERIFY_MARKER so nobody runs it blindly.
 */
export type Confidence = 'doc' | 'seed' | 'auto' | 'unconfirmed';

export const VERIFY_MARKER = 'VERIFY FOR YOUR VERSION';

export interface Sourced {
  source: string;
  confidence: Confidence;
}
