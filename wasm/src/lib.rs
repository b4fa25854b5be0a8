//! `sopro-wasm`: the Sopro engine for web intake forms, compiled to WebAssembly.
//!
//! Glue only. Every call takes and returns JSON text in the shapes of `sopro … --format json`;
//! the JavaScript wrapper (`www/sopro.js`, copied into the package) parses it, so errors arrive
//! as structured objects (`{ error: { kind, … } }`), never as thrown strings.

use serde::Serialize;
use serde_json::json;
use sopro_engine::{envelope, BadJson, Bundle, BundleError, ErrorKind, Explain, RuleSet};
use wasm_bindgen::prelude::*;

#[cfg(feature = "studio")]
mod studio;

const ASSESSMENT_SCHEMA: &str = include_str!("../../rules/schema/assessment.schema.json");

/// A compiled rule set, ready to assess families in the browser.
#[wasm_bindgen]
pub struct Sopro {
    rules: RuleSet,
    bundle: Bundle,
    warnings: Vec<sopro_engine::Diagnostic>,
}

/// `{"ok": value}` as JSON text (the engine's envelope).
fn ok<T: Serialize>(value: &T) -> String {
    envelope::ok(value).to_string()
}

/// `{"error": value}` as JSON text, for an error that carries its own `kind`.
fn error<T: Serialize>(value: &T) -> String {
    envelope::error(value).to_string()
}

/// `{"error": {"kind", "message"}}` as JSON text.
fn failed(kind: ErrorKind, message: &str) -> String {
    envelope::error_message(kind, message).to_string()
}

/// Loads a rule set from a bundle (`sopro bundle DIR -o FILE`) from the parsed form it carries:
/// the browser build holds no YAML parser. The engine checks its format, the parsed form's seal
/// and the files' digest. A bundle of a draft (a version not published) loads only if `drafts` allows it.
/// On failure, the JSON text `{"error": {kind, …}}` with every problem.
fn load(bundle: &str, drafts: bool) -> Result<Sopro, String> {
    let bundle: Bundle = serde_json::from_str(bundle).map_err(|e| {
        failed(
            ErrorKind::BadBundle,
            &format!("not a Sopro bundle (line {}, column {})", e.line(), e.column()),
        )
    })?;
    let (rules, warnings) = RuleSet::from_prepared_bundle(&bundle).map_err(|e| match e {
        BundleError::UnknownFormat(format) => {
            failed(ErrorKind::BadBundle, &format!("unknown bundle format `{format}`"))
        }
        BundleError::RulesInvalid(diagnostics) => {
            error(&json!({"kind": ErrorKind::RulesInvalid, "diagnostics": diagnostics}))
        }
        BundleError::DigestMismatch => {
            failed(ErrorKind::DigestMismatch, "the bundle's files do not match its digest")
        }
        BundleError::PreparedMismatch => {
            failed(ErrorKind::DigestMismatch, "the bundle's parsed form is not sealed to its files")
        }
        BundleError::NotPrepared => failed(
            ErrorKind::BadBundle,
            "the bundle carries no parsed form (an older `sopro-bundle/1`): make it again with `sopro bundle`",
        ),
    })?;
    if rules.is_draft() && !drafts {
        let message = format!(
            "{} {} is a draft, not a published version: load it with {{drafts: true}} to use it",
            rules.id(),
            rules.version()
        );
        return Err(failed(ErrorKind::DraftNotAllowed, &message));
    }
    Ok(Sopro { rules, bundle, warnings })
}

/// Answers (or partial answers) as JSON, or the `{"error": {"kind": "bad_json"}}` text.
fn parse_answers(text: &str) -> Result<serde_json::Value, String> {
    serde_json::from_str(text).map_err(|e| bad_json(BadJson::from(e)))
}

/// The `{"error": {"kind": "bad_json"}}` text, with where the reading stopped.
fn bad_json(error: BadJson) -> String {
    failed(ErrorKind::BadJson, &error.to_string())
}

#[wasm_bindgen]
impl Sopro {
    /// Loads a bundle; a draft's only if `drafts` is true. Throws the JSON text `{"error": …}`
    /// (the wrapper turns it into an object).
    #[wasm_bindgen(constructor)]
    pub fn new(bundle: &str, drafts: Option<bool>) -> Result<Sopro, JsValue> {
        load(bundle, drafts.unwrap_or(false)).map_err(|e| JsValue::from_str(&e))
    }

    /// The label of every rule by id, to show `because` lists in words: `{"ok": {id: {ru, en}}}`.
    pub fn labels(&self) -> String {
        ok(&self.rules.labels())
    }

    /// `{"id", "version", "digest", "title", "in_force"}` of the loaded rule set.
    pub fn info(&self) -> String {
        let (from, to) = self.rules.in_force();
        ok(&json!({
            "id": self.rules.id(), "version": self.rules.version(), "digest": self.rules.digest(),
            "title": self.rules.title(), "in_force": {"from": from, "to": to},
        }))
    }

