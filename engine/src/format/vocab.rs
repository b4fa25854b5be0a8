//! The closed vocabularies every rule set shares: severities, urgencies, basis statuses,
//! and the bilingual labels they are shown with.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Shared, immutable text: cloned into every assessment without copying.
pub type Text = Arc<str>;

/// A text in Russian (primary: the users are Russian social-service staff) and English.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    /// Russian text.
    pub ru: Text,
    /// English text.
    pub en: Text,
}

impl Labels {
    /// The text in `lang` (`ru` or `en`); anything else falls back to Russian.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ru => &self.ru,
            Lang::En => &self.en,
        }
    }

    pub(crate) fn new(ru: &str, en: &str) -> Self {
        Labels { ru: ru.into(), en: en.into() }
    }
}

/// The language of text shown to a person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Russian, the default.
    #[default]
    Ru,
    /// English.
    En,
}

/// How serious a need criterion is. Ordered from the least to the most serious.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth noting; no accompaniment on its own.
    Low,
    /// A moderate problem.
    Medium,
    /// A serious problem.
    High,
    /// A threat to a child's life or health now.
    Critical,
}

impl Severity {
    /// All severities, the most serious first.
    pub const ALL: [Severity; 4] = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low];

    /// The severity's id as written in rule files.
    pub fn id(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// A label for people.
    pub fn label(self) -> Labels {
        match self {
            Severity::Low => Labels::new("низкая", "low"),
            Severity::Medium => Labels::new("средняя", "medium"),
            Severity::High => Labels::new("высокая", "high"),
            Severity::Critical => Labels::new("критическая", "critical"),
        }
    }
}

/// How soon a partner must be involved. Ordered from the least to the most urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// In the ordinary course of the programme.
    Routine,
    /// The same working day.
    SameDay,
    /// At once, by telephone.
    Immediately,
}

impl Urgency {
    /// The urgency's id as written in rule files.
    pub fn id(self) -> &'static str {
        match self {
            Urgency::Routine => "routine",
            Urgency::SameDay => "same_day",
            Urgency::Immediately => "immediately",
        }
    }

    /// A label for people.
    pub fn label(self) -> Labels {
        match self {
            Urgency::Routine => Labels::new("в плановом порядке", "routine"),
            Urgency::SameDay => Labels::new("в тот же день", "the same day"),
            Urgency::Immediately => Labels::new("незамедлительно", "immediately"),
        }
    }
}

/// Where a rule comes from, stated honestly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BasisStatus {
    /// The text of a law or an order.
    Statute,
    /// A documented regional practice (for example one of the seed documents).
    Practice,
    /// The rule set's own proposal where no official text was available.
    Inferred,
}

impl BasisStatus {
    /// A label for people.
    pub fn label(self) -> Labels {
        match self {
            BasisStatus::Statute => Labels::new("норма права", "statute"),
            BasisStatus::Practice => Labels::new("практика", "practice"),
            BasisStatus::Inferred => Labels::new("предложение набора правил", "inferred"),
        }
    }
}

/// The legal basis of a rule: the act, the article and how firm the ground is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Basis {
    /// The act, e.g. `442-ФЗ`, or a seed document for practice.
    pub act: Text,
    /// The article, item or section, e.g. `15.1.5`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<Text>,
    /// Statute, practice or inferred.
    pub status: BasisStatus,
    /// What the rule set assumes or where the text was not verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
}
