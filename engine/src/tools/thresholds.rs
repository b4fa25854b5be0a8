//! The thresholds the rules compare answers with: the literals of the comparisons in the
//! native programs (`compiled::program`), by answer path. Ages count too: a member fact that is
//! `age_on(m.<date>, …)` carries its comparisons over to the date field (as ages), and so does
//! a derived fact that is the least of a member field (`min_of("age")`). Expressions outside the
//! native subset are not looked into.

use std::collections::BTreeMap;

use crate::compiled::program::{Lit, Node, Slot};
use crate::compiled::{FamilySource, NodeKind, RuleSet};
use crate::format::model::MEMBERS;

/// Thresholds by dotted answer path (`survey_act.utility_debt`, `members.birth_date`).
#[derive(Debug, Default)]
pub(crate) struct Thresholds {
    /// Numbers compared with a numeric answer.
    pub values: BTreeMap<String, Vec<f64>>,
    /// Ages compared with the age computed from a date answer.
    pub ages: BTreeMap<String, Vec<f64>>,
}

/// What a slot stands for, for thresholds.
#[derive(Clone)]
enum Target {
    Value(String),
    Age(String),
}

/// The thresholds of every native expression of the rule set.
pub(crate) fn thresholds(rules: &RuleSet) -> Thresholds {
    let mut member: BTreeMap<usize, Target> = BTreeMap::new();
    for (slot, (name, kind)) in rules.slots.member.iter().enumerate() {
        if kind.is_some() {
            member.insert(slot, Target::Value(format!("{MEMBERS}.{name}")));
        }
    }
    for fact in &rules.member_facts {
        if let Some(Node::AgeOn(birth, _)) = &fact.expr.native {
            if let Node::Load(Slot::Member(s)) = **birth {
                if let Some(Target::Value(path)) = member.get(&s).cloned() {
                    member.insert(fact.slot, Target::Age(path));
                }
            }
        }
    }
    let mut family: BTreeMap<usize, Target> = BTreeMap::new();
    for (slot, source) in rules.slots.family.iter().enumerate() {
        if let FamilySource::Answer { section, id, .. } = source {
            let path = section.as_ref().map_or_else(|| id.clone(), |s| format!("{s}.{id}"));
            family.insert(slot, Target::Value(path));
        }
    }
    for node in rules.nodes.iter().filter(|n| n.kind == NodeKind::Derived) {
        if let Some(Node::MinOf(_, s)) = &node.expr.native {
            if let Some(target) = member.get(s).cloned() {
                family.insert(node.slot, target);
            }
        }
    }
    let mut found = Thresholds::default();
    let exprs = rules
        .member_facts
        .iter()
        .map(|f| &f.expr)
        .chain(rules.nodes.iter().map(|n| &n.expr))
        .chain(rules.criteria.iter().flat_map(|c| c.escalate.iter().map(|(_, e)| e)))
        .chain(rules.whens().map(|w| &w.expr))
        .chain(rules.consistency.iter().map(|c| &c.expr))
        .chain(rules.relevance.iter().map(|r| &r.expr));
    for expr in exprs {
        if let Some(native) = &expr.native {
            walk(native, &member, &family, &mut found);
        }
    }
    for list in found.values.values_mut().chain(found.ages.values_mut()) {
        list.sort_by(f64::total_cmp);
        list.dedup();
    }
    found
}

fn walk(
    node: &Node,
    member: &BTreeMap<usize, Target>,
    family: &BTreeMap<usize, Target>,
    out: &mut Thresholds,
) {
    match node {
        Node::Cmp(_, a, b) => {
            for (load, lit) in [(a, b), (b, a)] {
                let (Node::Load(slot), Node::Lit(lit)) = (&**load, &**lit) else { continue };
                let number = match lit {
                    Lit::Int(n) => *n as f64,
                    Lit::Float(x) => *x,
                    _ => continue,
                };
                let target = match slot {
                    Slot::Member(s) => member.get(s),
                    Slot::Family(s) => family.get(s),
                };
                match target {
                    Some(Target::Value(path)) => out.values.entry(path.clone()).or_default().push(number),
                    Some(Target::Age(path)) => out.ages.entry(path.clone()).or_default().push(number),
                    None => {}
                }
            }
            walk(a, member, family, out);
            walk(b, member, family, out);
        }
        Node::Not(a) | Node::Neg(a) | Node::Some(a) | Node::Answered(a) | Node::InList(a, _) => {
            walk(a, member, family, out)
        }
        Node::And(a, b) | Node::Or(a, b) | Node::Arith(_, a, b) | Node::InValue(a, b) | Node::AgeOn(a, b) => {
            walk(a, member, family, out);
            walk(b, member, family, out);
        }
        Node::Count(Some(a)) | Node::MinOf(Some(a), _) => walk(a, member, family, out),
        Node::All(filter, a) => {
            if let Some(filter) = filter {
                walk(filter, member, family, out);
            }
            walk(a, member, family, out);
        }
        Node::Lit(_) | Node::Load(_) | Node::Count(None) | Node::MinOf(None, _) | Node::SumOf(_) => {}
    }
}
