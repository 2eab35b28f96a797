import { FINGERPRINT_RE, HOSTNAME_RE, NUMBER_LIKE_RE, VALID_FOR_RE, VERSION_RE } from '../environment/patterns.js';
import { isLegacy } from '../environment/versions.js';
import { getPath, hostList, type Draft, type HostItem, type HostListKey } from './draft.js';

export interface Choice {
  value: string;
  label: string;
  hint?: string;
}

/**
 * One question of the wizard. Both front ends (Ink and --plain) walk the same list; nothing about
 * NetBackup is decided in a component. `id` is the answers-file path the answer goes to.
 */
export interface Question {
  id: string;
  section: string;
  /** `multi`: several of `choices`, in the order ticked; the answer's text is them comma-separated. */
  kind: 'text' | 'select' | 'multi' | 'hosts';
  prompt: string;
  /** What `?` shows: why the question matters and how to answer it. */
  help: string;
  choices?: (d: Draft) => Choice[];
  /** The answer offered when there is none yet (as text or a choice value). */
  initial?: (d: Draft) => string | undefined;
  when?: (d: Draft) => boolean;
  /** An error in words, or undefined when the answer is fine. */
  validate?: (text: string, d: Draft) => string | undefined;
  /** Text or choice → draft value; undefined leaves the field out of the answers. */
  toValue?: (text: string) => unknown;
  fromValue?: (value: unknown) => string | undefined;
  list?: HostListKey;
}

const YES_NO_UNKNOWN: Choice[] = [
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
  { value: 'unknown', label: 'I do not know', hint: 'the hardening plan will list it for checking' },
];
const boolTo = (s: string) => (s === 'yes' ? true : s === 'no' ? false : undefined);
const boolFrom = (v: unknown) => (v === true ? 'yes' : v === false ? 'no' : undefined);

/** The values of a `multi` answer's text, in order. */
export const multiValues = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function hostNameProblem(name: string): string | undefined {
  if (!name) return "Type the host's DNS name, for example nbu-primary.corp.example.";
  if (!HOSTNAME_RE.test(name))
    return (
      'That is not a valid DNS host name: use letters, digits and hyphens in dot-separated ' +
      'labels (at most 63 characters each, 253 in all).'
    );
  if (NUMBER_LIKE_RE.test(name)) return 'That reads as a number, not a host name: type its DNS name.';
  return undefined;
}

const versionProblem = (v: string) =>
  v && !VERSION_RE.test(v) ? 'Type the version as N.N, N.N.N or N.N.N.N, for example 10.4 or 8.1.2.' : undefined;

export function allNames(d: Draft): string[] {
  return [
    String(getPath(d, 'primary.name') ?? ''),
    ...hostList(d, 'mediaServers').map((h) => h.name),
    ...hostList(d, 'clients').map((h) => h.name),
  ].filter(Boolean);
}

export function tunnelMedia(d: Draft): string[] {
  return hostList(d, 'mediaServers')
    .filter((m) => m.tunnel !== false)
    .map((m) => m.name);
}

export function legacyNames(d: Draft): string[] {
  const pv = String(getPath(d, 'primary.version') ?? '10.4');
  const all: { name: string; version?: unknown }[] = [
    getPath(d, 'primary') as HostItem,
    ...hostList(d, 'mediaServers'),
    ...hostList(d, 'clients'),
  ].filter(Boolean);
  return all.filter((h) => isLegacy(String(h.version ?? pv))).map((h) => h.name);
}

const isNbca = (d: Draft) => getPath(d, 'certificates.authority') !== 'eca';
const isEca = (d: Draft) => getPath(d, 'certificates.authority') === 'eca';
const required = (what: string) => (s: string) => (s ? undefined : `${what} is needed for an external CA.`);

