const short = (name: string) => name.toLowerCase().split('.')[0]!;

/**
 * Why apply must not run here: it changes the machine it runs on, so --host must be this machine.
 * Its host name matches in full or by its first label (a machine often knows only its short name).
 * `thisHost` (--this-host) says that this machine is the plan's host under another name (an alias).
 */
export function thisHostProblem(planHost: string, machine: string, thisHost?: string): string | undefined {
  if (thisHost !== undefined) {
    if (thisHost.toLowerCase() === planHost.toLowerCase()) return undefined;
    return `--this-host ${thisHost} does not name --host ${planHost}: give the same name to both.`;
  }
  if (machine.toLowerCase() === planHost.toLowerCase() || short(machine) === short(planHost)) return undefined;
  return (
    `--host ${planHost} is not this machine (its host name is ${machine}): apply changes the machine it runs on, ` +
    `so run it on ${planHost}. If this machine is ${planHost} under another name, say so with --this-host ${planHost}.`
  );
}
