//! The assessment: what Sopro recommends for one family, and why. Its JSON Schema is generated
//! from these types (`sopro schema assessment`) and committed under `rules/schema/`.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::format::vocab::{Basis, Labels, Severity, Text, Urgency};

/// What an assessment explains besides its findings, their reasons (`because`, `reasons`),
/// labels and basis, which it gives unless told otherwise: the caller asks only for what it shows (a registry
/// run written as CSV needs neither). Asking for less never changes a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Explain {
    /// The answers each category, criterion and service read (`reads`); empty otherwise.
    pub reads: bool,
    /// The unanswered questions the rules read (`missing`); empty otherwise.
    pub missing: bool,
    /// Only what searches over many changed answers compare (open questions, what would
    /// change): the level, categories, criteria, urgent services and partners, without their
    /// `because` lists, the members their reasons name, review dates, consultations, deadlines
    /// or parameters. Not for showing anyone.
    pub(crate) outcome_only: bool,
}

impl Explain {
    /// Everything: [`crate::RuleSet::assess`].
    pub const ALL: Explain = Explain { reads: true, missing: true, outcome_only: false };
    /// Neither reads nor missing: [`crate::RuleSet::assess_brief`].
    pub const BRIEF: Explain = Explain { reads: false, missing: false, outcome_only: false };
    /// The outcome alone, for comparing outcomes many times over (see `outcome_only`).
    pub(crate) const OUTCOME: Explain = Explain { reads: false, missing: false, outcome_only: true };
}

/// One family's assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Assessment {
    /// The rule set that produced it.
    pub ruleset: RuleSetRef,
    /// The engine's version.
    pub engine: String,
    /// The assessment date (from the answers).
    pub as_of: String,
    /// The support level, exactly one.
    pub level: LevelOutcome,
    /// Family categories that apply.
    pub categories: Vec<Finding>,
    /// Need criteria met.
    pub criteria: Vec<CriterionFinding>,
    /// Urgent social services to provide now.
    pub urgent_services: Vec<Finding>,
    /// Consultations and help that is not urgent (advice, help with papers).
    pub consultations: Vec<Finding>,
    /// Partners to involve.
    pub partners: Vec<PartnerFinding>,
    /// Partners the rules call for but the family has not consented to involve.
    pub partners_pending_consent: Vec<PartnerFinding>,
    /// Deadlines that follow.
    pub deadlines: Vec<DeadlineFinding>,
    /// The draft individual programme (ИПСС), where the rule set declares activities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programme: Option<crate::format::programme::Programme>,
    /// Parameter values in force on the assessment date that the outcome used.
    pub parameters: Vec<ParameterValue>,
    /// Relevant questions the rules read that are not answered (JSON Pointers).
    pub missing: Vec<Text>,
    /// Things the specialist should know (no personal data).
    pub warnings: Vec<Warning>,
}

/// Which rule set, exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RuleSetRef {
    /// Jurisdiction id.
    pub id: String,
    /// Version.
    pub version: String,
    /// `sha256:` digest of the rule set's files.
    pub digest: String,
    /// The base a regional overlay is written on, exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<Box<RuleSetRef>>,
}

/// Where a rule is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RuleRef {
    /// File within the rule set.
    pub file: String,
    /// Line of the rule's `id:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// In a regional overlay: the layer the rule comes from (`file` is within that layer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<crate::format::overlay::Layer>,
}

/// The support level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LevelOutcome {
    /// Level id.
    pub id: Text,
    /// A label for people.
    pub label: Labels,
    /// When to review the family's situation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_on: Option<String>,
    /// The categories and criteria that put the family on this level.
    pub because: Vec<Text>,
    /// Legal basis of the level.
    pub basis: Arc<[Basis]>,
    /// Where the level's rule is written.
    pub rule: RuleRef,
}

/// A condition of the rule set that holds, in words for people, and the members it holds for
/// (their `id`s in the answers; none when it concerns the family).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Reason {
    /// What holds («нет сезонной одежды»).
    pub label: Labels,
    /// The members it holds for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<Text>,
}

impl Reason {
    /// The reason as a person reads it, with the members it concerns: «c1, c2: нет сезонной одежды».
    pub fn text(&self, lang: crate::format::vocab::Lang) -> String {
        if self.members.is_empty() {
            self.label.get(lang).to_owned()
        } else {
            format!("{}: {}", self.members.join(", "), self.label.get(lang))
        }
    }
}

/// A category, an urgent service or a consultation that applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// Id.
    pub id: Text,
    /// A label for people.
    pub label: Labels,
    /// The rules (categories, criteria, derived facts) it follows from.
    pub because: Vec<Text>,
    /// The conditions it follows from, in words (for what `because` does not name).
    pub reasons: Vec<Reason>,
    /// The answers it read (JSON Pointers).
    pub reads: Vec<Text>,
    /// Legal basis.
    pub basis: Arc<[Basis]>,
    /// Where its rule is written.
    pub rule: RuleRef,
}

/// A need criterion that is met.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CriterionFinding {
    /// Criterion id.
    pub id: Text,
    /// A label for people.
    pub label: Labels,
    /// How serious it is for this family.
    pub severity: Severity,
    /// The rules (categories, criteria, derived facts) it follows from.
    pub because: Vec<Text>,
    /// The answers it read (JSON Pointers).
    pub reads: Vec<Text>,
    /// Legal basis.
    pub basis: Arc<[Basis]>,
    /// Where its rule is written.
    pub rule: RuleRef,
}

/// A partner to involve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PartnerFinding {
    /// Partner id.
    pub id: Text,
    /// A label for people.
    pub label: Labels,
    /// How urgently.
    pub urgency: Urgency,
    /// Whether a law obliges the report, so the partner is told even without consent.
    pub without_consent: bool,
    /// The reporting duties that oblige it.
    pub duties: Vec<DutyRef>,
    /// The criteria, categories or services that call for the partner.
    pub because: Vec<Text>,
    /// The conditions that call for it, in words (for what `because` does not name).
    pub reasons: Vec<Reason>,
    /// Reasons (ids) not passed on to the partner because the family has not consented.
    pub held_back: Vec<Text>,
    /// The same, for conditions in words.
    pub held_back_reasons: Vec<Reason>,
    /// Legal basis.
    pub basis: Arc<[Basis]>,
    /// Where its rule is written.
    pub rule: RuleRef,
}

/// A reporting duty, as it obliges a report to a partner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DutyRef {
    /// Duty id.
    pub id: Text,
    /// What the duty is.
    pub label: Labels,
    /// The act that places it.
    pub basis: Arc<[Basis]>,
}

/// A deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeadlineFinding {
    /// Deadline id.
    pub id: Text,
    /// A label for people.
    pub label: Labels,
    /// Due date.
    pub due: String,
    /// What makes it apply.
    pub because: Vec<Text>,
    /// Legal basis.
    pub basis: Arc<[Basis]>,
    /// Where its rule is written.
    pub rule: RuleRef,
}

/// A parameter's value on the assessment date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ParameterValue {
    /// Parameter id.
    pub id: Text,
    /// A label for people.
    pub label: Labels,
    /// The value.
    pub value: f64,
    /// Where the value comes from.
    pub basis: Basis,
}

/// A warning about the assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Warning {
    /// A stable code.
    pub code: String,
    /// The answer it concerns, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// In plain words.
    pub message: Labels,
}
