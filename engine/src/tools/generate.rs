//! Synthetic families from a rule set's questions (`sopro gen`), deterministic per seed.
//!
//! Every answer is drawn from what its question allows: enum values, both yes and no, numbers
//! and ages around the thresholds the rules compare them with (`tools::thresholds`), texts
//! within their length, records within their counts with a unique field unique. The assessment
//! date lies in the period the rule set is in force (for a library of versions: anywhere in
//! the periods of its versions, each family drawn by the version in force on its date).
//! Required questions are always answered, others mostly; questions whose `relevant_when` does
//! not hold for the family drawn are taken out again. A [`SampleProfile`] makes the mix
//! realistic (how often each value occurs); without one, values are drawn evenly.
//!
//! The generator reads nothing from outside: the same rule set, profile and seed always give
//! the same families.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use jiff::Span;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};

use crate::compiled::RuleSet;
use crate::diagnostic::{At, Code, Diagnostic};
use crate::format::model::{Question, QuestionType};
use crate::format::sample::{Hint, RecordGroup, SampleProfile};
use crate::tools::library::RuleLibrary;
use crate::tools::thresholds::{thresholds, Thresholds};

/// The name of a sample profile file, beside the versions of a rule set.
pub const SAMPLE_FILE: &str = "sample.yaml";

/// The question that holds the assessment date.
const AS_OF: &str = "as_of";

/// The probability that an optional question that applies is answered, by default.
const ANSWERED: f64 = 0.95;

/// Makes synthetic families for a rule set or a library of versions; see
/// [`RuleSet::generator`] and [`RuleLibrary::generator`].
pub struct Generator<'a> {
    plans: Vec<Plan<'a>>,
    /// The library whose versions are chosen by date, and the span of dates drawn from.
    library: Option<(&'a RuleLibrary, Date, Date)>,
    warnings: Vec<Diagnostic>,
}

/// What one version draws from.
struct Plan<'a> {
    rules: &'a RuleSet,
    profile: SampleProfile,
    thresholds: Thresholds,
    /// The scale of a money answer no rule compares with a literal (from the parameters).
    money_scale: f64,
    /// Dotted paths of the required questions (never taken out).
    required: BTreeSet<String>,
}

/// The state of drawing one family.
struct Draw<'r> {
    rng: &'r mut ChaCha8Rng,
    /// The family's number, from 1.
    n: usize,
    as_of: Date,
    /// The first letter of the records being drawn, if any (for their default texts).
    records: Option<char>,
}

/// Reads a sample profile (`sample.yaml`).
pub fn parse_sample(text: &str) -> Result<SampleProfile, String> {
    serde_yaml::from_str::<Option<SampleProfile>>(text)
        .map(Option::unwrap_or_default)
        .map_err(|e| crate::load::plain_yaml_error(&e))
}

impl<'a> Generator<'a> {
    pub(crate) fn for_rules(rules: &'a RuleSet, profile: Option<&SampleProfile>) -> Self {
        let mut warnings = Vec::new();
        let plans = vec![Plan::new(rules, profile, &mut warnings)];
        Generator { plans, library: None, warnings }
    }

    pub(crate) fn for_library(library: &'a RuleLibrary, profile: Option<&SampleProfile>) -> Self {
        let mut warnings = Vec::new();
        let plans: Vec<Plan<'a>> =
            library.versions().iter().map(|v| Plan::new(v, profile, &mut warnings)).collect();
        let mut span: Option<(Date, Date)> = None;
        for v in library.versions().iter().filter(|v| library.pick(&v.in_force.0.to_string()).is_some()) {
            let (from, to) = period(v);
            span = Some(span.map_or((from, to), |(a, b)| (a.min(from), b.max(to))));
        }
        let library = span.map(|(from, to)| (library, from, to));
        Generator { plans, library, warnings }
    }

