//! Criterion benchmarks of the hostile rule sets (`tests/hostile/`): how long the engine takes
//! to refuse or stop the slowest of them, beside loading and assessing the default rule set —
//! the baseline `tests/hostile.rs` bounds them by (a ratio, so the test holds on any machine).
//! The figures are in `tests/README.md`.

use criterion::{criterion_group, criterion_main, Criterion};
use sopro_engine::{RuleSet, MAX_RULE_FILE_SIZE};
use sopro_tests::hostile;

fn load_and_assess(source: &sopro_engine::MemorySource) -> bool {
    match RuleSet::load(source).ruleset {
        Some(rules) => rules.assess(&hostile::family()).is_ok(),
        None => false,
    }
}

fn hostile_cases(c: &mut Criterion) {
    let mut group = c.benchmark_group("hostile");
    group.sample_size(10);
    let baseline = sopro_tests::khmao_source();
    assert!(load_and_assess(&baseline), "the default rule set does not assess the family");
    group.bench_function("baseline: load + assess khmao-2026.1", |b| b.iter(|| load_and_assess(&baseline)));
    for case in ["many-variables", "many-heavy-rules", "endless-loop", "long-chain", "deep-yaml"] {
        let source = hostile::overlay(case);
        assert!(!load_and_assess(&source), "{case} was neither refused nor stopped");
        group.bench_function(case, |b| b.iter(|| load_and_assess(&source)));
    }
    let largest = hostile::with_many_criteria(MAX_RULE_FILE_SIZE);
    group.bench_function("largest rule file (load)", |b| b.iter(|| RuleSet::load(&largest)));
    let quarter = hostile::with_many_criteria(MAX_RULE_FILE_SIZE / 4);
    group.bench_function("a quarter of it (load)", |b| b.iter(|| RuleSet::load(&quarter)));
    group.finish();
}

criterion_group!(benches, hostile_cases);
criterion_main!(benches);
