import { parseAnswers } from '../../src/environment/load.js';
import type { Environment } from '../../src/environment/types.js';
import { buildPlan } from '../../src/plan/build.js';
import type { HostPlan, Plan, Step } from '../../src/plan/types.js';

export const FP = 'C2:7D:A7:77:CE:C3:90:C2:BD:87:73:D9:07:DF:F1:E7:5E:3F:43:93:3A:1C:50:55:9B:65:F5:4D:CF:D6:09:F7';

/** An environment from answers given as an object (JSON is YAML), validated like a file. */
export function envOf(answers: object): Environment {
  return parseAnswers(JSON.stringify(answers), 'answers.json').environment;
}

/** The validation message for answers given as an object, or '' when they are valid. */
export function answersProblems(answers: object): string {
  try {
    parseAnswers(JSON.stringify(answers), 'answers.json');
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

export function planOf(answers: object): Plan {
  return buildPlan(envOf(answers));
}

export function host(plan: Plan, name: string): HostPlan {
  const h = plan.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`no host ${name} in plan`);
  return h;
}

export function step(plan: Plan, id: string): Step {
  const s = plan.hosts.flatMap((h) => h.steps).find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}; steps: ${plan.hosts.flatMap((h) => h.steps.map((x) => x.id)).join(', ')}`);
  return s;
}

export function hasStep(plan: Plan, id: string): boolean {
  return plan.hosts.some((h) => h.steps.some((s) => s.id === id));
}

export const base = {
  version: 1,
  primary: { name: 'p.corp.example', version: '10.4' },
  mediaServers: [{ name: 'm1.corp.example' }, { name: 'm2.corp.example' }],
  clients: [{ name: 'c1.corp.example' }],
  certificates: { caFingerprint: FP },
};
