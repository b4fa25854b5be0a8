//! Answers at the edges, each with a defined outcome (the table is in tests/README.md).

use serde_json::{json, Value};
use sopro_engine::{AssessError, Assessment, RuleSet};

fn rules() -> RuleSet {
    sopro_tests::khmao()
}

fn family() -> Value {
    json!({
        "as_of": "2026-03-10",
        "case": {"id": "86-2026-000001", "consent_interagency": true},
        "members": [
            {"id": "m1", "role": "mother", "birth_date": "1988-01-01", "monthly_income": 50000, "employment": "employed"},
            {"id": "c1", "role": "child", "birth_date": "2015-05-05", "education_status": "school_attending"}
        ]
    })
}

fn accepted(answers: &Value) -> Assessment {
    rules().assess(answers).unwrap_or_else(|e| panic!("refused: {e:?}"))
}

/// The problems' paths and codes; no problem may repeat the value it is about.
fn refused(answers: &Value, value: &str) -> Vec<(String, String)> {
    match rules().assess(answers) {
        Err(AssessError::InvalidAnswers { problems }) => {
            let text = serde_json::to_string(&problems).unwrap();
            assert!(!text.contains(value), "the value leaked: {text}");
            problems.into_iter().map(|p| (p.path, p.code.to_string())).collect()
        }
        other => panic!("accepted: {:?}", other.map(|a| a.level.id)),
    }
}

#[test]
fn unicode_in_free_text_is_kept_as_it_is() {
    let mut answers = family();
    answers["case"]["id"] = json!("86-ЖЁЛТЫЙ-🙂-\u{202e}-e\u{301}");
    assert_eq!(&*accepted(&answers).level.id, "none");
}

#[test]
fn a_string_longer_than_its_question_allows_is_refused_without_repeating_it() {
    let mut answers = family();
    answers["case"]["id"] = json!("Секрет".repeat(200_000));
    assert_eq!(refused(&answers, "Секрет"), [("/case/id".to_owned(), "too_long".to_owned())]);
}

#[test]
fn a_negative_income_is_refused() {
    let mut answers = family();
    answers["members"][0]["monthly_income"] = json!(-12345);
    assert_eq!(
        refused(&answers, "12345"),
        [("/members/0/monthly_income".to_owned(), "out_of_range".to_owned())]
    );
}

#[test]
fn a_birth_date_after_the_assessment_date_is_assessed_with_a_warning() {
    let mut answers = family();
    answers["members"][1]["birth_date"] = json!("2027-01-01");
    let assessment = accepted(&answers);
    let warning = assessment.warnings.iter().find(|w| w.code == "born_after_as_of").unwrap();
    assert_eq!(warning.path.as_deref(), Some("/members/1/birth_date"));
}

#[test]
fn a_duplicate_member_id_is_refused_at_the_second_one() {
    let mut answers = family();
    answers["members"][1]["id"] = json!("m1");
    let problems = refused(&answers, "\"m1\"");
    assert_eq!(problems.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(), ["/members/1/id"]);
}

#[test]
fn ten_thousand_members_are_assessed_and_ten_thousand_and_one_refused() {
    let mut answers = family();
    let child = |i: usize| json!({"id": format!("c{i}"), "role": "child", "birth_date": "2015-05-05"});
    let mut members: Vec<Value> = vec![answers["members"][0].clone()];
    members.extend((1..10_000).map(child));
    answers["members"] = json!(members);
    let assessment = accepted(&answers);
    assert!(assessment.categories.iter().any(|c| &*c.id == "large_family"));
    answers["members"].as_array_mut().unwrap().push(child(10_000));
    let problems = refused(&answers, "c10000");
    assert_eq!(problems.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(), ["/members"]);
}

#[test]
fn nan_and_infinity_in_yaml_answers_are_refused_by_path() {
    let dir = std::env::temp_dir().join(format!("sopro-edge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("family.yaml");
    std::fs::write(&file, "as_of: 2026-03-10\nmembers:\n  - {id: m1, role: mother, monthly_income: .nan}\n")
        .unwrap();
    let error = sopro_cli::files::read_answers(&file).unwrap_err();
    assert!(error.contains("/members/0/monthly_income is not a finite number"), "{error}");
    std::fs::write(&file, "as_of: 2026-03-10\nsurvey_act: {area_m2: -.inf}\n").unwrap();
    let error = sopro_cli::files::read_answers(&file).unwrap_err();
    assert!(error.contains("/survey_act/area_m2"), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_date_without_a_subsistence_minimum_is_refused_at_as_of() {
    let mut answers = family();
    answers["as_of"] = json!("9405-03-10");
    let problems = refused(&answers, "9405");
    assert!(problems.iter().all(|p| p == &("/as_of".to_owned(), "no_parameter_value".to_owned())));
    assert!(!problems.is_empty());
}
