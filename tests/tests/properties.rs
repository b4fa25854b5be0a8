//! Property tests on the default rule set: bad answers never crash the engine and are reported
//! in full, by path, without their values; and the domain's invariants hold for any family.
//! Families come from the engine's generator for 2026.2 with KhMAO's sample profile (a
//! plausible registry, as `sopro gen` makes) by a seed that proptest chooses.
//!
//! They run on the newest KhMAO version, 2026.2: on the published 2026.1 the emergency invariant
//! fails (a family without consent to interagency exchange got no partner told the same day),
//! which is why 2026.2 exists. Published versions do not change.

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{json, Value};
use sopro_engine::{AssessError, Assessment, RuleSet, Urgency};

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| sopro_tests::compiled(&sopro_tests::root().join("rules/khmao/2026.2")))
}

fn generated(seed: u64) -> Value {
    static GENERATOR: OnceLock<sopro_engine::Generator<'static>> = OnceLock::new();
    static PROFILE: OnceLock<sopro_engine::SampleProfile> = OnceLock::new();
    let profile = PROFILE.get_or_init(sopro_tests::khmao_sample);
    let generator = GENERATOR.get_or_init(|| rules().generator(Some(profile)));
    generator.families(1, seed).next().unwrap()
}

fn assessed(answers: &Value) -> Assessment {
    rules().assess(answers).unwrap_or_else(|e| panic!("a generated family failed: {e:?}"))
}

/// Every leaf of a JSON document, by JSON pointer.
fn leaves(value: &Value, path: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| leaves(v, format!("{path}/{k}"), out)),
        Value::Array(items) if items.iter().any(|v| v.is_object()) => {
            items.iter().enumerate().for_each(|(i, v)| leaves(v, format!("{path}/{i}"), out))
        }
        _ => out.push(path),
    }
}

/// Marks put into answers: none may come back in an error.
const SECRET_TEXT: &str = "Секретова Тайна";
const SECRET_NUMBER: f64 = 7_654_321.5;

/// A value of the wrong type for the leaf it replaces, carrying a secret.
fn wrong_type_for(leaf: &Value) -> Value {
    match leaf {
        Value::Number(_) | Value::Array(_) => json!(SECRET_TEXT),
        Value::String(_) => json!({"значение": SECRET_TEXT, "n": SECRET_NUMBER}),
        Value::Bool(_) | Value::Null | Value::Object(_) => json!(SECRET_NUMBER),
    }
}