    /// The questions, to render a form from.
    pub fn questions(&self) -> String {
        ok(&self.rules.questions())
    }

    /// Assesses answers (JSON text, read straight into the rule set's slots):
    /// `{"ok": Assessment}` or `{"error": AssessError}`.
    pub fn assess(&self, answers: &str) -> String {
        match self.rules.assess_json(answers, Explain::ALL) {
            Ok(Ok(assessment)) => ok(&assessment),
            Ok(Err(e)) => error(&e),
            Err(e) => bad_json(e),
        }
    }

    /// What a form should show for partial answers: `{"ok": Relevance}`.
    pub fn relevant(&self, partial: &str) -> String {
        match parse_answers(partial) {
            Ok(partial) => ok(&self.rules.relevant(&partial)),
            Err(bad_json) => bad_json,
        }
    }

    /// What would have to change for the family to reach a goal (`{"goal": "lower"}`,
    /// `{"goal": "leave", "id": "omvd_pdn"}`…): `{"ok": WhatWouldChange}` or `{"error": …}`.
    #[wasm_bindgen(js_name = whatWouldChange)]
    pub fn what_would_change(&self, partial: &str, goal: &str) -> String {
        let partial = match parse_answers(partial) {
            Ok(partial) => partial,
            Err(bad_json) => return bad_json,
        };
        let goal: sopro_engine::Goal = match serde_json::from_str(goal) {
            Ok(goal) => goal,
            Err(e) => return bad_json(BadJson::from(e)),
        };
        match self.rules.what_would_change(&partial, &goal) {
            Ok(found) => ok(&found),
            Err(e) => error(&e),
        }
    }

    /// The text of the family's draft individual programme (ИПСС) to print, in `lang` (`ru` or
    /// `en`): `{"ok": ProgrammeSheet}`, `{"ok": null}` where the rule set declares no
    /// programme, or `{"error": …}`. Only the case id of the answers is in it.
    #[wasm_bindgen(js_name = programmeSheet)]
    pub fn programme_sheet(&self, answers: &str, lang: &str) -> String {
        match self.sheet_of(answers, lang) {
            Ok(sheet) => ok(&sheet),
            Err(error) => error,
        }
    }

    /// The family's draft individual programme (ИПСС) as a page to print (the same HTML as
    /// `sopro programme -o ipss.html`): `{"ok": "<!doctype html>…"}`, `{"ok": null}` where the
    /// rule set declares no programme, or `{"error": …}`.
    #[wasm_bindgen(js_name = programmeHtml)]
    pub fn programme_html(&self, answers: &str, lang: &str) -> String {
        match self.sheet_of(answers, lang) {
            Ok(sheet) => ok(&sheet.map(|sheet| sheet.html())),
            Err(error) => error,
        }
    }

    /// The warnings found when the rule set was loaded: `{"ok": [Diagnostic]}`.
    pub fn check(&self) -> String {
        ok(&self.warnings)
    }

    /// Runs the rule set's own test cases: `{"ok": TestReport}`.
    pub fn test(&self) -> String {
        ok(&self.rules.run_tests())
    }

    /// A JSON Schema: `answers` or `assessment`.
    pub fn schema(&self, kind: &str) -> String {
        match kind {
            "answers" => ok(&sopro_engine::answers_schema(&self.rules)),
            // The committed schema (kept current by tests/tests/schemas.rs): generating it here
            // would bring schemars' code into the module.
            "assessment" => match serde_json::from_str::<serde_json::Value>(ASSESSMENT_SCHEMA) {
                Ok(schema) => ok(&schema),
                Err(_) => failed(ErrorKind::Internal, "the bundled assessment schema is not JSON"),
            },
            other => {
                failed(ErrorKind::UnknownSchema, &format!("no schema `{other}`; use answers or assessment"))
            }
        }
    }

    /// The bundle's file names (for diagnostics and the page's footer).
    pub fn files(&self) -> String {
        ok(&self.bundle.files.keys().collect::<Vec<_>>())
    }
}

/// Loads a bundle without throwing: `{"ok": null}` if it loads, `{"error": …}` otherwise.
#[wasm_bindgen(js_name = checkBundle)]
pub fn check_bundle(bundle: &str, drafts: Option<bool>) -> String {
    match load(bundle, drafts.unwrap_or(false)) {
        Ok(_) => ok(&serde_json::Value::Null),
        Err(e) => e,
    }
}

impl Sopro {
    /// The programme sheet of a family's answers (JSON text), or the JSON text of the error.
    fn sheet_of(&self, answers: &str, lang: &str) -> Result<Option<sopro_engine::ProgrammeSheet>, String> {
        let answers = parse_answers(answers)?;
        let lang = if lang == "en" { sopro_engine::Lang::En } else { sopro_engine::Lang::Ru };
        let assessment = self.rules.assess_brief(&answers).map_err(|e| error(&e))?;
        Ok(sopro_engine::programme_sheet(&assessment, sopro_engine::case_id(&answers), lang))
    }
}
