//! # sopro-engine
//!
//! A rules-driven needs-assessment engine for social services to families with children.
//! A rule set (YAML + Rhai, see `rules/README.md`) is loaded, checked and compiled once into a
//! [`RuleSet`]; [`RuleSet::assess`] then turns one family's answers into an [`Assessment`]: the
//! support level, categories, need criteria, urgent services, partners and deadlines, each with
//! the rules, answers and legal basis behind it.
//!
//! The engine does no I/O and never reads the clock: rule files arrive through a
//! [`RuleSource`], answers as JSON values, and the assessment date is the answers' `as_of`.
//!
//! ```
//! use sopro_engine::{MemorySource, RuleSet};
//! let mut files = MemorySource::new();
//! files.insert("ruleset.yaml", "ruleset: {id: demo, version: '1', title: {ru: Демо, en: Demo},\n  in_force: {from: 2026-01-01}}\n");
//! files.insert("rules.yaml", r#"
//! questions:
//!   - {id: as_of, type: date, required: true, label: {ru: Дата, en: Date}}
//!   - {id: members, type: records, label: {ru: Члены семьи, en: Members}, questions: [
//!       {id: id, type: text, required: true, label: {ru: Код, en: Id}}]}
//!   - {id: answers, type: section, label: {ru: Анкета, en: Questionnaire}, questions: [
//!       {id: no_food, type: bool, label: {ru: Нет еды, en: No food}}]}
//! criteria:
//!   - {id: hunger, label: {ru: Голод, en: Hunger}, severity: critical,
//!      when: answers.no_food == true, basis: [{act: demo, status: inferred}]}
//! levels:
//!   - {id: urgent, label: {ru: Срочно, en: Urgent}, if_any: [{severity: critical}], basis: []}
//!   - {id: none, label: {ru: Нет, en: None}, otherwise: true, basis: []}
//! "#);
//! let loaded = RuleSet::load(&files);
//! let rules = loaded.ruleset.expect("the demo rule set compiles");
//! let answers = serde_json::json!({"as_of": "2026-03-10", "members": [{"id": "m1"}], "answers": {"no_food": true}});
//! let assessment = rules.assess(&answers).expect("valid answers");
//! assert_eq!(&*assessment.level.id, "urgent");
//! assert_eq!(&*assessment.criteria[0].reads[0], "/answers/no_food");
//! ```

mod api;
mod compile;
mod compiled;
mod dates;
mod diagnostic;
pub mod format;
mod load;
mod run;
mod sandbox;
mod tools;

/// A family's history across re-assessments ([`history()`]).
pub use format::history;
pub use format::history::History;
/// The rule format (kept at its old path for users of the crate).
pub use format::model;
pub use format::programme;

pub use api::BundleError;
pub use compile::Loaded;
pub use compiled::RuleSet;
pub use diagnostic::{Code as DiagnosticCode, Diagnostic, Level as DiagnosticLevel};
pub use format::assessment::*;
pub use format::envelope::{self, ErrorKind};
pub use format::overlay::{DisabledItem, Effective, EffectiveItem, Extends, ItemKind, Layer, LayerKind};
pub use format::sample::{Hint, RecordGroup, SampleProfile};
pub use format::vocab::{Basis, BasisStatus, Labels, Lang, Severity, Text, Urgency};
pub use load::layers::{extends_of, BASE_DIR};
pub use load::prepared::Prepared;
pub use load::source::{
    Bundle, MemorySource, RuleSource, BUNDLE_FORMAT, BUNDLE_FORMATS_READ, MAX_RULE_FILE_SIZE,
};
pub use run::answers::{peek_strings, AnswerProblem, BadJson, Found};
pub use run::error::AssessError;
pub use tools::compare::{compare, ActCount, ChangeCount, ChangedFamily, Comparison, Transition};
pub use tools::csv_rows::{csv_families, CsvColumns};
pub use tools::diff::{change_kind_label, diff, Change, ChangeKey, ChangeSign, DiffSummary, FamilyDiff};
pub use tools::document::{escape_html, programme_sheet, ProgrammeSheet};
pub use tools::generate::{parse_sample, Generator, SAMPLE_FILE};
pub use tools::history::{history, HistoryError};
pub use tools::library::{
    check_base_publication, parse_published, Drafts, PublicationError, PublishedVersion, RuleLibrary,
};
pub use tools::open::{OpenQuestion, OutcomeKind, OutcomePart, PossibleAnswer};
pub use tools::relevance::Relevance;
pub use tools::schema::{
    answers_schema, api_schema, api_types, assessment_schema, ruleset_schema, sample_schema, test_file_schema,
};
pub use tools::testing::{test_case_of, CaseOutcome, Coverage, TestReport};
pub use tools::whatif::{AnswerChange, ChangeSet, Goal, WhatWouldChange};

/// The JSON Pointer of the case id in the answers: what identifies a family across snapshots,
/// in error rows and on the programme's document (never any other answer).
pub const CASE_ID: &str = "/case/id";

/// The case id of a family's answers, if they give one.
pub fn case_id(answers: &serde_json::Value) -> Option<&str> {
    answers.pointer(CASE_ID).and_then(serde_json::Value::as_str)
}

/// Calendar days from one `YYYY-MM-DD` date to another (negative if `to` is earlier); `None`
/// if either is not a date. The engine's own day count, for callers that lay dates out.
pub fn days_between(from: &str, to: &str) -> Option<i64> {
    dates::days_between(from, to)
}

/// The Rhai operations spent on this thread by the last assessment (or check of a function
/// file) it ran, stopped or not: 0 when every rule ran natively. It measures the work of rules
/// in a unit no machine changes, for profiling a rule set and for tests that bound it.
pub fn rhai_operations_spent() -> u64 {
    sandbox::budget::spent()
}
