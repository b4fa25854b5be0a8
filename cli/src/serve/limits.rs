//! Limits and access: the bearer token, the time and concurrency limits of tower (their
//! failures answered as the service's errors), a panic answered as an internal error.

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sopro_engine::ErrorKind;
use subtle::ConstantTimeEq;

use super::errors::ApiError;
use super::state::App;

/// The routes a load balancer and a supervisor call without a token.
const OPEN_ROUTES: [&str; 2] = ["/healthz", "/readyz"];

/// The token in a file: its first line, trimmed; refused if empty.
pub fn read_token(file: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("the token file cannot be read: {e}"))?;
    let token = text.lines().next().unwrap_or_default().trim().to_owned();
    if token.is_empty() {
        return Err("the token file is empty".to_owned());
    }
    Ok(token)
}

/// With a token configured, every request but the health checks carries
/// `Authorization: Bearer <token>` (compared in constant time).
pub async fn require_token(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let Some(token) = &app.token else { return next.run(request).await };
    if OPEN_ROUTES.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        // The scheme's name is case-insensitive (RFC 7235).
        .and_then(|value| value.split_once(' ').filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer")))
        .map(|(_, token)| token.trim());
    match given {
        Some(given) if bool::from(given.as_bytes().ct_eq(token.as_bytes())) => next.run(request).await,
        Some(_) => {
            ApiError::new(ErrorKind::Unauthorized, "the bearer token is not the service's").into_response()
        }
        None => {
            ApiError::new(ErrorKind::Unauthorized, "this service requires `Authorization: Bearer <token>`")
                .into_response()
        }
    }
}

/// What tower's limits fail with, as the service's errors: a request over its time, or one
/// more than the service handles at once.
pub async fn layer_error(error: tower::BoxError) -> ApiError {
    if error.is::<tower::timeout::error::Elapsed>() {
        ApiError::new(ErrorKind::Timeout, "the request took longer than the service's time limit")
    } else if error.is::<tower::load_shed::error::Overloaded>() {
        ApiError::new(
            ErrorKind::Overloaded,
            "the service is handling as many requests as it may; try again shortly",
        )
    } else {
        ApiError::new(ErrorKind::Internal, format!("the request failed: {error}"))
    }
}

/// A handler that panicked: an internal error (its message is not shown: it could hold data).
pub fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::new(ErrorKind::Internal, "the request failed inside the service; please report it")
        .into_response()
}
