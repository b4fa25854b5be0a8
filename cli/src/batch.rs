//! `sopro batch`: re-assess a registry. Reads JSON Lines, CSV (the engine's `CsvColumns`) or a folder of
//! JSON/YAML files (one family each), assesses records in parallel in chunks (bounded memory), writes one line per record in input order — the assessment, or an
//! error row with the record number and case id and never an answer value — and accounts for
//! every record. `--resume` continues an interrupted run from the last complete line.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use serde_json::json;
use sopro_engine::{envelope, AssessError, Assessment, BadJson, ErrorKind, Explain, RuleLibrary};

/// Records assessed together; bounds memory whatever the input's size.
const CHUNK: usize = 4096;

/// What a run accounted for.
#[derive(Debug, Default)]
pub struct Summary {
    pub records: u64,
    pub resumed_after: u64,
    pub errors: u64,
    pub levels: BTreeMap<String, u64>,
    pub error_kinds: BTreeMap<String, u64>,
}

/// One input record: its answers as JSON text, or why it could not be read.
pub(crate) enum Record {
    Text(String),
    Unreadable { kind: ErrorKind, message: String },
}

impl Record {
    /// Its size in bytes (a message's, for one that cannot be read).
    pub(crate) fn size(&self) -> usize {
        match self {
            Record::Text(text) => text.len(),
            Record::Unreadable { message, .. } => message.len(),
        }
    }

    /// A line of JSON Lines (its end of line cut off), or why it cannot be read: not UTF-8.
    pub(crate) fn from_line(line: Vec<u8>) -> Record {
        match String::from_utf8(line) {
            Ok(mut text) => {
                let kept = text.trim_end_matches(['\n', '\r']).len();
                text.truncate(kept);
                Record::Text(text)
            }
            Err(_) => Record::Unreadable {
                kind: ErrorKind::BadUtf8,
                message: "the record is not valid UTF-8".to_owned(),
            },
        }
    }
}

/// Numbered input records.
pub(crate) type Lines = Vec<(u64, Record)>;

/// Reads up to `max` lines, numbering them on from `record` (1-based). A line that is not
/// valid UTF-8 comes back as `None`, so it is reported rather than stopping the run.
/// `on_bytes` sees how much was read (for progress). The flag says the input is at its end.
pub(crate) fn read_chunk(
    reader: &mut impl BufRead,
    record: &mut u64,
    max: usize,
    mut on_bytes: impl FnMut(usize),
) -> std::io::Result<(Lines, bool)> {
    let mut chunk = Vec::with_capacity(max);
    while chunk.len() < max {
        let mut line = Vec::new();
        let read = reader.read_until(b'\n', &mut line)?;
        if read == 0 {
            return Ok((chunk, true));
        }
        on_bytes(read);
        *record += 1;
        chunk.push((*record, Record::from_line(line)));
    }
    Ok((chunk, false))
}

/// Up to `max` lines of JSON Lines as text, numbered on from `record` (lines that are not
/// UTF-8 are left out): for tools that measure reading alone (benches/examples/throughput.rs).
pub fn read_lines(
    reader: &mut impl BufRead,
    record: &mut u64,
    max: usize,
) -> std::io::Result<(Vec<(u64, String)>, bool)> {
    let (chunk, end) = read_chunk(reader, record, max, |_| {})?;
    let lines = chunk
        .into_iter()
        .filter_map(|(n, record)| match record {
            Record::Text(text) => Some((n, text)),
            Record::Unreadable { .. } => None,
        })
        .collect();
    Ok((lines, end))
}

/// The columns of the CSV output: one row per family.
const CSV_HEADER: [&str; 14] = [
    "record",
    "case_id",
    "ruleset",
    "level",
    "review_on",
    "categories",
    "criteria",
    "urgent_services",
    "consultations",
    "partners",
    "deadlines",
    "programme",
    "error",
    "error_paths",
];

