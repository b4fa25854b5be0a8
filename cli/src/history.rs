//! `sopro history`: snapshots of families (files, a folder, or JSON Lines) assessed each by the
//! version in force on its date, grouped by `case.id`, and the engine's history of each family.
//! Every snapshot yields an assessment or an error row (its source, never an answer value).

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;
use sopro_engine::{AssessError, Assessment, History, RuleLibrary};

/// One family's history, as `--format json` prints it (one line per family).
#[derive(Serialize)]
pub struct FamilyHistory {
    /// The family's case id (none when no snapshot gives one).
    pub case_id: Option<String>,
    /// What the engine made of its snapshots.
    #[serde(flatten)]
    pub history: History,
    /// The snapshots that could not be assessed.
    pub errors: Vec<SnapshotError>,
}

/// A snapshot that could not be read or assessed: where it came from and why (the error's
/// shape is the CLI's and the browser's `{kind, …}`: answer paths and positions, no values).
#[derive(Serialize)]
pub struct SnapshotError {
    /// `file.json`, or `history.jsonl:3`.
    pub source: String,
    /// Why.
    pub error: SnapshotProblem,
}

/// Why a snapshot is not in the history.
#[derive(Serialize)]
#[serde(untagged)]
pub enum SnapshotProblem {
    /// It could not be read (not JSON or YAML): `{kind: "unreadable", message}`.
    Unreadable { kind: &'static str, message: String },
    /// It could not be assessed.
    Assess(AssessError),
}

impl SnapshotProblem {
    /// The problem in words, for the text and HTML outputs.
    pub fn text(&self, lang: sopro_engine::Lang) -> String {
        match self {
            SnapshotProblem::Unreadable { message, .. } => message.clone(),
            SnapshotProblem::Assess(error) => crate::render::assess_error(error, lang),
        }
    }
}

/// A snapshot as read: where it came from and its answers (or why they could not be read).
pub struct Snapshot {
    pub source: String,
    pub answers: Result<Value, String>,
}

/// Reads the snapshots: JSON/YAML files and folders of them (in the order of names), and JSON
/// Lines files given with `--input`. A file or line that cannot be parsed is kept as a snapshot
/// in error; a folder or file that cannot be opened at all stops the run.
pub fn read(paths: &[PathBuf], input: Option<&Path>) -> Result<Vec<Snapshot>, String> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| format!("{}: {e}", path.display()))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("json" | "yaml" | "yml")))
                .collect();
            files.sort();
            for file in files {
                out.push(Snapshot {
                    source: file.display().to_string(),
                    answers: crate::files::read_answers(&file),
                });
            }
        } else if path.is_file() {
            out.push(Snapshot {
                source: path.display().to_string(),
                answers: crate::files::read_answers(path),
            });
        } else {
            return Err(format!("{}: no such file or folder", path.display()));
        }
    }
    if let Some(input) = input {
        let file = std::fs::File::open(input).map_err(|e| format!("{}: {e}", input.display()))?;
        for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| format!("{}: {e}", input.display()))?;
            if line.trim().is_empty() {
                continue;
            }
            let source = format!("{}:{}", input.display(), n + 1);
            let answers = serde_json::from_str(&line)
                .map_err(|e| format!("{source}: not valid JSON (column {})", e.column()));
            out.push(Snapshot { source, answers });
        }
    }
    Ok(out)
}

/// The families' histories, read on `on`: snapshots grouped by `case.id` (in the order each id
/// first appears). Snapshots without a case id are one family if none has one; mixed with ids,
/// they are an error, since a history must not join two families.
pub fn histories(
    library: &RuleLibrary,
    snapshots: Vec<Snapshot>,
    on: &str,
) -> Result<Vec<FamilyHistory>, String> {
    let case_id = |s: &Snapshot| sopro_engine::case_id(s.answers.as_ref().ok()?).map(str::to_owned);
    // A snapshot that could not be read has no case id to go by: it is reported with the first family.
    let readable: Vec<&Snapshot> = snapshots.iter().filter(|s| s.answers.is_ok()).collect();
    let readable_count = readable.len();
    let without: Vec<&str> =
        readable.iter().filter(|s| case_id(s).is_none()).map(|s| s.source.as_str()).collect();
    if !without.is_empty() && without.len() < readable_count {
        return Err(format!(
            "these snapshots have no case.id, and others do, so their family is unknown: {}",
            without.join(", ")
        ));
    }
    let mut order: Vec<Option<String>> = Vec::new();
    let mut families: BTreeMap<Option<String>, Vec<Snapshot>> = BTreeMap::new();
    let mut unreadable = Vec::new();
    for snapshot in snapshots {
        if snapshot.answers.is_err() {
            unreadable.push(snapshot);
            continue;
        }
        let id = case_id(&snapshot);
        if !families.contains_key(&id) {
            order.push(id.clone());
        }
        families.entry(id).or_default().push(snapshot);
    }
    let mut out = Vec::new();
    for id in order {
        let mut assessments: Vec<Assessment> = Vec::new();
        let mut errors = Vec::new();
        let mut snapshots = families.remove(&id).unwrap_or_default();
        if out.is_empty() {
            snapshots.append(&mut unreadable);
        }
        for snapshot in snapshots {
            let result = match &snapshot.answers {
                Ok(answers) => library.assess(answers).map_err(SnapshotProblem::Assess),
                Err(message) => {
                    Err(SnapshotProblem::Unreadable { kind: "unreadable", message: message.clone() })
                }
            };
            match result {
                Ok(a) => assessments.push(a),
                Err(error) => errors.push(SnapshotError { source: snapshot.source, error }),
            }
        }
        let history = sopro_engine::history(&assessments, on).map_err(|e| e.to_string())?;
        out.push(FamilyHistory { case_id: id, history, errors });
    }
    if !unreadable.is_empty() {
        // Nothing could be read at all: one history, empty, with every error.
        let history = sopro_engine::history(&[], on).map_err(|e| e.to_string())?;
        let errors = unreadable
            .into_iter()
            .map(|s| SnapshotError {
                source: s.source,
                error: SnapshotProblem::Unreadable {
                    kind: "unreadable",
                    message: s.answers.err().unwrap_or_default(),
                },
            })
            .collect();
        out.push(FamilyHistory { case_id: None, history, errors });
    }
    Ok(out)
}
