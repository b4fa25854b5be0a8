//! A regional overlay on its base: which base items the region replaces (`overrides:`) or leaves
//! out (`disable:`), and every conflict between the two layers that can be found before anyone
//! is assessed — an override or disable of an item the base does not have (after a base
//! upgrade), an override that changes nothing, a regional id that redefines a base id without
//! saying so.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::diagnostic::{At, Code};
use crate::format::model::RuleFile;
use crate::format::overlay::ItemKind;
use crate::load::layers::{is_base, BaseLayer};

use super::Compiler;

/// A base item, by kind and id.
type Key = (ItemKind, String);

/// What the overlay does to its base, item by item.
#[derive(Debug, Default)]
pub(super) struct LayerPlan {
    /// Base items the region replaces, and the overlay file that holds each replacement.
    pub overrides: HashMap<Key, String>,
    /// Base items the region leaves out.
    pub disabled: HashSet<Key>,
    /// Every base item, with where it stands.
    pub base_items: HashMap<Key, At>,
}

impl LayerPlan {
    /// The base items the region replaces, as diagnostics and rule references name a rule
    /// («partner `opeka`»).
    pub fn overriding(&self) -> HashSet<String> {
        self.overrides.keys().map(|(kind, id)| format!("{} `{id}`", kind.what())).collect()
    }
}

/// Every item of one kind in a file, by id, in the form it was written (to compare an override
/// with the item it replaces) — as compact JSON, the serializer a bundle's seal already uses, so
/// the browser's module holds no second copy of every item's serialization.
fn entries(file: &RuleFile, kind: ItemKind) -> Vec<(&str, Vec<u8>)> {
    fn of<T: Serialize>(items: &[T], id: impl Fn(&T) -> &str) -> Vec<(&str, Vec<u8>)> {
        items.iter().map(|item| (id(item), serde_json::to_vec(item).unwrap_or_default())).collect()
    }
    match kind {
        ItemKind::Question => of(&file.questions, |i| &i.id),
        ItemKind::Parameter => of(&file.parameters, |i| &i.id),
        ItemKind::MemberFact => of(&file.member_facts, |i| &i.id),
        ItemKind::Derived => of(&file.derived, |i| &i.id),
        ItemKind::Category => of(&file.categories, |i| &i.id),
        ItemKind::Criterion => of(&file.criteria, |i| &i.id),
        ItemKind::Level => of(&file.levels, |i| &i.id),
        ItemKind::UrgentService => of(&file.urgent_services, |i| &i.id),
        ItemKind::Consultation => of(&file.consultations, |i| &i.id),
        ItemKind::Partner => of(&file.partners, |i| &i.id),
        ItemKind::ReportingDuty => of(&file.reporting_duties, |i| &i.id),
        ItemKind::Deadline => of(&file.deadlines, |i| &i.id),
        ItemKind::ConsistencyCheck => of(&file.consistency_checks, |i| &i.id),
        ItemKind::Activity => of(&file.activities, |i| &i.id),
        ItemKind::Department => of(&file.departments, |i| &i.id),
        ItemKind::DirectoryEntry => of(&file.directory, |i| &i.id),
    }
}

