//! A registry with faults injected at random — garbage lines, invalid UTF-8, names in broken
//! records, a truncated last line, an interruption at a random byte followed by `--resume` —
//! yields exactly one output line per record, in order, with no answer value in an error row,
//! and the same bytes as a run nothing interrupted.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use sopro_engine::RuleLibrary;

fn library() -> &'static RuleLibrary {
    static LIBRARY: OnceLock<RuleLibrary> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        sopro_cli::files::load_library(
            &sopro_tests::root().join("rules/khmao"),
            sopro_engine::Drafts::Refused,
        )
        .unwrap()
    })
}

/// A fault put in place of a record.
#[derive(Debug, Clone)]
enum Fault {
    Garbage(Vec<u8>),
    NameInBrokenJson,
    NameInInvalidAnswers,
    InvalidUtf8,
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        prop::collection::vec(any::<u8>().prop_filter("one line", |b| *b != b'\n'), 0..40)
            .prop_map(Fault::Garbage),
        Just(Fault::NameInBrokenJson),
        Just(Fault::NameInInvalidAnswers),
        Just(Fault::InvalidUtf8),
    ]
}

const NAME: &str = "Секретова";

fn faulty_line(fault: &Fault) -> Vec<u8> {
    match fault {
        Fault::Garbage(bytes) => bytes.clone(),
        Fault::NameInBrokenJson => format!("{{\"as_of\": \"2026-03-10\", \"note\": \"{NAME}\"").into_bytes(),
        Fault::NameInInvalidAnswers => {
            format!("{{\"as_of\": \"2026-03-10\", \"members\": [{{\"id\": \"m1\", \"role\": \"{NAME}\"}}]}}")
                .into_bytes()
        }
        Fault::InvalidUtf8 => vec![0xff, 0xfe, b'{', 0xc3],
    }
}

/// The error kinds a fault may give (`*`: any error).
fn error_kinds(fault: &Fault) -> &'static [&'static str] {
    match fault {
        Fault::Garbage(_) => &["*"],
        Fault::NameInBrokenJson => &["bad_json"],
        Fault::NameInInvalidAnswers => &["invalid_answers"],
        Fault::InvalidUtf8 => &["bad_utf8"],
    }
}

fn scratch() -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("sopro-faults-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(input: &Path, output: &Path, resume: bool) -> u64 {
    sopro_cli::batch::run(library(), input, output, resume).unwrap().records
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_record_is_accounted_for_once_under_faults(
        seed in any::<u64>(),
        faults in prop::collection::vec((any::<prop::sample::Index>(), fault()), 0..8),
        truncated_tail in prop::option::of(1..60usize),
        cut in any::<prop::sample::Index>(),
        csv in any::<bool>(),
    ) {
        let mut lines: Vec<Vec<u8>> =
            sopro_tests::khmao_registry(40, seed).iter().map(|f| f.to_string().into_bytes()).collect();
        for (at, fault) in &faults {
            let i = at.index(lines.len());
            lines[i] = faulty_line(fault);
        }
        let mut bytes = lines.join(&b'\n');
        bytes.push(b'\n');
        let mut records = lines.len();
        if let Some(keep) = truncated_tail {
            let last = format!("{{\"as_of\": \"2026-03-10\", \"note\": \"{NAME}\", \"members\": []}}");
            bytes.extend_from_slice(&last.as_bytes()[..keep.min(last.len() - 1)]);
            records += 1;
        }
        let dir = scratch();
        let input = dir.join("registry.jsonl");
        std::fs::write(&input, &bytes).unwrap();
        let output = dir.join(if csv { "out.csv" } else { "out.jsonl" });

        prop_assert_eq!(run(&input, &output, false), records as u64);
        let clean = std::fs::read(&output).unwrap();
        let text = String::from_utf8(clean.clone()).unwrap();
        let rows: Vec<&str> = text.lines().skip(usize::from(csv)).collect();
        let header: Vec<&str> = if csv { text.lines().next().unwrap().split(',').collect() } else { Vec::new() };
        let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
        prop_assert_eq!(rows.len(), records, "one line per record");
        // What each record must give: an assessment, or an error of the kind its fault makes.
        let mut expected: Vec<&[&str]> = vec![&[]; records];
        for (at, fault) in &faults {
            expected[at.index(lines.len())] = error_kinds(fault);
        }
        if truncated_tail.is_some() {
            // Cut at a byte, possibly inside a letter of the name.
            expected[records - 1] = &["bad_json", "bad_utf8"];
        }
        for (i, row) in rows.iter().enumerate() {
            let (number, level, error) = if csv {
                let cells: Vec<&str> = row.split(',').collect();
                let error = cells.get(column("error")).copied().unwrap_or_default();
                (cells[0].parse::<usize>().unwrap(), cells[column("level")].to_owned(), error.to_owned())
            } else {
                let row = serde_json::from_str::<serde_json::Value>(row).unwrap();
                let level = row["assessment"]["level"]["id"].as_str().unwrap_or_default().to_owned();
                let error = row["error"]["kind"].as_str().unwrap_or_default().to_owned();
                (row["record"].as_u64().unwrap() as usize, level, error)
            };
            prop_assert_eq!(number, i + 1, "in input order");
            match expected[i] {
                [] => prop_assert!(!level.is_empty() && error.is_empty(), "record {} was not assessed: {}", i + 1, error),
                ["*"] => prop_assert!(level.is_empty() && !error.is_empty(), "garbage at record {} was assessed", i + 1),
                kinds => prop_assert!(kinds.contains(&error.as_str()), "record {}: error {:?}, not one of {:?}", i + 1, error, kinds),
            }
        }
        prop_assert!(!text.contains(NAME), "an answer value leaked");

        // Interrupted at a random byte of the output, then resumed: the same bytes.
        let at = cut.index(clean.len());
        std::fs::write(&output, &clean[..at]).unwrap();
        run(&input, &output, true);
        prop_assert!(std::fs::read(&output).unwrap() == clean, "resumed output differs");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
