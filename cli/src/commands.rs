//! One function per subcommand: read, call the engine, render, and return the exit code.

use std::path::Path;

use sopro_engine::{AssessError, Drafts, Goal, Lang, RuleLibrary, RuleSet};

use crate::{files, render};

/// A JSON Schema `sopro` can print.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum SchemaKind {
    /// The answers a rule set accepts (needs --rules).
    Answers,
    /// An assessment.
    Assessment,
    /// A YAML file of a rule set.
    Ruleset,
    /// A test file of a rule set (tests/*.yaml).
    Tests,
    /// Every type the browser API returns (for TypeScript definitions).
    Api,
    /// A sample profile for `sopro gen` (sample.yaml).
    Sample,
}

/// Exit codes (documented in `sopro --help` and the README).
pub mod exit {
    pub const OK: i32 = 0;
    pub const RULES: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const INVALID_ANSWERS: i32 = 3;
    pub const INPUT: i32 = 4;
}

/// Prints why rules cannot be used; the exit code for it.
fn report(error: files::LoadError) -> i32 {
    if let files::LoadError::Rules { dir, diagnostics } = &error {
        for d in diagnostics {
            eprintln!("{}: {d}", dir.display());
        }
    }
    eprintln!("error: {error}");
    match error {
        files::LoadError::Input(_) => exit::INPUT,
        files::LoadError::Rules { .. } | files::LoadError::Publication(_) => exit::RULES,
    }
}

/// Loads a rule set, printing its problems; the exit code if it cannot be used.
fn load(dir: &Path) -> Result<RuleSet, i32> {
    files::load_rules(dir).map_err(report)
}

/// Loads a rule-set folder or a folder of versions; the exit code if any cannot be used.
fn load_versions(dir: &Path, drafts: Drafts) -> Result<RuleLibrary, i32> {
    files::load_library(dir, drafts).map_err(report)
}

/// The rule-set versions and one family's answers (`sopro assess`, `sopro whatif`), or the
/// exit code after saying why not.
fn load_family(
    rules_dir: &Path,
    answers: &Path,
    drafts: Drafts,
) -> Result<(RuleLibrary, serde_json::Value), i32> {
    let library = load_versions(rules_dir, drafts)?;
    let answers = files::read_answers(answers).map_err(|message| {
        eprintln!("error: {message}");
        exit::INPUT
    })?;
    Ok((library, answers))
}

/// `sopro assess`.
pub fn assess(rules_dir: &Path, answers: &Path, json: bool, lang: Lang, drafts: Drafts) -> i32 {
    let (library, answers) = match load_family(rules_dir, answers, drafts) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    // A named version assesses any date (with a warning outside its period); a folder of
    // versions assesses each family with the version in force on its date (the library knows).
    let result = library.assess(&answers);
    match result {
        Ok(assessment) => {
            if json {
                println!("{}", to_json(&assessment));
            } else {
                let rules = library.versions().iter().find(|v| v.digest() == assessment.ruleset.digest);
                if let Some(rules) = rules {
                    print!("{}", render::assessment(rules, &assessment, lang));
                }
            }
            exit::OK
        }
        Err(error) => refused(&library, error, json, lang),
    }
}

/// Reports why a family could not be assessed (JSON or words) and returns the exit code.
fn refused(library: &RuleLibrary, error: AssessError, json: bool, lang: Lang) -> i32 {
    if json {
        println!("{}", to_json(&serde_json::json!({ "error": error })));
    } else {
        eprint!("{}", render::assess_error(&error, lang));
    }
    if let AssessError::NoVersionInForce { as_of, .. } = &error {
        if let Some(draft) = library.draft_not_used(as_of) {
            eprintln!(
                "note: the draft {} {} is in force on {as_of} but is not published; add --drafts to use it",
                draft.id(),
                draft.version()
            );
        }
    }
    match error {
        AssessError::InvalidAnswers { .. } | AssessError::NoVersionInForce { .. } => exit::INVALID_ANSWERS,
        AssessError::RuleFailed { .. } => exit::RULES,
        AssessError::UnknownGoal { .. } => exit::INPUT,
    }
}

