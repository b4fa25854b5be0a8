//! The rule-set format as written by policy staff: what one YAML file of a rule set may hold.
//!
//! A rule set is a folder. `ruleset.yaml` holds the manifest; every other `*.yaml` file at the
//! top of the folder holds any of the sections below (they are merged, ids must be unique);
//! `*.rhai` files hold named Rhai functions; `tests/*.yaml` hold test cases. The JSON Schema of
//! a file is generated from these types (`sopro schema ruleset`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::format::vocab::{Basis, Labels, Severity, Urgency};

/// The name a member is known by in member-scoped rules and member facts (`m.age`).
pub const MEMBER: &str = "m";
/// The records question member-scoped rules iterate over.
pub const MEMBERS: &str = "members";

/// One YAML file of a rule set. Every section is optional; the manifest lives in `ruleset.yaml`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// The rule set's identity and the period it is in force (only in `ruleset.yaml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ruleset: Option<Manifest>,
    /// The answer fields the rule set reads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<Question>,
    /// Values that change by date, such as the subsistence minimum.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Parameter>,
    /// Facts computed for every member (visible in rules as `m.<id>`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub member_facts: Vec<Fact>,
    /// Facts computed for the family (visible in rules by their id).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub derived: Vec<Fact>,
    /// Family categories (any number apply).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    /// Need criteria (any number apply, each with a severity).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub criteria: Vec<Criterion>,
    /// Support levels, the highest first; the first that applies wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<Level>,
    /// Urgent social services.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urgent_services: Vec<Service>,
    /// Consultations: help the family asked for or needs that is not urgent (advice, help with
    /// papers or online services), in the same form as urgent services.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consultations: Vec<Service>,
    /// Interagency partners.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partners: Vec<Partner>,
    /// Duties to report that a law places on the service: a partner trigger that names one
    /// (`duty:`) involves the partner without the family's consent; every other reason waits
    /// for consent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reporting_duties: Vec<ReportingDuty>,
    /// Deadlines that follow from the outcome.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deadlines: Vec<Deadline>,
    /// Answers that contradict one another: each that holds is a warning at the answer concerned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consistency_checks: Vec<ConsistencyCheck>,
    /// Activities of the individual programme (ИПСС) the assessment drafts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activities: Vec<crate::format::programme::Activity>,
    /// Departments of the social-service centre, responsible for activities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub departments: Vec<crate::format::programme::Department>,
    /// Contacts of the partners and departments (placeholders marked).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub directory: Vec<crate::format::programme::Contact>,
    /// The control of the family after accompaniment ends (one in a rule set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_accompaniment: Option<crate::format::programme::PostAccompaniment>,
    /// In a regional overlay: base items replaced whole by these (same kind and id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<Box<RuleFile>>,
    /// In a regional overlay: base items left out, each with its reason and basis.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disable: Vec<crate::format::overlay::Disable>,
}

/// A duty to report to a partner, and the law that places it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportingDuty {
    /// Id (snake_case), named by partner triggers (`duty: <id>`).
    pub id: String,
    /// What the duty is, for people («обязанность сообщить об угрозе жизни ребёнка»).
    pub label: Labels,
    /// The act that places the duty.
    pub basis: Vec<Basis>,
}

/// Answers that should not hold together.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyCheck {
    /// Id (snake_case): the warning's code.
    pub id: String,
    /// When the answers contradict one another (Rhai).
    pub when: String,
    /// The answer the warning points at (a JSON Pointer such as `/survey_act/x`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What the specialist should check, in plain words (never an answer's value).
    pub message: Labels,
}

