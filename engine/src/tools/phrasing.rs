//! What an open question or a set of answer changes would change, in words for people (Russian
//! and English), made by the engine so that the CLI, the browser and the batch say the same.
//! Answers are named by their question's label (a member by their number in the form), values
//! by their labels; nothing is phrased as advice to change an answer.

use serde_json::Value;

use crate::compiled::RuleSet;
use crate::format::model::{Question, QuestionType, MEMBERS};
use crate::format::vocab::{Labels, Lang, Severity, Text, Urgency};
use crate::tools::open::{question_at, OutcomeKind, OutcomePart};

/// Builds one text in both languages.
fn both(make: impl Fn(Lang) -> String) -> Labels {
    Labels { ru: make(Lang::Ru).into(), en: make(Lang::En).into() }
}

/// A name in the quotes of the language: «…» or “…”.
fn quoted(lang: Lang, name: &str) -> String {
    match lang {
        Lang::Ru => format!("«{name}»"),
        Lang::En => format!("“{name}”"),
    }
}

fn pick(lang: Lang, ru: &str, en: &str) -> String {
    match lang {
        Lang::Ru => ru.to_owned(),
        Lang::En => en.to_owned(),
    }
}

/// An answer's question: «Занятость (член семьи 2)».
pub(crate) fn answer_name(rules: &RuleSet, path: &str, lang: Lang) -> String {
    let label =
        question_at(&rules.questions, path).map_or_else(|| path.to_owned(), |q| q.label.get(lang).to_owned());
    let member = path
        .strip_prefix(&format!("/{MEMBERS}/"))
        .and_then(|rest| rest.split('/').next())
        .and_then(|i| i.parse::<usize>().ok());
    match member {
        Some(i) => format!("{label} ({} {})", pick(lang, "член семьи", "member"), i + 1),
        None => label,
    }
}

/// An answer's question in both languages (see [`answer_name`]).
pub(crate) fn answer_names(rules: &RuleSet, path: &str) -> Labels {
    both(|lang| answer_name(rules, path, lang))
}

/// An answer's value in words: «да», an enum value's label, a sum in roubles.
pub(crate) fn value_words(question: Option<&Question>, value: Option<&Value>, lang: Lang) -> String {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return pick(lang, "не указано", "not given");
    };
    let label_of = |id: &str| {
        let found = question.and_then(|q| q.values.iter().find(|v| v.id == id));
        found.map_or_else(|| id.to_owned(), |v| v.label.get(lang).to_owned())
    };
    match (question.map(|q| q.kind), value) {
        (_, Value::Bool(true)) => pick(lang, "да", "yes"),
        (_, Value::Bool(false)) => pick(lang, "нет", "no"),
        (Some(QuestionType::Money), Value::Number(n)) => format!("{n} ₽"),
        (Some(QuestionType::Text), _) => pick(lang, "любой ответ", "any answer"),
        (_, Value::String(s)) => label_of(s),
        (_, Value::Array(items)) if items.is_empty() => pick(lang, "ничего из списка", "none of the list"),
        (_, Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), label_of))
            .collect::<Vec<_>>()
            .join(", "),
        (_, other) => other.to_string(),
    }
}

/// One part of an outcome: «партнёр «Органы опеки» (незамедлительно)».
fn part_words(rules: &RuleSet, part: &OutcomePart, lang: Lang) -> String {
    let kind = match part.kind {
        OutcomeKind::Category => pick(lang, "категория", "category"),
        OutcomeKind::Criterion => pick(lang, "критерий", "criterion"),
        OutcomeKind::Partner => pick(lang, "партнёр", "partner"),
        OutcomeKind::UrgentService => pick(lang, "срочная услуга", "urgent service"),
        OutcomeKind::Level => pick(lang, "уровень", "level"),
    };
    let label = rules.label_of(&part.id).map_or_else(|| part.id.to_string(), |l| l.get(lang).to_owned());
    let grade = part.grade.and_then(|g| grade_words(part.kind, g, lang));
    match grade {
        Some(grade) => format!("{kind} {} ({grade})", quoted(lang, &label)),
        None => format!("{kind} {}", quoted(lang, &label)),
    }
}

fn grade_words(kind: OutcomeKind, grade: &str, lang: Lang) -> Option<String> {
    let label = match kind {
        OutcomeKind::Criterion => Severity::ALL.into_iter().find(|s| s.id() == grade)?.label(),
        OutcomeKind::Partner => [Urgency::Immediately, Urgency::SameDay, Urgency::Routine]
            .into_iter()
            .find(|u| u.id() == grade)?
            .label(),
        _ => return None,
    };
    Some(label.get(lang).to_owned())
}

/// A level by its label: «уровень «экстренный»».
pub(crate) fn level_words(rules: &RuleSet, id: &str, lang: Lang) -> String {
    let label = rules.label_of(id).map_or_else(|| id.to_owned(), |l| l.get(lang).to_owned());
    format!("{} {}", pick(lang, "уровень", "level"), quoted(lang, &label))
}

