//! Native/WASM parity in a real browser (headless Chromium through wasm-bindgen-test): every
//! test case of every bundled rule set gives, through the WASM build, exactly the result the
//! native engine gave (`tests/golden/*.json`, kept current by `tests/tests/golden.rs`).
#![cfg(target_arch = "wasm32")]

use sopro_wasm::Sopro;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn parity(golden: &str) {
    let golden: serde_json::Value = serde_json::from_str(golden).unwrap();
    let sopro = Sopro::new(&golden["bundle"].to_string()).unwrap_or_else(|e| panic!("{e:?}"));
    let cases = golden["cases"].as_array().unwrap();
    assert!(cases.len() >= 30);
    for case in cases {
        let result: serde_json::Value =
            serde_json::from_str(&sopro.assess(&case["answers"].to_string())).unwrap();
        assert_eq!(result, case["result"], "{}", case["name"]);
    }
    let report: serde_json::Value = serde_json::from_str(&sopro.test()).unwrap();
    let failed = report["ok"]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["differences"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(failed, 0);
}

#[wasm_bindgen_test]
fn khmao_2026_1_gives_the_native_results() {
    parity(include_str!("../../tests/golden/khmao-2026.1.json"));
}

#[wasm_bindgen_test]
fn khmao_2026_2_gives_the_native_results() {
    parity(include_str!("../../tests/golden/khmao-2026.2.json"));
}

#[wasm_bindgen_test]
fn khmao_2025_1_gives_the_native_results() {
    parity(include_str!("../../tests/golden/khmao-2025.1.json"));
}

#[wasm_bindgen_test]
fn a_broken_bundle_is_a_structured_error() {
    let result: serde_json::Value =
        serde_json::from_str(&sopro_wasm::check_bundle("{\"format\": 1}")).unwrap();
    assert_eq!(result["error"]["kind"], "bad_bundle");
}
