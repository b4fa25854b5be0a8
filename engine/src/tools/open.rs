//! Which unanswered questions still matter: a question is *open* only if some value it may take,
//! with the other answers as given, changes the level, a category, a criterion (or its
//! severity), an urgent service or a partner (or its urgency). Each open question says what it
//! could change and to what.
//!
//! The values tried come from the rules and the questions: both booleans, every enum value (for
//! a list, each value alone and none), for numbers the thresholds the rules compare them with
//! (just below, at, just above: money to the kopeck, whole numbers by one) and zero, for birth
//! dates the ages the rules compare (one year under, at, one over, on `as_of`); for money the
//! rules compute with (sums, per-capita income against the subsistence minimum) also the sums just
//! below and at each point where the outcome changes (`tools::breakpoints`). Only questions the
//! rules read and that apply to the family are tried (the assessment's `missing`), each alone.

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::compiled::RuleSet;
use crate::format::assessment::{Assessment, Explain};
use crate::format::model::{Question, QuestionType};
use crate::format::vocab::{Labels, Text};
use crate::run::error::AssessError;
use crate::tools::breakpoints::money_values;
use crate::tools::relevance::{clean, renumber, Cleaned};
use crate::tools::thresholds::{thresholds, Thresholds};

/// What an answer can move, the least first: an open question is ranked by the highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// A family category.
    Category,
    /// A need criterion, or its severity.
    Criterion,
    /// An interagency partner, or its urgency.
    Partner,
    /// An urgent social service.
    UrgentService,
    /// The support level.
    Level,
}

/// One part of an outcome: a category, criterion, service or partner, with its severity or
/// urgency where it has one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
pub struct OutcomePart {
    /// What kind of part.
    pub kind: OutcomeKind,
    /// Its id in the rule set.
    pub id: Text,
    /// Its severity (criteria) or urgency (partners).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<&'static str>,
}

/// An answer an open question may take and what the assessment would become with it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PossibleAnswer {
    /// The value (taken from the rules and questions, never from the family's answers).
    pub value: Value,
    /// The support level it would give, when that differs from today's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<Text>,
    /// What would be added (a criterion at another severity is left and entered).
    pub enters: Vec<OutcomePart>,
    /// What would no longer be.
    pub leaves: Vec<OutcomePart>,
}

/// An unanswered question whose answer could change the outcome.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct OpenQuestion {
    /// Its JSON Pointer (members numbered as in the form).
    pub path: Text,
    /// The question's name, with the member's number where it is a member's («Занятость (член
    /// семьи 2)»).
    pub question: Labels,
    /// The highest part of the outcome it can move.
    pub moves: OutcomeKind,
    /// The answers that change the outcome, one per distinct change, the most far-reaching
    /// first.
    pub answers: Vec<PossibleAnswer>,
    /// What it could change and to what, in words («если «да» — уровень «экстренный»;
    /// появится: …»).
    pub says: Labels,
    /// The same in short, for under the question: per answer the level, or the most
    /// far-reaching part it adds or removes.
    pub brief: Labels,
}

/// The open questions of partial answers, those that can move the level first
/// (see [`RuleSet::open_questions`]).
pub(crate) fn open_questions(rules: &RuleSet, partial: &Value) -> Result<Vec<OpenQuestion>, AssessError> {
    let cleaned = clean(rules, partial);
    let base = crate::run::assess(rules, &cleaned.answers, Explain { missing: true, ..Explain::BRIEF })?;
    Ok(open_questions_of(rules, &cleaned, &base))
}

/// The level and the parts of the outcome an answer gives.
type Reached = (Text, BTreeSet<OutcomePart>);

