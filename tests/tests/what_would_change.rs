//! What would change (issue 12, deliverable 2), as properties over generated families of KhMAO
//! 2026.3 (the first version that declares its changeable answers):
//! - soundness: applying any reported set of changes reaches the goal, with the level reported;
//! - minimality: no proper part of a reported set reaches the goal;
//! - completeness of single changes against a brute force over every changeable answer that
//!   applies (not only those the dependency graph keeps) and every value of its kind the engine
//!   tries (both booleans, every enum value, an enum list's values alone and none, zero): no
//!   single change reaches the goal whose question no reported single change covers.

use serde_json::{json, Value};
use sopro_engine::model::{Question, QuestionType};
use sopro_engine::{Goal, RuleSet, WhatWouldChange};
use sopro_tests::{generated, root, with_answer};

fn rules() -> &'static RuleSet {
    static RULES: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(|| sopro_tests::compiled(&root().join("rules/khmao/2026.3")))
}

/// The outcome a goal speaks of: the level's rank (0 the highest) and every id present.
fn outcome(rules: &RuleSet, answers: &Value) -> Option<(usize, Vec<String>)> {
    let a = rules.assess_brief(answers).ok()?;
    let rank = rules.level_ids().iter().position(|l| **l == *a.level.id).unwrap();
    let ids = a.categories.iter().map(|c| &c.id).chain(a.criteria.iter().map(|c| &c.id));
    let ids = ids.chain(a.urgent_services.iter().map(|s| &s.id)).chain(a.partners.iter().map(|p| &p.id));
    Some((rank, ids.map(|id| id.to_string()).collect()))
}

fn reaches(rules: &RuleSet, goal: &Goal, base: &(usize, Vec<String>), answers: &Value) -> bool {
    let Some((rank, ids)) = outcome(rules, answers) else { return false };
    match goal {
        Goal::Lower => rank > base.0,
        Goal::Higher => rank < base.0,
        Goal::Level { id } => rules.level_ids()[rank] == &**id,
        Goal::Leave { id } => !ids.iter().any(|i| **i == **id),
        Goal::Enter { id } => ids.iter().any(|i| **i == **id),
    }
}

fn apply(answers: &Value, changes: &[(&str, &Value)]) -> Value {
    changes.iter().fold(answers.clone(), |a, (path, value)| with_answer(&a, path, (*value).clone()))
}

/// Every changeable answer of a family (members per member), with its question.
fn changeable<'q>(questions: &'q [Question], answers: &Value) -> Vec<(String, &'q Question)> {
    let mut out = Vec::new();
    for q in questions {
        match q.kind {
            QuestionType::Section => {
                out.extend(
                    q.questions.iter().filter(|f| f.changeable).map(|f| (format!("/{}/{}", q.id, f.id), f)),
                );
            }
            QuestionType::Records => {
                let count = answers.get(&q.id).and_then(Value::as_array).map_or(0, Vec::len);
                for i in 0..count {
                    let fields = q.questions.iter().filter(|f| f.changeable);
                    out.extend(fields.map(|f| (format!("/{}/{i}/{}", q.id, f.id), f)));
                }
            }
            _ if q.changeable => out.push((format!("/{}", q.id), q)),
            _ => {}
        }
    }
    out
}

/// The values of a question's kind that do not depend on the rules' thresholds.
fn values_of(q: &Question) -> Vec<Value> {
    match q.kind {
        QuestionType::Bool => vec![json!(true), json!(false)],
        QuestionType::Enum => q.values.iter().map(|v| json!(v.id)).collect(),
        QuestionType::EnumList => q.values.iter().map(|v| json!([v.id])).chain([json!([])]).collect(),
        QuestionType::Integer | QuestionType::Number | QuestionType::Money => vec![json!(0)],
        _ => Vec::new(),
    }
}

/// `/members/2/employment` → `members.employment`.
fn question_of(path: &str) -> String {
    path.trim_start_matches('/')
        .split('/')
        .filter(|s| s.parse::<usize>().is_err())
        .collect::<Vec<_>>()
        .join(".")
}

