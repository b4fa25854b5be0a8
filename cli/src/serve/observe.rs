//! Logs and metrics. One JSON line per request (request id, method, route, status, duration,
//! the rule set's version, the error's kind; the case id only with `--log-case-id`) and never
//! a body or an answer's value; Prometheus metrics at `/metrics` (OpenMetrics text).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use sopro_engine::ErrorKind;

use super::state::{App, VersionInfo};

/// The header that names the rule set (and version) a response was made with.
pub const RULESET_HEADER: HeaderName = HeaderName::from_static("sopro-ruleset");
/// The digest of that rule set.
pub const DIGEST_HEADER: HeaderName = HeaderName::from_static("sopro-ruleset-digest");
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// JSON lines on standard error.
pub fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::stderr)
        .try_init();
}

/// A panic as one JSON log line with where it happened, never its message: a message could
/// quote data (the default hook writes it, as plain text, to the log).
pub fn log_panics() {
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        tracing::error!(at = %at, "a panic (its message is not logged: it could hold data)");
    }));
}

/// The case id of the answers a response was made for: logged only with `--log-case-id`.
#[derive(Clone)]
pub struct CaseId(pub String);

/// The route a request matched (its pattern), set by [`mark_route`].
#[derive(Clone)]
struct Route(String);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteStatus {
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabel {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LevelLabel {
    level: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabel {
    result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RuleSetLabels {
    id: String,
    version: String,
    digest: String,
    status: String,
    used: String,
}

type Durations = Family<RouteLabel, Histogram, fn() -> Histogram>;

/// The service's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RouteStatus, Counter>,
    durations: Durations,
    in_flight: Gauge,
    errors: Family<KindLabel, Counter>,
    assessments: Family<LevelLabel, Counter>,
    batch_records: Counter,
    reloads: Family<ResultLabel, Counter>,
    rulesets: Family<RuleSetLabels, Gauge>,
    next_request: AtomicU64,
    started: u64,
}

fn durations() -> Histogram {
    // 50 µs to about 1.6 s.
    Histogram::new(exponential_buckets(0.000_05, 2.0, 16))
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("sopro");
        let requests = Family::<RouteStatus, Counter>::default();
        registry.register("http_requests", "HTTP requests by route and status", requests.clone());
        let durations: Durations = Family::new_with_constructor(durations);
        registry.register(
            "http_request_duration_seconds",
            "Time to the response's head, by route",
            durations.clone(),
        );
        let in_flight = Gauge::default();
        registry.register("http_requests_in_flight", "Requests being handled", in_flight.clone());
        let errors = Family::<KindLabel, Counter>::default();
        registry.register("errors", "Error responses and batch error rows by kind", errors.clone());
        let assessments = Family::<LevelLabel, Counter>::default();
        registry.register("assessments", "Families assessed, by support level", assessments.clone());
        let batch_records = Counter::default();
        registry.register("batch_records", "Records of batches answered", batch_records.clone());
        let reloads = Family::<ResultLabel, Counter>::default();
        registry.register("reloads", "Loads of the rule folder, by result", reloads.clone());
        let rulesets = Family::<RuleSetLabels, Gauge>::default();
        registry.register("ruleset", "The versions loaded (1 each)", rulesets.clone());
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        Metrics {
            registry,
            requests,
            durations,
            in_flight,
            errors,
            assessments,
            batch_records,
            reloads,
            rulesets,
            next_request: AtomicU64::new(1),
            started,
        }
    }

    /// The metrics as OpenMetrics text.
    pub fn text(&self) -> String {
        let mut text = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }

    pub fn assessed(&self, level: &str) {
        self.assessments.get_or_create(&LevelLabel { level: level.to_owned() }).inc();
    }

    pub fn error(&self, kind: &str) {
        self.errors.get_or_create(&KindLabel { kind: kind.to_owned() }).inc();
    }

    /// A batch's chunk: its records and what each came to (a level or an error's kind).
    pub fn batch_chunk<'a>(&self, outcomes: impl Iterator<Item = (&'a str, bool)>) {
        for (key, is_error) in outcomes {
            self.batch_records.inc();
            if is_error {
                self.error(key);
            } else {
                self.assessed(key);
            }
        }
    }

