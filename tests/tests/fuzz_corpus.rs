//! Replays the fuzzing corpus (`fuzz/corpus`, `fuzz/seeds`) and every crash reproducer
//! (`fuzz/regressions`) through the bodies of the fuzz targets, on stable Rust, in every run.
//! Every folder must be there with about as many files as were committed, and enough of the
//! inputs must reach the engine and be accepted, so a lost corpus or a body that returns early
//! fails. The long fuzzing itself is run by hand (tests/README.md).

use std::collections::BTreeMap;
use std::path::Path;

use sopro_tests::fuzzing::{self, Reached};
use sopro_tests::root;

/// Replays the files of `fuzz/<folder>/<target>`, requiring at least `at_least` of them; counts
/// how far each went.
fn replay(
    folder: &str,
    target: &str,
    at_least: usize,
    body: fn(&[u8]) -> Reached,
    reached: &mut BTreeMap<Reached, usize>,
) {
    let dir = root().join("fuzz").join(folder).join(target);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", relative(&dir)));
    let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    files.sort();
    assert!(
        files.len() >= at_least,
        "{}: {} files, at least {at_least} expected",
        relative(&dir),
        files.len()
    );
    for file in files {
        let data = std::fs::read(&file).unwrap();
        let outcome = std::panic::catch_unwind(|| body(&data));
        let went = outcome.unwrap_or_else(|_| panic!("{} fails again", relative(&file)));
        *reached.entry(went).or_default() += 1;
    }
}

fn relative(file: &Path) -> String {
    file.strip_prefix(root()).unwrap_or(file).display().to_string()
}

#[test]
fn the_rule_set_corpus_and_seeds_pass_and_reach_the_engine() {
    let mut reached = BTreeMap::new();
    replay("corpus", "load_rules", 2_000, fuzzing::load_rules, &mut reached);
    replay("seeds", "load_rules", 12, fuzzing::load_rules, &mut reached);
    let count = |r| reached.get(&r).copied().unwrap_or(0);
    assert!(count(Reached::Refused) >= 1_000, "{reached:?}");
    assert!(count(Reached::Accepted) + count(Reached::AcceptedWithTests) >= 20, "{reached:?}");
    assert!(count(Reached::AcceptedWithTests) >= 1, "no input ran test cases: {reached:?}");
}

#[test]
fn the_answers_corpus_seeds_and_reproducers_pass_and_reach_the_engine() {
    let mut reached = BTreeMap::new();
    replay("corpus", "assess_answers", 1_400, fuzzing::assess_answers, &mut reached);
    replay("seeds", "assess_answers", 37, fuzzing::assess_answers, &mut reached);
    // The crash reproducers: each one found a real fault, now fixed.
    replay("regressions", "assess_answers", 1, fuzzing::assess_answers, &mut reached);
    let count = |r| reached.get(&r).copied().unwrap_or(0);
    assert!(count(Reached::Accepted) >= 30, "{reached:?}");
    assert!(count(Reached::Refused) >= 500, "{reached:?}");
}
