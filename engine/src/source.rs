//! How rule files reach the engine: as text, through a small source abstraction.
//! The engine never touches a file system; the CLI reads folders, the WASM build reads bundles.

use std::collections::BTreeMap;

/// The files of one rule set, by path relative to the rule set's folder (`/` as separator).
pub trait RuleSource {
    /// Every file's relative path, in a stable order.
    fn paths(&self) -> Vec<String>;
    /// The text of one file.
    fn text(&self, path: &str) -> Option<&str>;
}

/// A rule set held in memory.
#[derive(Debug, Clone, Default)]
pub struct MemorySource {
    files: BTreeMap<String, String>,
}

impl MemorySource {
    /// An empty source.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a file.
    pub fn insert(&mut self, path: impl Into<String>, text: impl Into<String>) -> &mut Self {
        self.files.insert(path.into(), text.into());
        self
    }
}

impl RuleSource for MemorySource {
    fn paths(&self) -> Vec<String> {
        self.files.keys().cloned().collect()
    }

    fn text(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }
}
