//! Shared helpers of the cross-crate tests: the bundled rule sets, loaded from disk, and the
//! bodies of the fuzz targets, the hostile rule sets.

pub mod fuzzing;
pub mod hostile;

use std::path::{Path, PathBuf};

use sopro_engine::{MemorySource, RuleSet};

/// The repository's root folder.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every bundled rule-set version: `rules/<jurisdiction>/<version>/`, and the examples'
/// `rules/examples/<region>/<version>/`.
pub fn bundled_rule_sets() -> Vec<PathBuf> {
    let mut found = Vec::new();
    let folders = |dir: PathBuf| std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path());
    let jurisdictions = folders(root().join("rules")).chain(folders(root().join("rules/examples")));
    for jurisdiction in jurisdictions {
        let Ok(versions) = std::fs::read_dir(&jurisdiction) else { continue };
        for version in versions.flatten() {
            if version.path().join("ruleset.yaml").is_file() {
                found.push(version.path());
            }
        }
    }
    found.sort();
    found
}

/// The files of a rule-set folder.
pub fn source(dir: &Path) -> MemorySource {
    sopro_cli::files::read_rules(dir).unwrap_or_else(|e| panic!("{e}"))
}

/// The default rule set, `rules/khmao/2026.1`.
pub fn khmao_source() -> MemorySource {
    source(&root().join("rules/khmao/2026.1"))
}

/// The default rule set, compiled.
pub fn khmao() -> RuleSet {
    compiled(&root().join("rules/khmao/2026.1"))
}

/// The rule set of a folder, compiled (panics with every diagnostic if it has errors).
pub fn compiled(dir: &Path) -> RuleSet {
    sopro_cli::files::load_rules(dir).unwrap_or_else(|e| panic!("{e:#?}"))
}

/// The sample profile of the bundled KhMAO versions (`rules/khmao/sample.yaml`).
pub fn khmao_sample() -> sopro_engine::SampleProfile {
    sopro_cli::files::read_sample(&root().join("rules/khmao"), None)
        .unwrap_or_else(|e| panic!("{e}"))
        .expect("rules/khmao/sample.yaml")
}

/// `n` families for `rules` drawn with `seed` and KhMAO's sample profile (dates in the
/// period `rules` is in force).
pub fn generated(rules: &RuleSet, n: usize, seed: u64) -> Vec<serde_json::Value> {
    rules.generator(Some(&khmao_sample())).families(n, seed).collect()
}

/// `n` families as `sopro gen` makes them by default: from the published KhMAO versions,
/// each drawn by the version in force on its date, with KhMAO's sample profile.
pub fn khmao_registry(n: usize, seed: u64) -> Vec<serde_json::Value> {
    static LIBRARY: std::sync::OnceLock<sopro_engine::RuleLibrary> = std::sync::OnceLock::new();
    static PROFILE: std::sync::OnceLock<sopro_engine::SampleProfile> = std::sync::OnceLock::new();
    let library = LIBRARY.get_or_init(|| {
        sopro_cli::files::load_library(&root().join("rules/khmao"), sopro_engine::Drafts::Refused)
            .unwrap_or_else(|e| panic!("{e}"))
    });
    library.generator(Some(PROFILE.get_or_init(khmao_sample))).families(n, seed).collect()
}

/// The answers with the one at a JSON Pointer set (sections made on the way; a member by index).
pub fn with_answer(answers: &serde_json::Value, path: &str, value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    let mut changed = answers.clone();
    let (parent, key) = path.rsplit_once('/').expect("a JSON Pointer");
    let mut at = &mut changed;
    for segment in parent.trim_start_matches('/').split('/').filter(|s| !s.is_empty()) {
        at = match at {
            Value::Array(items) => &mut items[segment.parse::<usize>().expect("a member index")],
            Value::Object(map) => map.entry(segment).or_insert_with(|| Value::Object(Default::default())),
            _ => unreachable!("{path} leads through an answer"),
        };
    }
    at.as_object_mut().expect("a section or member").insert(key.to_owned(), value);
    changed
}
