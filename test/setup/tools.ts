import { hasTool, missingMessage, TOOLS, underCi, type ToolName } from '../helpers/tools.js';

/** Runs once before the suite: one visible line per missing tool, or a failure under CI=true. */
export default function setup(): void {
  const missing = (Object.keys(TOOLS) as ToolName[]).filter((t) => !hasTool(t));
  if (!missing.length) return;
  if (underCi()) {
    const list = missing.map(missingMessage).join('; ');
    throw new Error(`CI=true, and the tests need ${list}. .ci/run installs them; nothing is skipped in CI.`);
  }
  for (const tool of missing) console.log(`skipped: the tests that need ${missingMessage(tool)}`);
}