export const QUESTIONS: Question[] = [
  {
    id: 'primary.name',
    section: 'Primary server',
    kind: 'text',
    prompt: 'Primary server host name',
    help:
      'The NetBackup primary server (called master before 10.x): the certificate authority ' +
      'and the host every other one trusts. Use its fully qualified DNS name.',
    validate: (s) => hostNameProblem(s),
  },
  {
    id: 'primary.os',
    section: 'Primary server',
    kind: 'select',
    prompt: 'Primary server operating system',
    help: 'Decides command paths and whether scripts are bash or PowerShell.',
    choices: () => [
      { value: 'linux', label: 'Linux / UNIX' },
      { value: 'windows', label: 'Windows' },
    ],
    initial: () => 'linux',
  },
  {
    id: 'primary.version',
    section: 'Primary server',
    kind: 'text',
    prompt: 'Primary server NetBackup version',
    help:
      'For example 10.4. Other hosts default to this version. It decides the Windows install ' +
      'folder (Cohesity NetBackup from 11.1) and whether a host is legacy (8.0 or earlier).',
    initial: () => '10.4',
    validate: (s) => versionProblem(s) ?? (s ? undefined : 'Type the version, for example 10.4.'),
  },
  {
    id: 'mediaServers',
    section: 'Media servers',
    kind: 'hosts',
    list: 'mediaServers',
    prompt: 'Media servers',
    help:
      'Every media server of the domain. A media server offers the HTTP tunnel (HTTP CONNECT ' +
      'on port 1556) that DMZ clients use to reach the primary, unless you turn it off.',
  },
  {
    id: 'clients',
    section: 'Clients',
    kind: 'hosts',
    list: 'clients',
    prompt: 'Clients',
    help:
      'The hosts being backed up. Mark the ones in a DMZ: they reach the primary through ' +
      "a media server's tunnel and always need an authorization token. For a large site, " +
      'paste or import a list of names.',
  },
  {
    id: 'security.insecureCommunication',
    section: 'Legacy hosts',
    kind: 'select',
    prompt: 'Insecure communication with NetBackup 8.0 and earlier hosts',
    help:
      'Hosts at 8.1 or later talk only securely. A host at 8.0 or earlier needs insecure ' +
      'communication to stay on. Auto turns it off unless such a host is listed, and then ' +
      "restarts the primary's services.",
    choices: (d) => {
      const legacy = legacyNames(d);
      return [
        {
          value: 'auto',
          label: 'Auto (recommended)',
          hint: legacy.length
            ? `stays on: ${legacy.join(', ')} at 8.0 or earlier`
            : 'off: no host is at 8.0 or earlier',
        },
        { value: 'off', label: 'Off', hint: legacy.length ? `cuts off ${legacy.join(', ')}` : 'the secure choice' },
        { value: 'on', label: 'On', hint: 'keeps the unauthenticated protocol available' },
      ];
    },
    initial: () => 'auto',
  },
  {
    id: 'certificates.authority',
    section: 'Certificates',
    kind: 'select',
    prompt: 'Certificate authority',
    help:
      'The NetBackup CA (on the primary) issues host certificates with nbcertcmd; an external ' +
      'CA means every host enrols a certificate from your own PKI.',
    choices: () => [
      { value: 'nbca', label: 'NetBackup CA', hint: 'the primary issues the certificates' },
      { value: 'eca', label: 'External CA', hint: 'your PKI issues them; you give the paths' },
    ],
    initial: () => 'nbca',
  },
  {
    id: 'certificates.eca.certPath',
    section: 'Certificates',
    kind: 'text',
    prompt: "Path of each host's certificate chain (leaf first, no root)",
    help: 'The same path on every host, for example /etc/pki/netbackup/host-chain.pem. PEM, DER or PKCS#7.',
    when: isEca,
    validate: required('The certificate path'),
  },
  {
    id: 'certificates.eca.privateKeyPath',
    section: 'Certificates',
    kind: 'text',
    prompt: 'Path of the private key',
    help: 'The key of the host certificate, same path on every host.',
    when: isEca,
    validate: required('The private key path'),
  },
  {
    id: 'certificates.eca.trustStorePath',
    section: 'Certificates',
    kind: 'text',
    prompt: 'Path of the trust store (CA bundle)',
    help: 'The CA certificates each host trusts.',
    when: isEca,
    validate: required('The trust store path'),
  },
  {
    id: 'certificates.eca.passphraseFile',
    section: 'Certificates',
    kind: 'text',
    prompt: 'Path of the key passphrase file (empty if the key is not encrypted)',
    help: 'Only for an encrypted key. nbsecure never reads it; NetBackup does.',
    when: isEca,
  },
  {
    id: 'certificates.eca.crlCheck',
    section: 'Certificates',
    kind: 'select',
    prompt: 'Revocation check of peer certificates',
    help:
      "Leaf checks the peer's own certificate, chain checks every certificate up to the " +
      'root; disable turns the check off.',
    when: isEca,
    choices: () => [
      { value: 'leaf', label: 'Leaf' },
      { value: 'chain', label: 'Chain' },
      { value: 'disable', label: 'Disable' },
    ],
    initial: () => 'leaf',
  },
  {
    id: 'certificates.securityLevel',
    section: 'Certificates',
    kind: 'select',
    prompt: 'Certificate deployment security level',
    help:
      'How much the primary asks of a host before it issues a certificate. DMZ and NAT hosts ' +
      'always need a token, whatever the level.',
    choices: () => [
      { value: 'very-high', label: 'Very High', hint: 'a token for every certificate request' },
      { value: 'high', label: 'High (default)', hint: 'no token for hosts the primary already knows' },
      { value: 'medium', label: 'Medium', hint: 'no token if the name resolves to the requesting address' },
    ],
    initial: () => 'high',
  },
  {
    id: 'certificates.caFingerprint',
    section: 'Certificates',
    kind: 'text',
    prompt: 'CA certificate fingerprint (SHA-256 or SHA-1; empty to check it by hand on each host)',
    help:
      'Run nbcertcmd -displayCACertDetail on the primary and copy the fingerprint. With ' +
      'it, every host checks the CA it receives automatically; without it, fetching the ' +
      'CA is a manual step on each host.',
    when: isNbca,
    validate: (s) =>
      s && !FINGERPRINT_RE.test(s)
        ? 'The fingerprint is colon-separated hex: 95 characters for SHA-256 or 59 for SHA-1.'
        : undefined,
  },
  {
    id: 'certificates.token.name',
    section: 'Certificates',
    kind: 'text',
    prompt: 'Name of the authorization token created on the primary',
    help: 'Created with nbcertcmd -createToken for the hosts that need one; its uses cover exactly those hosts.',
    when: isNbca,
    initial: () => 'nbsecure-rollout',
    validate: (s) =>
      s && !/^[A-Za-z0-9._-]{1,64}$/.test(s) ? 'Use 1 to 64 letters, digits, dots, dashes or underscores.' : undefined,
  },
  {
    id: 'certificates.token.validFor',
    section: 'Certificates',
    kind: 'text',
    prompt: 'How long the token stays valid (nDnHnM)',
    help: 'Short is safer: a token is a credential. For example 1D, 12H or 2D.',
    when: isNbca,
    initial: () => '1D',
    validate: (s) =>
      s && !VALID_FOR_RE.test(s)
        ? 'Use days, hours and minutes as nDnHnM, for example 2D, 12H or 1D12H30M.'
        : undefined,
  },
  {
    id: 'security.dataInTransitEncryption',
    section: 'Encryption',
    kind: 'select',
    prompt: 'Data-in-transit encryption',
    help: 'Whether backup data is encrypted on the wire (nbseccmd -dteglobalmode).',
    choices: () => [
      { value: 'preferred-on', label: 'Preferred On (default)', hint: 'encrypted unless a client or policy opts out' },
      { value: 'enforced', label: 'Enforced', hint: 'always encrypted; hosts that cannot encrypt fail their jobs' },
      { value: 'preferred-off', label: 'Preferred Off', hint: 'only where asked for' },
    ],
    initial: () => 'preferred-on',
  },
  ...(
    [
      [
        'encryptionAtRest',
        'Encryption',
        'Are backups encrypted at rest (MSDP encryption or KMS)?',
        "Stolen storage otherwise exposes every protected system's data.",
      ],
      [
        'mfa',
        'Access',
        'Is multi-factor authentication on for the web UI and administrators?',
        'A stolen administrator password is how attackers usually delete backups first.',
      ],
      [
        'hostFirewall',
        'Network',
        "Does every backup host run a host firewall that opens only NetBackup's ports?",
        '1556 and 13724 between NetBackup hosts, and what your storage needs.',
      ],
      [
        'dedicatedBackupNetwork',
        'Network',
        'Is backup traffic on a dedicated backup network?',
        'It keeps backup traffic away from the user networks where attackers land first.',
      ],
      [
        'exposedToInternet',
        'Network',
        'Is any backup server reachable from the Internet?',
        'If yes, this is the first thing to fix: it becomes a critical item.',
      ],
      [
        'immutableStorage',
        'Storage',
        'Is at least one copy on immutable (WORM) storage or an isolated recovery copy?',
        'Backups an administrator account can delete do not survive ransomware that reaches that account.',
      ],
      [
        'trustedWebCertificate',
        'Access',
        'Does the web UI present a certificate your browsers trust?',
        'Administrators used to clicking through warnings cannot notice an impostor.',
      ],
    ] as const
  ).map(([field, section, prompt, help]): Question => ({
    id: `hardening.${field}`,
    section,
    kind: 'select',
    prompt,
    help,
    choices: () => YES_NO_UNKNOWN,
    initial: () => 'unknown',
    toValue: boolTo,
    fromValue: boolFrom,
  })),
];

