//! `sopro gen`: a synthetic registry of families in the default rule set's answer format, for
//! demos, tests and benchmarks. Deterministic per seed. The mix follows the seeds loosely:
//! households of 2–7 with 1–5 children, incomes spread around the subsistence minimum, and
//! problems at rough frequencies (most families have none; a few are in danger).

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};

/// `n` families for seed `seed`, each as one JSON object.
pub fn families(n: usize, seed: u64) -> impl Iterator<Item = Value> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(move |i| family(&mut rng, i))
}

fn chance(rng: &mut impl Rng, p: f64) -> bool {
    rng.random_bool(p)
}

fn date(rng: &mut impl Rng, from_year: i32, to_year: i32) -> String {
    let year = rng.random_range(from_year..=to_year);
    format!("{year}-{:02}-{:02}", rng.random_range(1..=12), rng.random_range(1..=28))
}

fn pick<'a>(rng: &mut impl Rng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

fn family(rng: &mut impl Rng, index: usize) -> Value {
    let year = if chance(rng, 0.5) { 2025 } else { 2026 };
    let as_of = format!("{year}-{:02}-{:02}", rng.random_range(1..=11), rng.random_range(1..=28));
    let mut members = Vec::new();
    let two_parents = chance(rng, 0.65);
    let parents = if two_parents { 2 } else { 1 };
    // Per-capita income around the subsistence minimum (~22 000 ₽): a wide, skewed spread.
    let per_adult_income = (rng.random_range(0.0..1.0_f64).powf(1.6) * 140_000.0).round();
    for p in 0..parents {
        let employed = chance(rng, 0.78);
        let mut adult = json!({
            "id": format!("a{}", p + 1),
            "role": if p == 0 { pick(rng, &["mother", "mother", "mother", "father", "guardian", "grandparent"]) } else { pick(rng, &["father", "stepparent"]) },
            "birth_date": date(rng, 1970, 2004),
            "monthly_income": if employed { per_adult_income } else { (rng.random_range(0.0..1.0_f64) * 15_000.0).round() },
            "employment": if employed { "employed" } else { pick(rng, &["unemployed", "unemployed_registered", "maternity_leave", "caring_for_disabled", "military_svo"]) },
            "substance_abuse": if chance(rng, 0.02) { pick(rng, &["alcohol", "drugs"]) } else { "none" },
            "gambling": chance(rng, 0.02),
            "mental_disorder": chance(rng, 0.03),
            "id_document_present": !chance(rng, 0.01),
        });
        if chance(rng, 0.04) {
            adult["disability"] = json!(true);
            adult["disability_group"] = json!(pick(rng, &["I", "II", "III"]));
            adult["self_care"] = json!(pick(rng, &["partial", "none"]));
            adult["needs_constant_care"] = json!(chance(rng, 0.5));
        }
        members.push(adult);
    }
    let children = 1 + (rng.random_range(0.0..1.0_f64).powf(2.0) * 5.0) as usize;
    for c in 0..children {
        let mut child = json!({
            "id": format!("c{}", c + 1),
            "role": "child",
            "birth_date": date(rng, year - 20, year - 1),
            "placement": if chance(rng, 0.05) { pick(rng, &["guardianship", "foster", "adopted"]) } else { "own" },
            "education_status": pick(rng, &["preschool_attending", "school_attending", "school_attending", "school_attending", "preschool_not"]),
            "registered_at_polyclinic": !chance(rng, 0.02),
            "seasonal_clothing_ok": !chance(rng, 0.03),
            "adaptation_difficulties": chance(rng, 0.04),
            "offences_or_pdn_registration": chance(rng, 0.01),
            "id_document_present": true,
        });
        if chance(rng, 0.04) {
            child["disability"] = json!(true);
            child["disability_group"] = json!("child");
            child["needs_constant_care"] = json!(chance(rng, 0.5));
        }
        if chance(rng, 0.02) {
            child["education_status"] = json!("school_not_attending");
            child["runaways"] = json!(chance(rng, 0.5));
        }
        members.push(child);
    }
    let mut survey = Map::new();
    survey.insert(
        "housing_type".into(),
        json!(if chance(rng, 0.01) {
            "none"
        } else {
            pick(rng, &["own", "own", "municipal_social", "rented", "relatives", "dormitory"])
        }),
    );
    survey.insert(
        "dwelling_condition".into(),
        json!(pick(
            rng,
            &[
                "good",
                "good",
                "satisfactory",
                "satisfactory",
                "satisfactory",
                "satisfactory",
                "satisfactory",
                "unsatisfactory"
            ]
        )),
    );
    survey.insert(
        "sanitary_state".into(),
        json!(if chance(rng, 0.03) { "antisanitary" } else { "satisfactory" }),
    );
    survey.insert("food_present".into(), json!(!chance(rng, 0.02)));
    survey.insert(
        "utility_debt".into(),
        json!(if chance(rng, 0.15) { (rng.random_range(0.0..1.0_f64) * 60_000.0).round() } else { 0.0 }),
    );
    survey.insert("parents_intoxicated_at_visit".into(), json!(chance(rng, 0.01)));
    survey.insert("child_under_10_left_alone".into(), json!(chance(rng, 0.01)));
    let requested =
        ["consultation", "psychological", "benefits", "summer_rest", "gosuslugi", "employment", "legal"];
    let requested: Vec<&str> = requested.iter().copied().filter(|_| chance(rng, 0.12)).collect();
    json!({
        "as_of": as_of,
        "case": {
            "id": format!("86-{year}-{:06}", index + 1),
            "source_of_signal": pick(rng, &["self_referral", "self_referral", "institution", "school", "health", "kdn", "police", "citizens_report"]),
            "consent_to_accompaniment": !chance(rng, 0.1),
            "consent_interagency": !chance(rng, 0.2),
        },
        "members": members,
        "survey_act": survey,
        "questionnaire": {
            "family_conflict": pick(rng, &["none", "none", "none", "none", "none", "occasional", "occasional", "persistent"]),
            "domestic_violence": chance(rng, 0.01),
            "cruel_treatment_of_child": chance(rng, 0.005),
            "kdn_sop_decision": chance(rng, 0.015),
            "emergency_event": if chance(rng, 0.02) { pick(rng, &["fire", "disaster", "loss_of_housing", "death_of_breadwinner"]) } else { "none" },
            "alimony_due": !two_parents && chance(rng, 0.5),
            "alimony_received": chance(rng, 0.6),
            "relatives_support": chance(rng, 0.6),
            "requested_help": requested,
        }
    })
}
