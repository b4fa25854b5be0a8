//! What changes for a family between two assessments (typically: the same family under two
//! versions of a rule set), and which rules and acts caused each change.

use schemars::JsonSchema;
use serde::Serialize;

use crate::format::assessment::{Assessment, RuleRef};
use crate::format::overlay::Layer;
use crate::format::vocab::{Basis, Text};

/// One difference between two assessments of a family.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Change {
    /// `level`, `category`, `criterion`, `urgent_service`, `consultation`, `partner`, `deadline`,
    /// `activity` (of the draft programme) or `parameter`.
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
    /// In a regional overlay, the layer (base or region, with its version) of the rule on that
    /// side: which layer's change made the difference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<Layer>,
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
    layer: Option<&'a Layer>,
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
                layer: b.layer.cloned(),
            }),
            Some(a) if a.value != b.value => out.push(Change {
                kind,
                id: a.id.clone(),
                from: Some(b.value.clone()),
                to: Some(a.value.clone()),
                because: a.because.to_vec(),
                basis: a.basis.to_vec(),
                layer: a.layer.cloned(),
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
            layer: a.layer.cloned(),
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
            layer: after.level.rule.layer.clone(),
        });
    }
    let kinds =
        ["category", "criterion", "urgent_service", "consultation", "partner", "deadline", "activity"];
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

fn items(a: &Assessment) -> [Vec<Item<'_>>; 7] {
    // Categories, services, deadlines and programme activities compare by whether they apply
    // (dates follow the assessment date); criteria by severity, partners by urgency. An
    // activity's `because` is what it serves.
    fn item<'a>(
        id: &'a Text,
        value: Option<&str>,
        because: &'a [Text],
        basis: &'a [Basis],
        rule: &'a RuleRef,
    ) -> Item<'a> {
        Item { id, value: value.unwrap_or(id).to_owned(), because, basis, layer: rule.layer.as_ref() }
    }
    [
        a.categories.iter().map(|c| item(&c.id, None, &c.because, &c.basis, &c.rule)).collect(),
        a.criteria
            .iter()
            .map(|c| item(&c.id, Some(c.severity.id()), &c.because, &c.basis, &c.rule))
            .collect(),
        a.urgent_services.iter().map(|s| item(&s.id, None, &s.because, &s.basis, &s.rule)).collect(),
        a.consultations.iter().map(|s| item(&s.id, None, &s.because, &s.basis, &s.rule)).collect(),
        a.partners.iter().map(|p| item(&p.id, Some(p.urgency.id()), &p.because, &p.basis, &p.rule)).collect(),
        a.deadlines.iter().map(|d| item(&d.id, None, &d.because, &d.basis, &d.rule)).collect(),
        a.programme
            .iter()
            .flat_map(|p| &p.items)
            .map(|i| item(&i.id, None, &i.serves, &i.basis, &i.rule))
            .collect(),
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
            layer: None,
        })
        .collect()
}

/// Whether something appeared, disappeared or changed its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeSign {
    /// It applies now and did not before.
    Added,
    /// It applied before and does not now.
    Removed,
    /// It applies on both sides with another value (severity, urgency, parameter value).
    Changed,
}

/// What a change is about, whatever the family: its sign, kind and id (the unit the summary of
/// a registry counts in).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
pub struct ChangeKey {
    /// Added, removed or changed.
    pub sign: ChangeSign,
    /// As in [`Change::kind`].
    pub kind: &'static str,
    /// The id of what changed.
    pub id: Text,
}

/// What kind of item a change is about, in words («критерий», «criterion»), by [`Change::kind`].
pub fn change_kind_label(kind: &str) -> crate::format::vocab::Labels {
    use crate::format::vocab::Labels;
    match kind {
        "level" => Labels::new("уровень", "level"),
        "category" => Labels::new("категория", "category"),
        "criterion" => Labels::new("критерий", "criterion"),
        "urgent_service" => Labels::new("срочная услуга", "urgent service"),
        "consultation" => Labels::new("консультация", "consultation"),
        "partner" => Labels::new("партнёр", "partner"),
        "deadline" => Labels::new("срок", "deadline"),
        "activity" => Labels::new("мероприятие ИПСС", "programme activity"),
        "parameter" => Labels::new("параметр", "parameter"),
        other => Labels::new(other, other),
    }
}

impl ChangeKey {
    /// The key of one change.
    pub fn of(change: &Change) -> ChangeKey {
        let sign = match (&change.from, &change.to) {
            (None, Some(_)) => ChangeSign::Added,
            (Some(_), None) => ChangeSign::Removed,
            _ => ChangeSign::Changed,
        };
        ChangeKey { sign, kind: change.kind, id: change.id.clone() }
    }
}

/// What changes over a registry assessed under two rule sets: families compared, changed and
/// not assessed, the level transitions (from, to) with their counts, each kind of change with
/// the number of families it concerns and the acts behind it. The same for `sopro diff` and any
/// other caller (the engine's, so every report agrees).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DiffSummary {
    /// Families compared (assessed or not).
    pub compared: u64,
    /// Families whose outcome changes.
    pub changed: u64,
    /// Families one of the rule sets could not assess.
    pub errors: u64,
    /// Families by (level before, level after), those that keep their level too.
    pub transitions: std::collections::BTreeMap<(Text, Text), u64>,
    /// Families by change (parameter values among them).
    pub changes: std::collections::BTreeMap<ChangeKey, u64>,
    /// For each change, the acts behind it and in how many families.
    pub acts: std::collections::BTreeMap<ChangeKey, std::collections::BTreeMap<Text, u64>>,
    /// For each change of a regional overlay's outcome, the layer of the rule behind it.
    pub layers: std::collections::BTreeMap<ChangeKey, Layer>,
}

impl DiffSummary {
    /// Counts one family's difference.
    pub fn record(&mut self, family: &FamilyDiff) {
        self.compared += 1;
        *self.transitions.entry((family.level_from.clone(), family.level_to.clone())).or_default() += 1;
        if family.is_empty() {
            return;
        }
        self.changed += 1;
        for change in family.changes.iter().chain(&family.parameters) {
            let key = ChangeKey::of(change);
            *self.changes.entry(key.clone()).or_default() += 1;
            if let Some(layer) = &change.layer {
                self.layers.entry(key.clone()).or_insert_with(|| layer.clone());
            }
            let acts = self.acts.entry(key).or_default();
            for basis in &change.basis {
                *acts.entry(basis.act.clone()).or_default() += 1;
            }
        }
    }

    /// Counts a family that could not be assessed.
    pub fn record_error(&mut self) {
        self.compared += 1;
        self.errors += 1;
    }

    /// The changes, the most frequent first (ties in the order of their keys).
    pub fn top_changes(&self) -> Vec<(&ChangeKey, u64)> {
        let mut top: Vec<(&ChangeKey, u64)> = self.changes.iter().map(|(k, n)| (k, *n)).collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        top
    }

    /// How many families went from one level to another.
    pub fn transition(&self, from: &str, to: &str) -> u64 {
        self.transitions.iter().find(|((f, t), _)| &**f == from && &**t == to).map_or(0, |(_, n)| *n)
    }
}
