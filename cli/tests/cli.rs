//! The `sopro` binary as a user runs it: outputs, exit codes, messages.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn sopro(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sopro"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const RULES: &str = "rules/khmao/2026.1";

/// An empty scratch folder for one test (removed by the test when it passes).
fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sopro-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn assess_prints_a_readable_russian_assessment_level_first() {
    let out = sopro(&["assess", "--rules", RULES, "examples/family-crisis.json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let level = stdout.find("УРОВЕНЬ СОПРОВОЖДЕНИЯ: КРИЗИСНЫЙ").unwrap();
    let partners = stdout.find("Наркологический кабинет — в плановом порядке").unwrap();
    assert!(level < partners);
    assert!(stdout.contains("442-ФЗ ст. 15.1.5 (норма права)"));
}

#[test]
fn assess_reads_yaml_from_standard_input_and_speaks_english_as_json() {
    let yaml = "as_of: 2026-03-10\nmembers:\n  - {id: m1, role: mother, birth_date: 1990-01-01, monthly_income: 90000, employment: employed}\n  - {id: c1, role: child, birth_date: 2015-01-01}\nquestionnaire: {domestic_violence: true}\n";
    let out = sopro(&["assess", "--rules", RULES, "--format", "json", "-"], Some(yaml));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["level"]["id"], "emergency");
    let english = sopro(&["assess", "--rules", RULES, "--lang", "en", "-"], Some(yaml));
    assert!(text(&english.stdout).contains("SUPPORT LEVEL: EMERGENCY"));
}

#[test]
fn invalid_answers_exit_3_with_every_path_and_no_values() {
    let answers = r#"{"as_of": "2026-03-10", "members": [{"id": "m1", "role": "тётя Валя", "birth_date": "1990-01-01", "monthly_income": "очень мало"}]}"#;
    let out = sopro(&["assess", "--rules", RULES, "-"], Some(answers));
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("/members/0/role") && stderr.contains("/members/0/monthly_income"), "{stderr}");
    assert!(!stderr.contains("Валя") && !stderr.contains("очень мало"), "{stderr}");
}

#[test]
fn broken_json_reports_the_position_only() {
    let out =
        sopro(&["assess", "--rules", RULES, "-"], Some("{\"as_of\": \"2026-03-10\", \"secret\": Иванов}"));
    assert_eq!(out.status.code(), Some(4));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("line 1"), "{stderr}");
    assert!(!stderr.contains("Иванов"), "{stderr}");
}

#[test]
fn check_names_file_rule_and_line_of_a_typo_and_exits_1() {
    let copy = scratch_dir("check");
    std::fs::create_dir_all(copy.join("tests")).unwrap();
    for entry in std::fs::read_dir(root().join(RULES)).unwrap().flatten() {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
        }
    }
    let criteria = std::fs::read_to_string(copy.join("criteria.yaml")).unwrap();
    let needle = "when: survey_act.sanitary_state == \"antisanitary\"";
    let line = criteria.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let broken = criteria.replace(needle, "when: survey_act.sanitary_stat == \"antisanitary\"");
    std::fs::write(copy.join("criteria.yaml"), broken).unwrap();

    let out = sopro(&["check", copy.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let expected = format!(
        "criteria.yaml:{line}: criterion `sop_antisanitary`: `survey_act` has no field `sanitary_stat`"
    );
    assert!(stdout.contains(&expected), "{stdout}");
    let _ = std::fs::remove_dir_all(&copy);
}

#[test]
fn check_and_test_pass_on_the_default_rule_set() {
    let check = sopro(&["check", RULES], None);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stdout));
    let test = sopro(&["test", RULES, "--require-full-coverage"], None);
    assert_eq!(test.status.code(), Some(0), "{}", text(&test.stdout));
    let stdout = text(&test.stdout);
    let last = stdout.lines().last().unwrap();
    assert!(last.ends_with("passed, 0 failed"), "{last}");
    let passed: usize = last.split(' ').next().unwrap().parse().unwrap();
    assert!(passed >= 30, "{last}");
    assert!(stdout.contains("coverage: every level"));
}

#[test]
fn schema_prints_json_schemas_and_a_missing_folder_exits_4() {
    // The committed schemas, which tests/schemas.rs keeps current.
    for kind in ["assessment", "ruleset", "tests"] {
        let out = sopro(&["schema", kind], None);
        assert_eq!(out.status.code(), Some(0));
        let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let committed =
            std::fs::read_to_string(root().join(format!("rules/schema/{kind}.schema.json"))).unwrap();
        assert_eq!(printed, serde_json::from_str::<serde_json::Value>(&committed).unwrap(), "{kind}");
    }
    let answers = sopro(&["schema", "answers", "--rules", RULES], None);
    let json: serde_json::Value = serde_json::from_slice(&answers.stdout).unwrap();
    assert_eq!(json["required"], serde_json::json!(["as_of", "members"]));
    let missing = sopro(&["check", "rules/no-such-set"], None);
    assert_eq!(missing.status.code(), Some(4));
}

