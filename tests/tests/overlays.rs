//! A regional overlay on the federal base: KhMAO 2026.4 on `rules/ru/2026.1` gives the outcomes
//! of the flat rule set it replaced, names each rule's layer, and `check` finds every conflict
//! between the layers — a base upgrade that drops an overridden item, a base that changed under
//! its pinned digest, regional criteria that judge the same answers with another severity.

use serde_json::{json, Value};
use sopro_engine::{DiagnosticCode, ItemKind, LayerKind, MemorySource, RuleSet, RuleSource};
use sopro_tests::{compiled, generated, root, source};

fn khmao_overlay() -> MemorySource {
    source(&root().join("rules/khmao/2026.4"))
}

/// `source` with one file's text edited.
fn edited(mut source: MemorySource, file: &str, from: &str, to: &str) -> MemorySource {
    let text = source.text(file).unwrap_or_else(|| panic!("no {file}")).to_owned();
    assert!(text.contains(from), "{file} has no `{from}`");
    source.insert(file, text.replacen(from, to, 1));
    source
}

/// The digest of the base under `base/` of an overlay's source, as the base alone has it.
fn base_digest(overlay: &MemorySource) -> String {
    let mut base = MemorySource::new();
    for path in overlay.paths() {
        if let Some(inner) = path.strip_prefix("base/") {
            base.insert(inner, overlay.text(&path).unwrap());
        }
    }
    RuleSet::load(&base).ruleset.expect("the base loads").digest().to_owned()
}

/// The overlay pinned again to its (edited) base, as a region does after checking an upgrade.
fn repinned(overlay: MemorySource) -> MemorySource {
    let digest = base_digest(&overlay);
    let manifest = overlay.text("ruleset.yaml").unwrap().to_owned();
    let start = manifest.find("digest: \"sha256:").unwrap() + "digest: \"".len();
    let end = start + manifest[start..].find('"').unwrap();
    let mut overlay = overlay;
    overlay.insert("ruleset.yaml", format!("{}{digest}{}", &manifest[..start], &manifest[end..]));
    overlay
}

fn codes(source: &MemorySource) -> Vec<(DiagnosticCode, String, Option<usize>, String)> {
    RuleSet::load(source).diagnostics.into_iter().map(|d| (d.code, d.file, d.line, d.message)).collect()
}

/// The first diagnostic of `code` for `source`, as `codes` gives it (panics with all if none).
fn the(code: DiagnosticCode, source: &MemorySource) -> (DiagnosticCode, String, Option<usize>, String) {
    let found = codes(source);
    found.iter().find(|(c, ..)| *c == code).cloned().unwrap_or_else(|| panic!("no {code}: {found:#?}"))
}

fn line_of(source: &MemorySource, file: &str, needle: &str) -> usize {
    source.text(file).unwrap().lines().position(|l| l.contains(needle)).unwrap() + 1
}

/// Criteria of KhMAO's own (not in the federal base).
const REGIONAL: [&str; 4] = ["low_income_need", "utility_debt", "alimony_unpaid", "unemployed_adult"];

#[test]
fn khmao_2026_4_names_the_layer_of_every_rule_and_its_base() {
    let rules = compiled(&root().join("rules/khmao/2026.4"));
    let family = generated(&rules, 400, 11)
        .into_iter()
        .map(|answers| rules.assess(&answers).unwrap())
        .find(|a| {
            let ids: Vec<&str> = a.criteria.iter().map(|c| &*c.id).collect();
            ids.iter().any(|id| id.starts_with("c15_")) && ids.iter().any(|id| REGIONAL.contains(id))
        })
        .expect("a family with criteria of both layers");
    let base = family.ruleset.base.as_ref().expect("the base is named");
    assert_eq!((base.id.as_str(), base.version.as_str()), ("ru", "2026.1"));
    let published = std::fs::read_to_string(root().join("rules/ru/published.yaml")).unwrap();
    assert!(published.contains(&base.digest), "the base is the published ru 2026.1");
    for c in &family.criteria {
        let layer = c.rule.layer.as_ref().expect("every rule names its layer");
        assert!(!c.rule.file.starts_with("base/"), "the file is within its layer: {}", c.rule.file);
        // The federal circumstances of 442-ФЗ art. 15 are the base's; KhMAO's own are the region's.
        if c.id.starts_with("c15_") {
            assert_eq!((layer.layer, &*layer.id), (LayerKind::Base, "ru"), "{}", c.id);
        }
        if REGIONAL.contains(&&*c.id) {
            assert_eq!((layer.layer, &*layer.id), (LayerKind::Region, "khmao"), "{}", c.id);
        }
    }

    let merged = RuleSet::effective(&khmao_overlay()).unwrap();
    let item = |kind: ItemKind, id: &str| {
        merged.items.iter().find(|i| i.kind == kind && i.id == id).unwrap_or_else(|| panic!("{id}"))
    };
    let opeka = item(ItemKind::Partner, "opeka").rule.layer.clone().unwrap();
    assert_eq!((opeka.layer, opeka.overrides, &*opeka.id), (LayerKind::Region, true, "khmao"));
    let church = item(ItemKind::Partner, "church").rule.layer.clone().unwrap();
    assert_eq!((church.layer, church.overrides, &*church.id), (LayerKind::Base, false, "ru"));
    assert!(merged.items.iter().all(|i| i.rule.layer.is_some()));
    assert!(!merged.items.iter().any(|i| i.kind == ItemKind::Level && i.id == "accompaniment"));
    let disabled: Vec<&str> = merged.disabled.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(disabled, ["accompaniment"]);
    let levels: Vec<&str> =
        merged.items.iter().filter(|i| i.kind == ItemKind::Level).map(|i| i.id.as_str()).collect();
    assert_eq!(
        levels,
        ["emergency", "crisis", "rehabilitation", "preventive", "none"],
        "the base's default level stays last"
    );
}

