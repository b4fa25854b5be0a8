//! The bodies of the fuzz targets (`fuzz/`), kept here so that `tests/tests/fuzz_corpus.rs`
//! replays their corpus and crash reproducers on stable Rust in every test run. Each says how
//! far into the engine its input went, so the replay can require that it reaches the engine.

use std::sync::OnceLock;

use serde_json::Value;
use sopro_engine::{AssessError, Explain, MemorySource, RuleSet};

/// How far an input went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reached {
    /// Not text (rule sets) or not JSON (answers): the engine never saw it.
    Nothing,
    /// The engine refused it with diagnostics or answer problems.
    Refused,
    /// A rule set that loaded and assessed a family, or answers that were assessed.
    Accepted,
    /// A rule set that loaded and ran test cases of its own.
    AcceptedWithTests,
}

/// The line that separates a rule set from its test cases in one fuzz input: what follows it
/// becomes the file `tests/fuzz.yaml`.
pub const TESTS_MARKER: &str = "\n#--- tests\n";

/// Arbitrary bytes as a rule set in one file (and its test cases after [`TESTS_MARKER`]):
/// loading and checking never panic; a rule set that loads is assessed on a small family and
/// runs its own test cases.
pub fn load_rules(data: &[u8]) -> Reached {
    let Ok(text) = std::str::from_utf8(data) else { return Reached::Nothing };
    let mut source = MemorySource::new();
    match text.split_once(TESTS_MARKER) {
        Some((rules, tests)) => {
            source.insert("ruleset.yaml", rules);
            source.insert("tests/fuzz.yaml", tests);
        }
        None => {
            source.insert("ruleset.yaml", text);
        }
    }
    let loaded = RuleSet::load(&source);
    let Some(rules) = loaded.ruleset else {
        assert!(!loaded.diagnostics.is_empty(), "refused without a diagnostic");
        return Reached::Refused;
    };
    let family = serde_json::json!({"as_of": "2026-03-10", "members": [
        {"id": "m1", "role": "mother", "birth_date": "1990-01-01", "monthly_income": 20000},
        {"id": "c1", "role": "child", "birth_date": "2016-02-02"}
    ]});
    let _ = rules.assess(&family);
    let _ = rules.relevant(&family);
    let report = rules.run_tests();
    if report.cases.is_empty() {
        Reached::Accepted
    } else {
        Reached::AcceptedWithTests
    }
}

/// Arbitrary bytes as answers to the default rule set: the engine gives an assessment or a
/// non-empty list of problems, each with a JSON path, and never panics.
pub fn assess_answers(data: &[u8]) -> Reached {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    let rules = RULES.get_or_init(crate::khmao);
    let text = std::str::from_utf8(data).ok();
    let Ok(answers) = serde_json::from_slice::<Value>(data) else {
        // Text that is not JSON is refused by the typed reader too, where serde_json stops.
        if let (Some(text), Err(expected)) = (text, serde_json::from_slice::<Value>(data)) {
            let refused = rules.assess_json(text, Explain::ALL).map(|_| ()).unwrap_err();
            assert_eq!((refused.line, refused.column), (expected.line(), expected.column()));
        }
        return Reached::Nothing;
    };
    let assessed = rules.assess(&answers);
    // The same answers read from the text straight into the slots give the same bytes.
    if let Some(text) = text {
        let from_text = rules.assess_json(text, Explain::ALL).expect("JSON a Value accepted");
        assert_eq!(
            serde_json::to_string(&from_text.as_ref()).ok(),
            serde_json::to_string(&assessed.as_ref()).ok(),
            "text and Value disagree"
        );
        assert_eq!(rules.validate_json(text).ok(), Some(rules.validate_answers(&answers)));
    }
    let reached = match assessed {
        Ok(assessment) => {
            assert!(!assessment.level.id.is_empty());
            Reached::Accepted
        }
        Err(AssessError::InvalidAnswers { problems }) => {
            assert!(!problems.is_empty(), "refused without a problem");
            assert!(problems.iter().all(|p| p.path.starts_with('/')), "a problem without a path");
            Reached::Refused
        }
        Err(other) => panic!("the default rule set failed on answers it accepted: {other:?}"),
    };
    let _ = rules.relevant(&answers);
    reached
}