impl Compiler<'_> {
    /// Where the item `id` of a file stands.
    pub(super) fn at_item(&self, file: &str, kind: ItemKind, id: &str) -> At {
        let line = self.file_lines.get(file).and_then(|lines| lines.item(id).line).or_else(|| {
            // An item written in flow style (`- {kind: level, id: x, …}`).
            let (_, text) = self.loaded.texts.iter().find(|(f, _)| f == file)?;
            let written = format!("id: {id}");
            let ends = |rest: &str| rest.is_empty() || rest.starts_with([',', '}', ' ']);
            let found = text
                .lines()
                .position(|l| l.match_indices(&written).any(|(i, _)| ends(&l[i + written.len()..])));
            found.map(|index| index + 1)
        });
        At { file: file.to_owned(), line, rule: Some(format!("{} `{id}`", kind.what())) }
    }

    /// What the overlay does to its base, with every conflict reported; `None` for a rule set
    /// with no base (which may then hold no `overrides:` or `disable:`).
    pub(super) fn plan_layers(&mut self) -> Option<LayerPlan> {
        let loaded = self.loaded;
        let own = loaded.files.iter().filter(|(file, _)| !is_base(file));
        let Some(base) = &loaded.base else {
            for (file, rules) in own {
                if rules.overrides.is_some() || !rules.disable.is_empty() {
                    let at = At::file(file);
                    let message = "`overrides:` and `disable:` belong in a regional overlay: the manifest names no base (`extends:`)";
                    self.diags.error(Code::BadOverlay, &at, message);
                }
            }
            return None;
        };
        let mut plan = LayerPlan::default();
        for (file, rules) in loaded.files.iter().filter(|(file, _)| is_base(file)) {
            for kind in ItemKind::ALL {
                for (id, _) in entries(rules, kind) {
                    plan.base_items.insert((kind, id.to_owned()), self.at_item(file, kind, id));
                }
            }
        }
        let base_value = |kind: ItemKind, id: &str| {
            let mut files = loaded.files.iter().filter(|(file, _)| is_base(file));
            files.find_map(|(_, rules)| {
                entries(rules, kind).into_iter().find(|(i, _)| *i == id).map(|(_, v)| v)
            })
        };
        for (file, rules) in loaded.files.iter().filter(|(file, _)| !is_base(file)) {
            for kind in ItemKind::ALL {
                for (id, _) in entries(rules, kind) {
                    if let Some(first) = plan.base_items.get(&(kind, id.to_owned())) {
                        self.redefines(base, file, kind, id, first);
                    }
                }
            }
            if let Some(overrides) = &rules.overrides {
                self.check_overrides_section(file, overrides);
                for kind in ItemKind::ALL {
                    for (id, value) in entries(overrides, kind) {
                        let at = self.at_item(file, kind, id);
                        match base_value(kind, id) {
                            None => self.no_such_base_item(base, &at, "overrides", kind, id),
                            Some(before) if before == value => self.diags.warning(
                                Code::OverrideUnchanged,
                                &at,
                                format!(
                                    "the override is the same as the base's {} `{id}`: it changes nothing",
                                    kind.what()
                                ),
                            ),
                            Some(_) => {}
                        }
                        if let Some(first) = plan.overrides.insert((kind, id.to_owned()), file.clone()) {
                            let message =
                                format!("the {} `{id}` is overridden twice (also in {first})", kind.what());
                            self.diags.error(Code::DuplicateId, &at, message);
                        }
                    }
                }
            }
            for disable in &rules.disable {
                let at = self.at_item(file, disable.kind, &disable.id);
                if !plan.base_items.contains_key(&(disable.kind, disable.id.clone())) {
                    self.no_such_base_item(base, &at, "disables", disable.kind, &disable.id);
                }
                if disable.basis.is_empty() || disable.reason.ru.trim().is_empty() {
                    let message = "a disabled base item needs its reason (`reason: {ru, en}`) and the act that allows it (`basis:`)";
                    self.diags.error(Code::BadOverlay, &at, message);
                }
                plan.disabled.insert((disable.kind, disable.id.clone()));
            }
        }
        // An item both replaced and left out: which the region means is not for the merge to guess.
        for (file, rules) in loaded.files.iter().filter(|(file, _)| !is_base(file)) {
            for disable in &rules.disable {
                if plan.overrides.contains_key(&(disable.kind, disable.id.clone())) {
                    let at = self.at_item(file, disable.kind, &disable.id);
                    let message = format!(
                        "the {} `{}` is both overridden and disabled: keep one of the two",
                        disable.kind.what(),
                        disable.id
                    );
                    self.diags.error(Code::BadOverlay, &at, message);
                }
            }
        }
        Some(plan)
    }

    fn redefines(&mut self, base: &BaseLayer, file: &str, kind: ItemKind, id: &str, first: &At) {
        let place = first.line.map_or(first.file.clone(), |l| format!("{}:{l}", first.file));
        let message = format!(
            "the base `{}` {} already has the {} `{id}` (at {place}): to replace it, put the region's \
             version under `overrides:`; to add another, give it a new id",
            base.id,
            base.version,
            kind.what()
        );
        self.diags.error(Code::RedefinesBase, &self.at_item(file, kind, id), message);
    }

    fn no_such_base_item(&mut self, base: &BaseLayer, at: &At, verb: &str, kind: ItemKind, id: &str) {
        let message = format!(
            "the overlay {verb} the {} `{id}`, which the base `{}` {} does not have (was it removed or renamed?)",
            kind.what(),
            base.id,
            base.version
        );
        self.diags.error(Code::NoSuchBaseItem, at, message);
    }

    /// `overrides:` holds items only: not a manifest, not overrides or disables of its own.
    fn check_overrides_section(&mut self, file: &str, overrides: &RuleFile) {
        let misplaced = [
            ("ruleset", overrides.ruleset.is_some()),
            ("overrides", overrides.overrides.is_some()),
            ("disable", !overrides.disable.is_empty()),
            ("post_accompaniment", overrides.post_accompaniment.is_some()),
        ];
        let text = self.loaded.texts.iter().find(|(f, _)| f == file).map(|(_, text)| text.as_str());
        // Searched from the top-level `overrides:` on: the same key at the top is in its place.
        let top = text.and_then(|t| t.lines().position(|l| l.starts_with("overrides:")));
        for (section, present) in misplaced {
            if present {
                let from = top.map_or(0, |t| t + 1);
                let line = text.and_then(|t| crate::load::find_line(t, &format!("{section}:"), from));
                let at = At { file: file.to_owned(), line, rule: None };
                let message = format!(
                    "`{section}:` cannot stand inside `overrides:`, which holds base items to replace; \
                     a region writes its `{section}:` at the top of its own files"
                );
                self.diags.error(Code::BadOverlay, &at, message);
            }
        }
    }

    /// Every item of one kind across both layers, located: the base's first (less what the
    /// region leaves out, with the region's replacements in their place), then the region's.
    pub(super) fn layered_items<T: Clone>(
        &self,
        plan: &LayerPlan,
        pick: impl Fn(&RuleFile) -> &Vec<T>,
        id: impl Fn(&T) -> &str,
        kind: ItemKind,
        out: &mut Vec<crate::load::Located<T>>,
    ) {
        for (file, rules) in &self.loaded.files {
            let base = is_base(file);
            for item in pick(rules) {
                let key = (kind, id(item).to_owned());
                if base && plan.disabled.contains(&key) {
                    continue;
                }
                // A regional id that is the base's was reported (`redefines`); the base's stands.
                if !base && plan.base_items.contains_key(&key) {
                    continue;
                }
                let replacement = plan.overrides.get(&key).filter(|_| base).and_then(|file| {
                    let (_, rules) = self.loaded.files.iter().find(|(f, _)| f == file)?;
                    let item = pick(rules.overrides.as_deref()?).iter().find(|o| id(o) == key.1)?;
                    Some((file, item))
                });
                let (file, item) = replacement.unwrap_or((file, item));
                out.push(crate::load::Located { at: self.at_item(file, kind, id(item)), item: item.clone() });
            }
        }
    }
}
