//! Reading rule-set folders (and compiling them) and answer files from disk.

use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use sopro_engine::{Diagnostic, Drafts, MemorySource, PublishedVersion, RuleLibrary, RuleSet, SampleProfile};

/// The record of published versions, in a folder of versions.
pub const PUBLISHED: &str = "published.yaml";

/// Why rules on disk cannot be used.
#[derive(Debug)]
pub enum LoadError {
    /// A folder or file cannot be read (the message names it).
    Input(String),
    /// The rule set in `dir` has errors: every diagnostic.
    Rules { dir: PathBuf, diagnostics: Vec<Diagnostic> },
    /// A published version has changed, or the record of publication is unreadable.
    Publication(String),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Input(message) | LoadError::Publication(message) => f.write_str(message),
            LoadError::Rules { dir, .. } => {
                write!(f, "the rule set has errors; run `sopro check {}`", dir.display())
            }
        }
    }
}

/// The rule set of a folder, compiled, and marked as a draft unless the folder of versions it
/// belongs to records it as published (`../published.yaml`, with its digest).
pub fn load_rules(dir: &Path) -> Result<RuleSet, LoadError> {
    let mut rules = compiled(dir, &read_rules(dir).map_err(LoadError::Input)?)?;
    let record = read_published(&versions_folder_of(dir))?;
    rules.apply_publication(record.as_deref()).map_err(|e| publication_error(dir, &e))?;
    Ok(rules)
}

/// A rule-set folder, or a folder of versions, compiled: each family is then assessed by the
/// version in force on its date. A folder of versions chooses among its published versions
/// only (`published.yaml`), unless `drafts` allows the others; a single version folder is used
/// as named, a draft or not (its assessments say which).
pub fn load_library(dir: &Path, drafts: Drafts) -> Result<RuleLibrary, LoadError> {
    if dir.join("ruleset.yaml").is_file() {
        return load_rules(dir).map(RuleLibrary::named);
    }
    let versions = read_versions(dir).map_err(LoadError::Input)?;
    let compiled: Result<Vec<RuleSet>, LoadError> =
        versions.iter().map(|(folder, source)| compiled(folder, source)).collect();
    let record = read_published(dir)?;
    RuleLibrary::published(compiled?, record.as_deref(), drafts).map_err(|e| publication_error(dir, &e))
}

/// The sample profile for `sopro gen`: the file given, or else `sample.yaml` in the folder of
/// versions (`dir` itself, or the folder a version folder belongs to), if there is one.
pub fn read_sample(dir: &Path, file: Option<&Path>) -> Result<Option<SampleProfile>, LoadError> {
    let path = match file {
        Some(file) => file.to_path_buf(),
        None if dir.join("ruleset.yaml").is_file() => versions_folder_of(dir).join(sopro_engine::SAMPLE_FILE),
        None => dir.join(sopro_engine::SAMPLE_FILE),
    };
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(_) if file.is_none() => return Ok(None),
        Err(e) => return Err(LoadError::Input(format!("{}: {e}", path.display()))),
    };
    sopro_engine::parse_sample(&text)
        .map(Some)
        .map_err(|e| LoadError::Input(format!("{}: {e}", path.display())))
}

/// The folder of versions a version folder belongs to.
fn versions_folder_of(dir: &Path) -> PathBuf {
    dir.parent().map_or_else(|| PathBuf::from(".."), Path::to_path_buf)
}

/// The record of published versions in a folder of versions, if it has one.
pub fn read_published(dir: &Path) -> Result<Option<Vec<PublishedVersion>>, LoadError> {
    let path = dir.join(PUBLISHED);
    let Ok(text) = fs::read_to_string(&path) else { return Ok(None) };
    sopro_engine::parse_published(&text).map(Some).map_err(|e| publication_error(&path, &e))
}

fn publication_error(path: &Path, error: &sopro_engine::PublicationError) -> LoadError {
    LoadError::Publication(format!("{}: {error}", path.display()))
}

fn compiled(dir: &Path, source: &MemorySource) -> Result<RuleSet, LoadError> {
    let loaded = RuleSet::load(source);
    loaded.ruleset.ok_or_else(|| LoadError::Rules { dir: dir.to_path_buf(), diagnostics: loaded.diagnostics })
}

