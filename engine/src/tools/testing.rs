//! Running a rule set's own test cases: expected against actual, and which ids no case reached.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::compiled::RuleSet;
use crate::format::assessment::Assessment;
use crate::format::model::{Expectation, TestCase};
use crate::format::vocab::Text;
use crate::run::error::AssessError;

/// The result of one test case.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CaseOutcome {
    /// The case's name.
    pub name: String,
    /// The file and line it is written at.
    pub location: String,
    /// Each difference between expected and actual, in plain words (empty: passed).
    pub differences: Vec<String>,
}

impl CaseOutcome {
    /// Whether the case passed.
    pub fn passed(&self) -> bool {
        self.differences.is_empty()
    }
}

/// Ids that no test case produced, by kind.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct Coverage {
    /// `level`, `category`, … → ids never produced.
    pub uncovered: BTreeMap<String, Vec<String>>,
}

impl Coverage {
    /// Whether every id was produced by some case.
    pub fn is_full(&self) -> bool {
        self.uncovered.values().all(Vec::is_empty)
    }
}

/// The results of a rule set's test cases.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TestReport {
    /// One outcome per case, in file order.
    pub cases: Vec<CaseOutcome>,
    /// What no case reached.
    pub coverage: Coverage,
}

impl TestReport {
    /// Cases that passed.
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.passed()).count()
    }

    /// Cases that failed.
    pub fn failed(&self) -> usize {
        self.cases.len() - self.passed()
    }
}

/// Runs the rule set's own test cases (see [`RuleSet::run_tests`]).
pub(crate) fn run_tests<'a>(rules: &'a RuleSet) -> TestReport {
    let mut seen: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut cases = Vec::new();
    for (at, case) in &rules.tests {
        let result = rules.assess(&case.answers);
        if let Ok(a) = &result {
            record(&mut seen, a);
        }
        let location = at.line.map_or(at.file.clone(), |l| format!("{}:{l}", at.file));
        cases.push(CaseOutcome {
            name: case.name.clone(),
            location,
            differences: compare(&case.expect, &result),
        });
    }
    // In a regional overlay, the region's own items (and the base items it replaced): the
    // base's own are reached by the base's tests, run when the base is published.
    let own = |id: &'a str, file: &str| (!crate::load::layers::is_base(file)).then_some(id);
    let all: [(&str, Vec<&str>); 10] = [
        ("level", rules.levels.iter().filter_map(|l| own(&l.outcome.id, &l.outcome.at.file)).collect()),
        ("category", rules.categories.iter().filter_map(|c| own(&c.id, &c.at.file)).collect()),
        ("criterion", rules.criteria.iter().filter_map(|c| own(&c.outcome.id, &c.outcome.at.file)).collect()),
        (
            "urgent_service",
            rules.services.iter().filter_map(|s| own(&s.outcome.id, &s.outcome.at.file)).collect(),
        ),
        (
            "consultation",
            rules.consultations.iter().filter_map(|s| own(&s.outcome.id, &s.outcome.at.file)).collect(),
        ),
        ("partner", rules.partners.iter().filter_map(|p| own(&p.outcome.id, &p.outcome.at.file)).collect()),
        ("reporting_duty", rules.duties.iter().filter_map(|d| own(&d.id, &d.at.file)).collect()),
        ("deadline", rules.deadlines.iter().filter_map(|d| own(&d.outcome.id, &d.outcome.at.file)).collect()),
        ("consistency_check", rules.consistency.iter().filter_map(|c| own(&c.id, &c.expr.at.file)).collect()),
        (
            "activity",
            rules.programme.activities.iter().filter_map(|a| own(&a.activity.id, &a.at.file)).collect(),
        ),
    ];
    let mut coverage = Coverage::default();
    for (kind, ids) in all {
        let reached = seen.get(kind);
        let missed: Vec<String> = ids
            .into_iter()
            .filter(|id| !reached.is_some_and(|r| r.contains(*id)))
            .map(str::to_owned)
            .collect();
        coverage.uncovered.insert(kind.to_owned(), missed);
    }
    TestReport { cases, coverage }
}

fn list(items: &[&String]) -> String {
    if items.is_empty() {
        "nothing".to_owned()
    } else {
        items.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
    }
}

