// The rule studio: a rule set's YAML files edited in the browser, checked while typing, its own
// test cases run on every change, and compared with the version it started from over a
// registry generated (or read from a file) on the device. Nothing leaves the device.
import { start, fromBundle, fromFiles } from '../../pkg/studio/studio.js';
import { createEditor, zipFolder, unzipFolder } from '../../pkg/studio/editor.js';
import { el, mountIntake } from '../intake.js';

const BUNDLED = [
  { label: 'ХМАО – Югра 2026.3 (опубликована)', url: '../../pkg/khmao-2026.3.bundle.json', drafts: false },
  { label: 'ХМАО – Югра 2026.4 (черновик, с ИПСС)', url: '../../pkg/khmao-2026.4.bundle.json', drafts: true },
];
// How often answers occur in the region's registry (rules/khmao/sample.yaml): generated
// families look like the families on record, not like every answer drawn at random.
const SAMPLE_URL = '../../pkg/studio/khmao-sample.yaml';
let sample = '';
const CHECK_DELAY_MS = 350;
const SIGN = { added: '+', removed: '−', changed: '~' };

let base;          // the rule set as opened: what edits are compared with
let baseInfo;
let edited;        // the last edit that compiled (null while the files have errors)
let files = {};    // path → text, as edited
let current;       // the file in the editor
let editor;
let diagnostics = [];
let registry = null; // a registry chosen from disk, `{ csv, text }`, or null: generated
let checkTimer;
let preview;       // the intake form (../intake.js) on the edited rule set
const STUDIO_TESTS = 'tests/studio.yaml';
const timings = {};

const labelOf = (id) => {
  const labels = (edited ?? base)?.labels().ok ?? {};
  return labels[id]?.ru ?? null;
};

// ---------------------------------------------------------------------------------------------
// Opening a rule set: a bundled one, a folder, or a bundle file.

async function openBundle(text, drafts) {
  const loaded = fromBundle(text, drafts);
  if (loaded.error) {
    document.getElementById('ruleset').textContent = `Не открыт: ${loaded.error.kind} ${loaded.error.message ?? ''}`;
    return;
  }
  openRules(loaded.ok, loaded.ok.sourceFiles().ok);
}

function openRules(rules, sourceFiles) {
  base = rules;
  baseInfo = rules.info().ok;
  files = { ...sourceFiles };
  document.getElementById('ruleset').textContent =
    `${baseInfo.title.ru} — версия ${baseInfo.version}, ${baseInfo.digest.slice(0, 19)}… (исходная для сравнения)`;
  renderFiles();
  select(files['criteria.yaml'] !== undefined ? 'criteria.yaml' : Object.keys(files)[0]);
  recheck();
}

async function openFolder(list) {
  const picked = {};
  for (const file of list) {
    const path = file.webkitRelativePath.split('/').slice(1).join('/');
    if (/\.(ya?ml|md)$/.test(path)) picked[path] = await file.text();
  }
  openFiles(picked);
}

/** A version folder zipped (the studio's own hand-over, or any rule-set folder). */
async function openZip(file) {
  let unpacked;
  try { unpacked = unzipFolder(new Uint8Array(await file.arrayBuffer())); } catch (error) { alert(`Это не zip: ${error.message}`); return; }
  openFiles(Object.fromEntries(Object.entries(unpacked).filter(([path]) => /\.(ya?ml|md)$/.test(path))));
}

function openFiles(picked) {
  const compiled = fromFiles(picked);
  if (compiled.error) {
    // Still open it: the problems are what the methodologist came to fix.
    base = null;
    files = picked;
    document.getElementById('ruleset').textContent = 'Набор правил открыт с ошибками: сравнение появится, когда он скомпилируется (исходная версия — первая, что скомпилируется).';
    renderFiles();
    select(Object.keys(files).includes('criteria.yaml') ? 'criteria.yaml' : Object.keys(files)[0]);
    recheck();
    return;
  }
  openRules(compiled.ok, picked);
}