/// What an assessment recommends, as sets: what the layering must not change.
fn outcome(a: &sopro_engine::Assessment) -> Value {
    let ids = |items: Vec<String>| {
        let mut items = items;
        items.sort();
        items
    };
    json!({
        "level": a.level.id.to_string(),
        "categories": ids(a.categories.iter().map(|c| c.id.to_string()).collect()),
        "criteria": ids(a.criteria.iter().map(|c| format!("{} {}", c.id, c.severity.id())).collect()),
        "urgent_services": ids(a.urgent_services.iter().map(|s| s.id.to_string()).collect()),
        "consultations": ids(a.consultations.iter().map(|s| s.id.to_string()).collect()),
        "partners": ids(a.partners.iter().map(|p| format!("{} {} {}", p.id, p.urgency.id(), p.without_consent)).collect()),
        "pending": ids(a.partners_pending_consent.iter().map(|p| p.id.to_string()).collect()),
        "deadlines": ids(a.deadlines.iter().map(|d| format!("{} {:?}", d.id, d.due)).collect()),
        "review_on": a.level.review_on,
    })
}

/// 2026.4 is 2026.3 (flat, published) with the programme added, written as an overlay: on
/// families of every kind the two recommend the same (the programme aside). 100 000 families
/// were compared once, by `sopro batch`, when the overlay was made (benches/README.md).
#[test]
fn the_overlay_recommends_what_the_flat_rule_set_did() {
    let overlay = compiled(&root().join("rules/khmao/2026.4"));
    let flat = compiled(&root().join("rules/khmao/2026.3"));
    let families = generated(&overlay, 3_000, 5);
    let mut differ = 0;
    for answers in &families {
        let (a, b) = (overlay.assess(answers).unwrap(), flat.assess(answers).unwrap());
        if outcome(&a) != outcome(&b) {
            differ += 1;
            assert!(differ > 1, "{:#}\n{:#}", outcome(&a), outcome(&b));
        }
    }
    assert_eq!(differ, 0);
}

#[test]
fn a_base_upgrade_that_drops_an_overridden_item_fails_check_with_the_override_named() {
    // The next base renames a partner the region overrides: its override now dangles.
    let upgraded = repinned(edited(khmao_overlay(), "base/partners.yaml", "id: omvd_pdn", "id: police"));
    let dangling = the(DiagnosticCode::NoSuchBaseItem, &upgraded);
    assert_eq!(dangling.1, "overrides.yaml");
    assert_eq!(dangling.2, Some(line_of(&upgraded, "overrides.yaml", "id: omvd_pdn")));
    assert!(dangling.3.contains("omvd_pdn") && dangling.3.contains("ru"), "{}", dangling.3);
    assert!(RuleSet::load(&upgraded).ruleset.is_none());
}

#[test]
fn a_base_that_changed_under_its_pinned_digest_is_refused_and_still_checked() {
    let changed = edited(khmao_overlay(), "base/criteria.yaml", "severity: critical", "severity: high");
    let loaded = RuleSet::load(&changed);
    assert!(loaded.ruleset.is_none());
    let stale = loaded.diagnostics.iter().find(|d| d.code == DiagnosticCode::BaseDigest).unwrap();
    assert_eq!(
        (stale.file.as_str(), stale.line),
        ("ruleset.yaml", Some(line_of(&changed, "ruleset.yaml", "ruleset:")))
    );
    assert!(stale.message.contains(&base_digest(&changed)), "the message gives the digest to pin");
    // Pinned again, the same edit is a rule set that loads.
    assert!(RuleSet::load(&repinned(changed)).ruleset.is_some());
}

