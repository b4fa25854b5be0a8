//! The synthetic generator (`RuleSet::generator`, `sopro gen`) is driven by the rule set's
//! questions: every family it draws validates and assesses, on every bundled version and on
//! rule sets with other questions; the same seed gives the same families; the thresholds the
//! rules compare with are drawn on both sides; `relevant_when` and the sample profile hold.

use serde_json::Value;
use sopro_engine::{MemorySource, RuleSet, SampleProfile};
use sopro_tests::{bundled_rule_sets, compiled, khmao_sample, root};

fn assert_every_family_assesses(rules: &RuleSet, families: &[Value]) {
    for family in families {
        let problems = rules.validate_answers(family);
        assert!(problems.is_empty(), "{} {}: {problems:?} in {family}", rules.id(), rules.version());
        if let Err(e) = rules.assess(family) {
            panic!("{} {}: {e:?} for {family}", rules.id(), rules.version());
        }
    }
}

#[test]
fn every_generated_family_validates_and_assesses_on_every_bundled_version() {
    let profile = khmao_sample();
    let versions = bundled_rule_sets();
    assert!(versions.len() >= 3, "{versions:?}");
    for dir in versions {
        let rules = compiled(&dir);
        let generator = rules.generator(Some(&profile));
        assert!(generator.warnings().is_empty(), "{}: {:?}", dir.display(), generator.warnings());
        let families: Vec<Value> = generator.families(2000, 1).collect();
        assert_eq!(families.len(), 2000);
        assert_every_family_assesses(&rules, &families);
        let (from, to) = rules.in_force();
        for family in &families {
            let as_of = family["as_of"].as_str().unwrap();
            assert!(as_of >= from.as_str() && to.as_deref().is_none_or(|to| as_of <= to), "{as_of}");
        }
        // Without a profile every value is drawn evenly; the families still fit.
        let even: Vec<Value> = rules.generator(None).families(300, 2).collect();
        assert_every_family_assesses(&rules, &even);
    }
}

#[test]
fn the_same_seed_gives_the_same_families() {
    let rules = sopro_tests::khmao();
    let profile = khmao_sample();
    let a: Vec<Value> = rules.generator(Some(&profile)).families(50, 42).collect();
    let b: Vec<Value> = rules.generator(Some(&profile)).families(50, 42).collect();
    let c: Vec<Value> = rules.generator(Some(&profile)).families(50, 43).collect();
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!(sopro_tests::khmao_registry(30, 5), sopro_tests::khmao_registry(30, 5));
}

#[test]
fn a_library_draws_each_family_by_the_version_in_force_on_its_date() {
    let library =
        sopro_cli::files::load_library(&root().join("rules/khmao"), sopro_engine::Drafts::Refused).unwrap();
    let families = sopro_tests::khmao_registry(600, 3);
    let mut years = std::collections::BTreeSet::new();
    for family in &families {
        let as_of = family["as_of"].as_str().unwrap();
        years.insert(as_of[..4].to_owned());
        let version = library.pick(as_of).unwrap_or_else(|| panic!("no version in force on {as_of}"));
        assert!(version.validate_answers(family).is_empty(), "{family}");
        library.assess(family).unwrap();
    }
    assert!(years.contains("2025") && years.contains("2026"), "{years:?}");
}

#[test]
fn the_khmao_profile_gives_todays_mix_roughly() {
    let rules = compiled(&root().join("rules/khmao/2026.2"));
    let families = sopro_tests::generated(&rules, 2000, 11);
    let mut levels = std::collections::BTreeMap::<String, usize>::new();
    let mut children = [0usize; 7];
    for family in &families {
        let members = family["members"].as_array().unwrap();
        assert_ne!(members[0]["role"], "child", "the parents come first: {family}");
        let kids = members.iter().filter(|m| m["role"] == "child").count();
        children[kids.min(6)] += 1;
        let level = rules.assess(family).unwrap().level.id.to_string();
        *levels.entry(level).or_default() += 1;
    }
    assert_eq!(children[0] + children[6], 0, "1–5 children: {children:?}");
    let share = |id: &str| levels.get(id).copied().unwrap_or(0) as f64 / families.len() as f64;
    // Most families need little; a few are in danger.
    assert!(share("emergency") < 0.15, "{levels:?}");
    assert!(share("none") + share("preventive") + share("rehabilitation") > 0.6, "{levels:?}");
}

/// A rule set with every kind of question, relevance conditions and numeric thresholds.
const EVERY_TYPE: &str = r#"
questions:
  - {id: as_of, type: date, required: true, label: {ru: Дата, en: Date}}
  - {id: members, type: records, required: true, min_items: 2, max_items: 4, unique: code, label: {ru: Люди, en: People}, questions: [
      {id: code, type: text, required: true, max_length: 8, label: {ru: Код, en: Code}},
      {id: born, type: date, required: true, label: {ru: Рождён, en: Born}},
      {id: kind, type: enum, required: true, label: {ru: Вид, en: Kind}, values: [
        {id: adult, label: {ru: взрослый, en: adult}}, {id: minor, label: {ru: ребёнок, en: minor}}]},
      {id: hours, type: integer, min: 0, max: 80, relevant_when: 'm.kind == "adult"', label: {ru: Часы, en: Hours}},
      {id: pay, type: money, min: 0, relevant_when: 'm.kind == "adult"', label: {ru: Доход, en: Pay}}]}
  - {id: form, type: section, label: {ru: Анкета, en: Form}, questions: [
      {id: rooms, type: integer, min: 1, max: 12, required: true, label: {ru: Комнат, en: Rooms}},
      {id: area, type: number, min: 5, max: 300, label: {ru: Площадь, en: Area}},
      {id: heating, type: bool, label: {ru: Отопление, en: Heating}},
      {id: stove_kind, type: text, max_length: 3, relevant_when: 'form.heating == false', label: {ru: Печь, en: Stove}},
      {id: moved_in, type: date, label: {ru: Въезд, en: Moved in}},
      {id: needs, type: enum_list, label: {ru: Нужды, en: Needs}, values: [
        {id: food, label: {ru: еда, en: food}}, {id: money, label: {ru: деньги, en: money}}, {id: work, label: {ru: работа, en: work}}]}]}
