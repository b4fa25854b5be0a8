//! The sample profile of a rule set (`sample.yaml`, beside its versions): how often answers
//! occur in a synthetic registry (`sopro gen`). It never changes an assessment and is no part
//! of a version's files or digest; the generator (`tools::generate`) works without one.
//!
//! Answers are named by their path with dots (`case.source_of_signal`, `members.role`). A hint
//! the questions do not bear out (an unknown question, an enum value it does not have) is
//! reported as a warning and left out: generated answers always fit the questions.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How often answers occur, for the synthetic generator.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SampleProfile {
    /// The probability that an optional question that applies is answered, unless its hint
    /// says otherwise (default 0.95).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<f64>,
    /// Hints by answer path (`questionnaire.family_conflict`; `members.role` for every record).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub answers: BTreeMap<String, Hint>,
    /// Records questions (`members`) built as groups of records, in order: the first group's
    /// records come first.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub records: BTreeMap<String, Vec<RecordGroup>>,
}

/// A group of records of one kind (the parents, the children).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordGroup {
    /// How many records the group has, with weights (`{1: 35, 2: 65}`).
    pub count: BTreeMap<u32, f64>,
    /// Hints for the fields of its records, by field id (over those of `answers`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, Hint>,
}

/// How one answer is drawn. Only the parts that fit the question's type are used.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hint {
    /// The probability that the question, optional and applying, is answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<f64>,
    /// Weights of enum values (values left out are never drawn).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub weights: BTreeMap<String, f64>,
    /// The probability of `true` (yes/no), or of each value being chosen (enum lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p: Option<f64>,
    /// The least and greatest value of a number (integer, number, money).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<[f64; 2]>,
    /// How the range is spread: `least + u^skew × (greatest − least)`, `u` uniform; above 1
    /// small values are likelier (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skew: Option<f64>,
    /// The probability of exactly 0 (a number), before the range is drawn from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zero: Option<f64>,
    /// A date as an age: full years on the assessment date, least and greatest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<[u32; 2]>,
    /// A text by pattern: `{n}` the family's number, `{k}` the record's number in its group,
    /// `{year}` the year of the assessment date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}