/** The questions asked for each media server or client in a host list. */
export function itemQuestions(list: HostListKey): Question[] {
  const others = (d: Draft, self: string) => allNames(d).filter((n) => n.toLowerCase() !== self.toLowerCase());
  const q: Question[] = [
    {
      id: 'name',
      section: list === 'clients' ? 'Client' : 'Media server',
      kind: 'text',
      prompt: 'Host name',
      help: 'Its fully qualified DNS name.',
      validate: (s, d) =>
        hostNameProblem(s) ??
        (others(d, String(getPath(d, '__editing') ?? '')).some((n) => n.toLowerCase() === s.toLowerCase())
          ? `${s} is already in this site; each host appears once.`
          : undefined),
    },
    {
      id: 'os',
      section: '',
      kind: 'select',
      prompt: 'Operating system',
      help: 'Decides paths and the script language.',
      choices: () => [
        { value: 'linux', label: 'Linux / UNIX' },
        { value: 'windows', label: 'Windows' },
      ],
      initial: () => 'linux',
    },
    {
      id: 'version',
      section: '',
      kind: 'text',
      prompt: "NetBackup version (empty: the primary's)",
      help: '8.0 or earlier makes it a legacy host: insecure communication then stays on.',
      validate: (s) => versionProblem(s),
    },
  ];
  if (list === 'mediaServers') {
    q.push({
      id: 'tunnel',
      section: '',
      kind: 'select',
      prompt: 'Does it offer the HTTP tunnel for DMZ clients?',
      help: 'On by default in NetBackup. DMZ clients reach the primary through it on port 1556.',
      choices: () => [
        { value: 'yes', label: 'Yes' },
        { value: 'no', label: 'No' },
      ],
      initial: () => 'yes',
      toValue: (s) => (s === 'no' ? false : undefined),
      fromValue: (v) => (v === false ? 'no' : 'yes'),
    });
  } else {
    q.push(
      {
        id: 'zone',
        section: '',
        kind: 'select',
        prompt: 'Where is it?',
        help: "A DMZ client reaches the primary through a media server's HTTP tunnel and always needs a token.",
        choices: () => [
          { value: 'internal', label: 'Internal network' },
          { value: 'dmz', label: 'DMZ' },
        ],
        initial: () => 'internal',
        toValue: (s) => (s === 'dmz' ? 'dmz' : undefined),
      },
      {
        id: 'tunnelVia',
        section: '',
        kind: 'multi',
        prompt: 'Tunnel media servers for it, in the order to try (none: any)',
        help:
          'Media servers that offer the tunnel; the client tries the ticked ones in the order you ticked ' +
          'them, then the others. None ticked: any media server with the tunnel on.',
        when: (d) => getPath(d, '__item.zone') === 'dmz',
        // None ticked at first: "any of them" is the answer a person who skips the question means.
        choices: (d) => tunnelMedia(d).map((name) => ({ value: name, label: name })),
        validate: (s, d) => {
          const known = tunnelMedia(d);
          if (!known.length) return 'No media server offers the tunnel: add one (or turn its tunnel on) first.';
          const bad = multiValues(s).filter((n) => !known.includes(n));
          return bad.length
            ? `${bad.join(', ')} ${bad.length === 1 ? 'is not a media server' : 'are not media servers'}` +
                ` with the tunnel on; choose from: ${known.join(', ')}.`
            : undefined;
        },
        toValue: (s) => {
          const names = multiValues(s);
          return names.length ? names : undefined;
        },
        fromValue: (v) => (Array.isArray(v) ? v.join(', ') : undefined),
      },
      {
        id: 'nat',
        section: '',
        kind: 'select',
        prompt: 'Is it behind dynamic NAT?',
        help: 'Servers cannot open connections to it; it then accepts reverse connections and needs a token.',
        when: (d) => getPath(d, '__item.zone') !== 'dmz',
        choices: () => [
          { value: 'no', label: 'No' },
          { value: 'yes', label: 'Yes' },
        ],
        initial: () => 'no',
        toValue: (s) => (s === 'yes' ? true : undefined),
        fromValue: (v) => (v === true ? 'yes' : 'no'),
      },
    );
  }
  q.push({
    id: 'installed',
    section: '',
    kind: 'select',
    prompt: 'Is NetBackup installed on it already?',
    help: 'If not, nbsecure writes an NBInstallAnswer.conf for its silent install (UNIX).',
    choices: () => [
      { value: 'yes', label: 'Yes' },
      { value: 'no', label: 'Not yet' },
    ],
    initial: () => 'yes',
    toValue: (s) => (s === 'no' ? false : undefined),
    fromValue: (v) => (v === false ? 'no' : 'yes'),
  });
  return q;
}