    /// What the sample profile says that the questions do not bear out (an unknown question,
    /// an enum value the question does not have): each hint is left out.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// `n` families drawn with `seed`, each as the JSON answers of one family.
    pub fn families(&self, n: usize, seed: u64) -> impl Iterator<Item = Value> + '_ {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n).filter_map(move |i| self.family(&mut rng, i))
    }

    fn family(&self, rng: &mut ChaCha8Rng, index: usize) -> Option<Value> {
        let (plan, as_of) = self.choose(rng)?;
        let mut draw = Draw { rng, n: index + 1, as_of, records: None };
        let mut answers = Value::Object(plan.object(&mut draw, &plan.rules.questions, "", None, 1));
        plan.prune(&mut answers);
        Some(answers)
    }

    /// The version a family is drawn by, and its assessment date.
    fn choose(&self, rng: &mut ChaCha8Rng) -> Option<(&Plan<'a>, Date)> {
        let Some((library, from, to)) = self.library else {
            let plan = self.plans.first()?;
            let (from, to) = period(plan.rules);
            return Some((plan, day_between(rng, from, to)));
        };
        for _ in 0..32 {
            let date = day_between(rng, from, to);
            let Some(version) = library.pick(&date.to_string()) else { continue };
            if let Some(plan) = self.plans.iter().find(|p| std::ptr::eq(p.rules, version)) {
                return Some((plan, date));
            }
        }
        let plan =
            self.plans.iter().rev().find(|p| library.pick(&p.rules.in_force.0.to_string()).is_some())?;
        Some((plan, plan.rules.in_force.0))
    }
}

/// The period a version is in force, a year if it has no end.
fn period(rules: &RuleSet) -> (Date, Date) {
    let (from, to) = rules.in_force;
    (from, to.unwrap_or_else(|| from.checked_add(Span::new().days(364)).unwrap_or(from)))
}

fn day_between(rng: &mut ChaCha8Rng, from: Date, to: Date) -> Date {
    let days = from.until(to).map(|span| span.get_days()).unwrap_or(0).max(0);
    let offset = rng.random_range(0..=i64::from(days));
    from.checked_add(Span::new().days(offset)).unwrap_or(from)
}

fn chance(rng: &mut ChaCha8Rng, p: f64) -> bool {
    p.is_finite() && rng.random::<f64>() < p.clamp(0.0, 1.0)
}

/// One of `items` by weight (non-positive weights never drawn).
fn weighted<'w, T>(rng: &mut ChaCha8Rng, items: &'w [(T, f64)]) -> Option<&'w T> {
    let weight = |w: f64| if w.is_finite() && w > 0.0 { w } else { 0.0 };
    let total: f64 = items.iter().map(|(_, w)| weight(*w)).sum();
    if total <= 0.0 {
        return None;
    }
    let mut left = rng.random::<f64>() * total;
    for (item, w) in items {
        left -= weight(*w);
        if left < 0.0 {
            return Some(item);
        }
    }
    items.iter().rev().find(|(_, w)| weight(*w) > 0.0).map(|(item, _)| item)
}

fn pick<'w, T>(rng: &mut ChaCha8Rng, items: &'w [T]) -> Option<&'w T> {
    if items.is_empty() {
        return None;
    }
    items.get(rng.random_range(0..items.len()))
}

/// The question at a dotted path, and whether it lies in records.
fn find<'q>(questions: &'q [Question], path: &str) -> Option<&'q Question> {
    let mut level = questions;
    let mut found = None;
    for key in path.split('.') {
        let q = level.iter().find(|q| q.id == key)?;
        level = &q.questions;
        found = Some(q);
    }
    found
}

