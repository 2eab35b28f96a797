import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, it } from 'vitest';

/**
 * Outside tools some tests need, found in one place. Missing locally: those tests are skipped and
 * the global setup prints one line per tool saying how to install it. Missing under CI=true: a
 * failure, never a skip, so CI proves everything.
 */
export const TOOLS = {
  shellcheck: { install: 'apt-get install shellcheck', probe: () => runs('shellcheck', ['--version']) },
  tinyproxy: { install: 'apt-get install tinyproxy', probe: () => runs('tinyproxy', ['-v']) },
  tmux: { install: 'apt-get install tmux', probe: () => runs('tmux', ['-V']) },
  'ansible-playbook': {
    install: 'apt-get install ansible-core',
    probe: () => runs('ansible-playbook', ['--version']),
  },
  'ansible-lint': { install: 'apt-get install ansible-lint', probe: () => runs('ansible-lint', ['--version']) },
  // ssh-keygen has no version flag: it is there when it starts at all (usage, exit 1).
  'ssh-keygen': {
    install: 'apt-get install openssh-client',
    probe: () => spawnSync('ssh-keygen', ['-?'], { stdio: 'ignore' }).error === undefined,
  },
  'mount tmpfs': {
    install: 'run the tests as root where mounting a tmpfs is allowed (for the full-disk and read-only cases)',
    probe: tmpfsWorks,
  },
  'ip netns': {
    install: 'apt-get install iproute2, and run the tests as root where network namespaces are allowed',
    probe: netnsWorks,
  },
} as const;
export type ToolName = keyof typeof TOOLS;

function runs(file: string, args: string[]): boolean {
  return spawnSync(file, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

function tmpfsWorks(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'nbsecure-probe-'));
  try {
    if (!runs('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', dir])) return false;
    runs('umount', [dir]);
    return true;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function netnsWorks(): boolean {
  const probe = `nbsecure-probe-${process.pid}`;
  if (!runs('ip', ['netns', 'add', probe])) return false;
  runs('ip', ['netns', 'del', probe]);
  return true;
}

const found = new Map<ToolName, boolean>();
export function hasTool(tool: ToolName): boolean {
  if (!found.has(tool)) found.set(tool, TOOLS[tool].probe());
  return found.get(tool)!;
}

export const underCi = (env: NodeJS.ProcessEnv = process.env) => Boolean(env.CI) && env.CI !== 'false';

export function missingMessage(tool: ToolName): string {
  return `${tool} (not here; install it with: ${TOOLS[tool].install})`;
}

/**
 * `it` and `describe` for tests that need these tools: the real ones when every tool is there;
 * skipped when one is missing; failing with the tool's name when one is missing under CI=true.
 */
export function withTools(...tools: ToolName[]) {
  const missing = tools.filter((t) => !hasTool(t));
  if (!missing.length) return { it, describe, missing };
  const reason = `this test needs ${missing.map(missingMessage).join(' and ')}; under CI=true a missing tool fails`;
  if (!underCi()) return { it: it.skip, describe: describe.skip, missing };
  const failingIt = ((name: string) =>
    it(name, () => {
      throw new Error(reason);
    })) as unknown as typeof it;
  const failingDescribe = ((name: string, body: () => void) =>
    describe(name, () => {
      beforeAll(() => {
        throw new Error(reason);
      });
      body();
    })) as unknown as typeof describe;
  return { it: failingIt, describe: failingDescribe, missing };
}
