//! How rule files reach the engine: as text, through a small source abstraction.
//! The engine never touches a file system; the CLI reads folders, the WASM build reads bundles.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::load::prepared::Prepared;

/// The largest rule or test file the engine reads, in bytes. Rule files are written by hand
/// (the largest KhMAO file is under 20 KB); a bigger one is refused before it is parsed.
pub const MAX_RULE_FILE_SIZE: usize = 256 * 1024;

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

/// A rule set in one JSON document (`sopro bundle`), for the browser build and for shipping a
/// published version as a single file. The digest is checked again when the bundle is loaded.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// [`BUNDLE_FORMAT`] (`sopro-bundle/1`, the files without their parsed form, is read too).
    pub format: String,
    /// The rule set's id.
    pub id: String,
    /// Its version.
    pub version: String,
    /// The `sha256:` digest of its files, as in every assessment.
    pub digest: String,
    /// Every file, by relative path.
    pub files: BTreeMap<String, String>,
    /// Not a published version: a loader uses it only when asked to, and its assessments say
    /// it is a draft.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
    /// The files already parsed, sealed to their digest (`sopro-bundle/2`), so that a loader
    /// needs no YAML parser ([`RuleSet::from_prepared_bundle`](crate::RuleSet::from_prepared_bundle)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prepared: Option<Prepared>,
}

/// The format tag of the bundles this engine writes: the files and their parsed form.
pub const BUNDLE_FORMAT: &str = "sopro-bundle/2";

/// The format tags this engine reads: `sopro-bundle/1` carries the files only.
pub const BUNDLE_FORMATS_READ: [&str; 2] = ["sopro-bundle/1", BUNDLE_FORMAT];

impl Bundle {
    /// The files of a bundle as a source.
    pub fn source(&self) -> MemorySource {
        MemorySource { files: self.files.clone() }
    }
}

impl MemorySource {
    /// Every file, by relative path (to write a bundle).
    pub fn files(&self) -> &BTreeMap<String, String> {
        &self.files
    }
}
