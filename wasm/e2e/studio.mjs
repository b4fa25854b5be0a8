// End-to-end test of the rule studio in headless Chromium (Debian's), driven by playwright-core.
// Usage: node wasm/e2e/studio.mjs http://127.0.0.1:8123/www/studio/ OUT_DIR
// Opens the KhMAO rule set, breaks and fixes a condition by typing, lowers the subsistence
// minimum and reads the failing tests and the comparison; screenshots of each panel; the
// network off. Ends with `N passed, M failed`; exits non-zero on a failure.
import { check, expect, launch, finish } from './harness.mjs';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { execFileSync } from 'node:child_process';
import { unzipSync, strFromU8 } from 'fflate';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [url, outDir = 'target/e2e-studio'] = process.argv.slice(2);
mkdirSync(outDir, { recursive: true });
const context = await launch({ width: 1500, height: 1000 });
const page = await context.newPage();
const pageErrors = [];
page.on('pageerror', (error) => pageErrors.push(error.message));
const text = async (selector) => (await page.locator(selector).innerText()).replace(/\s+/g, ' ');
const checked = () => page.evaluate(() => Number(document.body.dataset.checked ?? 0));
/** Waits until the studio has checked the files again after an edit. */
async function afterCheck(before) {
  await page.waitForFunction((n) => Number(document.body.dataset.checked ?? 0) > n, before, { timeout: 20000 });
}

await page.goto(url);
await page.waitForSelector('body[data-ready=true]', { timeout: 30000 });

await check('the studio opens the KhMAO rule set: no problems, its tests pass, nothing changes', async () => {
  expect((await text('#ruleset')).includes('2026.3'), `rule set: ${await text('#ruleset')}`);
  expect((await text('#diagnostics')).includes('Ошибок нет'), `check: ${await text('#diagnostics')}`);
  const tests = await text('#tests-summary');
  expect(/^\d+ passed, 0 failed$/.test(tests), `tests: ${tests}`);
  expect((await text('#compare-summary')).includes('изменится 0'), `compare: ${await text('#compare-summary')}`);
  expect(await page.locator('.cm-editor').count() === 1, 'no code editor');
  await page.screenshot({ path: join(outDir, 'studio-open.png') });
});

await check('a broken condition, typed in the editor, is reported at its file and line; fixing it clears it', async () => {
  const line = await page.evaluate(() => window.studio.lineOf('criteria.yaml', 'm.is_child && m.adaptation_difficulties == true'));
  expect(line > 0, 'no such line in criteria.yaml');
  await page.evaluate((l) => window.studio.select('criteria.yaml', l), line);
  await page.keyboard.press('End');
  let before = await checked();
  const typo = ' && m.adaptation_dificulties';
  await page.keyboard.type(typo);
  await afterCheck(before);
  const item = page.locator(`#diagnostics li.diag.error[data-file="criteria.yaml"][data-line="${line}"]`);
  expect(await item.count() >= 1, `no error at criteria.yaml:${line}: ${await text('#diagnostics')}`);
  const said = (await item.first().innerText()).replace(/\s+/g, ' ');
  expect(said.includes('adaptation_dificulties') && said.includes(`criteria.yaml:${line}`), `said: ${said}`);
  expect(await page.locator('.cm-lintRange-error').count() >= 1, 'the editor marks no error');
  expect((await text('#tests')).includes('Тесты запустятся'), 'tests ran on a broken rule set');
  await page.screenshot({ path: join(outDir, 'studio-diagnostic.png') });
  before = await checked();
  for (let i = 0; i < typo.length; i++) await page.keyboard.press('Backspace');
  await afterCheck(before);
  expect((await text('#diagnostics')).includes('Ошибок нет'), `after the fix: ${await text('#diagnostics')}`);
  expect(await page.locator('.cm-lintRange-error').count() === 0, 'the editor still marks an error');
});

