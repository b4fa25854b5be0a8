//! The hostile rule sets of `tests/hostile/` (each laid over the default rule set) and the
//! largest rule file allowed: shared by `tests/hostile.rs`, which bounds them, and the criterion
//! benchmark `benches/benches/hostile.rs`, which times them.

use std::path::Path;

use serde::Deserialize;
use serde_json::{json, Value};
use sopro_engine::{MemorySource, MAX_RULE_FILE_SIZE};

use crate::{khmao_source, root};

/// One line of `tests/hostile/cases.yaml`: where a hostile rule set must end.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The folder under `tests/hostile/`.
    pub case: String,
    pub stage: Stage,
    /// `check`: the file the diagnostic is in, and its code.
    pub file: Option<String>,
    pub code: Option<String>,
    /// `assess`: the rule named (or the start of its name), and a part of the message.
    pub rule: Option<String>,
    pub says: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Check,
    Assess,
}

/// Every case of `tests/hostile/cases.yaml`; panics unless every folder has its line.
pub fn cases() -> Vec<Case> {
    let dir = root().join("tests/hostile");
    let text = std::fs::read_to_string(dir.join("cases.yaml")).unwrap();
    let cases: Vec<Case> = serde_yaml::from_str(&text).unwrap();
    let folders = std::fs::read_dir(&dir).unwrap().flatten().filter(|e| e.path().is_dir()).count();
    assert_eq!(cases.len(), folders, "every folder in tests/hostile has its line in cases.yaml");
    assert!(cases.len() >= 19, "hostile cases missing: {}", cases.len());
    cases
}

/// The default rule set with the files of a hostile case laid over it (a new file is added; a
/// file of the same name is replaced).
pub fn overlay(case: &str) -> MemorySource {
    let mut source = khmao_source();
    add_files(&mut source, &root().join("tests/hostile").join(case), "");
    source
}

fn add_files(source: &mut MemorySource, dir: &Path, prefix: &str) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let name = format!("{prefix}{}", path.file_name().unwrap().to_str().unwrap());
        if path.is_dir() {
            add_files(source, &path, &format!("{name}/"));
        } else {
            source.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// The family every hostile rule set is assessed on.
pub fn family() -> Value {
    json!({"as_of": "2026-03-10", "members": [
        {"id": "m1", "role": "mother", "birth_date": "1990-01-01", "monthly_income": 30000},
        {"id": "m2", "role": "child", "birth_date": "2015-05-05"}
    ]})
}

/// A file of valid criteria, as many as fit in `size` bytes (at most the largest rule file
/// allowed), and how many it holds. At the full size, about 2 000.
pub fn many_criteria(size: usize) -> (String, usize) {
    let size = size.min(MAX_RULE_FILE_SIZE);
    let mut text = String::from("criteria:\n");
    let mut count = 0;
    loop {
        let item = format!(
            "  - {{id: many_{count}, label: {{ru: Т, en: T}}, severity: low, when: 'household_size > {count}', basis: [{{act: т, status: inferred}}]}}\n"
        );
        if text.len() + item.len() > size {
            return (text, count);
        }
        text.push_str(&item);
        count += 1;
    }
}

/// The default rule set with a file of many criteria (see [`many_criteria`]) added.
pub fn with_many_criteria(size: usize) -> MemorySource {
    let mut source = khmao_source();
    source.insert("many.yaml", many_criteria(size).0);
    source
}
