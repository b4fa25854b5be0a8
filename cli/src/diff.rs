//! `sopro diff`: every family of a registry assessed under two rule sets on the same day (by
//! default the day `--to` takes effect) — with what changed, the rules, acts and parameter
//! values that caused it, a level transition matrix and counts per change. Output as a
//! terminal summary, JSON Lines, CSV (one row per change) or a self-contained HTML report.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;

use rayon::prelude::*;
use serde_json::{json, Value};
use sopro_engine::{diff, ChangeKey, ChangeSign, DiffSummary, FamilyDiff, RuleSet};

const CHUNK: usize = 4096;
const SAMPLE: usize = 200;

/// The output format.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// A summary for the terminal.
    Table,
    /// One JSON line per family that changes.
    Jsonl,
    /// One CSV row per change (opens in Excel).
    Csv,
    /// A self-contained HTML report with a chart of the level transitions.
    Html,
}

/// The totals of a diff (the engine's summary) and the first families that change.
#[derive(Default)]
pub struct Report {
    pub summary: DiffSummary,
    pub sample: Vec<(u64, Option<String>, FamilyDiff)>,
}

/// A change as people read it: «+ партнёр «КДН и ЗП» (kdn_zp)», with the label of the rule set
/// the item comes from (the new one, or the old one for what no longer applies).
fn change_key(key: &ChangeKey, from: &RuleSet, to: &RuleSet) -> String {
    let sign = match key.sign {
        ChangeSign::Added => "+",
        ChangeSign::Removed => "−",
        ChangeSign::Changed => "~",
    };
    let kind = sopro_engine::change_kind_label(key.kind).ru;
    match to.label_of(&key.id).or_else(|| from.label_of(&key.id)) {
        Some(label) => format!("{sign} {kind} «{}» ({})", label.ru, key.id),
        None => format!("{sign} {kind} {}", key.id),
    }
}

/// One family's change in words; a change of level says from which to which.
fn change_text(change: &sopro_engine::Change, from: &RuleSet, to: &RuleSet) -> String {
    if change.kind == "level" {
        return format!(
            "~ уровень: {} → {}",
            label(to, change.from.as_deref().unwrap_or("")),
            label(to, change.to.as_deref().unwrap_or(""))
        );
    }
    change_key(&ChangeKey::of(change), from, to)
}