#[test]
fn a_folder_of_versions_picks_the_version_in_force_on_the_assessment_date() {
    let out =
        sopro(&["assess", "--rules", "rules/khmao", "--format", "json", "examples/family-crisis.json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["ruleset"]["version"], "2026.1");
    let later = sopro(
        &["assess", "--rules", "rules/khmao", "-"],
        Some("{\"as_of\": \"2030-01-01\", \"members\": []}"),
    );
    assert_eq!(later.status.code(), Some(3));
    assert!(text(&later.stderr).contains("no version of the rule set is in force on 2030-01-01"));
}

#[test]
fn batch_accounts_for_every_record_keeps_values_out_of_errors_and_resumes_exactly() {
    let dir = scratch_dir("batch");
    let input = dir.join("registry.jsonl");
    let out = sopro(&["gen", "--n", "300", "--seed", "3", "-o", input.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0));
    // Deliberately broken records: bad JSON with a name in it, invalid answers, invalid UTF-8.
    let mut bytes = std::fs::read(&input).unwrap();
    bytes.extend_from_slice(b"{\"as_of\": \"2026-03-10\", \"name\": \"Petrova Anna\"\n");
    bytes.extend_from_slice(b"{\"as_of\": \"2026-03-10\", \"case\": {\"id\": \"86-X\"}, \"members\": [{\"id\": \"m1\", \"role\": \"Anna\", \"birth_date\": \"1990-01-01\"}]}\n");
    bytes.extend_from_slice(b"\xff\xfe\n");
    std::fs::write(&input, &bytes).unwrap();

    let full = dir.join("full.jsonl");
    let run = |output: &Path, resume: bool| sopro(&batch_args(&input, output, resume), None);
    let out = run(&full, false);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> =
        text(&std::fs::read(&full).unwrap()).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 303, "every record yields exactly one line");
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["record"], i + 1);
        if i < 300 {
            assert!(
                line["assessment"]["level"]["id"].is_string(),
                "record {} was not assessed: {line}",
                i + 1
            );
        }
    }
    assert_eq!(lines[300]["error"]["kind"], "bad_json");
    assert_eq!(lines[301]["error"]["kind"], "invalid_answers");
    assert_eq!(lines[301]["case_id"], "86-X");
    assert_eq!(lines[302]["error"]["kind"], "bad_utf8");
    let errors = text(&std::fs::read(&full).unwrap()).lines().skip(300).collect::<Vec<_>>().join("\n");
    assert!(!errors.contains("Petrova") && !errors.contains("Anna"), "{errors}");

    // Interrupted half-way through a line, then resumed: the same bytes as one run.
    let partial = dir.join("partial.jsonl");
    let whole = std::fs::read(&full).unwrap();
    std::fs::write(&partial, &whole[..whole.len() / 2]).unwrap();
    let out = run(&partial, true);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(std::fs::read(&partial).unwrap() == whole, "resumed output differs from an uninterrupted run");
    let again = dir.join("again.jsonl");
    run(&again, false);
    assert!(std::fs::read(&again).unwrap() == whole, "two runs differ");

    // CSV: a header and one row per record; resuming keeps the header once.
    let csv = dir.join("results.csv");
    assert_eq!(run(&csv, false).status.code(), Some(0));
    let table = std::fs::read(&csv).unwrap();
    let rows: Vec<&str> = std::str::from_utf8(&table).unwrap().lines().collect();
    assert_eq!(rows.len(), 304);
    assert!(rows[0].starts_with("record,case_id,ruleset,level"));
    assert!(
        rows[302].starts_with("302,86-X,") && rows[302].contains("invalid_answers,/members/0/role"),
        "{}",
        rows[302]
    );
    assert!(!rows[301..].join("\n").contains("Anna"));
    // The error row has every column, the error in its own.
    let error_row: Vec<&str> = rows[302].split(',').collect();
    assert_eq!(error_row.len(), 14, "{}", rows[302]);
    assert_eq!((error_row[12], error_row[13]), ("invalid_answers", "/members/0/role"));
    let partial_csv = dir.join("partial.csv");
    std::fs::write(&partial_csv, &table[..table.len() / 3]).unwrap();
    assert_eq!(run(&partial_csv, true).status.code(), Some(0));
    assert!(std::fs::read(&partial_csv).unwrap() == table, "resumed CSV differs");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `sopro diff` from KhMAO 2025.1 to 2026.1 over `input`, in `format`, with more arguments.
fn diff_2025_to_2026(input: &Path, format: &str, more: &[&str]) -> Output {
    let mut args = vec![
        "diff",
        "--from",
        "rules/khmao/2025.1",
        "--to",
        "rules/khmao/2026.1",
        "--input",
        input.to_str().unwrap(),
        "--format",
        format,
    ];
    args.extend_from_slice(more);
    sopro(&args, None)
}

