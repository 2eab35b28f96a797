import { readdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Conf from 'conf';
import { TOKEN_EXACT } from './catalogue/token-shape.js';
import { cleanDraft, type Draft } from './wizard/draft.js';

interface Remembered {
  answers?: Draft;
}

/**
 * The last answers of a profile, kept by conf under $XDG_CONFIG_HOME/nbsecure (mode 0600).
 * Answers hold no secrets by design; anything shaped like a token is dropped all the same.
 */
export function profileStore(profile: string): Conf<Remembered> {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(profile))
    throw new Error(`profile name ${profile} must be 1 to 64 letters, digits, dots, dashes or underscores`);
  return new Conf<Remembered>({
    projectName: 'nbsecure',
    projectSuffix: '',
    configName: `profile-${profile}`,
    configFileMode: 0o600,
  });
}

function withoutSecrets(value: unknown): unknown {
  if (typeof value === 'string') return TOKEN_EXACT.test(value) ? undefined : value;
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .map(([k, v]) => [k, withoutSecrets(v)])
        .filter(([, v]) => v !== undefined),
    );
  return value;
}

export function remember(profile: string, draft: Draft): void {
  profileStore(profile).set('answers', withoutSecrets(cleanDraft(draft)) as Draft);
}

export function recall(profile: string): Draft | undefined {
  return profileStore(profile).get('answers');
}

/** Removes every remembered profile (nbsecure --forget). Returns the folder it cleared. */
export function forgetAll(): string {
  const dir = dirname(profileStore('default').path);
  for (const f of readdirSync(dir)) if (/^profile-.*\.json$/.test(f)) rmSync(`${dir}/${f}`, { force: true });
  return dir;
}
