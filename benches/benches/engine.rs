//! Criterion benchmarks: loading (parse + check + compile) the KhMAO rule set, and assessing
//! families of three sizes with the compiled rule set.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use sopro_benches::{families, khmao, khmao_source};
use sopro_engine::RuleSet;

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

criterion_group!(benches, load, assess);
criterion_main!(benches);
