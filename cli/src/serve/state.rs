//! The service's state: the rule folder compiled into a library, swapped whole on reload, so a
//! request holds the version it started with to its end; the last reload's outcome for
//! `/readyz`; the limits, token and metrics.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwapOption;
use serde::Serialize;
use sopro_engine::{Drafts, RuleLibrary, RuleSet, RuleSetRef};

use super::observe::Metrics;
use super::Limits;
use crate::files::{self, LoadError};

/// One load of the rule folder.
pub struct Served {
    pub library: RuleLibrary,
    pub versions: Vec<VersionInfo>,
    /// When it was loaded (UTC, RFC 3339).
    pub loaded_at: String,
}

/// A version as `/v1/rulesets` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct VersionInfo {
    pub id: String,
    pub version: String,
    pub title: sopro_engine::Labels,
    pub digest: String,
    /// `published` or `draft`.
    pub status: &'static str,
    /// Whether the service assesses with it (published, or drafts allowed, or the one named).
    pub used: bool,
    pub in_force: InForce,
    /// The federal base an overlay is written on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<RuleSetRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InForce {
    pub from: String,
    pub to: Option<String>,
}

impl VersionInfo {
    fn of(library: &RuleLibrary, rules: &RuleSet) -> VersionInfo {
        let (from, to) = rules.in_force();
        VersionInfo {
            id: rules.id().to_owned(),
            version: rules.version().to_owned(),
            title: rules.title().clone(),
            digest: rules.digest().to_owned(),
            status: if rules.is_draft() { "draft" } else { "published" },
            used: library.is_usable(rules),
            in_force: InForce { from, to },
            base: rules.base(),
        }
    }
}

/// The outcome of the last load, for `/readyz` and the log.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReloadReport {
    /// When it ended (UTC, RFC 3339).
    pub at: Option<String>,
    pub ok: bool,
    /// Why it failed (the files and lines of the rule set's errors); the last good load serves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Everything the handlers share.
pub struct App {
    pub rules_dir: PathBuf,
    pub drafts: Drafts,
    pub limits: Limits,
    pub token: Option<String>,
    pub log_case_id: bool,
    pub metrics: Metrics,
    /// The places of batches streaming at once (`Limits::batches`).
    pub batches: Arc<tokio::sync::Semaphore>,
    /// The places of work off the async threads (relevance, what would change), held to the
    /// work's end even if its request timed out (`Limits::requests`).
    pub blocking: Arc<tokio::sync::Semaphore>,
    current: ArcSwapOption<Served>,
    last_reload: Mutex<ReloadReport>,
    /// One reload at a time: a second SIGHUP waits for the first.
    reloading: tokio::sync::Mutex<()>,
}

impl App {
    pub fn new(
        rules_dir: PathBuf,
        drafts: Drafts,
        limits: Limits,
        token: Option<String>,
        log_case_id: bool,
    ) -> App {
        App {
            rules_dir,
            drafts,
            batches: Arc::new(tokio::sync::Semaphore::new(limits.batches)),
            blocking: Arc::new(tokio::sync::Semaphore::new(limits.requests)),
            limits,
            token,
            log_case_id,
            metrics: Metrics::new(),
            current: ArcSwapOption::empty(),
            last_reload: Mutex::new(ReloadReport::default()),
            reloading: tokio::sync::Mutex::new(()),
        }
    }

    /// The rules loaded last (held by the caller to the end of its request), if any.
    pub fn served(&self) -> Option<Arc<Served>> {
        self.current.load_full()
    }

    pub fn last_reload(&self) -> ReloadReport {
        self.last_reload.lock().map(|report| report.clone()).unwrap_or_default()
    }

    /// Loads, checks and compiles the rule folder off the async threads; swaps it in only if
    /// it loads. A failure keeps the rules that serve now, and is logged and kept for /readyz.
    pub async fn reload(&self) -> Result<(), String> {
        let _one_at_a_time = self.reloading.lock().await;
        let (dir, drafts) = (self.rules_dir.clone(), self.drafts);
        let loaded = tokio::task::spawn_blocking(move || files::load_library(&dir, drafts))
            .await
            .map_err(|e| format!("the load stopped: {e}"))
            .and_then(|loaded| loaded.map_err(|e| load_error_text(&e)));
        let at = Some(jiff::Timestamp::now().to_string());
        let outcome = match loaded {
            Ok(library) => {
                let versions = library.versions().iter().map(|v| VersionInfo::of(&library, v)).collect();
                let served = Served { library, versions, loaded_at: at.clone().unwrap_or_default() };
                for v in &served.versions {
                    tracing::info!(ruleset = %v.id, version = %v.version, digest = %v.digest, status = v.status, used = v.used, "rules loaded");
                }
                self.metrics.set_rulesets(&served.versions);
                self.current.store(Some(Arc::new(served)));
                Ok(())
            }
            Err(message) => {
                let serving =
                    self.served().map(|s| describe(&s.versions)).unwrap_or_else(|| "nothing".to_owned());
                tracing::error!(serving = %serving, "the rules were not reloaded: {message}");
                Err(message)
            }
        };
        self.metrics.reloaded(outcome.is_ok());
        if let Ok(mut report) = self.last_reload.lock() {
            *report = ReloadReport { at, ok: outcome.is_ok(), error: outcome.clone().err() };
        }
        outcome
    }
}

/// `khmao 2026.2, khmao 2026.3`.
fn describe(versions: &[VersionInfo]) -> String {
    versions.iter().map(|v| format!("{} {}", v.id, v.version)).collect::<Vec<_>>().join(", ")
}

/// Why a load failed, with every error of the rule set at its file and line.
fn load_error_text(error: &LoadError) -> String {
    match error {
        LoadError::Rules { dir, diagnostics } => {
            let errors: Vec<String> = diagnostics
                .iter()
                .filter(|d| d.level == sopro_engine::DiagnosticLevel::Error)
                .map(ToString::to_string)
                .collect();
            format!("{}: the rule set has errors: {}", dir.display(), errors.join("; "))
        }
        other => other.to_string(),
    }
}
