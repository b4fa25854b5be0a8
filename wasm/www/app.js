// The intake form: generated from the rule set's questions, assessed live in the browser.
import { load } from '../pkg/sopro.js';

const BUNDLE_URL = '../pkg/khmao-2026.3.bundle.json';
// The individual programme (ИПСС) is drafted by the draft version 2026.4 (2026.3's rules and
// the programme's activities); it is loaded, with `drafts`, when the document is first asked for.
const PROGRAMME_BUNDLE_URL = '../pkg/khmao-2026.4.bundle.json';
const MEMBERS = 'members';
const PROBLEM_TEXT = {
  required: 'обязательный ответ',
  wrong_type: 'неверный тип значения',
  not_allowed: 'недопустимое значение',
  out_of_range: 'значение вне допустимого диапазона',
  bad_date: 'нужна дата в формате ГГГГ-ММ-ДД',
  duplicate: 'значение повторяется',
  too_few: 'слишком мало записей',
  too_many: 'слишком много записей',
  too_long: 'слишком длинный текст',
  unknown_field: 'неизвестное поле',
  no_parameter_value: 'на эту дату в наборе правил нет значения параметра (например, прожиточного минимума)',
};
const SEVERITY = { critical: 'критическая', high: 'высокая', medium: 'средняя', low: 'низкая' };
const URGENCY = { immediately: 'незамедлительно', same_day: 'в тот же день', routine: 'в плановом порядке' };
const STATUS = { statute: 'норма права', practice: 'практика', inferred: 'предложение набора правил' };

let engine;
let ruleLabels = {};
let questions = [];
let answers = {};
const timings = {};

// ---------------------------------------------------------------------------------------------
// Answers: a plain object, edited by path.

function setAt(path, value) {
  const keys = path.split('/').slice(1);
  let node = answers;
  keys.slice(0, -1).forEach((key, i) => {
    const nextIsIndex = /^\d+$/.test(keys[i + 1]);
    if (node[key] === undefined) node[key] = nextIsIndex ? [] : {};
    node = node[key];
  });
  const last = keys[keys.length - 1];
  if (value === undefined) delete node[last]; else node[last] = value;
  for (const section of Object.keys(answers)) {
    const v = answers[section];
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) delete answers[section];
  }
}

function getAt(path) {
  return path.split('/').slice(1).reduce((node, key) => (node == null ? undefined : node[key]), answers);
}

function readInput(el, q) {
  const raw = el.value;
  if (q.type === 'enum_list') {
    const boxes = el.closest('.field').querySelectorAll('input[type=checkbox]');
    const picked = [...boxes].filter((b) => b.checked).map((b) => b.value);
    return picked.length ? picked : undefined;
  }
  if (raw === '') return undefined;
  switch (q.type) {
    case 'bool': return raw === 'true';
    case 'integer': return Number.isNaN(Number(raw)) ? raw : Number(raw);
    case 'number': case 'money': return Number.isNaN(Number(raw)) ? raw : Number(raw);
    default: return raw;
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering the form from the questions.

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children.flat()) if (child != null) node.append(child);
  return node;
}

function field(q, path) {
  const value = getAt(path);
  const id = `f${path.replaceAll('/', '-')}`;
  let input;
  const onchange = (event) => { setAt(path, readInput(event.target, q)); update(); };
  switch (q.type) {
    case 'bool':
      input = el('select', { id, 'data-path': path, onchange },
        el('option', { value: '' }, '— не указано —'),
        el('option', { value: 'true' }, 'да'),
        el('option', { value: 'false' }, 'нет'));
      input.value = value === true ? 'true' : value === false ? 'false' : '';
      break;
    case 'enum':
      input = el('select', { id, 'data-path': path, onchange },
        el('option', { value: '' }, '— не указано —'),
        q.values.map((v) => el('option', { value: v.id }, v.label.ru)));
      input.value = value ?? '';
      break;
    case 'enum_list':
      input = el('div', { class: 'checks', id, 'data-path': path },
        q.values.map((v) => el('label', {},
          el('input', { type: 'checkbox', value: v.id, onchange, ...(value?.includes(v.id) ? { checked: '' } : {}) }),
          ` ${v.label.ru}`)));
      break;
    default: {
      const type = { date: 'date', integer: 'number', number: 'number', money: 'number' }[q.type] ?? 'text';
      input = el('input', { id, type, 'data-path': path, step: q.type === 'integer' ? '1' : 'any', oninput: onchange });
      input.value = value ?? '';
    }
  }
  return el('div', { class: 'field', 'data-field': path },
    el('label', { for: id }, q.label.ru, q.required ? el('span', { class: 'req', title: 'обязательный' }, ' *') : null),
    input,
    q.help ? el('small', { class: 'help' }, q.help.ru) : null,
    el('small', { class: 'open-mark' }, 'может изменить результат'),
    el('small', { class: 'error' }));
}

