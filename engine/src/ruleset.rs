//! A compiled rule set: everything parsed, checked and compiled once, ready to assess families.

use std::collections::BTreeSet;

use jiff::civil::Date;
use rhai::{Engine, AST};

use crate::diagnostic::{At, Diagnostic};
use crate::model::{Period, Question, Scope, TestCase};
use crate::source::RuleSource;
use crate::vocab::{Basis, Labels, Severity, Urgency};

/// A rule set compiled once and then used for any number of assessments.
///
/// Build it with [`RuleSet::load`]; it never changes afterwards and is `Send + Sync`, so one
/// instance can serve many threads.
pub struct RuleSet {
    pub(crate) id: String,
    pub(crate) version: String,
    pub(crate) title: Labels,
    pub(crate) in_force: (Date, Option<Date>),
    pub(crate) digest: String,
    pub(crate) holidays: BTreeSet<Date>,
    pub(crate) minimum_partner_urgency: Vec<(Severity, Urgency)>,
    pub(crate) questions: Vec<Question>,
    pub(crate) relevance: Vec<Relevance>,
    pub(crate) parameters: Vec<Parameter>,
    pub(crate) member_facts: Vec<Fact>,
    pub(crate) nodes: Vec<Node>,
    pub(crate) categories: Vec<Outcome>,
    pub(crate) criteria: Vec<CriterionRule>,
    pub(crate) levels: Vec<LevelRule>,
    pub(crate) services: Vec<ServiceRule>,
    pub(crate) partners: Vec<PartnerRule>,
    pub(crate) deadlines: Vec<DeadlineRule>,
    pub(crate) tests: Vec<(At, TestCase)>,
    /// JSON Pointer of the yes/no answer that records consent to involve partners.
    pub(crate) partner_consent: Option<String>,
    /// Everything any rule reads (for the `missing` list).
    pub(crate) reads_any: Reads,
    pub(crate) engine: Engine,
}

/// What one expression needs and reads, worked out when it is compiled.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reads {
    /// Answer paths outside the members (`/survey_act/food_present`).
    pub family: BTreeSet<String>,
    /// Fields of the member the rule is evaluated for (member scope).
    pub own_member: BTreeSet<String>,
    /// Fields read on every member (through `members` and closures).
    pub every_member: BTreeSet<String>,
    /// Parameters used (indices into `RuleSet::parameters`).
    pub parameters: BTreeSet<usize>,
    /// Derived facts used, directly or not (ids).
    pub derived: BTreeSet<String>,
    /// Categories and criteria referred to (ids).
    pub outcomes: BTreeSet<String>,
}

impl Reads {
    pub fn absorb(&mut self, other: &Reads) {
        self.family.extend(other.family.iter().cloned());
        self.own_member.extend(other.own_member.iter().cloned());
        self.every_member.extend(other.every_member.iter().cloned());
        self.parameters.extend(other.parameters.iter().copied());
        self.derived.extend(other.derived.iter().cloned());
    }
}

/// A compiled Rhai expression with where it stands and what it reads.
pub(crate) struct Expr {
    pub ast: AST,
    pub at: At,
    pub reads: Reads,
}

/// A dated parameter.
pub(crate) struct Parameter {
    pub id: String,
    pub label: Labels,
    pub values: Vec<(Date, Option<Date>, f64, Basis)>,
}

/// A member fact, computed per member before anything else.
pub(crate) struct Fact {
    pub id: String,
    pub expr: Expr,
}

/// When a question applies.
pub(crate) struct Relevance {
    /// `/survey_act/x`, or `/members/*/x` for a member question.
    pub pattern: String,
    pub expr: Expr,
}

/// A step of the family evaluation, in dependency order.
pub(crate) struct Node {
    pub id: String,
    pub kind: NodeKind,
    pub scope: Scope,
    pub expr: Expr,
}

/// What a node computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NodeKind {
    Derived,
    Category(usize),
    Criterion(usize),
}

/// The identity and basis shared by every outcome.
pub(crate) struct Outcome {
    pub id: String,
    pub label: Labels,
    pub basis: Vec<Basis>,
    pub at: At,
}

pub(crate) struct CriterionRule {
    pub outcome: Outcome,
    pub severity: Severity,
    pub escalate: Vec<(Severity, Expr)>,
}

/// A clause with ids resolved to indices.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Clause {
    pub category: Option<usize>,
    pub criterion: Option<usize>,
    pub severity: Option<(Severity, u32)>,
    pub levels: Vec<usize>,
    pub service: Option<usize>,
    pub any_service: bool,
}

pub(crate) struct LevelRule {
    pub outcome: Outcome,
    pub if_any: Vec<Clause>,
    pub otherwise: bool,
    pub review_after: Option<Period>,
}

pub(crate) struct ServiceRule {
    pub outcome: Outcome,
    pub if_any: Vec<Clause>,
    pub when: Option<Expr>,
}

pub(crate) struct PartnerRule {
    pub outcome: Outcome,
    pub without_consent: bool,
    pub triggers: Vec<(Trigger, Urgency)>,
}

pub(crate) enum Trigger {
    Clause(Clause),
    When(Expr),
}

pub(crate) struct DeadlineRule {
    pub outcome: Outcome,
    pub if_any: Vec<Clause>,
    pub due_after: Period,
}

/// The outcome of loading a rule set: the rule set if it has no errors, and every problem.
pub struct Loaded {
    /// The compiled rule set, unless an error prevents it.
    pub ruleset: Option<RuleSet>,
    /// Every error and warning found.
    pub diagnostics: Vec<Diagnostic>,
}

impl RuleSet {
    /// Parses, checks and compiles a rule set. Returns every problem found, not just the first.
    pub fn load(source: &dyn RuleSource) -> Loaded {
        crate::compile::compile(source)
    }

    /// The rule set's id, e.g. `khmao`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The version, e.g. `2026.1`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The title for people.
    pub fn title(&self) -> &Labels {
        &self.title
    }

    /// `sha256:` digest of the rule set's files.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The questions the rule set reads.
    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    /// The test cases the rule set carries.
    pub fn test_cases(&self) -> impl Iterator<Item = &TestCase> {
        self.tests.iter().map(|(_, case)| case)
    }

    /// The first and last day the rule set is in force.
    pub fn in_force(&self) -> (String, Option<String>) {
        (self.in_force.0.to_string(), self.in_force.1.map(|d| d.to_string()))
    }
}
