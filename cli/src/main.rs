//! `sopro`: assess families, check and test rule sets, print JSON Schemas.
//! Glue only: files are read here, everything else is the engine's.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use sopro_cli::commands::{self, SchemaKind};

/// Sopro — оценка нуждаемости семей с детьми в социальном сопровождении.
///
/// Needs assessment of families with children against a versioned rule set (YAML + Rhai).
///
/// Exit codes: 0 success; 1 the rule set has errors, a test failed or a rule failed at run
/// time; 2 wrong usage; 3 the answers are invalid (or no rule-set version is in force on their
/// date); 4 a file could not be read or parsed.
#[derive(Parser)]
#[command(name = "sopro", version, about, long_about, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

const EXAMPLES: &str = "Examples:
  sopro assess --rules rules/khmao/2026.1 examples/family-crisis.json
  sopro assess --rules rules/khmao/2026.1 --format json --lang en - < family.yaml
  sopro history --rules rules/khmao --drafts --on 2027-04-01 snapshots/ --format html -o history.html
  sopro check rules/khmao/2026.1
  sopro test rules/khmao/2026.1
  sopro publish rules/khmao/2026.2
  sopro schema answers --rules rules/khmao/2026.1
  sopro bundle rules/khmao/2026.1 -o khmao-2026.1.bundle.json
  sopro gen --rules rules/khmao --n 100000 --seed 7 -o registry.jsonl
  sopro batch --rules rules/khmao --input registry.jsonl --output assessed.jsonl
  sopro serve --rules rules/khmao --bind 127.0.0.1:8080
  sopro diff --from rules/khmao/2025.1 --to rules/khmao/2026.1 --input registry.jsonl --format html -o report.html";

/// The HTTP service's default limits, for `sopro serve`'s options.
const SERVE: sopro_cli::serve::Limits = sopro_cli::serve::Limits::DEFAULT;