function memberTitle(records, index) {
  const role = getAt(`/${MEMBERS}/${index}/role`);
  const roleLabel = records.questions.find((q) => q.id === 'role')?.values.find((v) => v.id === role)?.label.ru;
  return `Член семьи ${index + 1}${roleLabel ? ` — ${roleLabel}` : ''}`;
}

function memberCard(records, index) {
  const path = `/${MEMBERS}/${index}`;
  return el('fieldset', { class: 'member' },
    el('legend', {}, memberTitle(records, index)),
    el('button', { type: 'button', class: 'remove', onclick: () => { answers[MEMBERS].splice(index, 1); render(); } }, 'Удалить'),
    records.questions.map((q) => field(q, `${path}/${q.id}`)));
}

function render() {
  const form = document.getElementById('form');
  form.replaceChildren(...questions.map((q) => {
    if (q.type === 'section') {
      return el('fieldset', { 'data-field': `/${q.id}` }, el('legend', {}, q.label.ru),
        q.questions.map((f) => field(f, `/${q.id}/${f.id}`)));
    }
    if (q.type === 'records') {
      const count = (answers[q.id] ?? []).length;
      return el('section', { class: 'records', 'data-field': `/${q.id}` },
        el('h2', {}, q.label.ru),
        q.help ? el('p', { class: 'help' }, q.help.ru) : null,
        [...Array(count).keys()].map((i) => memberCard(q, i)),
        el('button', { type: 'button', id: 'add-member', onclick: () => {
          answers[q.id] = answers[q.id] ?? [];
          answers[q.id].push({ id: `m${answers[q.id].length + 1}` });
          render();
        } }, '+ Добавить члена семьи'),
        el('small', { class: 'error' }));
    }
    return field(q, `/${q.id}`);
  }));
  update();
}

// ---------------------------------------------------------------------------------------------
// Live relevance, field errors and the assessment.

function update() {
  const started = performance.now();
  const { ok: state } = engine.relevant(answers);
  timings.lastUpdateMs = performance.now() - started;
  const hidden = new Set(state.hidden);
  const open = new Map(state.open_questions.map((q) => [q.path, q]));
  const problems = new Map();
  for (const p of state.problems) problems.set(p.path, p);
  for (const node of document.querySelectorAll('[data-field]')) {
    const path = node.dataset.field;
    node.hidden = hidden.has(path);
    node.classList.toggle('open', open.has(path));
    node.classList.toggle('open-level', open.get(path)?.moves === 'level');
    const mark = node.querySelector(':scope > .open-mark');
    if (mark) {
      const question = open.get(path);
      mark.replaceChildren(...(question ? [
        el('span', { class: 'moves' }, question.moves === 'level' ? 'может изменить уровень' : 'может изменить результат'),
        `: ${question.brief.ru}`] : []));
      mark.title = question ? question.says.ru : '';
    }
    const problem = problems.get(path) ?? [...problems.values()].find((p) => p.path.startsWith(`${path}/`) && /\/\d+$/.test(p.path) && node.querySelector('.checks'));
    const error = node.querySelector(':scope > .error');
    if (error) {
      error.textContent = problem ? (PROBLEM_TEXT[problem.code] ?? problem.code) : '';
      error.title = problem ? problem.message : '';
    }
    node.classList.toggle('invalid', Boolean(problem));
  }
  const records = questions.find((q) => q.id === MEMBERS);
  document.querySelectorAll('fieldset.member > legend').forEach((legend, i) => {
    legend.textContent = memberTitle(records, i);
  });
  renderResult(state);
  renderSummary(state);
  scheduleWhatIf();
}

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
  const lower = engine.whatWouldChange(answers, { goal: 'lower' });
  const higher = engine.whatWouldChange(answers, { goal: 'higher' });
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

