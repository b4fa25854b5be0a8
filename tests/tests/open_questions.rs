//! Open questions (issue 12, deliverable 1): an unanswered question is open only if some value
//! it may take changes the outcome; what it is reported to change is what it changes; and a
//! question not reported open changes nothing over a wider sweep of values than the engine tries.

use serde_json::{json, Value};
use sopro_engine::{OpenQuestion, OutcomeKind, RuleSet};
use sopro_tests::{generated, khmao, with_answer as with};

/// The intake page's crisis family (seed 004's problem table), as the end-to-end test fills it.
fn addiction_family() -> Value {
    json!({
        "as_of": "2026-03-10",
        "case": { "consent_interagency": true },
        "members": [
            { "id": "m1", "role": "mother", "birth_date": "1990-05-01", "monthly_income": 0, "employment": "unemployed", "substance_abuse": "alcohol" },
            { "id": "c1", "role": "child", "birth_date": "2019-02-11", "education_status": "preschool_attending", "registered_at_polyclinic": true },
            { "id": "c2", "role": "child", "birth_date": "2013-09-01", "education_status": "school_attending", "adaptation_difficulties": true }
        ],
        "survey_act": { "housing_type": "municipal_social", "sanitary_state": "unsatisfactory", "food_present": true },
        "questionnaire": { "family_conflict": "occasional", "requested_help": ["benefits"] }
    })
}

/// The outcome the open questions speak of: level, and every part with its grade.
fn outcome(rules: &RuleSet, answers: &Value) -> Value {
    let a = rules.assess_brief(answers).expect("assessable");
    let ids = |v: Vec<(String, String)>| v.into_iter().map(|(id, g)| format!("{id}:{g}")).collect::<Vec<_>>();
    json!({
        "level": a.level.id.to_string(),
        "categories": ids(a.categories.iter().map(|c| (c.id.to_string(), String::new())).collect()),
        "criteria": ids(a.criteria.iter().map(|c| (c.id.to_string(), format!("{:?}", c.severity))).collect()),
        "services": ids(a.urgent_services.iter().map(|s| (s.id.to_string(), String::new())).collect()),
        "partners": ids(a.partners.iter().map(|p| (p.id.to_string(), format!("{:?}", p.urgency))).collect()),
    })
}

/// Values of every kind a question may hold, wider than the engine's candidates.
fn sweep(as_of: &str) -> Vec<Value> {
    let year: i64 = as_of[..4].parse().unwrap();
    let mut values = vec![json!(true), json!(false), json!([]), json!("…")];
    for x in [0, 1, 2, 3, 5, 10, 100, 1000, 5000, 10000, 15000, 20000, 25000, 30000, 50000, 100000, 1000000] {
        values.push(json!(x));
    }
    for age in [0, 1, 2, 3, 5, 6, 7, 10, 13, 14, 15, 16, 17, 18, 19, 21, 23, 24, 30, 50, 55, 60, 65, 80] {
        values.push(json!(format!("{}{}", year - age, &as_of[4..])));
    }
    values
}

/// Checks one family; returns how many (question, value) pairs were tried on closed questions.
fn check_family(rules: &RuleSet, family: &Value) -> usize {
    let open = rules.open_questions(family).expect("assessable");
    let base = outcome(rules, family);
    // Every reported answer changes the outcome as reported (the level at least).
    for question in &open {
        assert!(!question.answers.is_empty());
        for answer in &question.answers {
            let after = outcome(rules, &with(family, &question.path, answer.value.clone()));
            assert_ne!(
                after, base,
                "{} = {} was reported to change the outcome",
                question.path, answer.value
            );
            if let Some(level) = &answer.level {
                assert_eq!(after["level"], json!(level.to_string()), "{}", question.path);
            } else {
                assert_eq!(after["level"], base["level"], "{}", question.path);
            }
        }
    }
    // A question some rule reads but not reported open changes nothing, whatever it holds.
    let missing = rules.assess(family).expect("assessable").missing;
    let as_of = family["as_of"].as_str().unwrap();
    let mut tried = 0;
    for path in missing.iter().filter(|p| !open.iter().any(|q| &q.path == *p)) {
        let enum_values: Vec<Value> = enum_values(rules, path);
        for value in sweep(as_of).into_iter().chain(enum_values) {
            let changed = with(family, path, value.clone());
            if !rules.validate_answers(&changed).is_empty() {
                continue; // not a value this question may take
            }
            tried += 1;
            assert_eq!(
                outcome(rules, &changed),
                base,
                "{path} = {value} changes the outcome but is not open"
            );
        }
    }
    tried
}