/// The open questions of answers made fit (`clean`), given their assessment with `missing`.
pub(crate) fn open_questions_of(rules: &RuleSet, cleaned: &Cleaned, base: &Assessment) -> Vec<OpenQuestion> {
    let Cleaned { answers, incomplete_members, .. } = cleaned;
    let base_parts = parts(base);
    let found = &thresholds(rules);
    let as_of = answers.get("as_of").and_then(Value::as_str).unwrap_or_default().to_owned();
    let mut open = Vec::new();
    for path in &base.missing {
        let Some(question) = question_at(&rules.questions, path) else { continue };
        let mut possible: Vec<PossibleAnswer> = Vec::new();
        // One copy per question: each value tried overwrites the one before at the same path.
        let mut changed = answers.clone();
        // An answer the rules cannot assess (e.g. one that makes a rule fail) moves nothing that
        // can be said: `None`.
        let mut outcome_of = |value: &Value| {
            if !set(&mut changed, path, value.clone()) {
                return None;
            }
            let after = crate::run::assess(rules, &changed, Explain::OUTCOME).ok()?;
            Some((after.level.id.clone(), parts(&after)))
        };
        let mut tried: Vec<(Value, Option<Reached>)> = Vec::new();
        let dotted = dotted(path);
        let values = candidates(question, &dotted, found, &as_of);
        // Money the rules compute with: the thresholds they build from parameters and other
        // answers as well, found by probing; the outcomes probed are kept, not assessed again.
        let probe = found.computed.contains(&dotted);
        let more = money_values(question, &values, probe, |value| {
            let after = outcome_of(value);
            tried.push((value.clone(), after.clone()));
            after
        });
        for value in values.into_iter().chain(more) {
            let after = match tried.iter().find(|(v, _)| *v == value) {
                Some((_, after)) => after.clone(),
                None => outcome_of(&value),
            };
            let Some((after_level, after_parts)) = after else { continue };
            let level = (after_level != base.level.id).then_some(after_level);
            let (enters, leaves) = entered_and_left(&base_parts, &after_parts);
            let answer = PossibleAnswer { value, level, enters, leaves };
            let is_new = possible
                .iter()
                .all(|p| (&p.level, &p.enters, &p.leaves) != (&answer.level, &answer.enters, &answer.leaves));
            if (answer.level.is_some() || !answer.enters.is_empty() || !answer.leaves.is_empty()) && is_new {
                possible.push(answer);
            }
        }
        possible.sort_by_key(|p| std::cmp::Reverse(reach(p)));
        if let Some(moves) = possible.first().map(reach) {
            let says = crate::tools::phrasing::open_question_says(rules, path, &possible);
            let brief = crate::tools::phrasing::open_question_brief(rules, path, &possible);
            let path = renumber(path, incomplete_members);
            let question = crate::tools::phrasing::answer_names(rules, &path);
            open.push(OpenQuestion { path, question, moves, answers: possible, says, brief });
        }
    }
    // Stable: questions that move the same kind keep the order of the questions.
    open.sort_by_key(|q| std::cmp::Reverse(q.moves));
    open
}

/// The highest part of the outcome an answer moves.
fn reach(answer: &PossibleAnswer) -> OutcomeKind {
    let parts = answer.enters.iter().chain(&answer.leaves).map(|p| p.kind).max();
    if answer.level.is_some() {
        OutcomeKind::Level
    } else {
        parts.unwrap_or(OutcomeKind::Category)
    }
}

/// The parts of an assessment's outcome that an answer can move (the level aside).
pub(crate) fn parts(assessment: &Assessment) -> BTreeSet<OutcomePart> {
    let mut out = BTreeSet::new();
    for c in &assessment.categories {
        out.insert(OutcomePart { kind: OutcomeKind::Category, id: c.id.clone(), grade: None });
    }
    for c in &assessment.criteria {
        out.insert(OutcomePart {
            kind: OutcomeKind::Criterion,
            id: c.id.clone(),
            grade: Some(c.severity.id()),
        });
    }
    for s in &assessment.urgent_services {
        out.insert(OutcomePart { kind: OutcomeKind::UrgentService, id: s.id.clone(), grade: None });
    }
    for p in &assessment.partners {
        out.insert(OutcomePart { kind: OutcomeKind::Partner, id: p.id.clone(), grade: Some(p.urgency.id()) });
    }
    out
}

/// What is in `after` and not in `before`, and the other way round.
pub(crate) fn entered_and_left(
    before: &BTreeSet<OutcomePart>,
    after: &BTreeSet<OutcomePart>,
) -> (Vec<OutcomePart>, Vec<OutcomePart>) {
    (after.difference(before).cloned().collect(), before.difference(after).cloned().collect())
}

