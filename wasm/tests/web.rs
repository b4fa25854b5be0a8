//! Native/WASM parity in a real browser (headless Chromium through wasm-bindgen-test): every
//! test case of every bundled rule set gives, through the WASM build, exactly the result the
//! native engine gave (`tests/golden/*.json`, kept current by `tests/tests/golden.rs`): the
//! assessment, the open questions and what would change towards a lower and a higher level.
#![cfg(target_arch = "wasm32")]

use sopro_wasm::Sopro;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn parity(name: &str, golden: &str) {
    let golden: serde_json::Value = serde_json::from_str(golden).unwrap();
    let sopro = Sopro::new(&golden["bundle"].to_string(), None).unwrap_or_else(|e| panic!("{e:?}"));
    let cases = golden["cases"].as_array().unwrap();
    // The template region under rules/examples/ carries a minimal suite.
    let least = if name.starts_with("example_") { 3 } else { 30 };
    assert!(cases.len() >= least, "{name}: only {} cases", cases.len());
    for case in cases {
        let result: serde_json::Value =
            serde_json::from_str(&sopro.assess(&case["answers"].to_string())).unwrap();
        assert_eq!(result, case["result"], "{name}: {}", case["name"]);
        let relevance: serde_json::Value =
            serde_json::from_str(&sopro.relevant(&case["answers"].to_string())).unwrap();
        let open = &relevance["ok"]["open_questions"];
        let paths: Vec<&serde_json::Value> = open.as_array().unwrap().iter().map(|q| &q["path"]).collect();
        assert_eq!(serde_json::json!(paths), case["open"], "{name}: {}: open questions", case["name"]);
        let whatif = |goal: &str| -> serde_json::Value {
            let goal = serde_json::json!({ "goal": goal }).to_string();
            serde_json::from_str(&sopro.what_would_change(&case["answers"].to_string(), &goal)).unwrap()
        };
        let explored = serde_json::json!({
            "open_questions": open, "lower": whatif("lower"), "higher": whatif("higher"),
        });
        assert_eq!(
            sha256(&explored),
            case["explored_sha256"].as_str().unwrap(),
            "{name}: {}: open questions or what would change differ from the native engine's",
            case["name"]
        );
    }
    let report: serde_json::Value = serde_json::from_str(&sopro.test()).unwrap();
    let failed = report["ok"]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["differences"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(report["ok"]["cases"].as_array().unwrap().len(), cases.len(), "{name}");
    assert_eq!(failed, 0, "{name}");
}

fn sha256(value: &serde_json::Value) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(value.to_string().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// `tests/golden/*.json`, listed by `build.rs`, and the number of bundled rule sets.
const GOLDEN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/golden.rs"));
const RULE_SETS: usize = include!(concat!(env!("OUT_DIR"), "/rule_sets.rs"));

#[wasm_bindgen_test]
fn every_bundled_rule_set_gives_the_native_results() {
    assert!(RULE_SETS >= 3, "bundled rule sets not found ({RULE_SETS})");
    assert_eq!(
        GOLDEN.len(),
        RULE_SETS,
        "a bundled rule set has no golden file, or a golden file no rule set"
    );
    for (name, golden) in GOLDEN {
        parity(name, golden);
    }
}

#[wasm_bindgen_test]
fn a_broken_bundle_is_a_structured_error() {
    let result: serde_json::Value =
        serde_json::from_str(&sopro_wasm::check_bundle("{\"format\": 1}", None)).unwrap();
    assert_eq!(result["error"]["kind"], "bad_bundle");
}

/// The browser reads the parsed form a bundle carries (it has no YAML parser): a bundle without
/// one is refused with the way to make one, a parsed form edited after bundling is not used.
#[wasm_bindgen_test]
fn a_bundle_without_its_sealed_parsed_form_is_refused() {
    let (_, golden) = GOLDEN[0];
    let golden: serde_json::Value = serde_json::from_str(golden).unwrap();
    let kind = |bundle: &serde_json::Value| {
        let result: serde_json::Value =
            serde_json::from_str(&sopro_wasm::check_bundle(&bundle.to_string(), None)).unwrap();
        result["error"]["kind"].as_str().unwrap_or("loaded").to_owned()
    };
    assert_eq!(kind(&golden["bundle"]), "loaded");
    let mut older = golden["bundle"].clone();
    older["format"] = serde_json::json!("sopro-bundle/1");
    older.as_object_mut().unwrap().remove("prepared");
    assert_eq!(kind(&older), "bad_bundle");
    let mut edited = golden["bundle"].clone();
    let rules = edited["prepared"]["rules"].as_object_mut().unwrap();
    let criteria = rules.get_mut("criteria.yaml").unwrap();
    criteria["criteria"][0]["when"] = serde_json::json!("false");
    assert_eq!(kind(&edited), "digest_mismatch");
}

/// A draft's bundle loads only when asked, and its assessments say it is a draft.
#[wasm_bindgen_test]
fn a_draft_bundle_loads_only_when_asked() {
    let (_, golden) = GOLDEN[0];
    let mut golden: serde_json::Value = serde_json::from_str(golden).unwrap();
    golden["bundle"]["draft"] = serde_json::json!(true);
    let bundle = golden["bundle"].to_string();
    let refused: serde_json::Value = serde_json::from_str(&sopro_wasm::check_bundle(&bundle, None)).unwrap();
    assert_eq!(refused["error"]["kind"], "draft_not_allowed");
    let sopro = Sopro::new(&bundle, Some(true)).unwrap_or_else(|e| panic!("{e:?}"));
    let answers = golden["cases"][0]["answers"].to_string();
    let result: serde_json::Value = serde_json::from_str(&sopro.assess(&answers)).unwrap();
    let warnings = result["ok"]["warnings"].as_array().unwrap();
    assert!(warnings.iter().any(|w| w["code"] == "draft_version"), "{warnings:?}");
    let labels: serde_json::Value = serde_json::from_str(&sopro.labels()).unwrap();
    assert!(labels["ok"].as_object().unwrap().len() > 50);
}