/// `sopro whatif`: what would have to change for the family to reach the goal.
pub fn whatif(rules_dir: &Path, answers: &Path, goal: &Goal, json: bool, lang: Lang, drafts: Drafts) -> i32 {
    let (library, answers) = match load_family(rules_dir, answers, drafts) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let result =
        library.version_for(&answers).and_then(|rules| Ok((rules, rules.what_would_change(&answers, goal)?)));
    match result {
        Ok((rules, found)) => {
            if json {
                println!("{}", to_json(&found));
            } else {
                print!("{}", render::what_would_change(rules, &found, lang));
            }
            exit::OK
        }
        Err(error) => refused(&library, error, json, lang),
    }
}

/// `sopro programme`: the draft ИПСС of one family as DOCX or HTML (by the output's extension).
pub fn programme(rules_dir: &Path, answers: &Path, output: &Path, lang: Lang, drafts: Drafts) -> i32 {
    let (library, answers) = match load_family(rules_dir, answers, drafts) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let assessment = match library.assess(&answers) {
        Ok(assessment) => assessment,
        Err(error) => return refused(&library, error, false, lang),
    };
    let case_id = sopro_engine::case_id(&answers);
    let Some(sheet) = sopro_engine::programme_sheet(&assessment, case_id, lang) else {
        eprintln!(
            "error: the rule set {} {} declares no programme activities (activities:), so there is no programme to write",
            assessment.ruleset.id, assessment.ruleset.version
        );
        if let Some(draft) =
            library.versions().iter().find(|v| v.is_draft() && v.digest() != assessment.ruleset.digest)
        {
            eprintln!(
                "note: the draft {} {} may declare them; add --drafts to use drafts in force on {}",
                draft.id(),
                draft.version(),
                assessment.as_of
            );
        }
        return exit::RULES;
    };
    let extension = output.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    let bytes = match extension.as_str() {
        "docx" => match crate::programme_doc::docx(&sheet) {
            Ok(bytes) => bytes,
            Err(message) => {
                eprintln!("error: {message}");
                return exit::INPUT;
            }
        },
        "html" | "htm" => crate::programme_doc::html(&sheet).into_bytes(),
        _ => {
            eprintln!("error: write the programme to a .docx or .html file (got {})", output.display());
            return exit::USAGE;
        }
    };
    if let Err(e) = std::fs::write(output, bytes) {
        eprintln!("error: {}: {e}", output.display());
        return exit::INPUT;
    }
    eprintln!("{}: {} activities", output.display(), sheet.rows.len());
    exit::OK
}

/// The output of `sopro history`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HistoryFormat {
    /// Readable text.
    Human,
    /// One JSON object per family (JSON Lines).
    Json,
    /// A self-contained HTML page with a timeline chart per family.
    Html,
}

/// What `sopro history` reads and how it writes.
pub struct HistoryArgs<'a> {
    pub rules: &'a Path,
    pub snapshots: &'a [std::path::PathBuf],
    pub input: Option<&'a Path>,
    pub on: Option<&'a str>,
    pub format: HistoryFormat,
    pub output: Option<&'a Path>,
    pub lang: Lang,
    pub drafts: Drafts,
}

