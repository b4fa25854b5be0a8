//! Replays the fuzzing corpus (`fuzz/corpus`, `fuzz/seeds`) and every crash reproducer
//! (`fuzz/regressions`) through the bodies of the fuzz targets, on stable Rust, in every run.
//! The long fuzzing itself is run by hand (tests/README.md).

use std::path::Path;

use sopro_tests::{fuzzing, root};

fn replay(target: &str, body: fn(&[u8])) -> usize {
    let mut replayed = 0;
    for folder in ["corpus", "seeds", "regressions"] {
        let dir = root().join("fuzz").join(folder).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).unwrap();
            let outcome = std::panic::catch_unwind(|| body(&data));
            assert!(outcome.is_ok(), "{} fails again", relative(&file));
            replayed += 1;
        }
    }
    replayed
}

fn relative(file: &Path) -> String {
    file.strip_prefix(root()).unwrap_or(file).display().to_string()
}

#[test]
fn the_rule_set_corpus_and_reproducers_pass() {
    assert!(replay("load_rules", fuzzing::load_rules) > 10);
}

#[test]
fn the_answers_corpus_and_reproducers_pass() {
    assert!(replay("assess_answers", fuzzing::assess_answers) > 30);
}