/// What an outcome change is: the level, then what comes and what goes.
pub(crate) fn effect_words(
    rules: &RuleSet,
    level: Option<&Text>,
    enters: &[OutcomePart],
    leaves: &[OutcomePart],
    lang: Lang,
) -> String {
    let mut said = Vec::new();
    if let Some(level) = level {
        said.push(level_words(rules, level, lang));
    }
    // A part in both lists changed its grade: said once, old → new.
    let regraded = |p: &OutcomePart| leaves.iter().find(|l| l.kind == p.kind && l.id == p.id);
    let list = |parts: &[&OutcomePart]| {
        parts.iter().map(|p| part_words(rules, p, lang)).collect::<Vec<_>>().join(", ")
    };
    let added: Vec<&OutcomePart> = enters.iter().filter(|p| regraded(p).is_none()).collect();
    let removed: Vec<&OutcomePart> =
        leaves.iter().filter(|l| !enters.iter().any(|p| p.kind == l.kind && p.id == l.id)).collect();
    let changed: Vec<String> = enters
        .iter()
        .filter_map(|p| {
            let before = regraded(p)?;
            let grade = |part: &OutcomePart| {
                part.grade.and_then(|g| grade_words(part.kind, g, lang)).unwrap_or_default()
            };
            let name = part_words(rules, &OutcomePart { grade: None, ..p.clone() }, lang);
            Some(format!("{name}: {} → {}", grade(before), grade(p)))
        })
        .collect();
    if !added.is_empty() {
        said.push(format!("{}: {}", pick(lang, "появится", "adds"), list(&added)));
    }
    if !changed.is_empty() {
        said.push(format!("{}: {}", pick(lang, "изменится", "changes"), changed.join(", ")));
    }
    if !removed.is_empty() {
        said.push(format!("{}: {}", pick(lang, "уйдёт", "removes"), list(&removed)));
    }
    said.join("; ")
}

/// «если «да» — уровень «экстренный»; появится: …», one clause per answer that changes something.
pub(crate) fn open_question_says(rules: &RuleSet, path: &str, answers: &[crate::PossibleAnswer]) -> Labels {
    let question = question_at(&rules.questions, path);
    both(|lang| {
        let clauses = answers.iter().map(|a| {
            let value = value_words(question, Some(&a.value), lang);
            let effect = effect_words(rules, a.level.as_ref(), &a.enters, &a.leaves, lang);
            format!("{} {} — {effect}", pick(lang, "если", "if"), quoted(lang, &value))
        });
        clauses.collect::<Vec<_>>().join(". ")
    })
}

/// The short form a form shows under the question: per answer, the level it would give, or the
/// most far-reaching part it adds or removes («если «да» — уровень «экстренный»»).
pub(crate) fn open_question_brief(rules: &RuleSet, path: &str, answers: &[crate::PossibleAnswer]) -> Labels {
    let question = question_at(&rules.questions, path);
    both(|lang| {
        let clauses = answers.iter().map(|a| {
            let value = value_words(question, Some(&a.value), lang);
            let effect = match &a.level {
                Some(level) => level_words(rules, level, lang),
                None => {
                    let (added, part) = match a.enters.iter().max_by_key(|p| p.kind) {
                        Some(p) => (true, p),
                        None => match a.leaves.iter().max_by_key(|p| p.kind) {
                            Some(p) => (false, p),
                            None => return String::new(),
                        },
                    };
                    let verb = if added {
                        pick(lang, "появится", "adds")
                    } else {
                        pick(lang, "уйдёт", "removes")
                    };
                    format!("{verb} {}", part_words(rules, part, lang))
                }
            };
            format!("{} {} — {effect}", pick(lang, "если", "if"), quoted(lang, &value))
        });
        clauses.filter(|c| !c.is_empty()).collect::<Vec<_>>().join("; ")
    })
}

/// One answer changed: «Занятость (член семьи 1): не работает → работает».
pub(crate) fn change_says(rules: &RuleSet, path: &str, before: Option<&Value>, after: &Value) -> Labels {
    let question = question_at(&rules.questions, path);
    both(|lang| {
        let (from, to) = (value_words(question, before, lang), value_words(question, Some(after), lang));
        format!("{}: {from} → {to}", answer_name(rules, path, lang))
    })
}

/// The goal as the beginning of a sentence: «Чтобы перейти на более низкий уровень, нужно: ».
pub(crate) fn goal_says(rules: &RuleSet, goal: &crate::Goal) -> Labels {
    use crate::Goal;
    let label =
        |id: &str, lang: Lang| rules.label_of(id).map_or_else(|| id.to_owned(), |l| l.get(lang).to_owned());
    both(|lang| match goal {
        Goal::Lower => {
            pick(lang, "Чтобы перейти на более низкий уровень, нужно", "To move to a lower level, it takes")
        }
        Goal::Higher => {
            pick(lang, "Чтобы уровень стал выше, должно быть", "For the level to become higher, it takes")
        }
        Goal::Level { id } => match lang {
            Lang::Ru => format!("Чтобы перейти на уровень «{}», нужно", label(id, lang)),
            Lang::En => format!("To move to the level “{}”, it takes", label(id, lang)),
        },
        Goal::Leave { id } => match lang {
            Lang::Ru => format!("Чтобы «{}» больше не требовалось, нужно", label(id, lang)),
            Lang::En => format!("For “{}” to no longer apply, it takes", label(id, lang)),
        },
        Goal::Enter { id } => match lang {
            Lang::Ru => format!("Чтобы появилось «{}», должно быть", label(id, lang)),
            Lang::En => format!("For “{}” to apply, it takes", label(id, lang)),
        },
    })
}
