// The intake form, generated from a rule set's questions and assessed live: the intake page
// (app.js) and the rule studio's preview (studio/) mount the same form.
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


export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children.flat()) if (child != null) node.append(child);
  return node;
}


/**
 * Mounts the form in `form` and the live assessment in `result` for `engine`; `onUpdate(state)`
 * after every change with the engine's relevance (hidden questions, open questions, the
 * assessment). Returns the form's answers (settable) and `render`.
 */
export function mountIntake({ form, result, engine, onUpdate, timings = {} }) {
  const questions = engine.questions().ok;
  const ruleLabels = engine.labels().ok;
  let answers = {};

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


  function update() {
    const started = performance.now();
    const { ok: state } = engine.relevant(answers);
    timings.lastUpdateMs = performance.now() - started;
    const hidden = new Set(state.hidden);
    const open = new Map(state.open_questions.map((q) => [q.path, q]));
    const problems = new Map();
    for (const p of state.problems) problems.set(p.path, p);
    for (const node of form.querySelectorAll('[data-field]')) {
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
    form.querySelectorAll('fieldset.member > legend').forEach((legend, i) => {
      legend.textContent = memberTitle(records, i);
    });
    renderResult(state);
    onUpdate?.(state);
  }


  function basis(items) {
    return items.map((b) => `${b.act}${b.article ? ` ст. ${b.article}` : ''} (${STATUS[b.status]})`).join('; ');
  }

  function renderResult(state) {
    const out = result;
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


  return {
    get answers() { return answers; },
    set answers(value) { answers = value; render(); },
    render,
  };
}
