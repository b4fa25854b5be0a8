//! Text for people: assessments, diagnostics and test reports.

use std::fmt::Write;
use std::path::Path;

use sopro_engine::{AssessError, Assessment, Basis, Lang, Loaded, RuleSet, TestReport};

/// Words of the human output, by language.
struct Words {
    title: &'static str,
    as_of: &'static str,
    case: &'static str,
    level: &'static str,
    review: &'static str,
    because: &'static str,
    criteria: &'static str,
    categories: &'static str,
    services: &'static str,
    consultations: &'static str,
    partners: &'static str,
    pending: &'static str,
    no_consent_needed: &'static str,
    without_consent: &'static str,
    held_back: &'static str,
    deadlines: &'static str,
    parameters: &'static str,
    missing: &'static str,
    warnings: &'static str,
    reads: &'static str,
    basis: &'static str,
    none: &'static str,
    invalid: &'static str,
    rule_failed: &'static str,
}

const RU: Words = Words {
    title: "Оценка нуждаемости семьи",
    as_of: "дата оценки",
    case: "Версия правил",
    level: "УРОВЕНЬ СОПРОВОЖДЕНИЯ",
    review: "пересмотр",
    because: "потому что",
    criteria: "Критерии нуждаемости",
    categories: "Категории семьи",
    services: "Срочные социальные услуги",
    consultations: "Консультации и плановая помощь",
    partners: "Партнёры (межведомственное взаимодействие)",
    pending: "Ожидают согласия семьи",
    no_consent_needed: "сообщение обязательно по закону, согласие не требуется",
    without_consent: "без согласия семьи",
    held_back: "без согласия семьи не передаётся",
    deadlines: "Сроки",
    parameters: "Параметры на дату оценки",
    missing: "Не заполнено (может изменить результат)",
    warnings: "Предупреждения",
    reads: "ответы",
    basis: "основание",
    none: "нет",
    invalid: "Ответы не приняты",
    rule_failed: "Ошибка в правиле",
};

const EN: Words = Words {
    title: "Family needs assessment",
    as_of: "assessment date",
    case: "Rule set digest",
    level: "SUPPORT LEVEL",
    review: "review",
    because: "because",
    criteria: "Need criteria",
    categories: "Family categories",
    services: "Urgent social services",
    consultations: "Consultations and planned help",
    partners: "Partners (interagency)",
    pending: "Waiting for the family's consent",
    no_consent_needed: "the law obliges a report, no consent needed",
    without_consent: "without the family's consent",
    held_back: "not passed on without the family's consent",
    deadlines: "Deadlines",
    parameters: "Parameters on the assessment date",
    missing: "Not answered (may change the result)",
    warnings: "Warnings",
    reads: "answers",
    basis: "basis",
    none: "none",
    invalid: "The answers were not accepted",
    rule_failed: "A rule failed",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Ru => &RU,
        Lang::En => &EN,
    }
}

