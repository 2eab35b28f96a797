import type { Answers } from './schema.js';
import type { Environment } from './types.js';
import { DTE_MIN_VERSION, dteEnforcedFailures } from '../plan/security.js';
import { hostsNeedingToken } from '../plan/token-policy.js';
import { atLeast } from './versions.js';
import { pathForOsProblem, pathTextProblem } from './paths.js';

export interface Problem {
  path: (string | number)[];
  message: string;
}

/** Rules that span fields: what zod's per-field schema cannot see. Returns every problem found. */
/** `env` is `a` with its defaults (withDefaults), made once by the caller and used by the rules that need it. */
export function crossFieldProblems(a: Answers, env: Environment): Problem[] {
  const problems: Problem[] = [];
  const media = a.mediaServers ?? [];
  const clients = a.clients ?? [];

  const seen = new Map<string, string>();
  const note = (name: string, where: string, path: (string | number)[]) => {
    const key = name.toLowerCase();
    const first = seen.get(key);
    if (first)
      problems.push({
        path,
        message:
          `host ${name} is already listed at ${first}; each host appears once (host names are ` + `not case-sensitive)`,
      });
    else seen.set(key, where);
  };
  note(a.primary.name, 'primary', ['primary', 'name']);
  media.forEach((m, i) => note(m.name, `mediaServers[${i}]`, ['mediaServers', i, 'name']));
  clients.forEach((c, i) => note(c.name, `clients[${i}]`, ['clients', i, 'name']));

  if (a.primary.version && !atLeast(a.primary.version, '8.1')) {
    problems.push({
      path: ['primary', 'version'],
      message:
        `is ${a.primary.version}; nbsecure configures certificate-based security, which needs a primary at 8.1 or ` +
        `later. Upgrade the primary first`,
    });
  }

  const mediaByName = new Map(media.map((m) => [m.name.toLowerCase(), m]));
  const tunnelNames = media.filter((m) => m.tunnel !== false).map((m) => m.name);
  clients.forEach((c, i) => {
    (c.tunnelVia ?? []).forEach((t, j) => {
      const m = mediaByName.get(t.toLowerCase());
      if (!m) {
        problems.push({
          path: ['clients', i, 'tunnelVia', j],
          message: `names ${t}, which is not in mediaServers; name one of: ${
            media.map((x) => x.name).join(', ') || '(no media servers are listed: add one under mediaServers)'
          }`,
        });
      } else if (m.tunnel === false) {
        problems.push({
          path: ['clients', i, 'tunnelVia', j],
          message:
            `names ${t}, whose tunnel is off (tunnel: false); set tunnel: true on that media server or name ` +
            `another`,
        });
      }
    });
    if (c.tunnelVia?.length && c.zone !== 'dmz') {
      problems.push({
        path: ['clients', i, 'tunnelVia'],
        message: 'is only used for DMZ clients; add zone: dmz to this client or remove tunnelVia',
      });
    }
    if (c.zone === 'dmz' && tunnelNames.length === 0) {
      problems.push({
        path: ['clients', i, 'zone'],
        message:
          'is dmz, but no media server offers the HTTP tunnel a DMZ client needs to reach the ' +
          'primary; add a media server (tunnel defaults to true) under mediaServers',
      });
    }
  });

  problems.push(...pathProblems(a), ...dteProblems(env), ...natProblems(env));
  (a.decommissioned ?? []).forEach((name, i) => {
    const listed = seen.get(name.toLowerCase());
    if (listed) {
      problems.push({
        path: ['decommissioned', i],
        message: `names ${name}, which is also listed at ${listed}; a host is either in service or decommissioned`,
      });
    }
  });

  const cert = a.certificates ?? {};
  if (cert.authority === 'eca') {
    const eca = cert.eca ?? {};
    // A path may come from the host's own eca: missing only where some host has neither.
    const everyHost = [a.primary, ...(a.mediaServers ?? []), ...(a.clients ?? [])];
    const missing = (['certPath', 'privateKeyPath', 'trustStorePath'] as const).filter(
      (k) => !eca[k] && everyHost.some((h) => !h.eca?.[k]),
    );
    if (missing.length) {
      problems.push({
        path: cert.eca ? ['certificates', 'eca'] : ['certificates', 'authority'],
        message:
          `an external CA (authority: eca) needs certificates.eca.${missing.join(', certificates.eca.')}` +
          `: the paths of each host's certificate chain, private key and trust store`,
      });
    }
  } else if (cert.eca) {
    problems.push({
      path: ['certificates', 'eca'],
      message: 'is only read with authority: eca; set certificates.authority: eca or remove certificates.eca',
    });
  }
  if (cert.authority !== 'eca') {
    const lists = [['mediaServers', media] as const, ['clients', clients] as const];
    if (a.primary.eca)
      problems.push({ path: ['primary', 'eca'], message: 'is only read with certificates.authority: eca' });
    for (const [list, hosts] of lists) {
      hosts.forEach((h, i) => {
        if (h.eca) problems.push({ path: [list, i, 'eca'], message: 'is only read with certificates.authority: eca' });
      });
    }
  }

  if (cert.token?.maxUses !== undefined) {
    const need = hostsNeedingToken(env).length;
    if (cert.token.maxUses < need) {
      problems.push({
        path: ['certificates', 'token', 'maxUses'],
        message:
          `is ${cert.token.maxUses}, but ${need} hosts need the token; raise it to at least ${need}` +
          ` or leave it out (nbsecure then uses exactly ${need})`,
      });
    }
  }
  return problems;
}

