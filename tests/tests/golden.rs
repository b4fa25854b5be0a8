//! Every bundled rule set compiles without errors and passes its own test cases with full
//! coverage; the contract's example family gives the contract's shape.

use sopro_engine::{Goal, RuleSet};
use sopro_tests::{bundled_rule_sets, khmao, root, source};

#[test]
fn every_bundled_rule_set_passes_its_own_cases_with_full_coverage() {
    let sets = bundled_rule_sets();
    assert!(!sets.is_empty(), "no rule sets found under rules/");
    for dir in sets {
        let loaded = RuleSet::load(&source(&dir));
        let errors: Vec<String> =
            loaded.diagnostics.iter().filter(|d| d.is_error()).map(ToString::to_string).collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", dir.display());
        let rules = loaded
            .ruleset
            .unwrap_or_else(|| panic!("{}: not compiled: {:#?}", dir.display(), loaded.diagnostics));
        let report = rules.run_tests();
        let failures: Vec<String> = report
            .cases
            .iter()
            .filter(|c| !c.passed())
            .map(|c| format!("{} ({}): {}", c.name, c.location, c.differences.join("; ")))
            .collect();
        assert!(failures.is_empty(), "{}: failing cases:\n{}", dir.display(), failures.join("\n"));
        // A real rule set carries a real suite; the template under rules/examples/ a minimal one.
        let least = if dir.starts_with(root().join("rules/examples")) { 3 } else { 30 };
        assert!(report.cases.len() >= least, "{}: only {} cases", dir.display(), report.cases.len());
        assert!(report.coverage.is_full(), "{}: not covered: {:?}", dir.display(), report.coverage.uncovered);
    }
}

#[test]
fn the_contract_family_gives_the_contract_shape() {
    let rules = khmao();
    let text = std::fs::read_to_string(root().join("examples/family-crisis.json")).unwrap();
    let answers: serde_json::Value = serde_json::from_str(&text).unwrap();
    let assessment = serde_json::to_value(rules.assess(&answers).unwrap()).unwrap();

    for key in [
        "ruleset",
        "engine",
        "as_of",
        "level",
        "categories",
        "criteria",
        "urgent_services",
        "partners",
        "deadlines",
        "missing",
        "warnings",
    ] {
        assert!(assessment.get(key).is_some(), "no `{key}` in the assessment");
    }
    assert_eq!(assessment["ruleset"]["id"], "khmao");
    assert_eq!(assessment["ruleset"]["version"], "2026.1");
    assert!(assessment["ruleset"]["digest"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(assessment["as_of"], "2026-03-10");
    assert_eq!(assessment["level"]["id"], "crisis");
    assert_eq!(assessment["level"]["label"]["ru"], "кризисный");
    assert_eq!(assessment["level"]["review_on"], "2026-06-10");
    assert!(assessment["level"]["because"].as_array().unwrap().contains(&"c15_5_addiction".into()));

    let addiction =
        assessment["criteria"].as_array().unwrap().iter().find(|c| c["id"] == "c15_5_addiction").unwrap();
    assert_eq!(addiction["severity"], "high");
    assert_eq!(addiction["reads"], serde_json::json!(["/members/0/substance_abuse"]));
    assert_eq!(
        addiction["basis"][0],
        serde_json::json!({"act": "442-ФЗ", "article": "15.1.5", "status": "statute"})
    );

    let narcology =
        assessment["partners"].as_array().unwrap().iter().find(|p| p["id"] == "narcology").unwrap();
    assert_eq!(narcology["urgency"], "routine");
    assert_eq!(narcology["because"], serde_json::json!(["c15_5_addiction"]));
    let ipss = assessment["deadlines"].as_array().unwrap().iter().find(|d| d["id"] == "ipss_review").unwrap();
    assert_eq!(ipss["due"], "2026-06-10");
}

#[test]
fn an_assessment_is_the_same_every_time_and_on_every_thread() {
    let rules = khmao();
    let answers: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("examples/family-crisis.json")).unwrap())
            .unwrap();
    let first = serde_json::to_string(&rules.assess(&answers).unwrap()).unwrap();
    let again: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| serde_json::to_string(&rules.assess(&answers).unwrap()).unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(again.iter().all(|a| a == &first));
}