fn record(seen: &mut BTreeMap<&'static str, BTreeSet<String>>, a: &Assessment) {
    seen.entry("level").or_default().insert(a.level.id.to_string());
    seen.entry("category").or_default().extend(a.categories.iter().map(|c| c.id.to_string()));
    seen.entry("criterion").or_default().extend(a.criteria.iter().map(|c| c.id.to_string()));
    seen.entry("urgent_service").or_default().extend(a.urgent_services.iter().map(|s| s.id.to_string()));
    let partners = a.partners.iter().chain(&a.partners_pending_consent).map(|p| p.id.to_string());
    seen.entry("partner").or_default().extend(partners);
    seen.entry("deadline").or_default().extend(a.deadlines.iter().map(|d| d.id.to_string()));
    seen.entry("consultation").or_default().extend(a.consultations.iter().map(|c| c.id.to_string()));
    let duties = a.partners.iter().flat_map(|p| p.duties.iter().map(|d| d.id.to_string()));
    seen.entry("reporting_duty").or_default().extend(duties);
    seen.entry("consistency_check").or_default().extend(a.warnings.iter().map(|w| w.code.clone()));
    let activities = a.programme.iter().flat_map(|p| p.items.iter().map(|i| i.id.to_string()));
    seen.entry("activity").or_default().extend(activities);
}

fn compare(expect: &Expectation, result: &Result<Assessment, AssessError>) -> Vec<String> {
    let mut diffs = Vec::new();
    let a = match result {
        Ok(a) => a,
        Err(AssessError::InvalidAnswers { problems }) => {
            let actual: Vec<String> = problems.iter().map(|p| p.path.clone()).collect();
            match &expect.invalid_at {
                Some(expected) if sorted(expected.clone()) == sorted(actual.clone()) => {}
                Some(expected) => diffs.push(set_diff("invalid answers at", expected, &actual)),
                None => diffs.push(format!("the answers were refused: {}", actual.join(", "))),
            }
            return diffs;
        }
        Err(error) => return vec![format!("a rule failed: {error}")],
    };
    if expect.invalid_at.is_some() {
        diffs.push("expected the answers to be refused, but they were accepted".to_owned());
    }
    if let Some(level) = &expect.level {
        if **level != *a.level.id {
            diffs.push(format!(
                "level: expected {level}, got {} (because {})",
                a.level.id,
                a.level.because.join(", ")
            ));
        }
    }
    let ids = |items: Vec<&crate::format::vocab::Text>| {
        items.into_iter().map(|i| i.to_string()).collect::<Vec<_>>()
    };
    if let Some(expected) = &expect.categories {
        check_set(&mut diffs, "categories", expected, &ids(a.categories.iter().map(|c| &c.id).collect()));
    }
    if let Some(expected) = &expect.urgent_services {
        check_set(
            &mut diffs,
            "urgent services",
            expected,
            &ids(a.urgent_services.iter().map(|s| &s.id).collect()),
        );
    }
    if let Some(expected) = &expect.partners_pending_consent {
        check_set(
            &mut diffs,
            "partners pending consent",
            expected,
            &ids(a.partners_pending_consent.iter().map(|p| &p.id).collect()),
        );
    }
    if let Some(expected) = &expect.criteria {
        let actual = a.criteria.iter().map(|c| (c.id.to_string(), c.severity.id().to_owned())).collect();
        check_map(
            &mut diffs,
            "criteria",
            &expected.iter().map(|(k, v)| (k.clone(), v.id().to_owned())).collect(),
            &actual,
        );
    }
    if let Some(expected) = &expect.partners {
        let actual = a.partners.iter().map(|p| (p.id.to_string(), p.urgency.id().to_owned())).collect();
        check_map(
            &mut diffs,
            "partners",
            &expected.iter().map(|(k, v)| (k.clone(), v.id().to_owned())).collect(),
            &actual,
        );
    }
    if let Some(expected) = &expect.deadlines {
        let actual = a.deadlines.iter().map(|d| (d.id.to_string(), d.due.clone())).collect();
        check_map(&mut diffs, "deadlines", expected, &actual);
    }
    if let Some(expected) = &expect.programme {
        let expected: Vec<String> =
            expected.iter().flat_map(|m| m.iter().map(|(id, due)| format!("{id} ({due})"))).collect();
        let items = a.programme.iter().flat_map(|p| &p.items);
        let actual: Vec<String> =
            items.map(|i| format!("{} ({})", i.id, i.due.as_deref().unwrap_or("—"))).collect();
        if expected != actual {
            let missing: Vec<&String> = expected.iter().filter(|e| !actual.contains(e)).collect();
            let extra: Vec<&String> = actual.iter().filter(|e| !expected.contains(e)).collect();
            let order =
                if missing.is_empty() && extra.is_empty() { "; the same items in another order" } else { "" };
            diffs.push(format!(
                "programme: missing {}, not expected {}{order}",
                list(&missing),
                list(&extra)
            ));
        }
    }
    if let Some(expected) = &expect.consultations {
        check_set(
            &mut diffs,
            "consultations",
            expected,
            &ids(a.consultations.iter().map(|c| &c.id).collect()),
        );
    }
    if let Some(expected) = &expect.warnings {
        let about_the_family = a.warnings.iter().filter(|w| w.code != "draft_version");
        let actual: Vec<String> = about_the_family.map(|w| w.code.clone()).collect();
        check_set(&mut diffs, "warnings", expected, &actual);
    }
    if let Some(expected) = &expect.reasons {
        let said =
            |reasons: &[crate::Reason]| reasons.iter().map(|r| r.text(crate::Lang::Ru)).collect::<Vec<_>>();
        let given: BTreeMap<String, Vec<String>> = a
            .urgent_services
            .iter()
            .chain(&a.consultations)
            .map(|f| (f.id.to_string(), said(&f.reasons)))
            .chain(a.partners.iter().map(|p| (p.id.to_string(), said(&p.reasons))))
            .collect();
        for (id, wanted) in expected {
            match given.get(id) {
                Some(actual) => check_set(&mut diffs, &format!("reasons of {id}"), wanted, actual),
                None => diffs.push(format!("reasons of {id}: {id} is not recommended")),
            }
        }
    }
    if let Some(expected) = &expect.held_back {
        for p in &a.partners {
            let actual = ids(p.held_back.iter().collect());
            let none = Vec::new();
            let wanted = expected.get(&*p.id).unwrap_or(&none);
            check_set(&mut diffs, &format!("held back from {}", p.id), wanted, &actual);
        }
        for id in expected.keys().filter(|id| !a.partners.iter().any(|p| *p.id == ***id)) {
            diffs.push(format!("held back from {id}: the partner is not told at all"));
        }
    }
    diffs
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn set_diff(what: &str, expected: &[String], actual: &[String]) -> String {
    let missing: Vec<&String> = expected.iter().filter(|e| !actual.contains(e)).collect();
    let extra: Vec<&String> = actual.iter().filter(|a| !expected.contains(a)).collect();
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("missing {}", join(&missing)));
    }
    if !extra.is_empty() {
        parts.push(format!("unexpected {}", join(&extra)));
    }
    format!("{what}: {}", parts.join("; "))
}