// ---------------------------------------------------------------------------------------------
// Files and the editor.

function renderFiles() {
  const nav = document.getElementById('files');
  const bad = new Set(diagnostics.filter((d) => d.level === 'error').map((d) => d.file));
  nav.replaceChildren(...Object.keys(files).sort().map((path) => el('button', {
    type: 'button', class: `${path === current ? 'current' : ''} ${bad.has(path) ? 'bad' : ''}`, 'data-file': path,
    onclick: () => select(path),
  }, path)));
}

function select(path, line) {
  current = path;
  document.getElementById('file-name').textContent = path;
  if (!editor) {
    editor = createEditor(document.getElementById('editor'), files[path] ?? '', {
      onChange: (text) => { files[current] = text; scheduleCheck(); },
      hover: (word) => {
        const about = (edited ?? base)?.describe(word).ok;
        if (!about) return null;
        const STATUS = { statute: 'норма права', practice: 'практика', inferred: 'предложение набора правил' };
        const basis = about.basis.map((b) => `${b.act}${b.article ? ` ст. ${b.article}` : ''} (${STATUS[b.status] ?? b.status})`).join('; ');
        return `${word}: ${about.label.ru} / ${about.label.en}${basis ? `\nоснование: ${basis}` : ''}${about.file ? `\n${about.file}${about.line ? `:${about.line}` : ''}` : ''}`;
      },
    });
  } else {
    editor.setText(files[path] ?? '');
  }
  renderFiles();
  markCurrent();
  if (line) editor.goTo(line);
}

function markCurrent() {
  if (!editor) return;
  editor.mark(diagnostics.filter((d) => d.file === current && d.line).map((d) => ({
    line: d.line, severity: d.level === 'error' ? 'error' : 'warning', message: `${d.message} [${d.code}]`,
  })));
}

// ---------------------------------------------------------------------------------------------
// Check, tests, compare: after every edit (debounced).

function scheduleCheck() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(recheck, CHECK_DELAY_MS);
}

function recheck() {
  const t0 = performance.now();
  const compiled = fromFiles(files);
  timings.checkMs = performance.now() - t0;
  if (compiled.error) {
    edited = null;
    diagnostics = compiled.error.diagnostics ?? [{ level: 'error', code: compiled.error.kind, file: '', message: compiled.error.message }];
  } else {
    edited = compiled.ok;
    diagnostics = edited.check().ok;
    if (!base) {
      // Opened with errors: the first version that compiles is what edits are compared with.
      base = edited;
      baseInfo = edited.info().ok;
      document.getElementById('ruleset').textContent = `${baseInfo.title.ru} — версия ${baseInfo.version} (исходная для сравнения: первая скомпилированная)`;
    }
  }
  renderDiagnostics();
  renderFiles();
  markCurrent();
  renderTests();
  renderCompare();
  renderPreview();
  document.getElementById('status').textContent =
    `Проверено за ${timings.checkMs.toFixed(0)} мс${timings.compareMs !== undefined && edited ? `; сравнение ${timings.compareFamilies} семей за ${timings.compareMs.toFixed(0)} мс` : ''}.`;
  document.body.dataset.checked = String(Number(document.body.dataset.checked ?? 0) + 1);
}

function renderDiagnostics() {
  const body = document.querySelector('#diagnostics .body');
  const errors = diagnostics.filter((d) => d.level === 'error');
  if (!diagnostics.length) {
    body.replaceChildren(el('p', { class: 'ok' }, 'Ошибок нет: набор правил компилируется. No problems.'));
    return;
  }
  body.replaceChildren(
    el('p', { class: errors.length ? 'error' : 'warning' },
      errors.length ? `Ошибок: ${errors.length} — набор правил не компилируется.` : `Предупреждений: ${diagnostics.length}.`),
    el('ul', {}, diagnostics.map((d) => el('li', {
      class: `diag ${d.level}`, 'data-file': d.file, 'data-line': d.line ?? '', onclick: () => d.file && select(d.file, d.line),
    },
    el('span', { class: 'where' }, `${d.file}${d.line ? `:${d.line}` : ''}`), ' — ', d.message,
    d.rule ? el('span', { class: 'muted' }, ` (${d.rule})`) : null, el('span', { class: 'muted small' }, ` [${d.code}]`)))));
}

