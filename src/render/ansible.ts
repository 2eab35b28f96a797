import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Document, isScalar, isSeq, stringify, visit } from 'yaml';
import { TOKEN_SHAPE } from '../catalogue/token-shape.js';
import type { Role } from '../environment/types.js';
import type { HostPlan, Plan } from '../plan/types.js';
import { roleSteps } from './role-steps.js';
import { renderPs1 } from './ps1.js';
import { renderSh } from './sh.js';
import { templatesDir } from './templates.js';

/** The inventory groups of CONTRACT 1.1, one per role. */
export const ANSIBLE_GROUPS: Record<Role, string> = {
  primary: 'nbsecure_primary',
  media: 'nbsecure_media',
  client: 'nbsecure_clients',
};

/** Media servers in batches of 5; clients in canary waves: one host, then 10%, then 25% at a time. */
const MEDIA_SERIAL = 5;
const CLIENT_WAVES = [1, '10%', '25%'];
/** A wave goes on while at most this share of its hosts failed. */
const MAX_FAIL_PERCENTAGE = 10;

/** Ansible reads YAML 1.1, where on, off, yes and no are booleans: strings like these are written quoted. */
const YAML_11 = { version: '1.1', lineWidth: 150 } as const;

/**
 * Data as YAML that Ansible never templates: every string value is tagged !unsafe, so that a value from the
 * answers holding "{{ ... }}" stays text instead of running on the control node.
 */
export function unsafeYaml(data: object): string {
  const doc = new Document(data, { version: '1.1' });
  const mark = (node: unknown) => {
    if (isScalar(node) && typeof node.value === 'string') node.tag = '!unsafe';
  };
  visit(doc, {
    Pair: (_, pair) => mark(pair.value),
    Seq: (_, seq) => {
      if (isSeq(seq)) seq.items.forEach(mark);
    },
  });
  return doc.toString({ lineWidth: 150 });
}

const HEADER = (plan: Plan) =>
  `# nbsecure rollout for ${plan.primary}, plan ${plan.digest.slice(0, 16)}. Generated from plan.json: plan again ` +
  'to change it.\n';

/** The role that runs the hosts' scripts, the same for every plan: copied as it is from templates/ansible. */
function roleFiles(): { name: string; text: string }[] {
  const root = join(templatesDir(), 'ansible');
  return (
    readdirSync(root, { recursive: true, withFileTypes: true })
      // Python's byte-code caches are not the role's: a check of a module on this machine may leave one.
      .filter((e) => e.isFile() && !e.parentPath.includes('__pycache__'))
      .map((e) => join(e.parentPath, e.name))
      .sort()
      .map((file) => ({ name: `ansible/${relative(root, file)}`, text: readFileSync(file, 'utf8') }))
  );
}

/** A stage's play: the role run on a group, with that stage's steps; tagged with the stage (--tags tighten). */
function play(name: string, group: string, stage: string, extra: object = {}): object {
  return {
    name,
    hosts: group,
    gather_facts: false,
    tags: [stage],
    ...extra,
    vars: { nbsecure_stage: stage },
    roles: ['nbsecure_steps'],
  };
}

/**
 * The plan's media servers and clients whose steps did not all succeed in this run (the role registers each
 * stage's result): tightening may begin only when there are none. The plan's list, not the inventory's: a
 * planned host missing from the inventory, unreachable or left out by --limit has no result, and is not done.
 * A host whose steps stopped for its wave's token finished only if the run with the token (wave.yml) did.
 */
const UNFINISHED =
  '{% set unfinished = [] %}{% for h in nbsecure_planned_hosts %}' +
  "{% if h not in hostvars %}{% set _ = unfinished.append(h ~ ' (not in the inventory)') %}{% else %}" +
  "{% set v = hostvars[h] %}{% set win = v.nbsecure_os | default('linux') == 'windows' %}" +
  '{% set r = (v.nbsecure_result_windows if win else v.nbsecure_result) | default(none) %}' +
  '{% set again = (v.nbsecure_result_wave_windows if win else v.nbsecure_result_wave) | default({}) %}' +
  '{% if r is none or r.failed | default(false) or (r.awaiting is defined and (again.steps is not defined ' +
  'or again.failed | default(false) or again.awaiting is defined)) %}{% set _ = unfinished.append(h) %}' +
  '{% endif %}{% endif %}{% endfor %}{{ unfinished }}';

