import { withOperations } from '../plan/operations.js';
import type { HostPlan, PlanCommand, Step } from '../plan/types.js';

/**
 * The install root of a Windows host whose answers give none: the registry's install folder when
 * it holds NetBackup, else the first candidate that does. `holdsNetBackup` looks at the host.
 */
export function detectInstallRoot(
  candidates: readonly string[],
  registryRoot: string | undefined,
  holdsNetBackup: (root: string) => boolean,
): string | undefined {
  const fromRegistry = registryRoot?.replace(/[\\/]+$/, '');
  if (fromRegistry && holdsNetBackup(fromRegistry)) return fromRegistry;
  return candidates.find(holdsNetBackup);
}

/** The host's plan with every command under `root` instead of the plan's install path. */
export function underRoot(host: HostPlan, root: string): HostPlan {
  if (root === host.installPath) return host;
  const move = (c: PlanCommand): PlanCommand =>
    c.file.startsWith(host.installPath) ? { ...c, file: root + c.file.slice(host.installPath.length) } : c;
  const step = (s: Step): Step => ({
    ...s,
    ...(s.command ? { command: move(s.command) } : {}),
    ...(s.done ? { done: { ...s.done, command: move(s.done.command) } } : {}),
    ...(s.mergeRepeatedKeys
      ? { mergeRepeatedKeys: { ...s.mergeRepeatedKeys, read: move(s.mergeRepeatedKeys.read) } }
      : {}),
    ...(s.keepsIdentity ? { keepsIdentity: { ...s.keepsIdentity, read: move(s.keepsIdentity.read) } } : {}),
    ...(s.reissue ? { reissue: { ...s.reissue, command: move(s.reissue.command) } } : {}),
  });
  // Its operations are lowered again from the moved commands: they are what the interpreters run.
  return withOperations({ ...host, installPath: root, steps: host.steps.map(step) });
}