function renderTests() {
  const body = document.querySelector('#tests .body');
  if (!edited) {
    body.replaceChildren(el('p', { class: 'muted' }, 'Тесты запустятся, когда ошибки будут исправлены.'));
    return;
  }
  const report = edited.test().ok;
  const failed = report.cases.filter((c) => c.differences.length);
  const uncovered = Object.entries(report.coverage.uncovered).filter(([, ids]) => ids.length);
  body.replaceChildren(
    el('p', { class: failed.length ? 'error' : 'ok', id: 'tests-summary' },
      `${report.cases.length - failed.length} passed, ${failed.length} failed`),
    el('ul', {}, report.cases.map((c) => el('li', { class: `case ${c.differences.length ? 'failed' : ''}` },
      c.differences.length ? 'FAILED ' : 'ok ', c.name, el('span', { class: 'muted small' }, ` ${c.location}`),
      c.differences.map((d) => el('div', { class: 'diff' }, d))))),
    uncovered.length
      ? el('div', { class: 'small' }, el('strong', {}, 'Не достигает ни один тест: '),
        uncovered.map(([kind, ids]) => `${kind}: ${ids.join(', ')}`).join('; '))
      : el('p', { class: 'small ok' }, 'Каждый id достигается хотя бы одним тестом.'));
}

function renderCompare() {
  const body = document.querySelector('#compare .body');
  if (!edited || !base) {
    body.replaceChildren(el('p', { class: 'muted' }, 'Сравнение появится, когда набор правил скомпилируется.'));
    return;
  }
  const n = Number(document.getElementById('sample-size').value);
  const t0 = performance.now();
  const result = !registry ? edited.compare(base, n, 1, sample)
    : registry.csv ? edited.compareCsv(base, registry.text) : edited.compareLines(base, registry.text);
  timings.compareMs = performance.now() - t0;
  if (result.error) {
    body.replaceChildren(el('p', { class: 'error' }, `Сравнение не выполнено: ${result.error.message ?? result.error.kind}`));
    return;
  }
  const c = result.ok;
  timings.compareFamilies = c.compared;
  const levels = [...new Set(c.transitions.flatMap((t) => [t.from, t.to]))];
  const count = (from, to) => c.transitions.find((t) => t.from === from && t.to === to)?.families ?? 0;
  const name = (id) => labelOf(id) ?? id;
  body.replaceChildren(
    el('p', { id: 'compare-summary' },
      `${registry ? 'Реестр из файла' : 'Сгенерированный реестр'}: семей ${c.compared}, изменится ${c.changed}`,
      c.errors ? `, не оценено ${c.errors}` : '', `. Пересчитано за ${timings.compareMs.toFixed(0)} мс.`),
    el('table', { id: 'matrix' },
      el('tr', {}, el('th', {}, 'было \\ стало'), levels.map((l) => el('th', {}, name(l)))),
      levels.map((row) => el('tr', {}, el('th', {}, name(row)), levels.map((col) => {
        const k = count(row, col);
        return el('td', { class: row === col ? 'same' : k ? 'move' : '' }, String(k));
      })))),
    c.changes.length
      ? el('table', { id: 'changes' },
        el('tr', {}, el('th', {}, 'Изменение'), el('th', {}, 'Семей'), el('th', {}, 'Акты')),
        c.changes.slice(0, 40).map((ch) => el('tr', { 'data-id': ch.id },
          el('td', {}, `${SIGN[ch.sign]} ${ch.kind_label.ru} «${name(ch.id)}» (${ch.id})`),
          el('td', {}, String(ch.families)),
          el('td', {}, ch.acts.map((a) => `${a.act} (${a.families})`).join('; ')))))
      : el('p', { class: 'ok' }, 'Ни одна семья не изменится.'),
    c.families.length ? el('details', {}, el('summary', {}, `Семьи, которые изменятся (первые ${Math.min(c.families.length, 20)})`),
      el('ul', {}, c.families.slice(0, 20).map((f) => el('li', {},
        `№ ${f.record}: ${name(f.diff.level_from)} → ${name(f.diff.level_to)}; `,
        f.diff.changes.map((ch) => `${SIGN[ch.from == null ? 'added' : ch.to == null ? 'removed' : 'changed']} ${ch.id}`).join(', '))))) : '');
}

