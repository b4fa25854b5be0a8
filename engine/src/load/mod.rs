//! Reading a rule set's files: YAML into the format types, each rule with its file and line.
//!
//! `serde_yaml` reports positions only for syntax errors, so the line of a rule is found by its
//! `id:` line, and the line of an expression by its key below that. Expressions written as `|`
//! block scalars map Rhai's line numbers straight onto the file's.

pub(crate) mod layers;
pub(crate) mod prepared;
pub(crate) mod source;

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::diagnostic::{At, Code, Diagnostics};
use crate::format::model::{Manifest, RuleFile, TestCase};
use crate::load::source::{RuleSource, MAX_RULE_FILE_SIZE};

/// An item of a rule file, with where it stands.
#[derive(Debug, Clone)]
pub(crate) struct Located<T> {
    pub at: At,
    pub item: T,
}

/// Every file of a rule set, parsed.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub manifest: Option<Located<Manifest>>,
    pub files: Vec<(String, RuleFile)>,
    pub texts: Vec<(String, String)>,
    pub functions: Vec<(String, String)>,
    pub tests: Vec<Located<TestCase>>,
    /// The digest of this layer's own files (a base's files are pinned by `extends.digest`).
    pub digest: String,
    /// The base of a regional overlay, whose files are in `files` ahead of the overlay's.
    pub base: Option<layers::BaseLayer>,
}

/// Which files of a folder belong to the rule set.
pub(crate) enum Kind {
    Rules,
    Functions,
    Tests,
}

pub(crate) fn kind(path: &str) -> Option<Kind> {
    let in_tests = path.starts_with("tests/");
    let nested = path.contains('/');
    if path.ends_with(".yaml") || path.ends_with(".yml") {
        if in_tests && path.matches('/').count() == 1 {
            return Some(Kind::Tests);
        }
        if !nested {
            return Some(Kind::Rules);
        }
    }
    if path.ends_with(".rhai") && !nested {
        return Some(Kind::Functions);
    }
    None
}

/// The kind of a file of either layer: a base's files (under `base/`) are what they are in the
/// base's own folder.
pub(crate) fn layer_kind(path: &str) -> Option<Kind> {
    kind(path.strip_prefix(layers::BASE_DIR).unwrap_or(path))
}

/// How the text of a rule or test file becomes the format's types: YAML parsed here ([`Yaml`]),
/// or the parsed form a bundle carries ([`prepared::Prepared`]). Generic rather than dynamic,
/// so that a build that only loads prepared bundles (the browser's) holds no YAML parser.
pub(crate) trait FileParser {
    /// A rule file (an empty file is an empty one).
    fn rules(&self, path: &str, text: &str) -> Result<RuleFile, (Code, At, String)>;
    /// A test file.
    fn tests(&self, path: &str, text: &str) -> Result<Vec<TestCase>, (Code, At, String)>;
}

/// Parses YAML text.
pub(crate) struct Yaml;

impl FileParser for Yaml {
    fn rules(&self, path: &str, text: &str) -> Result<RuleFile, (Code, At, String)> {
        too_deep(path, text)?;
        match serde_yaml::from_str::<Option<RuleFile>>(text) {
            Ok(file) => Ok(file.unwrap_or_default()),
            Err(error) => Err((Code::Yaml, yaml_at(path, &error), plain_yaml_error(&error))),
        }
    }

    fn tests(&self, path: &str, text: &str) -> Result<Vec<TestCase>, (Code, At, String)> {
        too_deep(path, text)?;
        serde_yaml::from_str::<Vec<TestCase>>(text)
            .map_err(|error| (Code::Yaml, yaml_at(path, &error), plain_yaml_error(&error)))
    }
}

/// Reads every file of `source` that belongs to a rule set, its digest and where each item
/// stands, and the base it extends (under `base/`); the files' parsed form comes from `parser`.
pub(crate) fn load(source: &dyn RuleSource, parser: &impl FileParser, diags: &mut Diagnostics) -> Parsed {
    let mut loaded = load_layer(source, parser, diags);
    layers::attach(source, parser, &mut loaded, diags);
    loaded
}