/// The CSV row of one record: the assessment's ids (with severities, urgencies and due dates;
/// the programme's activities with their due dates, empty where the version drafts none),
/// or the error's kind and the paths of the problems.
fn csv_row(record: u64, case_id: Option<&str>, result: Result<&Assessment, (&str, Vec<&str>)>) -> String {
    /// `id` or `id:detail` of each item, separated by `;`.
    fn cell<'a>(items: impl Iterator<Item = (&'a str, Option<&'a str>)>) -> String {
        let mut cell = String::new();
        for (id, detail) in items {
            if !cell.is_empty() {
                cell.push(';');
            }
            cell.push_str(id);
            if let Some(detail) = detail {
                cell.push(':');
                cell.push_str(detail);
            }
        }
        cell
    }
    let mut row: Vec<String> = vec![record.to_string(), case_id.unwrap_or_default().to_owned()];
    match result {
        Ok(a) => {
            row.extend([
                format!("{} {}", a.ruleset.id, a.ruleset.version),
                a.level.id.to_string(),
                a.level.review_on.clone().unwrap_or_default(),
                cell(a.categories.iter().map(|f| (&*f.id, None))),
                cell(a.criteria.iter().map(|f| (&*f.id, Some(f.severity.id())))),
                cell(a.urgent_services.iter().map(|f| (&*f.id, None))),
                cell(a.consultations.iter().map(|f| (&*f.id, None))),
                cell(a.partners.iter().map(|f| (&*f.id, Some(f.urgency.id())))),
                cell(a.deadlines.iter().map(|f| (&*f.id, Some(f.due.as_str())))),
                cell(a.programme.iter().flat_map(|p| &p.items).map(|i| (&*i.id, i.due.as_deref()))),
                String::new(),
                String::new(),
            ]);
        }
        Err((kind, paths)) => {
            row.extend(std::iter::repeat_n(String::new(), 10));
            row.extend([kind.to_owned(), paths.join(";")]);
        }
    }
    // A small buffer: the writer is made per row (the default buffer is 8 KiB).
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(512)
        .from_writer(Vec::with_capacity(512));
    let _ = writer.write_record(&row);
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).trim_end_matches('\n').to_owned()
}

/// Where records come from: JSON Lines, CSV rows mapped to answers (`CsvColumns`), or the
/// JSON/YAML files of a folder, in the order of their names.
enum Source {
    Lines(BufReader<File>),
    Csv(csv::Reader<File>, sopro_engine::CsvColumns),
    Folder(std::vec::IntoIter<PathBuf>),
}

impl Source {
    fn open(input: &Path, library: &RuleLibrary) -> Result<Source, String> {
        if input.is_dir() {
            return Ok(Source::Folder(answer_files(input)?.into_iter()));
        }
        let file = File::open(input).map_err(|e| format!("{}: {e}", input.display()))?;
        if !input.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
            return Ok(Source::Lines(BufReader::new(file)));
        }
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(file);
        let header = reader
            .headers()
            .map_err(|e| format!("{}: the CSV header cannot be read ({e})", input.display()))?;
        let questions = library.versions().last().map(|v| v.questions()).unwrap_or_default();
        let columns = sopro_engine::CsvColumns::new(header.iter(), questions);
        Ok(Source::Csv(reader, columns))
    }

    /// Up to `max` records as JSON text (`None`: unreadable), numbered on from `record`.
    fn chunk(
        &mut self,
        record: &mut u64,
        max: usize,
        on_bytes: impl FnMut(usize),
    ) -> std::io::Result<(Lines, bool)> {
        match self {
            Source::Lines(reader) => read_chunk(reader, record, max, on_bytes),
            Source::Csv(reader, columns) => {
                let mut on_bytes = on_bytes;
                let mut chunk = Vec::with_capacity(max);
                let mut row = csv::StringRecord::new();
                while chunk.len() < max {
                    let before = reader.position().byte();
                    let read = reader.read_record(&mut row);
                    on_bytes((reader.position().byte() - before) as usize);
                    match read {
                        Ok(false) => return Ok((chunk, true)),
                        Ok(true) => {
                            *record += 1;
                            let answers = columns.answers(row.iter()).to_string();
                            chunk.push((*record, Record::Text(answers)));
                        }
                        Err(_) => {
                            *record += 1;
                            let message = "the row cannot be read as CSV (or is not valid UTF-8)".to_owned();
                            chunk.push((*record, Record::Unreadable { kind: ErrorKind::BadCsv, message }));
                        }
                    }
                }
                Ok((chunk, false))
            }
            Source::Folder(files) => {
                let mut on_bytes = on_bytes;
                let chunk: Lines = files
                    .take(max)
                    .map(|file| {
                        *record += 1;
                        on_bytes(1);
                        (*record, read_answer_file(&file))
                    })
                    .collect();
                let end = chunk.len() < max || files.len() == 0;
                Ok((chunk, end))
            }
        }
    }
}

