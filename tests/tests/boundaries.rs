//! The engine's architecture invariant — no file system, network, environment, processes,
//! console or clock — is enforced by clippy in every module of the crate (`engine/clippy.toml`,
//! denied in `engine/Cargo.toml`; `scripts/test.sh` runs clippy). These tests prove the
//! enforcement works: a crate with the engine's lint settings and a violation deep in a
//! sub-module fails clippy, naming each call, and passes once the violations are gone.

use std::path::{Path, PathBuf};
use std::process::Command;

use sopro_tests::root;

/// The engine's `[lints.clippy]` section, as written in its manifest.
fn engine_clippy_lints() -> String {
    let manifest = std::fs::read_to_string(root().join("engine/Cargo.toml")).unwrap();
    let section = manifest.split("[lints.clippy]").nth(1).expect("engine/Cargo.toml has [lints.clippy]");
    section.split("\n[").next().unwrap_or_default().to_owned()
}

#[test]
fn the_engine_denies_unwrap_expect_panic_and_the_disallowed_calls() {
    let lints = engine_clippy_lints();
    for lint in [
        "unwrap_used = \"deny\"",
        "expect_used = \"deny\"",
        "panic = \"deny\"",
        "disallowed_methods = \"deny\"",
        "disallowed_types = \"deny\"",
        "disallowed_macros = \"deny\"",
    ] {
        assert!(lints.contains(lint), "engine/Cargo.toml's [lints.clippy] lacks `{lint}`");
    }
}

/// A crate laid out like the engine, with its clippy settings, whose sub-module
/// `deep/inner.rs` holds `body`.
fn fixture(dir: &Path, body: &str) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("src/deep")).unwrap();
    let manifest = format!(
        "[package]\nname = \"engine-boundary-fixture\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n\n[lints.clippy]{}",
        engine_clippy_lints()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(root().join("engine/clippy.toml"), dir.join("clippy.toml")).unwrap();
    std::fs::write(dir.join("src/lib.rs"), "//! Fixture.\npub mod deep;\n").unwrap();
    std::fs::write(dir.join("src/deep/mod.rs"), "//! Fixture.\npub mod inner;\n").unwrap();
    std::fs::write(dir.join("src/deep/inner.rs"), format!("//! Fixture.\n{body}\n")).unwrap();
}

/// Runs clippy on the fixture; its exit status and what it printed.
fn clippy(dir: &Path) -> (bool, String) {
    let cargo = std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from);
    let output = Command::new(cargo)
        .args(["clippy", "--quiet", "--offline"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        .env_remove("CLIPPY_CONF_DIR")
        .output()
        .expect("cargo runs");
    let printed = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        !printed.contains("no such command") && !printed.contains("not installed"),
        "clippy is needed (rustup component add clippy): {printed}"
    );
    (output.status.success(), printed)
}

#[test]
fn io_or_the_clock_in_a_sub_module_of_the_engine_fails_clippy() {
    let dir = std::env::temp_dir().join(format!("sopro-boundary-{}", std::process::id()));
    let violations = [
        ("std::fs::read", "pub fn a() -> usize { std::fs::read(\"rules.yaml\").map_or(0, |b| b.len()) }"),
        ("std::fs::File", "pub fn b() -> bool { std::fs::File::open(\"x\").is_ok() }"),
        ("std::time::Instant::now", "pub fn c() -> std::time::Instant { std::time::Instant::now() }"),
        (
            "std::time::SystemTime::now",
            "pub fn d() -> bool { std::time::SystemTime::now().elapsed().is_ok() }",
        ),
        ("std::env::var", "pub fn e() -> bool { std::env::var(\"HOME\").is_ok() }"),
        (
            "std::net::TcpStream",
            "pub fn f() -> bool { std::net::TcpStream::connect(\"127.0.0.1:1\").is_ok() }",
        ),
        (
            "std::process::Command",
            "pub fn g() -> bool { std::process::Command::new(\"ls\").status().is_ok() }",
        ),
        ("std::println", "pub fn h() { println!(\"a family\"); }"),
    ];
    let body: Vec<&str> = violations.iter().map(|(_, code)| *code).collect();
    fixture(&dir, &body.join("\n"));
    let (passed, printed) = clippy(&dir);
    assert!(!passed, "clippy accepted I/O and the clock in a sub-module:\n{printed}");
    for (path, _) in violations {
        assert!(printed.contains(path), "clippy did not name `{path}`:\n{printed}");
    }

    // The same crate without the violations passes: the failure above is theirs.
    fixture(&dir, "pub fn pure(a: i64) -> i64 { a + 1 }");
    let (passed, printed) = clippy(&dir);
    assert!(passed, "the clean fixture failed clippy:\n{printed}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The engine's stages depend on one another one way (`format` ← `load` ← `compile` →
/// `compiled` ← `run` ← `tools` ← `api`): no import circle between its top modules, and no
/// source file over 600 lines. Read from the source, since that is what it is about.
#[test]
fn the_engine_has_no_import_circle_and_no_file_over_600_lines() {
    let src = root().join("engine/src");
    let mut files = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 25, "engine sources not found");
    let mut uses: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> = Default::default();
    let mut long = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        if text.lines().count() > 600 {
            long.push(format!("{} ({} lines)", file.display(), text.lines().count()));
        }
        let relative = file.strip_prefix(&src).unwrap();
        let module = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        let production = text.split("#[cfg(test)]").next().unwrap_or_default();
        for part in production.split("crate::").skip(1) {
            let used: String = part.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
            if !used.is_empty() && used != module {
                uses.entry(module.clone()).or_default().insert(used);
            }
        }
        uses.entry(module).or_default();
    }
    assert!(long.is_empty(), "engine files over 600 lines: {long:?}");
    // A module that reaches itself through the modules it uses closes a circle.
    for start in uses.keys() {
        let mut seen = std::collections::BTreeSet::new();
        let mut frontier: Vec<&String> = uses[start].iter().collect();
        while let Some(next) = frontier.pop() {
            assert!(next != start, "import circle through `{start}`: {uses:#?}");
            if seen.insert(next.clone()) {
                frontier.extend(uses.get(next).into_iter().flatten());
            }
        }
    }
    assert!(uses.len() >= 8, "engine modules not found: {uses:?}");
}