/**
 * After the prepare play, when the answers give no CA fingerprint: the one the primary showed, read over
 * Ansible's own authenticated connection, becomes the trust anchor every host's CA fetch is checked against.
 */
const HAND_OVER_FINGERPRINT = {
  name: 'Hand the CA fingerprint read on the primary to the hosts',
  'ansible.builtin.set_fact': {
    nbsecure_ca_fingerprint:
      '{{ ((nbsecure_result_windows if nbsecure_windows else nbsecure_result).facts | default({})).caFingerprint ' +
      "| default('') }}",
  },
};

function siteYml(plan: Plan, opts: AnsibleOptions): string {
  const readsFingerprint = plan.hosts.some((h) => h.steps.some((s) => s.capturesFact === 'caFingerprint'));
  const plays = [
    play('Prepare the primary: log in, the CA, the token', ANSIBLE_GROUPS.primary, 'prepare', {
      // A rollout stopped before its wave ended left that wave's tokens valid: they go before anything else.
      pre_tasks: [fromRole('Delete the tokens a stopped rollout left', 'forget-tokens')],
      ...(readsFingerprint ? { post_tasks: [HAND_OVER_FINGERPRINT] } : {}),
    }),
    play('Media servers, in batches', ANSIBLE_GROUPS.media, 'media', {
      serial: `{{ nbsecure_media_serial | default(${MEDIA_SERIAL}) }}`,
      any_errors_fatal: true,
    }),
    play('Clients, in canary waves', ANSIBLE_GROUPS.client, 'clients', {
      serial: `{{ nbsecure_client_waves | default(${JSON.stringify(CLIENT_WAVES)}) }}`,
      // A number, not a template: Ansible's schema takes nothing else here (rollout --max-fail-percentage sets it).
      max_fail_percentage: opts.maxFailPercentage ?? MAX_FAIL_PERCENTAGE,
    }),
    play('Tighten the domain on the primary, once every host has its certificate', ANSIBLE_GROUPS.primary, 'tighten', {
      pre_tasks: [
        {
          name: FLEET_WAIT_TASK,
          // -e nbsecure_fleet_ready=true says so explicitly, as apply --stage tighten does.
          when: 'not (nbsecure_fleet_ready | default(false) | bool)',
          'ansible.builtin.assert': {
            that: ['nbsecure_unfinished | length == 0'],
            fail_msg:
              '{{ nbsecure_unfinished | join(", ") }} did not finish: tightening now would cut them off. ' +
              'Fix them and run the playbook again.',
            quiet: true,
          },
          vars: { nbsecure_unfinished: UNFINISHED },
        },
      ],
    }),
    play('Verify and clean up: the rollout token is deleted', ANSIBLE_GROUPS.primary, 'verify'),
  ];
  return playbookText(plan, plays);
}

/** A playbook file: its header, then the plays. */
function playbookText(plan: Plan, plays: object[]): string {
  return `---\n${HEADER(plan)}${stringify(plays, YAML_11)}`;
}

/** A task of the role's own (its defaults and module at hand), outside its stage's run. */
function fromRole(name: string, tasks: string): object {
  return { name, 'ansible.builtin.include_role': { name: 'nbsecure_steps', tasks_from: tasks } };
}

/**
 * cleanup.yml: what nbsecure rollout runs after an interrupt (ansible-playbook stops without its always blocks):
 * the wave's tokens deleted on the primary, and every host's secrets folders removed.
 */
function cleanupYml(plan: Plan): string {
  const plays = [
    {
      name: 'Delete the tokens a stopped rollout left on the primary',
      hosts: ANSIBLE_GROUPS.primary,
      gather_facts: false,
      tasks: [fromRole('Delete the tokens', 'forget-tokens')],
    },
    {
      name: 'Remove the secrets a stopped rollout left on every host',
      hosts: Object.values(ANSIBLE_GROUPS).join(':'),
      gather_facts: false,
      tasks: [fromRole('Remove the secrets folders', 'forget-folders')],
    },
  ];
  return playbookText(plan, plays);
}