/// A small base with a threshold, an enum and a yes/no answer, and an overlay that adds
/// `criteria` to it.
fn small(criteria: &str) -> MemorySource {
    let mut base = MemorySource::new();
    base.insert("ruleset.yaml", "ruleset:\n  id: base\n  version: \"1\"\n  title: {ru: База, en: Base}\n  in_force: {from: 2026-01-01}\n");
    base.insert(
        "rules.yaml",
        "questions:
  - {id: as_of, type: date, label: {ru: Дата, en: Date}, required: true}
  - id: survey
    type: section
    label: {ru: Акт, en: Act}
    questions:
      - {id: debt, type: money, label: {ru: Долг, en: Debt}}
      - {id: home, type: enum, label: {ru: Жильё, en: Home}, values: [{id: good, label: {ru: Хорошее, en: Good}}, {id: poor, label: {ru: Плохое, en: Poor}}, {id: none, label: {ru: Нет, en: None}}]}
      - {id: food, type: bool, label: {ru: Еда, en: Food}}
criteria:
  - id: big_debt
    label: {ru: Большой долг, en: Big debt}
    severity: high
    when: survey.debt >= 50000
    basis: [{act: base, status: inferred}]
  - id: homeless
    label: {ru: Нет жилья, en: No home}
    severity: critical
    when: survey.home == \"none\" && survey.food == false
    basis: [{act: base, status: inferred}]
levels:
  - {id: high, label: {ru: Высокий, en: High}, if_any: [{severity: high}, {severity: critical}], basis: [{act: base, status: inferred}]}
  - {id: base_level, label: {ru: Нет, en: None}, otherwise: true, basis: [{act: base, status: inferred}]}
",
    );
    let loaded = RuleSet::load(&base);
    let digest = loaded
        .ruleset
        .unwrap_or_else(|| panic!("the small base loads: {:#?}", loaded.diagnostics))
        .digest()
        .to_owned();
    let mut overlay = MemorySource::new();
    for path in base.paths() {
        overlay.insert(format!("base/{path}"), base.text(&path).unwrap());
    }
    overlay.insert(
        "ruleset.yaml",
        format!("ruleset:\n  id: region\n  version: \"1\"\n  title: {{ru: Регион, en: Region}}\n  in_force: {{from: 2026-01-01}}\n  extends: {{id: base, version: \"1\", digest: \"{digest}\"}}\n"),
    );
    overlay.insert("criteria.yaml", format!("criteria:\n{criteria}"));
    overlay
}

fn criterion(id: &str, severity: &str, when: &str) -> String {
    format!("  - id: {id}\n    label: {{ru: Р, en: R}}\n    severity: {severity}\n    when: {when}\n    basis: [{{act: region, status: practice}}]\n")
}

#[test]
fn criteria_of_two_layers_are_compared_by_thresholds_enums_and_yes_or_no() {
    let cases = [
        // Disjoint thresholds, another enum value, the opposite yes/no: never both.
        ("some_debt", "survey.debt > 0 && survey.debt < 50000", vec![]),
        ("poor_home", "survey.home == \"poor\"", vec![]),
        ("fed", "survey.food == true && survey.home in [\"none\", \"poor\"]", vec![]),
        // Overlapping thresholds and values: both can hold.
        ("any_debt", "survey.debt > 10000", vec![DiagnosticCode::LayersOverlap]),
        ("no_home", "survey.home in [\"none\", \"poor\"]", vec![DiagnosticCode::LayersOverlap]),
        // More than comparisons with fixed values: cannot decide (against both base criteria,
        // as it reads the answers of each).
        ("either", "survey.debt > 10000 || survey.food == false", vec![DiagnosticCode::LayersUndecided; 2]),
    ];
    for (id, when, expected) in cases {
        let overlay = small(&criterion(id, "low", when));
        let found: Vec<DiagnosticCode> = codes(&overlay).into_iter().map(|(code, ..)| code).collect();
        let layered: Vec<DiagnosticCode> = found
            .iter()
            .copied()
            .filter(|c| matches!(c, DiagnosticCode::LayersOverlap | DiagnosticCode::LayersUndecided))
            .collect();
        assert_eq!(layered, expected, "{id}: {when}: {found:?}");
    }
    // The same severity as the base's is no conflict.
    let same = small(&criterion("any_debt", "high", "survey.debt > 10000"));
    let errors_or_layers =
        codes(&same).into_iter().filter(|(code, ..)| *code != DiagnosticCode::NoTests).collect::<Vec<_>>();
    assert!(errors_or_layers.is_empty(), "{errors_or_layers:?}");
}

