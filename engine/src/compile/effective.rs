//! The merged rule set of an overlay and its base, item by item with its layer
//! (`sopro show --effective`): the rule set is compiled (to report its errors), then its items
//! are merged again as the compiler merges them, kept as written.

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::format::model::RuleFile;
use crate::format::overlay::{DisabledItem, Effective, EffectiveItem, ItemKind};
use crate::format::vocab::Labels;
use crate::load::layers::{is_base, Layers};
use crate::load::{self, source::RuleSource};

use super::Compiler;

/// The merged rule set of `source`, or every problem that keeps it from loading.
pub(crate) fn effective(source: &dyn RuleSource) -> Result<Effective, Vec<Diagnostic>> {
    let loaded = super::compile(source, &load::Yaml);
    let Some(rules) = loaded.ruleset else { return Err(loaded.diagnostics) };
    let mut diags = Diagnostics::default();
    let parsed = load::load(source, &load::Yaml, &mut diags);
    let mut compiler = Compiler::new(&parsed, &mut diags);
    compiler.layer_plan = compiler.plan_layers();
    let layers = rules.layers.as_deref();
    let mut items = Vec::new();
    for kind in ItemKind::ALL {
        let start = items.len();
        compiler.effective_items(kind, layers, &mut items);
        if kind == ItemKind::Level && layers.is_some() {
            // As the compiler orders them: the base's default level stays last.
            let default = |i: &EffectiveItem| i.item.get("otherwise") == Some(&serde_json::Value::Bool(true));
            items[start..].sort_by_key(default);
        }
    }
    let disabled = parsed
        .files
        .iter()
        .filter(|(file, _)| !is_base(file))
        .flat_map(|(file, rules)| rules.disable.iter().map(move |d| (file, d)))
        .map(|(file, d)| {
            let at = compiler.at_item(file, d.kind, &d.id);
            DisabledItem {
                kind: d.kind,
                id: d.id.clone(),
                reason: d.reason.clone(),
                basis: d.basis.clone(),
                rule: Layers::rule_ref(layers, &at),
            }
        })
        .collect();
    Ok(Effective { ruleset: rules.ruleset_ref(), items, disabled })
}

impl Compiler<'_> {
    fn effective_items(&self, kind: ItemKind, layers: Option<&Layers>, out: &mut Vec<EffectiveItem>) {
        fn of<T: Clone + Serialize>(
            compiler: &Compiler<'_>,
            kind: ItemKind,
            layers: Option<&Layers>,
            pick: impl Fn(&RuleFile) -> &Vec<T>,
            id: impl Fn(&T) -> &str,
            out: &mut Vec<EffectiveItem>,
        ) {
            for located in compiler.items(pick, &id, kind) {
                let item = serde_json::to_value(&located.item).unwrap_or_default();
                let label = item.get("label").and_then(|l| serde_json::from_value::<Labels>(l.clone()).ok());
                out.push(EffectiveItem {
                    kind,
                    id: id(&located.item).to_owned(),
                    label,
                    rule: Layers::rule_ref(layers, &located.at),
                    item,
                });
            }
        }
        match kind {
            ItemKind::Question => of(self, kind, layers, |f| &f.questions, |i| &i.id, out),
            ItemKind::Parameter => of(self, kind, layers, |f| &f.parameters, |i| &i.id, out),
            ItemKind::MemberFact => of(self, kind, layers, |f| &f.member_facts, |i| &i.id, out),
            ItemKind::Derived => of(self, kind, layers, |f| &f.derived, |i| &i.id, out),
            ItemKind::Category => of(self, kind, layers, |f| &f.categories, |i| &i.id, out),
            ItemKind::Criterion => of(self, kind, layers, |f| &f.criteria, |i| &i.id, out),
            ItemKind::Level => of(self, kind, layers, |f| &f.levels, |i| &i.id, out),
            ItemKind::UrgentService => of(self, kind, layers, |f| &f.urgent_services, |i| &i.id, out),
            ItemKind::Consultation => of(self, kind, layers, |f| &f.consultations, |i| &i.id, out),
            ItemKind::Partner => of(self, kind, layers, |f| &f.partners, |i| &i.id, out),
            ItemKind::ReportingDuty => of(self, kind, layers, |f| &f.reporting_duties, |i| &i.id, out),
            ItemKind::Deadline => of(self, kind, layers, |f| &f.deadlines, |i| &i.id, out),
            ItemKind::ConsistencyCheck => of(self, kind, layers, |f| &f.consistency_checks, |i| &i.id, out),
            ItemKind::Activity => of(self, kind, layers, |f| &f.activities, |i| &i.id, out),
            ItemKind::Department => of(self, kind, layers, |f| &f.departments, |i| &i.id, out),
            ItemKind::DirectoryEntry => of(self, kind, layers, |f| &f.directory, |i| &i.id, out),
        }
    }
}