/// Arbitrary JSON, with strings and numbers that carry the secrets.
fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        Just(json!(SECRET_NUMBER)),
        Just(json!(-SECRET_NUMBER)),
        "\\PC{0,40}".prop_map(|s| json!(format!("{SECRET_TEXT}{s}"))),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn leaks(problems: &impl serde::Serialize) -> Option<String> {
    let text = serde_json::to_string(problems).unwrap();
    let found = text.contains("Секретова") || text.contains("7654321") || text.contains("Тайна");
    found.then_some(text)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Near-valid answers: a plausible family with some leaves given a value of the wrong type.
    /// Every broken leaf is reported by its path, and no value is repeated.
    #[test]
    fn every_broken_answer_is_reported_by_path_and_without_its_value(
        seed in any::<u64>(),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 1..6),
    ) {
        let mut answers = generated(seed);
        let mut paths = Vec::new();
        leaves(&answers, String::new(), &mut paths);
        let mut broken: Vec<String> = picks.iter().map(|pick| pick.get(&paths).clone()).collect();
        broken.sort();
        broken.dedup();
        for path in &broken {
            let leaf = answers.pointer_mut(path).unwrap();
            *leaf = wrong_type_for(leaf);
        }
        match rules().assess(&answers) {
            Err(AssessError::InvalidAnswers { problems }) => {
                let reported: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
                for path in &broken {
                    prop_assert!(reported.contains(&path.as_str()), "{path} not in {reported:?}");
                }
                prop_assert_eq!(leaks(&problems), None);
            }
            other => prop_assert!(false, "broken answers at {broken:?} gave {other:?}"),
        }
    }

    /// Arbitrary JSON anywhere in a family: the engine answers (an assessment or a list of
    /// problems), never panics, and never repeats a value. Every problem's path leads into the
    /// answers (to the value, or to the object missing a required field).
    #[test]
    fn arbitrary_answers_never_crash_or_leak(
        seed in any::<u64>(),
        pick in any::<prop::sample::Index>(),
        value in arbitrary_json(),
        whole in any::<bool>(),
    ) {
        let answers = if whole {
            value
        } else {
            let mut answers = generated(seed);
            let mut paths = Vec::new();
            leaves(&answers, String::new(), &mut paths);
            let path = pick.get(&paths).clone();
            *answers.pointer_mut(&path).unwrap() = value;
            answers
        };
        match rules().assess(&answers) {
            Ok(_) => {}
            Err(AssessError::InvalidAnswers { problems }) => {
                prop_assert!(!problems.is_empty());
                for problem in &problems {
                    let path = problem.path.as_str();
                    let leads_somewhere = match path.rsplit_once('/') {
                        // The whole document ("/"), when it is not an object.
                        _ if path == "/" => !answers.is_object(),
                        None => false,
                        // A top-level field: given, or one the answers must have.
                        Some(("", _)) => answers.pointer(path).is_some() || ["/as_of", "/members"].contains(&path),
                        Some((parent, _)) => answers.pointer(path).is_some() || answers.pointer(parent).is_some(),
                    };
                    prop_assert!(leads_somewhere, "{} leads nowhere", path);
                }
                prop_assert_eq!(leaks(&problems), None);
            }
            Err(other) => prop_assert!(false, "{other:?}"),
        }
    }

    /// Adding a risk factor never lowers the support level.
    #[test]
    fn a_risk_factor_never_lowers_the_level(seed in any::<u64>(), factor in any::<prop::sample::Index>()) {
        let answers = generated(seed);
        let before = assessed(&answers);
        let mut riskier = answers.clone();
        let (path, value) = factor.get(&risk_factors()).clone();
        set(&mut riskier, path, value.clone());
        let after = assessed(&riskier);
        prop_assert!(
            rank(&after) <= rank(&before),
            "{path} = {value}: {} → {}", before.level.id, after.level.id
        );
    }

    /// The order of members does not change the result.
    #[test]
    fn member_order_does_not_matter(seed in any::<u64>(), rotation in any::<prop::sample::Index>()) {
        let answers = generated(seed);
        let mut reordered = answers.clone();
        let members = reordered["members"].as_array_mut().unwrap();
        let by = rotation.index(members.len());
        members.rotate_left(by);
        members.reverse();
        prop_assert_eq!(outcome(&assessed(&answers)), outcome(&assessed(&reordered)));
    }

    /// The assessment is a pure function of the answers and the rule set: byte-identical JSON
    /// on every run and on every thread.
    #[test]
    fn the_assessment_is_byte_identical_across_runs_and_threads(seed in any::<u64>()) {
        let answers = generated(seed);
        let here = serde_json::to_string(&assessed(&answers)).unwrap();
        let there: Vec<String> = std::thread::scope(|scope| {
            let runs: Vec<_> = (0..2)
                .map(|_| scope.spawn(|| serde_json::to_string(&assessed(&answers)).unwrap()))
                .collect();
            runs.into_iter().map(|run| run.join().unwrap()).collect()
        });
        for other in there {
            prop_assert_eq!(&here, &other);
        }
    }

    /// A brief assessment (batch CSV) is the full one without `reads` and `missing`.
    #[test]
    fn a_brief_assessment_is_the_full_one_without_reads_and_missing(seed in any::<u64>()) {
        let answers = generated(seed);
        let mut full = serde_json::to_value(assessed(&answers)).unwrap();
        let brief = serde_json::to_value(rules().assess_brief(&answers).unwrap()).unwrap();
        full["missing"] = json!([]);
        for list in ["categories", "criteria", "urgent_services", "consultations"] {
            for finding in full[list].as_array_mut().unwrap() {
                finding["reads"] = json!([]);
            }
        }
        prop_assert_eq!(full, brief);
    }

    /// Without the family's consent, a partner is told only for reasons the rule set declares as
    /// obliging a report (partner triggers with `duty:`), and every reason it is told is one of
    /// them; the partner's other reasons wait (held back, or the partner pending consent).
    #[test]
    fn without_consent_a_partner_is_told_only_for_a_reporting_duty(
        seed in any::<u64>(),
        factors in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
    ) {
        let mut answers = generated(seed);
        let all = risk_factors();
        for factor in &factors {
            let (path, value) = factor.get(&all);
            set(&mut answers, path, value.clone());
        }
        set(&mut answers, "/case/consent_interagency", json!(false));
        let assessment = assessed(&answers);
        for partner in &assessment.partners {
            prop_assert!(partner.without_consent && !partner.duties.is_empty(), "{} told without a duty", partner.id);
            prop_assert!(partner.reasons.is_empty(), "{}: a condition in words told without consent", partner.id);
            let allowed = reported_without_consent(&partner.id, &assessment);
            for id in &partner.because {
                prop_assert!(allowed.iter().any(|a| a == &**id), "{} told of {} without consent (allowed: {:?})", partner.id, id, allowed);
            }
        }
    }

    /// Every recommendation says why in words: a level (but `none`), urgent service,
    /// consultation, partner or deadline has a reason, and every reason has a label — a rule's
    /// (`because`) or the condition's own (`reasons`), never only a list of answers.
    #[test]
    fn every_recommendation_has_a_labelled_reason(
        seed in any::<u64>(),
        factors in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
        consent in any::<bool>(),
    ) {
        let mut answers = generated(seed);
        let all = risk_factors();
        for factor in &factors {
            let (path, value) = factor.get(&all);
            set(&mut answers, path, value.clone());
        }
        set(&mut answers, "/case/consent_interagency", json!(consent));
        let a = assessed(&answers);
        let mut items: Vec<(&str, &[sopro_engine::Text], &[sopro_engine::Reason])> = Vec::new();
        if &*a.level.id != "none" {
            items.push((&a.level.id, &a.level.because, &[]));
        }
        for f in a.urgent_services.iter().chain(&a.consultations) {
            items.push((&f.id, &f.because, &f.reasons));
        }
        for p in a.partners.iter().chain(&a.partners_pending_consent) {
            items.push((&p.id, &p.because, &p.reasons));
        }
        for d in &a.deadlines {
            items.push((&d.id, &d.because, &[]));
        }
        for (id, because, reasons) in items {
            prop_assert!(!because.is_empty() || !reasons.is_empty(), "{} says no reason", id);
            for rule in because {
                let label = rules().label_of(rule);
                prop_assert!(label.is_some_and(|l| !l.ru.is_empty() && !l.en.is_empty()), "{}: `{}` has no label", id, rule);
            }
            for reason in reasons {
                prop_assert!(!reason.label.ru.is_empty() && !reason.label.en.is_empty(), "{}: a reason without words", id);
                prop_assert!(!reason.label.ru.starts_with("по ответам"), "{}: a reason that only names answers", id);
            }
        }
    }

    /// An emergency always comes with an urgent service and a partner told the same day or at once.
    #[test]
    fn an_emergency_comes_with_urgent_help(seed in any::<u64>(), event in 0..4usize) {
        let mut answers = generated(seed);
        if event > 0 {
            let events = ["fire", "disaster", "loss_of_housing"];
            set(&mut answers, "/questionnaire/emergency_event", json!(events[event - 1]));
        }
        let assessment = assessed(&answers);
        if event > 0 {
            prop_assert_eq!(&*assessment.level.id, "emergency", "an emergency event did not make an emergency");
        }
        if &*assessment.level.id == "emergency" {
            prop_assert!(!assessment.urgent_services.is_empty());
            prop_assert!(assessment
                .partners
                .iter()
                .any(|p| matches!(p.urgency, Urgency::SameDay | Urgency::Immediately)));
        }
    }
}