/// Reads a rule-set folder: the files at its top and in `tests/`, and, for a regional overlay,
/// those of the base it extends under `base/` — from the folder's own `base/` if it has one (a
/// version handed over from the studio), else from `<base>/<version>/` in the nearest folder
/// above the region's that has it (`rules/ru/2026.1` for `rules/khmao/2026.4`).
pub fn read_rules(dir: &Path) -> Result<MemorySource, String> {
    let mut source = read_layer(dir)?;
    if let Some(extends) = sopro_engine::extends_of(&source) {
        let own_copy = dir.join("base");
        // `<base>/<version>` in the nearest folder above that has it (for rules/khmao/2026.4 that
        // is rules/; for rules/examples/<region>/<version> as well), whatever the path was given as.
        let absolute = std::path::absolute(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let beside = absolute
            .ancestors()
            .skip(2)
            .map(|folder| folder.join(&extends.id).join(&extends.version))
            .find(|folder| folder.join("ruleset.yaml").is_file());
        let base_dir = if own_copy.join("ruleset.yaml").is_file() { Some(own_copy) } else { beside };
        // A base that cannot be found is reported by the engine (`rules::no-base`), with the rest.
        let Some(base_dir) = base_dir else { return Ok(source) };
        check_base_publication(&base_dir, &extends)?;
        for (path, text) in read_layer(&base_dir)?.files() {
            source.insert(format!("{}{path}", sopro_engine::BASE_DIR), text.clone());
        }
    }
    Ok(source)
}

/// The base's own record of publication (`published.yaml` beside it), held to the pin.
fn check_base_publication(base_dir: &Path, extends: &sopro_engine::Extends) -> Result<(), String> {
    let Ok(Some(record)) = read_published(&versions_folder_of(base_dir)) else { return Ok(()) };
    sopro_engine::check_base_publication(&record, extends).map_err(|e| format!("{}: {e}", base_dir.display()))
}

/// The files of one layer's folder: at its top and in `tests/`.
fn read_layer(dir: &Path) -> Result<MemorySource, String> {
    let mut source = MemorySource::new();
    if !dir.join("ruleset.yaml").is_file() {
        return Err(format!("{}: not a rule-set folder (no ruleset.yaml in it)", dir.display()));
    }
    for sub in ["", "tests"] {
        let folder = dir.join(sub);
        let Ok(entries) = fs::read_dir(&folder) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let relative = if sub.is_empty() { name } else { format!("{sub}/{name}") };
            // Refused before reading, so a huge file costs neither time nor memory.
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            if size > sopro_engine::MAX_RULE_FILE_SIZE as u64 {
                return Err(format!(
                    "{}: the file is {size} bytes long; a rule file may be at most {} bytes",
                    path.display(),
                    sopro_engine::MAX_RULE_FILE_SIZE
                ));
            }
            let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            source.insert(relative, text);
        }
    }
    Ok(source)
}

/// Reads a rule-set folder, or a folder of versions (`rules/khmao`: every subfolder with a
/// `ruleset.yaml`), as `(folder, files)` pairs.
pub fn read_versions(dir: &Path) -> Result<Vec<(std::path::PathBuf, MemorySource)>, String> {
    if dir.join("ruleset.yaml").is_file() {
        return Ok(vec![(dir.to_path_buf(), read_rules(dir)?)]);
    }
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut folders: Vec<_> =
        entries.flatten().map(|e| e.path()).filter(|p| p.join("ruleset.yaml").is_file()).collect();
    folders.sort();
    if folders.is_empty() {
        return Err(format!(
            "{}: neither a rule-set folder (ruleset.yaml) nor a folder of versions",
            dir.display()
        ));
    }
    folders.into_iter().map(|folder| read_rules(&folder).map(|source| (folder, source))).collect()
}

/// Reads answers (JSON or YAML) from a file or, for `-`, standard input.
/// Parse errors give the position only, never the text around it.
pub fn read_answers(path: &Path) -> Result<serde_json::Value, String> {
    let text = if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| format!("standard input: {e}"))?;
        text
    } else {
        fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?
    };
    let name = path.display();
    if text.trim_start().starts_with('{') {
        serde_json::from_str(&text)
            .map_err(|e| format!("{name}: not valid JSON (line {}, column {})", e.line(), e.column()))
    } else {
        let yaml: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| match e.location() {
            Some(at) => format!("{name}: not valid YAML (line {}, column {})", at.line(), at.column()),
            None => format!("{name}: not valid YAML or JSON"),
        })?;
        // JSON has no NaN or infinity: converted, they would silently become "not answered".
        if let Some(path) = non_finite_number(&yaml, String::new()) {
            return Err(format!("{name}: {path} is not a finite number (.nan or .inf)"));
        }
        serde_json::to_value(yaml).map_err(|e| format!("{name}: {e}"))
    }
}

/// The JSON path of the first `.nan` or `.inf` in a YAML document.
fn non_finite_number(value: &serde_yaml::Value, path: String) -> Option<String> {
    use serde_yaml::Value as Y;
    match value {
        Y::Number(n) if n.as_f64().is_some_and(|f| !f.is_finite()) => {
            Some(if path.is_empty() { "/".into() } else { path })
        }
        Y::Sequence(items) => {
            items.iter().enumerate().find_map(|(i, item)| non_finite_number(item, format!("{path}/{i}")))
        }
        Y::Mapping(map) => map.iter().find_map(|(key, item)| {
            let key = key.as_str().map_or_else(|| "?".to_owned(), str::to_owned);
            non_finite_number(item, format!("{path}/{key}"))
        }),
        Y::Tagged(tagged) => non_finite_number(&tagged.value, path),
        _ => None,
    }
}
