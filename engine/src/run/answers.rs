//! Answers against the rule set's questions: every problem with its JSON path (values are never
//! repeated back), and the conversion of valid answers into the values rules see.
//!
//! Semantics, shared with the generated JSON Schema (`schema::answers`):
//! - unknown fields are errors; `null` or an absent field means "not answered";
//! - `integer` accepts whole numbers (also written `2.0`); `number` and `money` any number;
//! - dates are `YYYY-MM-DD` and must exist in the calendar;
//! - `enum_list` holds distinct allowed values;
//! - records may name a `unique` field — the one rule JSON Schema cannot state.

use std::collections::BTreeSet;

use rhai::{Array, Dynamic, Map};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::compiled::shape::Shape;
use crate::dates;
use crate::format::model::{Question, QuestionType};

/// One problem with the answers: where, what kind, and what is expected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct AnswerProblem {
    /// JSON Pointer to the answer (e.g. `/members/1/birth_date`).
    pub path: String,
    /// A stable code: `unknown_field`, `required`, `wrong_type`, `not_allowed`, `out_of_range`,
    /// `bad_date`, `duplicate`, `too_few`, `too_many`, `too_long`; and `no_parameter_value` when
    /// the rule set has no value of a parameter (e.g. the subsistence minimum) on `as_of`.
    pub code: String,
    /// What is expected, in plain words (never the value given).
    pub message: String,
}

/// Checks answers against the questions; returns every problem found.
pub(crate) fn validate(questions: &[Question], shape: &Shape, answers: &Value) -> Vec<AnswerProblem> {
    let mut problems = Vec::new();
    let mut path = Path::default();
    check_object(questions, shape, answers, &mut path, &mut problems);
    problems
}

/// Where in the answers the walk is: keys and indices, turned into a JSON Pointer only when a
/// problem is reported (valid answers format nothing).
#[derive(Default)]
struct Path<'a>(Vec<Seg<'a>>);

#[derive(Clone, Copy)]
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

impl Path<'_> {
    /// The JSON Pointer (`/` for the whole document), keys escaped.
    fn pointer(&self) -> String {
        if self.0.is_empty() {
            return "/".to_owned();
        }
        let mut pointer = String::new();
        for seg in &self.0 {
            pointer.push('/');
            match seg {
                Seg::Key(key) => pointer.push_str(&escape(key)),
                Seg::Index(index) => pointer.push_str(&index.to_string()),
            }
        }
        pointer
    }
}

/// Runs `f` with `segment` appended to the path.
fn within<'a, T>(path: &mut Path<'a>, segment: Seg<'a>, f: impl FnOnce(&mut Path<'a>) -> T) -> T {
    path.0.push(segment);
    let result = f(path);
    path.0.pop();
    result
}

fn problem(problems: &mut Vec<AnswerProblem>, path: &Path<'_>, code: &str, message: impl Into<String>) {
    problems.push(AnswerProblem { path: path.pointer(), code: code.to_owned(), message: message.into() });
}

fn check_object<'a>(
    questions: &'a [Question],
    shape: &Shape,
    value: &'a Value,
    path: &mut Path<'a>,
    problems: &mut Vec<AnswerProblem>,
) {
    let Some(object) = value.as_object() else {
        problem(problems, path, "wrong_type", "must be an object of answers");
        return;
    };
    for (key, answer) in object {
        let Some(&index) = shape.index.get(key.as_str()) else {
            let known: Vec<&str> = questions.iter().map(|q| q.id.as_str()).collect();
            within(path, Seg::Key(key), |child| {
                problem(
                    problems,
                    child,
                    "unknown_field",
                    format!("no such question here; the questions are: {}", known.join(", ")),
                )
            });
            continue;
        };
        let (Some(q), nested) = (questions.get(index), shape.nested.get(index).and_then(Option::as_ref))
        else {
            continue;
        };
        within(path, Seg::Key(&q.id), |child| {
            if !answer.is_null() {
                check_answer(q, nested, answer, child, problems);
            } else if q.required {
                problem(problems, child, "required", "this answer is required");
            }
        });
    }
    for q in questions.iter().filter(|q| q.required && !object.contains_key(&q.id)) {
        within(path, Seg::Key(&q.id), |child| {
            problem(problems, child, "required", "this answer is required")
        });
    }
}

fn check_answer<'a>(
    q: &'a Question,
    shape: Option<&Shape>,
    value: &'a Value,
    path: &mut Path<'a>,
    problems: &mut Vec<AnswerProblem>,
) {
    let empty = Shape::default();
    let shape = shape.unwrap_or(&empty);
    match q.kind {
        QuestionType::Bool if !value.is_boolean() => {
            problem(problems, path, "wrong_type", "must be true or false");
        }
        QuestionType::Integer => match value.as_f64() {
            Some(n) if n.fract() == 0.0 => check_range(q, n, path, problems),
            _ => problem(problems, path, "wrong_type", "must be a whole number"),
        },
        QuestionType::Number | QuestionType::Money => match value.as_f64() {
            Some(n) => check_range(q, n, path, problems),
            None => problem(problems, path, "wrong_type", "must be a number"),
        },
        QuestionType::Date => match value.as_str() {
            Some(text) if dates::parse(text).is_some() => {}
            _ => problem(problems, path, "bad_date", "must be a date written YYYY-MM-DD"),
        },
        QuestionType::Text => match value.as_str() {
            Some(text) => {
                if let Some(max) = q.max_length {
                    if text.chars().count() > max as usize {
                        problem(problems, path, "too_long", format!("must be at most {max} characters"));
                    }
                }
            }
            None => problem(problems, path, "wrong_type", "must be text"),
        },
        QuestionType::Enum => match value.as_str() {
            Some(text) if allowed(q, text) => {}
            _ => problem(problems, path, "not_allowed", format!("must be one of: {}", values_of(q))),
        },
        QuestionType::EnumList => match value.as_array() {
            Some(items) => {
                let mut seen = BTreeSet::new();
                for (index, item) in items.iter().enumerate() {
                    match item.as_str() {
                        Some(text) if allowed(q, text) => {
                            if !seen.insert(text) {
                                within(path, Seg::Index(index), |p| {
                                    problem(problems, p, "duplicate", "each value may appear once")
                                });
                            }
                        }
                        _ => within(path, Seg::Index(index), |p| {
                            problem(problems, p, "not_allowed", format!("must be one of: {}", values_of(q)))
                        }),
                    }
                }
            }
            None => problem(problems, path, "wrong_type", "must be a list"),
        },
        QuestionType::Section => check_object(&q.questions, shape, value, path, problems),
        QuestionType::Records => check_records(q, shape, value, path, problems),
        QuestionType::Bool => {}
    }
}

