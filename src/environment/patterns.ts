/**
 * The shapes of answers-file values, without zod: the wizard's first screens need them and must
 * not wait for the schema library to load.
 */
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, 63 each, 253 in all. */
export const HOSTNAME_RE = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);
export const VERSION_RE = /^\d+\.\d+(?:\.\d+){0,2}$/;
/**
 * A SHA-256 fingerprint as NetBackup shows it, 32 colon-separated pairs: an extended regular expression, which
 * JavaScript and the step libraries (lib.sh's grep -E, lib.ps1's .NET) read alike.
 */
export const SHA256_FINGERPRINT_SHAPE = '([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}';
/** A CA fingerprint the answers may give: SHA-1 (20 pairs) or SHA-256. */
export const FINGERPRINT_RE = new RegExp(`^(?:[0-9A-Fa-f]{2}:){19}[0-9A-Fa-f]{2}$|^${SHA256_FINGERPRINT_SHAPE}$`);
export const VALID_FOR_RE = /^(?:\d+D)?(?:\d+H)?(?:\d+M)?$/;

/**
 * A name that YAML, JSON or a float parser reads as a number (1e400 is infinity, 12 a count): written without
 * quotes by any tool, it stops being a name. No resolver takes it for a host either.
 */
export const NUMBER_LIKE_RE = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;