/// The JSON and YAML files of a folder, sorted by name: record `n` is the `n`-th of them.
fn answer_files(folder: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.is_file()
                && path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    ["json", "yaml", "yml"].iter().any(|known| e.eq_ignore_ascii_case(known))
                })
        })
        .collect();
    files.sort();
    Ok(files)
}

/// One family's file as JSON text. The reason a file cannot be read names the file and the
/// position, never its content.
fn read_answer_file(file: &Path) -> Record {
    match crate::files::read_answers(file) {
        Ok(answers) => Record::Text(answers.to_string()),
        Err(message) => Record::Unreadable { kind: ErrorKind::BadFile, message },
    }
}

/// A JSON Lines row of an assessed family.
#[derive(serde::Serialize)]
struct AssessedRow<'a> {
    record: u64,
    case_id: Option<&'a str>,
    assessment: &'a Assessment,
}

/// The output line of one record (`record` is 1-based), in JSON or as a CSV row, with the key
/// it counts under in the summary (its level, or the kind of error) and whether it is an error.
pub(crate) fn result_line(
    library: &RuleLibrary,
    record: u64,
    input: &Record,
    csv: bool,
) -> (String, Result<String, String>) {
    let line = match input {
        Record::Text(line) => line,
        Record::Unreadable { kind, message } => return unreadable(record, *kind, message, csv),
    };
    // A CSV row keeps ids, severities, urgencies and dates: the answers read and the missing
    // ones are not computed for it.
    let explain = if csv { Explain::BRIEF } else { Explain::ALL };
    // The answers read straight into the slots of the version in force (no `Value`), and the
    // case id the row carries, found in the same scan as the date that chooses the version.
    let (found, assessed) = match library.assess_json_peeking(line, explain, &[&["case", "id"]]) {
        Ok(read) => read,
        Err(e) => return not_json(record, e, csv),
    };
    let case_id = found.first().and_then(|id| id.as_deref());
    match assessed {
        Ok(assessment) => {
            let level = assessment.level.id.to_string();
            let text = if csv {
                csv_row(record, case_id, Ok(&assessment))
            } else {
                // Serialised straight from the assessment, without an intermediate `Value`.
                serde_json::to_string(&AssessedRow { record, case_id, assessment: &assessment })
                    .unwrap_or_else(|e| {
                        let error = envelope::failure(ErrorKind::Internal, &e.to_string());
                        json!({"record": record, "case_id": case_id, "error": error}).to_string()
                    })
            };
            (level, Ok(text))
        }
        Err(error) => {
            let text = if csv {
                let paths = match &error {
                    AssessError::InvalidAnswers { problems } => {
                        problems.iter().map(|p| p.path.as_str()).collect()
                    }
                    _ => Vec::new(),
                };
                csv_row(record, case_id, Err((error.kind(), paths)))
            } else {
                json!({"record": record, "case_id": case_id, "error": error}).to_string()
            };
            (error.kind().to_owned(), Err(text))
        }
    }
}

/// The error row of a record that is not JSON.
fn not_json(record: u64, error: BadJson, csv: bool) -> (String, Result<String, String>) {
    let message = format!("not a JSON object (column {})", error.column);
    unreadable(record, ErrorKind::BadJson, &message, csv)
}

/// The error row of a record that could not be read as answers.
fn unreadable(record: u64, kind: ErrorKind, message: &str, csv: bool) -> (String, Result<String, String>) {
    let text = if csv {
        csv_row(record, None, Err((kind.as_str(), Vec::new())))
    } else {
        json!({"record": record, "error": envelope::failure(kind, message)}).to_string()
    };
    (kind.as_str().to_owned(), Err(text))
}

