//! A rule set's own test cases: a family's answers and the parts of the outcome expected.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::format::vocab::{Severity, Urgency};

/// A test case file: `tests/*.yaml` holds a list of them.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// A short description of the family.
    pub name: String,
    /// The answers, as in an intake file.
    pub answers: serde_json::Value,
    /// What the assessment must say. Only the parts given are compared.
    pub expect: Expectation,
}

/// The expected outcome of a test case. Every part given must match exactly.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// The support level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Every category that applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    /// Every criterion met, with its severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria: Option<std::collections::BTreeMap<String, Severity>>,
    /// Every urgent service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgent_services: Option<Vec<String>>,
    /// Every partner involved, with its urgency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partners: Option<std::collections::BTreeMap<String, Urgency>>,
    /// Every partner held back for want of the family's consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partners_pending_consent: Option<Vec<String>>,
    /// For partners told without consent (a reporting duty), the reasons (ids) held back from
    /// each for want of consent; a partner not named holds none back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_back: Option<std::collections::BTreeMap<String, Vec<String>>>,
    /// Every consultation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consultations: Option<Vec<String>>,
    /// The codes of every warning (but `draft_version`, which is about the run, not the family).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<String>>,
    /// For urgent services, consultations and partners named here, every reason given in words
    /// (Russian, with the members it concerns: `"c1: нет сезонной одежды"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasons: Option<std::collections::BTreeMap<String, Vec<String>>>,
    /// Every deadline, with its due date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadlines: Option<std::collections::BTreeMap<String, String>>,
    /// The assessment is refused because the answers are invalid, at these paths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invalid_at: Option<Vec<String>>,
    /// Every activity of the draft programme, in its order, each with its due date
    /// (`- {a_u_food: "2026-03-11"}`; `"—"` for an item with none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programme: Option<Vec<std::collections::BTreeMap<String, String>>>,
}

impl Expectation {
    /// Whether it expects nothing at all (such a case would pass whatever the outcome).
    pub fn is_empty(&self) -> bool {
        let Expectation {
            level,
            categories,
            criteria,
            urgent_services,
            partners,
            partners_pending_consent,
            held_back,
            consultations,
            warnings,
            reasons,
            deadlines,
            invalid_at,
            programme,
        } = self;
        level.is_none()
            && categories.is_none()
            && criteria.is_none()
            && urgent_services.is_none()
            && partners.is_none()
            && partners_pending_consent.is_none()
            && held_back.is_none()
            && consultations.is_none()
            && warnings.is_none()
            && reasons.is_none()
            && deadlines.is_none()
            && invalid_at.is_none()
            && programme.is_none()
    }
}
