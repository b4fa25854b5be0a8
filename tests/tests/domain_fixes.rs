//! The defects of KhMAO 2026.1 that 2026.2 fixes (its CHANGELOG): every case of
//! `rules/khmao/2026.2/tests/fixes.yaml` fails on the rules of 2026.1 and passes on 2026.2, so
//! each case is known to catch its defect. And a folder of versions never applies a draft
//! silently.

use serde_json::json;
use sopro_engine::{Drafts, RuleLibrary, RuleSet};
use sopro_tests::{root, source};

fn fixes() -> String {
    std::fs::read_to_string(root().join("rules/khmao/2026.2/tests/fixes.yaml")).unwrap()
}

#[test]
fn every_fix_case_fails_on_2026_1_and_passes_on_2026_2() {
    let mut old = source(&root().join("rules/khmao/2026.1"));
    old.insert("tests/fixes.yaml", fixes());
    let old = RuleSet::load(&old).ruleset.expect("2026.1 with the fix cases loads");
    let new = sopro_tests::compiled(&root().join("rules/khmao/2026.2"));
    let fix_cases: Vec<String> = serde_yaml::from_str::<Vec<sopro_engine::model::TestCase>>(&fixes())
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .filter(|n| n.starts_with("Исправление"))
        .collect();
    assert!(fix_cases.len() >= 7, "only {} fix cases", fix_cases.len());
    let on_old = old.run_tests();
    let on_new = new.run_tests();
    for name in &fix_cases {
        let before = on_old.cases.iter().find(|c| &c.name == name).unwrap();
        assert!(!before.passed(), "`{name}` passes on 2026.1: it does not catch its defect");
        let after = on_new.cases.iter().find(|c| &c.name == name).unwrap();
        assert!(after.passed(), "`{name}` fails on 2026.2: {:?}", after.differences);
    }
    // Each numbered defect of the CHANGELOG has a case.
    for number in 1..=7 {
        let prefix = format!("Исправление {number}:");
        assert!(fix_cases.iter().any(|n| n.starts_with(&prefix)), "no case for defect {number}");
    }
}

fn in_december() -> serde_json::Value {
    json!({"as_of": "2026-12-10", "case": {"consent_interagency": true}, "members": [
        {"id": "m1", "role": "mother", "birth_date": "1990-01-01", "monthly_income": 60000, "employment": "employed"},
        {"id": "c1", "role": "child", "birth_date": "2016-01-01"}]})
}

/// A draft is a version that `published.yaml` does not record: a folder of versions leaves it
/// out unless drafts are allowed, and an assessment it makes says it is a draft.
#[test]
fn a_folder_of_versions_uses_a_draft_only_when_asked_and_says_so() {
    let versions: Vec<RuleSet> = ["2025.1", "2026.1", "2026.2"]
        .iter()
        .map(|v| sopro_tests::compiled(&root().join("rules/khmao").join(v)))
        .collect();
    let recorded = sopro_engine::parse_published(
        "- {version: \"2026.1\", digest: \"PLACEHOLDER\"}\n"
            .replace("PLACEHOLDER", versions[1].digest())
            .as_str(),
    )
    .unwrap();
    // 2026.2 (a draft here) and 2026.1 (published) are both in force in December: the
    // published one is chosen, and the library knows a draft was left out.
    let refused = RuleLibrary::published(versions, Some(&recorded), Drafts::Refused).unwrap();
    let assessment = refused.assess(&in_december()).unwrap();
    assert_eq!(&*assessment.ruleset.version, "2026.1");
    assert!(assessment.warnings.iter().all(|w| w.code != "draft_version"));
    assert_eq!(refused.draft_not_used("2026-12-10").map(RuleSet::version), Some("2026.2"));
    // 2025.1 is not recorded either: a 2025 family has no version in force.
    let in_2025 = json!({"as_of": "2025-06-01", "members": [{"id": "m1", "role": "mother", "birth_date": "1990-01-01"}]});
    assert!(matches!(refused.assess(&in_2025), Err(sopro_engine::AssessError::NoVersionInForce { .. })));

    let versions: Vec<RuleSet> = ["2026.1", "2026.2"]
        .iter()
        .map(|v| sopro_tests::compiled(&root().join("rules/khmao").join(v)))
        .collect();
    let allowed = RuleLibrary::published(versions, Some(&recorded), Drafts::Allowed).unwrap();
    let assessment = allowed.assess(&in_december()).unwrap();
    assert_eq!(&*assessment.ruleset.version, "2026.2");
    let draft = assessment.warnings.iter().find(|w| w.code == "draft_version").expect("no draft warning");
    assert!(draft.message.ru.contains("2026.2") && draft.message.en.contains("draft"), "{draft:?}");
    // A published version's assessment carries no such warning.
    let march = allowed.assess(&json!({"as_of": "2026-03-10", "members": [{"id": "m1", "role": "mother", "birth_date": "1990-01-01"}]}));
    assert!(march.unwrap().warnings.iter().all(|w| w.code != "draft_version"));
}

#[test]
fn a_published_version_whose_files_changed_is_refused() {
    let rules = sopro_tests::compiled(&root().join("rules/khmao/2026.1"));
    let recorded =
        sopro_engine::parse_published("- {version: \"2026.1\", digest: \"sha256:0000\"}\n").unwrap();
    let error =
        RuleLibrary::published(vec![rules], Some(&recorded), Drafts::Refused).err().expect("accepted");
    assert!(error.to_string().contains("never changes"), "{error}");
}

/// The summary of a registry's differences is the engine's: counted by change, with the acts.
#[test]
fn the_diff_summary_counts_families_per_change_with_their_acts() {
    let old = sopro_tests::compiled(&root().join("rules/khmao/2026.1"));
    let new = sopro_tests::compiled(&root().join("rules/khmao/2026.2"));
    let mut summary = sopro_engine::DiffSummary::default();
    let families: Vec<serde_json::Value> = sopro_tests::generated(&old, 200, 9);
    for family in &families {
        match (old.assess(family), new.assess(family)) {
            (Ok(a), Ok(b)) => summary.record(&sopro_engine::diff(&a, &b)),
            _ => summary.record_error(),
        }
    }
    assert_eq!(summary.compared, 200);
    assert_eq!(summary.transitions.values().sum::<u64>() + summary.errors, 200);
    let top = summary.top_changes();
    assert!(!top.is_empty() && top.windows(2).all(|w| w[0].1 >= w[1].1), "{top:?}");
    // Requests for help became consultations (fix 4): counted, with their basis.
    let key = top.iter().map(|(k, _)| *k).find(|k| k.kind == "consultation").expect("no consultation added");
    assert_eq!(key.sign, sopro_engine::ChangeSign::Added);
    assert!(summary.acts[key].contains_key("Семейная диспетчерская Югорск"), "{:?}", summary.acts[key]);
}
