//! Why a family could not be assessed.

use std::fmt;

use serde::Serialize;

use crate::diagnostic::At;
use crate::format::envelope::ErrorKind;
use crate::run::answers::AnswerProblem;

/// Why a family could not be assessed.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AssessError {
    /// The answers do not fit the questions: every problem, with its path.
    InvalidAnswers {
        /// Every problem found.
        problems: Vec<AnswerProblem>,
    },
    /// No version of the rule set is in force on the assessment date.
    NoVersionInForce {
        /// The assessment date.
        as_of: String,
        /// The versions there are.
        versions: Vec<String>,
    },
    /// A rule failed while running (a limit, a type error): the rule set needs fixing.
    RuleFailed {
        /// The rule, e.g. ``criterion `c15_5_addiction` ``.
        rule: String,
        /// The file it is written in.
        file: String,
        /// The line of its expression, where known.
        line: Option<usize>,
        /// What went wrong (never an answer value).
        message: String,
    },
    /// A what-would-change goal names no level (or no category, criterion, urgent service or
    /// partner) of the rule set.
    UnknownGoal {
        /// The id asked for.
        id: String,
        /// Whether a level was asked for.
        level: bool,
    },
}

impl AssessError {
    /// The error's kind, as in its JSON (`kind`): `invalid_answers`, `no_version_in_force`,
    /// `rule_failed`.
    pub fn kind(&self) -> &'static str {
        self.error_kind().as_str()
    }

    /// The error's kind among all of Sopro's.
    pub fn error_kind(&self) -> ErrorKind {
        match self {
            AssessError::InvalidAnswers { .. } => ErrorKind::InvalidAnswers,
            AssessError::NoVersionInForce { .. } => ErrorKind::NoVersionInForce,
            AssessError::RuleFailed { .. } => ErrorKind::RuleFailed,
            AssessError::UnknownGoal { .. } => ErrorKind::UnknownGoal,
        }
    }
}

impl fmt::Display for AssessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AssessError::InvalidAnswers { problems } => {
                writeln!(f, "the answers have {} problem(s):", problems.len())?;
                for p in problems {
                    writeln!(f, "  {}: {}", p.path, p.message)?;
                }
                Ok(())
            }
            AssessError::NoVersionInForce { as_of, versions } => {
                write!(
                    f,
                    "no version of the rule set is in force on {as_of} (versions: {})",
                    versions.join(", ")
                )
            }
            AssessError::RuleFailed { rule, file, line, message } => {
                write!(f, "{file}")?;
                if let Some(line) = line {
                    write!(f, ":{line}")?;
                }
                write!(f, ": {rule}: {message}")
            }
            AssessError::UnknownGoal { id, level: true } => write!(f, "the rule set has no level `{id}`"),
            AssessError::UnknownGoal { id, level: false } => {
                write!(f, "the rule set has no category, criterion, urgent service or partner `{id}`")
            }
        }
    }
}

impl std::error::Error for AssessError {}

/// A rule that failed while running, named with its file and line.
pub(crate) fn rule_failed(at: &At, message: String) -> AssessError {
    AssessError::RuleFailed {
        rule: at.rule.clone().unwrap_or_default(),
        file: at.file.clone(),
        line: at.line,
        message,
    }
}
