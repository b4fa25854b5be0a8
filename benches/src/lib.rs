//! Benchmark fixtures: the bundled rule sets and families of three sizes.

use std::path::{Path, PathBuf};

use sopro_engine::{MemorySource, RuleSet};

/// The repository's root folder.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The files of the default rule set.
pub fn khmao_source() -> MemorySource {
    sopro_cli::files::read_rules(&root().join("rules/khmao/2026.1")).unwrap_or_default()
}

/// The default rule set, compiled.
pub fn khmao() -> Option<RuleSet> {
    RuleSet::load(&khmao_source()).ruleset
}

/// The benchmark families: `small` (2 members, few answers), `typical` (the contract's
/// example, 3 members, every answer) and `worst` (10 members, every criterion met).
pub fn families() -> Vec<(&'static str, serde_json::Value)> {
    ["small", "typical", "worst"]
        .into_iter()
        .filter_map(|name| {
            let text =
                std::fs::read_to_string(root().join("benches/data").join(format!("{name}.json"))).ok()?;
            Some((name, serde_json::from_str(&text).ok()?))
        })
        .collect()
}
