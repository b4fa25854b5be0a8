//! Answers read from JSON text straight into the values rules see (`RuleSet::assess_json`,
//! `validate_json`, `peek_strings`) give exactly what the same answers give as a
//! `serde_json::Value`: the same problems in the same order, the same assessment to the byte,
//! whatever the order of the keys in the text, with duplicated keys counted as a `Value`
//! counts them (the last), and text that is not JSON refused at the same position.

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{json, Value};
use sopro_engine::{peek_strings, AssessError, Explain, RuleSet};

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| sopro_tests::compiled(&sopro_tests::root().join("rules/khmao/2026.2")))
}

fn generated(n: usize, seed: u64) -> Vec<Value> {
    let profile = sopro_tests::khmao_sample();
    rules().generator(Some(&profile)).families(n, seed).collect()
}

/// JSON text of a value with the keys of every object in reverse order.
fn reversed(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let entries: Vec<String> = map
                .iter()
                .rev()
                .map(|(k, v)| format!("{}:{}", serde_json::to_string(k).unwrap(), reversed(v)))
                .collect();
            format!("{{{}}}", entries.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(reversed).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

/// The outcome as bytes: the assessment, or the error (problems in order).
fn outcome(result: Result<sopro_engine::Assessment, AssessError>) -> String {
    match result {
        Ok(assessment) => serde_json::to_string(&assessment).unwrap(),
        Err(error) => format!("error {}", serde_json::to_string(&error).unwrap()),
    }
}

/// Text and `Value` agree on `text` (which must be JSON): problems and assessment, in every
/// level of explanation.
fn agree(text: &str) -> String {
    let value: Value = serde_json::from_str(text).unwrap();
    let rules = rules();
    assert_eq!(
        rules.validate_json(text).unwrap(),
        rules.validate_answers(&value),
        "problems differ for {text}"
    );
    let mut first = String::new();
    for explain in [Explain::ALL, Explain::BRIEF] {
        let from_text = outcome(rules.assess_json(text, explain).unwrap());
        let from_value = outcome(rules.assess_with(&value, explain));
        assert_eq!(from_text, from_value, "outcomes differ for {text}");
        if first.is_empty() {
            first = from_text;
        }
    }
    first
}

#[test]
fn generated_families_read_from_text_are_assessed_as_from_a_value() {
    let mut assessed = 0;
    for family in generated(900, 2026) {
        let outcome = agree(&family.to_string());
        agree(&reversed(&family));
        assessed += usize::from(!outcome.starts_with("error"));
    }
    // The comparison is about assessments, not only refusals.
    assert!(assessed > 800, "only {assessed} of 900 generated families were assessed");
}

#[test]
fn broken_answers_give_the_same_problems_in_the_same_order() {
    let base = generated(1, 7).remove(0);
    let mut cases = Vec::new();
    let mut with = |edit: &dyn Fn(&mut Value)| {
        let mut answers = base.clone();
        edit(&mut answers);
        cases.push(answers);
    };
    with(&|a| a["as_of"] = json!("2026-02-30"));
    with(&|a| a["zz_unknown"] = json!(1));
    with(&|a| a["aa_unknown"] = json!({"x": [1, 2]}));
    with(&|a| a["members"][0]["role"] = json!(7));
    with(&|a| a["members"][0]["birth_date"] = json!(null));
    with(&|a| a["members"][0]["extra"] = json!("x"));
    with(&|a| a["members"] = json!([]));
    with(&|a| a["members"] = json!({"id": "m1"}));
    with(&|a| a["members"][0] = json!(null));
    with(&|a| a["members"][0] = json!([1]));
    with(&|a| a["case"] = json!("86"));
    with(&|a| a.as_object_mut().unwrap().remove("as_of").map(drop).unwrap_or(()));
    with(&|a| {
        let first = a["members"][0].clone();
        a["members"].as_array_mut().unwrap().push(first);
    });
    with(&|a| {
        a["members"][0]["monthly_income"] = json!(-5);
        a["members"][0]["employment"] = json!("на луне");
        a["as_of"] = json!(20260101);
        a["yy"] = json!(true);
    });
    let mut refused = 0;
    for answers in &cases {
        let outcome = agree(&answers.to_string());
        agree(&reversed(answers));
        if outcome.starts_with("error") {
            refused += 1;
        } else {
            eprintln!("accepted: {answers}");
        }
    }
    assert_eq!(refused, cases.len(), "every broken family is refused");
    // `case` is not required: `null` there is "not answered", and the family is assessed.
    let mut no_case = base.clone();
    no_case["case"] = json!(null);
    assert!(!agree(&no_case.to_string()).starts_with("error"));
    for whole in [json!([]), json!(null), json!("text"), json!(5), json!({})] {
        agree(&whole.to_string());
    }
}

#[test]
fn the_last_of_a_duplicated_key_counts_as_in_a_value() {
    let family = generated(1, 11).remove(0);
    let text = family.to_string();
    let body = text.strip_prefix('{').unwrap();
    // An earlier, broken copy of keys that come again later (and one that comes later broken).
    for prefix in [
        r#"{"as_of":"not a date","#,
        r#"{"members":7,"#,
        r#"{"case":{"unknown":1},"zz":1,"zz":2,"#,
        r#"{"as_of":null,"#,
    ] {
        agree(&format!("{prefix}{body}"));
    }
    let broken_later = format!("{},\"as_of\":\"2026-13-01\"}}", text.strip_suffix('}').unwrap());
    let outcome = agree(&broken_later);
    assert!(outcome.contains("/as_of"), "the later, broken `as_of` counts: {outcome}");
    let found = peek_strings(&broken_later, &[&["as_of"], &["case", "id"]]).unwrap();
    assert_eq!(found[0].as_deref(), Some("2026-13-01"));
    assert_eq!(found[1].as_deref(), family.pointer("/case/id").and_then(Value::as_str));
    let replaced = peek_strings(r#"{"case":{"id":"a"},"case":{"x":1}}"#, &[&["case", "id"]]).unwrap();
    assert_eq!(replaced[0], None, "a later `case` without an id replaces the earlier one");
}

#[test]
fn text_that_is_not_json_is_refused_where_serde_json_stops() {
    let family = generated(1, 3).remove(0).to_string();
    let cut = &family[..family.len() / 2];
    let samples = [
        cut.to_owned(),
        format!("{family} trailing"),
        format!("{family}}}"),
        "{\"as_of\": 1e400}".to_owned(),
        "{\"zz\": [1e400]}".to_owned(),
        "{\"as_of\": \"\\ud800\"}".to_owned(),
        "\n\n  {\"as_of\" \"2026-01-01\"}".to_owned(),
        String::new(),
        "[".repeat(200),
    ];
    for text in &samples {
        let expected = serde_json::from_str::<Value>(text).unwrap_err();
        let position = (expected.line(), expected.column());
        let read = rules().assess_json(text, Explain::ALL).map(|_| ()).unwrap_err();
        assert_eq!((read.line, read.column), position, "assess_json on {text:?}");
        let problems = rules().validate_json(text).map(|_| ()).unwrap_err();
        assert_eq!((problems.line, problems.column), position, "validate_json on {text:?}");
        let peeked = peek_strings(text, &[&["as_of"]]).map(|_| ()).unwrap_err();
        assert_eq!((peeked.line, peeked.column), position, "peek_strings on {text:?}");
    }
}

/// Arbitrary JSON.
fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        "\\PC{0,12}".prop_map(Value::String),
        Just(json!("2026-03-01")),
        Just(json!("mother")),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every place in a document, by JSON pointer (objects and arrays too).
fn places(value: &Value, path: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| places(v, format!("{path}/{k}"), out)),
        Value::Array(items) => {
            items.iter().enumerate().for_each(|(i, v)| places(v, format!("{path}/{i}"), out))
        }
        _ => {}
    }
    out.push(path);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, failure_persistence: None, ..ProptestConfig::default() })]

    /// Arbitrary JSON put anywhere in a generated family, written with its keys in either order.
    #[test]
    fn arbitrary_answers_agree(
        seed in 0_u64..500,
        pick in any::<prop::sample::Index>(),
        value in arbitrary_json(),
        whole in any::<bool>(),
    ) {
        let answers = if whole {
            value
        } else {
            let mut answers = generated(1, seed).remove(0);
            let mut found = Vec::new();
            places(&answers, String::new(), &mut found);
            let path = pick.get(&found).clone();
            match answers.pointer_mut(&path) {
                Some(place) if !path.is_empty() => *place = value,
                _ => answers["zz_extra"] = value,
            }
            answers
        };
        agree(&answers.to_string());
        agree(&reversed(&answers));
    }
}