/// Checks one answer of `what_would_change`; returns how many sets it reported.
fn check(rules: &RuleSet, family: &Value, goal: &Goal, found: &WhatWouldChange) -> usize {
    let base = outcome(rules, family).unwrap();
    assert_eq!(found.reached, reaches(rules, goal, &base, family));
    for set in &found.sets {
        let changes: Vec<(&str, &Value)> = set.changes.iter().map(|c| (&*c.path, &c.after)).collect();
        assert!((1..=3).contains(&changes.len()));
        let after = apply(family, &changes);
        assert!(reaches(rules, goal, &base, &after), "{goal:?}: {} does not reach it", set.says.en);
        assert_eq!(*rules.assess_brief(&after).unwrap().level.id, *set.level, "{}", set.says.en);
        for c in &set.changes {
            assert_eq!(family.pointer(&c.path), c.before.as_ref(), "before of {}", c.path);
            assert_ne!(c.before.as_ref(), Some(&c.after));
        }
        // Minimal: leaving out any one change (and so any part) misses the goal.
        for skip in 0..changes.len() {
            if changes.len() == 1 {
                break;
            }
            let part: Vec<(&str, &Value)> =
                changes.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, c)| *c).collect();
            let parts: Vec<Vec<(&str, &Value)>> =
                if part.len() == 2 { vec![part.clone(), vec![part[0]], vec![part[1]]] } else { vec![part] };
            for part in parts {
                assert!(
                    !reaches(rules, goal, &base, &apply(family, &part)),
                    "{} is not minimal",
                    set.says.en
                );
            }
        }
    }
    if found.reached {
        return 0;
    }
    // Complete on single changes.
    let hidden = rules.relevant(family).hidden;
    let single: Vec<String> =
        found.sets.iter().filter(|s| s.changes.len() == 1).map(|s| question_of(&s.changes[0].path)).collect();
    for (path, question) in changeable(rules.questions(), family) {
        if hidden.iter().any(|h| **h == *path) {
            continue;
        }
        for value in values_of(question) {
            if family.pointer(&path) == Some(&value) {
                continue;
            }
            let after = with_answer(family, &path, value.clone());
            if reaches(rules, goal, &base, &after) {
                assert!(
                    single.contains(&question_of(&path)),
                    "{goal:?}: {path} = {value} reaches it, not reported (reported: {single:?})"
                );
            }
        }
    }
    found.sets.len()
}

#[test]
fn what_would_change_is_sound_minimal_and_complete_on_single_changes() {
    let rules = rules();
    let ids = ["c15_5_addiction", "omvd_pdn", "opeka", "risk_group", "kdn_zp", "czn"];
    let (mut asked, mut found_sets, mut combined) = (0, 0, 0);
    for (index, family) in generated(rules, 24, 31).into_iter().enumerate() {
        if rules.assess(&family).is_err() {
            continue;
        }
        let id = ids[index % ids.len()];
        let goals = [Goal::Lower, Goal::Higher, Goal::Leave { id: id.into() }, Goal::Enter { id: id.into() }];
        for goal in goals {
            let found = rules.what_would_change(&family, &goal).unwrap();
            found_sets += check(rules, &family, &goal, &found);
            combined += found.sets.iter().filter(|s| s.changes.len() > 1).count();
            asked += 1;
        }
    }
    assert!(asked >= 80, "only {asked} goals asked");
    assert!(found_sets >= asked / 2, "{found_sets} sets for {asked} goals");
    assert!(combined >= 1, "no pair or triple was ever needed");
}