/// One layer's files: those at the top of the folder and in `tests/` (not `base/`).
fn load_layer(source: &dyn RuleSource, parser: &impl FileParser, diags: &mut Diagnostics) -> Parsed {
    let mut loaded = Parsed::default();
    let mut hasher = Sha256::new();
    for path in source.paths() {
        let Some(kind) = kind(&path) else { continue };
        let Some(text) = source.text(&path) else { continue };
        if text.len() > MAX_RULE_FILE_SIZE {
            let message = format!(
                "the file is {} bytes long; a rule file may be at most {MAX_RULE_FILE_SIZE} bytes",
                text.len()
            );
            diags.error(Code::FileTooLarge, &At::file(&path), message);
            continue;
        }
        hasher.update(path.as_bytes());
        hasher.update([0]);
        hasher.update(text.as_bytes());
        hasher.update([0]);
        match kind {
            Kind::Rules => load_rules(&path, text, parser, &mut loaded, diags),
            Kind::Functions => loaded.functions.push((path.clone(), text.to_owned())),
            Kind::Tests => load_tests(&path, text, parser, &mut loaded, diags),
        }
    }
    let digest: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    loaded.digest = format!("sha256:{digest}");
    if loaded.manifest.is_none() {
        diags.error(
            Code::NoManifest,
            &At::file("ruleset.yaml"),
            "the rule set has no `ruleset:` section (it belongs in ruleset.yaml)",
        );
    }
    loaded
}

fn load_rules(
    path: &str,
    text: &str,
    parser: &impl FileParser,
    loaded: &mut Parsed,
    diags: &mut Diagnostics,
) {
    loaded.texts.push((path.to_owned(), text.to_owned()));
    let file = match parser.rules(path, text) {
        Ok(file) => file,
        Err((code, at, message)) => {
            diags.error(code, &at, message);
            return;
        }
    };
    if let Some(manifest) = file.ruleset.clone() {
        let at = At { line: find_line(text, "ruleset:", 0), ..At::file(path) };
        if let Some(first) = &loaded.manifest {
            diags.error(
                Code::DuplicateManifest,
                &at,
                format!("a second `ruleset:` section (the first is in {})", first.at.file),
            );
        } else {
            loaded.manifest = Some(Located { at, item: manifest });
        }
    }
    loaded.files.push((path.to_owned(), file));
}

fn load_tests(
    path: &str,
    text: &str,
    parser: &impl FileParser,
    loaded: &mut Parsed,
    diags: &mut Diagnostics,
) {
    match parser.tests(path, text) {
        Ok(cases) => {
            let lines: Vec<&str> = text.lines().collect();
            let mut from = 0;
            for case in cases {
                let line = find_key_value(&lines, "name", &case.name, from);
                from = line.unwrap_or(from);
                let at = At { line, rule: Some(format!("test `{}`", case.name)), ..At::file(path) };
                loaded.tests.push(Located { at, item: case });
            }
        }
        Err((code, at, message)) => diags.error(code, &at, message),
    }
}

/// How deep `[…]` and `{…}` may nest in a YAML file. The YAML parser's time grows with the
/// square of this depth (a 10 KB file of 5 000 nested brackets takes 0.1 s), and no rule needs
/// more than a few levels.
const MAX_FLOW_DEPTH: usize = 64;

