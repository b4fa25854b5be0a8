//! The thresholds the rules compare answers with: the literals of the comparisons in the
//! native programs (`compiled::program`), by answer path. Ages count too: a member fact that is
//! `age_on(m.<date>, …)` carries its comparisons over to the date field (as ages), and so does
//! a derived fact that is the least of a member field (`min_of("age")`). Expressions outside the
//! native subset are not looked into, but what they read is counted as `computed`.

use std::collections::{BTreeMap, BTreeSet};

use crate::compiled::program::{Lit, Op, Program, Slot};
use crate::compiled::{FamilySource, NodeKind, RuleSet};
use crate::format::model::MEMBERS;

/// Thresholds by dotted answer path (`survey_act.utility_debt`, `members.birth_date`).
#[derive(Debug, Default)]
pub(crate) struct Thresholds {
    /// Numbers compared with a numeric answer.
    pub values: BTreeMap<String, Vec<f64>>,
    /// Ages compared with the age computed from a date answer.
    pub ages: BTreeMap<String, Vec<f64>>,
    /// Answers the rules use otherwise than by comparing them with a literal (summed, divided,
    /// compared with a parameter, or read by an expression outside the native subset): the
    /// thresholds that matter for them may be built from parameters and other answers, and
    /// have to be found by probing (`tools::breakpoints`).
    pub computed: BTreeSet<String>,
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
        // `age_on(m.<date>, <a name or literal>)`: the date pushed first, then `on`, then AgeOn.
        if let Some([Op::Load(Slot::Member(s)), Op::Load(_) | Op::Lit(_), Op::AgeOn]) =
            fact.expr.native.as_ref().map(main)
        {
            if let Some(Target::Value(path)) = member.get(s).cloned() {
                member.insert(fact.slot, Target::Age(path));
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
        if let Some([Op::MinOf(_, s)]) = node.expr.native.as_ref().map(main) {
            if let Some(target) = member.get(s).cloned() {
                family.insert(node.slot, target);
            }
        }
    }
    let mut found = Thresholds::default();
    for expr in rules.exprs() {
        match &expr.native {
            Some(native) => walk(native, &member, &family, &mut found),
            None => {
                let family = expr.reads.family.iter().map(|p| p.trim_start_matches('/').replace('/', "."));
                let member = expr.reads.own_member.iter().chain(&expr.reads.every_member);
                found.computed.extend(family.chain(member.map(|f| format!("{MEMBERS}.{f}"))));
            }
        }
    }
    for list in found.values.values_mut().chain(found.ages.values_mut()) {
        list.sort_by(f64::total_cmp);
        list.dedup();
    }
    found
}

/// The instructions of the expression itself (not of its closures).
fn main(program: &Program) -> &[Op] {
    program.ops.get(program.main.start as usize..program.main.end as usize).unwrap_or_default()
}

/// Every comparison of a slot with a number, in the expression and its closures alike (their
/// bodies are instructions of the same program).
fn walk(
    program: &Program,
    member: &BTreeMap<usize, Target>,
    family: &BTreeMap<usize, Target>,
    out: &mut Thresholds,
) {
    let mut record = |slot: &Slot, lit: u32| {
        let number = match program.lits.get(lit as usize) {
            Some(Lit::Int(n)) => *n as f64,
            Some(Lit::Float(x)) => *x,
            _ => return,
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
    };
    let mut computed = |slot: &Slot| {
        let target = match slot {
            Slot::Member(s) => member.get(s),
            Slot::Family(s) => family.get(s),
        };
        if let Some(Target::Value(path)) = target {
            out.computed.insert(path.clone());
        }
    };
    for (i, op) in program.ops.iter().enumerate() {
        let before = i.checked_sub(1).and_then(|b| program.ops.get(b));
        let after = program.ops.get(i + 1);
        match op {
            // Asked whether answered, or compared with a literal: nothing computed from it.
            Op::Load(_) if matches!(after, Some(Op::Answered)) => {}
            Op::Load(_) if matches!((before, after), (Some(Op::Lit(_)), Some(Op::Cmp(_)))) => {}
            Op::Load(slot) => computed(slot),
            Op::SumOf(s) | Op::MinOf(_, s) => computed(&Slot::Member(*s)),
            _ => {}
        }
    }
    for (i, op) in program.ops.iter().enumerate() {
        match op {
            Op::CmpSlotLit(_, slot, lit) => record(slot, *lit),
            // `literal <cmp> slot` (the fused form is for `slot <cmp> literal` only).
            Op::Cmp(_) => {
                if let Some([Op::Lit(lit), Op::Load(slot)]) =
                    i.checked_sub(2).and_then(|s| program.ops.get(s..i))
                {
                    record(slot, *lit);
                }
            }
            _ => {}
        }
    }
}
