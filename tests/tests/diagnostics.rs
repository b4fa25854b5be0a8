//! Mistakes in rule files are found with file, rule and line; bad answers are reported in
//! full, by path, without their values; runaway rules are stopped.

use std::collections::BTreeSet;

use serde_json::json;
use sopro_engine::{AssessError, DiagnosticCode, MemorySource, RuleSet, RuleSource};
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

/// The smallest rule set worth the name, with no problem: each fixture of
/// `every_code_is_reached_with_its_file_and_line` edits it to make one.
fn tiny() -> MemorySource {
    const BASIS: &str = "basis: [{act: test, status: inferred}]";
    let mut source = MemorySource::new();
    source.insert(
        "ruleset.yaml",
        "ruleset:\n  id: tiny\n  version: \"1\"\n  title: {ru: Мини, en: Tiny}\n  in_force: {from: 2026-01-01}\n",
    );
    source.insert(
        "questions.yaml",
        "questions:
  - id: survey
    type: section
    label: {ru: Обследование, en: Survey}
    questions:
      - {id: food, type: bool, label: {ru: Еда, en: Food}}
",
    );
    source.insert(
        "rules.yaml",
        format!(
            "parameters:
  - id: limit
    label: {{ru: Предел, en: Limit}}
    values:
      - {{from: 2026-01-01, value: 3, basis: {{act: test, status: inferred}}}}
criteria:
  - id: no_food
    label: {{ru: Нет еды, en: No food}}
    severity: high
    when: survey.food == false
    {BASIS}
"
        ),
    );
    source.insert(
        "levels.yaml",
        format!(
            "levels:
  - id: high
    label: {{ru: Высокий, en: High}}
    if_any: [{{severity: high}}]
    {BASIS}
  - id: base
    label: {{ru: Базовый, en: Base}}
    otherwise: true
    {BASIS}
"
        ),
    );
    source.insert(
        "tests/base.yaml",
        "- name: Еда есть\n  answers: {as_of: 2026-03-10, members: []}\n  expect: {level: base}\n",
    );
    source
}

/// `tiny()` with edits: `(file, from, to)` replaces the first `from` in `file`; an empty `from`
/// appends `to` (a new file if there is none); `from` = `*` replaces the whole file.
fn tiny_with(edits: &[(&str, &str, &str)]) -> MemorySource {
    let mut source = tiny();
    for &(file, from, to) in edits {
        let text = source.text(file).unwrap_or("").to_owned();
        let edited = match from {
            "" => text + to,
            "*" => to.to_owned(),
            _ => {
                assert!(text.contains(from), "{file} has no `{from}`");
                text.replacen(from, to, 1)
            }
        };
        source.insert(file, edited);
    }
    source
}

/// Where a fixture's diagnostic must be: its file, and the line holding `line` (or no line).
struct Fixture {
    code: DiagnosticCode,
    source: MemorySource,
    file: &'static str,
    line: Option<&'static str>,
}

fn fixture(
    code: DiagnosticCode,
    edits: &[(&str, &str, &str)],
    file: &'static str,
    line: Option<&'static str>,
) -> Fixture {
    Fixture { code, source: tiny_with(edits), file, line }
}

