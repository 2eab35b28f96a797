import { describe, expect, it } from 'vitest';
import { parseNameList, refusedText } from '../../src/wizard/name-list.js';

describe('a pasted list of host names', () => {
  it('keeps every good name of a long paste, in order, whatever separates them', () => {
    const names = Array.from({ length: 1000 }, (_, i) => `client${i + 1}.corp.example`);
    const text = names.map((n, i) => (i % 3 === 0 ? `${n}\n` : i % 3 === 1 ? `${n}, ` : `${n}\r\n`)).join('');
    const r = parseNameList(text, []);
    expect(r.names).toEqual(names);
    expect(r.refused).toEqual([]);
  });

  it('refuses a bad name with its reason instead of dropping or mangling it', () => {
    const r = parseNameList('ok1.corp.example bad_name! .example ok2.corp.example', []);
    expect(r.names).toEqual(['ok1.corp.example', 'ok2.corp.example']);
    expect(r.refused.map((x) => x.name)).toEqual(['bad_name!', '.example']);
    expect(refusedText(r.refused)).toMatch(/^2 are not host names: bad_name!, \.example\. That is not a valid DNS/);
  });

  it('leaves out names already in the site, or given twice, without calling them errors', () => {
    const r = parseNameList('a.corp.example B.corp.example a.corp.example', ['b.corp.example']);
    expect(r).toEqual({ names: ['a.corp.example'], skipped: ['B.corp.example', 'a.corp.example'], refused: [] });
  });
});