function basis(items) {
  return items.map((b) => `${b.act}${b.article ? ` ст. ${b.article}` : ''} (${STATUS[b.status]})`).join('; ');
}

function renderResult(state) {
  const out = document.getElementById('result');
  const a = state.assessment;
  if (!a) {
    const problems = state.error?.problems ?? [];
    const noMembers = problems.some((p) => p.path === '/members');
    const why = noMembers
      ? 'Укажите код, роль и дату рождения хотя бы одного члена семьи.'
      : state.error?.kind === 'invalid_answers' ? 'Исправьте ответы, отмеченные в форме.' : 'Укажите дату оценки.';
    out.replaceChildren(el('h2', {}, 'Результат'), el('p', { class: 'muted' }, why));
    return;
  }
  // Every rule's label (levels and derived facts among them), then the conditions in words.
  const label = (id) => ruleLabels[id]?.ru ?? id;
  const said = (r) => (r.members?.length ? `${r.members.join(', ')}: ${r.label.ru}` : r.label.ru);
  const reasons = (ids, conditions = []) => [...ids.map(label), ...conditions.map(said)].join('; ');
  const list = (title, items, row) => [el('h3', {}, title),
    items.length ? el('ul', {}, items.map((item) => el('li', {}, ...row(item)))) : el('p', { class: 'muted' }, 'нет')];
  out.replaceChildren(
    el('h2', {}, 'Результат'),
    el('div', { class: `level level-${a.level.id}`, id: 'level' },
      el('div', { class: 'small' }, 'Уровень сопровождения'),
      el('strong', {}, a.level.label.ru),
      a.level.review_on ? el('div', { class: 'small' }, `пересмотр ${a.level.review_on}`) : null,
      a.level.because.length ? el('div', { class: 'small' }, `потому что: ${reasons(a.level.because)}`) : null),
    ...list('Критерии нуждаемости', a.criteria, (c) => [
      el('span', { class: `sev sev-${c.severity}` }, SEVERITY[c.severity]), ` ${c.label.ru}`,
      el('div', { class: 'small muted' }, `основание: ${basis(c.basis)}`)]),
    ...list('Срочные социальные услуги', a.urgent_services, (s) => [s.label.ru,
      el('div', { class: 'small muted' }, `потому что: ${reasons(s.because, s.reasons)}`)]),
    ...(a.consultations.length ? list('Консультации и плановая помощь', a.consultations, (c) => [c.label.ru,
      el('div', { class: 'small muted' }, `потому что: ${reasons(c.because, c.reasons)}`)]) : []),
    el('div', { id: 'partners' }, ...list('Партнёры', a.partners, (p) => [
      el('strong', {}, p.label.ru), ` — ${URGENCY[p.urgency]}`,
      el('div', { class: 'small muted' }, `потому что: ${reasons(p.because, p.reasons)}`),
      p.without_consent ? el('div', { class: 'small duty' }, `без согласия семьи — ${p.duties.length ? p.duties.map((d) => `${d.label.ru} (${basis(d.basis)})`).join('; ') : 'обязанность сообщить'}`) : null,
      p.held_back.length || p.held_back_reasons.length ? el('div', { class: 'small muted' }, `без согласия не передаётся: ${reasons(p.held_back, p.held_back_reasons)}`) : null])),
    ...(a.partners_pending_consent.length ? list('Ожидают согласия семьи', a.partners_pending_consent, (p) => [p.label.ru,
      el('div', { class: 'small muted' }, `потому что: ${reasons(p.because, p.reasons)}`)]) : []),
    ...list('Сроки', a.deadlines, (d) => [el('strong', {}, d.due), ` ${d.label.ru}`,
      el('div', { class: 'small muted' }, `основание: ${basis(d.basis)}`)]),
    ...list('Категории семьи', a.categories, (c) => [c.label.ru]),
    el('p', { class: 'small muted' }, `Не заполнено вопросов, влияющих на результат: ${state.open.length} (всего неотвеченных вопросов, которые читают правила: ${state.read_by_rules.length}).`),
    ...(a.warnings.length ? list('Предупреждения', a.warnings, (w) => [w.message.ru]) : []),
    el('p', { class: 'small muted' }, `Правила ${a.ruleset.id} ${a.ruleset.version}, ${a.ruleset.digest.slice(0, 19)}…`));
}

