import type { Arg, FileArg, FileName, PlanCommand } from './types.js';

/** The files a step may hand its command, written by the executor at run time. */
export const FILE_NAMES = ['token', 'ca-fingerprint', 'passphrase'] as const satisfies readonly FileName[];

export function fileArg(file: FileName): FileArg {
  return { file };
}

export function isFileArg(a: Arg): a is FileArg {
  return typeof a === 'object';
}

/** How a file argument reads in plan.json's `args` (contract 1.0): text only, never parsed back. */
export function argText(a: Arg): string {
  return isFileArg(a) ? `{file:${a.file}}` : a;
}

/** A command with its typed argv, and the same arguments as text for plan.json's readers. */
export function planCommand(file: string, argv: Arg[]): PlanCommand {
  return { file, args: argv.map(argText), argv };
}

/** The argv with each file argument replaced by the path its executor wrote it to. */
export function argvWithFiles(cmd: PlanCommand, pathOf: (file: FileName) => string): string[] {
  return cmd.argv.map((a) => (isFileArg(a) ? pathOf(a.file) : a));
}

/** The plain-text arguments: what the catalogue checks flags against. */
export function textArgs(argv: readonly Arg[]): string[] {
  return argv.filter((a): a is string => !isFileArg(a));
}
