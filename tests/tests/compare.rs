//! Two rule sets over one registry (`compare`, the rule studio's Compare): the same engine diff
//! as `sopro diff`, counted per change with the acts behind it.

use sopro_engine::{compare, diff, ChangeSign, MemorySource, RuleSet, RuleSource};
use sopro_tests::{generated, root, source};

fn published() -> MemorySource {
    source(&root().join("rules/khmao/2026.3"))
}

#[test]
fn a_rule_set_against_itself_changes_no_family() {
    let rules = RuleSet::load(&published()).ruleset.unwrap();
    let families = generated(&rules, 300, 5);
    let c = compare(&rules, &rules, &families, 10);
    assert_eq!((c.compared, c.changed, c.errors), (300, 0, 0));
    assert!(c.changes.is_empty() && c.families.is_empty());
    assert_eq!(c.transitions.iter().map(|t| t.families).sum::<u64>(), 300);
    assert!(c.transitions.iter().all(|t| t.from == t.to));
}

#[test]
fn a_lower_subsistence_minimum_takes_families_out_of_low_income_with_the_act() {
    let before = RuleSet::load(&published()).ruleset.unwrap();
    let mut edited = published();
    let text = edited.text("parameters.yaml").unwrap().replace("value: 22102", "value: 12000");
    edited.insert("parameters.yaml", text);
    let after = RuleSet::load(&edited).ruleset.unwrap();
    let families = generated(&before, 400, 9);
    let c = compare(&before, &after, &families, 5);
    let low_income = c
        .changes
        .iter()
        .find(|ch| &*ch.id == "low_income" && ch.kind == "category")
        .expect("low income changes");
    assert_eq!(low_income.sign, ChangeSign::Removed);
    assert!(low_income.acts.iter().any(|a| &*a.act == "197-оз" && a.families == low_income.families));
    assert!(c
        .changes
        .iter()
        .all(|ch| ch.sign != ChangeSign::Added || ch.kind != "category" || &*ch.id != "low_income"));
    // The same counts as the engine's diff family by family; the families kept are the first.
    let changed: Vec<u64> = families
        .iter()
        .enumerate()
        .filter(|(_, f)| !diff(&before.assess_brief(f).unwrap(), &after.assess_brief(f).unwrap()).is_empty())
        .map(|(n, _)| n as u64 + 1)
        .collect();
    assert_eq!(c.changed, changed.len() as u64);
    assert_eq!(c.families.iter().map(|f| f.record).collect::<Vec<_>>(), changed[..5]);
    // Most frequent first.
    assert!(c.changes.windows(2).all(|w| w[0].families >= w[1].families));
}