/// The question a JSON Pointer answers (sections and records looked into, record indices
/// skipped); `None` for a section or a list of records itself.
pub(crate) fn question_at<'q>(questions: &'q [Question], path: &str) -> Option<&'q Question> {
    let mut level = questions;
    let mut segments = path.strip_prefix('/')?.split('/').peekable();
    while let Some(segment) = segments.next() {
        let question = level.iter().find(|q| q.id == segment)?;
        match question.kind {
            QuestionType::Section => level = &question.questions,
            QuestionType::Records => {
                segments.next()?; // the record's index
                level = &question.questions;
            }
            _ => return segments.peek().is_none().then_some(question),
        }
    }
    None
}

/// `members.birth_date` for `/members/0/birth_date`: how thresholds name an answer.
fn dotted(path: &str) -> String {
    let segments = path.trim_start_matches('/').split('/');
    segments.filter(|s| s.parse::<usize>().is_err()).collect::<Vec<_>>().join(".")
}

/// Ages tried for a birth date the rules compare no age of (for instance through an expression
/// outside the native subset): the ages of childhood, schooling, majority and retirement.
const DEFAULT_AGES: [f64; 9] = [0.0, 3.0, 7.0, 14.0, 16.0, 18.0, 23.0, 55.0, 60.0];

/// The values to try for one question.
pub(crate) fn candidates(question: &Question, dotted: &str, found: &Thresholds, as_of: &str) -> Vec<Value> {
    let enum_ids = || question.values.iter().map(|v| Value::from(v.id.as_str()));
    match question.kind {
        QuestionType::Bool => vec![Value::Bool(true), Value::Bool(false)],
        QuestionType::Enum => enum_ids().collect(),
        QuestionType::EnumList => {
            let mut lists: Vec<Value> = enum_ids().map(|id| Value::Array(vec![id])).collect();
            lists.push(Value::Array(Vec::new()));
            lists
        }
        QuestionType::Integer | QuestionType::Number | QuestionType::Money => {
            numbers(question, dotted, found)
        }
        QuestionType::Date => {
            let ages = found.ages.get(dotted).map_or(&DEFAULT_AGES[..], Vec::as_slice);
            let mut tried = BTreeSet::new();
            for age in ages.iter().flat_map(|a| [a - 1.0, *a, a + 1.0]).filter(|a| *a >= 0.0) {
                tried.insert(age as i64);
            }
            let dates = tried.into_iter().filter_map(|age| crate::dates::born_years_before(as_of, age));
            dates.map(Value::from).collect()
        }
        QuestionType::Text => vec![Value::from("…")],
        QuestionType::Section | QuestionType::Records => Vec::new(),
    }
}

/// Zero and each threshold with the values just below and just above it, within the
/// question's bounds.
fn numbers(question: &Question, dotted: &str, found: &Thresholds) -> Vec<Value> {
    let step = |t: f64| match question.kind {
        QuestionType::Integer => 1.0,
        QuestionType::Money => 0.01,
        _ if t.fract() == 0.0 => 1.0,
        _ => 0.01,
    };
    let limits = found.values.get(dotted).map_or(&[][..], Vec::as_slice);
    let mut tried: Vec<f64> = vec![0.0];
    for t in limits {
        tried.extend([t - step(*t), *t, t + step(*t)]);
    }
    let (min, max) = (question.min.unwrap_or(f64::MIN), question.max.unwrap_or(f64::MAX));
    let mut values: Vec<f64> = tried
        .into_iter()
        .map(|x| (x * 100.0).round() / 100.0)
        .filter(|x| *x >= min && *x <= max)
        .filter(|x| question.kind != QuestionType::Integer || x.fract() == 0.0)
        .collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    values.into_iter().map(number).collect()
}

/// A whole number as an integer in JSON, others as they are.
pub(crate) fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        Value::from(x as i64)
    } else {
        Value::from(x)
    }
}

/// Sets the answer at a JSON Pointer, making the sections on the way; `false` where the path
/// leads through something that is not a section or an existing record.
pub(crate) fn set(answers: &mut Value, path: &str, value: Value) -> bool {
    let Some(rest) = path.strip_prefix('/') else { return false };
    let mut at = answers;
    let mut segments = rest.split('/').peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        at = match at {
            Value::Object(map) if last => {
                map.insert(segment.to_owned(), value);
                return true;
            }
            Value::Object(map) => map.entry(segment).or_insert_with(|| Value::Object(Map::new())),
            Value::Array(items) => match segment.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                Some(item) if last => {
                    *item = value;
                    return true;
                }
                Some(item) => item,
                None => return false,
            },
            _ => return false,
        };
    }
    false
}