/// Diffs every family of `input`.
pub fn run(
    from: &RuleSet,
    to: &RuleSet,
    input: &Path,
    as_of: &str,
    format: DiffFormat,
    output: Option<&Path>,
) -> Result<Report, String> {
    let file = File::open(input).map_err(|e| format!("{}: {e}", input.display()))?;
    let sink: Box<dyn Write> = match output {
        Some(path) => Box::new(File::create(path).map_err(|e| format!("{}: {e}", path.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut sink = BufWriter::new(sink);
    if format == DiffFormat::Csv {
        let header =
            ["record", "case_id", "level_from", "level_to", "kind", "id", "from", "to", "because", "basis"];
        sink.write_all(&csv_rows(&[header.map(str::to_owned).to_vec()])?).map_err(|e| e.to_string())?;
    }
    let mut report = Report::default();
    let mut reader = BufReader::new(file);
    let mut record = 0_u64;
    let mut done = false;
    while !done {
        let (chunk, end) = crate::batch::read_chunk(&mut reader, &mut record, CHUNK, |_| {})
            .map_err(|e| format!("{}: {e}", input.display()))?;
        done = end;
        let results: Vec<_> = chunk
            .par_iter()
            .map(|(n, line)| {
                let crate::batch::Record::Text(line) = line else { return None };
                let answers: Value = serde_json::from_str(line).ok()?;
                let case_id = answers.pointer("/case/id").and_then(Value::as_str).map(str::to_owned);
                // Both versions assess the family on the same day, so only the rules differ.
                let mut answers = answers;
                answers["as_of"] = json!(as_of);
                let before = from.assess(&answers).ok()?;
                let after = to.assess(&answers).ok()?;
                Some((*n, case_id, diff(&before, &after)))
            })
            .collect();
        for result in results {
            let Some((n, case_id, d)) = result else {
                report.summary.record_error();
                continue;
            };
            report.summary.record(&d);
            if d.is_empty() {
                continue;
            }
            match format {
                DiffFormat::Jsonl => {
                    let line = json!({"record": n, "case_id": case_id, "level_from": d.level_from, "level_to": d.level_to, "changes": d.changes, "parameters": d.parameters});
                    writeln!(sink, "{line}").map_err(|e| e.to_string())?;
                }
                DiffFormat::Csv => {
                    let rows: Vec<Vec<String>> = d
                        .changes
                        .iter()
                        .map(|c| {
                            let because = c.because.iter().map(|b| &**b).collect::<Vec<_>>().join(" ");
                            let basis = c
                                .basis
                                .iter()
                                .map(|b| format!("{} {}", b.act, b.article.as_deref().unwrap_or("")))
                                .collect::<Vec<_>>()
                                .join("; ");
                            vec![
                                n.to_string(),
                                case_id.clone().unwrap_or_default(),
                                d.level_from.to_string(),
                                d.level_to.to_string(),
                                c.kind.to_owned(),
                                c.id.to_string(),
                                c.from.clone().unwrap_or_default(),
                                c.to.clone().unwrap_or_default(),
                                because,
                                basis,
                            ]
                        })
                        .collect();
                    sink.write_all(&csv_rows(&rows)?).map_err(|e| e.to_string())?;
                }
                DiffFormat::Table | DiffFormat::Html => {}
            }
            if report.sample.len() < SAMPLE {
                report.sample.push((n, case_id, d));
            }
        }
    }
    match format {
        DiffFormat::Table => sink.write_all(table(&report, from, to, as_of).as_bytes()),
        DiffFormat::Html => sink.write_all(html(&report, from, to, as_of).as_bytes()),
        _ => Ok(()),
    }
    .map_err(|e| e.to_string())?;
    sink.flush().map_err(|e| e.to_string())?;
    eprintln!(
        "{} families compared, {} change, {} could not be assessed",
        report.summary.compared, report.summary.changed, report.summary.errors
    );
    Ok(report)
}

/// CSV text of some rows (quoted as Excel expects).
fn csv_rows(rows: &[Vec<String>]) -> Result<Vec<u8>, String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.write_record(row).map_err(|e| e.to_string())?;
    }
    writer.into_inner().map_err(|e| e.to_string())
}

fn levels(to: &RuleSet) -> Vec<String> {
    to.level_ids().into_iter().map(str::to_owned).collect()
}

fn label(rules: &RuleSet, id: &str) -> String {
    rules.label_of(id).map_or(id.to_owned(), |l| l.ru.to_string())
}

/// The acts behind a change, after the layer of its rule where the rule set is an overlay.
fn acts_of(report: &Report, key: &ChangeKey) -> String {
    let acts = report.summary.acts.get(key);
    let acts = acts.map(|acts| acts.keys().map(|a| a.to_string()).collect::<Vec<_>>().join("; "));
    match report.summary.layers.get(key) {
        Some(layer) => format!("{}: {}", layer.words(sopro_engine::Lang::Ru), acts.unwrap_or_default()),
        None => acts.unwrap_or_default(),
    }
}

fn table(report: &Report, from: &RuleSet, to: &RuleSet, as_of: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Сравнение на {as_of}: {} {} → {} {}",
        from.id(),
        from.version(),
        to.id(),
        to.version()
    );
    let _ = writeln!(
        out,
        "Семей: {}, изменится: {}, не оценено: {}\n",
        report.summary.compared, report.summary.changed, report.summary.errors
    );
    let levels = levels(to);
    let _ = writeln!(out, "Переходы уровней (строки — было, столбцы — стало):");
    let _ = write!(out, "{:>16}", "");
    for l in &levels {
        let _ = write!(out, "{l:>16}");
    }
    let _ = writeln!(out);
    for row in &levels {
        let _ = write!(out, "{row:>16}");
        for col in &levels {
            let n = report.summary.transition(row, col);
            let _ = write!(out, "{n:>16}");
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "\nЧто меняется (семей; основание):");
    for (key, n) in report.summary.top_changes().into_iter().take(25) {
        let _ = writeln!(out, "  {n:>8}  {}  [{}]", change_key(key, from, to), acts_of(report, key));
    }
    let _ = writeln!(out, "\nПервые семьи с изменениями:");
    for (n, case_id, d) in report.sample.iter().take(20) {
        let changes: Vec<String> = d.changes.iter().map(|c| change_text(c, from, to)).collect();
        let _ = writeln!(
            out,
            "  запись {n} ({}): {} → {}: {}",
            case_id.as_deref().unwrap_or("—"),
            label(to, &d.level_from),
            label(to, &d.level_to),
            changes.join(", ")
        );
    }
    out
}

pub(crate) fn escape(text: &str) -> String {
    sopro_engine::escape_html(text)
}

fn html(report: &Report, from: &RuleSet, to: &RuleSet, as_of: &str) -> String {
    let levels = levels(to);
    let colors = ["#d92d20", "#f79009", "#2e90fa", "#12b76a", "#98a2b3"];
    let color = |level: &str| {
        levels.iter().position(|l| l == level).and_then(|i| colors.get(i)).copied().unwrap_or("#667085")
    };
    // Chart: one bar per transition that changes the level, longest first.
    let mut moves: Vec<(&(sopro_engine::Text, sopro_engine::Text), &u64)> =
        report.summary.transitions.iter().filter(|((a, b), _)| a != b).collect();
    moves.sort_by(|a, b| b.1.cmp(a.1));
    let max = moves.first().map_or(1, |(_, n)| **n).max(1);
    let mut chart = String::new();
    let bar_height = 26;
    for (i, ((a, b), n)) in moves.iter().enumerate() {
        let y = i * (bar_height + 8);
        let width = (**n as f64 / max as f64 * 460.0).max(2.0);
        let _ = write!(
            chart,
            r#"<text x="0" y="{ty}" class="t">{} → {}</text><rect x="390" y="{y}" width="{width:.0}" height="{bar_height}" fill="{}" rx="3"/><text x="{tx:.0}" y="{ty}" class="t">{n}</text>"#,
            escape(&label(to, a)),
            escape(&label(to, b)),
            color(b),
            ty = y + 18,
            tx = 396.0 + width,
        );
    }
    let chart_height = moves.len().max(1) * (bar_height + 8);
    let mut matrix = String::from("<tr><th>было \\ стало</th>");
    for l in &levels {
        let _ = write!(matrix, "<th>{}</th>", escape(&label(to, l)));
    }
    matrix.push_str("</tr>");
    for row in &levels {
        let _ = write!(matrix, "<tr><th>{}</th>", escape(&label(to, row)));
        for col in &levels {
            let n = report.summary.transition(row, col);
            let class = if row == col {
                "same"
            } else if n > 0 {
                "move"
            } else {
                ""
            };
            let _ = write!(matrix, r#"<td class="{class}">{n}</td>"#);
        }
        matrix.push_str("</tr>");
    }
    let mut changes = String::new();
    for (key, n) in report.summary.top_changes().into_iter().take(40) {
        let _ = write!(
            changes,
            "<tr><td>{n}</td><td>{}</td><td>{}</td></tr>",
            escape(&change_key(key, from, to)),
            escape(&acts_of(report, key))
        );
    }
    let mut families = String::new();
    for (n, case_id, d) in &report.sample {
        let list: Vec<String> = d.changes.iter().map(|c| escape(&change_text(c, from, to))).collect();
        let _ = write!(
            families,
            "<tr><td>{n}</td><td>{}</td><td>{} → {}</td><td>{}</td></tr>",
            escape(case_id.as_deref().unwrap_or("—")),
            escape(&label(to, &d.level_from)),
            escape(&label(to, &d.level_to)),
            list.join("<br>")
        );
    }
    format!(
        r#"<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Sopro: изменения {from_v} → {to_v}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#1d2430}}h1{{font-size:1.4rem}}.n{{font-size:2rem;font-weight:600}}
.cards{{display:flex;gap:1rem}}.card{{border:1px solid #dde1e6;border-radius:8px;padding:.8rem 1.2rem}}
table{{border-collapse:collapse;margin:.5rem 0 1.5rem}}td,th{{border:1px solid #dde1e6;padding:.3rem .6rem;text-align:left;vertical-align:top}}
td.same{{background:#f2f4f7}}td.move{{background:#fef0c7;font-weight:600}}.t{{font-size:13px;fill:#1d2430}}.muted{{color:#667085}}</style></head>
<body><h1>Изменения при переходе на правила {id} {to_v}</h1>
<p class="muted">Каждая семья оценена на {as_of} по {id} {from_v} и по {id} {to_v}. Отпечатки: {from_d} → {to_d}.</p>
<div class="cards"><div class="card"><div class="n">{compared}</div>семей сравнено</div><div class="card"><div class="n">{changed}</div>изменится</div><div class="card"><div class="n">{errors}</div>не оценено</div></div>
<h2>Переходы уровней сопровождения</h2>
<svg width="900" height="{chart_height}" role="img" aria-label="переходы уровней">{chart}</svg>
<table>{matrix}</table>
<h2>Что меняется и на каком основании</h2><table><tr><th>семей</th><th>изменение</th><th>основание</th></tr>{changes}</table>
<h2>Семьи с изменениями (первые {sample})</h2><table><tr><th>запись</th><th>случай</th><th>уровень</th><th>изменения</th></tr>{families}</table>
</body></html>
"#,
        id = escape(to.id()),
        from_v = escape(from.version()),
        to_v = escape(to.version()),
        from_d = escape(from.digest()),
        to_d = escape(to.digest()),
        compared = report.summary.compared,
        changed = report.summary.changed,
        errors = report.summary.errors,
        sample = report.sample.len(),
    )
}
