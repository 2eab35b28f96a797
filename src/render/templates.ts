import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';

/** templates/ sits at the package root, both for src/ under tsx/vitest and for the bundle in dist/. */
export function templatesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'templates', 'runbook.md.eta'))) return join(dir, 'templates');
    dir = dirname(dir);
  }
  throw new Error('internal: the templates folder of nbsecure was not found next to its code');
}

let eta: Eta | undefined;

/** Output is not HTML, so nothing is escaped here: each renderer quotes for its own language. */
export function renderTemplate(name: string, data: object): string {
  eta ??= new Eta({ views: templatesDir(), autoEscape: false, autoTrim: false, cache: true });
  return eta.render(name, data as Record<string, unknown>);
}
