//! The bodies of the fuzz targets (`fuzz/`), kept here so that `tests/tests/fuzz_corpus.rs`
//! replays their corpus and crash reproducers on stable Rust in every test run.

use std::sync::OnceLock;

use serde_json::Value;
use sopro_engine::{AssessError, MemorySource, RuleSet};

/// Arbitrary bytes as a whole rule set in one file: loading and checking never panic; a rule
/// set that loads is assessed on a small family and runs its own test cases.
pub fn load_rules(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut source = MemorySource::new();
    source.insert("ruleset.yaml", text);
    let loaded = RuleSet::load(&source);
    match loaded.ruleset {
        Some(rules) => {
            let family = serde_json::json!({"as_of": "2026-03-10", "members": [
                {"id": "m1", "role": "mother", "birth_date": "1990-01-01", "monthly_income": 20000},
                {"id": "c1", "role": "child", "birth_date": "2016-02-02"}
            ]});
            let _ = rules.assess(&family);
            let _ = rules.relevant(&family);
            let _ = rules.run_tests();
        }
        None => assert!(!loaded.diagnostics.is_empty(), "refused without a diagnostic"),
    }
}

/// Arbitrary bytes as answers to the default rule set: the engine gives an assessment or a
/// non-empty list of problems, each with a JSON path, and never panics.
pub fn assess_answers(data: &[u8]) {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    let rules = RULES.get_or_init(crate::khmao);
    let Ok(answers) = serde_json::from_slice::<Value>(data) else { return };
    match rules.assess(&answers) {
        Ok(assessment) => assert!(!assessment.level.id.is_empty()),
        Err(AssessError::InvalidAnswers { problems }) => {
            assert!(!problems.is_empty(), "refused without a problem");
            assert!(problems.iter().all(|p| p.path.starts_with('/')), "a problem without a path");
        }
        Err(other) => panic!("the default rule set failed on answers it accepted: {other:?}"),
    }
    let _ = rules.relevant(&answers);
}
