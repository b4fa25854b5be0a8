//! Criterion benchmarks: loading (parse + check + compile) the KhMAO rule set, assessing
//! families of three sizes with the compiled rule set, and assessing them from JSON text.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use sopro_benches::{families, khmao, khmao_source};
use sopro_engine::{Explain, RuleSet};

fn load(c: &mut Criterion) {
    let source = khmao_source();
    c.bench_function("load/khmao-2026.1", |b| b.iter(|| RuleSet::load(std::hint::black_box(&source))));
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

criterion_group!(benches, load, assess, assess_text);
criterion_main!(benches);
