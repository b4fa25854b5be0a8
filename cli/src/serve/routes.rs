//! The router and the JSON endpoints: each reads the request, calls the engine with the rules
//! loaded when it began, and writes the engine's types as JSON.

use std::collections::HashMap;
use std::sync::Arc;

use axum::error_handling::HandleErrorLayer;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use sopro_engine::{envelope, BadJson, ErrorKind, Explain, Goal, RuleSet, RuleSetRef};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;

use super::errors::{json_body, status_of, ApiError};
use super::limits::{layer_error, panicked, require_token};
use super::observe::{mark_route, observe, CaseId, DIGEST_HEADER, RULESET_HEADER};
use super::state::{App, Served};

/// Every route, with its limits, the token check, logs and metrics.
pub fn router(app: Arc<App>) -> Router {
    let limits = &app.limits;
    let requests = tower::limit::GlobalConcurrencyLimitLayer::new(limits.requests);
    let api = Router::new()
        .route("/v1/assess", post(assess))
        .route("/v1/validate", post(validate))
        .route("/v1/relevant", post(relevant))
        .route("/v1/whatif", post(whatif))
        .route("/v1/rulesets", get(rulesets))
        .route("/v1/rulesets/{id}/{version}/schema/{kind}", get(schema))
        .route("/v1/rulesets/{id}/{version}/questions", get(questions))
        .route("/v1/openapi.json", get(openapi))
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(layer_error))
                .load_shed()
                .layer(requests)
                .timeout(limits.request_time),
        );
    // A batch streams for as long as its input: no time limit; its own count, held by the
    // handler to the last row (`App::batches`).
    let batches = Router::new().route("/v1/batch", post(super::batch::batch));
    // Probes answer even when the service is at its limits.
    let probes = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/version", get(version));
    api.merge(batches)
        .merge(probes)
        .route_layer(from_fn(mark_route))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(CatchPanicLayer::custom(panicked))
        .layer(from_fn_with_state(app.clone(), require_token))
        .layer(from_fn_with_state(app.clone(), observe))
        .with_state(app)
}

/// The rules loaded, or `503 not_ready`.
pub fn ready(app: &App) -> Result<Arc<Served>, ApiError> {
    app.served().ok_or_else(|| ApiError::new(ErrorKind::NotReady, NOT_READY))
}

const NOT_READY: &str = "the rules are still being loaded";

/// Whether a `Content-Type` is JSON (`application/json`, `…+json`, with parameters).
fn is_json(media: &str) -> bool {
    media == "application/json" || media.ends_with("+json")
}

/// The request's media type, checked by `accepts`; absent or other is `415`.
pub fn require_media(headers: &HeaderMap, accepts: fn(&str) -> bool, expected: &str) -> Result<(), ApiError> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
    match media {
        Some(media) if accepts(&media) => Ok(()),
        Some(media) => Err(ApiError::new(
            ErrorKind::UnsupportedMediaType,
            format!("the body is declared as `{media}`; send it as `Content-Type: {expected}`"),
        )),
        None => Err(ApiError::new(
            ErrorKind::UnsupportedMediaType,
            format!("the request has no Content-Type; send the body as `Content-Type: {expected}`"),
        )),
    }
}

/// A request's body as JSON text: declared as JSON, at most the service's body limit, UTF-8.
pub struct JsonText(pub String);

impl FromRequest<Arc<App>> for JsonText {
    type Rejection = ApiError;

    async fn from_request(request: Request, app: &Arc<App>) -> Result<Self, ApiError> {
        require_media(request.headers(), is_json, "application/json")?;
        let limit = app.limits.body_bytes;
        let too_large =
            || ApiError::new(ErrorKind::TooLarge, format!("the body is larger than {limit} bytes"));
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|length| length > limit as u64) {
            return Err(too_large());
        }
        let bytes = axum::body::to_bytes(request.into_body(), limit).await.map_err(|e| {
            if e.into_inner().is::<http_body_util::LengthLimitError>() {
                too_large()
            } else {
                ApiError::new(ErrorKind::BadRequest, "the body could not be read to its end")
            }
        })?;
        String::from_utf8(bytes.into())
            .map(JsonText)
            .map_err(|_| ApiError::new(ErrorKind::BadUtf8, "the body is not valid UTF-8"))
    }
}

/// The query's parameters, each one of `known`.
fn options(
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    known: &[&str],
) -> Result<HashMap<String, String>, ApiError> {
    let Query(options) = query.map_err(|e| ApiError::new(ErrorKind::BadRequest, e.body_text()))?;
    if let Some(unknown) = options.keys().find(|k| !known.contains(&k.as_str())) {
        let known = known.join(", ");
        return Err(ApiError::new(
            ErrorKind::BadRequest,
            format!("no parameter `{unknown}`; known: {known}"),
        ));
    }
    Ok(options)
}

