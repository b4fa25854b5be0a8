//! The draft individual programme (ИПСС, issue 13): drafted from what the assessment found,
//! urgent first, every item serving something the family has, with its organisation and a due
//! date; activities checked like any rule, and a warning for what no activity serves.

use sopro_engine::{MemorySource, RuleSet, RuleSource};
use sopro_tests::{compiled, generated, root, source};

fn draft_source() -> MemorySource {
    source(&root().join("rules/khmao/2026.4"))
}

fn edited(from: &str, to: &str) -> MemorySource {
    let mut source = draft_source();
    let text = source.text("programme.yaml").unwrap().to_owned();
    assert!(text.contains(from), "programme.yaml has no `{from}`");
    source.insert("programme.yaml", text.replacen(from, to, 1));
    source
}

#[test]
fn every_item_serves_what_the_assessment_found_urgent_first() {
    let rules = compiled(&root().join("rules/khmao/2026.4"));
    let mut families: Vec<serde_json::Value> = rules.test_cases().map(|c| c.answers.clone()).collect();
    families.extend(generated(&rules, 200, 13));
    let mut drafted = 0;
    for family in &families {
        let Ok(a) = rules.assess(family) else { continue };
        let again = rules.assess(family).unwrap();
        let programme = a.programme.as_ref().expect("2026.4 declares activities");
        assert_eq!(Some(programme), again.programme.as_ref(), "the programme is deterministic");
        let present = |id: &str| {
            a.criteria.iter().any(|c| &*c.id == id)
                || a.urgent_services.iter().any(|s| &*s.id == id)
                || a.partners.iter().any(|p| &*p.id == id)
                || a.categories.iter().any(|c| &*c.id == id)
                || &*a.level.id == id
        };
        let mut urgent_done = false;
        for item in &programme.items {
            assert!(
                !item.serves.is_empty() && item.serves.iter().all(|id| present(id)),
                "{}: {:?}",
                item.id,
                item.serves
            );
            assert!(!item.responsible.name.ru.is_empty(), "{} has no organisation", item.id);
            let urgent = item.serves.iter().any(|id| a.urgent_services.iter().any(|s| s.id == *id));
            assert!(!(urgent && urgent_done), "{} is urgent but comes after other items", item.id);
            urgent_done |= !urgent;
            if let Some(due) = &item.due {
                assert!(due.as_str() >= a.as_of.as_str(), "{} due {due} before {}", item.id, a.as_of);
            }
        }
        // Every need criterion found is served by some item.
        for c in &a.criteria {
            assert!(programme.items.iter().any(|i| i.serves.contains(&c.id)), "no item serves {}", c.id);
        }
        drafted += usize::from(!programme.items.is_empty());
    }
    assert!(drafted >= 50, "only {drafted} families got a programme");
}

#[test]
fn versions_without_activities_draft_no_programme() {
    let rules = compiled(&root().join("rules/khmao/2026.3"));
    let family = rules.test_cases().next().unwrap().answers.clone();
    let a = rules.assess(&family).unwrap();
    assert!(a.programme.is_none());
    assert!(!serde_json::to_string(&a).unwrap().contains("\"programme\""));
}

#[test]
fn a_criterion_no_activity_serves_is_a_warning() {
    // No activity names utility debt any more.
    let mut source = draft_source();
    let text = source.text("programme.yaml").unwrap().to_owned();
    assert!(text.contains("{criterion: utility_debt}"));
    source
        .insert("programme.yaml", text.replace("{criterion: utility_debt}", "{criterion: low_income_need}"));
    let loaded = RuleSet::load(&source);
    assert!(loaded.ruleset.is_some(), "{:#?}", loaded.diagnostics);
    let warnings: Vec<_> = loaded.diagnostics.iter().filter(|d| d.code == "rules::not-served").collect();
    assert!(warnings.iter().any(|d| d.message.contains("`utility_debt`")), "{warnings:#?}");
    assert!(RuleSet::load(&draft_source()).diagnostics.iter().all(|d| d.code != "rules::not-served"));
}

