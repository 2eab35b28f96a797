import { UsageError } from '../errors.js';
import { loadAnswersFile } from '../environment/load.js';
import { loadPlanFile } from '../execute/load-plan.js';
import { buildPlan } from '../plan/build.js';
import { DEFAULT_FORMATS, FORMATS, renderOutputs, type Format } from '../render/index.js';
import { colours, writeLine, type Io } from '../output.js';
import { writeFileSet } from '../write-outputs.js';
import { parseCommandArgs, required } from './args.js';

export function parseFormats(value: string | undefined): Format[] | undefined {
  if (value === undefined) return undefined;
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = list.filter((f) => !(FORMATS as readonly string[]).includes(f));
  if (bad.length || !list.length) {
    throw new UsageError(
      `--format ${value}: ${bad.length ? `unknown format ${bad.join(', ')}` : 'no format given'}` +
        `; the formats are ${FORMATS.join(', ')}.`,
    );
  }
  return [...new Set(list)] as Format[];
}

export async function planCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs('plan', args, {
    answers: { type: 'string' },
    plan: { type: 'string' },
    out: { type: 'string' },
    format: { type: 'string' },
    host: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.answers && values.plan) {
    throw new UsageError('nbsecure plan takes --answers FILE or --plan PLAN.json, not both. See nbsecure plan --help.');
  }
  const file = values.plan ?? required('plan', values.answers, '--answers FILE (or --plan PLAN.json)');
  const formats =
    parseFormats(values.format) ??
    (values.out ? [...DEFAULT_FORMATS] : values.json ? ['json' as const] : ['markdown' as const]);
  // A saved plan re-renders every format by itself: the renderers read nothing but the plan.
  const plan = values.plan ? loadPlanFile(values.plan) : buildPlan(loadAnswersFile(file).environment);
  if (values.host && !plan.hosts.some((h) => h.name.toLowerCase() === values.host!.toLowerCase())) {
    throw new UsageError(
      `--host ${values.host} is not in ${file}; its hosts are: ${plan.hosts.map((h) => h.name).join(', ')}.`,
    );
  }
  const outputs = renderOutputs(plan, formats, values.host);
  const c = colours(io.stderr, io.env);
  for (const w of plan.warnings) writeLine(io.stderr, `${c.yellow('warning:')} ${w}`);

  if (values.out) {
    const written = writeFileSet(
      values.out,
      outputs.map((o) => ({ name: o.name, text: o.text, mode: o.format === 'sh' ? 0o755 : 0o644 })),
    );
    if (values.json)
      writeLine(io.stdout, JSON.stringify({ out: values.out, digest: plan.digest, files: written }, null, 2));
    else
      writeLine(
        io.stderr,
        `${c.green('wrote')} ${written.length} files to ${values.out}: ${outputs.map((o) => o.name).join(', ')}`,
      );
    return 0;
  }
  if (values.json) {
    const only = outputs.length === 1 && outputs[0]!.format === 'json';
    io.stdout.write(only ? outputs[0]!.text : `${JSON.stringify({ digest: plan.digest, outputs }, null, 2)}\n`);
    return 0;
  }
  if (!outputs.length) {
    writeLine(
      io.stderr,
      `no output: ${formats.join(', ')} ${formats.length === 1 ? 'does' : 'do'}` +
        ` not apply to ${values.host ?? 'these hosts'}` +
        ' (sh is for UNIX hosts, ps1 for Windows, answerfile for hosts not installed yet).',
    );
    return 0;
  }
  outputs.forEach((o, i) => {
    if (outputs.length > 1) io.stdout.write(`${i ? '\n' : ''}==> ${o.name} <==\n`);
    io.stdout.write(o.text);
  });
  return 0;
}
