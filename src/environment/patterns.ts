/**
 * The shapes of answers-file values, without zod: the wizard's first screens need them and must
 * not wait for the schema library to load.
 */
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, 63 each, 253 in all. */
export const HOSTNAME_RE = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);
export const VERSION_RE = /^\d+\.\d+(?:\.\d+){0,2}$/;
export const FINGERPRINT_RE = /^(?:[0-9A-Fa-f]{2}:){19}[0-9A-Fa-f]{2}$|^(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/;
export const VALID_FOR_RE = /^(?:\d+D)?(?:\d+H)?(?:\d+M)?$/;

/**
 * A name that YAML, JSON or a float parser reads as a number (1e400 is infinity, 12 a count): written without
 * quotes by any tool, it stops being a name. No resolver takes it for a host either.
 */
export const NUMBER_LIKE_RE = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;
