//! Versions of a rule set side by side: each family is assessed by the version in force on its
//! assessment date.

use serde_json::Value;

use crate::assess::AssessError;
use crate::assessment::Assessment;
use crate::dates;
use crate::ruleset::RuleSet;

/// Several compiled versions of one rule set (e.g. `khmao` 2025.1 and 2026.1).
pub struct RuleLibrary {
    versions: Vec<RuleSet>,
}

impl RuleLibrary {
    /// A library of versions (in any order).
    pub fn new(mut versions: Vec<RuleSet>) -> Self {
        versions.sort_by_key(|v| v.in_force.0);
        RuleLibrary { versions }
    }

    /// The versions, oldest first.
    pub fn versions(&self) -> &[RuleSet] {
        &self.versions
    }

    /// The version in force on `as_of` (`YYYY-MM-DD`); of several, the one that came into force last.
    pub fn pick(&self, as_of: &str) -> Option<&RuleSet> {
        let date = dates::parse(as_of)?;
        self.versions.iter().rev().find(|v| v.in_force.0 <= date && v.in_force.1.is_none_or(|to| date <= to))
    }

    /// Assesses a family with the version in force on its `as_of`. Answers without a valid
    /// `as_of` are checked by the newest version, which lists every problem.
    pub fn assess(&self, answers: &Value) -> Result<Assessment, AssessError> {
        self.version_for(answers)?.assess(answers)
    }

    /// Like [`RuleLibrary::assess`], with [`RuleSet::assess_brief`].
    pub fn assess_brief(&self, answers: &Value) -> Result<Assessment, AssessError> {
        self.version_for(answers)?.assess_brief(answers)
    }

    fn version_for(&self, answers: &Value) -> Result<&RuleSet, AssessError> {
        let as_of = answers.get("as_of").and_then(Value::as_str).filter(|d| dates::parse(d).is_some());
        let version = match as_of {
            Some(as_of) => self.pick(as_of).ok_or_else(|| AssessError::NoVersionInForce {
                as_of: as_of.to_owned(),
                versions: self.versions.iter().map(|v| v.version.clone()).collect(),
            })?,
            None => self
                .versions
                .last()
                .ok_or(AssessError::NoVersionInForce { as_of: String::new(), versions: Vec::new() })?,
        };
        Ok(version)
    }
}
