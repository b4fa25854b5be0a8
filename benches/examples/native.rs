//! Lists the expressions of the default rule set that need Rhai.
fn main() {
    let rules = sopro_benches::khmao();
    let (native, rhai) = rules.native_coverage();
    println!("{native} native, {} with Rhai: {rhai:?}", rhai.len());
}
