//! Lists the golden results of every bundled rule set (`tests/golden/*.json`, kept current by
//! `tests/tests/golden.rs`) for the browser parity test, and counts the bundled rule sets (with
//! the examples under `rules/examples/`), so
//! that a rule set added without its golden file fails that test instead of going untested.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let golden_dir = root.join("tests/golden");
    let rules_dir = root.join("rules");
    println!("cargo:rerun-if-changed={}", golden_dir.display());
    println!("cargo:rerun-if-changed={}", rules_dir.display());

    let mut golden: Vec<_> = std::fs::read_dir(&golden_dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    golden.retain(|p| p.extension().is_some_and(|e| e == "json"));
    golden.sort();
    let mut list = String::from("&[\n");
    for path in &golden {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let _ = writeln!(list, "    ({name:?}, include_str!({:?})),", path.display().to_string());
    }
    list.push(']');

    let mut rule_sets = 0;
    let folders = |dir: &Path| std::fs::read_dir(dir).into_iter().flatten().flatten().collect::<Vec<_>>();
    let examples = rules_dir.join("examples");
    for jurisdiction in folders(&rules_dir).into_iter().chain(folders(&examples)) {
        println!("cargo:rerun-if-changed={}", jurisdiction.path().display());
        for version in std::fs::read_dir(jurisdiction.path()).into_iter().flatten().flatten() {
            rule_sets += usize::from(version.path().join("ruleset.yaml").is_file());
        }
    }

    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let _ = std::fs::write(out.join("golden.rs"), list);
    let _ = std::fs::write(out.join("rule_sets.rs"), rule_sets.to_string());
}
