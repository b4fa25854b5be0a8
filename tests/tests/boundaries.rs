//! The engine's architecture invariant, checked on its source: no file system, clock, network,
//! environment, processes or printing outside tests (the lints forbid `unwrap`, `expect` and
//! `panic!`; see engine/Cargo.toml).

use sopro_tests::root;

const FORBIDDEN: [&str; 12] = [
    "std::fs",
    "std::net",
    "std::env",
    "std::process",
    "SystemTime",
    "Instant::now",
    "Zoned::now",
    "Timestamp::now",
    "println!",
    "eprintln!",
    "std::io::stdin",
    "std::thread::sleep",
];

#[test]
fn the_engine_does_no_io_and_never_reads_the_clock() {
    let dir = root().join("engine/src");
    let mut offences = Vec::new();
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        // Unit tests at the end of a module may time things; production code may not.
        let production = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (number, line) in production.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for word in FORBIDDEN {
                if code.contains(word) {
                    offences.push(format!("{}:{}: {word}", path.display(), number + 1));
                }
            }
        }
    }
    assert!(files > 10, "engine sources not found in {}", dir.display());
    assert!(offences.is_empty(), "the engine must not do I/O or read the clock:\n{}", offences.join("\n"));
}

#[test]
fn the_engine_denies_unwrap_expect_and_panic() {
    let manifest = std::fs::read_to_string(root().join("engine/Cargo.toml")).unwrap();
    for lint in ["unwrap_used = \"deny\"", "expect_used = \"deny\"", "panic = \"deny\""] {
        assert!(manifest.contains(lint), "engine/Cargo.toml lacks `{lint}`");
    }
}
