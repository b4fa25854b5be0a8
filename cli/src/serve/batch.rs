//! `POST /v1/batch`: JSON Lines in, JSON Lines out, in order — for each record the same row as
//! `sopro batch` writes (the assessment, or an error row with the record number and case id,
//! never an answer value). Streamed both ways: records are read in chunks as they arrive,
//! assessed in parallel (rayon), and written as each chunk is done; at most `IN_FLIGHT` chunks
//! are held, so memory stays bounded whatever the input's size. A client that goes away stops
//! the reading.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use bytes::Bytes;
use futures_util::{FutureExt, TryStreamExt};
use rayon::prelude::*;
use serde_json::json;
use sopro_engine::{envelope, ErrorKind};
use tokio::io::{AsyncBufRead, AsyncBufReadExt};
use tokio::sync::{mpsc, oneshot};

use super::errors::ApiError;
use super::observe::{DIGEST_HEADER, RULESET_HEADER};
use super::routes::{ready, require_media};
use super::state::{App, Served};
use crate::batch::{result_line, Lines, Record};

/// Records assessed together (as `sopro batch` does), and at most this many bytes of them:
/// a chunk's rows are about ten times its records' size.
const CHUNK: usize = 4096;
const CHUNK_BYTES: usize = 4 << 20;
/// Chunks read ahead of the one being written: with the one being assessed, a batch holds at
/// most about (1 + IN_FLIGHT) × 11 × CHUNK_BYTES.
const IN_FLIGHT: usize = 2;
/// A chunk of at least this many records is assessed as soon as the next is not there yet;
/// a smaller one waits up to `FLUSH_AFTER` for more.
const FLUSH_AT: usize = 64;
const FLUSH_AFTER: Duration = Duration::from_millis(20);

/// JSON Lines media types.
fn is_json_lines(media: &str) -> bool {
    matches!(
        media,
        "application/x-ndjson" | "application/jsonl" | "application/json-lines" | "application/x-jsonlines"
    )
}

pub async fn batch(State(app): State<Arc<App>>, request: Request) -> Result<Response, ApiError> {
    require_media(request.headers(), is_json_lines, "application/x-ndjson")?;
    let served = ready(&app)?;
    // Held until the last row is written (or the client leaves), not just to the head.
    let place = app.batches.clone().try_acquire_owned().map_err(|_| {
        ApiError::new(
            ErrorKind::Overloaded,
            "the service is running as many batches as it may; try again shortly",
        )
    })?;
    let request_id =
        request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let body = request.into_body().into_data_stream().map_err(std::io::Error::other);
    let mut reader = LineReader::new(tokio_util::io::StreamReader::new(body), app.limits.record_bytes);
    // The body's first bytes before the response's head: a client that sent
    // `Expect: 100-continue` (curl does for large bodies) is told to go on, rather than
    // taking an early answer as a refusal.
    if let Ok(Err(e)) = tokio::time::timeout(app.limits.record_idle, reader.wait_ready()).await {
        return Err(ApiError::new(ErrorKind::BadRequest, format!("the request body cannot be read: {e}")));
    }
    let (queue, queued) = mpsc::channel::<oneshot::Receiver<Bytes>>(IN_FLIGHT);
    let used: Vec<String> =
        served.versions.iter().filter(|v| v.used).map(|v| format!("{} {}", v.id, v.version)).collect();
    let digests: Vec<&str> = served.versions.iter().filter(|v| v.used).map(|v| v.digest.as_str()).collect();
    let digests = digests.join(", ");
    tokio::spawn(feed(app, served, reader, queue, request_id));
    let rows = futures_util::stream::unfold(Some((queued, place)), |state| async move {
        let (mut queued, place) = state?;
        let chunk = queued.recv().await?;
        match chunk.await {
            Ok(rows) => Some((Ok::<Bytes, Infallible>(rows), Some((queued, place)))),
            // Cannot happen (a chunk's rows are always sent): said rather than cut short.
            Err(_) => {
                let row = json!({"error": envelope::failure(ErrorKind::Internal, "a chunk of the batch was lost; the rows after the last one written are missing")});
                Some((Ok(Bytes::from(format!("{row}\n"))), None))
            }
        }
    });
    let mut response = Response::new(Body::from_stream(rows));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson"));
    if let Ok(value) = HeaderValue::from_str(&used.join(", ")) {
        headers.insert(RULESET_HEADER, value);
    }
    if let Ok(value) = HeaderValue::from_str(&digests) {
        headers.insert(DIGEST_HEADER, value);
    }
    Ok(response)
}

/// How the reading of a batch ended.
enum End {
    /// The body's end.
    Input,
    /// The client stopped reading the response (it went away).
    ClientGone,
    /// The body broke off, or no record came for too long: said in a last error row.
    Broken(ErrorKind, String),
}

/// Reads records, sends each chunk to be assessed, queues its rows in order.
async fn feed<R: AsyncBufRead + Unpin>(
    app: Arc<App>,
    served: Arc<Served>,
    mut reader: LineReader<R>,
    chunks: mpsc::Sender<oneshot::Receiver<Bytes>>,
    request_id: String,
) {
    let started = Instant::now();
    let mut record: u64 = 0;
    let end = loop {
        let (chunk, end) = read_chunk(&mut reader, &mut record, app.limits.record_idle, &chunks).await;
        if !chunk.is_empty() {
            let (rows, queued) = oneshot::channel();
            if chunks.send(queued).await.is_err() {
                break End::ClientGone;
            }
            let (app, served) = (app.clone(), served.clone());
            rayon::spawn(move || {
                // A panic on a rayon thread would end the process: it becomes error rows.
                let assessed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    assess_chunk(&app, &served, &chunk)
                }));
                let _ = rows.send(assessed.unwrap_or_else(|_| failed_chunk(&chunk)));
            });
        }
        match end {
            Some(End::Broken(kind, message)) => {
                record += 1;
                let row = json!({"record": record, "error": envelope::failure(kind, &message)});
                let (rows, queued) = oneshot::channel();
                if chunks.send(queued).await.is_ok() {
                    let _ = rows.send(Bytes::from(format!("{row}\n")));
                }
                break End::Broken(kind, message);
            }
            Some(end) => break end,
            None => {}
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    match end {
        End::Input => {
            tracing::info!(request_id = %request_id, records = record, seconds, "batch read to its end")
        }
        End::ClientGone => {
            tracing::warn!(request_id = %request_id, records = record, seconds, "batch stopped: the client went away")
        }
        End::Broken(kind, _) => {
            tracing::warn!(request_id = %request_id, records = record, seconds, error = kind.as_str(), "batch stopped: the body broke off")
        }
    }
}