/// `tests/golden/<id>-<version>.json`: the bundle of every bundled rule set and, for each of its
/// test cases, the answers and the exact result of the native engine in the browser API's shape
/// (`{"ok": assessment}` or `{"error": …}`), its open questions and what would change towards
/// a lower and a higher level. The WASM build must reproduce every result
/// (`wasm/tests/web.rs`); this test keeps the file current.
#[test]
fn golden_results_for_the_browser_build_are_current() {
    for dir in bundled_rule_sets() {
        let files = source(&dir);
        let rules = RuleSet::load(&files).ruleset.unwrap();
        let cases: Vec<serde_json::Value> = rules
            .test_cases()
            .map(|case| {
                let result = match rules.assess(&case.answers) {
                    Ok(a) => serde_json::json!({ "ok": a }),
                    Err(e) => serde_json::json!({ "error": e }),
                };
                // What a form shows and what would change, which the browser must say alike:
                // the open questions' paths, and a digest of the full results (they run to
                // megabytes).
                let open = rules.relevant(&case.answers).open_questions;
                let whatif = |goal: Goal| match rules.what_would_change(&case.answers, &goal) {
                    Ok(found) => serde_json::json!({ "ok": found }),
                    Err(e) => serde_json::json!({ "error": e }),
                };
                let explored = serde_json::json!({
                    "open_questions": open, "lower": whatif(Goal::Lower), "higher": whatif(Goal::Higher),
                });
                serde_json::json!({
                    "name": case.name, "answers": case.answers, "result": result,
                    "open": open.iter().map(|q| &q.path).collect::<Vec<_>>(),
                    "explored_sha256": sha256(&explored),
                })
            })
            .collect();
        let golden = serde_json::json!({ "bundle": rules.bundle(&files), "cases": cases });
        let name = format!("{}-{}.json", rules.id(), rules.version());
        let path = root().join("tests/golden").join(&name);
        let text = serde_json::to_string_pretty(&golden).unwrap() + "\n";
        if std::env::var_os("SOPRO_BLESS").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "{name} is stale: run `SOPRO_BLESS=1 cargo test -p sopro-tests --test golden`"
        );
    }
    // The browser parity test reads every file there (wasm/build.rs lists them): none stale.
    let golden_files = std::fs::read_dir(root().join("tests/golden")).unwrap().flatten().count();
    assert_eq!(golden_files, bundled_rule_sets().len(), "tests/golden holds a file of no bundled rule set");
}

#[test]
fn relevant_hides_what_does_not_apply_and_sets_aside_incomplete_members() {
    let rules = khmao();
    let partial = serde_json::json!({"as_of": "2026-03-10", "members": [
        {"id": "m1", "role": "mother", "birth_date": "1990-01-01", "monthly_income": -5},
        {"id": "c1"},
        {"id": "c2", "role": "child", "birth_date": "2015-01-01"}]});
    let state = rules.relevant(&partial);
    let hidden: Vec<&str> = state.hidden.iter().map(|p| &**p).collect();
    assert!(hidden.contains(&"/members/0/placement"), "{hidden:?}");
    assert!(!hidden.contains(&"/members/2/placement"), "{hidden:?}");
    assert_eq!(state.incomplete_members, vec![1]);
    assert!(state.problems.iter().any(|p| p.path == "/members/0/monthly_income"));
    let assessment = state.assessment.expect("assessed without the invalid income");
    assert!(state.open.iter().any(|p| &**p == "/members/0/monthly_income"), "{:?}", state.open);
    assert_eq!(&*assessment.level.id, "none");
}

/// `rules/<jurisdiction>/published.yaml` records the digest of every published version; a
/// published version never changes (an edit goes into a new version folder).
#[test]
fn published_versions_are_unchanged() {
    let mut checked = 0;
    for jurisdiction in std::fs::read_dir(root().join("rules")).unwrap().flatten() {
        let record = jurisdiction.path().join("published.yaml");
        let Ok(text) = std::fs::read_to_string(&record) else { continue };
        let published: Vec<std::collections::BTreeMap<String, String>> = serde_yaml::from_str(&text).unwrap();
        for entry in published {
            let dir = jurisdiction.path().join(&entry["version"]);
            let rules = RuleSet::load(&source(&dir)).ruleset.unwrap();
            assert_eq!(
                rules.digest(),
                entry["digest"],
                "{} was published and has changed since: put the edit into a new version",
                dir.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 2, "no published versions recorded");
}

#[test]
fn a_folder_of_versions_assesses_each_family_with_the_version_in_force() {
    let versions = sopro_cli::files::read_versions(&root().join("rules/khmao")).unwrap();
    let library = sopro_engine::RuleLibrary::new(
        versions.iter().map(|(_, files)| RuleSet::load(files).ruleset.unwrap()).collect(),
    );
    let family = |as_of: &str| {
        serde_json::json!({"as_of": as_of, "members": [
            {"id": "m1", "role": "mother", "birth_date": "1990-01-01", "monthly_income": 43000, "employment": "employed"},
            {"id": "c1", "role": "child", "birth_date": "2016-01-01"}]})
    };
    // 21 500 ₽ per capita: above the 2025 minimum (21 252), below the 2026 one (22 102).
    let in_2025 = library.assess(&family("2025-06-01")).unwrap();
    assert_eq!(&*in_2025.ruleset.version, "2025.1");
    assert!(in_2025.categories.iter().all(|c| &*c.id != "low_income"));
    let in_2026 = library.assess(&family("2026-06-01")).unwrap();
    assert_eq!(&*in_2026.ruleset.version, "2026.1");
    assert!(in_2026.categories.iter().any(|c| &*c.id == "low_income"));
    let outside = library.assess(&family("2027-01-15"));
    assert!(matches!(outside, Err(sopro_engine::AssessError::NoVersionInForce { .. })));
}

/// The sha256 of a value's JSON text (serde_json writes object keys in order: the same text
/// natively and in the browser).
fn sha256(value: &serde_json::Value) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(value.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