function inventoryYml(plan: Plan): string {
  const group = (role: Role) => ({
    hosts: Object.fromEntries(plan.hosts.filter((h) => h.role === role).map((h) => [h.name, {}])),
  });
  const inventory = {
    all: {
      children: {
        [ANSIBLE_GROUPS.primary]: group('primary'),
        [ANSIBLE_GROUPS.media]: group('media'),
        [ANSIBLE_GROUPS.client]: group('client'),
      },
    },
  };
  return (
    `---\n${HEADER(plan)}# Hosts named as in the answers, with no connection settings: use your own inventory ` +
    `(-i) or -e ansible_connection=...\n${stringify(inventory, YAML_11)}`
  );
}

function allVars(plan: Plan): string {
  const primary = plan.hosts.find((h) => h.name === plan.primary);
  const create = primary?.steps.find((s) => s.perWave && s.capturesSecret === 'token')?.command?.argv;
  const nbcertcmd = primary?.steps.find((s) => s.command?.file.match(/nbcertcmd(\.exe)?$/))?.command?.file;
  const vars = {
    nbsecure_primary_host: plan.primary,
    nbsecure_token_shape: TOKEN_SHAPE,
    // Each wave's token is named after the plan's, with the wave's stage and number (wave.yml).
    nbsecure_token_name: String(create?.[create.indexOf('-name') + 1] ?? 'nbsecure'),
    nbsecure_primary_nbcertcmd: nbcertcmd ?? '',
    // Every host that must keep working once the primary tightens: the tighten play waits for each of them.
    nbsecure_planned_hosts: plan.hosts.filter((h) => h.role !== 'primary').map((h) => h.name),
  };
  return (
    `---\n${HEADER(plan)}# The waves are set on the command line (they are read before any inventory): ` +
    `-e nbsecure_media_serial=${MEDIA_SERIAL}\n# -e '{"nbsecure_client_waves": ${JSON.stringify(CLIENT_WAVES)}}'; ` +
    `the failure share a wave allows is in site.yml (nbsecure rollout --max-fail-percentage)\n` +
    unsafeYaml(vars)
  );
}

function hostVars(plan: Plan, host: HostPlan): string {
  const steps = roleSteps(plan, host);
  return (
    `---\n${HEADER(plan)}# The steps of ${host.name} as data, for the waves and the REST form; the role runs ` +
    `its script.\n` +
    unsafeYaml({ nbsecure_os: host.os, nbsecure_steps: steps })
  );
}

export interface AnsibleOptions {
  /** A client wave stops when more than this share of its hosts failed (default 10). */
  maxFailPercentage?: number;
}

/** The tighten play's first task: the report reads its failure as waiting for the fleet, not as a failure. */
export const FLEET_WAIT_TASK = 'Wait for the fleet: every media server and client must have finished its stage';

/** DIR/ansible/: site.yml (the rollout, stage by stage), inventory.yml, the vars and the role. */
export function renderAnsible(plan: Plan, opts: AnsibleOptions = {}): { name: string; text: string }[] {
  return [
    { name: 'ansible/site.yml', text: siteYml(plan, opts) },
    { name: 'ansible/cleanup.yml', text: cleanupYml(plan) },
    { name: 'ansible/inventory.yml', text: inventoryYml(plan) },
    { name: 'ansible/group_vars/all.yml', text: allVars(plan) },
    ...plan.hosts.map((h) => ({ name: `ansible/host_vars/${h.name}.yml`, text: hostVars(plan, h) })),
    // The role runs each host's own script, stage by stage: the one the runbook shows.
    ...plan.hosts.map((h) =>
      h.os === 'linux'
        ? { name: `ansible/scripts/${h.name}.sh`, text: renderSh(plan, h) }
        : { name: `ansible/scripts/${h.name}.ps1`, text: renderPs1(plan, h) },
    ),
    ...roleFiles(),
  ];
}
