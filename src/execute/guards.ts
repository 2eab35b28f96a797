import { isLegacy } from '../environment/versions.js';
import { LEGACY_GUARD_STOP } from '../plan/operations.js';
import type { Step } from '../plan/types.js';

/**
 * Hosts in `nbemmcmd -listhosts -verbose` output that are at 8.0 or earlier and not among `known`.
 * The output layout is not documented (unconfirmed): each host has a `MachineName = "name"` line
 * followed by a `NetBackupVersion = 8.0.0.0 (800000)` line. A host with no version, or 0, is not
 * judged. Names compare without case, and a short name matches its fully qualified form.
 */
export function unlistedLegacyHosts(output: string, known: readonly string[]): { name: string; version: string }[] {
  const names = new Set(known.flatMap((n) => [n.toLowerCase(), n.toLowerCase().split('.')[0]!]));
  const found: { name: string; version: string }[] = [];
  let current: string | undefined;
  for (const line of output.split('\n')) {
    const machine = /^\s*MachineName\s*=\s*"?([^"\s]+)"?/.exec(line);
    if (machine) current = machine[1];
    const version = /^\s*NetBackupVersion\s*=\s*(\d+(?:\.\d+)*)/.exec(line);
    if (!version || !current) continue;
    const v = version[1]!;
    const name = current;
    current = undefined;
    if (/^0(\.0)*$/.test(v) || !isLegacy(v)) continue;
    if (!names.has(name.toLowerCase()) && !names.has(name.toLowerCase().split('.')[0]!))
      found.push({ name, version: v });
  }
  return found;
}

/** Why a read step's guard stops the run, or undefined when it holds. */
export function guardFailure(step: Step, output: string): string | undefined {
  if (step.guard?.kind !== 'no-unlisted-legacy-hosts') return undefined;
  const hosts = unlistedLegacyHosts(output, step.guard.known);
  if (!hosts.length) return undefined;
  return LEGACY_GUARD_STOP.replace('{hosts}', hosts.map((h) => `${h.name} (${h.version})`).join(', '));
}