/// The rule set's identity.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Jurisdiction id, e.g. `khmao`.
    pub id: String,
    /// Version, e.g. `2026.1`. A published version never changes.
    pub version: String,
    /// A title for people.
    pub title: Labels,
    /// The dates the rule set is in force.
    pub in_force: DateRange,
    /// The acts the rules rest on.
    #[serde(default)]
    pub acts: Vec<Act>,
    /// Non-working days other than Saturdays and Sundays, used for deadlines in working days.
    #[serde(default)]
    pub holidays: Vec<String>,
    /// The least urgency a partner gets when a criterion of a given severity triggers it.
    #[serde(default)]
    pub minimum_partner_urgency: Vec<SeverityUrgency>,
    /// JSON Pointer of the yes/no answer recording the family's consent to involve partners;
    /// partners that are not `without_consent` wait for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_consent: Option<String>,
    /// The base this rule set is a regional overlay on (`rules/ru/<version>`), pinned by digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<crate::format::overlay::Extends>,
}

/// A severity and the least urgency that goes with it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeverityUrgency {
    /// Criteria of this severity …
    pub severity: Severity,
    /// … make their partners at least this urgent.
    pub urgency: Urgency,
}

/// A period of dates, both ends included; an open end has no `to`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DateRange {
    /// First day (`YYYY-MM-DD`).
    pub from: String,
    /// Last day (`YYYY-MM-DD`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// A legal act the rule set cites.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Act {
    /// Short name used in `basis.act`, e.g. `442-ФЗ`.
    pub id: String,
    /// Full title.
    pub title: String,
}

/// The kind of an answer field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionType {
    /// Yes or no.
    Bool,
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// Rubles per month; kopecks allowed.
    Money,
    /// A date `YYYY-MM-DD`.
    Date,
    /// Free text (never shown in messages).
    Text,
    /// One of `values`.
    Enum,
    /// Any number of distinct `values`.
    EnumList,
    /// A group of `questions` answered once (a JSON object).
    Section,
    /// A group of `questions` answered once per record (a JSON array of objects).
    Records,
}

/// One allowed value of an enum question.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    /// The value as stored in answers.
    pub id: String,
    /// A label for people.
    pub label: Labels,
}

/// An answer field.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Field name in the answers (snake_case).
    pub id: String,
    /// The kind of answer.
    #[serde(rename = "type")]
    pub kind: QuestionType,
    /// The question as asked.
    pub label: Labels,
    /// Help for the specialist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Labels>,
    /// Whether the answer must be given.
    #[serde(default)]
    pub required: bool,
    /// Allowed values (enum and enum_list).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<EnumValue>,
    /// Least value (numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Greatest value (numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Greatest length (text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Least number of records (records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u32>,
    /// Greatest number of records (records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u32>,
    /// A field of each record whose values must be unique (records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique: Option<String>,
    /// A Rhai condition: when false, the question does not apply and is hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant_when: Option<String>,
    /// A circumstance of the family that can change while it is accompanied (income,
    /// employment, an addiction, the state of the home, debts), as opposed to what is as it is
    /// (birth dates, roles, ids, the assessment date): what-would-change varies only these.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub changeable: bool,
    /// The fields of a section or of each record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<Question>,
}

/// A value that changes by date.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// Name used in rules.
    pub id: String,
    /// A label for people.
    pub label: Labels,
    /// Unit, e.g. `rub_per_month`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Values by period; periods must not overlap.
    pub values: Vec<DatedValue>,
}

/// A parameter's value in a period.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DatedValue {
    /// First day (`YYYY-MM-DD`).
    pub from: String,
    /// Last day (`YYYY-MM-DD`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The value.
    pub value: f64,
    /// Where the value comes from.
    pub basis: Basis,
}

/// A computed fact: a Rhai expression over answers, parameters and earlier facts.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// Name used in rules.
    pub id: String,
    /// A label for people.
    pub label: Labels,
    /// The Rhai expression.
    pub value: String,
}

/// Where a condition is evaluated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Once for the family.
    #[default]
    Family,
    /// Once for every member, with the member as `m`; holds if it holds for any member, and
    /// explains itself with the paths of the members it holds for.
    Member,
}

/// A family category.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Id (snake_case).
    pub id: String,
    /// A label for people.
    pub label: Labels,
    /// Family or member.
    #[serde(default)]
    pub scope: Scope,
    /// A Rhai condition.
    pub when: String,
    /// Legal basis.
    pub basis: Vec<Basis>,
}

