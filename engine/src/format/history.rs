//! A family's history: its assessments over time (monthly updates of the social passport, seed
//! 001; re-assessments at each review), what changed from one to the next, the reviews kept or
//! missed and the control due after accompaniment ends. Built by [`crate::history`].

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::format::assessment::RuleSetRef;
use crate::format::programme::ResponsibleContact;
use crate::format::vocab::{Basis, Labels, Text};

/// The history of one family up to a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct History {
    /// The date the history is read on (reviews and checks before it are due).
    pub on: String,
    /// The assessments in date order, each with what changed since the one before.
    pub timeline: Vec<Snapshot>,
    /// Each assessment's review date and whether a re-assessment came by it.
    pub reviews: Vec<Review>,
    /// The control after accompaniment ended, where the last assessment ended it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_accompaniment: Option<PostAccompanimentChecks>,
    /// The dates of assessments given that are later than `on`, left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<String>,
}

/// One assessment of the family and how it differs from the one before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Snapshot {
    /// Its date.
    pub as_of: String,
    /// The rule set (version in force on that date) that assessed it.
    pub ruleset: RuleSetRef,
    /// The support level.
    pub level: Named,
    /// The level of the assessment before, where it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level_before: Option<Named>,
    /// Whether the family is accompanied at this level (by the rule set's post-accompaniment
    /// control; unknown where the rule set declares none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accompanied: Option<bool>,
    /// When the level is to be reviewed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_on: Option<String>,
    /// Need criteria: new, continued and resolved since the assessment before.
    pub criteria: Changes,
    /// Programme items: new, continued and closed; absent where this assessment or the one
    /// before has no programme (a version without activities).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programme: Option<Changes>,
}

/// An id with its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Named {
    /// Id.
    pub id: Text,
    /// A label for people.
    pub label: Labels,
}

/// What one assessment has that the one before had not, and the reverse.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Changes {
    /// In this assessment, not in the one before (all, for the first).
    pub new: Vec<Named>,
    /// In both.
    pub continued: Vec<Named>,
    /// In the one before, no longer in this one (resolved criteria, closed items).
    pub closed: Vec<Named>,
}

/// A review date and how it was kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Review {
    /// The assessment that set it.
    pub set_by: String,
    /// The review date.
    pub review_on: String,
    /// How it stands.
    pub status: ReviewStatus,
    /// The re-assessment that kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_on: Option<String>,
    /// Days past the review date: of the late re-assessment, or until `on` when overdue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_late: Option<i64>,
}

/// How a review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    /// Re-assessed on or before the review date.
    OnTime,
    /// Re-assessed after the review date.
    Late,
    /// The review date has passed with no newer assessment.
    Overdue,
    /// The review date is still ahead.
    Upcoming,
}

/// The checks after accompaniment ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PostAccompanimentChecks {
    /// The assessment that ended accompaniment.
    pub since: String,
    /// What is done.
    pub label: Labels,
    /// How often, in words.
    pub every: Labels,
    /// Who carries out the checks, with contacts.
    pub responsible: ResponsibleContact,
    /// The checks from the end of accompaniment: those due up to `on`, and the next one.
    pub checks: Vec<Check>,
    /// The list stops at its limit (a plan without `during`, read long after).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// Legal basis.
    pub basis: Arc<[Basis]>,
}

/// One post-accompaniment check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Check {
    /// When it is due.
    pub due: String,
    /// How it stands.
    pub status: CheckStatus,
    /// The assessment credited with it: the first after the check before (late, if after its
    /// date but before the next check's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_on: Option<String>,
    /// Days past its date: of the late visit, or until `on` when overdue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_late: Option<i64>,
}

/// How a post-accompaniment check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// An assessment was made in its window.
    Done,
    /// An assessment was made after its date, before the next check was due.
    DoneLate,
    /// Its date has passed without one.
    Overdue,
    /// Still ahead.
    Upcoming,
}