/// Answers that make a family's situation worse, each on its own.
fn risk_factors() -> Vec<(&'static str, Value)> {
    let mut factors = vec![
        ("/questionnaire/family_conflict", json!("persistent")),
        ("/questionnaire/emergency_event", json!("fire")),
        ("/survey_act/food_present", json!(false)),
        ("/survey_act/dwelling_condition", json!("emergency")),
        ("/members/0/substance_abuse", json!("alcohol")),
        ("/members/0/employment", json!("unemployed")),
        ("/members/0/monthly_income", json!(0)),
    ];
    for flag in [
        "/questionnaire/domestic_violence",
        "/questionnaire/cruel_treatment_of_child",
        "/questionnaire/parental_duties_neglected",
        "/questionnaire/child_left_without_care",
        "/questionnaire/kdn_sop_decision",
        "/questionnaire/children_involved_in_offences",
        "/survey_act/parents_intoxicated_at_visit",
        "/survey_act/child_under_10_left_alone",
        "/members/0/gambling",
        "/members/0/mental_disorder",
    ] {
        factors.push((flag, json!(true)));
    }
    factors
}

/// The ids a partner may be told of without consent in this assessment: the criteria and
/// categories its triggers with a reporting duty name, and the criteria of the severities they
/// name (read from the rule file itself).
fn reported_without_consent(partner: &str, assessment: &Assessment) -> Vec<String> {
    static PARTNERS: OnceLock<sopro_engine::model::RuleFile> = OnceLock::new();
    let file = PARTNERS.get_or_init(|| {
        let path = sopro_tests::root().join("rules/khmao/2026.2/partners.yaml");
        serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    });
    let mut allowed = Vec::new();
    let triggers = file.partners.iter().filter(|p| p.id == partner).flat_map(|p| &p.triggers);
    for trigger in triggers.filter(|t| t.duty.is_some()) {
        allowed.extend(trigger.clause.criterion.clone());
        allowed.extend(trigger.clause.category.clone());
        if let Some(severity) = trigger.clause.severity {
            let of_severity = assessment.criteria.iter().filter(|c| c.severity == severity);
            allowed.extend(of_severity.map(|c| c.id.to_string()));
        }
    }
    allowed
}