/// The rule set a response was made with, in its headers.
fn name_rules(response: &mut Response, rules: &RuleSetRef) {
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&format!("{} {}", rules.id, rules.version)) {
        headers.insert(RULESET_HEADER, value);
    }
    if let Ok(value) = HeaderValue::from_str(&rules.digest) {
        headers.insert(DIGEST_HEADER, value);
    }
}

/// `POST /v1/assess[?explain=full|brief]`: the answers → the assessment (the version in force
/// on their `as_of`). `brief` leaves out the answers each finding read and the missing ones.
async fn assess(
    State(app): State<Arc<App>>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    JsonText(text): JsonText,
) -> Result<Response, ApiError> {
    let explain = match options(query, &["explain"])?.get("explain").map(String::as_str) {
        None | Some("full") => Explain::ALL,
        Some("brief") => Explain::BRIEF,
        Some(other) => {
            return Err(ApiError::new(
                ErrorKind::BadRequest,
                format!("explain is `full` or `brief`, not `{other}`"),
            ))
        }
    };
    let served = ready(&app)?;
    // The version and the case id for the log, in one scan.
    let (found, version) =
        served.library.version_for_json(&text, &[&["case", "id"]]).map_err(|e| ApiError::bad_json(&e))?;
    let case_id = found.into_iter().next().flatten().map(|id| CaseId(id.into_owned()));
    let mut response = match version {
        Ok(rules) => {
            let mut response = match rules.assess_json(&text, explain).map_err(|e| ApiError::bad_json(&e))? {
                Ok(assessment) => {
                    app.metrics.assessed(&assessment.level.id);
                    json_body(&assessment)
                }
                Err(error) => ApiError::from(error).into_response(),
            };
            // Refusals too name the version whose questions refused the answers.
            name_rules(&mut response, &rules.ruleset_ref());
            response
        }
        Err(error) => ApiError::from(error).into_response(),
    };
    if let (true, Some(case_id)) = (app.log_case_id, case_id) {
        response.extensions_mut().insert(case_id);
    }
    Ok(response)
}

/// `POST /v1/validate`: the answers' problems only, each with its JSON Pointer (`valid` when
/// there are none), against the version in force on their `as_of`.
async fn validate(State(app): State<Arc<App>>, JsonText(text): JsonText) -> Result<Response, ApiError> {
    let served = ready(&app)?;
    let (_, version) = served.library.version_for_json(&text, &[]).map_err(|e| ApiError::bad_json(&e))?;
    let rules = version?;
    let problems = rules.validate_json(&text).map_err(|e| ApiError::bad_json(&e))?;
    let rules_ref = rules.ruleset_ref();
    let mut response =
        json_body(&json!({"valid": problems.is_empty(), "problems": problems, "ruleset": rules_ref}));
    name_rules(&mut response, &rules_ref);
    Ok(response)
}

/// Partial answers as a `Value` (relevance and what-would-change work on one).
fn partial_answers(text: &str) -> Result<Value, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::bad_json(&BadJson::from(e)))
}

/// Runs `work` on the version for `partial` off the async threads (it may take milliseconds).
/// It holds a place among `--max-requests` of its own to its end: work whose request timed out
/// still counts until it stops.
async fn on_version<T: Send + 'static>(
    app: &App,
    served: Arc<Served>,
    partial: Value,
    work: impl FnOnce(&RuleSet, &Value) -> Result<T, ApiError> + Send + 'static,
) -> Result<(T, RuleSetRef), ApiError> {
    let place = app.blocking.clone().try_acquire_owned().map_err(|_| {
        ApiError::new(
            ErrorKind::Overloaded,
            "the service is handling as many requests as it may; try again shortly",
        )
    })?;
    tokio::task::spawn_blocking(move || {
        let _place = place;
        let rules = served.library.version_for(&partial)?;
        Ok((work(rules, &partial)?, rules.ruleset_ref()))
    })
    .await
    .map_err(|_| {
        ApiError::new(ErrorKind::Internal, "the request failed inside the service; please report it")
    })?
}

/// `POST /v1/relevant`: for partial answers, what a form should show and ask next.
async fn relevant(State(app): State<Arc<App>>, JsonText(text): JsonText) -> Result<Response, ApiError> {
    let served = ready(&app)?;
    let partial = partial_answers(&text)?;
    let (relevance, rules) =
        on_version(&app, served, partial, |rules, partial| Ok(rules.relevant(partial))).await?;
    let mut response = json_body(&relevance);
    name_rules(&mut response, &rules);
    Ok(response)
}

