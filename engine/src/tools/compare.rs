//! Two rule sets over one registry, on the device: every family assessed by both, the level
//! transitions, each change counted with the acts behind it, and the first families that
//! change — the same [`diff`] and [`DiffSummary`] as `sopro diff`, in a shape that serialises
//! (for the rule studio in the browser).

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::compiled::RuleSet;
use crate::format::assessment::Explain;
use crate::format::vocab::Text;
use crate::tools::diff::{diff, ChangeSign, DiffSummary, FamilyDiff};

/// What changes over a registry between two rule sets.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Comparison {
    /// Families compared.
    pub compared: u64,
    /// Families whose outcome changes.
    pub changed: u64,
    /// Families one of the rule sets could not assess.
    pub errors: u64,
    /// Families by level before and after (those that keep their level too).
    pub transitions: Vec<Transition>,
    /// Each change with the number of families it concerns and the acts behind it, the most
    /// frequent first.
    pub changes: Vec<ChangeCount>,
    /// The first families that change: their number in the registry and what changes.
    pub families: Vec<ChangedFamily>,
}

/// Families that went from one level to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Transition {
    /// Level before.
    pub from: Text,
    /// Level after.
    pub to: Text,
    /// How many families.
    pub families: u64,
}

/// One kind of change over the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ChangeCount {
    /// Added, removed or changed.
    pub sign: ChangeSign,
    /// `level`, `category`, `criterion`, … (as in a family's change).
    pub kind: &'static str,
    /// That kind in words («критерий»).
    pub kind_label: crate::format::vocab::Labels,
    /// The id of what changed.
    pub id: Text,
    /// How many families.
    pub families: u64,
    /// The acts behind it, with how many families each.
    pub acts: Vec<ActCount>,
}

/// An act and the families a change rests on it for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ActCount {
    /// The act's id.
    pub act: Text,
    /// How many families.
    pub families: u64,
}

/// A family that changes.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ChangedFamily {
    /// Its number in the registry (from 1).
    pub record: u64,
    /// What changes.
    pub diff: FamilyDiff,
}

/// Every family of `families` assessed by `before` and `after` (each on its own date), counted;
/// the first `keep` that change kept whole.
pub fn compare(before: &RuleSet, after: &RuleSet, families: &[Value], keep: usize) -> Comparison {
    let mut summary = DiffSummary::default();
    let mut kept = Vec::new();
    for (n, family) in families.iter().enumerate() {
        let both = before
            .assess_with(family, Explain::BRIEF)
            .and_then(|b| Ok((b, after.assess_with(family, Explain::BRIEF)?)));
        let Ok((b, a)) = both else {
            summary.record_error();
            continue;
        };
        let d = diff(&b, &a);
        summary.record(&d);
        if !d.is_empty() && kept.len() < keep {
            kept.push(ChangedFamily { record: n as u64 + 1, diff: d });
        }
    }
    let changes = summary
        .top_changes()
        .into_iter()
        .map(|(key, families)| ChangeCount {
            sign: key.sign,
            kind: key.kind,
            kind_label: crate::tools::diff::change_kind_label(key.kind),
            id: key.id.clone(),
            families,
            acts: summary
                .acts
                .get(key)
                .map(|acts| acts.iter().map(|(act, n)| ActCount { act: act.clone(), families: *n }).collect())
                .unwrap_or_default(),
        })
        .collect();
    Comparison {
        compared: summary.compared,
        changed: summary.changed,
        errors: summary.errors,
        transitions: summary
            .transitions
            .iter()
            .map(|((from, to), n)| Transition { from: from.clone(), to: to.clone(), families: *n })
            .collect(),
        changes,
        families: kept,
    }
}