/// `sopro history`: families' snapshots, each assessed by the version in force on its date, and
/// what changed between them. Exit 3 when some snapshot could not be assessed (it is listed).
pub fn history(args: &HistoryArgs<'_>) -> i32 {
    if args.snapshots.is_empty() && args.input.is_none() {
        eprintln!("error: give snapshot files, a folder of them, or --input history.jsonl");
        return exit::USAGE;
    }
    let library = match load_versions(args.rules, args.drafts) {
        Ok(library) => library,
        Err(code) => return code,
    };
    // The CLI may read the clock; the engine is told the date.
    let today = jiff::Zoned::now().date().to_string();
    let on = args.on.unwrap_or(&today);
    if let Err(e) = sopro_engine::history(&[], on) {
        eprintln!("error: --on: {e}");
        return exit::USAGE;
    }
    let snapshots = match crate::history::read(args.snapshots, args.input) {
        Ok(snapshots) => snapshots,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::INPUT;
        }
    };
    let families = match crate::history::histories(&library, snapshots, on) {
        Ok(families) => families,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::USAGE;
        }
    };
    let text = match args.format {
        HistoryFormat::Human => {
            families.iter().map(|f| crate::history_render::human(f, args.lang)).collect::<Vec<_>>().join("\n")
        }
        HistoryFormat::Json => {
            families.iter().map(|f| serde_json::to_string(f).unwrap_or_default() + "\n").collect()
        }
        HistoryFormat::Html => crate::history_render::html(&families, &library, args.lang),
    };
    match args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, text) {
                eprintln!("error: {}: {e}", path.display());
                return exit::INPUT;
            }
            let n = families.len();
            eprintln!(
                "{}: the history of {n} {}",
                path.display(),
                if n == 1 { "family" } else { "families" }
            );
        }
        None => print!("{text}"),
    }
    let failed: usize = families.iter().map(|f| f.errors.len()).sum();
    if failed > 0 {
        eprintln!("error: {failed} snapshot(s) could not be assessed (listed in the output)");
        if let Some(draft) = families.iter().flat_map(|f| &f.errors).find_map(|e| match &e.error {
            crate::history::SnapshotProblem::Assess(AssessError::NoVersionInForce { as_of, .. }) => {
                library.draft_not_used(as_of)
            }
            _ => None,
        }) {
            eprintln!(
                "note: the draft {} {} is in force but is not published; add --drafts to use it",
                draft.id(),
                draft.version()
            );
        }
        return exit::INVALID_ANSWERS;
    }
    exit::OK
}

/// `sopro check`.
pub fn check(dir: &Path, json: bool) -> i32 {
    let source = match files::read_rules(dir) {
        Ok(source) => source,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::INPUT;
        }
    };
    let loaded = RuleSet::load(&source);
    let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    if json {
        println!("{}", to_json(&loaded.diagnostics));
    } else {
        print!("{}", render::check(dir, &loaded));
    }
    if errors > 0 {
        exit::RULES
    } else {
        exit::OK
    }
}

/// `sopro test`.
pub fn test(dir: &Path, require_full_coverage: bool) -> i32 {
    let rules = match load(dir) {
        Ok(rules) => rules,
        Err(code) => return code,
    };
    let report = rules.run_tests();
    print!("{}", render::test_report(&rules, &report));
    let coverage_failed = require_full_coverage && !report.coverage.is_full();
    if report.failed() > 0 || report.cases.is_empty() || coverage_failed {
        exit::RULES
    } else {
        exit::OK
    }
}

/// `sopro batch`.
pub fn batch(rules_dir: &Path, input: &Path, output: &Path, resume: bool, drafts: Drafts) -> i32 {
    let library = match load_versions(rules_dir, drafts) {
        Ok(library) => library,
        Err(code) => return code,
    };
    match crate::batch::run(&library, input, output, resume) {
        Ok(_) => exit::OK,
        Err(message) => {
            eprintln!("error: {message}");
            exit::INPUT
        }
    }
}

