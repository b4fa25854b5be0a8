//! Problems found in a rule set: where, what, and in plain words.

use std::fmt;

use serde::Serialize;

mod code;

pub use code::Code;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The rule set cannot be used.
    Error,
    /// The rule set works, but something looks wrong.
    Warning,
}

/// A problem in a rule set, with the file, the line where known, and the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Diagnostic {
    /// Error or warning.
    pub level: Level,
    /// A stable code, e.g. `rules::unknown-field`.
    pub code: Code,
    /// The file, relative to the rule set's folder.
    pub file: String,
    /// The line (1-based), where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The rule (e.g. `criterion c15_5_addiction`), where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// What is wrong, in plain words.
    pub message: String,
}

impl Diagnostic {
    pub(crate) fn error(code: Code, at: &At, message: impl Into<String>) -> Self {
        Self::new(Level::Error, code, at, message)
    }

    pub(crate) fn warning(code: Code, at: &At, message: impl Into<String>) -> Self {
        Self::new(Level::Warning, code, at, message)
    }

    fn new(level: Level, code: Code, at: &At, message: impl Into<String>) -> Self {
        Diagnostic {
            level,
            code,
            file: at.file.clone(),
            line: at.line,
            rule: at.rule.clone(),
            message: message.into(),
        }
    }

    /// Whether this problem makes the rule set unusable.
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        write!(f, "{level}[{}]: {}", self.code, self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(rule) = &self.rule {
            write!(f, ": {rule}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A place in the rule set: file, line and rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct At {
    pub file: String,
    pub line: Option<usize>,
    pub rule: Option<String>,
}

impl At {
    pub fn file(file: &str) -> Self {
        At { file: file.to_owned(), line: None, rule: None }
    }

    /// The same place, `offset` lines further (for a line inside an embedded expression).
    pub fn below(&self, offset: usize) -> Self {
        At { line: self.line.map(|l| l + offset), ..self.clone() }
    }
}

/// Diagnostics collected while loading and checking.
#[derive(Debug, Default)]
pub(crate) struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn error(&mut self, code: Code, at: &At, message: impl Into<String>) {
        self.0.push(Diagnostic::error(code, at, message));
    }

    pub fn warning(&mut self, code: Code, at: &At, message: impl Into<String>) {
        self.0.push(Diagnostic::warning(code, at, message));
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }
}