await check('a lower subsistence minimum fails the tests that depend on it and Compare shows low-income families leaving, with the act', async () => {
  const before = await checked();
  await page.evaluate(() => window.studio.replaceInFile('parameters.yaml', 'value: 22102', 'value: 12000'));
  await afterCheck(before);
  const tests = await text('#tests-summary');
  expect(/^\d+ passed, [1-9]\d* failed$/.test(tests), `tests: ${tests}`);
  const failedCase = (await page.locator('#tests .case.failed').allInnerTexts()).join(' ');
  expect(failedCase.includes('low_income'), `no readable difference about low income: ${failedCase}`);
  const summary = await text('#compare-summary');
  const changed = Number(/изменится (\d+)/.exec(summary)?.[1] ?? 0);
  expect(changed > 0, `compare: ${summary}`);
  const row = await text('#changes tr[data-id="low_income"]');
  expect(row.includes('−') && row.includes('Малоимущая') && row.includes('197-оз'), `row: ${row}`);
  const parameter = await text('#changes tr[data-id="pm_per_capita"]');
  expect(parameter.includes('Постановление Правительства ХМАО'), `parameter row: ${parameter}`);
  const ms = await page.evaluate(() => window.studio.timings.compareMs);
  const n = await page.evaluate(() => window.studio.timings.compareFamilies);
  console.log(`       compare after an edit: ${n} families in ${ms.toFixed(0)} ms (check ${(await page.evaluate(() => window.studio.timings.checkMs)).toFixed(0)} ms)`);
  writeFileSync(join(outDir, 'studio-bench.json'), JSON.stringify({ compareMs: ms, families: n, ua: await page.evaluate(() => navigator.userAgent) }, null, 2));
  await page.locator('#tests-summary').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(outDir, 'studio-tests.png') });
  await page.locator('#compare').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(outDir, 'studio-compare.png') });
});

await check('a registry chosen from disk (CSV, the sopro batch header) is compared on the device', async () => {
  const csv = join(outDir, 'registry.csv');
  writeFileSync(csv, [
    'as_of,case.id,members.0.id,members.0.role,members.0.birth_date,members.0.monthly_income,members.0.employment,members.1.id,members.1.role,members.1.birth_date',
    '2026-12-10,86-X-1,m1,mother,1990-05-01,15000,employed,c1,child,2019-02-11',
    '2026-12-10,86-X-2,m1,mother,1990-05-01,40000,employed,c1,child,2019-02-11',
    '',
  ].join('\n'));
  await page.setInputFiles('#registry', csv);
  await page.waitForFunction(() => document.getElementById('compare-summary')?.textContent.includes('Реестр из файла'), null, { timeout: 20000 });
  const summary = await text('#compare-summary');
  expect(summary.includes('семей 2, изменится 1'), `compare over the file: ${summary}`);
  expect((await text('#changes')).includes('low_income'), 'the family of 20 000 ₽ per head does not leave low income');
  await page.click('#generated');
  expect((await text('#compare-summary')).includes('Сгенерированный реестр'), 'back to the generated registry');
});

