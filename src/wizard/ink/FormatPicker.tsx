import { DEFAULT_FORMATS, FORMATS, type Format } from '../../render/index.js';
import { MultiSelect } from './MultiSelect.js';

const LABELS: Record<Format, string> = {
  markdown: 'runbook.md: the runbook for people',
  sh: 'bash script per UNIX host',
  ps1: 'PowerShell script per Windows host',
  bpconf: 'bp.conf snippet per host',
  json: 'plan.json: for apply --plan and machines',
  answerfile: 'NBInstallAnswer.conf for hosts not installed yet',
  ansible: 'ansible/: a playbook for the whole fleet (nbsecure rollout)',
};

/** Which outputs to write: those of `plan --out` ticked, the playbook offered. */
export function FormatPicker(props: { onSubmit: (formats: Format[]) => void }) {
  return (
    <MultiSelect
      prompt="Which outputs?"
      choices={FORMATS.map((f) => ({ value: f, label: LABELS[f] }))}
      initial={[...DEFAULT_FORMATS]}
      onSubmit={(v) => props.onSubmit(v as Format[])}
    />
  );
}
