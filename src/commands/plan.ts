import { UsageError } from '../errors.js';
import { loadAnswersFile } from '../environment/load.js';
import { loadPlanFile } from '../execute/load-plan.js';
import { signatureFileOf, signPlan } from '../execute/plan-signature.js';
import { buildPlan } from '../plan/build.js';
import { DEFAULT_FORMATS, FORMATS, renderOutputs, type Format, type Output } from '../render/index.js';
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

/** plan.json's signature, as the file written beside it. */
function planSignature(outputs: Output[], key: string): Output {
  const json = outputs.find((o) => o.format === 'json' && o.name === 'plan.json');
  if (!json) throw new UsageError(`--sign ${key}: there is no plan.json to sign (--host writes none).`);
  return { ...json, name: signatureFileOf(json.name), text: signPlan(json.text, key) };
}

export async function planCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs('plan', args, {
    answers: { type: 'string' },
    plan: { type: 'string' },
    out: { type: 'string' },
    format: { type: 'string' },
    host: { type: 'string' },
    json: { type: 'boolean' },
    sign: { type: 'string' },
    'allowed-signers': { type: 'string' },
  });
  if (values.answers && values.plan) {
    throw new UsageError('nbsecure plan takes --answers FILE or --plan PLAN.json, not both. See nbsecure plan --help.');
  }
  const file = values.plan ?? required('plan', values.answers, '--answers FILE (or --plan PLAN.json)');
  const formats =
    parseFormats(values.format) ??
    (values.out ? [...DEFAULT_FORMATS] : values.json ? ['json' as const] : ['markdown' as const]);
  // A saved plan re-renders every format by itself: the renderers read nothing but the plan.
  // Re-rendered scripts run on hosts: a saved plan is authenticated like one apply runs.
  const plan = values.plan
    ? loadPlanFile(values.plan, { allowedSigners: values['allowed-signers'] })
    : buildPlan(loadAnswersFile(file).environment);
  if (values.sign !== undefined && (!values.out || !formats.includes('json'))) {
    throw new UsageError(
      `--sign ${values.sign} signs plan.json in --out DIR (with the json format, which --out writes by default); ` +
        'give --out DIR.',
    );
  }
  if (values.host && !plan.hosts.some((h) => h.name.toLowerCase() === values.host!.toLowerCase())) {
    throw new UsageError(
      `--host ${values.host} is not in ${file}; its hosts are: ${plan.hosts.map((h) => h.name).join(', ')}.`,
    );
  }
  const rendered = renderOutputs(plan, formats, values.host);
  // Signed before anything is written: a key that cannot sign leaves the folder as it was.
  const outputs = values.sign === undefined ? rendered : [...rendered, planSignature(rendered, values.sign)];
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
