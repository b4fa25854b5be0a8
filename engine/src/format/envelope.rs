//! The one JSON envelope every caller answers in — `{"ok": value}` or `{"error": {kind, …}}` —
//! and the one set of error kinds, used by the browser API, the rows of `sopro batch` and the HTTP service (`sopro serve`).

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{json, Value};

/// Every kind of error Sopro reports, as it is written in JSON (`kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The answers do not fit the questions (every problem, by path).
    InvalidAnswers,
    /// No version of the rule set is in force on the assessment date.
    NoVersionInForce,
    /// A rule failed while running: the rule set needs fixing.
    RuleFailed,
    /// Not JSON.
    BadJson,
    /// A record that is not valid UTF-8.
    BadUtf8,
    /// A CSV row that cannot be read.
    BadCsv,
    /// A file (of a folder of answer files) that cannot be read or parsed.
    BadFile,
    /// Not a Sopro bundle, or of an unknown format.
    BadBundle,
    /// The rule set of a bundle has errors.
    RulesInvalid,
    /// A bundle's files do not have the digest it records.
    DigestMismatch,
    /// A draft's bundle, loaded without allowing drafts.
    DraftNotAllowed,
    /// A JSON Schema that does not exist.
    UnknownSchema,
    /// A what-would-change goal names nothing the rule set has.
    UnknownGoal,
    /// A request to the HTTP service larger than its limit (or a batch record longer than one).
    TooLarge,
    /// A request to the HTTP service whose body is not declared as JSON (`Content-Type`).
    UnsupportedMediaType,
    /// A request to the HTTP service without the bearer token it requires, or with another.
    Unauthorized,
    /// The HTTP service has no rule set loaded yet.
    NotReady,
    /// The HTTP service is at its limit of requests at once: try again shortly.
    Overloaded,
    /// A request to the HTTP service that took longer than its time limit.
    Timeout,
    /// An address of the HTTP service that does not exist (a route, a rule set, a version).
    NotFound,
    /// A request to the HTTP service with a parameter it does not understand.
    BadRequest,
    /// A route of the HTTP service called with a method it does not take.
    MethodNotAllowed,
    /// A fault of Sopro itself (it should not happen; please report it).
    Internal,
}

impl ErrorKind {
    /// The kind as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidAnswers => "invalid_answers",
            ErrorKind::NoVersionInForce => "no_version_in_force",
            ErrorKind::RuleFailed => "rule_failed",
            ErrorKind::BadJson => "bad_json",
            ErrorKind::BadUtf8 => "bad_utf8",
            ErrorKind::BadCsv => "bad_csv",
            ErrorKind::BadFile => "bad_file",
            ErrorKind::BadBundle => "bad_bundle",
            ErrorKind::RulesInvalid => "rules_invalid",
            ErrorKind::DigestMismatch => "digest_mismatch",
            ErrorKind::DraftNotAllowed => "draft_not_allowed",
            ErrorKind::UnknownSchema => "unknown_schema",
            ErrorKind::UnknownGoal => "unknown_goal",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::UnsupportedMediaType => "unsupported_media_type",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::NotReady => "not_ready",
            ErrorKind::Overloaded => "overloaded",
            ErrorKind::Timeout => "timeout",
            ErrorKind::NotFound => "not_found",
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::MethodNotAllowed => "method_not_allowed",
            ErrorKind::Internal => "internal",
        }
    }
}

/// `{"ok": value}`.
pub fn ok<T: Serialize>(value: &T) -> Value {
    json!({ "ok": value })
}

/// `{"error": error}` for an error that serialises with its own `kind` (an `AssessError`).
pub fn error<T: Serialize>(error: &T) -> Value {
    json!({ "error": error })
}

/// The error object `{"kind": …, "message": …}` (a message never holds an answer's value).
pub fn failure(kind: ErrorKind, message: &str) -> Value {
    json!({ "kind": kind, "message": message })
}

/// `{"error": {"kind": …, "message": …}}`.
pub fn error_message(kind: ErrorKind, message: &str) -> Value {
    json!({ "error": failure(kind, message) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_written_as_its_name() {
        use ErrorKind as K;
        let all = [
            K::InvalidAnswers,
            K::NoVersionInForce,
            K::RuleFailed,
            K::BadJson,
            K::BadUtf8,
            K::BadCsv,
            K::BadFile,
            K::BadBundle,
            K::RulesInvalid,
            K::DigestMismatch,
            K::DraftNotAllowed,
            K::UnknownSchema,
            K::UnknownGoal,
            K::TooLarge,
            K::UnsupportedMediaType,
            K::Unauthorized,
            K::NotReady,
            K::Overloaded,
            K::Timeout,
            K::NotFound,
            K::BadRequest,
            K::MethodNotAllowed,
            K::Internal,
        ];
        for kind in all {
            assert_eq!(serde_json::to_value(kind).ok(), Some(Value::from(kind.as_str())), "{kind:?}");
        }
        assert_eq!(error_message(K::BadJson, "m"), json!({"error": {"kind": "bad_json", "message": "m"}}));
    }
}