// ---------------------------------------------------------------------------------------------
// The draft ИПСС: the engine's text of the document (the same as `sopro programme -o x.html`),
// laid out for printing in a new tab. Nothing leaves the device: the tab is a local blob.

let programmeEngine;

const escapeHtml = (text) => String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

function programmeHtml(sheet) {
  const e = escapeHtml;
  const header = sheet.header.map(([k, v]) => `<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`).join('');
  const table = sheet.rows.length
    ? `<table class="items"><thead><tr>${sheet.columns.map((c) => `<th>${e(c)}</th>`).join('')}</tr></thead><tbody>${
      sheet.rows.map((r) => `<tr>${r.map((c) => `<td>${e(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`
    : `<p>${e(sheet.no_activities)}</p>`;
  const signatures = sheet.signatures.map((s) => `<p class="sign">${e(s)}: ${e(sheet.blank)} / ${e(sheet.blank)}</p>`).join('');
  return `<!doctype html><html lang="${e(sheet.lang)}"><head><meta charset="utf-8"><title>${e(sheet.title)}</title>
<style>body{font:11pt 'PT Serif',Georgia,serif;margin:2cm}h1{font-size:14pt;text-align:center}.draft{text-align:center;font-style:italic}
table{border-collapse:collapse;width:100%;margin:1em 0}.items th,.items td{border:1px solid #000;padding:4px;vertical-align:top}
.header th{text-align:left;padding-right:1em}.sign{margin-top:1.5em}.footer{font-size:8pt;color:#444}@page{size:A4 landscape;margin:1.5cm}</style></head>
<body><h1>${e(sheet.title)}</h1><p class="draft">${e(sheet.draft)}</p><table class="header">${header}</table>${table}${signatures}
<p class="footer">${e(sheet.footer)}</p></body></html>`;
}

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
  const asOf = answers.as_of ?? '';
  if (asOf < period.from || (period.to && asOf > period.to)) {
    alert(`Проект ИПСС составляется по правилам ${version}, которые действуют с ${period.from}${period.to ? ` по ${period.to}` : ''}: укажите дату оценки в этом периоде.`);
    return;
  }
  const result = programmeEngine.programmeSheet(answers, 'ru');
  if (result.error) {
    alert(result.error.kind === 'invalid_answers'
      ? 'Проект ИПСС составляется по полным ответам: исправьте ответы, отмеченные в форме.'
      : `Проект ИПСС не составлен: ${result.error.kind}`);
    return;
  }
  if (!result.ok) { alert('Набор правил не содержит мероприятий программы.'); return; }
  const url = URL.createObjectURL(new Blob([programmeHtml(result.ok)], { type: 'text/html' }));
  if (!window.open(url, '_blank')) alert('Браузер не открыл вкладку с документом: разрешите всплывающие окна для этой страницы.');
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// ---------------------------------------------------------------------------------------------
// Export, import, print; start.

function download() {
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
  questions = engine.questions().ok;
  const today = new Date().toISOString().slice(0, 10);
  answers = { as_of: today, [MEMBERS]: [{ id: 'm1' }] };
  render();
  document.getElementById('export').addEventListener('click', download);
  document.getElementById('print').addEventListener('click', () => window.print());
  document.getElementById('programme').addEventListener('click', openProgramme);
  document.getElementById('clear').addEventListener('click', () => { answers = { as_of: today, [MEMBERS]: [{ id: 'm1' }] }; render(); });
  document.getElementById('import').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    try { answers = JSON.parse(await file.text()); render(); } catch { alert('Файл не является JSON с ответами.'); }
  });
  window.sopro = { engine, timings, get answers() { return answers; }, set answers(value) { answers = value; render(); } };
  document.body.dataset.ready = 'true';
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('sw.js').catch(() => {});
}

start();