#[test]
fn diff_lists_the_families_whose_low_income_status_changes_with_the_rule_and_act() {
    let dir = scratch_dir("diff");
    let input = dir.join("registry.jsonl");
    assert_eq!(
        sopro(&["gen", "--n", "2000", "--seed", "5", "-o", input.to_str().unwrap()], None).status.code(),
        Some(0)
    );
    let jsonl = diff_2025_to_2026(&input, "jsonl", &[]);
    assert_eq!(jsonl.status.code(), Some(0), "{}", text(&jsonl.stderr));
    let families: Vec<serde_json::Value> =
        text(&jsonl.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let became_low_income = families
        .iter()
        .filter(|f| {
            f["changes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["kind"] == "category" && c["id"] == "low_income" && c["from"].is_null())
        })
        .collect::<Vec<_>>();
    assert!(!became_low_income.is_empty(), "no family became low-income");
    for family in &became_low_income {
        let change = family["changes"].as_array().unwrap().iter().find(|c| c["id"] == "low_income").unwrap();
        assert_eq!(change["basis"][0]["act"], "197-оз");
        let pm =
            family["parameters"].as_array().unwrap().iter().find(|p| p["id"] == "pm_per_capita").unwrap();
        assert_eq!((pm["from"].as_str(), pm["to"].as_str()), (Some("21252"), Some("22102")));
        assert!(pm["basis"][0]["act"].as_str().unwrap().contains("ПМ на 2026 год"));
    }
    let report = dir.join("report.html");
    let html = diff_2025_to_2026(&input, "html", &["-o", report.to_str().unwrap()]);
    assert_eq!(html.status.code(), Some(0));
    let page = std::fs::read_to_string(&report).unwrap();
    assert!(page.contains("<svg") && page.contains("Переходы уровней") && page.contains("low_income"));
    let csv = diff_2025_to_2026(&input, "csv", &[]);
    assert!(text(&csv.stdout).starts_with("record,case_id,level_from,level_to,kind,id,from,to,because,basis"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn batch_reads_a_csv_export_by_its_header_convention() {
    let dir = scratch_dir("csv");
    let input = dir.join("families.csv");
    std::fs::write(
        &input,
        "as_of,case.id,case.consent_interagency,members.0.id,members.0.role,members.0.birth_date,members.0.monthly_income,members.0.employment,members.0.substance_abuse,members.1.id,members.1.role,members.1.birth_date,questionnaire.requested_help,questionnaire.domestic_violence\n\
         2026-03-10,86-1,да,m1,mother,1990-05-01,0,unemployed,alcohol,c1,child,2019-02-11,benefits;psychological,нет\n\
         2026-03-10,86-2,1,m1,mother,1989-03-03,\"50 000,50\",employed,none,c1,child,2014-05-05,,да\n\
         2026-03-10,86-3,yes,m1,Иванова,1989-03-03,много,employed,none,,,,,\n",
    )
    .unwrap();
    let output = dir.join("results.jsonl");
    let out = sopro(&batch_args(&input, &output, false), None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> =
        text(&std::fs::read(&output).unwrap()).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["assessment"]["level"]["id"], "crisis");
    assert_eq!(lines[1]["assessment"]["level"]["id"], "emergency");
    assert_eq!(lines[2]["error"]["kind"], "invalid_answers");
    let paths: Vec<&str> = lines[2]["error"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"/members/0/role") && paths.contains(&"/members/0/monthly_income"), "{paths:?}");
    assert!(!lines[2].to_string().contains("Иванова") && !lines[2].to_string().contains("много"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The arguments of a batch run from `input` to `output`.
fn batch_args<'a>(input: &'a Path, output: &'a Path, resume: bool) -> Vec<&'a str> {
    let mut args = vec![
        "batch",
        "--rules",
        "rules/khmao",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ];
    if resume {
        args.push("--resume");
    }
    args
}

/// A generated registry of `n` families in `dir`, with the run of it that nothing interrupted.
fn registry_and_clean_run(dir: &Path, n: usize) -> (PathBuf, Vec<u8>) {
    let input = dir.join("registry.jsonl");
    let out = sopro(&["gen", "--n", &n.to_string(), "--seed", "11", "-o", input.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0));
    let clean = dir.join("clean.jsonl");
    let out = sopro(&batch_args(&input, &clean, false), None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    (input, std::fs::read(&clean).unwrap())
}

/// Resumes an interrupted run and requires the bytes of the run nothing interrupted.
fn resume_and_compare(input: &Path, output: &Path, clean: &[u8]) {
    let out = sopro(&batch_args(input, output, true), None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(std::fs::read(output).unwrap() == clean, "resumed output differs from a clean run");
}

#[test]
fn a_truncated_last_record_is_an_error_row_with_its_number() {
    let dir = scratch_dir("truncated");
    let input = dir.join("registry.jsonl");
    assert_eq!(
        sopro(&["gen", "--n", "20", "--seed", "5", "-o", input.to_str().unwrap()], None).status.code(),
        Some(0)
    );
    let mut bytes = std::fs::read(&input).unwrap();
    bytes.extend_from_slice("{\"as_of\": \"2026-03-10\", \"case\": {\"id\": \"86-T\"}, \"members\": [{\"id\": \"m1\", \"note\": \"Смирнова".as_bytes());
    std::fs::write(&input, &bytes).unwrap();
    let output = dir.join("out.jsonl");
    let out = sopro(&batch_args(&input, &output, false), None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = text(&std::fs::read(&output).unwrap());
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines.len(), 21);
    let last: serde_json::Value = serde_json::from_str(lines[20]).unwrap();
    assert_eq!(last["record"], 21);
    assert_eq!(last["error"]["kind"], "bad_json");
    assert!(!written.contains("Смирнова"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_full_disk_stops_the_run_with_advice_and_resuming_completes_it_exactly() {
    let dir = scratch_dir("disk-full");
    let (input, clean) = registry_and_clean_run(&dir, 400);

    // A device that is always full: the run stops with a clear message, not a panic.
    let out = sopro(&batch_args(&input, Path::new("/dev/full"), false), None);
    assert_ne!(out.status.code(), Some(0));
    let message = text(&out.stderr);
    assert!(message.contains("writing failed") && message.contains("--resume"), "{message}");

    // A file size limit (ulimit -f, in 512-byte blocks) fills "the disk" half-way through a line.
    let output = dir.join("limited.jsonl");
    let args = batch_args(&input, &output, false).join(" ");
    let limited = Command::new("sh")
        .arg("-c")
        .arg(format!("trap '' XFSZ; ulimit -f 1000; exec '{}' {args}", env!("CARGO_BIN_EXE_sopro")))
        .current_dir(root())
        .output()
        .unwrap();
    assert_ne!(limited.status.code(), Some(0), "the size limit was not reached");
    assert!(text(&limited.stderr).contains("--resume"), "{}", text(&limited.stderr));
    let partial = std::fs::read(&output).unwrap();
    assert!(!partial.is_empty() && partial.len() < clean.len());

    resume_and_compare(&input, &output, &clean);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The run reads its input from a pipe this test holds open after the first records, so it
/// is killed half-way on any machine, however fast: it cannot finish before the kill.
#[test]
fn a_run_killed_half_way_resumes_to_the_same_output_as_a_clean_run() {
    let dir = scratch_dir("killed");
    let (input, clean) = registry_and_clean_run(&dir, 10_000);
    let pipe = dir.join("pipe.jsonl");
    let made = Command::new("mkfifo").arg(&pipe).status().unwrap();
    assert!(made.success(), "mkfifo failed");
    let output = dir.join("killed.jsonl");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sopro"))
        .args(batch_args(&pipe, &output, false))
        .current_dir(root())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Opening the pipe waits for the run to open it. 6 000 records: one chunk of 4 096 is
    // assessed and written, the rest waits for more input that never comes.
    let mut writer = std::fs::OpenOptions::new().write(true).open(&pipe).unwrap();
    let registry = std::fs::read_to_string(&input).unwrap();
    let first: String = registry.split_inclusive('\n').take(6_000).collect();
    writer.write_all(first.as_bytes()).unwrap();
    writer.flush().unwrap();
    let lines = || std::fs::read(&output).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count());
    let started = std::time::Instant::now();
    while lines() < 4_096 {
        assert!(started.elapsed().as_secs() < 300, "hang guard: the run wrote {} lines", lines());
        assert!(child.try_wait().unwrap().is_none(), "the run ended with its input still open");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    drop(writer);
    assert_eq!(status.code(), None, "the run ended before it was killed");
    let written = std::fs::read(&output).unwrap();
    assert_eq!(lines(), 4_096, "the run wrote past the records it was given");
    assert!(clean.starts_with(&written), "the partial output is not the start of a clean run");

    resume_and_compare(&input, &output, &clean);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn batch_reads_a_folder_of_json_and_yaml_files_in_the_order_of_their_names() {
    let dir = scratch_dir("folder");
    let folder = dir.join("families");
    std::fs::create_dir_all(&folder).unwrap();
    let families: Vec<String> =
        text(&sopro(&["gen", "--n", "3", "--seed", "8"], None).stdout).lines().map(str::to_owned).collect();
    std::fs::write(folder.join("a.json"), &families[0]).unwrap();
    std::fs::write(folder.join("b.json"), &families[1]).unwrap();
    let yaml =
        serde_yaml::to_string(&serde_json::from_str::<serde_json::Value>(&families[2]).unwrap()).unwrap();
    std::fs::write(folder.join("c.yaml"), yaml).unwrap();
    std::fs::write(folder.join("d.yml"), "as_of: 2026-03-10\nmembers: [{id: m1, note: \"Кузнецова\"\n")
        .unwrap();
    std::fs::write(folder.join("notes.txt"), "not a family").unwrap();

    let output = dir.join("out.jsonl");
    let out = sopro(&batch_args(&folder, &output, false), None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = text(&std::fs::read(&output).unwrap());
    let rows: Vec<serde_json::Value> = written.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 4, "one row per JSON/YAML file");
    let direct = dir.join("direct.jsonl");
    std::fs::write(dir.join("three.jsonl"), families.join("\n") + "\n").unwrap();
    sopro(&batch_args(&dir.join("three.jsonl"), &direct, false), None);
    let direct = text(&std::fs::read(&direct).unwrap());
    assert_eq!(written.lines().take(3).collect::<Vec<_>>(), direct.lines().collect::<Vec<_>>());
    assert_eq!(rows[3]["record"], 4);
    assert_eq!(rows[3]["error"]["kind"], "bad_file");
    let message = rows[3]["error"]["message"].as_str().unwrap();
    assert!(message.contains("d.yml") && message.contains("line"), "{message}");
    assert!(!written.contains("Кузнецова"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A copy of a bundled version in a folder of versions of its own, without `published.yaml`.
fn unpublished_copy(dir: &Path, version: &str) -> PathBuf {
    let copy = dir.join("khmao").join(version);
    std::fs::create_dir_all(copy.join("tests")).unwrap();
    let from = root().join("rules/khmao").join(version);
    for sub in ["", "tests"] {
        for entry in std::fs::read_dir(from.join(sub)).unwrap().flatten() {
            if entry.path().is_file() {
                std::fs::copy(entry.path(), copy.join(sub).join(entry.file_name())).unwrap();
            }
        }
    }
    copy
}

const DECEMBER_FAMILY: &str = "{\"as_of\": \"2026-12-10\", \"case\": {\"consent_interagency\": true}, \"members\": [{\"id\": \"m1\", \"role\": \"mother\", \"birth_date\": \"1990-01-01\", \"monthly_income\": 60000, \"employment\": \"employed\"}]}";

#[test]
fn a_draft_is_used_only_with_drafts_until_it_is_published_and_never_changes_after() {
    let dir = scratch_dir("publish");
    let version = unpublished_copy(&dir, "2026.2");
    let folder = dir.join("khmao");
    let folder_arg = folder.to_str().unwrap();

    // Not published: a folder of versions has no version to use, and says why.
    let refused = sopro(&["assess", "--rules", folder_arg, "--format", "json", "-"], Some(DECEMBER_FAMILY));
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused.stderr));
    assert!(text(&refused.stderr).contains("--drafts"), "{}", text(&refused.stderr));
    // Asked for: used, and the assessment says it is a draft.
    let drafted =
        sopro(&["assess", "--rules", folder_arg, "--drafts", "--format", "json", "-"], Some(DECEMBER_FAMILY));
    assert_eq!(drafted.status.code(), Some(0), "{}", text(&drafted.stderr));
    let json: serde_json::Value = serde_json::from_slice(&drafted.stdout).unwrap();
    assert!(json["warnings"].as_array().unwrap().iter().any(|w| w["code"] == "draft_version"));

    // Published: checked, tested with full coverage, recorded; then used without --drafts.
    let published = sopro(&["publish", version.to_str().unwrap()], None);
    assert_eq!(published.status.code(), Some(0), "{}{}", text(&published.stdout), text(&published.stderr));
    let record = std::fs::read_to_string(folder.join("published.yaml")).unwrap();
    assert!(record.contains("2026.2") && record.contains("sha256:"), "{record}");
    let used = sopro(&["assess", "--rules", folder_arg, "--format", "json", "-"], Some(DECEMBER_FAMILY));
    assert_eq!(used.status.code(), Some(0), "{}", text(&used.stderr));
    let json: serde_json::Value = serde_json::from_slice(&used.stdout).unwrap();
    assert!(json["warnings"].as_array().unwrap().iter().all(|w| w["code"] != "draft_version"));

    // A published version that changes is refused, by every command that loads it.
    let criteria = version.join("criteria.yaml");
    let edited = std::fs::read_to_string(&criteria).unwrap() + "\n# edited after publishing\n";
    std::fs::write(&criteria, edited).unwrap();
    let changed = sopro(&["assess", "--rules", folder_arg, "-"], Some(DECEMBER_FAMILY));
    assert_eq!(changed.status.code(), Some(1));
    assert!(text(&changed.stderr).contains("never changes"), "{}", text(&changed.stderr));
    let republished = sopro(&["publish", version.to_str().unwrap()], None);
    assert_eq!(republished.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_version_whose_tests_fail_is_not_published() {
    let dir = scratch_dir("publish-failing");
    let version = unpublished_copy(&dir, "2026.2");
    let case = "- name: Неверное ожидание\n  answers: {as_of: 2026-12-10, members: [{id: m1, role: mother, birth_date: 1990-01-01}]}\n  expect: {level: emergency}\n";
    std::fs::write(version.join("tests/wrong.yaml"), case).unwrap();
    let out = sopro(&["publish", version.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("FAILED Неверное ожидание"), "{}", text(&out.stdout));
    assert!(!dir.join("khmao/published.yaml").exists(), "published despite a failing case");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Without consent, the text says which partners are told because a law obliges it, and which
/// reasons are not passed on.
#[test]
fn assess_says_in_words_what_goes_without_consent_and_what_is_held_back() {
    let family = "{\"as_of\": \"2026-12-10\", \"case\": {\"consent_interagency\": false}, \"members\": [{\"id\": \"m1\", \"role\": \"mother\", \"birth_date\": \"1990-01-01\", \"monthly_income\": 0, \"employment\": \"unemployed\"}, {\"id\": \"c1\", \"role\": \"child\", \"birth_date\": \"2016-01-01\", \"seasonal_clothing_ok\": false}], \"questionnaire\": {\"domestic_violence\": true}}";
    let out = sopro(&["assess", "--rules", "rules/khmao", "-"], Some(family));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("khmao 2026.3"), "{stdout}");
    assert!(stdout.contains("без согласия семьи: обязанность сообщить в органы внутренних дел"), "{stdout}");
    assert!(stdout.contains("— 120-ФЗ ст. 9 п. 2 пп. 5 (норма права)"), "{stdout}");
    assert!(
        stdout.contains("без согласия семьи не передаётся: Отсутствие работы и средств к существованию"),
        "{stdout}"
    );
    assert!(stdout.contains("c1: нет сезонной одежды"), "{stdout}");
    assert!(!stdout.contains("ответы: /members"), "a reason given as JSON paths: {stdout}");
}

/// `sopro whatif`: the goal in words and each set of changes before → after; JSON with the
/// same sets; an id the rule set lacks is a usage error (exit 4) named in words.
#[test]
fn whatif_says_what_would_have_to_change_for_a_lower_level() {
    let args = ["whatif", "--rules", "rules/khmao/2026.3", "examples/family-crisis.json"];
    let out = sopro(&args, None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Уровень сейчас: «кризисный»"), "{stdout}");
    assert!(stdout.contains("Чтобы перейти на более низкий уровень, нужно:"), "{stdout}");
    assert!(stdout.contains("Зависимость (член семьи 1): алкоголь → нет"), "{stdout}");
    let json = sopro(&[&args[..], &["--format", "json", "--to", "higher"]].concat(), None);
    let found: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(found["goal"], serde_json::json!({"goal": "higher"}));
    assert!(found["sets"].as_array().unwrap().iter().all(|s| s["level"] == "emergency"), "{found}");
    let english = sopro(&[&args[..], &["--leave", "czn", "--lang", "en"]].concat(), None);
    assert!(
        text(&english.stdout).contains("For “Employment centre” to no longer apply, it takes:"),
        "{}",
        text(&english.stdout)
    );
    let unknown = sopro(&[&args[..], &["--enter", "no_such_partner"]].concat(), None);
    assert_eq!(unknown.status.code(), Some(4));
    assert!(text(&unknown.stderr)
        .contains("нет категории, критерия, срочной услуги или партнёра `no_such_partner`"));
    // A published version that declares nothing changeable says so rather than finding nothing.
    let older = sopro(&["whatif", "--rules", "rules/khmao/2026.2", "examples/family-crisis.json"], None);
    assert!(text(&older.stdout).contains("не объявляет изменяемых ответов"), "{}", text(&older.stdout));
}

#[test]
fn programme_writes_the_draft_ipss_as_html_and_docx_and_refuses_what_it_cannot_write() {
    let dir = scratch_dir("programme");
    let html = dir.join("ipss.html");
    let docx = dir.join("ipss.docx");
    for output in [&html, &docx] {
        let out = sopro(
            &[
                "programme",
                "--rules",
                "rules/khmao/2026.4",
                "examples/family-crisis.json",
                "-o",
                output.to_str().unwrap(),
            ],
            None,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stderr).contains("activities"), "{}", text(&out.stderr));
    }
    let page = std::fs::read_to_string(&html).unwrap();
    for expected in [
        "Индивидуальная программа социального сопровождения семьи",
        "86-2026-000123",
        "Отметка о выполнении",
        "10.03.2026",
    ] {
        assert!(page.contains(expected), "{expected} is not in the page");
    }
    // Only the case id of the answers: no birth date, no income, no substance.
    for value in ["1990-05-01", "18500", "alcohol"] {
        assert!(!page.contains(value), "{value} is in the page");
    }
    // A DOCX is a zip whose document names the table's columns.
    let bytes = std::fs::read(&docx).unwrap();
    assert_eq!(&bytes[..2], b"PK");

    let wrong = sopro(
        &["programme", "--rules", "rules/khmao/2026.4", "examples/family-crisis.json", "-o", "ipss.txt"],
        None,
    );
    assert_eq!(wrong.status.code(), Some(2), "{}", text(&wrong.stderr));
    let none = sopro(
        &[
            "programme",
            "--rules",
            "rules/khmao/2026.3",
            "examples/family-crisis.json",
            "-o",
            html.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(none.status.code(), Some(1));
    assert!(text(&none.stderr).contains("declares no programme activities"), "{}", text(&none.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn history_follows_each_family_by_case_id_through_the_versions_in_force_and_lists_what_fails() {
    let dir = scratch_dir("history");
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(root().join("examples/history").join(name)).unwrap())
            .unwrap()
    };
    // One family's four snapshots, another family's snapshot, an earlier snapshot of the first
    // (2026-12-02: version 2026.2 is in force, without a programme) and an invalid one.
    let mut lines: Vec<serde_json::Value> = [
        "1-2026-12-04-crisis.json",
        "2-2026-12-11-mother-employed.json",
        "3-2026-12-18-rehabilitation.json",
        "4-2026-12-28-no-accompaniment.json",
    ]
    .iter()
    .map(|f| read(f))
    .collect();
    let mut other = read("1-2026-12-04-crisis.json");
    other["case"]["id"] = "86-2026-000999".into();
    let mut earlier = read("1-2026-12-04-crisis.json");
    earlier["as_of"] = "2026-12-02".into();
    let mut invalid = read("2-2026-12-11-mother-employed.json");
    invalid["as_of"] = "2026-12-15".into();
    invalid["members"][0]["monthly_income"] = "Иванова".into();
    lines.extend([other, earlier, invalid]);
    let input = dir.join("history.jsonl");
    let mut jsonl: String = lines.iter().map(|l| format!("{l}\n")).collect();
    // A line that is not JSON is an error row too, not the end of the run.
    jsonl.push_str("{\"as_of\": \"2026-12-20\", \"case\": {\"id\": \"Петрова\"\n");
    std::fs::write(&input, jsonl).unwrap();

    let out = sopro(
        &[
            "history",
            "--rules",
            "rules/khmao",
            "--drafts",
            "--on",
            "2027-04-10",
            "--input",
            input.to_str().unwrap(),
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(3), "one snapshot is invalid: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(!stdout.contains("Иванова") && !text(&out.stderr).contains("Иванова"), "an answer value leaked");
    let families: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(families.len(), 2);
    let first = &families[0];
    assert_eq!(first["case_id"], "86-2026-000123");
    let timeline = first["timeline"].as_array().unwrap();
    let versions: Vec<(&str, &str)> = timeline
        .iter()
        .map(|s| (s["as_of"].as_str().unwrap(), s["ruleset"]["version"].as_str().unwrap()))
        .collect();
    assert_eq!(
        versions,
        [
            ("2026-12-02", "2026.2"),
            ("2026-12-04", "2026.4"),
            ("2026-12-11", "2026.4"),
            ("2026-12-18", "2026.4"),
            ("2026-12-28", "2026.4")
        ],
        "each snapshot by the version in force on its date"
    );
    assert!(timeline[1].get("programme").is_none(), "2026.2 has no programme to compare with");
    assert!(timeline[2]["programme"]["closed"].as_array().unwrap().len() >= 2);
    assert_eq!(first["post_accompaniment"]["since"], "2026-12-28");
    let errors = first["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0]["source"].as_str().unwrap().ends_with("history.jsonl:7"), "{}", errors[0]);
    assert_eq!(errors[0]["error"]["kind"], "invalid_answers");
    assert!(errors[1]["source"].as_str().unwrap().ends_with("history.jsonl:8"), "{}", errors[1]);
    assert_eq!(errors[1]["error"]["kind"], "unreadable");
    assert!(!stdout.contains("Петрова"), "a value of the unreadable line leaked");
    // The same in words: the errors listed, no answer value.
    let words = sopro(
        &[
            "history",
            "--rules",
            "rules/khmao",
            "--drafts",
            "--on",
            "2027-04-10",
            "--input",
            input.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(words.status.code(), Some(3));
    let said = text(&words.stdout) + &text(&words.stderr);
    assert!(said.contains("history.jsonl:7") && said.contains("history.jsonl:8"), "{said}");
    for value in ["Иванова", "Петрова", "1990-05-01"] {
        assert!(!said.contains(value), "{value} is in the text output");
    }
    assert_eq!(families[1]["timeline"].as_array().unwrap().len(), 1);

    // The folder of the example, as a page with the chart; and in words.
    let page = dir.join("history.html");
    let out = sopro(
        &[
            "history",
            "--rules",
            "rules/khmao",
            "--drafts",
            "--on",
            "2027-04-10",
            "examples/history",
            "--format",
            "html",
            "-o",
            page.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    for expected in ["<svg", "2027-03-28", "ПРОСРОЧЕН"] {
        assert!(html.contains(expected), "{expected} is not in the page");
    }
    // One dot per assessment on the chart, each titled with its date and level.
    assert_eq!(html.matches("r=\"5\" fill=\"#2e90fa\"").count(), 4);
    for dot in
        ["2026-12-04 — кризисный", "2026-12-18 — реабилитационный", "2026-12-28 — сопровождение не требуется"]
    {
        assert!(html.contains(dot), "no dot «{dot}»");
    }
    assert!(!html.contains("<script"), "the page is static");
    let words = sopro(
        &["history", "--rules", "rules/khmao", "--drafts", "--on", "2027-04-10", "examples/history"],
        None,
    );
    let words = text(&words.stdout);
    assert!(words.contains("было: кризисный") && words.contains("пост-сопровождение"), "{words}");

    // Without --drafts the snapshots after 2026-12-04 are assessed by 2026.3: no programme.
    let published = sopro(
        &["history", "--rules", "rules/khmao", "--on", "2027-04-10", "examples/history", "--format", "json"],
        None,
    );
    assert!(published.status.success(), "{}", text(&published.stderr));
    assert!(!text(&published.stdout).contains("\"programme\""));
    let none = sopro(&["history", "--rules", "rules/khmao"], None);
    assert_eq!(none.status.code(), Some(2));
    let bad_date =
        sopro(&["history", "--rules", "rules/khmao", "--on", "10.04.2027", "examples/history"], None);
    assert_eq!(bad_date.status.code(), Some(2), "{}", text(&bad_date.stderr));
    // Snapshots without a case id cannot join a family that has one.
    let mut anonymous = read("1-2026-12-04-crisis.json");
    anonymous["case"].as_object_mut().unwrap().remove("id");
    let mixed = dir.join("mixed.jsonl");
    std::fs::write(&mixed, format!("{}\n{anonymous}\n", read("1-2026-12-04-crisis.json"))).unwrap();
    let refused =
        sopro(&["history", "--rules", "rules/khmao", "--drafts", "--input", mixed.to_str().unwrap()], None);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("mixed.jsonl:2"), "{}", text(&refused.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn batch_csv_has_the_programme_column_activities_with_their_due_dates() {
    let dir = scratch_dir("batch-programme");
    let csv = dir.join("out.csv");
    let out = sopro(
        &[
            "batch",
            "--rules",
            "rules/khmao/2026.4",
            "--input",
            "examples/history",
            "--output",
            csv.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<Vec<&str>> = table.lines().map(|l| l.split(',').collect()).collect();
    let column = rows[0].iter().position(|c| *c == "programme").expect("a programme column");
    assert_eq!(rows[0].len(), 14);
    let crisis = rows[1][column];
    assert!(
        crisis.contains("a_curator_and_contract:2026-12-") && crisis.contains("a_narcology_referral:"),
        "{crisis}"
    );
    let none = rows[4][column];
    assert!(!none.contains("a_curator_and_contract"), "{none}");
    // A version without activities leaves the column empty.
    let family: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("examples/family-crisis.json")).unwrap())
            .unwrap();
    let one = dir.join("one.jsonl");
    std::fs::write(&one, format!("{family}\n")).unwrap();
    let old = dir.join("old.csv");
    let out = sopro(
        &[
            "batch",
            "--rules",
            "rules/khmao/2026.1",
            "--input",
            one.to_str().unwrap(),
            "--output",
            old.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = std::fs::read_to_string(&old).unwrap();
    let row: Vec<&str> = table.lines().nth(1).unwrap().split(',').collect();
    assert!(row[3] == "crisis" && row[column].is_empty(), "{row:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn show_effective_prints_each_item_with_its_layer_and_what_the_region_disables() {
    let out = sopro(&["show", "--effective", "rules/khmao/2026.4"], None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("khmao 2026.4 на базе ru 2026.1"), "{text}");
    let line = |id: &str| {
        text.lines().find(|l| l.trim_start().starts_with(&format!("{id} "))).unwrap_or_default().to_owned()
    };
    assert!(line("c15_5_addiction").contains("база ru 2026.1"), "{}", line("c15_5_addiction"));
    assert!(
        line("opeka").contains("регион khmao 2026.4 (заменяет базу)")
            && line("opeka").contains("overrides.yaml:")
    );
    assert!(line("low_income").contains("регион khmao 2026.4") && !line("low_income").contains("заменяет"));
    assert!(text.contains("отключено регионом:\n  level `accompaniment`"), "{text}");
    // Without --effective: the folder's own items only.
    let own = String::from_utf8(sopro(&["show", "rules/khmao/2026.4"], None).stdout).unwrap();
    assert!(!own.contains("c15_5_addiction") && own.contains("low_income"));
    // JSON: every item names its layer; a rule set with no base names none.
    let json = sopro(&["show", "--effective", "--format", "json", "rules/khmao/2026.4"], None);
    let merged: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(merged["ruleset"]["base"]["id"], "ru");
    assert!(merged["items"].as_array().unwrap().iter().all(|i| i["rule"]["layer"]["layer"].is_string()));
    let flat = sopro(&["show", "--format", "json", "rules/khmao/2026.3"], None);
    let flat: serde_json::Value = serde_json::from_slice(&flat.stdout).unwrap();
    assert!(flat["items"].as_array().unwrap().iter().all(|i| i["rule"].get("layer").is_none()));
}