impl<'a> Plan<'a> {
    fn new(rules: &'a RuleSet, profile: Option<&SampleProfile>, warnings: &mut Vec<Diagnostic>) -> Self {
        let mut profile = profile.cloned().unwrap_or_default();
        check(rules, &mut profile, warnings);
        let money_scale = rules
            .parameters
            .iter()
            .flat_map(|p| p.values.iter().map(|v| v.2))
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max);
        let money_scale = if money_scale >= 100.0 { money_scale * 3.0 } else { 100_000.0 };
        let mut required = BTreeSet::new();
        required_paths(&rules.questions, "", &mut required);
        Plan { rules, profile, thresholds: thresholds(rules), money_scale, required }
    }

    /// The answers to `questions` (at `prefix`), with the hints of a record group over the
    /// profile's; `k` is the record's number in its group.
    fn object(
        &self,
        d: &mut Draw<'_>,
        questions: &[Question],
        prefix: &str,
        group: Option<&BTreeMap<String, Hint>>,
        k: usize,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        for q in questions {
            let path = if prefix.is_empty() { q.id.clone() } else { format!("{prefix}.{}", q.id) };
            if prefix.is_empty() && q.id == AS_OF && q.kind == QuestionType::Date {
                out.insert(q.id.clone(), json!(d.as_of.to_string()));
                continue;
            }
            let hint = group.and_then(|g| g.get(&q.id)).or_else(|| self.profile.answers.get(&path));
            let container = matches!(q.kind, QuestionType::Section | QuestionType::Records);
            let default = if container { 1.0 } else { self.profile.answered.unwrap_or(ANSWERED) };
            let answered = hint.and_then(|h| h.answered).unwrap_or(default);
            if !q.required && !chance(d.rng, answered) {
                continue;
            }
            if let Some(value) = self.value(d, q, &path, hint, k) {
                out.insert(q.id.clone(), value);
            }
        }
        out
    }

    fn value(
        &self,
        d: &mut Draw<'_>,
        q: &Question,
        path: &str,
        hint: Option<&Hint>,
        k: usize,
    ) -> Option<Value> {
        let none = Hint::default();
        let hint = hint.unwrap_or(&none);
        match q.kind {
            QuestionType::Bool => Some(json!(chance(d.rng, hint.p.unwrap_or(0.5)))),
            QuestionType::Integer | QuestionType::Number | QuestionType::Money => {
                self.number(d, q, path, hint)
            }
            QuestionType::Date => Some(json!(self.date(d, path, hint).to_string())),
            QuestionType::Text => Some(json!(text(d, q, hint, k))),
            QuestionType::Enum => enum_value(d.rng, q, hint).map(|v| json!(v)),
            QuestionType::EnumList => {
                let p = hint.p.unwrap_or(0.25);
                let values =
                    q.values.iter().filter(|v| hint.weights.is_empty() || hint.weights.contains_key(&v.id));
                let chosen: Vec<&str> = values.filter(|_| chance(d.rng, p)).map(|v| v.id.as_str()).collect();
                Some(json!(chosen))
            }
            QuestionType::Section => Some(Value::Object(self.object(d, &q.questions, path, None, k))),
            QuestionType::Records => Some(Value::Array(self.records(d, q, path))),
        }
    }

    fn number(&self, d: &mut Draw<'_>, q: &Question, path: &str, hint: &Hint) -> Option<Value> {
        let (lo, hi) = (q.min.unwrap_or(f64::NEG_INFINITY), q.max.unwrap_or(f64::INFINITY));
        if lo > hi {
            return None;
        }
        let whole = q.kind != QuestionType::Number;
        let x = if hint.zero.is_some() || hint.range.is_some() {
            if hint.zero.is_some_and(|p| chance(d.rng, p)) {
                0.0
            } else {
                let [a, b] = hint.range.unwrap_or([0.0, 0.0]);
                let skew = hint.skew.filter(|s| s.is_finite() && *s > 0.0).unwrap_or(1.0);
                a + d.rng.random::<f64>().powf(skew) * (b - a)
            }
        } else {
            let limits = self.thresholds.values.get(path).map_or(&[][..], Vec::as_slice);
            let base = if lo.is_finite() { lo } else { 0.0 };
            let top = limits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let scale = if q.kind == QuestionType::Money { self.money_scale } else { 100.0 };
            let top = if top.is_finite() && top > base { base + (top - base) * 2.0 } else { base + scale };
            let top = if hi.is_finite() { hi } else { top };
            let step = |t: f64| if whole { 1.0 } else { (t.abs() * 0.1).max(0.5) };
            let near: Vec<f64> =
                limits.iter().flat_map(|t| [t - step(*t), *t, t + step(*t)]).chain([base]).collect();
            match pick(d.rng, &near) {
                Some(x) if chance(d.rng, 0.5) => *x,
                _ => base + d.rng.random::<f64>() * (top - base),
            }
        };
        let x = x.clamp(lo, hi);
        let x = if whole { x.round().clamp(lo.ceil(), hi.floor()) } else { (x * 10.0).round() / 10.0 };
        if !x.is_finite() || x < lo || x > hi {
            return None;
        }
        if whole && x.abs() < 9.0e15 {
            return Some(json!(x as i64));
        }
        Some(json!(x))
    }

    fn date(&self, d: &mut Draw<'_>, path: &str, hint: &Hint) -> Date {
        let ages = self.thresholds.ages.get(path).map_or(&[][..], Vec::as_slice);
        let age = if let Some([a, b]) = hint.age {
            Some(d.rng.random_range(a.min(b)..=a.max(b)))
        } else if !ages.is_empty() {
            let near: Vec<f64> =
                ages.iter().flat_map(|a| [a - 1.0, *a, a + 1.0]).filter(|a| *a >= 0.0).collect();
            let top = ages.iter().copied().fold(0.0_f64, f64::max) + 30.0;
            let age = match pick(d.rng, &near) {
                Some(a) if chance(d.rng, 0.5) => *a,
                _ => d.rng.random::<f64>() * top,
            };
            Some(age.clamp(0.0, 150.0) as u32)
        } else {
            None
        };
        let Some(age) = age else {
            let back = d.rng.random_range(0..=3650_i64);
            return d.as_of.checked_sub(Span::new().days(back)).unwrap_or(d.as_of);
        };
        let year = i16::try_from(i32::from(d.as_of.year()) - i32::try_from(age).unwrap_or(0))
            .unwrap_or(d.as_of.year());
        let anniversary = Date::new(year, d.as_of.month(), d.as_of.day())
            .or_else(|_| Date::new(year, d.as_of.month(), 28))
            .unwrap_or(d.as_of);
        let back = d.rng.random_range(0..=364_i64);
        anniversary.checked_sub(Span::new().days(back)).unwrap_or(anniversary)
    }

    fn records(&self, d: &mut Draw<'_>, q: &Question, path: &str) -> Vec<Value> {
        let least = q.min_items.unwrap_or(0).max(1);
        let most = q.max_items.unwrap_or(u32::MAX).max(least);
        let generic = [RecordGroup {
            count: (least..=least.saturating_add(4).min(most)).map(|c| (c, 1.0)).collect(),
            fields: BTreeMap::new(),
        }];
        let groups = self.profile.records.get(path).map_or(&generic[..], Vec::as_slice);
        let outer = d.records.replace(q.id.chars().next().unwrap_or('r'));
        let mut out = Vec::new();
        for group in groups {
            let counts: Vec<(u32, f64)> = group.count.iter().map(|(c, w)| (*c, *w)).collect();
            let count = weighted(d.rng, &counts).copied().unwrap_or(0);
            for k in 1..=count as usize {
                out.push(Value::Object(self.object(d, &q.questions, path, Some(&group.fields), k)));
            }
        }
        while out.len() < least as usize {
            let k = out.len() + 1;
            out.push(Value::Object(self.object(d, &q.questions, path, None, k)));
        }
        d.records = outer;
        out.truncate(most as usize);
        if let Some(field) = &q.unique {
            make_unique(&mut out, field);
        }
        out
    }

    /// Takes out the answers to questions that do not apply to the family drawn (until none
    /// is left: taking one out may hide another).
    fn prune(&self, answers: &mut Value) {
        for _ in 0..4 {
            let Ok(hidden) = crate::run::hidden(self.rules, answers) else { return };
            let mut changed = false;
            for pointer in hidden {
                changed |= self.take(answers, &pointer);
            }
            if !changed {
                return;
            }
        }
    }

    /// Takes out the answer at a JSON Pointer unless its question is required; whether it did.
    fn take(&self, answers: &mut Value, pointer: &str) -> bool {
        let keys: Vec<&str> = pointer.split('/').skip(1).collect();
        let Some((last, parents)) = keys.split_last() else { return false };
        let mut node = answers;
        for key in parents {
            let next = match node {
                Value::Object(map) => map.get_mut(*key),
                Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
                _ => None,
            };
            let Some(next) = next else { return false };
            node = next;
        }
        let Value::Object(map) = node else { return false };
        if !map.contains_key(*last) {
            return false;
        }
        let dotted: Vec<&str> = keys.iter().copied().filter(|k| k.parse::<usize>().is_err()).collect();
        if self.required.contains(&dotted.join(".")) {
            return false;
        }
        map.remove(*last).is_some()
    }
}