/**
 * Each path must suit the OS of every host that uses it: a host's own installPath, the top-level
 * one for the hosts without their own, and the external-CA paths for every host.
 */
function pathProblems(a: Answers): Problem[] {
  const problems: Problem[] = [];
  const hosts: { host: Answers['primary']; path: (string | number)[] }[] = [
    { host: a.primary, path: ['primary'] },
    ...(a.mediaServers ?? []).map((host, i) => ({ host, path: ['mediaServers', i] })),
    ...(a.clients ?? []).map((host, i) => ({ host, path: ['clients', i] })),
  ];
  const osOf = (h: Answers['primary']) => h.os ?? 'linux';
  for (const { host, path } of hosts) {
    const problem = host.installPath && pathForOsProblem(host.installPath, osOf(host));
    if (problem)
      problems.push({ path: [...path, 'installPath'], message: `${problem}, as ${host.name} (${osOf(host)}) needs` });
  }
  const inheritors = hosts.filter(({ host }) => !host.installPath);
  const firstMismatch = (p: string) => inheritors.map(({ host }) => host).find((h) => pathForOsProblem(p, osOf(h)));
  if (a.installPath && !pathTextProblem(a.installPath)) {
    const h = firstMismatch(a.installPath);
    if (h) {
      problems.push({
        path: ['installPath'],
        message:
          `${pathForOsProblem(a.installPath, osOf(h))}, as ${h.name}` +
          ` (${osOf(h)}) needs; give that host its own installPath`,
      });
    }
  }
  const eca = a.certificates?.eca ?? {};
  for (const field of ['certPath', 'privateKeyPath', 'trustStorePath', 'passphraseFile', 'crlPath'] as const) {
    // A host's own path for this field, against its OS.
    for (const { host, path } of hosts) {
      const own = host.eca?.[field];
      const problem = own && !pathTextProblem(own) && pathForOsProblem(own, osOf(host));
      if (problem)
        problems.push({ path: [...path, 'eca', field], message: `${problem}, as ${host.name} (${osOf(host)}) needs` });
    }
    // The shared path, against every host that has none of its own for this field.
    const p = eca[field];
    if (!p || pathTextProblem(p)) continue;
    const h = hosts.map(({ host }) => host).find((x) => !x.eca?.[field] && pathForOsProblem(p, osOf(x)));
    if (h) {
      problems.push({
        path: ['certificates', 'eca', field],
        message:
          `${pathForOsProblem(p, osOf(h))}, as ${h.name} (${osOf(h)}) needs; give that host its own path ` +
          `in its eca.${field}`,
      });
    }
  }
  return problems;
}

/**
 * Enforced data-in-transit encryption fails the jobs of hosts that cannot encrypt: it is refused
 * while such hosts are listed, unless each is named in security.acceptDteFailures.
 */
function dteProblems(env: Environment): Problem[] {
  if (env.security.dataInTransitEncryption !== 'enforced') return [];
  if (!atLeast(env.primary.version, DTE_MIN_VERSION)) {
    return [
      {
        path: ['security', 'dataInTransitEncryption'],
        message: `is enforced, but data-in-transit encryption needs a primary at ${DTE_MIN_VERSION} or later`,
      },
    ];
  }
  const accepted = new Set(env.security.acceptDteFailures.map((n) => n.toLowerCase()));
  const open = dteEnforcedFailures(env).filter((f) => !accepted.has(f.host.name.toLowerCase()));
  if (!open.length) return [];
  return [
    {
      path: ['security', 'dataInTransitEncryption'],
      message:
        `is enforced, which fails the jobs of ${open.map((f) => `${f.host.name} (${f.why})`).join(', ')}; ` +
        'upgrade them, choose preferred-on, or name them in security.acceptDteFailures to enforce anyway',
    },
  ];
}

/** NAT support needs 8.2 or later (NetBackup NAT guide). */
function natProblems(env: Environment): Problem[] {
  return env.clients.flatMap((c, i) => {
    const version = c.version;
    return c.nat && !atLeast(version, '8.2')
      ? [
          {
            path: ['clients', i, 'nat'],
            message: `is true, but NAT support needs NetBackup 8.2 or later; ${c.name} is ${version}`,
          },
        ]
      : [];
  });
}