/// An assessment as a specialist reads it: level first, then reasons, services, partners,
/// deadlines and the basis of each.
pub fn assessment(rules: &RuleSet, a: &Assessment, lang: Lang) -> String {
    let w = words(lang);
    let mut out = String::new();
    let label_of = |id: &str| -> String {
        if let Some(label) = rules.label_of(id) {
            return label.get(lang).to_owned();
        }
        let found = a
            .criteria
            .iter()
            .map(|c| (&c.id, &c.label))
            .chain(a.categories.iter().map(|c| (&c.id, &c.label)))
            .chain(a.urgent_services.iter().map(|s| (&s.id, &s.label)))
            .find(|(i, _)| &***i == id);
        found.map_or(id.to_owned(), |(_, l)| l.get(lang).to_owned())
    };
    let reasons =
        |ids: &[sopro_engine::Text]| ids.iter().map(|id| label_of(id)).collect::<Vec<_>>().join("; ");
    // The rules named by id and the conditions in words, as one list.
    let explain = |ids: &[sopro_engine::Text], said: &[sopro_engine::Reason]| -> String {
        let words = said.iter().map(|r| r.text(lang));
        ids.iter().map(|id| label_of(id)).chain(words).collect::<Vec<_>>().join("; ")
    };
    let _ = writeln!(out, "{} — {} {}, {} {}", w.title, a.ruleset.id, a.ruleset.version, w.as_of, a.as_of);
    let _ = writeln!(out);
    let review = a.level.review_on.as_ref().map(|d| format!(" ({} {d})", w.review)).unwrap_or_default();
    let _ = writeln!(out, "{}: {}{review}", w.level, a.level.label.get(lang).to_uppercase());
    if !a.level.because.is_empty() {
        let _ = writeln!(out, "  {}: {}", w.because, reasons(&a.level.because));
    }
    let _ = writeln!(out, "  {}: {}", w.basis, basis(&a.level.basis, lang));

    section(&mut out, w.criteria, a.criteria.is_empty(), w.none);
    for c in &a.criteria {
        let _ = writeln!(out, "  [{}] {} ({})", c.severity.label().get(lang), c.label.get(lang), c.id);
        if !c.because.is_empty() {
            let _ = writeln!(out, "      {}: {}", w.because, reasons(&c.because));
        }
        if !c.reads.is_empty() {
            let _ = writeln!(out, "      {}: {}", w.reads, join(&c.reads));
        }
        let _ = writeln!(out, "      {}: {}", w.basis, basis(&c.basis, lang));
    }
    section(&mut out, w.categories, a.categories.is_empty(), w.none);
    for c in &a.categories {
        let _ =
            writeln!(out, "  • {} ({}) — {}: {}", c.label.get(lang), c.id, w.basis, basis(&c.basis, lang));
    }
    for (title, list) in [(w.services, &a.urgent_services), (w.consultations, &a.consultations)] {
        if list.is_empty() && title == w.consultations {
            continue;
        }
        section(&mut out, title, list.is_empty(), w.none);
        for s in list {
            let _ = writeln!(
                out,
                "  • {} — {}: {}",
                s.label.get(lang),
                w.because,
                explain(&s.because, &s.reasons)
            );
        }
    }
    for (title, list) in [(w.partners, &a.partners), (w.pending, &a.partners_pending_consent)] {
        if list.is_empty() && title == w.pending {
            continue;
        }
        section(&mut out, title, list.is_empty(), w.none);
        for p in list {
            let _ = writeln!(
                out,
                "  • {} — {} — {}: {}",
                p.label.get(lang),
                p.urgency.label().get(lang),
                w.because,
                explain(&p.because, &p.reasons)
            );
            if p.without_consent && p.duties.is_empty() {
                let _ = writeln!(out, "      ({})", w.no_consent_needed);
            }
            for d in &p.duties {
                let _ = writeln!(
                    out,
                    "      {}: {} — {}",
                    w.without_consent,
                    d.label.get(lang),
                    basis(&d.basis, lang)
                );
            }
            if !p.held_back.is_empty() || !p.held_back_reasons.is_empty() {
                let _ =
                    writeln!(out, "      {}: {}", w.held_back, explain(&p.held_back, &p.held_back_reasons));
            }
        }
    }
    section(&mut out, w.deadlines, a.deadlines.is_empty(), w.none);
    for d in &a.deadlines {
        let _ = writeln!(out, "  {}  {} — {}: {}", d.due, d.label.get(lang), w.basis, basis(&d.basis, lang));
    }
    if let Some(programme) = &a.programme {
        render_programme(&mut out, programme, lang);
    }
    if !a.parameters.is_empty() {
        section(&mut out, w.parameters, false, w.none);
        for p in &a.parameters {
            let _ = writeln!(
                out,
                "  {} = {} — {}: {}",
                p.label.get(lang),
                p.value,
                w.basis,
                basis(std::slice::from_ref(&p.basis), lang)
            );
        }
    }
    if !a.missing.is_empty() {
        section(&mut out, w.missing, false, w.none);
        let _ = writeln!(out, "  {}", join(&a.missing));
    }
    if !a.warnings.is_empty() {
        section(&mut out, w.warnings, false, w.none);
        for warning in &a.warnings {
            let path = warning.path.as_ref().map(|p| format!(" ({p})")).unwrap_or_default();
            let _ = writeln!(out, "  ! {}{path}", warning.message.get(lang));
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}: {}", w.case, a.ruleset.digest);
    out
}

/// The draft programme: one line per activity (due date, what, who), then its contact and checks.
fn render_programme(out: &mut String, programme: &sopro_engine::programme::Programme, lang: Lang) {
    let (title, until, checked, placeholder) = match lang {
        Lang::Ru => (
            "Проект индивидуальной программы (ИПСС; утверждает рабочая группа)",
            "до пересмотра",
            "контроль",
            "контакты — заполнить",
        ),
        Lang::En => (
            "Draft individual programme (approved by the working group)",
            "until the review",
            "checked",
            "contacts to fill in",
        ),
    };
    section(out, title, programme.items.is_empty(), "—");
    for (n, item) in programme.items.iter().enumerate() {
        let due = item.due.as_deref().unwrap_or(until);
        let who = item.responsible.name.get(lang);
        let _ = writeln!(out, "  {:>2}. {due}  {} — {who}", n + 1, item.label.get(lang));
        let contact =
            item.responsible.contact.as_ref().map(|c| c.line().unwrap_or_else(|| placeholder.to_owned()));
        let contact = contact.map(|c| format!("; {c}")).unwrap_or_default();
        let _ =
            writeln!(out, "      {checked}: {}; {}{contact}", item.monitoring.get(lang), join(&item.serves));
    }
}

fn join(items: &[sopro_engine::Text]) -> String {
    items.iter().map(|i| &**i).collect::<Vec<_>>().join(", ")
}

fn section(out: &mut String, title: &str, empty: bool, none: &str) {
    let _ = writeln!(out);
    if empty {
        let _ = writeln!(out, "{title}: {none}");
    } else {
        let _ = writeln!(out, "{title}:");
    }
}

fn basis(items: &[Basis], lang: Lang) -> String {
    items
        .iter()
        .map(|b| {
            let article = b.article.as_ref().map(|a| format!(" ст. {a}")).unwrap_or_default();
            format!("{}{article} ({})", b.act, b.status.label().get(lang))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why an assessment was refused, for people.
pub fn assess_error(error: &AssessError, lang: Lang) -> String {
    let w = words(lang);
    let mut out = String::new();
    match error {
        AssessError::InvalidAnswers { problems } => {
            let _ = writeln!(out, "{} ({}):", w.invalid, problems.len());
            for p in problems {
                let _ = writeln!(out, "  {}: {} [{}]", p.path, p.message, p.code);
            }
        }
        AssessError::RuleFailed { .. } => {
            let _ = writeln!(out, "{}: {error}", w.rule_failed);
        }
        AssessError::NoVersionInForce { .. } => {
            let _ = writeln!(out, "{error}");
        }
        AssessError::UnknownGoal { id, level } => {
            let _ = match (lang, level) {
                (Lang::Ru, true) => writeln!(out, "в наборе правил нет уровня `{id}`"),
                (Lang::Ru, false) => {
                    writeln!(
                        out,
                        "в наборе правил нет категории, критерия, срочной услуги или партнёра `{id}`"
                    )
                }
                (Lang::En, _) => writeln!(out, "{error}"),
            };
        }
    }
    out
}

/// `sopro check` output.
pub fn check(dir: &Path, loaded: &Loaded) -> String {
    let mut out = String::new();
    for d in &loaded.diagnostics {
        let _ = writeln!(out, "{}/{d}", dir.display());
    }
    let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = loaded.diagnostics.len() - errors;
    match &loaded.ruleset {
        Some(rules) => {
            let _ = writeln!(
                out,
                "ok: {} {} ({}), {warnings} warning(s)",
                rules.id(),
                rules.version(),
                rules.digest()
            );
        }
        None => {
            let _ = writeln!(out, "{errors} error(s), {warnings} warning(s)");
        }
    }
    out
}

/// `sopro test` output, ending with `N passed, M failed`.
pub fn test_report(rules: &RuleSet, report: &TestReport) -> String {
    let mut out = String::new();
    let _ =
        writeln!(out, "running {} test case(s) of {} {}", report.cases.len(), rules.id(), rules.version());
    for case in &report.cases {
        if case.passed() {
            let _ = writeln!(out, "ok     {}", case.name);
        } else {
            let _ = writeln!(out, "FAILED {}  ({})", case.name, case.location);
            for difference in &case.differences {
                let _ = writeln!(out, "         {difference}");
            }
        }
    }
    let uncovered: Vec<String> = report
        .coverage
        .uncovered
        .iter()
        .filter(|(_, ids)| !ids.is_empty())
        .map(|(kind, ids)| format!("  {kind}: {}", ids.join(", ")))
        .collect();
    if uncovered.is_empty() {
        let _ = writeln!(out, "coverage: every level, category, criterion, urgent service, consultation, partner, reporting duty, deadline, consistency check and programme activity{} is reached by some case", match rules.base() {
            Some(base) => format!(" of the region (and each base item it overrides; the base's own are reached by the tests of {} {})", base.id, base.version),
            None => String::new(),
        });
    } else {
        let _ = writeln!(out, "coverage: not reached by any case:\n{}", uncovered.join("\n"));
    }
    let _ = writeln!(out, "{} passed, {} failed", report.passed(), report.failed());
    out
}

/// `sopro whatif` output: the goal, then each set of changes that reaches it.
pub fn what_would_change(rules: &RuleSet, found: &sopro_engine::WhatWouldChange, lang: Lang) -> String {
    let say = |ru: &'static str, en: &'static str| if lang == Lang::Ru { ru } else { en };
    let mut out = String::new();
    let level = rules.label_of(&found.level).map_or(&*found.level, |l| l.get(lang));
    let _ = writeln!(out, "{}: «{level}»", say("Уровень сейчас", "Level now"));
    if found.reached {
        let _ = writeln!(
            out,
            "{}",
            say("Цель уже достигнута: менять нечего.", "The goal is met already: nothing to change.")
        );
        return out;
    }
    if found.varied.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            say(
                "Набор правил не объявляет изменяемых ответов (changeable), которые читают правила на пути к цели.",
                "The rule set declares no changeable answers that the rules on the way to the goal read."
            )
        );
        return out;
    }
    if found.sets.is_empty() {
        let none = say(
            "Ни одно изменение одного–трёх изменяемых ответов не ведёт к цели.",
            "No change of one to three changeable answers reaches the goal.",
        );
        let _ = writeln!(out, "{none}");
    } else {
        let _ = writeln!(out, "{}:", found.says.get(lang));
        for (i, set) in found.sets.iter().enumerate() {
            let _ = writeln!(out, "  {}. {}", i + 1, set.says.get(lang));
        }
    }
    let cut = if found.cut_short {
        say(" (поиск остановлен на пределе)", " (the search stopped at its limit)")
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{} {}; {} {}{cut}",
        say("Изменяемых ответов перебрано:", "Changeable answers varied:"),
        found.varied.len(),
        say("оценок сделано:", "assessments made:"),
        found.tried,
    );
    out
}
