import type { Confidence, Sourced } from './confidence.js';

/** Which folder under `<install>/netbackup/bin` a command lives in. */
export type CommandDir = 'bin' | 'admincmd';

export interface CommandSpec extends Sourced {
  name: string;
  dir: CommandDir;
  /** Windows executable name, where it differs from `${name}.exe`. */
  windowsName?: string;
  /** Only on one OS (bp.kill_all is UNIX; bpdown.exe is Windows). */
  os?: 'linux' | 'windows';
  /** Every flag the product may pass. Anything else is a programming error (see assertKnownFlags). */
  flags: Record<string, Confidence>;
  /** The flags whose value is a file nbsecure writes at run time (a `{file:NAME}` placeholder). */
  fileFlags?: readonly string[];
  /**
   * Operations that act for an authenticated administrator (after `bpnbat -login`, or with an API key in
   * NETBACKUP_APIKEY): `true` for every use of the command, else the operation flags that need it.
   */
  session?: true | readonly string[];
}

const COMMANDS_REF = 'NetBackup Commands Reference Guide';

export const COMMANDS = {
  nbsetconfig: {
    name: 'nbsetconfig',
    dir: 'bin',
    flags: {},
    source: `${COMMANDS_REF}, nbsetconfig (reads KEY = VALUE lines on stdin)`,
    confidence: 'doc',
  },
  nbgetconfig: {
    name: 'nbgetconfig',
    dir: 'bin',
    flags: {},
    source: `${COMMANDS_REF}, nbgetconfig`,
    confidence: 'doc',
  },
  bpsetconfig: {
    name: 'bpsetconfig',
    dir: 'admincmd',
    flags: { '-h': 'doc' },
    source: `${COMMANDS_REF}, bpsetconfig`,
    confidence: 'doc',
  },
  bpgetconfig: {
    name: 'bpgetconfig',
    dir: 'admincmd',
    flags: { '-M': 'doc' },
    source: `${COMMANDS_REF}, bpgetconfig`,
    confidence: 'doc',
  },
  bpnbat: {
    name: 'bpnbat',
    dir: 'bin',
    flags: { '-login': 'doc', '-logintype': 'doc' },
    source: `${COMMANDS_REF}, bpnbat`,
    confidence: 'doc',
  },
  nbcertcmd: {
    name: 'nbcertcmd',
    dir: 'bin',
    source: `${COMMANDS_REF}, nbcertcmd (8.2 and current)`,
    confidence: 'doc',
    fileFlags: ['-file', '-passphraseFile'],
    session: ['-createToken', '-deleteToken', '-cleanupToken', '-revokeCertificate'],
    flags: {
      '-getCACertificate': 'doc',
      '-getCertificate': 'doc',
      '-createToken': 'doc',
      '-listCertDetails': 'doc',
      '-listCACertDetails': 'doc',
      '-displayCACertDetail': 'doc',
      '-displayToken': 'doc',
      '-deleteToken': 'doc',
      '-cleanupToken': 'doc',
      '-revokeCertificate': 'doc',
      '-hostSelfCheck': 'doc',
      '-ping': 'doc',
      '-getSecConfig': 'doc',
      '-caUsage': 'doc',
      '-renewCertificate': 'doc',
      '-getCRL': 'doc',
      '-ecaHealthCheck': 'doc',
      '-enrollCertificate': 'doc',
      '-removeEnrollment': 'doc',
      '-preCheck': 'doc',
      '-file': 'doc',
      '-envtoken': 'doc',
      '-token': 'doc',
      '-force': 'doc',
      '-cluster': 'doc',
      '-server': 'doc',
      '-json': 'doc',
      '-name': 'doc',
      '-reissue': 'doc',
      '-host': 'doc',
      '-hostId': 'doc',
      '-maxUses': 'doc',
      '-validFor': 'doc',
      '-reason': 'doc',
      '-trustStorePath': 'doc',
      '-certPath': 'doc',
      '-privateKeyPath': 'doc',
      '-passphraseFile': 'doc',
      '-crlCheckLevel': 'doc',
      '-crlPath': 'doc',
    },
  },
  nbseccmd: {
    name: 'nbseccmd',
    dir: 'admincmd',
    source: `${COMMANDS_REF}, nbseccmd (8.1, 9.x, 10.x)`,
    confidence: 'doc',
    session: true,
    flags: {
      '-setsecurityconfig': 'doc',
      '-getsecurityconfig': 'doc',
      '-insecurecommunication': 'doc',
      '-autoaddhostmapping': 'doc',
      '-dteglobalmode': 'doc',
      '-masterserver': 'doc',
      '-auditretentionperiod': 'doc',
    },
  },
  nbemmcmd: {
    name: 'nbemmcmd',
    dir: 'admincmd',
    // The command and flags are documented; the layout of -listhosts -verbose output that nbsecure reads
    // (MachineName and NetBackupVersion lines) is not, so the step that reads it carries the marker.
    flags: { '-listhosts': 'doc', '-verbose': 'doc' },
    source: `${COMMANDS_REF}, nbemmcmd (output layout of -listhosts -verbose: field notes, unconfirmed)`,
    confidence: 'doc',
  },
  'bp.kill_all': {
    name: 'bp.kill_all',
    dir: 'bin',
    os: 'linux',
    flags: {},
    source: "NetBackup Administrator's Guide; asks for confirmation, automation answers y on stdin",
    confidence: 'auto',
  },
  'bp.start_all': {
    name: 'bp.start_all',
    dir: 'bin',
    os: 'linux',
    flags: {},
    source: "NetBackup Administrator's Guide",
    confidence: 'auto',
  },
  bpdown: {
    name: 'bpdown',
    dir: 'bin',
    os: 'windows',
    flags: {},
    source: "NetBackup Administrator's Guide (flags differ by version: check yours)",
    confidence: 'unconfirmed',
  },
  bpup: {
    name: 'bpup',
    dir: 'bin',
    os: 'windows',
    flags: {},
    source: "NetBackup Administrator's Guide (flags differ by version: check yours)",
    confidence: 'unconfirmed',
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

/**
 * Refuses any argument that looks like a flag but is not in the catalogue. Plan builders call it
 * for every command they emit, so an invented flag fails the tests instead of reaching a host.
 */
export function assertKnownFlags(name: CommandName, args: readonly string[]): void {
  const spec: CommandSpec = COMMANDS[name];
  for (const arg of args) {
    if (/^-[A-Za-z]/.test(arg) && !(arg in spec.flags)) {
      throw new Error(`internal: ${name} ${arg} is not in the command catalogue`);
    }
  }
}

/** The lowest confidence among the command and the flags used: what a step is worth. */
export function confidenceOf(name: CommandName, args: readonly string[]): Confidence {
  const spec: CommandSpec = COMMANDS[name];
  const levels: Confidence[] = [spec.confidence, ...args.filter((a) => a in spec.flags).map((a) => spec.flags[a]!)];
  return levels.includes('unconfirmed') ? 'unconfirmed' : spec.confidence;
}

/** Whether these arguments make the command act as an authenticated administrator. */
export function needsSession(name: CommandName, args: readonly string[]): boolean {
  const session = (COMMANDS[name] as CommandSpec).session;
  return session === true || (Array.isArray(session) && session.includes(args[0] ?? ''));
}