fn fixtures() -> Vec<Fixture> {
    use DiagnosticCode as C;
    const FOOD: &str = "survey.food == false";
    const LEVEL: &str = "if_any: [{severity: high}]";
    let huge = "#".repeat(sopro_engine::MAX_RULE_FILE_SIZE + 1);
    let nested = format!("x: {}{}\n", "[".repeat(65), "]".repeat(65));
    let chain: String = (0..=65)
        .map(|n| {
            let value = if n == 0 { "1".to_owned() } else { format!("d{} + 1", n - 1) };
            format!("  - id: d{n}\n    label: {{ru: Д, en: D}}\n    value: \"{value}\"\n")
        })
        .collect();
    let chain = format!("derived:\n{chain}");
    vec![
        fixture(C::FileTooLarge, &[("large.yaml", "", &huge)], "large.yaml", None),
        fixture(C::NoManifest, &[("ruleset.yaml", "*", "")], "ruleset.yaml", None),
        fixture(
            C::DuplicateManifest,
            &[("second.yaml", "", "ruleset:\n  id: again\n  version: \"2\"\n  title: {ru: А, en: A}\n  in_force: {from: 2026-01-01}\n")],
            "second.yaml",
            Some("ruleset:"),
        ),
        fixture(C::Yaml, &[("questions.yaml", "type: bool", "type: boolean")], "questions.yaml", Some("boolean")),
        fixture(C::TooDeep, &[("deep.yaml", "", &nested)], "deep.yaml", Some("x: [[[")),
        fixture(C::TooDeep, &[("chain.yaml", "", &chain)], "chain.yaml", Some("d63 + 1")),
        fixture(C::Missing, &[("ruleset.yaml", "id: tiny", "id: \"\"")], "ruleset.yaml", Some("ruleset:")),
        fixture(C::BadDate, &[("ruleset.yaml", "2026-01-01", "2026-13-01")], "ruleset.yaml", Some("ruleset:")),
        fixture(C::MissingLabel, &[("rules.yaml", "ru: Нет еды", "ru: \"\"")], "rules.yaml", Some("id: no_food")),
        fixture(C::BadId, &[("rules.yaml", "id: no_food", "id: NoFood")], "rules.yaml", Some("id: NoFood")),
        fixture(
            C::DuplicateId,
            &[("questions.yaml", "", "      - {id: food, type: bool, label: {ru: Ещё, en: More}}\n")],
            "questions.yaml",
            Some("id: survey"),
        ),
        fixture(
            C::EmptySection,
            &[("questions.yaml", "", "  - id: empty\n    type: section\n    label: {ru: П, en: E}\n")],
            "questions.yaml",
            Some("id: empty"),
        ),
        fixture(
            C::NotASection,
            &[("questions.yaml", "", "  - id: plain\n    type: bool\n    label: {ru: П, en: P}\n    questions: [{id: x, type: bool, label: {ru: X, en: X}}]\n")],
            "questions.yaml",
            Some("id: plain"),
        ),
        fixture(
            C::NoValues,
            &[("questions.yaml", "", "  - id: kind\n    type: enum\n    label: {ru: Вид, en: Kind}\n")],
            "questions.yaml",
            Some("id: kind"),
        ),
        fixture(
            C::Nesting,
            &[("questions.yaml", "", "      - {id: inner, type: section, label: {ru: В, en: I}, questions: [{id: deeper, type: bool, label: {ru: Г, en: D}}]}\n")],
            "questions.yaml",
            Some("id: survey"),
        ),
        fixture(C::UnknownField, &[("rules.yaml", FOOD, "survey.fod == false")], "rules.yaml", Some("survey.fod")),
        fixture(C::BadPeriod, &[("levels.yaml", LEVEL, "if_any: [{severity: high}]\n    review_after: {days: 1, months: 1}")], "levels.yaml", Some("id: high")),
        fixture(C::BadValue, &[("rules.yaml", "value: 3", "value: .nan")], "rules.yaml", Some("id: limit")),
        fixture(
            C::OverlappingPeriods,
            &[("rules.yaml", "    values:\n", "    values:\n      - {from: 2026-06-01, value: 4, basis: {act: test, status: inferred}}\n")],
            "rules.yaml",
            Some("id: limit"),
        ),
        fixture(C::RhaiSyntax, &[("rules.yaml", FOOD, "survey.food == = false")], "rules.yaml", Some("== =")),
        fixture(C::Forbidden, &[("rules.yaml", FOOD, "survey.set(\"food\", true)")], "rules.yaml", Some("survey.set")),
        fixture(C::Functions, &[("functions.rhai", "", "fn yes() { true }\nthrow \"no\";\n")], "functions.rhai", Some("throw")),
        fixture(C::UnknownName, &[("rules.yaml", FOOD, "servey.food == false")], "rules.yaml", Some("servey")),
        fixture(
            C::Cycle,
            &[("derived.yaml", "", "derived:\n  - id: a\n    label: {ru: А, en: A}\n    value: b == true\n  - id: b\n    label: {ru: Б, en: B}\n    value: a == true\n")],
            "derived.yaml",
            Some("value: b"),
        ),
        fixture(
            C::EscalationNotHigher,
            &[("rules.yaml", "when: survey.food == false\n", "when: survey.food == false\n    escalate:\n      - severity: low\n        when: survey.food\n")],
            "rules.yaml",
            Some("        when: survey.food"),
        ),
        fixture(
            C::UnlabelledReason,
            &[("services.yaml", "", "urgent_services:\n  - id: meals\n    label: {ru: Еда, en: Meals}\n    when: survey.food == false\n    basis: [{act: test, status: inferred}]\n")],
            "services.yaml",
            Some("when:"),
        ),
        fixture(C::UnknownId, &[("levels.yaml", LEVEL, "if_any: [{criterion: nothing}]")], "levels.yaml", Some("id: high")),
        fixture(C::LevelInLevel, &[("levels.yaml", LEVEL, "if_any: [{level: [base]}]")], "levels.yaml", Some("id: high")),
        fixture(C::ServiceInLevel, &[("levels.yaml", LEVEL, "if_any: [{any_urgent_service: true}]")], "levels.yaml", Some("id: high")),
        fixture(C::AtLeast, &[("levels.yaml", LEVEL, "if_any: [{criterion: no_food, at_least: 2}]")], "levels.yaml", Some("id: high")),
        fixture(C::EmptyClause, &[("levels.yaml", LEVEL, "if_any: [{}]")], "levels.yaml", Some("id: high")),
        fixture(C::UnreachableLevel, &[("levels.yaml", LEVEL, "if_any: [{severity: low}]")], "levels.yaml", Some("id: high")),
        fixture(C::NoDefaultLevel, &[("levels.yaml", "otherwise: true", "if_any: [{criterion: no_food}]")], "levels.yaml", Some("id: base")),
        fixture(C::NoLevels, &[("levels.yaml", "*", "")], "levels.yaml", None),
        fixture(
            C::ConsentPerPartner,
            &[("partners.yaml", "", "partners:\n  - id: court\n    label: {ru: Суд, en: Court}\n    without_consent: true\n    triggers: [{criterion: no_food}]\n    basis: [{act: test, status: inferred}]\n")],
            "partners.yaml",
            Some("id: court"),
        ),
        fixture(C::NoTests, &[("tests/base.yaml", "*", "[]\n")], "tests/", None),
        fixture(C::EmptyExpectation, &[("tests/base.yaml", "{level: base}", "{}")], "tests/base.yaml", Some("name:")),
        fixture(
            C::BadActivity,
            &[("programme.yaml", "", "activities:\n  - id: a_food\n    label: {ru: Еда, en: Food}\n    for_any: [{criterion: no_food}]\n    responsible: {}\n    due_after: {days: 1}\n    result: {ru: Есть еда, en: Food}\n    monitoring: {months: 1}\n    basis: [{act: test, status: inferred}]\n")],
            "programme.yaml",
            Some("id: a_food"),
        ),
        fixture(
            C::NotServed,
            &[("programme.yaml", "", "departments:\n  - id: dep\n    label: {ru: Отделение, en: Department}\nactivities:\n  - id: a_review\n    label: {ru: Пересмотр, en: Review}\n    for_any: [{level: [high]}]\n    responsible: {department: dep}\n    until_review: true\n    result: {ru: Пересмотрено, en: Reviewed}\n    monitoring: {months: 3}\n    basis: [{act: test, status: inferred}]\n")],
            "programme.yaml",
            None,
        ),
    ]
}

