import * as z from 'zod';

import { FINGERPRINT_RE, HOSTNAME_RE, NUMBER_LIKE_RE, VALID_FOR_RE, VERSION_RE } from './patterns.js';
import { pathTextProblem } from './paths.js';

export { FINGERPRINT_RE, HOSTNAME_RE, VALID_FOR_RE, VERSION_RE };

/**
 * How many of each a file may list, refused before any work. Clients: the most a plan of this version holds (a
 * 30,000-client plan.json is 300 MB and takes 1.4 GB to make; near 50,000 it passes the longest string Node
 * can hold). Issue #27's leaner plan raises it. Names: far above any domain's media servers or lists.
 */
export const LIMITS = { hosts: 30_000, names: 10_000 } as const;

export const hostName = z
  .string({ error: 'must be a host name (text)' })
  .refine((s) => HOSTNAME_RE.test(s), {
    error:
      'is not a valid DNS host name (RFC 1123: letters, digits and hyphens in dot-separated ' +
      'labels of at most 63 characters, 253 in all)',
    abort: true,
  })
  .refine((s) => !NUMBER_LIKE_RE.test(s), {
    error: 'reads as a number, not a host name (YAML and JSON written without quotes would make it one)',
  });
const names = (error: string) =>
  z.array(hostName, { error }).max(LIMITS.names, { error: `lists more than ${LIMITS.names}` });

const version = z
  .string({ error: 'must be a quoted version such as "10.4" (unquoted, YAML reads 10.10 as the number 10.1)' })
  .max(32, { error: 'is longer than a version is' })
  .regex(VERSION_RE, { error: 'must look like N.N, N.N.N or N.N.N.N, for example "10.4" or "8.1.2"' });

const os = z.enum(['linux', 'windows'], { error: 'must be linux or windows' });
/** A path on a host: one line, no typographic quote, absolute (which OS is checked per host). */
const pathText = z
  .string({ error: 'must be a path (text)' })
  .min(1, { error: 'must not be empty' })
  .superRefine((p, ctx) => {
    const problem = pathTextProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
const installPath = pathText;

/** Extension to v1: a host's own external-CA paths, where they differ from certificates.eca (a Windows host). */
const hostEcaSchema = z.strictObject({
  certPath: pathText.optional(),
  privateKeyPath: pathText.optional(),
  trustStorePath: pathText.optional(),
  passphraseFile: pathText.optional(),
  crlPath: pathText.optional(),
});

const hostFields = {
  name: hostName,
  os: os.optional(),
  version: version.optional(),
  installPath: installPath.optional(),
  installed: z.boolean({ error: 'must be true or false' }).optional(),
  eca: hostEcaSchema.optional(),
  /** Extension to v1: set CLIENT_NAME even where the host already has another one (a new identity). */
  replaceClientName: z.boolean({ error: 'must be true or false' }).optional(),
};

export const primarySchema = z.strictObject(hostFields);

export const mediaSchema = z.strictObject({
  ...hostFields,
  tunnel: z.boolean({ error: 'must be true or false (whether this media server offers the HTTP tunnel)' }).optional(),
});

export const clientSchema = z.strictObject({
  ...hostFields,
  zone: z.enum(['internal', 'dmz'], { error: 'must be internal or dmz' }).optional(),
  tunnelVia: names('must be a list of media server names').optional(),
  /** Extension to v1: a client behind dynamic NAT (ACCEPT_REVERSE_CONNECTION, always a token). */
  nat: z.boolean({ error: 'must be true or false' }).optional(),
});

const tokenSchema = z.strictObject({
  name: z
    .string()
    // It becomes an argument of nbcertcmd: a leading dash would read as a flag.
    .regex(/^[A-Za-z0-9._][A-Za-z0-9._-]{0,63}$/, {
      error: 'must be 1 to 64 letters, digits, dots, dashes or underscores, and not start with a dash',
      abort: true,
    })
    .refine((s) => !NUMBER_LIKE_RE.test(s), { error: 'reads as a number; give the token a name with a letter' })
    .optional(),
  maxUses: z
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(99999, { error: 'must be at most 99999' })
    .optional(),
  validFor: z
    .string({ error: 'must be text such as 2D, 12H or 1D12H' })
    .max(32, { error: 'is longer than a validity is' })
    .refine((s) => s.length > 0 && VALID_FOR_RE.test(s), {
      error: 'must be days, hours and minutes as nDnHnM, for example 2D, 12H or 1D12H30M',
    })
    .optional(),
});

const ecaSchema = z.strictObject({
  certPath: pathText.optional(),
  privateKeyPath: pathText.optional(),
  trustStorePath: pathText.optional(),
  passphraseFile: pathText.optional(),
  crlCheck: z.enum(['leaf', 'chain', 'disable'], { error: 'must be leaf, chain or disable' }).optional(),
  crlPath: pathText.optional(),
});

const certificatesSchema = z.strictObject({
  authority: z.enum(['nbca', 'eca'], { error: 'must be nbca (NetBackup CA) or eca (external CA)' }).optional(),
  securityLevel: z.enum(['very-high', 'high', 'medium'], { error: 'must be very-high, high or medium' }).optional(),
  caFingerprint: z
    .string()
    .max(95, { error: 'is longer than a SHA-256 fingerprint (95 characters)' })
    .refine((s) => FINGERPRINT_RE.test(s), {
      error:
        'must be the CA fingerprint as colon-separated hex: 59 characters for SHA-1 or 95 ' +
        'for SHA-256 (run nbcertcmd -displayCACertDetail on the primary)',
    })
    .optional(),
  token: tokenSchema.optional(),
  eca: ecaSchema.optional(),
});

const securitySchema = z.strictObject({
  insecureCommunication: z.enum(['auto', 'on', 'off'], { error: 'must be auto, on or off' }).optional(),
  dataInTransitEncryption: z
    .enum(['preferred-off', 'preferred-on', 'enforced'], { error: 'must be preferred-off, preferred-on or enforced' })
    .optional(),
  /** Extension to v1: hosts whose jobs may fail under Enforced, named to enforce it anyway. */
  acceptDteFailures: names('must be a list of host names').optional(),
});

const flag = z.boolean({ error: 'must be true or false (leave it out if you do not know)' }).optional();
export const HARDENING_FIELDS = [
  'mfa',
  'immutableStorage',
  'encryptionAtRest',
  'dedicatedBackupNetwork',
  'hostFirewall',
  'exposedToInternet',
  'trustedWebCertificate',
] as const;
const hardeningSchema = z.strictObject(
  Object.fromEntries(HARDENING_FIELDS.map((f) => [f, flag])) as Record<(typeof HARDENING_FIELDS)[number], typeof flag>,
);

export const answersSchema = z.strictObject({
  version: z.literal(1, { error: 'must be 1 (the answers file format this nbsecure reads)' }),
  installPath: installPath.optional(),
  primary: primarySchema,
  mediaServers: z
    .array(mediaSchema, { error: 'must be a list of media servers' })
    .max(LIMITS.names, { error: `lists more than ${LIMITS.names} media servers` })
    .optional(),
  clients: z
    .array(clientSchema, { error: 'must be a list of clients' })
    .max(LIMITS.hosts, {
      error: `lists more than ${LIMITS.hosts} clients, the most one plan of this version holds; plan it in parts`,
    })
    .optional(),
  certificates: certificatesSchema.optional(),
  security: securitySchema.optional(),
  hardening: hardeningSchema.optional(),
  /** Extension to v1: hosts taken out of service, whose certificates the primary revokes. */
  decommissioned: names('must be a list of host names').optional(),
});

export type Answers = z.infer<typeof answersSchema>;