await check('a preview family saved as a test passes; the version downloaded passes sopro check and sopro test natively', async () => {
  let before = await checked();
  await page.evaluate(() => window.studio.replaceInFile('parameters.yaml', 'value: 12000', 'value: 22102'));
  await afterCheck(before);
  const summary = await text('#tests-summary');
  expect(/^\d+ passed, 0 failed$/.test(summary), `tests after restoring: ${summary}`);
  const casesBefore = Number(/^(\d+) passed/.exec(summary)[1]);
  const family = {
    as_of: '2026-12-10',
    case: { id: '86-2026-000555', consent_interagency: true },
    members: [
      { id: 'm1', role: 'mother', birth_date: '1990-05-01', monthly_income: 0, employment: 'unemployed', substance_abuse: 'alcohol' },
      { id: 'c1', role: 'child', birth_date: '2019-02-11', education_status: 'preschool_attending', registered_at_polyclinic: true },
    ],
    questionnaire: { family_conflict: 'occasional' },
  };
  await page.evaluate((f) => { window.studio.preview.answers = f; }, family);
  const level = await text('#preview-result #level');
  expect(level.includes('кризисный'), `preview: ${level}`);
  await page.click('#save-test');
  const draft = await page.inputValue('#test-text');
  expect(draft.includes('"level": "crisis"') && draft.includes('"c15_5_addiction": "high"'), `draft: ${draft.slice(0, 200)}`);
  const name = 'Студия: мать без работы, с зависимостью — кризисный';
  await page.fill('#test-text', draft.replace(/"name": "[^"]*"/, `"name": "${name}"`));
  before = await checked();
  await page.click('#add-test');
  await afterCheck(before);
  const after = await text('#tests-summary');
  expect(after === `${casesBefore + 1} passed, 0 failed`, `tests with the new case: ${after}`);
  expect((await text('#tests')).includes(name), 'the new case is not listed');
  await page.locator('#preview-pane').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(outDir, 'studio-preview.png') });

  await page.fill('#hand-version', '2026.9');
  await page.fill('#hand-from', '2026-12-05');
  await page.fill('#hand-to', '2026-12-31');
  await page.fill('#hand-changelog', 'Тест студии: добавлен случай матери без работы с зависимостью.');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-version')]);
  const said = await text('#hand-said');
  expect(said.includes('sopro publish rules/khmao/2026.9'), `hand-over: ${said}`);
  await page.locator('#handover').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(outDir, 'studio-handover.png') });
  const unpacked = unzipSync(readFileSync(await download.path()));
  const folder = mkdtempSync(join(tmpdir(), 'sopro-version-'));
  for (const [path, bytes] of Object.entries(unpacked)) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), strFromU8(bytes));
  }
  const version = join(folder, '2026.9');
  const sopro = process.env.SOPRO_BIN ?? 'target/debug/sopro';
  const checkedOut = execFileSync(sopro, ['check', version], { encoding: 'utf8' });
  expect(checkedOut.includes('ok: khmao 2026.9'), `sopro check: ${checkedOut}`);
  const tested = execFileSync(sopro, ['test', version], { encoding: 'utf8' });
  expect(tested.includes(name) && tested.trim().endsWith(`${casesBefore + 1} passed, 0 failed`), `sopro test: ${tested.slice(-300)}`);
  const changelog = readFileSync(join(version, 'CHANGELOG.md'), 'utf8');
  expect(changelog.startsWith('# khmao 2026.9') && changelog.includes('Тест студии'), 'no CHANGELOG entry');
  console.log(`       the version downloaded: sopro check ok, sopro test ${casesBefore + 1} passed`);
  // The zip opens in the studio again, as the new version.
  await page.setInputFiles('#open-zip', await download.path());
  await page.waitForFunction(() => document.getElementById('ruleset').textContent.includes('2026.9'), null, { timeout: 20000 });
  const reopened = await text('#tests-summary');
  expect(reopened === `${casesBefore + 1} passed, 0 failed`, `reopened zip: ${reopened}`);
});

await check('hovering an id shows its label', async () => {
  await page.evaluate(() => window.studio.select('criteria.yaml', 1));
  const at = await page.evaluate(() => window.studio.coordsOf('c15_3_child_adaptation'));
  expect(at, 'the id is not on the screen');
  await page.mouse.move(at.x + 3, at.y);
  await page.waitForSelector('.cm-tooltip .hover', { timeout: 5000 });
  const said = await text('.cm-tooltip .hover');
  expect(said.includes('c15_3_child_adaptation') && said.includes('адаптац') && said.includes('основание: 442-ФЗ ст. 15.1.3 (норма права)'), `tooltip: ${said}`);
});

await check('the studio works with the network off once loaded', async () => {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForSelector('body[data-ready=true]', { timeout: 30000 });
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'no service worker controls the studio');
  await context.setOffline(true);
  try {
    await page.reload();
    await page.waitForSelector('body[data-ready=true]', { timeout: 30000 });
    expect((await text('#diagnostics')).includes('Ошибок нет'), 'the rule set did not open offline');
  } finally {
    await context.setOffline(false);
  }
});

await check('no script errors in the studio', async () => {
  expect(pageErrors.length === 0, pageErrors.join('; '));
});

await finish(context);