#[test]
fn diff_names_the_layer_of_each_change() {
    let before =
        RuleSet::load(&small(&criterion("any_debt", "low", "survey.debt > 10000 || survey.food == false")))
            .ruleset
            .unwrap();
    // The next base makes a big debt critical; the region pins it.
    let upgraded = repinned(edited(
        small(&criterion("any_debt", "low", "survey.debt > 10000 || survey.food == false")),
        "base/rules.yaml",
        "severity: high\n    when: survey.debt >= 50000",
        "severity: critical\n    when: survey.debt >= 50000",
    ));
    let after = RuleSet::load(&upgraded).ruleset.unwrap();
    let family = json!({"as_of": "2026-03-10", "survey": {"debt": 60000, "home": "good", "food": true}});
    let change = sopro_engine::diff(&before.assess(&family).unwrap(), &after.assess(&family).unwrap());
    let big = change.changes.iter().find(|c| &*c.id == "big_debt").expect("the base's criterion changed");
    assert_eq!((big.from.as_deref(), big.to.as_deref()), (Some("high"), Some("critical")));
    assert_eq!(big.layer.as_ref().map(|l| (l.layer, &*l.id)), Some((LayerKind::Base, "base")));
}

#[test]
fn numeric_inequality_and_escalations_are_weighed_honestly() {
    // `!=` a number is a hole in an interval: not analysed, so "cannot decide", never "both".
    let unequal = small(&criterion("some_debt", "low", "survey.debt != 0 && survey.debt >= 50000"));
    let found: Vec<DiagnosticCode> = codes(&unequal).into_iter().map(|(code, ..)| code).collect();
    assert!(
        found.contains(&DiagnosticCode::LayersUndecided) && !found.contains(&DiagnosticCode::LayersOverlap),
        "{found:?}"
    );
    // The same severity, but the region's escalates: the two may still differ for one family.
    let escalating = small(
        "  - id: any_debt\n    label: {ru: Р, en: R}\n    severity: high\n    when: survey.debt > 10000\n    escalate:\n      - {severity: critical, when: survey.food == false}\n    basis: [{act: region, status: practice}]\n",
    );
    let overlap = codes(&escalating).into_iter().find(|(code, ..)| *code == DiagnosticCode::LayersOverlap);
    let message = overlap.map(|(.., message)| message).unwrap_or_default();
    assert!(message.contains("(high–critical)"), "{:?}", codes(&escalating));
}

#[test]
fn contradictory_overlay_instructions_and_a_redefined_function_are_errors() {
    let overrides = "overrides:\n  criteria:\n    - id: big_debt\n      label: {ru: Долг, en: Debt}\n      severity: medium\n      when: survey.debt >= 60000\n      basis: [{act: region, status: practice}]\n";
    let both = {
        let mut s = small(&criterion("other", "low", "survey.food == false"));
        s.insert("overrides.yaml", format!("{overrides}disable:\n  - {{kind: criterion, id: big_debt, reason: {{ru: Нет, en: No}}, basis: [{{act: region, status: practice}}]}}\n"));
        s
    };
    assert!(
        codes(&both).iter().any(|(code, _, _, m)| *code == DiagnosticCode::BadOverlay
            && m.contains("both overridden and disabled")),
        "{:?}",
        codes(&both)
    );
    let twice = {
        let mut s = small(&criterion("other", "low", "survey.food == false"));
        s.insert("overrides.yaml", overrides);
        s.insert("more.yaml", overrides);
        s
    };
    assert!(
        codes(&twice)
            .iter()
            .any(|(code, _, _, m)| *code == DiagnosticCode::DuplicateId && m.contains("overridden twice")),
        "{:?}",
        codes(&twice)
    );
    // A region's function of the base's name and arity would change the base's rules: refused.
    let mut functions = small(&criterion("other", "low", "survey.food == false"));
    functions.insert("base/functions.rhai", "fn big(n) { n >= 50000 }\n");
    functions.insert("functions.rhai", "fn big(n) { n >= 100 }\n");
    let functions = repinned(functions);
    let redefined = the(DiagnosticCode::RedefinesBase, &functions);
    assert_eq!(redefined.1, "functions.rhai");
    assert!(redefined.3.contains("`big`"), "{}", redefined.3);
}
