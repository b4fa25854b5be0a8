//! `sopro serve`: the engine over HTTP for intake and case-management systems (1C, Java, .NET,
//! PHP) that cannot link it. Glue only: the engine assesses; this module reads requests, picks
//! the rule set, and writes responses, logs and metrics.
//!
//! `state` holds the rule folders compiled (swapped whole on reload), `routes` the JSON
//! endpoints, `batch` the streaming one, `observe` logs and metrics, `limits` the tower layers
//! and the bearer token, `listener` the accept loop (header timeout, connection limit, graceful
//! shutdown), `openapi` the OpenAPI document, `watch` the reload when the files change.

mod batch;
mod errors;
mod limits;
mod listener;
mod observe;
mod openapi;
mod routes;
mod state;
mod watch;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use sopro_engine::Drafts;
use tokio::signal::unix::{signal, SignalKind};

pub use state::App;

/// How the service runs; every limit has a default fit for an intake system on one machine.
#[derive(Debug, Clone)]
pub struct Config {
    /// A rule-set folder or a folder of versions.
    pub rules: PathBuf,
    pub drafts: Drafts,
    pub bind: SocketAddr,
    /// A file holding the bearer token every request but the health checks must carry.
    pub token_file: Option<PathBuf>,
    pub limits: Limits,
    /// Write the case id (`case.id`) of assessed answers in the log.
    pub log_case_id: bool,
    /// Also reload when the rule folder's files change (looked at every 2 s).
    pub watch: bool,
}

/// The service's limits.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The largest request body (a batch has none: it streams), in bytes.
    pub body_bytes: usize,
    /// The longest batch record (one line), in bytes.
    pub record_bytes: usize,
    /// The time a request (other than a batch) may take, reading its body included.
    pub request_time: Duration,
    /// The time a client has to send a request's headers (also an idle connection's life).
    pub header_time: Duration,
    /// The time a batch may wait for its next record.
    pub record_idle: Duration,
    /// Requests handled at once (batches aside); more get `503 overloaded` at once.
    pub requests: usize,
    /// Batches streaming at once; more get `503 overloaded` at once.
    pub batches: usize,
    /// Open connections; more wait to be accepted.
    pub connections: usize,
    /// How long in-flight requests may take to finish after SIGTERM.
    pub grace: Duration,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        body_bytes: 1 << 20,
        record_bytes: 1 << 20,
        request_time: Duration::from_secs(30),
        header_time: Duration::from_secs(10),
        record_idle: Duration::from_secs(60),
        requests: 512,
        batches: 4,
        connections: 4096,
        grace: Duration::from_secs(30),
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// Runs the service until SIGTERM or SIGINT; SIGHUP reloads the rule folder. Returns the exit
/// code: 0 after a graceful shutdown, 1 if the rule set cannot be loaded at the start, 4 if the
/// address cannot be bound or the token file read.
pub fn run(config: Config) -> i32 {
    observe::init_logs();
    observe::log_panics();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!(error = %e, "the async runtime cannot start");
            return 1;
        }
    };
    runtime.block_on(serve(config))
}

async fn serve(config: Config) -> i32 {
    // Each connection is a file descriptor: the soft limit (often 1024) up to the hard one.
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) if (limit as usize) < config.limits.connections + 64 => {
            tracing::warn!(
                limit,
                connections = config.limits.connections,
                "the open-file limit is below --max-connections"
            )
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "the open-file limit cannot be raised"),
    }
    let token = match &config.token_file {
        Some(file) => match limits::read_token(file) {
            Ok(token) => Some(token),
            Err(message) => {
                tracing::error!(file = %file.display(), "{message}");
                return crate::commands::exit::INPUT;
            }
        },
        None => None,
    };
    let listener = match tokio::net::TcpListener::bind(config.bind).await {
        Ok(listener) => listener,
        Err(e) => {
            tracing::error!(bind = %config.bind, error = %e, "the address cannot be bound");
            return crate::commands::exit::INPUT;
        }
    };
    let app = Arc::new(App::new(
        config.rules.clone(),
        config.drafts,
        config.limits.clone(),
        token,
        config.log_case_id,
    ));
    // SIGHUP is listened for before anything else: its default action would end the process.
    let hangups = signal(SignalKind::hangup());
    // Serving from the start, so that a supervisor sees the port and /readyz says 503 while
    // the rules load; a first load that fails ends the service.
    let failed_start = Arc::new(tokio::sync::Notify::new());
    let router = routes::router(app.clone());
    let limits = config.limits.clone();
    let stop = {
        let failed_start = failed_start.clone();
        async move {
            tokio::select! {
                () = shutdown_signal() => {}
                () = failed_start.notified() => {}
            }
        }
    };
    tracing::info!(bind = %listener.local_addr().map(|a| a.to_string()).unwrap_or_default(), "listening; loading the rules");
    let serving = tokio::spawn(async move { listener::serve(listener, router, &limits, stop).await });
    if let Err(message) = app.reload().await {
        tracing::error!("the rules cannot be served: {message}");
        failed_start.notify_one();
        let _ = serving.await;
        return crate::commands::exit::RULES;
    }
    match hangups {
        Ok(hangups) => {
            tokio::spawn(reload_on_hangup(app.clone(), hangups));
        }
        Err(_) => tracing::warn!("SIGHUP cannot be listened for; the rules will not be reloaded on it"),
    }
    if config.watch {
        tokio::spawn(watch::reload_on_change(app.clone()));
    }
    let _ = serving.await;
    tracing::info!("stopped");
    crate::commands::exit::OK
}

/// Reloads the rules on every SIGHUP (`kill -HUP`, `systemctl reload`).
async fn reload_on_hangup(app: Arc<App>, mut hangups: tokio::signal::unix::Signal) {
    while hangups.recv().await.is_some() {
        tracing::info!("SIGHUP: reloading the rules");
        // A failure is logged and kept for /readyz by `reload` itself.
        let _ = app.reload().await;
    }
}

/// Completes on SIGTERM or SIGINT.
async fn shutdown_signal() {
    let terminate = async {
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = terminate => tracing::info!("SIGTERM: finishing the requests in flight"),
        _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT: finishing the requests in flight"),
    }
}
