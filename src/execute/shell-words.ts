import { shQuote } from '../render/quote.js';

/** A command line as a person would type it in a POSIX shell: what a "continue with" message shows. */
export const shown = (argv: readonly string[]) => argv.map(shQuote).join(' ');