/// The tiny rule set as a federal base (under `base/`, with `base_edits`), and an overlay on it:
/// a manifest that extends it, pinned to its digest, and `overlay` files (`(file, text)`).
fn layered(base_edits: &[(&str, &str, &str)], overlay: &[(&str, &str)]) -> MemorySource {
    let base = tiny_with(base_edits);
    let digest = RuleSet::load(&base).ruleset.expect("the base loads").digest().to_owned();
    let mut source = MemorySource::new();
    for path in base.paths() {
        source.insert(format!("base/{path}"), base.text(&path).unwrap());
    }
    source.insert(
        "ruleset.yaml",
        format!(
            "ruleset:\n  id: region\n  version: \"1\"\n  title: {{ru: Регион, en: Region}}\n  in_force: {{from: 2026-01-01}}\n  extends: {{id: tiny, version: \"1\", digest: \"{digest}\"}}\n"
        ),
    );
    source.insert("tests/base.yaml", tiny().text("tests/base.yaml").unwrap());
    for &(file, text) in overlay {
        let before = source.text(file).unwrap_or("").to_owned();
        source.insert(file, before + text);
    }
    source
}

/// A fixture on [`layered`]: the overlay files are edited, the base is tiny's own.
fn layered_fixture(
    code: DiagnosticCode,
    source: MemorySource,
    file: &'static str,
    line: Option<&'static str>,
) -> Fixture {
    Fixture { code, source, file, line }
}

