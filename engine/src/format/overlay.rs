//! Overlays: a regional rule set written on a base (the federal rules, `rules/ru/`).
//!
//! The region's manifest names the base it `extends`, pinned by digest. Its sections add items
//! (an id the base already has is an error), `overrides:` replaces base items whole (an id the
//! base lacks is an error) and `disable:` leaves base items out, with a reason and a basis. One
//! layer: a base does not extend another.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::format::vocab::{Basis, Labels};

/// The base a regional rule set is written on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Extends {
    /// The base's id, e.g. `ru`.
    pub id: String,
    /// The base's version, e.g. `2026.1`.
    pub version: String,
    /// The base's `sha256:` digest: a base that changed is not used until the region checks it
    /// and pins the new digest.
    pub digest: String,
}

/// A base item the region leaves out.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Disable {
    /// What kind of item.
    pub kind: ItemKind,
    /// Its id in the base.
    pub id: String,
    /// Why the region does without it, in words.
    pub reason: Labels,
    /// The act that allows it (at least one).
    pub basis: Vec<Basis>,
}

/// The kinds of item a layer defines, as `disable:` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// `questions` (top level).
    Question,
    /// `parameters`.
    Parameter,
    /// `member_facts`.
    MemberFact,
    /// `derived`.
    Derived,
    /// `categories`.
    Category,
    /// `criteria`.
    Criterion,
    /// `levels`.
    Level,
    /// `urgent_services`.
    UrgentService,
    /// `consultations`.
    Consultation,
    /// `partners`.
    Partner,
    /// `reporting_duties`.
    ReportingDuty,
    /// `deadlines`.
    Deadline,
    /// `consistency_checks`.
    ConsistencyCheck,
    /// `activities`.
    Activity,
    /// `departments`.
    Department,
    /// `directory`.
    DirectoryEntry,
}

impl ItemKind {
    /// Every kind.
    pub const ALL: [ItemKind; 16] = [
        ItemKind::Question,
        ItemKind::Parameter,
        ItemKind::MemberFact,
        ItemKind::Derived,
        ItemKind::Category,
        ItemKind::Criterion,
        ItemKind::Level,
        ItemKind::UrgentService,
        ItemKind::Consultation,
        ItemKind::Partner,
        ItemKind::ReportingDuty,
        ItemKind::Deadline,
        ItemKind::ConsistencyCheck,
        ItemKind::Activity,
        ItemKind::Department,
        ItemKind::DirectoryEntry,
    ];

    /// The kind in words, as diagnostics name a rule («criterion `x`»).
    pub fn what(self) -> &'static str {
        match self {
            ItemKind::Question => "question",
            ItemKind::Parameter => "parameter",
            ItemKind::MemberFact => "member fact",
            ItemKind::Derived => "derived fact",
            ItemKind::Category => "category",
            ItemKind::Criterion => "criterion",
            ItemKind::Level => "level",
            ItemKind::UrgentService => "urgent service",
            ItemKind::Consultation => "consultation",
            ItemKind::Partner => "partner",
            ItemKind::ReportingDuty => "reporting duty",
            ItemKind::Deadline => "deadline",
            ItemKind::ConsistencyCheck => "consistency check",
            ItemKind::Activity => "activity",
            ItemKind::Department => "department",
            ItemKind::DirectoryEntry => "directory entry",
        }
    }
}

/// Which layer of a rule set an item comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LayerKind {
    /// The base (federal) rules.
    Base,
    /// The regional overlay.
    Region,
}

/// The layer an item of a layered rule set comes from, as assessments and `show --effective`
/// name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Layer {
    /// Base or region.
    pub layer: LayerKind,
    /// That layer's rule-set id (`ru`, `khmao`).
    pub id: crate::format::vocab::Text,
    /// That layer's version.
    pub version: crate::format::vocab::Text,
    /// The region replaced the base's item of this id (`overrides:`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overrides: bool,
}

impl Layer {
    /// The layer in words: «база ru 2026.1», «регион khmao 2026.4 (заменяет базу)».
    pub fn words(&self, lang: crate::format::vocab::Lang) -> String {
        let ru = lang == crate::format::vocab::Lang::Ru;
        let layer = match (self.layer, ru) {
            (LayerKind::Base, true) => "база",
            (LayerKind::Base, false) => "base",
            (LayerKind::Region, true) => "регион",
            (LayerKind::Region, false) => "region",
        };
        let overrides = match (self.overrides, ru) {
            (false, _) => "",
            (true, true) => " (заменяет базу)",
            (true, false) => " (overrides the base)",
        };
        format!("{layer} {} {}{overrides}", self.id, self.version)
    }
}

/// A rule set as it applies, its base and region merged (`sopro show --effective`): every item
/// with the layer it comes from, and the base items the region leaves out.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Effective {
    /// The rule set (and its base).
    pub ruleset: crate::format::assessment::RuleSetRef,
    /// Every item that applies, by kind in the format's order, each kind's items in order.
    pub items: Vec<EffectiveItem>,
    /// Base items the region leaves out.
    pub disabled: Vec<DisabledItem>,
}

/// One item of the merged rule set.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EffectiveItem {
    /// What kind of item.
    pub kind: ItemKind,
    /// Its id.
    pub id: String,
    /// Its label, where it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<Labels>,
    /// Where it is written, and in which layer.
    pub rule: crate::format::assessment::RuleRef,
    /// The item as written.
    pub item: serde_json::Value,
}

/// A base item the region leaves out, and why.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DisabledItem {
    /// What kind of item.
    pub kind: ItemKind,
    /// Its id in the base.
    pub id: String,
    /// Why the region does without it.
    pub reason: Labels,
    /// The act that allows it.
    pub basis: Vec<Basis>,
    /// Where the region says so.
    pub rule: crate::format::assessment::RuleRef,
}
