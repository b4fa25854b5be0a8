//! What changes for a family between two assessments (typically: the same family under two
//! versions of a rule set), and which rules and acts caused each change.

use schemars::JsonSchema;
use serde::Serialize;

use crate::format::assessment::Assessment;
use crate::format::vocab::{Basis, Text};

/// One difference between two assessments of a family.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Change {
    /// `level`, `category`, `criterion`, `urgent_service`, `consultation`, `partner`, `deadline`
    /// or `parameter`.
    pub kind: &'static str,
    /// The id of what changed.
    pub id: Text,
    /// Before (`null`: it did not apply); for criteria the severity, for partners the urgency,
    /// for parameters the value.
    pub from: Option<String>,
    /// After (`null`: it no longer applies).
    pub to: Option<String>,
    /// The rules that produced the item on the side where it applies.
    pub because: Vec<Text>,
    /// The legal basis on that side.
    pub basis: Vec<Basis>,
}

/// Every difference between two assessments of one family.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct FamilyDiff {
    /// The level before.
    pub level_from: Text,
    /// The level after.
    pub level_to: Text,
    /// Each change, level first.
    pub changes: Vec<Change>,
    /// Parameter values that differ (causes, not changes of the family's outcome).
    pub parameters: Vec<Change>,
}

impl FamilyDiff {
    /// Whether anything changed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// An item of an assessment, for comparison: id, the value compared, because, basis.
struct Item<'a> {
    id: &'a Text,
    value: String,
    because: &'a [Text],
    basis: &'a [Basis],
}

fn compare(kind: &'static str, before: Vec<Item<'_>>, after: Vec<Item<'_>>, out: &mut Vec<Change>) {
    for b in &before {
        match after.iter().find(|a| a.id == b.id) {
            None => out.push(Change {
                kind,
                id: b.id.clone(),
                from: Some(b.value.clone()),
                to: None,
                because: b.because.to_vec(),
                basis: b.basis.to_vec(),
            }),
            Some(a) if a.value != b.value => out.push(Change {
                kind,
                id: a.id.clone(),
                from: Some(b.value.clone()),
                to: Some(a.value.clone()),
                because: a.because.to_vec(),
                basis: a.basis.to_vec(),
            }),
            Some(_) => {}
        }
    }
    for a in after.iter().filter(|a| !before.iter().any(|b| b.id == a.id)) {
        out.push(Change {
            kind,
            id: a.id.clone(),
            from: None,
            to: Some(a.value.clone()),
            because: a.because.to_vec(),
            basis: a.basis.to_vec(),
        });
    }
}

/// Compares two assessments of the same family.
pub fn diff(before: &Assessment, after: &Assessment) -> FamilyDiff {
    let mut changes = Vec::new();
    if before.level.id != after.level.id {
        changes.push(Change {
            kind: "level",
            id: after.level.id.clone(),
            from: Some(before.level.id.to_string()),
            to: Some(after.level.id.to_string()),
            because: after.level.because.clone(),
            basis: after.level.basis.to_vec(),
        });
    }
    let kinds = ["category", "criterion", "urgent_service", "consultation", "partner", "deadline"];
    for ((kind, b), a) in kinds.into_iter().zip(items(before)).zip(items(after)) {
        compare(kind, b, a, &mut changes);
    }
    let mut parameter_changes = Vec::new();
    compare("parameter", parameters(before), parameters(after), &mut parameter_changes);
    FamilyDiff {
        level_from: before.level.id.clone(),
        level_to: after.level.id.clone(),
        changes,
        parameters: parameter_changes,
    }
}

fn items(a: &Assessment) -> [Vec<Item<'_>>; 6] {
    // Categories, services and deadlines compare by whether they apply (deadlines' dates follow
    // the assessment date); criteria by severity, partners by urgency.
    fn item<'a>(id: &'a Text, value: Option<&str>, because: &'a [Text], basis: &'a [Basis]) -> Item<'a> {
        Item { id, value: value.unwrap_or(id).to_owned(), because, basis }
    }
    [
        a.categories.iter().map(|c| item(&c.id, None, &c.because, &c.basis)).collect(),
        a.criteria.iter().map(|c| item(&c.id, Some(c.severity.id()), &c.because, &c.basis)).collect(),
        a.urgent_services.iter().map(|s| item(&s.id, None, &s.because, &s.basis)).collect(),
        a.consultations.iter().map(|s| item(&s.id, None, &s.because, &s.basis)).collect(),
        a.partners.iter().map(|p| item(&p.id, Some(p.urgency.id()), &p.because, &p.basis)).collect(),
        a.deadlines.iter().map(|d| item(&d.id, None, &d.because, &d.basis)).collect(),
    ]
}

fn parameters(a: &Assessment) -> Vec<Item<'_>> {
    a.parameters
        .iter()
        .map(|p| Item {
            id: &p.id,
            value: p.value.to_string(),
            because: &[],
            basis: std::slice::from_ref(&p.basis),
        })
        .collect()
}
