// Shared logic of the simulated NetBackup commands. Each executable runs one command through execute():
// as a Node process of its own (run), or through the simulator server (sim-server.mjs) for the benchmarks.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

/** <root> is found from the executable's own path: <root>/netbackup/bin[/admincmd]/<name>. */
function rootOf(self) {
  let dir = dirname(resolve(self));
  if (dir.endsWith('admincmd')) dir = dirname(dir);
  return dirname(dirname(dir));
}

function readJson(file, fallback) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return fallback;
  }
}

function writeJson(file, value) {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** A command's exit with its status, thrown from wherever the command fails. */
class Exit {
  constructor(status) {
    this.status = status;
  }
}

/** One command as a process of its own: how the simulated executables run unless a server answers for them. */
export async function run(self, name) {
  const result = await execute(self, name, {
    argv: process.argv.slice(2),
    env: process.env,
    pid: process.pid,
    stdin: () => {
      try {
        return readFileSync(0, 'utf8');
      } catch {
        return '';
      }
    },
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    // A child that outlives the command and keeps its output open, as a helper a real command starts may.
    orphan: (root) => {
      const child = spawn('sleep', ['600'], { stdio: ['ignore', 'inherit', 'inherit'] });
      writeFileSync(join(root, 'sim', 'orphan'), String(child.pid));
      child.unref();
    },
  });
  if (result.hang) setInterval(() => {}, 1000);
  else process.exitCode = result.status;
}

/**
 * Runs one command with its io: { argv, env, pid, stdin(), out(text), err(text) }. Resolves with its exit
 * status, or with { hang: true } when a fault makes it hang: <root>/sim/hanging then holds io.pid, to kill.
 */
export async function execute(self, name, io) {
  // For the rollout benchmark: time a real command spends on its own host and on the network to the primary.
  const remoteMs = Number(io.env.NBSIM_REMOTE_MS ?? 0);
  if (remoteMs > 0) await new Promise((resolve) => setTimeout(resolve, remoteMs));
  let hang;
  try {
    hang = perform(self, name, io);
  } catch (e) {
    if (e instanceof Exit) return { status: e.status };
    throw e;
  }
  if (!hang) return { status: 0 };
  writeFileSync(join(rootOf(self), 'sim', 'hanging'), String(io.pid));
  return { hang: true };
}

/**
 * The command's work; returns true when a fault says it hangs, before its work or after it (`hangAfter`): a
 * process killed there has changed the host without saying so, as a real command killed after its change has.
 */
function perform(self, name, io) {
  const argv = io.argv;
  const flag = (f) => {
    const i = argv.indexOf(f);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const fail = (status, message) => {
    io.err(`${message}\nEXIT STATUS ${status}\n`);
    throw new Exit(status & 0xff || 1);
  };
  const readStdin = io.stdin;
  const out = io.out;

  const root = rootOf(self);
  const sim = join(root, 'sim');
  const domain = readFileSync(join(sim, 'domain'), 'utf8').trim();
  const host = readJson(join(sim, 'host.json'), {});
  // Which of nbsecure's secret variables this command inherited (names only): it should be none.
  const secretEnv = Object.keys(io.env).filter((k) => /^NBSECURE_(TOKEN|PASSPHRASE|API_KEY)$/.test(k));
  // An API key in NETBACKUP_APIKEY stands in for a login when the primary knows it (the domain's apikey file).
  const keyFile = join(domain, 'apikey');
  const apiKey = io.env.NETBACKUP_APIKEY;
  const keyOk = Boolean(apiKey) && existsSync(keyFile) && readFileSync(keyFile, 'utf8') === apiKey;
  appendFileSync(
    join(sim, 'argv.jsonl'),
    `${JSON.stringify({ cmd: name, args: argv, secretEnv, apiKeyEnv: Boolean(apiKey) })}\n`,
  );

  // Fault injection: a fault whose `match` prefixes "name args" (or equals it, with `exact`)
  // applies to its `nth` matching call (default: every call), `times` times (default: always).
  const faults = readJson(join(sim, 'faults.json'), []);
  const line = [name, ...argv].join(' ');
  let fault;
  for (const f of faults) {
    if (!(f.exact ? line === f.match : line.startsWith(f.match))) continue;
    f.seen = (f.seen ?? 0) + 1;
    if (!fault && (f.nth === undefined || f.seen === f.nth) && (f.times ?? 1) > 0) fault = f;
  }
  writeJson(join(sim, 'faults.json'), faults);
  if (fault) {
    if (fault.times !== undefined) fault.times -= 1;
    writeJson(join(sim, 'faults.json'), faults);
    // Output without end (`flood` MiB) or a child left holding it (`orphan`), then the command's own work.
    for (let i = 0; i < (fault.flood ?? 0); i++) out(`${'x'.repeat(1023)}\n`.repeat(1024));
    if (fault.orphan) io.orphan?.(root);
    if (fault.hang) return true;
    // A canned answer (`output`, with `exit` if it fails): what a real command prints that this one does not.
    if (fault.output !== undefined) {
      out(fault.output);
      if (fault.exit) fail(fault.exit, fault.message ?? `simulated failure of ${line}`);
      return false;
    }
    if (!fault.hangAfter && !fault.flood && !fault.orphan) {
      fail(fault.exit ?? 1, fault.message ?? `simulated failure of ${line}`);
    }
  }
  act();
  return Boolean(fault?.hangAfter);

  /** The command's own work, once no fault stopped it. */
  function act() {
    const bpconf = join(root, 'netbackup', 'bp.conf');
    const certsFile = join(sim, 'certs.json');
    const certs = readJson(certsFile, {});
    const ca = readJson(join(domain, 'ca.json'), {});
    const securityFile = join(domain, 'security.json');
    const security = readJson(securityFile, {
      insecureCommunication: 'on',
      dteGlobalMode: 0,
      restarts: 0,
      servicesUp: true,
    });
    const tokensFile = join(domain, 'tokens.json');
    const tokens = readJson(tokensFile, []);
    const loggedIn = existsSync(join(domain, 'session.json')) || keyOk;

    const readConf = () =>
      (existsSync(bpconf)
        ? readFileSync(bpconf, 'utf8')
            .split('\n')
            .filter((l) => l.includes('='))
        : []
      ).map((l) => {
        const i = l.indexOf('=');
        return [l.slice(0, i).trim(), l.slice(i + 1).trim()];
      });

    switch (name) {
      case 'nbgetconfig':
      case 'bpgetconfig': {
        const keys = argv.filter((a) => !a.startsWith('-'));
        for (const [k, v] of readConf()) if (!keys.length || keys.includes(k)) out(`${k} = ${v}\n`);
        return;
      }
      case 'nbsetconfig':
      case 'bpsetconfig': {
        const input = readStdin()
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => {
            const i = l.indexOf('=');
            return [l.slice(0, i).trim(), l.slice(i + 1).trim()];
          });
        const written = new Set(input.map(([k]) => k));
        // Writing a key replaces every entry of it: the real commands' replace-the-set semantics.
        const kept = readConf().filter(([k]) => !written.has(k));
        writeFileSync(bpconf, [...kept, ...input].map(([k, v]) => `${k} = ${v}\n`).join(''));
        return;
      }
      case 'bpnbat': {
        if (argv[0] === '-login') {
          writeJson(join(domain, 'session.json'), { user: 'admin' });
          out('Operation completed successfully.\n');
          return;
        }
        fail(1, 'bpnbat: unsupported in the simulator');
        return;
      }
      case 'bp.kill_all': {
        if (!/^y/i.test(readStdin())) fail(1, 'bp.kill_all: not confirmed');
        security.servicesUp = false;
        writeJson(securityFile, security);
        out('Stopping NetBackup services...\n');
        return;
      }
      case 'bp.start_all': {
        security.servicesUp = true;
        security.restarts += 1;
        security.effectiveInsecure = security.insecureCommunication;
        writeJson(securityFile, security);
        out('Starting NetBackup services...\n');
        return;
      }
      case 'nbseccmd': {
        if (!loggedIn) fail(5930, 'nbseccmd: not authorized; log in with bpnbat -login -logintype WEB');
        const modes = ['PREFERRED_OFF', 'PREFERRED_ON', 'ENFORCED'];
        if (argv[0] === '-setsecurityconfig') {
          if (flag('-insecurecommunication')) security.insecureCommunication = flag('-insecurecommunication');
          if (flag('-dteglobalmode')) security.dteGlobalMode = Number(flag('-dteglobalmode'));
          if (flag('-auditretentionperiod')) security.auditRetentionDays = Number(flag('-auditretentionperiod'));
          writeJson(securityFile, security);
          out('Security configuration updated successfully.\n');
          return;
        }
        if (argv[0] === '-getsecurityconfig') {
          if (argv.includes('-insecurecommunication'))
            out(`Insecure Communication: ${security.insecureCommunication.toUpperCase()}\n`);
          if (argv.includes('-dteglobalmode')) out(`DTE Global Mode: ${modes[security.dteGlobalMode]}\n`);
          if (argv.includes('-auditretentionperiod'))
            out(`Audit Retention Period: ${security.auditRetentionDays ?? 90} days\n`);
          return;
        }
        fail(1, `nbseccmd: unsupported ${argv[0]}`);
        return;
      }
      case 'nbemmcmd': {
        // The hosts EMM knows, from the domain's emm.json ([{ name, version }]); the layout follows field
        // notes (MachineName and NetBackupVersion lines), which the vendor does not document.
        if (argv[0] !== '-listhosts') fail(1, `nbemmcmd: unsupported ${argv[0]}`);
        for (const h of readJson(join(domain, 'emm.json'), [])) {
          const [a = 0, b = 0, c = 0, d = 0] = h.version.split('.').map(Number);
          out(
            `${h.name}:\n\tMachineName = "${h.name}"\n\tMachineNbuType = client (1)\n` +
              `\tNetBackupVersion = ${a}.${b}.${c}.${d} (${a * 100000 + b * 10000 + c * 1000 + d})\n`,
          );
        }
        return;
      }
      case 'nbcertcmd':
        return nbcertcmd();
      default:
        fail(1, `${name}: not simulated`);
    }

    function tokenFrom(file) {
      const mode = statSync(file).mode & 0o777;
      if (mode & 0o077) fail(1, `The token file ${file} is readable by others (mode ${mode.toString(8)}); refusing it`);
      return readFileSync(file, 'utf8').trim();
    }

    function nbcertcmd() {
      const op = argv[0];
      switch (op) {
        case '-displayCACertDetail':
          // A domain in the middle of a CA migration (ca.json "others") shows every CA it has.
          for (const fingerprint of [ca.fingerprint, ...(ca.others ?? [])]) {
            out(
              `CA Certificate received successfully.\n  Subject Name : /CN=nbatd/OU=root@primary/O=vx\n ` +
                ` SHA-256 Fingerprint : ${fingerprint}\n`,
            );
          }
          return;
        case '-getCACertificate': {
          if (!ca.fingerprint) fail(1, 'The primary is not reachable');
          const file = flag('-file');
          const expected = file ? readFileSync(file, 'utf8').trim() : undefined;
          if (!file && !/^y/i.test(readStdin())) fail(1, 'The CA certificate was not accepted');
          if (expected && expected.toUpperCase() !== ca.fingerprint.toUpperCase())
            fail(1, 'The CA certificate fingerprint does not match the one given');
          certs.ca = ca.fingerprint;
          writeJson(certsFile, certs);
          out('The validation of root certificate fingerprint is successful.\nCA certificate stored successfully.\n');
          return;
        }
        case '-listCACertDetails':
          if (!certs.ca) fail(1, 'No CA certificates found');
          out(`Subject Name : /CN=nbatd\n  SHA-256 Fingerprint : ${certs.ca}\n`);
          return;
        case '-getCertificate': {
          if (!certs.ca) fail(1, 'The CA certificate is not available: run nbcertcmd -getCACertificate first');
          const file = flag('-file');
          if (argv.includes('-token')) fail(1, 'simulator: interactive -token is not supported');
          const expired = certs.host && (certs.host.revoked || new Date(certs.host.expires) <= new Date());
          if (expired && !argv.includes('-force'))
            fail(1, 'The host already has a certificate; use -force to replace it');
          if (file) {
            const value = tokenFrom(file);
            const t = tokens.find((x) => x.value === value);
            if (!t || t.uses >= t.maxUses) fail(1, 'The token is invalid or used up');
            // Assumed, as the Security Guide says: a host that has a host ID is reissued only with a reissue
            // token bound to it, never with a normal one.
            const forThisHost =
              t.reissueHost === host.name || (t.reissueHostId && t.reissueHostId === certs.host?.hostId);
            if (expired && !forThisHost) fail(1, 'A reissue token for this host is needed');
            t.uses += 1;
            writeJson(tokensFile, tokens);
          } else if (host.zone === 'dmz' || host.nat || security.level === 'very-high' || !host.knownToPrimary) {
            // Through a tunnel the primary sees the media server's address, not this host's.
            fail(
              host.knownToPrimary && (host.zone === 'dmz' || host.nat) ? 5954 : 5955,
              host.knownToPrimary
                ? 'The host name does not resolve to the requesting IP address'
                : 'The host name is not known to the primary server',
            );
          }
          certs.host = {
            hostId: certs.host?.hostId ?? randomBytes(8).toString('hex'),
            name: host.name,
            expires: new Date(Date.now() + 365 * 86_400_000).toUTCString(),
          };
          writeJson(certsFile, certs);
          out('Host certificate received successfully from server.\n');
          return;
        }
        case '-listCertDetails':
          if (!certs.host && !certs.eca) fail(1, 'No certificates found');
          out(
            `Host ID : ${certs.host?.hostId ?? 'eca'}\n  Issued To : ${host.name}\n` +
              (certs.host?.expires ? `  Expiry Date : ${certs.host.expires}\n` : '') +
              (certs.host?.revoked ? '  State : Revoked\n' : ''),
          );
          return;
        case '-hostSelfCheck':
          if (!certs.host && !certs.eca) fail(1, 'The host has no certificate');
          out('The host certificate is valid.\n');
          return;
        case '-createToken': {
          if (!loggedIn) fail(5930, 'Not authorized: log in with bpnbat -login -logintype WEB');
          // Assumed, not documented: a second token under a name in use is refused.
          if (tokens.some((t) => t.name === flag('-name'))) fail(1, `A token named ${flag('-name')} already exists`);
          const value = Array.from(randomBytes(16), (b) => String.fromCharCode(65 + (b % 26))).join('');
          // A reissue token is bound to one host (by name or host ID) and serves only it.
          const bound = argv.includes('-reissue')
            ? {
                ...(flag('-host') ? { reissueHost: flag('-host') } : {}),
                ...(flag('-hostId') ? { reissueHostId: flag('-hostId') } : {}),
              }
            : {};
          tokens.push({ name: flag('-name'), value, maxUses: Number(flag('-maxUses') ?? 1), uses: 0, ...bound });
          writeJson(tokensFile, tokens);
          // The simulator's own record of every token it made, kept after deletion: tests look for leaks with it.
          appendFileSync(join(domain, 'created-tokens.log'), `${value}\n`);
          out(`Token ${value} created successfully.\n`);
          return;
        }
        case '-revokeCertificate': {
          if (!loggedIn) fail(5930, 'Not authorized: log in with bpnbat -login -logintype WEB');
          const file = join(domain, 'revoked.json');
          const revoked = readJson(file, []);
          // Assumed, not documented: revoking a certificate that is already revoked is refused.
          if (revoked.includes(flag('-host'))) fail(1, `The certificate of ${flag('-host')} is already revoked`);
          writeJson(file, [...revoked, flag('-host')]);
          out(`The certificate of ${flag('-host')} was revoked.\n`);
          return;
        }
        case '-deleteToken': {
          if (!loggedIn) fail(5930, 'Not authorized: log in with bpnbat -login -logintype WEB');
          if (!tokens.some((t) => t.name === flag('-name'))) fail(1, `Token ${flag('-name')} not found`);
          writeJson(
            tokensFile,
            tokens.filter((t) => t.name !== flag('-name')),
          );
          out(`Token ${flag('-name')} deleted successfully.\n`);
          return;
        }
        case '-displayToken':
          if (!tokens.some((t) => t.name === flag('-name'))) fail(1, `Token ${flag('-name')} not found`);
          out(`Token Name : ${flag('-name')}\n`);
          return;
        case '-ecaHealthCheck': {
          const missing = ['-trustStorePath', '-certPath', '-privateKeyPath'].filter(
            (f) => !flag(f) || !existsSync(flag(f)),
          );
          if (flag('-passphraseFile')) {
            const pf = flag('-passphraseFile');
            if (!existsSync(pf) || statSync(pf).mode & 0o077 || !readFileSync(pf, 'utf8').trim())
              missing.push('-passphraseFile');
            else appendFileSync(join(sim, 'passphrases.log'), `${readFileSync(pf, 'utf8').trim()}\n`);
          }
          if (missing.length)
            fail(8779, missing.map((f) => `USER_INPUT_${f.slice(1).toUpperCase()}_VALIDATION failed`).join('\n'));
          out('All validations passed.\n');
          return;
        }
        case '-enrollCertificate':
          if (argv.includes('-preCheck')) {
            out('Pre-check passed.\n');
            return;
          }
          certs.eca = { name: host.name };
          writeJson(certsFile, certs);
          out('External certificate enrolled.\n');
          return;
        default:
          fail(1, `nbcertcmd: ${op} is not simulated`);
      }
    }
  }
}
