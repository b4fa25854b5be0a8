// The intake form: generated from the rule set's questions, assessed live in the browser.
import { load } from '../pkg/sopro.js';
import { el, mountIntake } from './intake.js';

const BUNDLE_URL = '../pkg/khmao-2026.3.bundle.json';
// The individual programme (ИПСС) is drafted by the draft version 2026.4 (2026.3's rules and
// the programme's activities); it is loaded, with `drafts`, when the document is first asked for.
const PROGRAMME_BUNDLE_URL = '../pkg/khmao-2026.4.bundle.json';
const MEMBERS = 'members';
let engine;
let ruleLabels = {};
let intake; // the form (intake.js), its answers
const timings = {};

// ---------------------------------------------------------------------------------------------
// Beside the form (intake.js): the tablet summary and «Что изменит результат».

/** The compact summary a tablet keeps on screen: the level and the next questions that matter. */
function renderSummary(state) {
  const summary = document.getElementById('summary');
  const a = state.assessment;
  if (!a) { summary.hidden = true; return; }
  const movers = state.open_questions.filter((q) => q.moves === 'level');
  const next = movers.slice(0, 3).map((q) => q.question.ru);
  summary.hidden = false;
  summary.replaceChildren(
    el('span', { class: `level level-${a.level.id}` }, 'Уровень: ', el('strong', { id: 'summary-level' }, a.level.label.ru)),
    el('span', { class: 'small' }, movers.length
      ? `Могут изменить уровень (${movers.length}): ${next.join('; ')}${movers.length > next.length ? '…' : ''}`
      : `Вопросов, влияющих на результат: ${state.open.length}`),
    ' ',
    el('a', { href: '#result', class: 'small' }, 'к результату'));
}

// «Что изменит результат»: the nearest lower and higher levels, computed a moment after the
// last edit (each search makes hundreds of assessments).
let whatIfTimer;
function scheduleWhatIf() {
  clearTimeout(whatIfTimer);
  whatIfTimer = setTimeout(renderWhatIf, 250);
}

function renderWhatIf() {
  const out = document.getElementById('whatif');
  const started = performance.now();
  const lower = engine.whatWouldChange(intake.answers, { goal: 'lower' });
  const higher = engine.whatWouldChange(intake.answers, { goal: 'higher' });
  timings.lastWhatIfMs = performance.now() - started;
  if (lower.error || higher.error) { out.replaceChildren(); out.dataset.ready = 'true'; return; }
  const block = (found, none) => {
    if (found.reached) return [];
    if (!found.sets.length) return [el('p', { class: 'goal' }, found.says.ru + ':'), el('p', { class: 'small muted' }, none)];
    return [el('p', { class: 'goal' }, `${found.says.ru}:`),
      el('ul', {}, found.sets.map((set, i) => el('li', { 'data-set': i },
        set.changes.map((c) => c.says.ru).join('; '),
        el('span', { class: 'small muted' }, `уровень «${ruleLabels[set.level]?.ru ?? set.level}»`))))];
  };
  out.replaceChildren(
    el('h3', {}, 'Что изменит результат'),
    ...block(lower.ok, 'Ни одно изменение одного–трёх изменяемых обстоятельств не ведёт к более низкому уровню.'),
    ...block(higher.ok, 'Ни одно изменение одного–трёх обстоятельств не повышает уровень.'),
    el('p', { class: 'small muted' }, 'Это не совет изменить ответы: так видно, от каких обстоятельств семьи зависит уровень и к чему ведёт программа сопровождения.'));
  out.dataset.ready = 'true';
}

// ---------------------------------------------------------------------------------------------
// The draft ИПСС: the engine's page (the same as `sopro programme -o x.html`), printed from a
// new tab. Nothing leaves the device: the tab is a local blob.

let programmeEngine;

async function openProgramme() {
  if (!programmeEngine) {
    let loaded;
    try {
      const response = await fetch(PROGRAMME_BUNDLE_URL);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      loaded = await load(await response.text(), undefined, { drafts: true });
    } catch (error) {
      alert(`Набор правил для ИПСС не загружен: ${error.message}`);
      return;
    }
    if (loaded.error) { alert(`Набор правил для ИПСС не загружен: ${loaded.error.kind}`); return; }
    programmeEngine = loaded.ok;
  }
  // A version assesses any date with a warning outside its period; a document to sign must not.
  const { version, in_force: period } = programmeEngine.info().ok;
  const { answers } = intake;
  const asOf = answers.as_of ?? '';
  if (asOf < period.from || (period.to && asOf > period.to)) {
    alert(`Проект ИПСС составляется по правилам ${version}, которые действуют с ${period.from}${period.to ? ` по ${period.to}` : ''}: укажите дату оценки в этом периоде.`);
    return;
  }
  const result = programmeEngine.programmeHtml(answers, 'ru');
  if (result.error) {
    alert(result.error.kind === 'invalid_answers'
      ? 'Проект ИПСС составляется по полным ответам: исправьте ответы, отмеченные в форме.'
      : `Проект ИПСС не составлен: ${result.error.kind}`);
    return;
  }
  if (!result.ok) { alert('Набор правил не содержит мероприятий программы.'); return; }
  const url = URL.createObjectURL(new Blob([result.ok], { type: 'text/html' }));
  if (!window.open(url, '_blank')) alert('Браузер не открыл вкладку с документом: разрешите всплывающие окна для этой страницы.');
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// ---------------------------------------------------------------------------------------------
// Export, import, print; start.

function download() {
  const { answers } = intake;
  const blob = new Blob([JSON.stringify(answers, null, 2)], { type: 'application/json' });
  const link = el('a', { href: URL.createObjectURL(blob), download: `семья-${answers.case?.id ?? answers.as_of ?? 'ответы'}.json` });
  link.click();
  URL.revokeObjectURL(link.href);
}

async function start() {
  const t0 = performance.now();
  const bundle = await (await fetch(BUNDLE_URL)).text();
  const t1 = performance.now();
  const loaded = await load(bundle);
  timings.coldStartMs = performance.now() - t1;
  timings.fetchMs = t1 - t0;
  if (loaded.error) {
    document.getElementById('ruleset').textContent = `Правила не загружены: ${loaded.error.kind}`;
    return;
  }
  engine = loaded.ok;
  ruleLabels = engine.labels().ok;
  const info = engine.info().ok;
  document.getElementById('ruleset').textContent = `${info.title.ru} (версия ${info.version})`;
  const today = new Date().toISOString().slice(0, 10);
  const empty = () => ({ as_of: today, [MEMBERS]: [{ id: 'm1' }] });
  intake = mountIntake({
    form: document.getElementById('form'),
    result: document.getElementById('result'),
    engine,
    timings,
    onUpdate: (state) => { renderSummary(state); scheduleWhatIf(); },
  });
  intake.answers = empty();
  document.getElementById('export').addEventListener('click', download);
  document.getElementById('print').addEventListener('click', () => window.print());
  document.getElementById('programme').addEventListener('click', openProgramme);
  document.getElementById('clear').addEventListener('click', () => { intake.answers = empty(); });
  document.getElementById('import').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    try { intake.answers = JSON.parse(await file.text()); } catch { alert('Файл не является JSON с ответами.'); }
  });
  window.sopro = { engine, timings, get answers() { return intake.answers; }, set answers(value) { intake.answers = value; } };
  document.body.dataset.ready = 'true';
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('sw.js').catch(() => {});
}

start();
