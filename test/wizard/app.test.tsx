import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { KEY } from '../helpers/ink.js';
import { answerDmzSite, wholeReview } from '../helpers/wizard-flow.js';
import { fieldValue } from '../helpers/field.js';
import { mountApp } from '../helpers/wizard-app.js';
import type { Draft } from '../../src/wizard/draft.js';
import { validateDraft } from '../../src/wizard/finish.js';
import { loadAnswersFile } from '../../src/environment/load.js';

const app = (extra: { last?: Draft } = {}) => mountApp(extra);

describe('the wizard, start to finish', () => {
  it('collects the same answers as the answers file and writes the same runbook the scripted mode writes', async () => {
    const { s, onExit, drafts, dir } = app();
    await answerDmzSite(s);
    const review = await wholeReview(s);
    expect(review).toContain('Warnings');
    expect(review).toContain('old1.corp.example (8.0)');
    // Long lines wrap onto the next row, indented.
    expect(review.replace(/\n\s+/g, ' ')).toContain(
      'On web1.dmz.example: nbsecure doctor --answers FILE --host web1.dmz.example',
    );
    expect(review).toMatch(/Hardening: critical\n\s+\[ \] Upgrade hosts at 8\.0 or earlier \(old1\.corp\.example\)/);

    const fromWizard = validateDraft(drafts.at(-1)!);
    expect('environment' in fromWizard && fromWizard.environment).toEqual(
      loadAnswersFile('test/fixtures/wizard-dmz.yaml').environment,
    );

    await s.choose(/Is this right\?/, /Yes: choose the outputs/);
    await s.wait(/Which outputs\?/);
    await s.press(KEY.enter);
    await s.wait(/Write them to which folder\?/);
    // The wizard writes what `plan --out` writes for the same answers: as many files, the same bytes.
    const scripted = join(dir, 'scripted');
    expect((await cli(['plan', '--answers', 'test/fixtures/wizard-dmz.yaml', '--out', scripted])).code).toBe(0);
    await s.clear();
    await s.press(join(dir, 'out'), KEY.enter);
    await s.wait(new RegExp(`Wrote ${readdirSync(scripted).length} files`));
    for (const f of ['runbook.md', 'plan.json', 'web1.dmz.example.sh', 'old1.corp.example.ps1']) {
      expect(readFileSync(join(dir, 'out', f), 'utf8'), f).toBe(readFileSync(join(scripted, f), 'utf8'));
    }
    await s.choose(/What next\?/, /Finish/);
    await s.choose(/Next: save these answers as a file/, /Quit/);
    expect(onExit).toHaveBeenCalledWith(0);
  });
});

describe('keys', () => {
  it('Esc goes back one screen and keeps the answer given', async () => {
    const { s } = app();
    await s.choose(/How do you want to start/, /Afresh/);
    await s.answer(/Primary server host name/, 'nbu-primary.corp.example');
    await s.wait(/Primary server operating system/);
    await s.press(KEY.esc);
    await s.wait(/Primary server host name\n› nbu-primary\.corp\.example/);
  });

  it('? shows the help of the current question, and again hides it', async () => {
    const { s } = app();
    await s.choose(/How do you want to start/, /Afresh/);
    await s.wait(/Primary server host name/);
    await s.press('?');
    await s.wait(/called master before 10\.x/);
    await s.press('?');
    await s.wait((f) => !f.includes('called master'));
    expect(fieldValue(s.frame())).toBe(''); // the ? did not go into the field
  });

  it('Ctrl-C exits with 130 from any screen', async () => {
    const { s, onExit } = app();
    await s.choose(/How do you want to start/, /Afresh/);
    await s.wait(/Primary server host name/);
    await s.press(KEY.ctrlC);
    expect(onExit).toHaveBeenCalledWith(130);
  });

  it('offers the remembered answers and starts from them', async () => {
    const last = { version: 1, primary: { name: 'remembered.corp.example', version: '10.4' } } as Draft;
    const { s } = app({ last });
    await s.choose(/How do you want to start/, /From your last answers/);
    await s.wait(/› remembered\.corp\.example/);
  });
});
