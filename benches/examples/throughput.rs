//! Batch throughput against the naive floor, in one run on the same input:
//!
//! ```text
//! cargo run --release -p sopro-benches --example throughput -- 100000 [jsonl|csv]
//! ```
//!
//! 1. writes `sopro gen --n N --seed 7` to `target/throughput/registry-N.jsonl` (once);
//! 2. **naive floor**: reads it in chunks of 4 096 lines, parses each line into a
//!    `serde_json::Value` in parallel (rayon, all cores) and writes a small result line;
//! 3. **`sopro batch`** (`sopro_cli::batch::run`, the same code as the CLI) over the same file,
//!    with `--rules rules/khmao` (every version; each family gets the one in force);
//!
//! and prints families/s for both, their ratio, and the process's peak RSS (VmHWM). Run one
//! process per N to compare peak memory across N.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

fn main() -> Result<(), String> {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let format = std::env::args().nth(2).unwrap_or_else(|| "jsonl".to_owned());
    let dir = sopro_benches::root().join("target/throughput");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let input = registry(&dir, n)?;
    let size = std::fs::metadata(&input).map_err(|e| e.to_string())?.len();
    println!(
        "input: {n} families, {:.0} MB ({:.2} kB per family), {} threads",
        size as f64 / 1e6,
        size as f64 / n as f64 / 1e3,
        rayon::current_num_threads()
    );

    let started = Instant::now();
    let floor_records = naive_floor(&input, &dir.join("naive.jsonl"))?;
    let floor = floor_records as f64 / started.elapsed().as_secs_f64();
    println!("naive floor (parse to Value + small write): {floor:.0} families/s");

    let library = sopro_cli::files::load_library(
        &sopro_benches::root().join("rules/khmao"),
        sopro_engine::Drafts::Refused,
    )
    .map_err(|e| e.to_string())?;
    let output = dir.join(format!("assessed.{format}"));
    let started = Instant::now();
    let summary = sopro_cli::batch::run(&library, &input, &output, false)?;
    let batch = summary.records as f64 / started.elapsed().as_secs_f64();
    let written = std::fs::metadata(&output).map_err(|e| e.to_string())?.len();
    println!(
        "sopro batch ({format} out, {:.0} MB, {:.2} kB per family): {batch:.0} families/s, {:.1}% of the floor ({:.1}× slower)",
        written as f64 / 1e6,
        written as f64 / n as f64 / 1e3,
        100.0 * batch / floor,
        floor / batch
    );
    println!("peak RSS (VmHWM): {}", peak_rss());
    Ok(())
}

/// The synthetic registry of `n` families (generated once, then reused), as `sopro gen --n N
/// --seed 7` makes it: by the engine's generator over the KhMAO versions and their sample profile.
fn registry(dir: &Path, n: usize) -> Result<PathBuf, String> {
    let path = dir.join(format!("registry-{n}.jsonl"));
    if !path.exists() {
        let rules = sopro_benches::root().join("rules/khmao");
        let library = sopro_cli::files::load_library(&rules, sopro_engine::Drafts::Refused)
            .map_err(|e| e.to_string())?;
        let profile = sopro_cli::files::read_sample(&rules, None).map_err(|e| e.to_string())?;
        let mut out = BufWriter::new(File::create(&path).map_err(|e| e.to_string())?);
        for family in library.generator(profile.as_ref()).families(n, 7) {
            writeln!(out, "{family}").map_err(|e| e.to_string())?;
        }
        out.flush().map_err(|e| e.to_string())?;
    }
    Ok(path)
}

/// Reads, parses into `serde_json::Value` and writes a small line per record, as `sopro batch`
/// does but with no assessment: what any JSON Lines tool must at least spend.
fn naive_floor(input: &Path, output: &Path) -> Result<u64, String> {
    let mut reader = BufReader::new(File::open(input).map_err(|e| e.to_string())?);
    let mut out = BufWriter::new(File::create(output).map_err(|e| e.to_string())?);
    let mut record = 0_u64;
    loop {
        let (chunk, end) =
            sopro_cli::batch::read_lines(&mut reader, &mut record, 4096).map_err(|e| e.to_string())?;
        let results: Vec<String> = chunk
            .par_iter()
            .map(|(n, line)| {
                let ok = serde_json::from_str::<serde_json::Value>(line).is_ok();
                format!("{{\"record\":{n},\"ok\":{ok}}}")
            })
            .collect();
        for line in results {
            writeln!(out, "{line}").map_err(|e| e.to_string())?;
        }
        if end {
            break;
        }
    }
    out.flush().map_err(|e| e.to_string())?;
    Ok(record)
}

fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| status.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l[6..].trim().to_owned()))
        .unwrap_or_else(|| "unknown".to_owned())
}
