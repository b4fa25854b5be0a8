//! Criterion benchmarks: loading (parse + check + compile) the KhMAO rule set, from its files
//! and from a bundle with and without its parsed form, assessing
//! families of three sizes with the compiled rule set, and assessing them from JSON text.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use sopro_benches::{families, khmao, khmao_source};
use sopro_engine::{Bundle, Explain, Goal, RuleSet};

fn load(c: &mut Criterion) {
    let source = khmao_source();
    c.bench_function("load/khmao-2026.1", |b| b.iter(|| RuleSet::load(std::hint::black_box(&source))));
    // What the browser does at start: a bundle's JSON read and its rule set compiled from the
    // parsed form it carries (no YAML), against the same from the files (YAML parsed).
    let rules = RuleSet::load(&source).ruleset.expect("KhMAO 2026.1 compiles");
    let text = serde_json::to_string(&rules.bundle(&source)).expect("a bundle is JSON");
    let mut group = c.benchmark_group("load_bundle");
    group.bench_function("prepared", |b| {
        b.iter(|| {
            let bundle: Bundle = serde_json::from_str(std::hint::black_box(&text)).expect("bundle");
            RuleSet::from_prepared_bundle(&bundle).expect("loads")
        })
    });
    group.bench_function("yaml", |b| {
        b.iter(|| {
            let mut bundle: Bundle = serde_json::from_str(std::hint::black_box(&text)).expect("bundle");
            bundle.prepared = None;
            RuleSet::from_bundle(&bundle).expect("loads")
        })
    });
    group.finish();
}

fn assess(c: &mut Criterion) {
    let rules = khmao();
    let mut group = c.benchmark_group("assess");
    for (name, answers) in families() {
        group.bench_with_input(BenchmarkId::new("khmao-2026.1", name), &answers, |b, answers| {
            b.iter(|| rules.assess(std::hint::black_box(answers)))
        });
    }
    group.finish();
}

/// The typical family by 2026.3 and by 2026.4, which also drafts the individual programme
/// (issue 13: 70 activities matched against the findings, due dates by the calendar).
fn assess_with_programme(c: &mut Criterion) {
    let load = |version: &str| {
        let dir = sopro_benches::root().join("rules/khmao").join(version);
        sopro_cli::files::load_rules(&dir).unwrap_or_else(|e| panic!("{version}: {e}"))
    };
    let (without, with) = (load("2026.3"), load("2026.4"));
    let (_, typical) = families().into_iter().find(|(n, _)| *n == "typical").expect("the typical family");
    let mut group = c.benchmark_group("assess_programme");
    group.bench_function("khmao-2026.3/typical", |b| {
        b.iter(|| without.assess(std::hint::black_box(&typical)))
    });
    group.bench_function("khmao-2026.4/typical", |b| b.iter(|| with.assess(std::hint::black_box(&typical))));
    group.finish();
}

/// Answers arriving as JSON text (a batch line, a browser form): parsed into a `Value` and then
/// assessed, against read straight into the slots (`assess_json`), both from the same text.
fn assess_text(c: &mut Criterion) {
    let rules = khmao();
    let mut group = c.benchmark_group("assess_text");
    for (name, answers) in families() {
        let text = answers.to_string();
        group.bench_with_input(BenchmarkId::new("value", name), &text, |b, text| {
            b.iter(|| {
                let answers: serde_json::Value = serde_json::from_str(std::hint::black_box(text)).ok()?;
                rules.assess(&answers).ok()
            })
        });
        group.bench_with_input(BenchmarkId::new("typed", name), &text, |b, text| {
            b.iter(|| rules.assess_json(std::hint::black_box(text), Explain::ALL))
        });
        group.bench_with_input(BenchmarkId::new("typed-brief", name), &text, |b, text| {
            b.iter(|| rules.assess_json(std::hint::black_box(text), Explain::BRIEF))
        });
    }
    group.finish();
}

/// Open questions of a partly filled form (issue 12): the intake page's crisis family, 40
/// unanswered questions read by the rules, each tried with the values the rules compare.
fn open_questions(c: &mut Criterion) {
    let rules = khmao();
    let path = sopro_benches::root().join("benches/data/crisis_partial.json");
    let text = std::fs::read_to_string(&path).expect("benches/data/crisis_partial.json");
    let family: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert!(!rules.open_questions(&family).expect("assessable").is_empty());
    c.bench_function("open_questions/crisis_partial", |b| {
        b.iter(|| rules.open_questions(std::hint::black_box(&family)))
    });
}

/// What would change (issue 12) with KhMAO 2026.3, the first version that declares changeable
/// answers: the nearest lower level of the benchmark families and of the partial crisis family.
fn what_would_change(c: &mut Criterion) {
    let dir = sopro_benches::root().join("rules/khmao/2026.3");
    let rules = sopro_cli::files::load_rules(&dir).expect("KhMAO 2026.3 compiles");
    let partial = std::fs::read_to_string(sopro_benches::root().join("benches/data/crisis_partial.json"));
    let partial: serde_json::Value =
        serde_json::from_str(&partial.expect("crisis_partial.json")).expect("JSON");
    let mut group = c.benchmark_group("what_would_change");
    for (name, answers) in families().into_iter().chain([("crisis_partial", partial)]) {
        let found = rules.what_would_change(&answers, &Goal::Lower).expect("assessable");
        eprintln!("what_would_change lower, {name}: {} sets, {} assessments", found.sets.len(), found.tried);
        group.bench_with_input(BenchmarkId::new("lower", name), &answers, |b, answers| {
            b.iter(|| rules.what_would_change(std::hint::black_box(answers), &Goal::Lower))
        });
    }
    group.finish();
}

/// A family's history from its four snapshots (examples/history), already assessed: the
/// engine's comparison of levels, criteria and programme items, reviews and checks — what a
/// registry of histories costs besides the assessments themselves.
fn family_history(c: &mut Criterion) {
    let dir = sopro_benches::root().join("rules/khmao/2026.4");
    let rules = sopro_cli::files::load_rules(&dir).unwrap_or_else(|e| panic!("2026.4: {e}"));
    let mut files: Vec<_> = std::fs::read_dir(sopro_benches::root().join("examples/history"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    let snapshots: Vec<sopro_engine::Assessment> = files
        .iter()
        .filter_map(|f| sopro_cli::files::read_answers(f).ok())
        .filter_map(|answers| rules.assess(&answers).ok())
        .collect();
    assert_eq!(snapshots.len(), 4, "the four snapshots of examples/history");
    c.bench_function("history/four_snapshots", |b| {
        b.iter(|| sopro_engine::history(std::hint::black_box(&snapshots), "2027-04-10"))
    });
}

criterion_group!(
    benches,
    family_history,
    load,
    assess,
    assess_text,
    assess_with_programme,
    open_questions,
    what_would_change
);
criterion_main!(benches);
