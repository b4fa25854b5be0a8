//! Lists the expressions of the default rule set that need Rhai.
fn main() {
    let rules = sopro_benches::khmao().expect("the default rule set compiles");
    let (native, rhai) = rules.native_coverage();
    println!("{native} native, {} with Rhai: {rhai:?}", rhai.len());
}
