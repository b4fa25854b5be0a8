//! The native evaluator and Rhai agree: every bundled test family, and thousands of valid
//! variants of them, get byte-identical assessments either way (or the same refusal).

use serde_json::{json, Value};
use sopro_engine::RuleSet;
use sopro_tests::{bundled_rule_sets, source};

/// Valid-looking variants of a family: each answer flipped through values of its kind.
fn variants(answers: &Value) -> Vec<Value> {
    let mut out = vec![answers.clone()];
    let flips: [(&str, &[Value]); 14] = [
        ("/as_of", &[json!("2026-12-31"), json!("2022-06-01"), json!("2027-01-01")]),
        ("/case/consent_interagency", &[json!(true), json!(false), json!(null)]),
        ("/questionnaire/family_conflict", &[json!("persistent"), json!("occasional"), json!(null)]),
        ("/questionnaire/domestic_violence", &[json!(true), json!(false)]),
        ("/questionnaire/child_left_without_care", &[json!(true)]),
        ("/questionnaire/relatives_support", &[json!(false), json!(null)]),
        ("/questionnaire/emergency_event", &[json!("fire"), json!("death_of_breadwinner")]),
        ("/questionnaire/requested_help", &[json!(["legal", "employment", "housing"]), json!([])]),
        ("/questionnaire/kdn_sop_decision", &[json!(true)]),
        ("/survey_act/housing_type", &[json!("none"), json!("rented")]),
        ("/survey_act/food_present", &[json!(false), json!(null)]),
        ("/survey_act/utility_debt", &[json!(0), json!(99999.5)]),
        ("/survey_act/dwelling_condition", &[json!("emergency"), json!("unsatisfactory")]),
        ("/survey_act/child_under_10_left_alone", &[json!(true)]),
    ];
    for (pointer, values) in flips {
        for value in values {
            let mut variant = answers.clone();
            set(&mut variant, pointer, value.clone());
            out.push(variant);
        }
    }
    let member_flips: [(&str, &[Value]); 10] = [
        ("monthly_income", &[json!(0), json!(15000.5), json!(null), json!(22102), json!(33153)]),
        ("role", &[json!("child"), json!("guardian"), json!("grandparent")]),
        // Ages exactly at the rules' boundaries on 2026-03-10: 1, 7, 10, 16, 18, 23, and just under.
        (
            "birth_date",
            &[
                json!("2025-03-10"),
                json!("2019-03-10"),
                json!("2016-03-10"),
                json!("2010-03-10"),
                json!("2008-03-10"),
                json!("2008-03-11"),
                json!("2003-03-10"),
                json!("2026-03-11"),
            ],
        ),
        ("substance_abuse", &[json!("drugs"), json!(null)]),
        ("disability", &[json!(true)]),
        ("disability_group", &[json!("II")]),
        ("employment", &[json!("military_svo"), json!("unemployed")]),
        ("placement", &[json!("foster")]),
        ("education_status", &[json!("school_not_attending")]),
        ("self_care", &[json!("none")]),
    ];
    let members = answers["members"].as_array().map_or(0, Vec::len);
    for m in 0..members {
        for (field, values) in member_flips {
            for value in values {
                let mut variant = answers.clone();
                set(&mut variant, &format!("/members/{m}/{field}"), value.clone());
                out.push(variant);
            }
        }
    }
    out
}

fn set(answers: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    if answers.pointer(parent).is_none() {
        let (grand, name) = parent.rsplit_once('/').unwrap();
        if let Some(Value::Object(map)) = answers.pointer_mut(grand) {
            map.insert(name.to_owned(), json!({}));
        }
    }
    match answers.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.insert(key.to_owned(), value);
        }
        _ => panic!("cannot set {pointer}: {parent} is not an object"),
    }
}

#[test]
fn native_evaluation_gives_the_same_assessments_as_rhai() {
    for dir in bundled_rule_sets() {
        let files = source(&dir);
        let native = RuleSet::load(&files).ruleset.unwrap();
        let (native_count, _) = native.native_coverage();
        assert!(native_count > 0, "nothing evaluates natively in {}", dir.display());
        let rhai = RuleSet::load(&files).ruleset.unwrap().rhai_only();
        assert_eq!(rhai.native_coverage().0, 0);
        let mut compared = 0;
        for case in native.test_cases() {
            for answers in variants(&case.answers) {
                let (a, b) = (native.assess(&answers), rhai.assess(&answers));
                let both_assessed = a.is_ok() && b.is_ok();
                let (a, b) = (serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
                assert_eq!(a, b, "{}: `{}` differs for {answers}", dir.display(), case.name);
                // Only families both assessed count: two refusals compare no rule.
                compared += usize::from(both_assessed);
            }
        }
        // The template region under rules/examples/ has 3 cases; the real rule sets 30 and more.
        let least = if dir.starts_with(sopro_tests::root().join("rules/examples")) { 100 } else { 2_000 };
        assert!(compared > least, "{}: only {compared} families compared", dir.display());
    }
}