fn enum_value<'q>(rng: &mut ChaCha8Rng, q: &'q Question, hint: &Hint) -> Option<&'q str> {
    let weights: Vec<(&str, f64)> =
        q.values.iter().filter_map(|v| hint.weights.get(&v.id).map(|w| (v.id.as_str(), *w))).collect();
    if let Some(value) = weighted(rng, &weights) {
        return Some(value);
    }
    pick(rng, &q.values).map(|v| v.id.as_str())
}

fn text(d: &mut Draw<'_>, q: &Question, hint: &Hint, k: usize) -> String {
    let pattern = match (&hint.text, d.records) {
        (Some(pattern), _) => pattern.clone(),
        (None, Some(letter)) => format!("{letter}{{k}}"),
        (None, None) => format!("{}-{{n}}", q.id),
    };
    let text = pattern
        .replace("{n}", &d.n.to_string())
        .replace("{k}", &k.to_string())
        .replace("{year}", &d.as_of.year().to_string());
    match q.max_length {
        Some(max) => text.chars().take(max as usize).collect(),
        None => text,
    }
}

/// Gives records with a repeated (or missing) text in the unique field one of their own.
fn make_unique(records: &mut [Value], field: &str) {
    let mut seen = BTreeSet::new();
    for (i, record) in records.iter_mut().enumerate() {
        let Value::Object(map) = record else { continue };
        let current = map.get(field).and_then(Value::as_str).map(str::to_owned);
        let fresh = match current {
            Some(text) if seen.insert(text.clone()) => continue,
            Some(text) => format!("{text}-{}", i + 1),
            None if map.contains_key(field) => continue,
            None => format!("r{}", i + 1),
        };
        seen.insert(fresh.clone());
        map.insert(field.to_owned(), json!(fresh));
    }
}