/// A need criterion.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Id (snake_case).
    pub id: String,
    /// A label for people.
    pub label: Labels,
    /// The severity when the criterion is met.
    pub severity: Severity,
    /// A more serious severity under a further condition (the first that holds wins).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalate: Vec<Escalation>,
    /// Family or member.
    #[serde(default)]
    pub scope: Scope,
    /// A Rhai condition.
    pub when: String,
    /// Legal basis.
    pub basis: Vec<Basis>,
}

/// A more serious severity under a further Rhai condition.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// The severity.
    pub severity: Severity,
    /// A Rhai condition, evaluated in the criterion's scope.
    pub when: String,
}

/// A clause of a trigger: every key given must hold.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    /// This category applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// This criterion is met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criterion: Option<String>,
    /// At least `at_least` criteria of this severity are met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// How many criteria of `severity` (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<u32>,
    /// The support level is one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub level: Vec<String>,
    /// This urgent service is recommended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgent_service: Option<String>,
    /// Some other urgent service is recommended.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub any_urgent_service: bool,
}

/// A support level.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// Id (snake_case).
    pub id: String,
    /// A label for people.
    pub label: Labels,
    /// What the level means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Labels>,
    /// Reached if any clause holds (clauses may not name a level).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub if_any: Vec<Clause>,
    /// The level when no other applies (exactly one level, the last).
    #[serde(default)]
    pub otherwise: bool,
    /// When the family's situation is reviewed again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_after: Option<Period>,
    /// Legal basis.
    pub basis: Vec<Basis>,
}

/// An urgent social service.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Id (snake_case).
    pub id: String,
    /// A label for people.
    pub label: Labels,
    /// Recommended if any clause holds …
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub if_any: Vec<Clause>,
    /// … or this Rhai condition holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Where `when` is evaluated: for the family, or for every member (as `m`), so the reason
    /// names the members it holds for.
    #[serde(default, skip_serializing_if = "is_family")]
    pub scope: Scope,
    /// Why, when `when` holds, in words for people («нет сезонной одежды»).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Labels>,
    /// Legal basis.
    pub basis: Vec<Basis>,
}

/// An interagency partner.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Partner {
    /// Id (snake_case).
    pub id: String,
    /// A label for people.
    pub label: Labels,
    /// Every reason involves the partner without the family's consent. Superseded by `duty:`
    /// on the triggers that a law obliges to report (kept for the versions published with it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub without_consent: bool,
    /// What involves the partner and how urgently.
    pub triggers: Vec<PartnerTrigger>,
    /// Legal basis.
    pub basis: Vec<Basis>,
}

/// A reason to involve a partner.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerTrigger {
    /// What must hold (every key given).
    #[serde(flatten)]
    pub clause: Clause,
    /// Or a Rhai condition instead of the clause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Where `when` is evaluated (as for services).
    #[serde(default, skip_serializing_if = "is_family")]
    pub scope: Scope,
    /// Why, when `when` holds, in words for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Labels>,
    /// How urgently.
    #[serde(default = "routine")]
    pub urgency: Urgency,
    /// The reporting duty (`reporting_duties`) that obliges this report: the partner is then
    /// told for this reason even without the family's consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duty: Option<String>,
}

fn is_family(scope: &Scope) -> bool {
    *scope == Scope::Family
}

fn routine() -> Urgency {
    Urgency::Routine
}

/// A deadline.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    /// Id (snake_case).
    pub id: String,
    /// A label for people.
    pub label: Labels,
    /// Applies if any clause holds.
    pub if_any: Vec<Clause>,
    /// Due this long after the assessment date.
    pub due_after: Period,
    /// Legal basis.
    pub basis: Vec<Basis>,
}

/// A length of time. Exactly one field is given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// Calendar days (0: the same day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// Working days (Saturdays, Sundays and the manifest's holidays skipped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_days: Option<u32>,
    /// Calendar months.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
    /// Calendar years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<u32>,
}

pub use crate::format::testcase::{Expectation, TestCase};