/// `POST /v1/whatif[?to=lower|higher|LEVEL | ?leave=ID | ?enter=ID]`: the smallest sets of
/// changes to the changeable answers that reach the goal (`lower` by default).
async fn whatif(
    State(app): State<Arc<App>>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    JsonText(text): JsonText,
) -> Result<Response, ApiError> {
    let options = options(query, &["to", "leave", "enter"])?;
    let get = |name: &str| options.get(name).map(String::as_str);
    let goal = Goal::from_options(get("to"), get("leave"), get("enter"));
    let served = ready(&app)?;
    let partial = partial_answers(&text)?;
    let (found, rules) =
        on_version(&app, served, partial, move |rules, partial| Ok(rules.what_would_change(partial, &goal)?))
            .await?;
    let mut response = json_body(&found);
    name_rules(&mut response, &rules);
    Ok(response)
}

/// `GET /v1/rulesets`: every version loaded — published or draft, used or not, in force when,
/// digest, base.
async fn rulesets(State(app): State<Arc<App>>) -> Result<Response, ApiError> {
    let served = ready(&app)?;
    Ok(json_body(&json!({
        "folder": app.rules_dir.file_name().map(|n| n.to_string_lossy().into_owned()),
        "loaded_at": served.loaded_at,
        "versions": served.versions,
    })))
}

/// The version `id`/`version` of those loaded, or `404`.
fn version_named<'s>(served: &'s Served, id: &str, version: &str) -> Result<&'s RuleSet, ApiError> {
    served.library.versions().iter().find(|v| v.id() == id && v.version() == version).ok_or_else(|| {
        let loaded: Vec<String> = served.versions.iter().map(|v| format!("{}/{}", v.id, v.version)).collect();
        ApiError::new(
            ErrorKind::NotFound,
            format!("no rule set {id}/{version} is loaded; loaded: {}", loaded.join(", ")),
        )
    })
}

/// `GET /v1/rulesets/{id}/{version}/schema/{answers|assessment}`: a JSON Schema.
async fn schema(
    State(app): State<Arc<App>>,
    Path((id, version, kind)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let served = ready(&app)?;
    let rules = version_named(&served, &id, &version)?;
    let schema = match kind.as_str() {
        "answers" => sopro_engine::answers_schema(rules),
        "assessment" => sopro_engine::assessment_schema(),
        other => {
            return Err(ApiError::new(
                ErrorKind::UnknownSchema,
                format!("no schema `{other}`; use answers or assessment"),
            ))
        }
    };
    let mut response = json_body(&schema);
    name_rules(&mut response, &rules.ruleset_ref());
    Ok(response)
}

/// `GET /v1/rulesets/{id}/{version}/questions`: the questions, to render a form from.
async fn questions(
    State(app): State<Arc<App>>,
    Path((id, version)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let served = ready(&app)?;
    let rules = version_named(&served, &id, &version)?;
    let mut response = json_body(&rules.questions());
    name_rules(&mut response, &rules.ruleset_ref());
    Ok(response)
}

/// `GET /v1/openapi.json`.
async fn openapi() -> Response {
    json_body(super::openapi::document())
}

/// `GET /healthz`: the process answers.
async fn healthz() -> Response {
    json_body(&json!({"status": "ok"}))
}

/// `GET /readyz`: `200` once a rule set is loaded (with the last reload's outcome: a failed
/// one keeps the last good rules serving), `503` before.
async fn readyz(State(app): State<Arc<App>>) -> Response {
    let last_reload = app.last_reload();
    match app.served() {
        Some(served) => json_body(&json!({
            "ready": true,
            "versions": served.versions.iter().map(|v| json!({"id": v.id, "version": v.version, "digest": v.digest, "used": v.used})).collect::<Vec<_>>(),
            "loaded_at": served.loaded_at,
            "last_reload": last_reload,
        })),
        None => {
            let error = envelope::failure(ErrorKind::NotReady, NOT_READY);
            let mut response =
                json_body(&json!({"ready": false, "error": error, "last_reload": last_reload}));
            *response.status_mut() = status_of(ErrorKind::NotReady);
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response.extensions_mut().insert(ErrorKind::NotReady);
            response
        }
    }
}

/// `GET /metrics`: Prometheus metrics (OpenMetrics text).
async fn metrics(State(app): State<Arc<App>>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")],
        app.metrics.text(),
    )
        .into_response()
}

/// `GET /version`: the service's and the engine's versions, and the rules loaded.
async fn version(State(app): State<Arc<App>>) -> Response {
    let versions: Vec<Value> = app
        .served()
        .map(|s| {
            s.versions.iter().map(|v| json!({"id": v.id, "version": v.version, "digest": v.digest})).collect()
        })
        .unwrap_or_default();
    json_body(&json!({"sopro": env!("CARGO_PKG_VERSION"), "api": "v1", "rulesets": versions}))
}

async fn not_found(request: Request) -> ApiError {
    let path = request.uri().path();
    ApiError::new(ErrorKind::NotFound, format!("no route {path}; the routes are listed at /v1/openapi.json"))
}

async fn method_not_allowed(request: Request) -> ApiError {
    let (method, path) = (request.method(), request.uri().path());
    ApiError::new(ErrorKind::MethodNotAllowed, format!("{path} does not take {method}; see /v1/openapi.json"))
}