fn check_records<'a>(
    q: &'a Question,
    shape: &Shape,
    value: &'a Value,
    path: &mut Path<'a>,
    problems: &mut Vec<AnswerProblem>,
) {
    let Some(records) = value.as_array() else {
        problem(problems, path, "wrong_type", "must be a list of records");
        return;
    };
    if let Some(min) = q.min_items {
        if records.len() < min as usize {
            problem(problems, path, "too_few", format!("needs at least {min} record(s)"));
        }
    }
    if let Some(max) = q.max_items {
        if records.len() > max as usize {
            problem(problems, path, "too_many", format!("holds at most {max} records"));
        }
    }
    let mut seen = BTreeSet::new();
    for (index, record) in records.iter().enumerate() {
        within(path, Seg::Index(index), |record_path| {
            check_object(&q.questions, shape, record, record_path, problems);
            let Some(unique) = &q.unique else { return };
            // A key of the wrong type is reported as such; uniqueness is about text keys.
            let Some(key) = record.get(unique).and_then(Value::as_str) else { return };
            if !seen.insert(key) {
                within(record_path, Seg::Key(unique), |p| {
                    problem(
                        problems,
                        p,
                        "duplicate",
                        format!("`{unique}` must differ from every other record's"),
                    )
                });
            }
        });
    }
}

fn check_range(q: &Question, n: f64, path: &Path<'_>, problems: &mut Vec<AnswerProblem>) {
    let below = q.min.is_some_and(|min| n < min);
    let above = q.max.is_some_and(|max| n > max);
    if below || above {
        let range = match (q.min, q.max) {
            (Some(min), Some(max)) => format!("from {min} to {max}"),
            (Some(min), None) => format!("at least {min}"),
            (None, Some(max)) => format!("at most {max}"),
            (None, None) => String::new(),
        };
        problem(problems, path, "out_of_range", format!("must be {range}"));
    }
}

fn allowed(q: &Question, text: &str) -> bool {
    q.values.iter().any(|v| v.id == text)
}

fn values_of(q: &Question) -> String {
    q.values.iter().map(|v| v.id.as_str()).collect::<Vec<_>>().join(", ")
}

/// JSON Pointer escaping of one key.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Valid answers as the values rules see: numbers as floats, integers as ints, dates and enums
/// as strings; an unanswered section reads as an empty map and an unanswered list as empty.
pub(crate) fn to_dynamic(q: &Question, value: Option<&Value>) -> Option<Dynamic> {
    let value = value.filter(|v| !v.is_null());
    Some(match q.kind {
        QuestionType::Section => {
            let object = value.and_then(Value::as_object);
            Dynamic::from_map(section_map(&q.questions, object))
        }
        QuestionType::Records => {
            let items = value.and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            let records: Array = items
                .iter()
                .map(|record| Dynamic::from_map(section_map(&q.questions, record.as_object())))
                .collect();
            Dynamic::from_array(records)
        }
        QuestionType::EnumList => {
            let items = value.and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            Dynamic::from_array(
                items.iter().filter_map(Value::as_str).map(|s| Dynamic::from(s.to_owned())).collect(),
            )
        }
        QuestionType::Bool => Dynamic::from_bool(value?.as_bool()?),
        QuestionType::Integer => Dynamic::from_int(value?.as_f64()? as i64),
        QuestionType::Number | QuestionType::Money => Dynamic::from_float(value?.as_f64()?),
        QuestionType::Date | QuestionType::Text | QuestionType::Enum => {
            Dynamic::from(value?.as_str()?.to_owned())
        }
    })
}

fn section_map(questions: &[Question], object: Option<&serde_json::Map<String, Value>>) -> Map {
    let mut map = Map::new();
    for q in questions {
        if let Some(value) = to_dynamic(q, object.and_then(|o| o.get(&q.id))) {
            map.insert(q.id.as_str().into(), value);
        }
    }
    map
}

/// A member record as Rhai sees it (see [`to_dynamic`]).
pub(crate) fn record_map(members: Option<&Question>, record: &Value) -> Map {
    section_map(members.map(|q| q.questions.as_slice()).unwrap_or_default(), record.as_object())
}

/// Whether an answer is given at a path of keys (`null` counts as not given).
pub(crate) fn is_answered(answers: &Value, keys: &[String]) -> bool {
    let mut value = answers;
    for key in keys {
        match value.get(key) {
            Some(next) => value = next,
            None => return false,
        }
    }
    !value.is_null()
}
