//! Bundles that carry their rule set already parsed (`sopro-bundle/2`), which the browser loads
//! without a YAML parser: the rule set compiled from the parsed form is the one compiled from the
//! files (warnings, test results and assessments byte for byte), and a parsed form that does not
//! belong to its files is refused.

use serde_json::Value;
use sha2::{Digest, Sha256};
use sopro_engine::{Bundle, BundleError, Explain, RuleSet};
use sopro_tests::{bundled_rule_sets, compiled, generated, khmao, khmao_source, source};

fn prepared_of(bundle: &Bundle) -> &sopro_engine::Prepared {
    bundle.prepared.as_ref().expect("`RuleSet::bundle` carries the parsed form")
}

/// The seal as `load/prepared.rs` documents it, written out independently.
fn seal(bundle: &Bundle) -> String {
    let prepared = prepared_of(bundle);
    let rules = serde_json::to_vec(&prepared.rules).unwrap();
    let tests = serde_json::to_vec(&prepared.tests).unwrap();
    let mut hasher = Sha256::new();
    for part in [b"sopro-prepared/1".as_slice(), bundle.digest.as_bytes(), &rules, &tests] {
        hasher.update(part);
        hasher.update([0]);
    }
    let hex: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

#[test]
fn a_prepared_bundle_compiles_to_the_rule_set_of_its_files() {
    let sets = bundled_rule_sets();
    assert!(sets.len() >= 3, "bundled rule sets not found");
    for dir in sets {
        let files = source(&dir);
        let from_files = compiled(&dir);
        let bundle = from_files.bundle(&files);
        assert_eq!(bundle.format, sopro_engine::BUNDLE_FORMAT);
        assert_eq!(prepared_of(&bundle).seal, seal(&bundle), "{}", dir.display());
        // Through JSON text, as the browser receives it.
        let bundle: Bundle = serde_json::from_str(&serde_json::to_string(&bundle).unwrap()).unwrap();
        let (prepared, prepared_warnings) = RuleSet::from_prepared_bundle(&bundle).unwrap();
        let (parsed, parsed_warnings) = RuleSet::from_bundle(&bundle).unwrap();
        let warnings = |w: &[sopro_engine::Diagnostic]| serde_json::to_string(w).unwrap();
        assert_eq!(warnings(&prepared_warnings), warnings(&parsed_warnings), "{}", dir.display());
        assert_eq!(prepared.digest(), from_files.digest());
        let report = |r: &RuleSet| serde_json::to_string(&r.run_tests()).unwrap();
        assert_eq!(report(&prepared), report(&from_files), "{}", dir.display());
        assert_eq!(report(&parsed), report(&from_files));
        let families = generated(&from_files, 300, 2026);
        let mut assessed = 0;
        for family in &families {
            for explain in [Explain::ALL, Explain::BRIEF] {
                let expected = serde_json::to_string(&from_files.assess_with(family, explain)).unwrap();
                let got = serde_json::to_string(&prepared.assess_with(family, explain)).unwrap();
                assert_eq!(got, expected, "{}", dir.display());
                assessed += 1;
            }
        }
        assert_eq!(assessed, 600);
    }
}

#[test]
fn a_parsed_form_that_is_not_its_files_is_refused() {
    let rules = khmao();
    let bundle = rules.bundle(&khmao_source());

    // An edit of the parsed form without a new seal: refused with and without YAML.
    let mut edited = bundle.clone();
    let prepared = edited.prepared.as_mut().unwrap();
    let criteria = prepared.rules.get_mut("criteria.yaml").expect("KhMAO has criteria.yaml");
    criteria.criteria[0].when = "false".to_owned(); // the criterion would never be met
    assert!(matches!(RuleSet::from_prepared_bundle(&edited), Err(BundleError::PreparedMismatch)));
    assert!(matches!(RuleSet::from_bundle(&edited), Err(BundleError::PreparedMismatch)));

    // The same edit sealed again: the browser cannot tell (it reads no YAML), the loader with
    // YAML parses the files and refuses the parsed form that differs from them.
    let seal = seal(&edited);
    edited.prepared.as_mut().unwrap().seal = seal;
    assert!(RuleSet::from_prepared_bundle(&edited).is_ok());
    assert!(matches!(RuleSet::from_bundle(&edited), Err(BundleError::PreparedMismatch)));

    // A file the parsed form does not hold, or one it holds that the bundle does not.
    let mut missing = bundle.clone();
    missing.prepared.as_mut().unwrap().tests.clear();
    assert!(matches!(RuleSet::from_prepared_bundle(&missing), Err(BundleError::PreparedMismatch)));
    let mut extra = bundle.clone();
    let any = extra.prepared.as_ref().unwrap().rules.values().next().unwrap().clone();
    extra.prepared.as_mut().unwrap().rules.insert("extra.yaml".to_owned(), any);
    assert!(matches!(RuleSet::from_prepared_bundle(&extra), Err(BundleError::PreparedMismatch)));

    // Files edited after bundling: they no longer have the digest the bundle (and the seal)
    // records.
    let mut files_edited = bundle.clone();
    files_edited.files.get_mut("criteria.yaml").unwrap().push_str("\n# edited after bundling\n");
    assert!(matches!(RuleSet::from_prepared_bundle(&files_edited), Err(BundleError::DigestMismatch)));
    assert!(matches!(RuleSet::from_bundle(&files_edited), Err(BundleError::DigestMismatch)));
}

#[test]
fn an_older_bundle_without_its_parsed_form_needs_yaml() {
    let rules = khmao();
    let mut older = rules.bundle(&khmao_source());
    older.format = "sopro-bundle/1".to_owned();
    older.prepared = None;
    let (loaded, _) = RuleSet::from_bundle(&older).expect("a sopro-bundle/1 still loads with YAML");
    assert_eq!(loaded.digest(), rules.digest());
    assert!(matches!(RuleSet::from_prepared_bundle(&older), Err(BundleError::NotPrepared)));
    // Its JSON is what the format has always been: no `prepared` key.
    let json: Value = serde_json::to_value(&older).unwrap();
    assert!(json.get("prepared").is_none());
}
