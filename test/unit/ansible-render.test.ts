import { describe, expect, it } from 'vitest';
import { parse, type Tags } from 'yaml';
import { renderAnsible, unsafeYaml } from '../../src/render/ansible.js';
import { base, planOf } from '../helpers/env.js';

/** Reads YAML as Ansible does, keeping which strings carry !unsafe. */
const unsafeTag: Tags[number] = {
  tag: '!unsafe',
  resolve: (value: string) => ({ unsafe: value }),
};
const read = (text: string) => parse(text, { customTags: [unsafeTag], version: '1.1' }) as unknown;

/** Every string anywhere in the data: none may be left for Ansible to template. */
function bareStrings(x: unknown): string[] {
  if (typeof x === 'string') return [x];
  if (Array.isArray(x)) return x.flatMap(bareStrings);
  if (x && typeof x === 'object') {
    if ('unsafe' in x) return [];
    return Object.values(x).flatMap(bareStrings);
  }
  return [];
}

describe('the Ansible rendering', () => {
  it('writes every value of the plan as !unsafe: a "{{ ... }}" in the answers is never templated', () => {
    const yaml = unsafeYaml({ path: "/etc/pki/{{ lookup('pipe', 'touch pwned') }}", words: ['on', 'off'], n: 3 });
    expect(bareStrings(read(yaml))).toEqual([]);
    expect(read(yaml)).toMatchObject({ words: [{ unsafe: 'on' }, { unsafe: 'off' }], n: 3 });
    const plan = planOf({ ...base, clients: [{ name: 'w1.dmz.example', zone: 'dmz' }] });
    for (const f of renderAnsible(plan).filter((x) => /host_vars|group_vars/.test(x.name))) {
      expect(bareStrings(read(f.text)), f.name).toEqual([]);
    }
  });

  it('puts each host in the group of its role, named as in the answers, with no connection settings', () => {
    const plan = planOf(base);
    const inventory = read(renderAnsible(plan).find((f) => f.name === 'ansible/inventory.yml')!.text) as {
      all: { children: Record<string, { hosts: Record<string, object> }> };
    };
    const groups = inventory.all.children;
    for (const h of plan.hosts) {
      const group = { primary: 'nbsecure_primary', media: 'nbsecure_media', client: 'nbsecure_clients' }[h.role];
      expect(groups[group]!.hosts[h.name], h.name).toEqual({});
    }
  });
});