// ---------------------------------------------------------------------------------------------
// Preview: the intake form on the edited questions, the family's live assessment; «Сохранить как
// тест» turns it into a case of the rule set's own tests.

function renderPreview() {
  if (!edited) return;
  const kept = preview?.answers ?? { as_of: new Date().toISOString().slice(0, 10), members: [{ id: 'm1' }] };
  preview = mountIntake({ form: document.getElementById('preview-form'), result: document.getElementById('preview-result'), engine: edited });
  preview.answers = kept;
}

/** The preview family and its current outcome as a test case (JSON, which is YAML too). */
function draftTest() {
  const answers = preview.answers;
  const outcome = edited.assess(answers);
  if (outcome.error) return { error: outcome.error };
  const name = `Студия: семья ${answers.case?.id ?? ''} на ${outcome.ok.as_of} — ${outcome.ok.level.label.ru}`.replace(/\s+/g, ' ');
  // The expectation is the engine's (`test_case_of`): what the case's outcome says.
  return edited.draftTest(answers, name);
}

function saveTest() {
  const box = document.getElementById('test-draft');
  const drafted = draftTest();
  if (drafted.error) {
    alert(drafted.error.kind === 'invalid_answers' ? 'Сначала исправьте ответы, отмеченные в форме.' : `Тест не составлен: ${drafted.error.kind}`);
    return;
  }
  document.getElementById('test-text').value = JSON.stringify(drafted.ok, null, 2);
  box.hidden = false;
}

function addTest() {
  let text = document.getElementById('test-text').value;
  try { text = JSON.stringify(JSON.parse(text)); } catch { alert('Тест — это JSON: проверьте скобки и кавычки.'); return; }
  const header = '# Тесты, добавленные в студии правил: семья и ожидаемый результат.\n';
  files[STUDIO_TESTS] = `${files[STUDIO_TESTS] ?? header}- ${text}\n`;
  document.getElementById('test-draft').hidden = true;
  renderFiles();
  if (current === STUDIO_TESTS) editor.setText(files[STUDIO_TESTS]);
  recheck();
}

// ---------------------------------------------------------------------------------------------
// Hand-over: the edited rule set as a new version folder, zipped, for `sopro publish`.

function withVersion(text, version, from, to) {
  return text
    .replace(/^(\s*version:\s*).*$/m, `$1"${version}"`)
    .replace(/^(\s*in_force:\s*).*$/m, `$1{from: ${from}${to ? `, to: ${to}` : ''}}`);
}

