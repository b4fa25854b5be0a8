//! A rule set's files already parsed, carried in a bundle so that a loader needs no YAML parser
//! (the browser build leaves `serde_yaml` out: it is over a third of the module and most of the
//! time of a cold start).
//!
//! The parsed form is sealed to the files: the seal is a sha256 over the files' digest and the
//! parsed form in canonical JSON. A loader without YAML checks the files' digest and the seal; a
//! loader with YAML (`RuleSet::from_bundle`) also parses the files again and refuses a parsed
//! form that differs from them. So a bundle whose parsed form was edited and sealed again loads
//! in the browser but not natively; every bundle the tests build is loaded both ways and must
//! give the same rule set.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diagnostic::{At, Code};
use crate::format::model::{RuleFile, TestCase};
use crate::load::source::RuleSource;
use crate::load::{layer_kind as kind, FileParser, Kind, Yaml};

/// The parsed form of a rule set's YAML files, by relative path.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prepared {
    /// `sha256:` over the files' digest and `rules` and `tests` in canonical JSON.
    pub seal: String,
    /// Every rule file, parsed.
    pub rules: BTreeMap<String, RuleFile>,
    /// Every test file, parsed.
    pub tests: BTreeMap<String, Vec<TestCase>>,
}

impl Prepared {
    /// The parsed form of `source`'s rule and test files, sealed to `digest`. `None` if a file
    /// does not parse (a rule set that compiled always does).
    pub(crate) fn parse(source: &dyn RuleSource, digest: &str) -> Option<Prepared> {
        let (mut rules, mut tests) = (BTreeMap::new(), BTreeMap::new());
        for path in source.paths() {
            let Some(text) = source.text(&path) else { continue };
            match kind(&path) {
                Some(Kind::Rules) => {
                    rules.insert(path.clone(), Yaml.rules(&path, text).ok()?);
                }
                Some(Kind::Tests) => {
                    tests.insert(path.clone(), Yaml.tests(&path, text).ok()?);
                }
                Some(Kind::Functions) | None => {}
            }
        }
        let seal = seal(digest, &rules, &tests)?;
        Some(Prepared { seal, rules, tests })
    }

    /// Whether the seal is that of `digest` and this parsed form.
    pub(crate) fn is_sealed_to(&self, digest: &str) -> bool {
        seal(digest, &self.rules, &self.tests).is_some_and(|seal| seal == self.seal)
    }

    /// Whether it holds exactly the rule and test files of `source`.
    pub(crate) fn covers(&self, source: &dyn RuleSource) -> bool {
        let mut rules = 0;
        let mut tests = 0;
        for path in source.paths() {
            match kind(&path) {
                Some(Kind::Rules) if self.rules.contains_key(&path) => rules += 1,
                Some(Kind::Tests) if self.tests.contains_key(&path) => tests += 1,
                Some(Kind::Rules | Kind::Tests) => return false,
                Some(Kind::Functions) | None => {}
            }
        }
        rules == self.rules.len() && tests == self.tests.len()
    }

    /// The same parsed form, compared in canonical JSON.
    pub(crate) fn same_as(&self, other: &Prepared) -> bool {
        canonical(&self.rules, &self.tests) == canonical(&other.rules, &other.tests)
    }
}

fn canonical(
    rules: &BTreeMap<String, RuleFile>,
    tests: &BTreeMap<String, Vec<TestCase>>,
) -> Option<(Vec<u8>, Vec<u8>)> {
    Some((serde_json::to_vec(rules).ok()?, serde_json::to_vec(tests).ok()?))
}

fn seal(
    digest: &str,
    rules: &BTreeMap<String, RuleFile>,
    tests: &BTreeMap<String, Vec<TestCase>>,
) -> Option<String> {
    let (rules, tests) = canonical(rules, tests)?;
    let mut hasher = Sha256::new();
    for part in [b"sopro-prepared/1".as_slice(), digest.as_bytes(), &rules, &tests] {
        hasher.update(part);
        hasher.update([0]);
    }
    let hex: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Some(format!("sha256:{hex}"))
}

/// Reads the files' parsed form from a [`Prepared`] instead of parsing YAML.
impl FileParser for Prepared {
    fn rules(&self, path: &str, _text: &str) -> Result<RuleFile, (Code, At, String)> {
        self.rules.get(path).cloned().ok_or_else(|| missing(path))
    }

    fn tests(&self, path: &str, _text: &str) -> Result<Vec<TestCase>, (Code, At, String)> {
        self.tests.get(path).cloned().ok_or_else(|| missing(path))
    }
}

/// Unreachable after [`Prepared::covers`]; an error rather than a panic all the same.
fn missing(path: &str) -> (Code, At, String) {
    (Code::Yaml, At::file(path), "the bundle's parsed form has no entry for this file".to_owned())
}