    pub fn reloaded(&self, ok: bool) {
        let result = if ok { "ok" } else { "failed" };
        self.reloads.get_or_create(&ResultLabel { result: result.to_owned() }).inc();
    }

    pub fn set_rulesets(&self, versions: &[VersionInfo]) {
        self.rulesets.clear();
        for v in versions {
            let labels = RuleSetLabels {
                id: v.id.clone(),
                version: v.version.clone(),
                digest: v.digest.clone(),
                status: v.status.to_owned(),
                used: v.used.to_string(),
            };
            self.rulesets.get_or_create(&labels).set(1);
        }
    }

    /// A request id unique to this process's life: its start and a counter.
    fn request_id(&self) -> String {
        format!("{:x}-{}", self.started, self.next_request.fetch_add(1, Ordering::Relaxed))
    }
}

/// A request being handled: counted in flight, and logged as cancelled if the client goes
/// away before its answer (hyper then drops the handler, and nothing after it runs).
struct InFlight<'a> {
    app: &'a App,
    request_id: &'a str,
    method: &'a axum::http::Method,
    started: Instant,
    done: bool,
}

impl<'a> InFlight<'a> {
    fn new(app: &'a App, request_id: &'a str, method: &'a axum::http::Method, started: Instant) -> Self {
        app.metrics.in_flight.inc();
        InFlight { app, request_id, method, started, done: false }
    }

    fn done(mut self) {
        self.done = true;
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.app.metrics.in_flight.dec();
        if !self.done {
            let duration_us = self.started.elapsed().as_micros() as u64;
            tracing::info!(request_id = %self.request_id, method = %self.method, duration_us, "request cancelled: the client went away");
        }
    }
}

/// The route's pattern, copied from the router's match into the response for [`observe`].
pub async fn mark_route(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map(|path| Route(path.as_str().to_owned()));
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(route);
    }
    response
}

/// A request id (the client's `x-request-id` if it is a short plain token), then one log line
/// and the metrics of the response.
pub async fn observe(State(app): State<Arc<App>>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|id| id.to_str().ok())
        .filter(|id| {
            !id.is_empty()
                && id.len() <= 64
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map(str::to_owned)
        .unwrap_or_else(|| app.metrics.request_id());
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        request.headers_mut().insert(REQUEST_ID, value);
    }
    let method = request.method().clone();
    let in_flight = InFlight::new(&app, &request_id, &method, started);
    let mut response = next.run(request).await;
    in_flight.done();
    let elapsed = started.elapsed();
    let route = response.extensions().get::<Route>().map_or("unmatched", |r| r.0.as_str()).to_owned();
    let status = response.status().as_u16();
    let kind = response.extensions().get::<ErrorKind>().map(|k| k.as_str());
    let metrics = &app.metrics;
    metrics.requests.get_or_create(&RouteStatus { route: route.clone(), status }).inc();
    metrics.durations.get_or_create(&RouteLabel { route: route.clone() }).observe(elapsed.as_secs_f64());
    if let Some(kind) = kind {
        metrics.error(kind);
    }
    let ruleset = response.headers().get(&RULESET_HEADER).and_then(|v| v.to_str().ok());
    let case_id = response.extensions().get::<CaseId>().filter(|_| app.log_case_id).map(|c| c.0.as_str());
    let duration_us = elapsed.as_micros() as u64;
    if status >= 500 {
        tracing::warn!(request_id = %request_id, method = %method, route = %route, status, duration_us, ruleset, error = kind, case_id, "request");
    } else {
        tracing::info!(request_id = %request_id, method = %method, route = %route, status, duration_us, ruleset, error = kind, case_id, "request");
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}
