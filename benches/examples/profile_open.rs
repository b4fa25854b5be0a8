//! Runs the open questions of the partial crisis family many times, for a profiler (`perf`).
fn main() {
    let rules = sopro_benches::khmao();
    let path = sopro_benches::root().join("benches/data/crisis_partial.json");
    let family: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("the family")).expect("JSON");
    let times: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(500);
    let started = std::time::Instant::now();
    for _ in 0..times {
        std::hint::black_box(rules.open_questions(&family).ok());
    }
    println!("open questions: {:?} per call", started.elapsed() / times as u32);
}
