//! Runs one family many times, for a profiler (`valgrind --tool=callgrind`, `perf`).
fn main() {
    let rules = sopro_benches::khmao();
    let families = sopro_benches::families();
    let name = std::env::args().nth(1).unwrap_or_else(|| "typical".to_owned());
    let times: usize = std::env::args().nth(2).and_then(|n| n.parse().ok()).unwrap_or(200);
    let (_, answers) = families.iter().find(|(n, _)| *n == name).expect("a family of that name");
    let started = std::time::Instant::now();
    for _ in 0..times {
        std::hint::black_box(rules.assess(answers).ok());
    }
    println!("{name}: {:?} per assessment", started.elapsed() / times as u32);
    let started = std::time::Instant::now();
    for _ in 0..times {
        std::hint::black_box(rules.validate_answers(answers));
    }
    println!("{name}: {:?} per validation alone", started.elapsed() / times as u32);
    let assessment = rules.assess(answers).ok();
    let started = std::time::Instant::now();
    for _ in 0..times {
        std::hint::black_box(assessment.clone());
    }
    println!(
        "{name}: {:?} per clone of the finished assessment (its allocations)",
        started.elapsed() / times as u32
    );
}
