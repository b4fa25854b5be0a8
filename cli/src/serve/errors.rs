//! Errors as the HTTP service answers them: the same `{"error": {"kind", …}}` as the command
//! line and the browser, with the status that fits the kind. Messages never hold an answer.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use sopro_engine::{envelope, AssessError, BadJson, ErrorKind};

/// An error response.
#[derive(Debug)]
pub struct ApiError {
    pub kind: ErrorKind,
    body: Value,
}

impl ApiError {
    /// `{"error": {"kind", "message"}}`.
    pub fn new(kind: ErrorKind, message: impl AsRef<str>) -> ApiError {
        ApiError { kind, body: envelope::error_message(kind, message.as_ref()) }
    }

    pub fn bad_json(error: &BadJson) -> ApiError {
        ApiError::new(ErrorKind::BadJson, error.to_string())
    }
}

impl From<AssessError> for ApiError {
    fn from(error: AssessError) -> ApiError {
        ApiError { kind: error.error_kind(), body: envelope::error(&error) }
    }
}

/// The HTTP status of each kind of error.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    use ErrorKind as K;
    match kind {
        K::BadJson | K::BadUtf8 | K::BadCsv | K::BadFile | K::BadRequest | K::UnknownSchema => {
            StatusCode::BAD_REQUEST
        }
        K::InvalidAnswers | K::NoVersionInForce | K::UnknownGoal => StatusCode::UNPROCESSABLE_ENTITY,
        K::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        K::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        K::Unauthorized => StatusCode::UNAUTHORIZED,
        K::NotFound => StatusCode::NOT_FOUND,
        K::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        K::Timeout => StatusCode::REQUEST_TIMEOUT,
        K::NotReady | K::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
        K::RuleFailed
        | K::BadBundle
        | K::RulesInvalid
        | K::DigestMismatch
        | K::DraftNotAllowed
        | K::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (status_of(self.kind), json_body(&self.body)).into_response();
        if self.kind == ErrorKind::Unauthorized {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if matches!(self.kind, ErrorKind::Overloaded | ErrorKind::NotReady) {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        // For the log and the metrics (errors by kind).
        response.extensions_mut().insert(self.kind);
        response
    }
}

/// A JSON body with its content type.
pub fn json_body(value: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => {
            ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], bytes).into_response()
        }
        Err(e) => {
            ApiError::new(ErrorKind::Internal, format!("the response cannot be written: {e}")).into_response()
        }
    }
}
