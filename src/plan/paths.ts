import { COMMANDS, type CommandName } from '../catalogue/commands.js';
import type { HostEnv } from '../environment/types.js';

/** Where a catalogued command lives on this host (Netbackup reference, section 2). */
export function commandPath(host: Pick<HostEnv, 'os' | 'installPath'>, name: CommandName): string {
  const spec = COMMANDS[name];
  if (host.os === 'windows') {
    const root = host.installPath.replace(/[\\/]+$/, '');
    const dir = spec.dir === 'admincmd' ? 'NetBackup\\bin\\admincmd' : 'NetBackup\\bin';
    return `${root}\\${dir}\\${name}.exe`;
  }
  const root = host.installPath.replace(/\/+$/, '');
  return `${root}/netbackup/bin/${spec.dir === 'admincmd' ? 'admincmd/' : ''}${name}`;
}