/// Refuses a file whose flow collections nest deeper than [`MAX_FLOW_DEPTH`], before parsing.
fn too_deep(path: &str, text: &str) -> Result<(), (Code, At, String)> {
    let mut depth = 0usize;
    for (index, line) in text.lines().enumerate() {
        let mut quote: Option<char> = None;
        for c in line.chars() {
            match (quote, c) {
                (Some(open), c) if c == open => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') => break,
                (None, '[' | '{') => depth += 1,
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth > MAX_FLOW_DEPTH {
                let at = At { line: Some(index + 1), ..At::file(path) };
                let message = format!("`[…]` and `{{…}}` nest deeper than {MAX_FLOW_DEPTH} levels");
                return Err((Code::TooDeep, at, message));
            }
        }
    }
    Ok(())
}

fn yaml_at(path: &str, error: &serde_yaml::Error) -> At {
    At { line: error.location().map(|l| l.line()), ..At::file(path) }
}

/// serde_yaml's message without its trailing position (the diagnostic carries the line).
pub(crate) fn plain_yaml_error(error: &serde_yaml::Error) -> String {
    let message = error.to_string();
    match message.find(" at line ") {
        Some(cut) => message[..cut].to_owned(),
        None => message,
    }
}

/// The 1-based line of the first line at or after `from` (0-based) that starts with `key`.
pub(crate) fn find_line(text: &str, key: &str, from: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(from)
        .find(|(_, line)| line.trim_start().trim_start_matches("- ").starts_with(key))
        .map(|(index, _)| index + 1)
}

/// The value of a `key: value` line (unquoted, without a trailing comment), if it is one.
fn value_of<'t>(line: &'t str, key: &str) -> Option<&'t str> {
    let rest = line.trim_start().trim_start_matches("- ").strip_prefix(key)?;
    let rest = rest.trim_start().strip_prefix(':')?;
    let rest = rest.split(" #").next().unwrap_or("").trim();
    Some(rest.trim_matches(|c| c == '"' || c == '\''))
}

/// The 1-based line where `key: value` stands, at or after line `from` (0-based) of `lines`.
fn find_key_value(lines: &[&str], key: &str, value: &str, from: usize) -> Option<usize> {
    let position = lines.get(from..)?.iter().position(|line| value_of(line, key) == Some(value))?;
    Some(from + position + 1)
}

/// The lines of one rule file and where each `id:` first stands, built once per file so that
/// locating thousands of items stays linear in the file's size.
pub(crate) struct FileLines<'a> {
    lines: Vec<&'a str>,
    ids: HashMap<&'a str, usize>,
}

impl<'a> FileLines<'a> {
    pub fn new(text: &'a str) -> Self {
        let lines: Vec<&str> = text.lines().collect();
        let mut ids = HashMap::new();
        for (index, line) in lines.iter().enumerate() {
            if let Some(id) = value_of(line, "id") {
                ids.entry(id).or_insert(index + 1);
            }
        }
        FileLines { lines, ids }
    }

    /// Where the item with `id` is.
    pub fn item(&self, id: &str) -> ItemLines<'_> {
        ItemLines { lines: &self.lines, line: self.ids.get(id).copied() }
    }
}

/// Where one item is, and where its expressions start.
pub(crate) struct ItemLines<'a> {
    lines: &'a [&'a str],
    /// 1-based line of `id: …`.
    pub line: Option<usize>,
}

impl ItemLines<'_> {
    /// The line an expression under `key` starts on (the `nth` such key of the item), and
    /// whether it is a block scalar (its first line is the line after the key).
    pub fn expression(&self, key: &str, nth: usize) -> Option<usize> {
        let start = self.line?;
        let mut seen = 0;
        let id_indent = indent_of(self.lines.get(start - 1)?);
        for (offset, line) in self.lines.get(start..)?.iter().enumerate() {
            let index = start + offset;
            let trimmed = line.trim_start().trim_start_matches("- ");
            if trimmed.starts_with("id:") && indent_of(line) <= id_indent {
                return None;
            }
            if let Some(rest) = trimmed.strip_prefix(key).and_then(|r| r.strip_prefix(':')) {
                if seen == nth {
                    let block = matches!(rest.trim().chars().next(), Some('|' | '>'));
                    return Some(if block { index + 2 } else { index + 1 });
                }
                seen += 1;
            }
        }
        None
    }
}

fn indent_of(line: &str) -> usize {
    let trimmed = line.trim_start();
    let dash = usize::from(trimmed.starts_with("- ")) * 2;
    line.len() - trimmed.len() + dash
}