/// `sopro diff`.
pub fn diff(
    from: &Path,
    to: &Path,
    input: &Path,
    as_of: Option<&str>,
    format: crate::diff::DiffFormat,
    output: Option<&Path>,
) -> i32 {
    let (from, to) = match (load(from), load(to)) {
        (Ok(from), Ok(to)) => (from, to),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let as_of = as_of.map_or_else(|| to.in_force().0, str::to_owned);
    match crate::diff::run(&from, &to, input, &as_of, format, output) {
        Ok(_) => exit::OK,
        Err(message) => {
            eprintln!("error: {message}");
            exit::INPUT
        }
    }
}

/// `sopro publish`: checks a version, runs its test cases with full coverage and records its
/// digest in the `published.yaml` of its folder of versions. A published version never changes.
pub fn publish(dir: &Path) -> i32 {
    let rules = match load(dir) {
        Ok(rules) => rules,
        Err(code) => return code,
    };
    let tests = rules.run_tests();
    if tests.cases.is_empty() || tests.failed() > 0 || !tests.coverage.is_full() {
        print!("{}", render::test_report(&rules, &tests));
        eprintln!("error: not published: every test case must pass and reach every id (sopro test --require-full-coverage)");
        return exit::RULES;
    }
    let folder = dir.parent().unwrap_or(Path::new(".."));
    let record = match files::read_published(folder) {
        Ok(record) => record.unwrap_or_default(),
        Err(error) => return report(error),
    };
    let (version, digest) = (rules.version(), rules.digest());
    if record.iter().any(|p| p.version == version) {
        // `load` has already refused a published version whose files changed.
        println!("{} {version} is already published ({digest})", rules.id());
        return exit::OK;
    }
    let path = folder.join(files::PUBLISHED);
    let mut text = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        "# Published versions and the digest each had when it was published. A published version never\n\
         # changes: an edit goes into a new version folder.\n"
            .to_owned()
    });
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!("- {{version: \"{version}\", digest: \"{digest}\"}}\n"));
    if let Err(e) = std::fs::write(&path, text) {
        eprintln!("error: {}: {e}", path.display());
        return exit::INPUT;
    }
    println!(
        "published {} {version} ({digest}): {} test case(s) passed, every id reached; recorded in {}",
        rules.id(),
        tests.passed(),
        path.display()
    );
    exit::OK
}

/// `sopro gen`: `n` families drawn by the engine's generator from the questions of the rule
/// set (a version folder, or a folder of versions: each family by the version in force on its
/// date), as often as the sample profile says (`--sample`, or `sample.yaml` beside the
/// versions), one JSON object per line.
pub fn generate(
    rules_dir: &Path,
    sample: Option<&Path>,
    n: usize,
    seed: u64,
    output: Option<&Path>,
    drafts: Drafts,
) -> i32 {
    use std::io::Write;
    let library = match load_versions(rules_dir, drafts) {
        Ok(library) => library,
        Err(code) => return code,
    };
    let profile = match files::read_sample(rules_dir, sample) {
        Ok(profile) => profile,
        Err(e) => return report(e),
    };
    let generator = library.generator(profile.as_ref());
    for warning in generator.warnings() {
        eprintln!("{warning}");
    }
    let sink: Box<dyn Write> = match output {
        Some(path) => match std::fs::File::create(path) {
            Ok(file) => Box::new(file),
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                return exit::INPUT;
            }
        },
        None => Box::new(std::io::stdout().lock()),
    };
    let mut sink = std::io::BufWriter::new(sink);
    for family in generator.families(n, seed) {
        if writeln!(sink, "{family}").is_err() {
            return exit::INPUT;
        }
    }
    if sink.flush().is_err() {
        return exit::INPUT;
    }
    exit::OK
}

/// `sopro bundle`.
pub fn bundle(dir: &Path, output: &Path) -> i32 {
    let source = match files::read_rules(dir) {
        Ok(source) => source,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::INPUT;
        }
    };
    let rules = match load(dir) {
        Ok(rules) => rules,
        Err(code) => return code,
    };
    let bundle = rules.bundle(&source);
    if let Err(e) = std::fs::write(output, to_json(&bundle) + "\n") {
        eprintln!("error: {}: {e}", output.display());
        return exit::INPUT;
    }
    println!("{}: {} {} ({})", output.display(), bundle.id, bundle.version, bundle.digest);
    exit::OK
}

/// `sopro schema`.
pub fn schema(kind: SchemaKind, rules_dir: Option<&Path>) -> i32 {
    let schema = match kind {
        SchemaKind::Assessment => sopro_engine::assessment_schema(),
        SchemaKind::Ruleset => sopro_engine::ruleset_schema(),
        SchemaKind::Tests => sopro_engine::test_file_schema(),
        SchemaKind::Api => sopro_engine::api_schema(),
        SchemaKind::Sample => sopro_engine::sample_schema(),
        SchemaKind::Answers => {
            let Some(dir) = rules_dir else {
                eprintln!("error: `sopro schema answers` needs --rules DIR");
                return 2;
            };
            match load(dir) {
                Ok(rules) => sopro_engine::answers_schema(&rules),
                Err(code) => return code,
            }
        }
    };
    println!("{}", to_json(&schema));
    exit::OK
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
