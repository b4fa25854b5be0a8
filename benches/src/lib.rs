//! Benchmark fixtures: the bundled rule sets and families of three sizes. A fixture that has
//! moved or broken stops the benchmark with the reason, so it never measures nothing.

use std::path::{Path, PathBuf};

use sopro_engine::{MemorySource, RuleSet};

/// The repository's root folder.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The files of the default rule set.
pub fn khmao_source() -> MemorySource {
    let dir = root().join("rules/khmao/2026.1");
    sopro_cli::files::read_rules(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

/// The default rule set, compiled.
pub fn khmao() -> RuleSet {
    let loaded = RuleSet::load(&khmao_source());
    loaded.ruleset.unwrap_or_else(|| panic!("rules/khmao/2026.1 does not compile: {:#?}", loaded.diagnostics))
}

/// The benchmark families: `small` (2 members, few answers), `typical` (the contract's
/// example, 3 members, every answer) and `worst` (10 members, every criterion met). Each is
/// assessed once here, so a family the rule set refuses is not timed as a fast error.
pub fn families() -> Vec<(&'static str, serde_json::Value)> {
    let rules = khmao();
    ["small", "typical", "worst"]
        .into_iter()
        .map(|name| {
            let path = root().join("benches/data").join(format!("{name}.json"));
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let answers: serde_json::Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            if let Err(error) = rules.assess(&answers) {
                panic!("{}: not assessed: {error}", path.display());
            }
            (name, answers)
        })
        .collect()
}
