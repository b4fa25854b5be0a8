//! The rule studio's calls (`--features studio`, a module of its own): a rule set compiled from
//! its YAML files as edited in the browser, and compared with the version it started from over a
//! registry generated on the device. The intake module is built without them, and so without a
//! YAML parser.

use sopro_engine::{ErrorKind, MemorySource, RuleSet};
use wasm_bindgen::prelude::*;

use crate::{error, failed, ok, Sopro};

/// At most this many families are compared at once (the studio's N goes up to 10 000).
const MAX_FAMILIES: u32 = 10_000;
/// The families that change kept whole for the page.
const KEEP: usize = 200;

/// Compiles the files (`{"path": "text"}`, JSON) into a rule set; on failure the JSON text
/// `{"error": {"kind": "rules_invalid", "diagnostics": [...]}}`, every problem with its file and line.
fn compile(files: &str) -> Result<Sopro, String> {
    let files: std::collections::BTreeMap<String, String> = serde_json::from_str(files).map_err(|e| {
        failed(ErrorKind::BadJson, &format!("files: not a JSON object of texts (column {})", e.column()))
    })?;
    let mut source = MemorySource::new();
    for (path, text) in files {
        source.insert(path, text);
    }
    let loaded = RuleSet::load(&source);
    match loaded.ruleset {
        Some(mut rules) => {
            // An edit is not published, whatever its folder said.
            rules.mark_draft();
            let bundle = rules.bundle(&source);
            Ok(Sopro { rules, bundle, warnings: loaded.diagnostics })
        }
        None => Err(error(
            &serde_json::json!({"kind": ErrorKind::RulesInvalid, "diagnostics": loaded.diagnostics}),
        )),
    }
}

/// Checks rule files as the studio edits them: `{"ok": [Diagnostic]}` (warnings) or
/// `{"error": {"kind": "rules_invalid", "diagnostics"}}`.
#[wasm_bindgen(js_name = checkFiles)]
pub fn check_files(files: &str) -> String {
    match compile(files) {
        Ok(sopro) => ok(&sopro.warnings),
        Err(e) => e,
    }
}

#[wasm_bindgen]
impl Sopro {
    /// A rule set compiled from its files (`{"path": "text"}`): throws the JSON text of
    /// `{"error": …}` when it has errors.
    #[wasm_bindgen(js_name = fromFiles)]
    pub fn from_files(files: &str) -> Result<Sopro, JsValue> {
        compile(files).map_err(|e| JsValue::from_str(&e))
    }

    /// What an id is, for the editor's hover: `{"ok": {"label", "basis", "file", "line"}}`, or
    /// `{"ok": null}` for an id the rule set does not have.
    pub fn describe(&self, id: &str) -> String {
        let Some(label) = self.rules.label_of(id) else { return ok(&serde_json::Value::Null) };
        let (basis, file, line) = self.rules.basis_of(id).map_or((&[][..], "", None), |(b, f, l)| (b, f, l));
        ok(&serde_json::json!({"label": label, "basis": basis, "file": file, "line": line}))
    }

    /// A test case for these answers (JSON text) that expects what this rule set makes of
    /// them, to edit and add to its tests: `{"ok": TestCase}`, or the assessment's error.
    #[wasm_bindgen(js_name = draftTest)]
    pub fn draft_test(&self, answers: &str, name: &str) -> String {
        let answers: serde_json::Value = match serde_json::from_str(answers) {
            Ok(answers) => answers,
            Err(e) => {
                return failed(ErrorKind::BadJson, &format!("line {}, column {}", e.line(), e.column()))
            }
        };
        match self.rules.assess(&answers) {
            Ok(assessment) => ok(&sopro_engine::test_case_of(name.to_owned(), answers, &assessment)),
            Err(e) => error(&e),
        }
    }

    /// The rule files (`{"path": "text"}`), to edit or download.
    #[wasm_bindgen(js_name = sourceFiles)]
    pub fn source_files(&self) -> String {
        ok(&self.bundle.files)
    }

    /// This rule set against `base` over `n` families generated from `base`'s questions (seed
    /// `seed`; `sample`, the text of a sample profile, or empty): `{"ok": Comparison}`.
    pub fn compare(&self, base: &Sopro, n: u32, seed: u32, sample: &str) -> String {
        let profile = if sample.trim().is_empty() {
            None
        } else {
            match sopro_engine::parse_sample(sample) {
                Ok(profile) => Some(profile),
                Err(message) => return failed(ErrorKind::BadJson, &format!("sample profile: {message}")),
            }
        };
        let families: Vec<serde_json::Value> = base
            .rules
            .generator(profile.as_ref())
            .families(n.min(MAX_FAMILIES) as usize, u64::from(seed))
            .collect();
        ok(&sopro_engine::compare(&base.rules, &self.rules, &families, KEEP))
    }

    /// This rule set against `base` over families given as CSV (the header convention of `sopro
    /// batch`: answer paths with dots), typed by `base`'s questions: `{"ok": Comparison}`; a row
    /// that cannot be read counts as a family not assessed.
    #[wasm_bindgen(js_name = compareCsv)]
    pub fn compare_csv(&self, base: &Sopro, text: &str) -> String {
        match sopro_engine::csv_families(text, base.rules.questions()) {
            Ok(rows) => {
                let families: Vec<serde_json::Value> = rows
                    .into_iter()
                    .take(MAX_FAMILIES as usize)
                    .map(|row| row.unwrap_or(serde_json::Value::Null))
                    .collect();
                ok(&sopro_engine::compare(&base.rules, &self.rules, &families, KEEP))
            }
            Err(message) => failed(ErrorKind::BadJson, &message),
        }
    }

    /// This rule set against `base` over families given as JSON Lines (a file chosen on the
    /// device): `{"ok": Comparison}`; a line that is not JSON counts as a family not assessed.
    #[wasm_bindgen(js_name = compareLines)]
    pub fn compare_lines(&self, base: &Sopro, lines: &str) -> String {
        let families: Vec<serde_json::Value> = lines
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(MAX_FAMILIES as usize)
            .map(|l| serde_json::from_str(l).unwrap_or(serde_json::Value::Null))
            .collect();
        ok(&sopro_engine::compare(&base.rules, &self.rules, &families, KEEP))
    }
}
