//! Answers against the rule set's questions, read in one pass (`read`): every problem with its
//! JSON path (values are never repeated back), and the answers as a typed tree laid out like
//! the questions, from which the values rules see are taken.
//!
//! Semantics, shared with the generated JSON Schema (`schema::answers`):
//! - unknown fields are errors; `null` or an absent field means "not answered";
//! - `integer` accepts whole numbers (also written `2.0`); `number` and `money` any number;
//! - dates are `YYYY-MM-DD` and must exist in the calendar;
//! - `enum_list` holds distinct allowed values;
//! - records may name a `unique` field — the one rule JSON Schema cannot state.

mod peek;
mod plain;
mod read;

use std::borrow::Cow;

use rhai::{Array, Dynamic, Map};
use schemars::JsonSchema;
use serde::Serialize;

use crate::compiled::shape::Shape;
use crate::format::model::{Question, QuestionType};

pub use peek::{peek_strings, BadJson, Found};
pub(crate) use read::{read, read_json, ReadAnswers};

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

/// One answer as read against its question. Text borrows from the JSON where it can.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Answer<'de> {
    /// No such key in the answers.
    Absent,
    /// `null`: not answered.
    Null,
    Bool(bool),
    /// Any number (an `integer` question's whole numbers too).
    Number(f64),
    /// A date, text or enum value (kept even when it is not valid, e.g. for `unique`).
    Text(Cow<'de, str>),
    /// The allowed values of an `enum_list`, in order.
    List(Vec<Cow<'de, str>>),
    /// A section or a record: one answer per question, in the questions' order.
    Fields(Vec<Answer<'de>>),
    /// The records of a `records` question (each `Fields`, or `Other`).
    Records(Vec<Answer<'de>>),
    /// A value of the wrong type (a problem says so).
    Other,
}

impl<'de> Answer<'de> {
    /// Whether an answer is given (neither absent nor `null`).
    pub fn is_given(&self) -> bool {
        !matches!(self, Answer::Absent | Answer::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Answer::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The fields of a section or record (none for anything else).
    pub fn fields(&self) -> &[Answer<'de>] {
        match self {
            Answer::Fields(fields) => fields,
            _ => &[],
        }
    }

    /// The records of a `records` answer (none for anything else).
    pub fn records(&self) -> &[Answer<'de>] {
        match self {
            Answer::Records(records) => records,
            _ => &[],
        }
    }
}

/// The answer at a path of question ids (record indices as numbers), if there is one; the
/// ids are looked up in the questions' index (`Shape`).
pub(crate) fn answer_at<'t, 'de, K: AsRef<str>>(
    shape: &Shape,
    top: &'t [Answer<'de>],
    keys: &[K],
) -> Option<&'t Answer<'de>> {
    let (mut shape, mut fields) = (shape, top);
    let mut answer = None;
    let mut keys = keys.iter().map(AsRef::as_ref).peekable();
    while let Some(key) = keys.next() {
        let index = *shape.index.get(key)?;
        let mut here = fields.get(index)?;
        if let Answer::Records(records) = here {
            if keys.peek().is_some() {
                here = records.get(keys.next()?.parse::<usize>().ok()?)?;
            }
        }
        answer = Some(here);
        (shape, fields) = (shape.nested.get(index)?, here.fields());
    }
    answer
}

/// The answer at a JSON Pointer (`/consent/partners`), if there is one.
pub(crate) fn answer_at_pointer<'t, 'de>(
    shape: &Shape,
    top: &'t [Answer<'de>],
    pointer: &str,
) -> Option<&'t Answer<'de>> {
    let keys: Vec<String> =
        pointer.split('/').skip(1).map(|key| key.replace("~1", "/").replace("~0", "~")).collect();
    answer_at(shape, top, &keys)
}

/// Whether an answer is given at a path of keys (`null` counts as not given).
pub(crate) fn is_answered(shape: &Shape, top: &[Answer<'_>], keys: &[String]) -> bool {
    answer_at(shape, top, keys).is_some_and(Answer::is_given)
}

/// Valid answers as the values rules see: numbers as floats, integers as ints, dates and enums
/// as strings; an unanswered section reads as an empty map and an unanswered list as empty.
pub(crate) fn to_dynamic(q: &Question, answer: &Answer<'_>) -> Option<Dynamic> {
    Some(match (q.kind, answer) {
        (QuestionType::Section, answer) => Dynamic::from_map(section_map(&q.questions, answer.fields())),
        (QuestionType::Records, answer) => {
            let records: Array = answer
                .records()
                .iter()
                .map(|record| Dynamic::from_map(section_map(&q.questions, record.fields())))
                .collect();
            Dynamic::from_array(records)
        }
        (QuestionType::EnumList, Answer::List(items)) => {
            Dynamic::from_array(items.iter().map(|s| Dynamic::from(s.to_string())).collect())
        }
        (QuestionType::EnumList, _) => Dynamic::from_array(Array::new()),
        (QuestionType::Bool, Answer::Bool(b)) => Dynamic::from_bool(*b),
        (QuestionType::Integer, Answer::Number(n)) => Dynamic::from_int(*n as i64),
        (QuestionType::Number | QuestionType::Money, Answer::Number(n)) => Dynamic::from_float(*n),
        (QuestionType::Date | QuestionType::Text | QuestionType::Enum, Answer::Text(text)) => {
            Dynamic::from(text.to_string())
        }
        _ => return None,
    })
}

fn section_map(questions: &[Question], fields: &[Answer<'_>]) -> Map {
    let mut map = Map::new();
    for (index, q) in questions.iter().enumerate() {
        if let Some(value) = to_dynamic(q, fields.get(index).unwrap_or(&Answer::Absent)) {
            map.insert(q.id.as_str().into(), value);
        }
    }
    map
}

/// A member record as Rhai sees it (see [`to_dynamic`]).
pub(crate) fn record_map(members: Option<&Question>, record: &Answer<'_>) -> Map {
    section_map(members.map(|q| q.questions.as_slice()).unwrap_or_default(), record.fields())
}