#[test]
fn unknown_ids_and_two_due_dates_are_errors_at_their_activity() {
    let source = edited("responsible: {partner: czn}", "responsible: {partner: czn_typo}");
    let loaded = RuleSet::load(&source);
    assert!(loaded.ruleset.is_none());
    let d = loaded.diagnostics.iter().find(|d| d.code == "rules::unknown-id").unwrap();
    assert_eq!(d.file, "programme.yaml");
    assert!(d.line.is_some() && d.rule.as_deref().is_some_and(|r| r.starts_with("activity `")), "{d:#?}");
    assert!(d.message.contains("czn_typo"), "{}", d.message);

    let text = draft_source().text("programme.yaml").unwrap().to_owned();
    let first_due = text.find("due_after:").unwrap();
    let mut both = text.clone();
    both.insert_str(first_due, "until_review: true\n    ");
    let mut source = draft_source();
    source.insert("programme.yaml", both);
    let loaded = RuleSet::load(&source);
    assert!(loaded.diagnostics.iter().any(|d| d.code == "rules::bad-activity"), "{:#?}", loaded.diagnostics);
}

#[test]
fn diff_names_the_activities_a_version_adds_and_nothing_else() {
    let before = compiled(&root().join("rules/khmao/2026.3"));
    let after = compiled(&root().join("rules/khmao/2026.4"));
    let family =
        before.test_cases().find(|c| c.name.starts_with("Только долг за ЖКУ")).unwrap().answers.clone();
    let (a, b) = (before.assess(&family).unwrap(), after.assess(&family).unwrap());
    let changes = sopro_engine::diff(&a, &b).changes;
    assert!(!changes.is_empty());
    assert!(changes.iter().all(|c| c.kind == "activity" && c.from.is_none()), "{changes:#?}");
    let debt = changes.iter().find(|c| &*c.id == "a_utility_debt").expect("the debt's activity is new");
    assert_eq!(debt.because, vec![sopro_engine::Text::from("utility_debt")]);
    assert!(after.label_of("a_utility_debt").is_some_and(|l| l.ru.contains("рассрочк")));
}

#[test]
fn the_post_accompaniment_control_is_checked_at_its_line_and_declared_once() {
    let source = edited(
        "accompaniment_levels: [emergency, crisis, rehabilitation, preventive]",
        "accompaniment_levels: [emergency, crisis, rehab]",
    );
    let loaded = RuleSet::load(&source);
    assert!(loaded.ruleset.is_none());
    let d = loaded.diagnostics.iter().find(|d| d.code == "rules::unknown-id").unwrap();
    assert_eq!(d.file, "programme.yaml");
    let text = source.text("programme.yaml").unwrap();
    let line = text.lines().position(|l| l.contains("id: post_accompaniment_control")).unwrap() + 1;
    assert_eq!(d.line, Some(line), "{d:#?}");
    assert!(d.message.contains("rehab"), "{}", d.message);

    // A second file declaring it too is an error at the one read second (files in name order),
    // naming the first.
    let mut twice = draft_source();
    let block = &text[text.find("post_accompaniment:").unwrap()..].replace("rehab]", "rehabilitation]");
    twice.insert("more.yaml", block.clone());
    let loaded = RuleSet::load(&twice);
    let d = loaded.diagnostics.iter().find(|d| d.code == "rules::duplicate-id").unwrap();
    assert_eq!((d.file.as_str(), d.line), ("programme.yaml", Some(line)), "{d:#?}");
    assert!(d.message.contains("more.yaml"), "{}", d.message);

    // Working days and a zero period are refused: the checks are dated without a calendar.
    for (from, to) in
        [("every: {months: 3}", "every: {working_days: 60}"), ("every: {months: 3}", "every: {months: 0}")]
    {
        let loaded = RuleSet::load(&edited(from, to));
        let d = loaded
            .diagnostics
            .iter()
            .find(|d| d.code == "rules::bad-period")
            .unwrap_or_else(|| panic!("{to}: {:#?}", loaded.diagnostics));
        assert_eq!((d.file.as_str(), d.line), ("programme.yaml", Some(line)), "{d:#?}");
    }

    // Every assessment by 2026.4 carries the plan, resolved with its organisation.
    let rules = compiled(&root().join("rules/khmao/2026.4"));
    let case = rules.test_cases().next().unwrap();
    let a = rules.assess(&case.answers).unwrap();
    let plan = a.programme.unwrap().post_accompaniment.unwrap();
    assert_eq!(&*plan.every_words.ru, "раз в 3 мес.");
    assert!(
        plan.responsible.name.ru.contains("отделение социального сопровождения"),
        "{:?}",
        plan.responsible.name
    );
}