fn set(answers: &mut Value, path: &str, value: Value) {
    let (parent, key) = path.rsplit_once('/').unwrap();
    let parent = answers.pointer_mut(parent).unwrap();
    parent.as_object_mut().unwrap().insert(key.to_owned(), value);
}

/// A level's position, the highest first.
fn rank(assessment: &Assessment) -> usize {
    rules().level_ids().iter().position(|id| *id == &*assessment.level.id).unwrap()
}

/// What an assessment recommends (ids, severities, urgencies, due dates), each list sorted:
/// the order members come in may change the order of findings and the paths they cite.
fn outcome(assessment: &Assessment) -> Value {
    fn sorted(mut items: Vec<String>) -> Vec<String> {
        items.sort();
        items
    }
    json!({
        "level": &*assessment.level.id,
        "review_on": assessment.level.review_on,
        "categories": sorted(assessment.categories.iter().map(|f| f.id.to_string()).collect()),
        "criteria": sorted(assessment.criteria.iter().map(|f| format!("{} {:?}", f.id, f.severity)).collect()),
        "services": sorted(assessment.urgent_services.iter().map(|f| f.id.to_string()).collect()),
        "partners": sorted(assessment.partners.iter().map(|f| format!("{} {:?} {}", f.id, f.urgency, f.without_consent)).collect()),
        "pending": sorted(assessment.partners_pending_consent.iter().map(|f| f.id.to_string()).collect()),
        "deadlines": sorted(assessment.deadlines.iter().map(|f| format!("{} {}", f.id, f.due)).collect()),
        "missing": assessment.missing.len(),
    })
}
