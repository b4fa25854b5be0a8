//! `sopro show`: a rule set item by item, with where each is written and — for a regional
//! overlay with `--effective` — the layer it comes from, merged with its base.

use std::fmt::Write as _;
use std::path::Path;

use sopro_engine::{Effective, Lang, LayerKind, RuleSet};

use crate::commands::exit;
use crate::files;

/// `sopro show [--effective] DIR`.
pub fn show(dir: &Path, effective: bool, json: bool) -> i32 {
    let source = match files::read_rules(dir) {
        Ok(source) => source,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::INPUT;
        }
    };
    let mut merged = match RuleSet::effective(&source) {
        Ok(merged) => merged,
        Err(diagnostics) => {
            for d in diagnostics.iter().filter(|d| d.is_error()) {
                eprintln!("{}: {d}", dir.display());
            }
            eprintln!("error: the rule set has errors; run `sopro check {}`", dir.display());
            return exit::RULES;
        }
    };
    if !effective {
        // The folder's own items only: the base's are what --effective adds.
        merged.items.retain(|item| item.rule.layer.as_ref().is_none_or(|l| l.layer == LayerKind::Region));
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&merged).unwrap_or_default());
    } else {
        print!("{}", human(&merged));
    }
    exit::OK
}

fn human(merged: &Effective) -> String {
    let mut out = String::new();
    let r = &merged.ruleset;
    let _ = match &r.base {
        Some(base) => {
            writeln!(out, "{} {} на базе {} {} ({})", r.id, r.version, base.id, base.version, r.digest)
        }
        None => writeln!(out, "{} {} ({})", r.id, r.version, r.digest),
    };
    let mut kind = None;
    for item in &merged.items {
        if kind != Some(item.kind) {
            kind = Some(item.kind);
            let _ = writeln!(out, "\n{}:", item.kind.what());
        }
        let label = item.label.as_ref().map_or("", |l| &*l.ru);
        let layer = item.rule.layer.as_ref().map(|l| l.words(Lang::Ru)).unwrap_or_default();
        let place =
            item.rule.line.map_or(item.rule.file.clone(), |line| format!("{}:{line}", item.rule.file));
        let _ = writeln!(out, "  {:<36} {:<44} {:<38} {place}", item.id, shorten(label, 44), layer);
    }
    if !merged.disabled.is_empty() {
        let _ = writeln!(out, "\nотключено регионом:");
        for d in &merged.disabled {
            let acts: Vec<&str> = d.basis.iter().map(|b| &*b.act).collect();
            let place = d.rule.line.map_or(d.rule.file.clone(), |line| format!("{}:{line}", d.rule.file));
            let _ = writeln!(
                out,
                "  {} `{}` — {} [{}] {place}",
                d.kind.what(),
                d.id,
                d.reason.ru,
                acts.join("; ")
            );
        }
    }
    out
}

/// At most `width` characters, with an ellipsis if cut.
fn shorten(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let cut: String = text.chars().take(width - 1).collect();
    format!("{cut}…")
}