#[test]
fn the_crisis_family_leaves_crisis_when_the_addiction_is_treated_and_the_mother_works() {
    let rules = rules();
    let family: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("examples/family-crisis.json")).unwrap())
            .unwrap();
    let found = rules.what_would_change(&family, &Goal::Lower).unwrap();
    check(rules, &family, &Goal::Lower, &found);
    assert_eq!(&*found.level, "crisis");
    let paths = |set: &sopro_engine::ChangeSet| {
        let mut paths: Vec<String> = set.changes.iter().map(|c| c.path.to_string()).collect();
        paths.sort_unstable();
        paths
    };
    let set = found
        .sets
        .iter()
        .find(|s| paths(s) == ["/members/0/employment", "/members/0/substance_abuse"])
        .expect("work and the addiction treated: a way to a lower level");
    // Any income at all ends "no work and no means" (`total_income == 0`): a sum the rules
    // build, found by probing the income, not from a literal.
    let income =
        found.sets.iter().find(|s| paths(s) == ["/members/0/monthly_income", "/members/0/substance_abuse"]);
    assert_eq!(income.map(|s| s.changes[0].after.clone()), Some(serde_json::json!(0.01)));
    assert!(found.says.ru.starts_with("Чтобы перейти на более низкий уровень"));
    assert!(set.says.ru.contains("→"), "{}", set.says.ru);
    // The dependency graph keeps fewer answers for one partner than for the level.
    let partner = rules.what_would_change(&family, &Goal::Leave { id: "czn".into() }).unwrap();
    assert!(partner.varied.len() < found.varied.len(), "{} vs {}", partner.varied.len(), found.varied.len());
    // Variants for other members are not reported as other ways.
    let higher = rules.what_would_change(&family, &Goal::Higher).unwrap();
    let questions: Vec<String> = higher.sets.iter().map(|s| question_of(&s.changes[0].path)).collect();
    let mut distinct = questions.clone();
    distinct.dedup();
    assert_eq!(questions.len(), distinct.len(), "{questions:?}");
    // Unknown ids are errors, not empty answers.
    let unknown = rules.what_would_change(&family, &Goal::Enter { id: "no_such_partner".into() });
    assert_eq!(unknown.unwrap_err().kind(), "unknown_goal");
}

#[test]
fn a_rule_set_that_declares_nothing_changeable_varies_nothing() {
    let published = sopro_tests::compiled(&root().join("rules/khmao/2026.2"));
    let family: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("examples/family-crisis.json")).unwrap())
            .unwrap();
    let found = published.what_would_change(&family, &Goal::Lower).unwrap();
    assert!(found.varied.is_empty() && found.sets.is_empty() && found.tried == 0);
}

#[test]
fn the_income_that_ends_low_income_is_found_to_the_kopeck() {
    // Two working parents and a child: per-capita income below the subsistence minimum. The
    // income at which the family stops being low-income is built from a parameter, the
    // household's size and the other parent's income — no literal in the rules gives it.
    let rules = rules();
    let family = json!({
        "as_of": "2026-03-10",
        "case": { "consent_interagency": true },
        "members": [
            { "id": "m1", "role": "mother", "birth_date": "1990-05-01", "monthly_income": 12000, "employment": "employed" },
            { "id": "f1", "role": "father", "birth_date": "1988-05-01", "monthly_income": 15000, "employment": "employed" },
            { "id": "c1", "role": "child", "birth_date": "2019-02-11", "education_status": "preschool_attending", "registered_at_polyclinic": true }
        ],
        "survey_act": { "housing_type": "own", "sanitary_state": "satisfactory", "food_present": true },
        "questionnaire": { "family_conflict": "none" }
    });
    let low_income =
        |answers: &Value| rules.assess(answers).unwrap().categories.iter().any(|c| &*c.id == "low_income");
    assert!(low_income(&family));
    let goal = Goal::Leave { id: "low_income".into() };
    let found = rules.what_would_change(&family, &goal).unwrap();
    check(rules, &family, &goal, &found);
    let set =
        found.sets.iter().find(|s| s.changes.len() == 1 && s.changes[0].path.ends_with("/monthly_income"));
    let change = &set.expect("one income raised is a way out of low income").changes[0];
    let after = change.after.as_f64().unwrap();
    assert!(after > 15000.0, "{after}");
    assert!(!low_income(&with_answer(&family, &change.path, change.after.clone())));
    // A kopeck less and the family is still low-income: the threshold, not just some sum above it.
    let less = ((after * 100.0).round() - 1.0) / 100.0;
    assert!(low_income(&with_answer(&family, &change.path, json!(less))), "{less} already leaves");
}