member_facts:
  - {id: age, label: {ru: Возраст, en: Age}, value: 'age_on(m.born, as_of)'}
criteria:
  - {id: crowded, label: {ru: Тесно, en: Crowded}, severity: medium, when: 'form.rooms < 3', basis: [{act: demo, status: inferred}]}
  - {id: overworked, label: {ru: Переработка, en: Overworked}, severity: low, scope: member, when: 'm.hours > 48', basis: [{act: demo, status: inferred}]}
  - {id: toddler, label: {ru: Малыш, en: Toddler}, severity: low, scope: member, when: 'm.age < 3', basis: [{act: demo, status: inferred}]}
levels:
  - {id: some, label: {ru: Есть, en: Some}, if_any: [{severity: medium}], basis: []}
  - {id: none, label: {ru: Нет, en: None}, otherwise: true, basis: []}
"#;

fn every_type() -> RuleSet {
    let mut files = MemorySource::new();
    files.insert(
        "ruleset.yaml",
        "ruleset: {id: every, version: '1', title: {ru: Все, en: Every}, in_force: {from: 2030-02-01, to: 2030-03-31}}\n",
    );
    files.insert("rules.yaml", EVERY_TYPE);
    let loaded = RuleSet::load(&files);
    loaded.ruleset.unwrap_or_else(|| panic!("{:#?}", loaded.diagnostics))
}

#[test]
fn a_rule_set_with_other_questions_gets_families_that_fit_them() {
    let rules = every_type();
    let families: Vec<Value> = rules.generator(None).families(1000, 9).collect();
    assert_every_family_assesses(&rules, &families);
    let (mut crowded, mut overworked, mut toddlers, mut hidden_ok) = ([0, 0], [0, 0], 0, true);
    for family in &families {
        let as_of = family["as_of"].as_str().unwrap();
        assert!(("2030-02-01"..="2030-03-31").contains(&as_of), "{as_of}");
        let members = family["members"].as_array().unwrap();
        assert!((2..=4).contains(&members.len()));
        for person in members {
            assert!(person["code"].as_str().unwrap().chars().count() <= 8);
            if person["kind"] == "minor" {
                hidden_ok &= person.get("hours").is_none() && person.get("pay").is_none();
            }
        }
        if family["form"]["heating"] == true {
            hidden_ok &= family["form"].get("stove_kind").is_none();
        }
        let a = rules.assess(family).unwrap();
        crowded[usize::from(a.criteria.iter().any(|c| &*c.id == "crowded"))] += 1;
        overworked[usize::from(a.criteria.iter().any(|c| &*c.id == "overworked"))] += 1;
        toddlers += usize::from(a.criteria.iter().any(|c| &*c.id == "toddler"));
    }
    assert!(hidden_ok, "an answer to a question that does not apply was drawn");
    // Both sides of every threshold are drawn: rooms < 3, hours > 48, age < 3.
    assert!(crowded.iter().all(|n| *n > 50), "{crowded:?}");
    assert!(overworked.iter().all(|n| *n > 50), "{overworked:?}");
    assert!(toddlers > 50, "{toddlers}");
}

#[test]
fn a_profile_the_questions_do_not_bear_out_is_reported_and_left_out() {
    let rules = every_type();
    let profile: SampleProfile = sopro_engine::parse_sample(
        "answers:\n  form.rooms: {range: [1, 2]}\n  form.nothing: {p: 1}\n  members.kind: {weights: {adult: 1, alien: 5}}\nrecords:\n  form: [{count: {1: 1}}]\n",
    )
    .unwrap();
    let generator = rules.generator(Some(&profile));
    let warnings: Vec<String> = generator.warnings().iter().map(|w| w.message.clone()).collect();
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(generator.warnings().iter().all(|w| w.code == sopro_engine::DiagnosticCode::SampleUnknown));
    assert!(
        warnings.iter().any(|w| w.contains("form.nothing")) && warnings.iter().any(|w| w.contains("alien"))
    );
    let families: Vec<Value> = generator.families(200, 1).collect();
    assert_every_family_assesses(&rules, &families);
    for family in &families {
        assert!(family["form"]["rooms"].as_i64().unwrap() <= 2, "the range holds: {family}");
        assert!(family["members"].as_array().unwrap().iter().all(|p| p["kind"] == "adult"), "{family}");
    }
    assert!(sopro_engine::parse_sample("answers: {x: {nonsense: 1}}").is_err());
}

/// The hostile rule sets that load (their rules fail when assessing): the generator still
/// draws answers that fit their questions, and ends.
#[test]
fn the_generator_ends_on_hostile_rule_sets_with_answers_that_fit() {
    for case in sopro_tests::hostile::cases() {
        if case.stage != sopro_tests::hostile::Stage::Assess {
            continue;
        }
        let loaded = RuleSet::load(&sopro_tests::hostile::overlay(&case.case));
        let rules = loaded.ruleset.unwrap_or_else(|| panic!("{}: {:#?}", case.case, loaded.diagnostics));
        for family in rules.generator(None).families(2, 1) {
            assert!(rules.validate_answers(&family).is_empty(), "{}: {family}", case.case);
        }
    }
}