fn check_set(diffs: &mut Vec<String>, what: &str, expected: &[String], actual: &[String]) {
    if sorted(expected.to_vec()) != sorted(actual.to_vec()) {
        diffs.push(set_diff(what, expected, actual));
    }
}

fn check_map(
    diffs: &mut Vec<String>,
    what: &str,
    expected: &BTreeMap<String, String>,
    actual: &BTreeMap<String, String>,
) {
    let mut parts = Vec::new();
    for (id, value) in expected {
        match actual.get(id) {
            None => parts.push(format!("missing {id} ({value})")),
            Some(got) if got != value => parts.push(format!("{id}: expected {value}, got {got}")),
            Some(_) => {}
        }
    }
    for (id, value) in actual {
        if !expected.contains_key(id) {
            parts.push(format!("unexpected {id} ({value})"));
        }
    }
    if !parts.is_empty() {
        diffs.push(format!("{what}: {}", parts.join("; ")));
    }
}

fn join(items: &[&String]) -> String {
    items.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

/// A test case that expects what `assessment` of `answers` says — level, categories, criteria
/// with their severities, urgent services, consultations, partners with their urgencies,
/// deadlines with their dates — for a person to read, edit and add to the rule set's tests
/// (the studio's «сохранить как тест»).
pub fn test_case_of(name: String, answers: serde_json::Value, assessment: &Assessment) -> TestCase {
    let ids =
        |items: &mut dyn Iterator<Item = &Text>| Some(items.map(|id| id.to_string()).collect::<Vec<_>>());
    let expect = Expectation {
        level: Some(assessment.level.id.to_string()),
        categories: ids(&mut assessment.categories.iter().map(|c| &c.id)),
        criteria: Some(assessment.criteria.iter().map(|c| (c.id.to_string(), c.severity)).collect()),
        urgent_services: ids(&mut assessment.urgent_services.iter().map(|s| &s.id)),
        consultations: ids(&mut assessment.consultations.iter().map(|s| &s.id)),
        partners: Some(assessment.partners.iter().map(|p| (p.id.to_string(), p.urgency)).collect()),
        deadlines: Some(assessment.deadlines.iter().map(|d| (d.id.to_string(), d.due.clone())).collect()),
        ..Expectation::default()
    };
    TestCase { name, answers, expect }
}