/// Every enum value of the question at `path`, alone and as a one-value list.
fn enum_values(rules: &RuleSet, path: &str) -> Vec<Value> {
    let field = path.rsplit('/').next().unwrap();
    let mut out = Vec::new();
    let mut stack: Vec<&sopro_engine::model::Question> = rules.questions().iter().collect();
    while let Some(q) = stack.pop() {
        if q.id == field {
            for v in &q.values {
                out.push(json!(v.id));
                out.push(json!([v.id]));
            }
        }
        stack.extend(q.questions.iter());
    }
    out
}

#[test]
fn on_the_crisis_family_open_questions_are_fewer_than_those_read_and_few_move_the_level() {
    let rules = khmao();
    let family = addiction_family();
    let open = rules.open_questions(&family).unwrap();
    let relevance = rules.relevant(&family);
    let read = relevance.read_by_rules.len();
    assert_eq!(relevance.open, open.iter().map(|q| q.path.clone()).collect::<Vec<_>>());
    assert!(read >= 30, "the rules read {read} unanswered questions");
    // Under the definition a question that only adds a criterion is open too; on this
    // family most of them do, and a handful can move the level.
    assert!(!open.is_empty() && open.len() < read, "{} of {read} questions open", open.len());
    let level_movers = open.iter().filter(|q| q.moves == OutcomeKind::Level).count();
    assert!((3..=read / 3).contains(&level_movers), "{level_movers} of {read} move the level");
    // Ordered by what they can move; each says to what.
    assert!(open.windows(2).all(|w| w[0].moves >= w[1].moves));
    let violence = open.iter().find(|q| &*q.path == "/questionnaire/domestic_violence");
    let violence: &OpenQuestion = violence.expect("domestic violence is open for this family");
    assert_eq!(violence.moves, OutcomeKind::Level);
    let yes = violence.answers.iter().find(|a| a.value == json!(true)).expect("yes changes the outcome");
    assert_eq!(yes.level.as_deref(), Some("emergency"));
    assert!(violence.says.ru.contains("если «да» — уровень «экстренный»"), "{}", violence.says.ru);
    assert!(violence.says.en.contains("if “yes” — level “emergency”"), "{}", violence.says.en);
    // Every question read but not open was tried with at least two values it may take.
    assert!(check_family(&rules, &family) >= 2 * (read - open.len()));
}

#[test]
fn open_questions_are_sound_on_generated_partial_families() {
    let rules = khmao();
    let mut families = 0;
    for (index, full) in generated(&rules, 40, 12).into_iter().enumerate() {
        // Take out a different third of the answers of each section and member.
        let mut partial = full.clone();
        for section in ["questionnaire", "survey_act"] {
            if let Some(Value::Object(map)) = partial.get_mut(section) {
                let keys: Vec<String> = map.keys().cloned().collect();
                for (k, key) in keys.iter().enumerate() {
                    if (k + index) % 3 == 0 {
                        map.remove(key);
                    }
                }
            }
        }
        if let Some(Value::Array(members)) = partial.get_mut("members") {
            for member in members.iter_mut().filter_map(Value::as_object_mut) {
                for key in
                    ["monthly_income", "employment", "substance_abuse", "disability", "education_status"]
                {
                    if (key.len() + index) % 2 == 0 {
                        member.remove(key);
                    }
                }
            }
        }
        if rules.assess(&partial).is_err() {
            continue;
        }
        check_family(&rules, &partial);
        families += 1;
    }
    assert!(families >= 30, "only {families} generated families were assessable");
}