#[derive(Subcommand)]
enum Command {
    /// Assess one family: answers as JSON or YAML, from a file or `-` (standard input).
    Assess {
        #[command(flatten)]
        family: FamilyArgs,
    },
    /// What would have to change for the family to reach a goal: the smallest sets of changes
    /// to the answers the rule set declares changeable (one to three), with what each changes.
    Whatif {
        #[command(flatten)]
        family: FamilyArgs,
        /// The level to reach: `lower` (the default goal), `higher`, or a level's id.
        #[arg(long, conflicts_with_all = ["leave", "enter"])]
        to: Option<String>,
        /// The category, criterion, urgent service or partner to leave.
        #[arg(long, conflicts_with = "enter")]
        leave: Option<String>,
        /// The category, criterion, urgent service or partner to enter.
        #[arg(long)]
        enter: Option<String>,
    },
    /// Write the family's draft individual programme (ИПСС) to print and sign: DOCX (to edit in
    /// Word) or HTML (to print), by the output's extension. Only the case id of the answers is
    /// written.
    Programme {
        /// The rule-set folder: a version, or a folder of versions.
        #[arg(long)]
        rules: PathBuf,
        /// The answers file, or `-` for standard input.
        answers: PathBuf,
        /// The file to write: `ipss.docx` or `ipss.html`.
        #[arg(short, long)]
        output: PathBuf,
        /// Language of the document.
        #[arg(long, value_enum, default_value_t = Lang::Ru)]
        lang: Lang,
        /// With a folder of versions, also use versions not yet published (drafts).
        #[arg(long)]
        drafts: bool,
    },
    /// A family's history: its snapshots (monthly updates, re-assessments), each assessed by the
    /// version in force on its date, grouped by case.id — the level over time, criteria and
    /// programme items new, continued and closed, reviews kept or overdue, post-accompaniment
    /// checks due.
    History {
        /// The rule-set folder: a version, or a folder of versions.
        #[arg(long)]
        rules: PathBuf,
        /// Snapshot files (JSON or YAML answers), or folders of them.
        snapshots: Vec<PathBuf>,
        /// Snapshots as JSON Lines, one set of answers per line.
        #[arg(long)]
        input: Option<PathBuf>,
        /// The date to read the history on (reviews and checks before it are due); default today.
        #[arg(long)]
        on: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = commands::HistoryFormat::Human)]
        format: commands::HistoryFormat,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Language of the human and HTML output.
        #[arg(long, value_enum, default_value_t = Lang::Ru)]
        lang: Lang,
        /// With a folder of versions, also use versions not yet published (drafts).
        #[arg(long)]
        drafts: bool,
    },
    /// Check a rule set for mistakes: every problem with file, line and rule.
    Check {
        /// The rule-set folder.
        rules: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Show a rule set item by item, with the file and line of each. With --effective, a
    /// regional overlay merged with its base: every item that applies, the layer it comes from
    /// (base or region, with its version, and whether the region replaced the base's), and the
    /// base items the region leaves out.
    Show {
        /// The rule-set folder.
        rules: PathBuf,
        /// The rule set as it applies: the region merged with its base.
        #[arg(long)]
        effective: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Run the rule set's own test cases (tests/*.yaml) and report coverage.
    Test {
        /// The rule-set folder.
        rules: PathBuf,
        /// Fail when some level, category, criterion, service, partner or deadline is never
        /// produced by any case.
        #[arg(long)]
        require_full_coverage: bool,
    },
    /// Re-assess a registry: JSON Lines, CSV or a folder of files in, one line per record out (the assessment, or an
    /// error row with the record number and case id, never answer values), in input order.
    Batch {
        /// The rule-set folder, or a folder of versions (each family gets the one in force).
        #[arg(long)]
        rules: PathBuf,
        /// The families: one JSON object per line, or a CSV file whose header names answer
        /// paths with dots (case.id, members.0.role, questionnaire.requested_help; lists split by ;),
        /// or a folder of JSON/YAML files, one family each (records numbered in the order of names).
        #[arg(long)]
        input: PathBuf,
        /// Where to write the results: JSON Lines, or CSV (one row per family) if it ends in .csv.
        #[arg(long)]
        output: PathBuf,
        /// Continue an interrupted run: keep the complete lines of --output, skip their records.
        #[arg(long)]
        resume: bool,
        /// With a folder of versions, also use versions not yet published (drafts).
        #[arg(long)]
        drafts: bool,
    },
    /// Serve the engine over HTTP for intake and case-management systems: assess, validate,
    /// relevant, whatif, batch (JSON Lines), the rule sets, their schemas and questions, health,
    /// metrics and an OpenAPI document (/v1/openapi.json). SIGHUP reloads the rules (a broken
    /// edit keeps the last good ones serving); SIGTERM finishes the requests in flight and stops.
    /// Logs (JSON lines on standard error) never hold an answer's value.
    Serve {
        /// The rule-set folder, or a folder of versions (each family gets the one in force).
        #[arg(long)]
        rules: PathBuf,
        /// The address to listen on; other than loopback only when told.
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: std::net::SocketAddr,
        /// With a folder of versions, also use versions not yet published (drafts).
        #[arg(long)]
        drafts: bool,
        /// A file whose first line is the bearer token every request but /healthz and /readyz
        /// must carry (`Authorization: Bearer …`).
        #[arg(long)]
        token_file: Option<PathBuf>,
        /// Write the case id (case.id) of assessed answers in the log.
        #[arg(long)]
        log_case_id: bool,
        /// Also reload the rules when the folder's files change (looked at every 2 s).
        #[arg(long)]
        watch: bool,
        /// The largest request body, in bytes (a batch streams and has none; each of its
        /// records has this limit too).
        #[arg(long, default_value_t = SERVE.body_bytes)]
        max_body: usize,
        /// Seconds a request (other than a batch) may take.
        #[arg(long, default_value_t = SERVE.request_time.as_secs())]
        request_timeout: u64,
        /// Seconds a client has to send a request's headers; an idle connection is closed after it.
        #[arg(long, default_value_t = SERVE.header_time.as_secs())]
        header_timeout: u64,
        /// Requests handled at once; more get 503 at once.
        #[arg(long, default_value_t = SERVE.requests)]
        max_requests: usize,
        /// Connections open at once.
        #[arg(long, default_value_t = SERVE.connections)]
        max_connections: usize,
        /// Batches streaming at once; more get 503 at once.
        #[arg(long, default_value_t = SERVE.batches)]
        max_batches: usize,
        /// Seconds the requests in flight have to finish after SIGTERM.
        #[arg(long, default_value_t = SERVE.grace.as_secs())]
        grace: u64,
    },
    /// Compare two rule sets over a registry: who changes level, categories, criteria,
    /// services, partners or deadlines, and which rules and acts cause it.
    Diff {
        /// The rule set families were assessed with (a version folder).
        #[arg(long)]
        from: PathBuf,
        /// The new rule set (a version folder).
        #[arg(long)]
        to: PathBuf,
        /// The families, one JSON object per line.
        #[arg(long)]
        input: PathBuf,
        /// The date both rule sets assess on (default: the day --to comes into force).
        #[arg(long)]
        as_of: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = sopro_cli::diff::DiffFormat::Table)]
        format: sopro_cli::diff::DiffFormat,
        /// Where to write (standard output if not given; an HTML report needs a file).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Generate a synthetic registry of families (JSON Lines) from a rule set's questions,
    /// deterministic per seed.
    Gen {
        /// The rule-set folder: a version, or a folder of versions (each family is drawn by
        /// the version in force on its assessment date).
        #[arg(long, default_value = "rules/khmao")]
        rules: PathBuf,
        /// The sample profile: how often answers occur (default: sample.yaml in the folder of
        /// versions, if there is one; without one, values are drawn evenly).
        #[arg(long)]
        sample: Option<PathBuf>,
        /// How many families.
        #[arg(long, default_value_t = 1000)]
        n: usize,
        /// The seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write them (standard output if not given).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// With a folder of versions, also draw by versions not yet published (drafts).
        #[arg(long)]
        drafts: bool,
    },
    /// Publish a version: check it, run its test cases with full coverage and record its digest
    /// in published.yaml beside it. A published version never changes afterwards.
    Publish {
        /// The version folder (rules/khmao/2026.2).
        rules: PathBuf,
    },
    /// Write a rule set as one JSON bundle (files, their parsed form sealed to their digest) for the
    /// browser build, which reads no YAML.
    Bundle {
        /// The rule-set folder.
        rules: PathBuf,
        /// Where to write the bundle.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Print a JSON Schema.
    Schema {
        /// Which schema.
        #[arg(value_enum)]
        kind: SchemaKind,
        /// The rule-set folder (needed for `answers`).
        #[arg(long)]
        rules: Option<PathBuf>,
    },
}

/// Output format.
/// One family's answers and the rules to read them with (`assess`, `whatif`).
#[derive(clap::Args)]
struct FamilyArgs {
    /// The rule-set folder: a version (rules/khmao/2026.1), or a folder of versions
    /// (rules/khmao), of which the one in force on the answers' as_of is used.
    #[arg(long)]
    rules: PathBuf,
    /// The answers file, or `-` for standard input.
    answers: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Language of the human output.
    #[arg(long, value_enum, default_value_t = Lang::Ru)]
    lang: Lang,
    /// With a folder of versions, also use versions not yet published (drafts); their
    /// assessments carry a warning. Without it, only versions in published.yaml are used.
    #[arg(long)]
    drafts: bool,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    /// Readable text for a specialist.
    Human,
    /// JSON (the shapes of `sopro schema`).
    Json,
}

/// Language of the human output.
#[derive(Clone, Copy, ValueEnum)]
enum Lang {
    /// Русский.
    Ru,
    /// English.
    En,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Assess { family: f } => commands::assess(
            &f.rules,
            &f.answers,
            f.format == Format::Json,
            f.lang.into(),
            f.drafts.into_drafts(),
        ),
        Command::Programme { rules, answers, output, lang, drafts } => {
            commands::programme(&rules, &answers, &output, lang.into(), drafts.into_drafts())
        }
        Command::Whatif { family: f, to, leave, enter } => {
            let goal = sopro_engine::Goal::from_options(to.as_deref(), leave.as_deref(), enter.as_deref());
            let json = f.format == Format::Json;
            commands::whatif(&f.rules, &f.answers, &goal, json, f.lang.into(), f.drafts.into_drafts())
        }
        Command::History { rules, snapshots, input, on, format, output, lang, drafts } => {
            commands::history(&commands::HistoryArgs {
                rules: &rules,
                snapshots: &snapshots,
                input: input.as_deref(),
                on: on.as_deref(),
                format,
                output: output.as_deref(),
                lang: lang.into(),
                drafts: drafts.into_drafts(),
            })
        }
        Command::Publish { rules } => commands::publish(&rules),
        Command::Check { rules, format } => commands::check(&rules, format == Format::Json),
        Command::Show { rules, effective, format } => {
            sopro_cli::show::show(&rules, effective, format == Format::Json)
        }
        Command::Test { rules, require_full_coverage } => commands::test(&rules, require_full_coverage),
        Command::Bundle { rules, output } => commands::bundle(&rules, &output),
        Command::Batch { rules, input, output, resume, drafts } => {
            commands::batch(&rules, &input, &output, resume, drafts.into_drafts())
        }
        Command::Serve {
            rules,
            bind,
            drafts,
            token_file,
            log_case_id,
            watch,
            max_body,
            request_timeout,
            header_timeout,
            max_requests,
            max_connections,
            max_batches,
            grace,
        } => {
            use std::time::Duration;
            let limits = sopro_cli::serve::Limits {
                body_bytes: max_body,
                record_bytes: max_body,
                request_time: Duration::from_secs(request_timeout),
                header_time: Duration::from_secs(header_timeout),
                requests: max_requests,
                connections: max_connections,
                batches: max_batches,
                grace: Duration::from_secs(grace),
                ..Default::default()
            };
            sopro_cli::serve::run(sopro_cli::serve::Config {
                rules,
                drafts: drafts.into_drafts(),
                bind,
                token_file,
                limits,
                log_case_id,
                watch,
            })
        }
        Command::Diff { from, to, input, as_of, format, output } => {
            commands::diff(&from, &to, &input, as_of.as_deref(), format, output.as_deref())
        }
        Command::Gen { rules, sample, n, seed, output, drafts } => {
            commands::generate(&rules, sample.as_deref(), n, seed, output.as_deref(), drafts.into_drafts())
        }
        Command::Schema { kind, rules } => commands::schema(kind, rules.as_deref()),
    };
    ExitCode::from(code as u8)
}

/// `--drafts` as the engine's choice.
trait IntoDrafts {
    fn into_drafts(self) -> sopro_engine::Drafts;
}

impl IntoDrafts for bool {
    fn into_drafts(self) -> sopro_engine::Drafts {
        if self {
            sopro_engine::Drafts::Allowed
        } else {
            sopro_engine::Drafts::Refused
        }
    }
}

impl From<Lang> for sopro_engine::Lang {
    fn from(lang: Lang) -> Self {
        match lang {
            Lang::Ru => sopro_engine::Lang::Ru,
            Lang::En => sopro_engine::Lang::En,
        }
    }
}