/** The questions that apply to this draft, in order. */
export function activeQuestions(d: Draft): Question[] {
  return QUESTIONS.filter((q) => !q.when || q.when(d));
}

/** The text or choice shown for a question's current answer. */
export function currentText(q: Question, d: Draft, base = ''): string {
  const v = getPath(d, base ? `${base}.${q.id}` : q.id);
  const shown = q.fromValue ? q.fromValue(v) : v === undefined ? undefined : String(v);
  return shown ?? q.initial?.(d) ?? '';
}

/** Applies an answer (already validated) to the draft value the question stands for. */
export function answerValue(q: Question, text: string): unknown {
  if (q.toValue) return q.toValue(text);
  return text === '' ? undefined : text;
}

/**
 * A problem found by the answers-file check, in the wizard's words: `clients[1].zone: …` becomes
 * `Client web1.dmz.example, "Where is it?": …`, since a person in the wizard never saw the file's paths.
 */
export function problemInWords(problem: string, d: Draft): string {
  // "path: problem", or "path names …" where the file's own words follow the path.
  const m = /^([A-Za-z][\w]*(?:\.\w+|\[\d+\])*)(: | )([\s\S]*)$/.exec(problem);
  if (!m) return problem;
  const [, path, sep, found] = m as unknown as [string, string, string, string];
  const rest = found.replace(/\bmediaServers\b/g, 'the media servers');
  const host = /^(clients|mediaServers)\[(\d+)\](?:\.(\w+))?/.exec(path);
  if (host) {
    const list = host[1] as HostListKey;
    const i = Number(host[2]);
    const name = hostList(d, list)[i]?.name;
    const field = host[3] ? (itemQuestions(list).find((q) => q.id === host[3])?.prompt ?? host[3]) : undefined;
    return (
      `${list === 'clients' ? 'Client' : 'Media server'} ${name || `number ${i + 1}`}` +
      `${field ? `, "${field}"` : ''}${sep}${rest}`
    );
  }
  const q = QUESTIONS.find((x) => x.id === path);
  return q ? `"${q.prompt}"${sep}${rest}` : problem;
}

/** A question and its current answer on one line, for the list of answers to change after the review. */
export function answerLine(q: Question, d: Draft): string {
  if (q.kind === 'hosts') return `${q.prompt}: ${hostList(d, q.list!).length}`;
  const text = currentText(q, d);
  const shown = q.kind === 'select' ? q.choices!(d).find((c) => c.value === text)?.label : text;
  return `${q.prompt}: ${shown || '(empty)'}`;
}