fn required_paths(questions: &[Question], prefix: &str, out: &mut BTreeSet<String>) {
    for q in questions {
        let path = if prefix.is_empty() { q.id.clone() } else { format!("{prefix}.{}", q.id) };
        if q.required {
            out.insert(path.clone());
        }
        required_paths(&q.questions, &path, out);
    }
}

/// Leaves out the hints the questions do not bear out, with a warning for each.
fn check(rules: &RuleSet, profile: &mut SampleProfile, warnings: &mut Vec<Diagnostic>) {
    let at = At::file(SAMPLE_FILE);
    let mut warn = |message: String| {
        if !warnings.iter().any(|w| w.message == message) {
            warnings.push(Diagnostic::warning(Code::SampleUnknown, &at, message));
        }
    };
    let version = format!("{} {}", rules.id, rules.version);
    let check_hint = |path: &str, hint: &mut Hint, warn: &mut dyn FnMut(String)| {
        let Some(q) = find(&rules.questions, path) else {
            warn(format!("`{path}`: {version} has no such question; its hint is left out"));
            return false;
        };
        hint.weights.retain(|value, _| {
            let known = q.values.iter().any(|v| &v.id == value);
            if !known {
                warn(format!("`{path}`: {version} has no value `{value}`; its weight is left out"));
            }
            known
        });
        true
    };
    profile.answers.retain(|path, hint| check_hint(path, hint, &mut warn));
    profile.records.retain(|path, groups| {
        if find(&rules.questions, path).is_none_or(|q| q.kind != QuestionType::Records) {
            warn(format!("`{path}`: {version} has no such records question; its groups are left out"));
            return false;
        }
        for group in groups.iter_mut() {
            group.fields.retain(|field, hint| check_hint(&format!("{path}.{field}"), hint, &mut warn));
        }
        true
    });
}
