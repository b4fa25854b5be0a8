//! The committed JSON Schemas are current, and the answers schema accepts exactly what the
//! engine accepts (proved with the jsonschema crate over valid and broken answers).

use serde_json::{json, Value};
use sopro_tests::{khmao, root};

fn committed(name: &str) -> Value {
    let path = root().join("rules/schema").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn committed_schemas_are_current() {
    let current = [
        ("ruleset.schema.json", sopro_engine::ruleset_schema()),
        ("tests.schema.json", sopro_engine::test_file_schema()),
        ("assessment.schema.json", sopro_engine::assessment_schema()),
        ("sample.schema.json", sopro_engine::sample_schema()),
        ("khmao-2026.1.answers.schema.json", sopro_engine::answers_schema(&khmao())),
    ];
    let mut stale = Vec::new();
    for (name, schema) in current {
        if std::env::var_os("SOPRO_BLESS").is_some() {
            let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
            std::fs::write(root().join("rules/schema").join(name), text).unwrap();
        } else if committed(name) != schema {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "stale schemas {stale:?}: run `SOPRO_BLESS=1 cargo test -p sopro-tests --test schemas`"
    );
}

/// Every test case of every bundled rule set: each one the case expects to be assessed is, and
/// its assessment fits the schema; the ones refused are refused as the case expects.
#[test]
fn every_assessment_of_the_bundled_cases_fits_the_assessment_schema() {
    let validator = jsonschema::validator_for(&sopro_engine::assessment_schema()).unwrap();
    let mut checked = 0;
    for dir in sopro_tests::bundled_rule_sets() {
        let rules = sopro_tests::compiled(&dir);
        for case in rules.test_cases() {
            let result = rules.assess(&case.answers);
            let refused = case.expect.invalid_at.is_some();
            match result {
                Ok(assessment) => {
                    assert!(
                        !refused,
                        "{}: {}: assessed, but the case expects a refusal",
                        dir.display(),
                        case.name
                    );
                    let value = serde_json::to_value(&assessment).unwrap();
                    let errors: Vec<String> = validator.iter_errors(&value).map(|e| e.to_string()).collect();
                    assert!(errors.is_empty(), "{}: {}: {errors:?}", dir.display(), case.name);
                    checked += 1;
                }
                Err(error) => assert!(refused, "{}: {}: not assessed: {error}", dir.display(), case.name),
            }
        }
    }
    assert!(checked >= 90, "only {checked} assessments checked against the schema");
}

/// Variants of valid answers: each field replaced by a wrong (and a right) value of every kind.
fn variants(base: &Value) -> Vec<Value> {
    let replacements = [
        json!(null),
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(2.0),
        json!(100000),
        json!("x"),
        json!("2026-02-30"),
        json!("2026-02-28"),
        json!("2026-2-8"),
        json!("none"),
        json!("child"),
        json!([]),
        json!(["legal"]),
        json!(["legal", "legal"]),
        json!({}),
    ];
    let mut out = vec![base.clone()];
    let mut pointers = Vec::new();
    collect_pointers(base, String::new(), &mut pointers);
    for pointer in pointers {
        for replacement in &replacements {
            let mut variant = base.clone();
            if let Some(slot) = variant.pointer_mut(&pointer) {
                *slot = replacement.clone();
                out.push(variant);
            }
        }
        // The field removed.
        let mut removed = base.clone();
        if let Some((parent, key)) = pointer.rsplit_once('/') {
            if let Some(Value::Object(map)) = removed.pointer_mut(parent) {
                map.remove(key);
                out.push(removed);
            }
        }
    }
    // Unknown fields at every level.
    for parent in ["", "/case", "/members/0", "/survey_act", "/questionnaire"] {
        let mut variant = base.clone();
        if let Some(Value::Object(map)) = variant.pointer_mut(parent) {
            map.insert("favourite_colour".into(), json!("blue"));
            out.push(variant);
        }
    }
    out
}

fn collect_pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let here = format!("{at}/{key}");
                out.push(here.clone());
                collect_pointers(child, here, out);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                let here = format!("{at}/{index}");
                out.push(here.clone());
                collect_pointers(child, here, out);
            }
        }
        _ => {}
    }
}

#[test]
fn the_answers_schema_accepts_exactly_what_the_engine_accepts() {
    let rules = khmao();
    let schema = sopro_engine::answers_schema(&rules);
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).unwrap();
    let mut checked = 0;
    let mut accepted = 0;
    let mut disagreements = Vec::new();
    for case in rules.test_cases() {
        for variant in variants(&case.answers) {
            let engine_ok = rules.validate_answers(&variant).is_empty();
            let schema_ok = validator.is_valid(&variant);
            checked += 1;
            accepted += usize::from(engine_ok);
            if engine_ok != schema_ok && !duplicate_member_ids(&variant) {
                disagreements
                    .push(format!("{}: engine {engine_ok}, schema {schema_ok}: {variant}", case.name));
            }
        }
    }
    assert!(checked > 5_000, "only {checked} variants");
    // Both sides of the agreement are exercised: a schema and an engine that both refused
    // (or both accepted) everything would agree too.
    assert!(accepted >= 1_000 && checked - accepted >= 1_000, "{accepted} of {checked} accepted");
    assert!(
        disagreements.is_empty(),
        "{} disagreements, e.g.\n{}",
        disagreements.len(),
        disagreements.iter().take(5).cloned().collect::<Vec<_>>().join("\n")
    );
}

/// The one documented difference: JSON Schema cannot require member ids to differ.
fn duplicate_member_ids(answers: &Value) -> bool {
    let Some(members) = answers["members"].as_array() else { return false };
    let mut ids: Vec<String> =
        members.iter().filter_map(|m| m.get("id")).filter(|v| !v.is_null()).map(Value::to_string).collect();
    let total = ids.len();
    ids.sort();
    ids.dedup();
    ids.len() != total
}

#[test]
fn duplicate_member_ids_are_the_documented_difference() {
    let rules = khmao();
    let schema = sopro_engine::answers_schema(&rules);
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).unwrap();
    let answers = json!({"as_of": "2026-03-10", "members": [
        {"id": "m1", "role": "mother", "birth_date": "1990-01-01"},
        {"id": "m1", "role": "child", "birth_date": "2015-01-01"}]});
    assert!(validator.is_valid(&answers));
    let problems = rules.validate_answers(&answers);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].path, "/members/1/id");
    assert!(schema["properties"]["members"]["description"].as_str().unwrap().contains("must differ"));
}