/// Lines already written to `output` by an interrupted run; a partly written last line is cut.
fn complete_lines(output: &Path) -> std::io::Result<u64> {
    let Ok(mut file) = OpenOptions::new().read(true).write(true).open(output) else { return Ok(0) };
    let mut text = Vec::new();
    file.read_to_end(&mut text)?;
    let keep = text.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    file.set_len(keep as u64)?;
    file.seek(SeekFrom::End(0))?;
    Ok(text[..keep].iter().filter(|b| **b == b'\n').count() as u64)
}

/// A failed write (a full disk, a size limit): what happened and how to continue.
fn write_failed(output: &Path, error: &std::io::Error) -> String {
    format!(
        "{}: writing failed ({error}). The records written completely are kept: free space and \
         run the same command with --resume to continue without losing or repeating a record",
        output.display()
    )
}

/// Runs a batch from `input` (JSON Lines) to `output`: JSON Lines, or CSV (one row per family)
/// when its name ends in `.csv`.
pub fn run(library: &RuleLibrary, input: &Path, output: &Path, resume: bool) -> Result<Summary, String> {
    let csv = output.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let mut summary = Summary::default();
    let written =
        if resume { complete_lines(output).map_err(|e| format!("{}: {e}", output.display()))? } else { 0 };
    // The CSV header is a line but not a record.
    let skip = if csv { written.saturating_sub(1) } else { written };
    summary.resumed_after = skip;
    let mut source = Source::open(input, library)?;
    // Progress is in bytes of a file, or in files of a folder.
    let size = match &source {
        Source::Folder(files) => files.len() as u64,
        _ => std::fs::metadata(input).map(|m| m.len()).unwrap_or(0),
    };
    let out = OpenOptions::new()
        .create(true)
        .write(true)
        .append(resume)
        .truncate(!resume)
        .open(output)
        .map_err(|e| format!("{}: {e}", output.display()))?;
    let mut out = BufWriter::new(out);
    if csv && written == 0 {
        writeln!(out, "{}", CSV_HEADER.join(",")).map_err(|e| format!("{}: {e}", output.display()))?;
    }
    let progress = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(size);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} · {per_sec} · осталось {eta} · {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(bar)
    } else {
        None
    };
    let started = Instant::now();
    let mut record: u64 = 0;
    let mut done = false;
    while !done {
        let (mut chunk, end) = source
            .chunk(&mut record, CHUNK, |bytes| {
                if let Some(bar) = &progress {
                    bar.inc(bytes as u64);
                }
            })
            .map_err(|e| format!("{}: {e}", input.display()))?;
        done = end;
        // Records an interrupted run already wrote are skipped.
        chunk.retain(|(n, _)| *n > skip);
        let results: Vec<(String, Result<String, String>)> =
            chunk.par_iter().map(|(n, record)| result_line(library, *n, record, csv)).collect();
        for (key, line) in results {
            summary.records += 1;
            match line {
                Ok(text) => {
                    *summary.levels.entry(key).or_default() += 1;
                    writeln!(out, "{text}")
                }
                Err(text) => {
                    summary.errors += 1;
                    *summary.error_kinds.entry(key).or_default() += 1;
                    writeln!(out, "{text}")
                }
            }
            .map_err(|e| write_failed(output, &e))?;
        }
        // Whole chunks reach the disk, so an interrupted run resumes from a complete line.
        out.flush().map_err(|e| write_failed(output, &e))?;
        if let Some(bar) = &progress {
            bar.set_message(format!("{} записей", summary.records + skip));
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let seconds = started.elapsed().as_secs_f64().max(1e-9);
    for (level, count) in &summary.levels {
        eprintln!("  {level}: {count}");
    }
    for (kind, count) in &summary.error_kinds {
        eprintln!("  error {kind}: {count}");
    }
    eprintln!(
        "{} records ({} resumed), {} assessed, {} errors, {:.0} records/s",
        summary.records + skip,
        skip,
        summary.records - summary.errors,
        summary.errors,
        summary.records as f64 / seconds
    );
    Ok(summary)
}
