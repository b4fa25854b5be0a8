//! `sopro serve` as a process on loopback: every route, bad input, and the faults a service
//! meets — malformed JSON, wrong content types, a 100 MB body, a client that sends a byte a
//! second, 2 000 idle connections, a client that leaves mid-batch, a reload under load, SIGTERM
//! under load — with no crash and no hang, every completed response well-formed, memory bounded,
//! and no answer value in the log. Time bounds here are hang guards (seconds), never targets.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// A name planted in answers; it must never reach the log.
const NAME: &str = "Секретова";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn typical() -> String {
    std::fs::read_to_string(root().join("benches/data/typical.json")).unwrap()
}

/// A folder of the test's own, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("sopro-serve-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running `sopro serve`, killed when dropped.
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
    _scratch: Scratch,
}

impl Server {
    /// Starts the service on the bundled KhMAO folder (or `rules`) and waits until it is ready.
    fn start(name: &str, rules: Option<&Path>, args: &[&str]) -> Server {
        let scratch = Scratch::new(name);
        let log = scratch.0.join("serve.log");
        let rules = rules.map_or_else(|| root().join("rules/khmao"), Path::to_path_buf);
        // Port 0: the system picks a free one, and the log says which.
        let child = Command::new(env!("CARGO_BIN_EXE_sopro"))
            .args(["serve", "--rules"])
            .arg(&rules)
            .args(["--bind", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut server = Server { child, port: 0, log, _scratch: scratch };
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("the server stopped ({status}): {}", server.log_text());
            }
            if server.port == 0 {
                server.port = server.bound_port().unwrap_or(0);
            }
            if server.port != 0 && server.get("/readyz").0 == 200 {
                return server;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "not ready after 60 s: {}",
                server.log_text()
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn agent() -> ureq::Agent {
        ureq::AgentBuilder::new().timeout(Duration::from_secs(60)).build()
    }

    /// Status, the response, and its body (empty if the connection failed: status 0).
    fn get(&self, path: &str) -> (u16, String) {
        reply(Self::agent().get(&self.url(path)).call())
    }

    fn post(&self, path: &str, content_type: &str, body: &str) -> (u16, String) {
        reply(Self::agent().post(&self.url(path)).set("Content-Type", content_type).send_string(body))
    }

    fn post_json(&self, path: &str, body: &str) -> (u16, Value) {
        let (status, text) = self.post(path, "application/json", body);
        let json =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {status} not JSON ({e}): {text}"));
        (status, json)
    }

    /// The port the log says the service listens on.
    fn bound_port(&self) -> Option<u16> {
        self.log_text().lines().find_map(|line| {
            let line: Value = serde_json::from_str(line).ok()?;
            if !line["message"].as_str()?.starts_with("listening") {
                return None;
            }
            line["bind"].as_str()?.rsplit(':').next()?.parse().ok()
        })
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory, in MiB.
    fn rss_mib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap();
        kib / 1024
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill").args([signal, &self.pid().to_string()]).status().unwrap();
        assert!(status.success());
    }

    fn assert_alive(&self) {
        let (status, body) = self.get("/healthz");
        assert_eq!(status, 200, "{body}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn reply(result: Result<ureq::Response, ureq::Error>) -> (u16, String) {
    // Read to the end whatever the size (`into_string` stops at 10 MB).
    let text = |response: ureq::Response| {
        let mut text = String::new();
        response.into_reader().read_to_string(&mut text).map(|_| text).unwrap_or_default()
    };
    match result {
        Ok(response) => (response.status(), text(response)),
        Err(ureq::Error::Status(status, response)) => (status, text(response)),
        Err(ureq::Error::Transport(_)) => (0, String::new()),
    }
}

/// Writes a raw request and reads the status line of the answer (`None`: the connection ended).
fn status_line(stream: &mut TcpStream) -> Option<String> {
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).ok()?;
    (!line.is_empty()).then_some(line)
}

/// POSTs `body` while reading the answer (as a client of `/v1/batch` must: the service answers
/// as it reads, and stops reading while its answer is not read); the status line and the body,
/// de-chunked.
fn post_streaming(port: u16, path: &str, content_type: &str, body: &str) -> (String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let writer = {
        let mut stream = stream.try_clone().unwrap();
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        thread::spawn(move || {
            let _ = stream.write_all(request.as_bytes());
        })
    };
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    writer.join().unwrap();
    let response = String::from_utf8(response).unwrap();
    let (head, mut rest) = response.split_once("\r\n\r\n").unwrap();
    let status = head.lines().next().unwrap_or_default().to_owned();
    if !head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        return (status, rest.to_owned());
    }
    let mut body = String::new();
    loop {
        let (size, after) = rest.split_once("\r\n").unwrap();
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            return (status, body);
        }
        body.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
}

/// Reads the answer's lines up to its first row (a line that starts with `{`).
fn first_row(reader: &mut BufReader<TcpStream>) -> String {
    loop {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the answer ended before its first row");
        if line.starts_with('{') {
            return line;
        }
    }
}

#[test]
fn every_route_answers_json_with_the_rule_set_named() {
    let server = Server::start("routes", None, &[]);
    let response = Server::agent()
        .post(&server.url("/v1/assess"))
        .set("Content-Type", "application/json")
        .set("x-request-id", "test-1")
        .send_string(&typical())
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("sopro-ruleset"), Some("khmao 2026.1"));
    assert!(response.header("sopro-ruleset-digest").is_some_and(|d| d.starts_with("sha256:")));
    assert_eq!(response.header("x-request-id"), Some("test-1"));
    let assessment: Value = serde_json::from_str(&response.into_string().unwrap()).unwrap();
    assert_eq!(assessment["ruleset"]["version"], "2026.1");
    assert!(assessment["level"]["id"].is_string());
    assert!(
        !assessment["criteria"][0]["reads"].as_array().unwrap().is_empty(),
        "full explanation by default"
    );

    let (status, brief) = server.post_json("/v1/assess?explain=brief", &typical());
    assert_eq!(status, 200);
    assert_eq!(brief["level"], assessment["level"]);
    assert!(brief["criteria"][0]["reads"].as_array().is_none_or(Vec::is_empty), "{}", brief["criteria"][0]);

    let (status, valid) = server.post_json("/v1/validate", &typical());
    assert_eq!((status, &valid["valid"]), (200, &Value::Bool(true)));
    let (status, invalid) = server.post_json("/v1/validate", r#"{"as_of": "2026-03-10", "members": 5}"#);
    assert_eq!((status, &invalid["valid"]), (200, &Value::Bool(false)));
    assert!(invalid["problems"].as_array().unwrap().iter().any(|p| p["path"] == "/members"), "{invalid}");

    let (status, relevance) = server.post_json("/v1/relevant", r#"{"as_of": "2026-12-10"}"#);
    assert_eq!(status, 200, "{relevance}");
    assert!(relevance["open"].is_array());
    let (status, whatif) =
        server.post_json("/v1/whatif?to=lower", &typical().replace("2026-03-10", "2026-12-10"));
    assert_eq!(status, 200, "{whatif}");
    assert_eq!(whatif["goal"]["goal"], "lower");
    let (status, unknown) = server.post_json("/v1/whatif?leave=no_such_thing", &typical());
    assert_eq!((status, &unknown["error"]["kind"]), (422, &Value::from("unknown_goal")));

    let (status, text) = server.get("/v1/rulesets");
    let rulesets: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(status, 200);
    let versions = rulesets["versions"].as_array().unwrap();
    assert!(versions
        .iter()
        .any(|v| v["version"] == "2026.3" && v["status"] == "published" && v["used"] == true));
    assert!(versions
        .iter()
        .any(|v| v["version"] == "2026.4" && v["status"] == "draft" && v["used"] == false));
    let (status, schema) = server.get("/v1/rulesets/khmao/2026.3/schema/answers");
    assert_eq!(status, 200);
    assert!(serde_json::from_str::<Value>(&schema).unwrap()["properties"]["members"].is_object());
    assert_eq!(server.get("/v1/rulesets/khmao/2026.3/schema/assessment").0, 200);
    let (status, questions) = server.get("/v1/rulesets/khmao/2026.3/questions");
    assert_eq!(status, 200);
    let questions: Value = serde_json::from_str(&questions).unwrap();
    assert!(questions.as_array().is_some_and(|q| q.iter().any(|q| q["id"] == "members")), "{questions}");
    let (status, missing) = server.get("/v1/rulesets/khmao/1999.1/questions");
    assert_eq!(status, 404);
    assert_eq!(serde_json::from_str::<Value>(&missing).unwrap()["error"]["kind"], "not_found");
    assert_eq!(server.get("/v1/rulesets/khmao/2026.3/schema/nothing").0, 400);

    let (status, openapi) = server.get("/v1/openapi.json");
    let openapi: Value = serde_json::from_str(&openapi).unwrap();
    assert_eq!((status, &openapi["openapi"]), (200, &Value::from("3.1.0")));
    for path in
        ["/v1/assess", "/v1/batch", "/v1/validate", "/v1/relevant", "/v1/whatif", "/readyz", "/metrics"]
    {
        assert!(openapi["paths"][path].is_object(), "{path} is not in the OpenAPI document");
    }
    // Every reference resolves within the document.
    let text = openapi.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &reference[..reference.find('"').unwrap()];
        assert!(openapi["components"]["schemas"][name].is_object(), "dangling $ref {name}");
    }

    assert_eq!(server.get("/healthz").0, 200);
    let (status, ready) = server.get("/readyz");
    let ready: Value = serde_json::from_str(&ready).unwrap();
    assert_eq!(
        (status, &ready["ready"], &ready["last_reload"]["ok"]),
        (200, &Value::Bool(true), &Value::Bool(true))
    );
    let (status, version) = server.get("/version");
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&version).unwrap()["api"], "v1");
    let (status, metrics) = server.get("/metrics");
    assert_eq!(status, 200);
    let level = assessment["level"]["id"].as_str().unwrap();
    assert!(metrics.contains(&format!("sopro_assessments_total{{level=\"{level}\"}} 2")), "{metrics}");
    assert!(
        metrics.contains("sopro_http_requests_total{route=\"/v1/assess\",status=\"200\"} 2"),
        "{metrics}"
    );
    assert!(metrics.contains("sopro_errors_total{kind=\"unknown_goal\"} 1"), "{metrics}");
    assert!(metrics.contains("sopro_http_request_duration_seconds_bucket"), "{metrics}");
    assert!(metrics.contains("sopro_ruleset{"), "{metrics}");
}

#[test]
fn bad_input_gets_the_error_that_fits() {
    let server = Server::start("bad-input", None, &[]);
    let cases: [(&str, &str, &str, u16, &str); 7] = [
        ("/v1/assess", "application/json", "{\"as_of\": ", 400, "bad_json"),
        ("/v1/assess", "application/json", "[1, 2", 400, "bad_json"),
        ("/v1/assess", "text/plain", "{}", 415, "unsupported_media_type"),
        (
            "/v1/assess",
            "application/json",
            r#"{"as_of": "2026-03-10", "members": "x"}"#,
            422,
            "invalid_answers",
        ),
        ("/v1/assess", "application/json", r#"{"as_of": "1990-01-01"}"#, 422, "no_version_in_force"),
        ("/v1/assess?explain=everything", "application/json", "{}", 400, "bad_request"),
        ("/v1/batch", "application/json", "{}\n", 415, "unsupported_media_type"),
    ];
    for (path, content_type, body, expected, kind) in cases {
        let (status, text) = server.post(path, content_type, body);
        let error: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path} {body}: {text}"));
        assert_eq!(
            (status, error["error"]["kind"].as_str()),
            (expected, Some(kind)),
            "{path} {body}: {text}"
        );
    }
    let (status, text) = reply(Server::agent().post(&server.url("/v1/assess")).send_string("{}"));
    assert_eq!(status, 415, "no content type: {text}");
    let response = Server::agent()
        .post(&server.url("/v1/assess"))
        .set("Content-Type", "application/json")
        .send_string(r#"{"as_of": "2026-03-10", "members": [{"id": 3}]}"#);
    let Err(ureq::Error::Status(422, response)) = response else { panic!("invalid answers are not 422") };
    assert_eq!(response.header("sopro-ruleset"), Some("khmao 2026.1"), "a refusal names the version");
    let invalid: Value = serde_json::from_str(&response.into_string().unwrap()).unwrap();
    assert!(invalid["error"]["problems"].as_array().is_some_and(|p| p.len() > 1), "every problem: {invalid}");
    let response = Server::agent().get(&server.url("/v1/assess")).call();
    let Err(ureq::Error::Status(405, response)) = response else { panic!("GET on a POST route is not 405") };
    assert_eq!(response.header("allow"), Some("POST"));
    assert_eq!(server.get("/no/such/route").0, 404);
    server.assert_alive();
}

#[test]
fn a_100_mb_body_is_refused_without_reading_it_and_memory_stays_bounded() {
    let server = Server::start("large", None, &[]);
    let before = server.rss_mib();
    // Declared: refused from the headers.
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let size = 100 << 20;
    write!(stream, "POST /v1/assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n").unwrap();
    let megabyte = vec![b' '; 1 << 20];
    for _ in 0..100 {
        if stream.write_all(&megabyte).is_err() {
            break; // The server closed the connection after answering: what it should do.
        }
    }
    let line = status_line(&mut stream).unwrap_or_default();
    assert!(line.starts_with("HTTP/1.1 413"), "{line}");
    // Not declared (chunked): refused once the limit is read.
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(stream, "POST /v1/assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").unwrap();
    for _ in 0..100 {
        if write!(stream, "{:x}\r\n", megabyte.len())
            .and_then(|()| stream.write_all(&megabyte))
            .and_then(|()| stream.write_all(b"\r\n"))
            .is_err()
        {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n");
    let line = status_line(&mut stream).unwrap_or_default();
    assert!(line.starts_with("HTTP/1.1 413"), "{line}");
    server.assert_alive();
    let after = server.rss_mib();
    assert!(after < before + 64, "resident memory grew from {before} to {after} MiB");
}

#[test]
fn a_client_that_sends_a_byte_a_second_is_cut_off_and_others_are_served() {
    let server = Server::start("slow", None, &["--header-timeout", "2", "--request-timeout", "3"]);
    // Headers a byte a second: the connection is closed after the header timeout.
    let mut slow = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    slow.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    let started = Instant::now();
    let request = b"POST /v1/assess HTTP/1.1\r\nHost: x\r\n";
    let mut closed = false;
    for byte in request.iter().cycle() {
        if slow.write_all(&[*byte]).is_err() {
            closed = true;
            break;
        }
        let mut buffer = [0u8; 256];
        match slow.read(&mut buffer) {
            Ok(0) => {
                closed = true;
                break;
            }
            Ok(_) => {} // An error response, then the close.
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut => {
            }
            Err(_) => {
                closed = true;
                break;
            }
        }
        // Others are served meanwhile.
        assert_eq!(server.post_json("/v1/assess?explain=brief", &typical()).0, 200);
        assert!(started.elapsed() < Duration::from_secs(20), "the slow client was not cut off");
        thread::sleep(Duration::from_millis(900));
    }
    assert!(closed);
    // A body a byte a second: the request's time limit answers it.
    let mut slow = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(slow, "POST /v1/assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n").unwrap();
    let writer = {
        let mut slow = slow.try_clone().unwrap();
        thread::spawn(move || {
            for _ in 0..10 {
                if slow.write_all(b" ").is_err() {
                    break;
                }
                thread::sleep(Duration::from_secs(1));
            }
        })
    };
    let line = status_line(&mut slow).unwrap_or_default();
    assert!(line.starts_with("HTTP/1.1 408"), "{line}");
    writer.join().unwrap();
    server.assert_alive();
}

#[test]
fn two_thousand_idle_connections_neither_block_others_nor_stay_open() {
    let server = Server::start("idle", None, &["--header-timeout", "3"]);
    // The test's own descriptors: 2 000 connections and some to spare.
    let limit = rlimit::increase_nofile_limit(8192).unwrap_or(0);
    assert!(limit >= 2100, "this test needs 2 100 open files; the hard limit here is {limit}");
    let idle: Vec<TcpStream> = (0..2000)
        .map(|_| TcpStream::connect(("127.0.0.1", server.port)).expect("an idle connection"))
        .collect();
    let (status, _) = server.post_json("/v1/assess", &typical());
    assert_eq!(status, 200, "a request while 2 000 connections are idle");
    // The server closes them after the header timeout (a read sees the end).
    let started = Instant::now();
    let mut closed = 0;
    for mut stream in idle {
        stream
            .set_read_timeout(Some(
                Duration::from_secs(20).saturating_sub(started.elapsed()).max(Duration::from_millis(10)),
            ))
            .unwrap();
        let mut buffer = [0u8; 64];
        if matches!(stream.read(&mut buffer), Ok(0) | Err(_)) && started.elapsed() < Duration::from_secs(20) {
            closed += 1;
        }
    }
    assert_eq!(closed, 2000, "idle connections still open after 20 s");
    server.assert_alive();
}

/// A registry of `n` families drawn from the questions (deterministic), as JSON Lines.
fn registry(n: usize) -> String {
    let library =
        sopro_cli::files::load_library(&root().join("rules/khmao"), sopro_engine::Drafts::Refused).unwrap();
    let families: Vec<String> = library.generator(None).families(n, 11).map(|f| f.to_string()).collect();
    families.join("\n") + "\n"
}

#[test]
fn a_batch_over_http_gives_the_rows_of_sopro_batch_and_survives_a_client_that_leaves() {
    let scratch = Scratch::new("batch-files");
    let mut lines = registry(3000);
    lines.push_str(&format!("{{\"as_of\": \"2026-03-10\", \"note\": \"{NAME}\"\n"));
    lines.push_str("\n[]\n");
    let input = scratch.0.join("registry.jsonl");
    std::fs::write(&input, &lines).unwrap();
    let output = scratch.0.join("assessed.jsonl");
    let status = Command::new(env!("CARGO_BIN_EXE_sopro"))
        .args(["batch", "--rules"])
        .arg(root().join("rules/khmao"))
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let expected = std::fs::read_to_string(&output).unwrap();

    let server = Server::start("batch", None, &[]);
    let (status, rows) = post_streaming(server.port, "/v1/batch", "application/x-ndjson", &lines);
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    assert_eq!(rows.lines().count(), 3003, "one row per record");
    assert!(rows == expected, "the rows differ from sopro batch's");
    assert!(!rows.contains(NAME));

    // A client that sends a large batch, reads a little and goes away.
    let before = server.rss_mib();
    let big = registry(20_000);
    for _ in 0..3 {
        let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        write!(stream, "POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\n\r\n", big.len()).unwrap();
        // The body is written beside the reading: the server answers as it reads, and holds
        // back its reading while the answer is not read (back-pressure).
        let writer = {
            let (mut stream, half) = (stream.try_clone().unwrap(), big.as_bytes()[..big.len() / 2].to_vec());
            thread::spawn(move || {
                let _ = stream.write_all(&half);
            })
        };
        let mut some = vec![0u8; 64 << 10];
        let read = stream.read(&mut some).unwrap();
        assert!(read > 0 && some.starts_with(b"HTTP/1.1 200"));
        stream.shutdown(std::net::Shutdown::Both).unwrap();
        writer.join().unwrap();
    }
    let started = Instant::now();
    // Seen as the client gone, or as its body broken off, whichever comes first.
    while !server.log_text().contains("batch stopped") {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no batch noticed its client leave: {}",
            server.log_text()
        );
        thread::sleep(Duration::from_millis(100));
    }
    let (status, rows) = post_streaming(server.port, "/v1/batch", "application/x-ndjson", &lines);
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    assert!(rows == expected, "a batch after clients left differs");
    let after = server.rss_mib();
    assert!(after < before + 128, "resident memory grew from {before} to {after} MiB");
}

/// A copy of a published version, to edit.
fn copy_version(to: &Path) {
    let from = root().join("rules/khmao/2026.3");
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn a_reload_under_load_keeps_serving_and_a_broken_edit_keeps_the_last_good_rules() {
    let rules = Scratch::new("reload-rules");
    let version = rules.0.join("2026.3");
    copy_version(&version);
    let server = Server::start("reload", Some(&version), &[]);
    let digest = |server: &Server| {
        server.post_json("/v1/assess?explain=brief", &typical()).1["ruleset"]["digest"].clone()
    };
    let first = digest(&server);
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let load: Vec<_> = (0..4)
        .map(|_| {
            let (stop, done, url, body) =
                (stop.clone(), done.clone(), server.url("/v1/assess?explain=brief"), typical());
            thread::spawn(move || {
                let agent = Server::agent();
                while !stop.load(Ordering::Relaxed) {
                    let (status, text) =
                        reply(agent.post(&url).set("Content-Type", "application/json").send_string(&body));
                    assert_eq!(status, 200, "{text}");
                    let assessment: Value = serde_json::from_str(&text).expect("a well-formed assessment");
                    assert!(assessment["level"]["id"].is_string());
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    // A broken edit: reported, the last good rules serve on.
    let manifest = version.join("ruleset.yaml");
    let good = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, format!("{good}\nthis is: [not yaml\n")).unwrap();
    server.signal("-HUP");
    let ready = wait_for_reload(&server, false);
    assert!(ready["last_reload"]["error"].as_str().is_some_and(|e| e.contains("ruleset.yaml")), "{ready}");
    assert_eq!(digest(&server), first);
    // A batch in flight across the next reload: its records come slowly.
    let families = registry(10);
    let mut batch = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    batch.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(batch, "POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", families.len()).unwrap();
    let lines: Vec<&str> = families.lines().collect();
    batch.write_all(format!("{}\n", lines[0]).as_bytes()).unwrap();
    // Its first row is back: the batch holds its rules.
    let mut answer = BufReader::new(batch.try_clone().unwrap());
    let first_batch_row = first_row(&mut answer);
    // A good edit: served from then on.
    std::fs::write(&manifest, format!("{good}\n# edited\n")).unwrap();
    server.signal("-HUP");
    wait_for_reload(&server, true);
    let second = digest(&server);
    assert_ne!(second, first);
    // The batch began before the reload: it finishes on the rules it began with.
    for line in &lines[1..] {
        batch.write_all(format!("{line}\n").as_bytes()).unwrap();
    }
    let mut response = first_batch_row;
    answer.read_to_string(&mut response).unwrap();
    let rows: Vec<Value> =
        response.lines().filter(|l| l.starts_with('{')).map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 10, "{response}");
    assert!(rows.iter().all(|r| r["assessment"]["ruleset"]["digest"] == first), "{response}");
    stop.store(true, Ordering::Relaxed);
    for thread in load {
        thread.join().expect("every response during the reloads was well-formed");
    }
    assert!(done.load(Ordering::Relaxed) > 10);
    let log = server.log_text();
    assert!(log.contains("the rules were not reloaded"), "{log}");
}

/// Waits for the reload after a SIGHUP to end as `ok`; the `/readyz` that says so.
fn wait_for_reload(server: &Server, ok: bool) -> Value {
    let started = Instant::now();
    loop {
        let (status, text) = server.get("/readyz");
        assert_eq!(status, 200);
        let ready: Value = serde_json::from_str(&text).unwrap();
        let reloads = server.get("/metrics").1;
        let counted = if ok {
            "sopro_reloads_total{result=\"ok\"} 2"
        } else {
            "sopro_reloads_total{result=\"failed\"} 1"
        };
        if reloads.contains(counted) && ready["last_reload"]["ok"] == ok {
            return ready;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no reload: {text}");
        thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn sigterm_under_load_finishes_the_requests_in_flight_and_exits_cleanly() {
    let mut server = Server::start("sigterm", None, &["--grace", "20"]);
    // A batch in flight: its records come slowly, over the SIGTERM.
    let mut batch = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    batch.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let families = registry(20);
    write!(batch, "POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", families.len()).unwrap();
    let lines: Vec<&str> = families.lines().collect();
    batch.write_all(format!("{}\n", lines[0]).as_bytes()).unwrap();
    // Load from other clients.
    let stop = Arc::new(AtomicBool::new(false));
    let load: Vec<_> = (0..4)
        .map(|_| {
            let (stop, url, body) = (stop.clone(), server.url("/v1/assess?explain=brief"), typical());
            thread::spawn(move || {
                let agent = Server::agent();
                let mut ok = 0;
                while !stop.load(Ordering::Relaxed) {
                    match reply(agent.post(&url).set("Content-Type", "application/json").send_string(&body)) {
                        (0, _) => thread::sleep(Duration::from_millis(5)), // refused once stopped
                        (200, text) => {
                            serde_json::from_str::<Value>(&text).expect("a well-formed assessment");
                            ok += 1;
                        }
                        (status, text) => panic!("{status}: {text}"),
                    }
                }
                ok
            })
        })
        .collect();
    // Its first row is back: the batch is in flight.
    let mut answer = BufReader::new(batch.try_clone().unwrap());
    let first = first_row(&mut answer);
    thread::sleep(Duration::from_millis(200));
    server.signal("-TERM");
    // The batch goes on to its end.
    for line in &lines[1..] {
        thread::sleep(Duration::from_millis(50));
        batch.write_all(format!("{line}\n").as_bytes()).unwrap();
    }
    let mut response = first;
    answer.read_to_string(&mut response).unwrap();
    let rows = response.lines().filter(|l| l.starts_with("{\"record\"")).count();
    assert_eq!(rows, 20, "{response}");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the server did not stop after SIGTERM");
        thread::sleep(Duration::from_millis(50));
    };
    stop.store(true, Ordering::Relaxed);
    let served: usize =
        load.into_iter().map(|t| t.join().expect("every completed response well-formed")).sum();
    assert!(served > 0);
    assert!(status.success(), "exit {status}");
    assert!(server.log_text().contains("SIGTERM"));
}

#[test]
fn the_log_holds_no_answer_value_and_the_case_id_only_when_asked() {
    let case_id = "ДЕЛО-777-ПРОВЕРКА";
    let planted = typical().replace("86-2026-000123", case_id).replace("\"m1\"", &format!("\"{NAME}\""));
    let broken = format!(r#"{{"as_of": "2026-03-10", "members": [{{"id": "m1", "role": "{NAME}"}}]}}"#);
    let not_json = format!(r#"{{"as_of": "2026-03-10", "note": "{NAME}""#);
    for (ask, flags) in [(false, &[][..]), (true, &["--log-case-id"][..])] {
        let server = Server::start(if ask { "log-case" } else { "log" }, None, flags);
        assert_eq!(server.post_json("/v1/assess", &planted).0, 200);
        assert_eq!(server.post_json("/v1/validate", &broken).0, 200);
        assert_eq!(server.post_json("/v1/assess", &broken).0, 422);
        assert_eq!(server.post("/v1/assess", "application/json", &not_json).0, 400);
        assert_eq!(server.post_json("/v1/relevant", &planted).0, 200);
        let batch = format!("{}\n{broken}\n{not_json}\n", planted.replace('\n', " "));
        let (status, rows) = server.post("/v1/batch", "application/x-ndjson", &batch);
        assert_eq!((status, rows.lines().count()), (200, 3));
        // Some error rows carry the case id (as `sopro batch`'s do), never an answer's value.
        assert!(!rows.contains(NAME) || rows.lines().all(|r| !r.contains("\"error\"") || !r.contains(NAME)));
        let log = server.log_text();
        assert!(log.lines().count() >= 6, "{log}");
        assert!(!log.contains(NAME), "an answer's value in the log: {log}");
        assert_eq!(log.contains(case_id), ask, "the case id is logged only with --log-case-id: {log}");
        for line in log.lines() {
            serde_json::from_str::<Value>(line)
                .unwrap_or_else(|_| panic!("a log line that is not JSON: {line}"));
        }
    }
}

#[test]
fn a_token_is_required_where_configured_and_probes_stay_open() {
    let scratch = Scratch::new("token-file");
    let token_file = scratch.0.join("token");
    std::fs::write(&token_file, "s3cret-token\n").unwrap();
    let server = Server::start("token", None, &["--token-file", token_file.to_str().unwrap()]);
    assert_eq!(server.get("/healthz").0, 200);
    let response = Server::agent().get(&server.url("/v1/rulesets")).call();
    let Err(ureq::Error::Status(401, response)) = response else { panic!("no 401 without a token") };
    assert_eq!(response.header("www-authenticate"), Some("Bearer"));
    let (status, _) =
        reply(Server::agent().get(&server.url("/v1/rulesets")).set("Authorization", "Bearer wrong").call());
    assert_eq!(status, 401);
    let (status, _) = reply(
        Server::agent().get(&server.url("/v1/rulesets")).set("Authorization", "Bearer s3cret-token").call(),
    );
    assert_eq!(status, 200);
    assert_eq!(server.get("/metrics").0, 401);
}

#[test]
fn more_requests_than_the_limit_get_503_at_once() {
    let server = Server::start("overload", None, &["--max-requests", "1"]);
    // One request holds the only place: its body comes slowly.
    let mut holder = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    write!(holder, "POST /v1/assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{").unwrap();
    // Wait until it is being handled: in flight, with the metrics request that asks.
    let started = Instant::now();
    while !server.get("/metrics").1.contains("sopro_http_requests_in_flight 2") {
        assert!(started.elapsed() < Duration::from_secs(20), "the holding request is not in flight");
        thread::sleep(Duration::from_millis(20));
    }
    let (status, overloaded) = server.post("/v1/assess", "application/json", &typical());
    assert_eq!(status, 503);
    assert_eq!(serde_json::from_str::<Value>(&overloaded).unwrap()["error"]["kind"], "overloaded");
    // Probes answer all the same.
    assert_eq!(server.get("/readyz").0, 200);
    drop(holder);
    let started = Instant::now();
    while server.post_json("/v1/assess", &typical()).0 != 200 {
        assert!(started.elapsed() < Duration::from_secs(20), "the limit was not released");
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn with_watch_an_edit_is_served_without_a_signal() {
    let rules = Scratch::new("watch-rules");
    let version = rules.0.join("2026.3");
    copy_version(&version);
    let server = Server::start("watch", Some(&version), &["--watch"]);
    let digest = || server.post_json("/v1/assess?explain=brief", &typical()).1["ruleset"]["digest"].clone();
    let first = digest();
    let manifest = version.join("ruleset.yaml");
    let good = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, format!("{good}\n# edited\n")).unwrap();
    let started = Instant::now();
    while digest() == first {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the edit was not loaded: {}",
            server.log_text()
        );
        thread::sleep(Duration::from_millis(200));
    }
    assert!(server.log_text().contains("the rule folder changed"));
}

#[test]
fn a_batch_holds_its_place_until_its_last_row() {
    let server = Server::start("batch-limit", None, &["--max-batches", "1"]);
    let families = registry(2);
    let lines: Vec<&str> = families.lines().collect();
    let mut batch = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    batch.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(batch, "POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}\n", families.len(), lines[0]).unwrap();
    let mut answer = BufReader::new(batch.try_clone().unwrap());
    let first = first_row(&mut answer);
    // Its head and first row are written; it still streams: a second batch is refused.
    let (status, text) = server.post("/v1/batch", "application/x-ndjson", &format!("{}\n", lines[1]));
    assert_eq!(status, 503, "{text}");
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["error"]["kind"], "overloaded");
    batch.write_all(format!("{}\n", lines[1]).as_bytes()).unwrap();
    let mut rest = String::new();
    answer.read_to_string(&mut rest).unwrap();
    assert_eq!(format!("{first}{rest}").lines().filter(|l| l.starts_with('{')).count(), 2);
    // Once it has ended, the next batch runs.
    let started = Instant::now();
    while server.post("/v1/batch", "application/x-ndjson", &format!("{}\n", lines[1])).0 != 200 {
        assert!(started.elapsed() < Duration::from_secs(20), "the batch's place was not released");
        thread::sleep(Duration::from_millis(20));
    }
}