function downloadVersion() {
  const said = document.getElementById('hand-said');
  const version = document.getElementById('hand-version').value.trim();
  const from = document.getElementById('hand-from').value;
  const to = document.getElementById('hand-to').value;
  const entry = document.getElementById('hand-changelog').value.trim();
  const problems = [];
  if (!/^[0-9A-Za-z._-]+$/.test(version)) problems.push('версия — например, 2027.1');
  if (baseInfo && version === baseInfo.version) problems.push(`версия ${version} уже есть: правки — только в новой версии`);
  if (!from) problems.push('дата начала действия');
  if (!entry) problems.push('запись в CHANGELOG');
  if (problems.length) { said.className = 'small error'; said.textContent = `Укажите: ${problems.join('; ')}.`; return; }
  const out = { ...files, 'ruleset.yaml': withVersion(files['ruleset.yaml'], version, from, to) };
  const id = baseInfo?.id ?? 'rules';
  out['CHANGELOG.md'] = `# ${id} ${version} (draft, not published)\n\nIn force ${from}${to ? ` — ${to}` : ''}. ${entry}\n\n${files['CHANGELOG.md'] ?? ''}`;
  const compiled = fromFiles(out);
  if (compiled.error) {
    said.className = 'small error';
    said.textContent = `Версия не скомпилировалась (${compiled.error.diagnostics?.length ?? 0} ошибок): исправьте их в редакторе.`;
    return;
  }
  const report = compiled.ok.test().ok;
  const failed = report.cases.filter((c) => c.differences.length).length;
  const bytes = zipFolder(version, out);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([bytes], { type: 'application/zip' }));
  link.download = `${id}-${version}.zip`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
  said.className = failed ? 'small warning' : 'small ok';
  said.replaceChildren(
    `Скачано: ${link.download}${failed ? ` — внимание: тестов не проходит ${failed}, sopro publish его не примет` : ''}. `,
    'Распакуйте в rules/' + id + '/ и выполните: ', Object.assign(document.createElement('code'), { textContent: `sopro publish rules/${id}/${version}` }));
}

// ---------------------------------------------------------------------------------------------
// Start.

async function main() {
  await start();
  sample = await fetch(SAMPLE_URL).then((r) => (r.ok ? r.text() : '')).catch(() => '');
  const choose = document.getElementById('bundled');
  choose.replaceChildren(...BUNDLED.map((b, i) => el('option', { value: String(i) }, b.label)));
  const openChosen = async () => {
    const b = BUNDLED[Number(choose.value)];
    await openBundle(await (await fetch(b.url)).text(), b.drafts);
  };
  choose.addEventListener('change', openChosen);
  document.getElementById('open-folder').addEventListener('change', (e) => openFolder([...e.target.files]));
  document.getElementById('open-zip').addEventListener('change', (e) => e.target.files[0] && openZip(e.target.files[0]));
  document.getElementById('open-bundle').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    if (file) await openBundle(await file.text(), true);
  });
  document.getElementById('sample-size').addEventListener('change', () => { registry = null; renderCompare(); });
  document.getElementById('generated').addEventListener('click', () => { registry = null; renderCompare(); });
  document.getElementById('registry').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    if (file) { registry = { csv: /\.csv$/i.test(file.name), text: await file.text() }; renderCompare(); }
  });
  document.getElementById('save-test').addEventListener('click', saveTest);
  document.getElementById('add-test').addEventListener('click', addTest);
  document.getElementById('download-version').addEventListener('click', downloadVersion);
  await openChosen();
  // For the page's test: the state, and an edit made through the editor as a person's would be.
  window.studio = {
    timings,
    get files() { return files; },
    get preview() { return preview; },
    get current() { return current; },
    get diagnostics() { return diagnostics; },
    select,
    replaceInFile(path, from, to) {
      if (current !== path) select(path);
      const text = editor.text();
      const at = text.indexOf(from);
      if (at < 0) throw new Error(`${path} has no ${from}`);
      editor.view.dispatch({ changes: { from: at, to: at + from.length, insert: to } });
    },
    /** Where `fragment` of the current file is on the screen (its first character). */
    coordsOf(fragment) {
      const at = editor.text().indexOf(fragment);
      editor.view.dispatch({ effects: [], scrollIntoView: true, selection: { anchor: at } });
      const box = editor.view.coordsAtPos(at + 1);
      return box && { x: box.left, y: (box.top + box.bottom) / 2 };
    },
    lineOf(path, fragment) { return files[path].split('\n').findIndex((l) => l.includes(fragment)) + 1; },
  };
  document.body.dataset.ready = 'true';
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('../sw.js', { scope: '../' }).catch(() => {});
}

main();
