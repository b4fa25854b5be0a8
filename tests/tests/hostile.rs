//! Rule files written to hurt the engine (`tests/hostile/`, expectations in its `cases.yaml`):
//! each is refused by the check or stopped at assessment with a diagnostic naming the rule,
//! within 100 ms, and without the heap growing by more than 64 MB.

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use peak_alloc::PeakAlloc;
use serde::Deserialize;
use serde_json::json;
use sopro_engine::{AssessError, MemorySource, RuleSet, MAX_RULE_FILE_SIZE};
use sopro_tests::{khmao_source, root};

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

/// The heap's peak is process-wide: cases are measured one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const TIME_BOUND: Duration = Duration::from_millis(100);
const MEMORY_BOUND: usize = 64 * 1024 * 1024;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    case: String,
    stage: Stage,
    /// `check`: the file the diagnostic is in, and its code.
    file: Option<String>,
    code: Option<String>,
    /// `assess`: the rule named (or the start of its name), and a part of the message.
    rule: Option<String>,
    says: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Stage {
    Check,
    Assess,
}

/// How a rule set ended: refused (diagnostics) or stopped (the failed rule), or not at all.
#[derive(Debug)]
enum Ending {
    Refused(Vec<sopro_engine::Diagnostic>),
    Stopped { rule: String, message: String },
    NotStopped,
}

/// Runs `work`, and fails if it takes longer than the time bound, or if the heap's peak or the
/// process's peak resident memory grows more than the memory bound above what was in use
/// before it.
fn within_bounds<T>(what: &str, work: impl FnOnce() -> T) -> T {
    let baseline = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let resident = resident_kb("VmRSS:");
    reset_peak_resident();
    let started = Instant::now();
    let result = work();
    let took = started.elapsed();
    let grew = HEAP.peak_usage().saturating_sub(baseline);
    assert!(took < TIME_BOUND, "{what}: took {took:?}");
    assert!(grew < MEMORY_BOUND, "{what}: the heap grew by {} MB", grew / 1024 / 1024);
    if let (Some(before), Some(peak)) = (resident, resident_kb("VmHWM:")) {
        let grew = peak.saturating_sub(before) * 1024;
        assert!(grew < MEMORY_BOUND, "{what}: the process grew by {} MB", grew / 1024 / 1024);
    }
    result
}

/// A line of `/proc/self/status` in kB (Linux; `None` elsewhere).
fn resident_kb(key: &str) -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line[key.len()..].trim().trim_end_matches("kB").trim().parse().ok()
}

/// Resets the peak resident size (`VmHWM`) to the current one (Linux: `/proc/self/clear_refs`).
fn reset_peak_resident() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn load_and_assess(source: &MemorySource) -> Ending {
    let loaded = RuleSet::load(source);
    let Some(rules) = loaded.ruleset else { return Ending::Refused(loaded.diagnostics) };
    let family = json!({"as_of": "2026-03-10", "members": [
        {"id": "m1", "role": "mother", "birth_date": "1990-01-01", "monthly_income": 30000},
        {"id": "m2", "role": "child", "birth_date": "2015-05-05"}
    ]});
    match rules.assess(&family) {
        Err(AssessError::RuleFailed { rule, message, .. }) => Ending::Stopped { rule, message },
        _ => Ending::NotStopped,
    }
}

/// The default rule set with the files of a hostile case laid over it.
fn overlay(case: &str) -> MemorySource {
    let mut source = khmao_source();
    add_files(&mut source, &root().join("tests/hostile").join(case), "");
    source
}

fn add_files(source: &mut MemorySource, dir: &Path, prefix: &str) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let name = format!("{prefix}{}", path.file_name().unwrap().to_str().unwrap());
        if path.is_dir() {
            add_files(source, &path, &format!("{name}/"));
        } else {
            source.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
}

#[test]
fn every_hostile_rule_set_is_refused_or_stopped_within_bounds() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let text = std::fs::read_to_string(root().join("tests/hostile/cases.yaml")).unwrap();
    let cases: Vec<Case> = serde_yaml::from_str(&text).unwrap();
    let folders = std::fs::read_dir(root().join("tests/hostile")).unwrap().flatten();
    let folders = folders.filter(|e| e.path().is_dir()).count();
    assert_eq!(cases.len(), folders, "every folder in tests/hostile has its line in cases.yaml");
    for case in &cases {
        let source = overlay(&case.case);
        let ending = within_bounds(&case.case, || load_and_assess(&source));
        match (&case.stage, ending) {
            (Stage::Check, Ending::Refused(diagnostics)) => {
                let code = case.code.as_deref().unwrap();
                let file = case.file.as_deref().unwrap();
                assert!(
                    diagnostics.iter().any(|d| d.code == code && d.file == file && !d.message.is_empty()),
                    "{}: no {code} in {file}: {diagnostics:#?}",
                    case.case
                );
            }
            (Stage::Assess, Ending::Stopped { rule, message }) => {
                let expected = case.rule.as_deref().unwrap();
                assert!(rule.starts_with(expected), "{}: stopped at {rule}, not {expected}", case.case);
                let says = case.says.as_deref().unwrap();
                assert!(message.contains(says), "{}: `{message}` does not say `{says}`", case.case);
            }
            (_, ending) => panic!("{}: expected to end at {:?}, got {ending:?}", case.case, case.stage),
        }
    }
}

/// A 50 MB rule file: the engine refuses it unparsed, and the CLI refuses it unread.
#[test]
fn a_50_mb_rule_file_is_refused_before_it_is_parsed_or_read() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let huge = "# padding\n".repeat(5 * 1024 * 1024);
    assert!(huge.len() > 50_000_000 && huge.len() > MAX_RULE_FILE_SIZE);

    let mut source = khmao_source();
    source.insert("huge.yaml", huge.clone());
    let Ending::Refused(diagnostics) = within_bounds("50 MB file, engine", || load_and_assess(&source))
    else {
        panic!("a 50 MB file was accepted")
    };
    assert!(diagnostics.iter().any(|d| d.code == "rules::file-too-large" && d.file == "huge.yaml"));

    let folder = std::env::temp_dir().join(format!("sopro-hostile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    for file in ["ruleset.yaml", "criteria.yaml"] {
        std::fs::copy(root().join("rules/khmao/2026.1").join(file), folder.join(file)).unwrap();
    }
    std::fs::write(folder.join("huge.yaml"), &huge).unwrap();
    drop(huge);
    let read = within_bounds("50 MB file, CLI", || sopro_cli::files::read_rules(&folder));
    std::fs::remove_dir_all(&folder).unwrap();
    let error = read.expect_err("the CLI read a 50 MB rule file");
    assert!(error.contains("huge.yaml") && error.contains("at most"), "{error}");
}

/// The largest rule file allowed, packed with criteria (about 2 000): valid, so it loads, but
/// checking it stays within the bounds — no step of loading is quadratic in the number of rules.
#[test]
fn the_largest_rule_file_allowed_loads_within_bounds() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut text = String::from("criteria:\n");
    for i in 0.. {
        let item = format!(
            "  - {{id: many_{i}, label: {{ru: Т, en: T}}, severity: low, when: 'household_size > {i}', basis: [{{act: т, status: inferred}}]}}\n"
        );
        if text.len() + item.len() > MAX_RULE_FILE_SIZE {
            break;
        }
        text.push_str(&item);
    }
    let mut source = khmao_source();
    source.insert("many.yaml", text);
    let loaded = within_bounds("the largest rule file", || RuleSet::load(&source));
    assert!(loaded.ruleset.is_some(), "{:#?}", loaded.diagnostics.first());
}
