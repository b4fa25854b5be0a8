//! Mistakes in rule files are found with file, rule and line; bad answers are reported in
//! full, by path, without their values; runaway rules are stopped.

use serde_json::json;
use sopro_engine::{AssessError, MemorySource, RuleSet, RuleSource};
use sopro_tests::khmao_source;

/// The default rule set with one file edited.
fn edited(file: &str, from: &str, to: &str) -> MemorySource {
    let mut source = khmao_source();
    let text = source.text(file).unwrap().to_owned();
    assert!(text.contains(from), "{file} has no `{from}`");
    source.insert(file, text.replacen(from, to, 1));
    source
}

fn line_of(source: &MemorySource, file: &str, needle: &str) -> usize {
    source.text(file).unwrap().lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn a_misspelt_field_is_named_with_file_rule_and_line() {
    let source =
        edited("criteria.yaml", "survey_act.food_present == false", "survey_act.food_presnt == false");
    let loaded = RuleSet::load(&source);
    assert!(loaded.ruleset.is_none());
    let d = loaded.diagnostics.iter().find(|d| d.code == "rules::unknown-field").unwrap();
    assert_eq!(d.file, "criteria.yaml");
    assert_eq!(d.rule.as_deref(), Some("criterion `sop_no_food_or_medicine`"));
    assert_eq!(d.line, Some(line_of(&source, "criteria.yaml", "food_presnt")));
    assert!(d.message.contains("food_presnt"), "{}", d.message);
}

#[test]
fn a_syntax_error_inside_a_block_expression_points_at_its_line() {
    let source =
        edited("criteria.yaml", "|| survey_act.heating == \"none\"", "|| survey_act.heating == = \"none\"");
    let loaded = RuleSet::load(&source);
    let d = loaded.diagnostics.iter().find(|d| d.code == "rules::rhai-syntax").unwrap();
    assert_eq!(d.rule.as_deref(), Some("criterion `housing_unfit`"));
    assert_eq!(d.line, Some(line_of(&source, "criteria.yaml", "heating == = ")));
}

#[test]
fn unknown_names_duplicates_and_unknown_references_are_all_reported_at_once() {
    let mut source = edited(
        "categories.yaml",
        "when: children_for_large_family >= 3",
        "when: children_for_large_famly >= 3",
    );
    for (file, from, to) in [
        ("partners.yaml", "{criterion: alimony_unpaid}", "{criterion: alimony_unpayed}"),
        ("levels.yaml", "id: preventive", "id: crisis"),
    ] {
        let text = source.text(file).unwrap().to_owned();
        assert!(text.contains(from), "{file} has no `{from}`");
        source.insert(file, text.replacen(from, to, 1));
    }
    let loaded = RuleSet::load(&source);
    for (code, file) in [
        ("rules::unknown-name", "categories.yaml"),
        ("rules::unknown-id", "partners.yaml"),
        ("rules::duplicate-id", "levels.yaml"),
    ] {
        assert!(
            loaded.diagnostics.iter().any(|d| d.code == code && d.file == file),
            "no {code} in {file}: {:#?}",
            loaded.diagnostics
        );
    }
}

#[test]
fn a_test_case_that_expects_nothing_is_refused() {
    let mut source = khmao_source();
    let case = "- name: Ничего не ожидает\n  answers: {as_of: 2026-03-10, members: [{id: m1, role: mother, birth_date: 1990-01-01}]}\n  expect: {}\n";
    source.insert("tests/empty.yaml", case);
    let loaded = RuleSet::load(&source);
    let d = loaded.diagnostics.iter().find(|d| d.code == "rules::empty-expectation").expect("not reported");
    assert_eq!(d.file, "tests/empty.yaml");
    assert_eq!(d.line, Some(1));
    assert!(loaded.ruleset.is_none());
}

#[test]
fn a_level_no_family_can_reach_is_reported() {
    let source = edited(
        "levels.yaml",
        "      - {category: child_in_tzhs, severity: medium}",
        "      - {severity: high}",
    );
    let loaded = RuleSet::load(&source);
    let d = loaded.diagnostics.iter().find(|d| d.code == "rules::unreachable-level").unwrap();
    assert_eq!(d.rule.as_deref(), Some("level `rehabilitation`"));
}

#[test]
fn a_yaml_error_gives_the_line() {
    let source = edited("services.yaml", "  - id: u_food\n", "  - id: u_food\n   broken: [\n");
    let loaded = RuleSet::load(&source);
    let d = loaded.diagnostics.iter().find(|d| d.code == "rules::yaml").unwrap();
    assert_eq!(d.file, "services.yaml");
    // The item the broken line falls into, which YAML reads as lacking its label.
    assert_eq!(d.line, Some(line_of(&source, "services.yaml", "- id: u_food")));
}

#[test]
fn a_missing_label_is_reported() {
    let source =
        edited("partners.yaml", "label: {ru: \"Суд\", en: \"Court\"}", "label: {ru: \"\", en: \"Court\"}");
    let loaded = RuleSet::load(&source);
    let d = loaded.diagnostics.iter().find(|d| d.code == "rules::missing-label").unwrap();
    assert_eq!(d.rule.as_deref(), Some("partner `court`"));
}

#[test]
fn every_answer_problem_is_listed_by_path_and_no_value_is_repeated() {
    let rules = sopro_tests::khmao();
    let answers = json!({
        "as_of": "2026-13-40",
        "case": {"id": "Иванова Мария Петровна", "consent_interagency": "да, согласна"},
        "members": [
            {"id": "m1", "role": "mom", "birth_date": "1985-02-14", "monthly_income": -5},
            {"id": "m1", "role": "child", "birth_date": "2011-04-04", "diagnosis": "секретный диагноз"}
        ],
        "survey_act": {"utility_debt": "много долгов"},
        "questionnaire": {"requested_help": ["legal", "legal", "волшебство"]}
    });
    let Err(AssessError::InvalidAnswers { problems }) = rules.assess(&answers) else { panic!("accepted") };
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    for expected in [
        "/as_of",
        "/case/consent_interagency",
        "/members/0/role",
        "/members/0/monthly_income",
        "/members/1/diagnosis",
        "/members/1/id",
        "/survey_act/utility_debt",
        "/questionnaire/requested_help/1",
        "/questionnaire/requested_help/2",
    ] {
        assert!(paths.contains(&expected), "{expected} not in {paths:?}");
    }
    let everything = serde_json::to_string(&problems).unwrap();
    for secret in ["Иванова", "да, согласна", "mom", "-5", "секретный", "много", "волшебство", "2026-13-40"]
    {
        assert!(!everything.contains(secret), "the value `{secret}` leaked: {everything}");
    }
}

/// A copy of the default rule set with an extra function and a criterion that calls it.
fn with_hostile_function(function: &str, call: &str) -> RuleSet {
    let mut source = khmao_source();
    source.insert("hostile.rhai", function.to_owned());
    let criteria = source.text("criteria.yaml").unwrap().to_owned()
        + format!("\n  - id: hostile\n    label: {{ru: Тест, en: Test}}\n    severity: low\n    when: {call}\n    basis: [{{act: test, status: inferred}}]\n").as_str();
    source.insert("criteria.yaml", criteria);
    let loaded = RuleSet::load(&source);
    loaded.ruleset.unwrap_or_else(|| panic!("{:#?}", loaded.diagnostics))
}

fn family() -> serde_json::Value {
    json!({"as_of": "2026-03-10", "members": [{"id": "m1", "role": "mother", "birth_date": "1990-01-01"}]})
}

/// Stopped by work, not by time: at the per-evaluation limit of 500 000 Rhai operations.
#[test]
fn an_endless_loop_is_stopped_at_the_operations_limit_with_the_rule_named() {
    let rules = with_hostile_function("fn spin() { loop { } }", "spin()");
    let result = rules.assess(&family());
    let spent = sopro_engine::rhai_operations_spent();
    let Err(AssessError::RuleFailed { rule, file, message, .. }) = result else {
        panic!("not stopped: {result:?}")
    };
    assert_eq!(rule, "criterion `hostile`");
    assert_eq!(file, "criteria.yaml");
    assert!(message.contains("loop"), "{message}");
    assert!((1..=500_001).contains(&spent), "spent {spent} operations");
}

#[test]
fn endless_recursion_and_a_non_boolean_condition_fail_cleanly() {
    let rules = with_hostile_function("fn down(n) { down(n + 1) }", "down(0)");
    assert!(matches!(rules.assess(&family()), Err(AssessError::RuleFailed { .. })));
    let rules = with_hostile_function("fn text() { \"yes\" }", "text()");
    let Err(AssessError::RuleFailed { message, .. }) = rules.assess(&family()) else { panic!() };
    assert!(message.contains("yes/no"), "{message}");
}

#[test]
fn a_bundle_is_checked_for_its_format_and_digest() {
    let source = khmao_source();
    let rules = sopro_tests::khmao();
    let bundle = rules.bundle(&source);
    assert!(RuleSet::from_bundle(&bundle).is_ok());
    let mut tampered = bundle.clone();
    let criteria = tampered.files.get_mut("criteria.yaml").unwrap();
    criteria.push_str("\n# edited after bundling\n");
    assert!(matches!(RuleSet::from_bundle(&tampered), Err(sopro_engine::BundleError::DigestMismatch)));
    let mut unknown = bundle;
    unknown.format = "sopro-bundle/0".to_owned();
    assert!(matches!(RuleSet::from_bundle(&unknown), Err(sopro_engine::BundleError::UnknownFormat(_))));
}

#[test]
fn an_assessment_errors_kind_is_the_one_in_its_json() {
    let invalid = sopro_tests::khmao().assess(&json!({"as_of": "2026-03-10"})).unwrap_err();
    let failed = with_hostile_function("fn text() { \"yes\" }", "text()").assess(&family()).unwrap_err();
    let library = sopro_engine::RuleLibrary::new(vec![sopro_tests::khmao()]);
    let outside = library.assess(&json!({"as_of": "2099-01-01", "members": []})).unwrap_err();
    let mut kinds = Vec::new();
    for error in [invalid, failed, outside] {
        assert_eq!(serde_json::to_value(&error).unwrap()["kind"], error.kind());
        kinds.push(error.kind());
    }
    assert_eq!(kinds, ["invalid_answers", "rule_failed", "no_version_in_force"]);
}
