import type { Choice } from './questions.js';

/**
 * What both front ends say before they replace files or restart services: one wording, one set of choices,
 * so the Ink screens and the --plain prompts cannot drift apart.
 */
export function replaceRememberedQuestion(file: string, profile: string, site: string): string {
  return `Importing ${file} replaces the answers remembered for profile ${profile} (${site}). Replace them?`;
}

/** The output folder's files: how many the outputs replace, and the nbsecure files they no longer write. */
export function folderText(dir: string, replaced: number, stale: string[], shown = stale.length): string {
  return (
    `${dir} already holds ${replaced} of these files` +
    (stale.length
      ? ` and ${stale.length} that this plan does not write: ${stale.slice(0, shown).join(', ')}` +
        `${stale.length > shown ? ', …' : ''}`
      : '') +
    '.'
  );
}

export function folderChoices(stale: string[]): Choice[] {
  return [
    { value: 'other', label: 'No: choose another folder' },
    ...(stale.length ? [{ value: 'clean', label: `Yes, and remove the ${stale.length} it no longer writes` }] : []),
    { value: 'replace', label: stale.length ? 'Yes, and keep the others' : 'Yes: replace them' },
  ];
}