/// The rows of a chunk, one line each, and their count in the metrics.
fn assess_chunk(app: &App, served: &Served, chunk: &Lines) -> Bytes {
    let results: Vec<(String, Result<String, String>)> =
        chunk.par_iter().map(|(n, record)| result_line(&served.library, *n, record, false)).collect();
    app.metrics.batch_chunk(results.iter().map(|(key, line)| (key.as_str(), line.is_err())));
    let mut out = Vec::with_capacity(
        results.iter().map(|(_, l)| l.as_ref().map_or_else(String::len, String::len) + 1).sum(),
    );
    for (_, line) in results {
        out.extend_from_slice(line.unwrap_or_else(|e| e).as_bytes());
        out.push(b'\n');
    }
    Bytes::from(out)
}

/// An `internal` error row for each record of a chunk whose assessment failed.
fn failed_chunk(chunk: &Lines) -> Bytes {
    let mut out = String::new();
    for (record, _) in chunk {
        let error =
            envelope::failure(ErrorKind::Internal, "the record could not be assessed; please report it");
        out.push_str(&json!({"record": record, "error": error}).to_string());
        out.push('\n');
    }
    Bytes::from(out)
}

/// Up to `CHUNK` records (and `CHUNK_BYTES`), fewer if the next is not there yet (a client that streams slowly
/// still gets its results); and the end, if reached.
async fn read_chunk<R: AsyncBufRead + Unpin>(
    reader: &mut LineReader<R>,
    record: &mut u64,
    idle: Duration,
    queue: &mpsc::Sender<oneshot::Receiver<Bytes>>,
) -> (Lines, Option<End>) {
    let mut chunk = Vec::new();
    let mut bytes = 0;
    while chunk.len() < CHUNK && bytes < CHUNK_BYTES {
        // `next_record` keeps a partly read line in the reader: giving up on it loses nothing.
        let next = match reader.next_record().now_or_never() {
            Some(next) => Ok(next),
            None if chunk.len() >= FLUSH_AT => break,
            None => {
                let wait = if chunk.is_empty() { idle } else { FLUSH_AFTER };
                tokio::select! {
                    next = tokio::time::timeout(wait, reader.next_record()) => next,
                    () = queue.closed() => return (Vec::new(), Some(End::ClientGone)),
                }
            }
        };
        match next {
            Ok(Ok(Some(next))) => {
                *record += 1;
                bytes += next.size();
                chunk.push((*record, next));
            }
            Ok(Ok(None)) => return (chunk, Some(End::Input)),
            Ok(Err(e)) => {
                let message = format!("the request body broke off after record {record}: {e}");
                return (chunk, Some(End::Broken(ErrorKind::BadRequest, message)));
            }
            Err(_) if chunk.is_empty() => {
                let message = format!("no record came for {} s after record {record}", idle.as_secs());
                return (chunk, Some(End::Broken(ErrorKind::Timeout, message)));
            }
            Err(_) => break,
        }
    }
    (chunk, None)
}

/// Lines of a body, each at most `max` bytes (a longer one is a record in error, skipped to
/// its end). Cancel-safe: the line being read is kept here, not in the future.
struct LineReader<R> {
    inner: R,
    max: usize,
    line: Vec<u8>,
    /// Bytes of the current line seen (counted past `max`).
    seen: usize,
}

impl<R: AsyncBufRead + Unpin> LineReader<R> {
    fn new(inner: R, max: usize) -> Self {
        LineReader { inner, max, line: Vec::new(), seen: 0 }
    }

    /// The next record; `None` at the end of the body.
    async fn next_record(&mut self) -> std::io::Result<Option<Record>> {
        loop {
            let available = self.inner.fill_buf().await?;
            if available.is_empty() {
                // The end: a last line without its newline is still a record.
                return Ok((self.seen > 0).then(|| self.take()));
            }
            let (part, ends) = match available.iter().position(|b| *b == b'\n') {
                Some(at) => (&available[..at], Some(at + 1)),
                None => (available, None),
            };
            if self.seen + part.len() <= self.max {
                self.line.extend_from_slice(part);
            }
            self.seen += part.len();
            let consumed = ends.unwrap_or(available.len());
            self.inner.consume(consumed);
            if ends.is_some() {
                return Ok(Some(self.take()));
            }
        }
    }

    /// Waits until the body has bytes (or has ended), reading none of them.
    async fn wait_ready(&mut self) -> std::io::Result<()> {
        self.inner.fill_buf().await.map(|_| ())
    }

    fn take(&mut self) -> Record {
        let too_long = self.seen > self.max;
        self.seen = 0;
        let line = std::mem::take(&mut self.line);
        if too_long {
            let message = format!("the record is longer than {} bytes", self.max);
            return Record::Unreadable { kind: ErrorKind::TooLarge, message };
        }
        Record::from_line(line)
    }
}
