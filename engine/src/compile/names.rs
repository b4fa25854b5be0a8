//! The names an expression may use, and the fixed slots their values live in.

use std::collections::{BTreeMap, BTreeSet};

use crate::compiled::{FamilySource, Reads, Slots};
use crate::format::model::{QuestionType, Scope};

use crate::format::model::{MEMBER, MEMBERS};

/// The outcome of loading a rule set: the rule set if it has no errors, and every problem.
use super::*;

#[derive(Default)]
pub(super) struct Names {
    /// Top-level questions that are sections, with their fields.
    pub(super) sections: BTreeMap<String, BTreeSet<String>>,
    /// Top-level scalar questions (`as_of`).
    pub(super) scalars: BTreeSet<String>,
    /// Fields of a member record.
    pub(super) member_fields: BTreeSet<String>,
    /// Member facts and what they read.
    pub(super) member_facts: BTreeMap<String, Reads>,
    /// Parameters by id.
    pub(super) parameters: BTreeMap<String, usize>,
    /// Derived facts, categories and criteria.
    pub(super) derived: BTreeSet<String>,
    pub(super) outcomes: BTreeSet<String>,
    /// Fixed slots by name: `as_of`, `survey_act.food_present`, parameters, facts, outcomes.
    pub(super) family_slots: BTreeMap<String, usize>,
    /// Member slots by name: fields, then facts.
    pub(super) member_slots: BTreeMap<String, usize>,
    pub(super) slots: Slots,
}

impl Names {
    pub(super) fn add_family_slot(&mut self, name: String, source: FamilySource) {
        self.family_slots.insert(name, self.slots.family.len());
        self.slots.family.push(source);
    }

    pub(super) fn add_member_slot(&mut self, name: String, kind: Option<QuestionType>) {
        self.member_slots.insert(name.clone(), self.slots.member.len());
        self.slots.member.push((name, kind));
    }
}

/// Resolves names for native compilation (see `native`).
pub(super) struct SlotResolver<'n> {
    pub(super) names: &'n Names,
    pub(super) has_member: bool,
}

impl lower::Resolve for SlotResolver<'_> {
    fn family(&self, root: &str, field: Option<&str>) -> Option<usize> {
        match field {
            Some(field) if self.names.sections.contains_key(root) => {
                self.names.family_slots.get(&format!("{root}.{field}")).copied()
            }
            Some(_) => None,
            None => self.names.family_slots.get(root).copied(),
        }
    }

    fn member(&self, field: &str) -> Option<usize> {
        self.names.member_slots.get(field).copied()
    }

    fn has_member(&self) -> bool {
        self.has_member
    }
}

impl Names {
    /// Whether an expression in `scope` may use `name`.
    pub(super) fn is_visible(&self, name: &str, scope: Scope) -> bool {
        self.scalars.contains(name)
            || self.sections.contains_key(name)
            || name == MEMBERS
            || self.parameters.contains_key(name)
            || self.derived.contains(name)
            || self.outcomes.contains(name)
            || (scope == Scope::Member && name == MEMBER)
    }
}