/// The overlay fixtures: each conflict between a region and its base.
fn overlay_fixtures() -> Vec<Fixture> {
    use DiagnosticCode as C;
    const NO_FOOD: &str = "  - id: no_food\n    label: {ru: Нет еды, en: No food}\n    severity: high\n    when: survey.food == false\n    basis: [{act: test, status: inferred}]\n";
    let mut without_base = layered(&[], &[]);
    let mut bare = MemorySource::new();
    for path in without_base.paths().into_iter().filter(|p| !p.starts_with("base/")) {
        bare.insert(path.clone(), without_base.text(&path).unwrap());
    }
    without_base = bare;
    let renamed = layered(&[], &[]);
    let mut other_version = MemorySource::new();
    for path in renamed.paths() {
        other_version.insert(
            path.clone(),
            renamed
                .text(&path)
                .unwrap()
                .replace("extends: {id: tiny, version: \"1\"", "extends: {id: tiny, version: \"2\""),
        );
    }
    let mut stale = MemorySource::new();
    for path in renamed.paths() {
        let text = renamed.text(&path).unwrap();
        let text = match path.as_str() {
            "ruleset.yaml" => {
                let start = text.find("sha256:").unwrap();
                format!("{}sha256:0\"}}\n", &text[..start])
            }
            _ => text.to_owned(),
        };
        stale.insert(path, text);
    }
    vec![
        layered_fixture(C::NoBase, without_base, "ruleset.yaml", Some("ruleset:")),
        layered_fixture(C::BaseMismatch, other_version, "ruleset.yaml", Some("ruleset:")),
        layered_fixture(C::BaseDigest, stale, "ruleset.yaml", Some("ruleset:")),
        layered_fixture(
            C::RedefinesBase,
            layered(&[], &[("criteria.yaml", &format!("criteria:\n{NO_FOOD}"))]),
            "criteria.yaml",
            Some("id: no_food"),
        ),
        layered_fixture(
            C::NoSuchBaseItem,
            layered(&[], &[("overrides.yaml", "overrides:\n  criteria:\n    - id: gone\n      label: {ru: Нет, en: Gone}\n      severity: low\n      when: survey.food == false\n      basis: [{act: test, status: inferred}]\n")]),
            "overrides.yaml",
            Some("id: gone"),
        ),
        layered_fixture(
            C::OverrideUnchanged,
            layered(&[], &[("overrides.yaml", &format!("overrides:\n  criteria:\n{}", NO_FOOD.lines().map(|l| format!("  {l}\n")).collect::<String>()))]),
            "overrides.yaml",
            Some("id: no_food"),
        ),
        layered_fixture(
            C::BadOverlay,
            layered(&[], &[("overrides.yaml", "disable:\n  - {kind: criterion, id: no_food, reason: {ru: Не нужен, en: Not needed}, basis: []}\n")]),
            "overrides.yaml",
            Some("id: no_food"),
        ),
        layered_fixture(
            C::LayersOverlap,
            layered(&[], &[("criteria.yaml", "criteria:\n  - id: hungry\n    label: {ru: Голод, en: Hunger}\n    severity: medium\n    when: survey.food == false\n    basis: [{act: region, status: practice}]\n")]),
            "criteria.yaml",
            Some("id: hungry"),
        ),
        layered_fixture(
            C::LayersUndecided,
            layered(&[], &[("criteria.yaml", "criteria:\n  - id: hungry\n    label: {ru: Голод, en: Hunger}\n    severity: medium\n    when: survey.food == false || limit > 2\n    basis: [{act: region, status: practice}]\n")]),
            "criteria.yaml",
            Some("id: hungry"),
        ),
    ]
}

#[test]
fn the_tiny_rule_set_has_no_problem() {
    let loaded = RuleSet::load(&tiny());
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    assert!(loaded.ruleset.is_some());
}

/// Every code the engine has is produced by some fixture, in the file and on the line it names:
/// a new code without a fixture fails here.
#[test]
fn every_code_is_reached_with_its_file_and_line() {
    let mut reached = BTreeSet::new();
    let mut failures = Vec::new();
    for Fixture { code, source, file, line } in fixtures().into_iter().chain(overlay_fixtures()) {
        let loaded = RuleSet::load(&source);
        reached.extend(loaded.diagnostics.iter().map(|d| d.code));
        let line = line.map(|needle| line_of(&source, file, needle));
        if !loaded.diagnostics.iter().any(|d| d.code == code && d.file == file && d.line == line) {
            failures.push(format!("no {code} in {file} at line {line:?}: {:#?}", loaded.diagnostics));
        }
        let json = serde_json::to_value(&loaded.diagnostics).unwrap();
        assert!(json.as_array().unwrap().iter().any(|d| d["code"] == code.as_str()), "{json}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The rule set's codes; a sample profile's (`sample::…`) are reached in generator.rs.
    let all: BTreeSet<DiagnosticCode> =
        DiagnosticCode::ALL.iter().copied().filter(|c| c.as_str().starts_with("rules::")).collect();
    let missing: Vec<_> = all.difference(&reached).collect();
    assert!(missing.is_empty(), "codes no fixture reaches: {missing:?}");
    assert_eq!(reached, all);
}

/// A clause that names an unknown id has that error alone: it is not also called empty.
#[test]
fn an_unknown_id_in_a_clause_is_reported_once() {
    let fixture = fixtures().into_iter().find(|f| f.code == DiagnosticCode::UnknownId).unwrap();
    let codes: Vec<DiagnosticCode> =
        RuleSet::load(&fixture.source).diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [DiagnosticCode::UnknownId]);
}
