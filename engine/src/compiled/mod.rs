//! A compiled rule set: everything parsed, checked and compiled once, ready to assess families.

pub(crate) mod program;
pub(crate) mod shape;

/// The hash map of the lookups an assessment makes (slots, questions): a fast hasher with a
/// fixed seed (these maps are only looked up, never iterated into an output).
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

use std::collections::BTreeSet;

use jiff::civil::Date;
use rhai::{Engine, AST};

use crate::diagnostic::At;
use crate::format::model::{Period, Question, QuestionType, Scope, TestCase, MEMBERS};
use crate::format::vocab::{Basis, Labels, Severity, Text, Urgency};

/// A rule set compiled once and then used for any number of assessments.
///
/// Build it with [`RuleSet::load`] (the public API is in `api.rs`); it never changes afterwards and is `Send + Sync`, so one
/// instance can serve many threads.
pub struct RuleSet {
    pub(crate) id: String,
    pub(crate) version: String,
    pub(crate) title: Labels,
    pub(crate) in_force: (Date, Option<Date>),
    pub(crate) digest: String,
    /// The base and region of a regional overlay (`None` for a rule set with no base).
    pub(crate) layers: Option<std::sync::Arc<crate::load::layers::Layers>>,
    pub(crate) holidays: BTreeSet<Date>,
    pub(crate) minimum_partner_urgency: Vec<(Severity, Urgency)>,
    pub(crate) questions: Vec<Question>,
    pub(crate) shape: shape::Shape,
    pub(crate) relevance: Vec<Relevance>,
    pub(crate) parameters: Vec<Parameter>,
    pub(crate) member_facts: Vec<Fact>,
    pub(crate) nodes: Vec<Node>,
    pub(crate) categories: Vec<Outcome>,
    pub(crate) criteria: Vec<CriterionRule>,
    pub(crate) levels: Vec<LevelRule>,
    pub(crate) services: Vec<ServiceRule>,
    pub(crate) consultations: Vec<ServiceRule>,
    pub(crate) partners: Vec<PartnerRule>,
    /// The reporting duties partner triggers may name.
    pub(crate) duties: Vec<Outcome>,
    pub(crate) deadlines: Vec<DeadlineRule>,
    pub(crate) consistency: Vec<ConsistencyRule>,
    /// The programme's activities, departments and contacts (`compile::programme`).
    pub(crate) programme: ProgrammeRules,
    /// Not a published version: its assessments say so (set by whoever knows what is published).
    pub(crate) draft: bool,
    pub(crate) tests: Vec<(At, TestCase)>,
    /// JSON Pointer of the yes/no answer that records consent to involve partners.
    pub(crate) partner_consent: Option<String>,
    /// Answers any rule reads outside the members, and member fields any rule reads.
    pub(crate) readable_family: Vec<Readable>,
    pub(crate) readable_member: Vec<Readable>,
    pub(crate) slots: Slots,
    /// Criteria by id.
    pub(crate) criterion_index: FastMap<Text, usize>,
    /// Every rule's label by id (as `RuleSet::labels` lists them): for the words of open
    /// questions and what would change, which name many outcomes per call.
    pub(crate) label_index: FastMap<Text, Labels>,
    /// `/members/<m>/<field>` for the first members, by member slot: made once, shared.
    pub(crate) member_paths: Vec<Vec<Text>>,
    pub(crate) engine: Engine,
}

/// What one expression needs and reads, worked out when it is compiled.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reads {
    /// Answer paths outside the members (`/survey_act/food_present`).
    pub family: BTreeSet<Text>,
    /// Fields of the member the rule is evaluated for (member scope).
    pub own_member: BTreeSet<String>,
    /// Fields read on every member (through `members` and closures).
    pub every_member: BTreeSet<String>,
    /// Parameters used (indices into `RuleSet::parameters`).
    pub parameters: BTreeSet<usize>,
    /// Derived facts used, directly or not (ids).
    pub derived: BTreeSet<Text>,
    /// Categories and criteria referred to (ids).
    pub outcomes: BTreeSet<String>,
    /// The same, resolved to indices once the rule set is compiled.
    pub outcome_refs: Vec<OutcomeRef>,
    /// `own_member` and `every_member` as member slots, once the rule set is compiled.
    pub own_member_slots: Vec<usize>,
    pub every_member_slots: Vec<usize>,
}

/// A category or criterion, by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutcomeRef {
    Category(usize),
    Criterion(usize),
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

/// A compiled expression: always as Rhai, and natively where it lies within the subset
/// `native` understands. Where it stands and what it reads.
pub(crate) struct Expr {
    pub ast: AST,
    pub native: Option<program::Program>,
    pub at: At,
    pub reads: Reads,
}

/// Where the value of a family-level slot comes from.
#[derive(Debug, Clone)]
pub(crate) enum FamilySource {
    /// An answer: `/<id>` for a top-level question, `/<section>/<id>` inside a section.
    Answer { section: Option<String>, id: String, kind: QuestionType },
    /// A parameter's value on the assessment date (index into `parameters`).
    Parameter(usize),
    /// A derived fact, category or criterion, known to Rhai by this name.
    Computed(String),
}

/// The fixed slots values live in during an assessment.
#[derive(Debug, Clone, Default)]
pub(crate) struct Slots {
    pub family: Vec<FamilySource>,
    /// Member fields (with their kind), then member facts (`None`).
    pub member: Vec<(String, Option<QuestionType>)>,
    /// Where each answer slot's answer is in the read answers: (family slot, index of the
    /// top-level question, index of the field within that section if it is one).
    pub family_at: Vec<(usize, usize, Option<usize>)>,
    /// The index of the members' question among the top-level questions.
    pub members_at: Option<usize>,
    /// (index of the field among the members' questions, member slot) for each member field.
    pub member_at: Vec<(usize, usize)>,
    /// Member answer keys to member slots.
    pub member_index: FastMap<String, usize>,
}

impl Slots {
    /// Builds the answer indices from the slot lists and the questions.
    pub fn index(&mut self, questions: &[Question]) {
        let position = |questions: &[Question], id: &str| questions.iter().position(|q| q.id == id);
        for (slot, source) in self.family.iter().enumerate() {
            let FamilySource::Answer { section, id, .. } = source else { continue };
            let at = match section {
                None => position(questions, id).map(|top| (slot, top, None)),
                Some(section) => position(questions, section).and_then(|top| {
                    let field = position(&questions.get(top)?.questions, id)?;
                    Some((slot, top, Some(field)))
                }),
            };
            self.family_at.extend(at);
        }
        self.members_at = position(questions, MEMBERS);
        let member_questions = self
            .members_at
            .and_then(|m| questions.get(m))
            .map(|q| q.questions.as_slice())
            .unwrap_or_default();
        for (slot, (name, kind)) in self.member.iter().enumerate() {
            if kind.is_some() {
                self.member_index.insert(name.clone(), slot);
                if let Some(field) = position(member_questions, name) {
                    self.member_at.push((field, slot));
                }
            }
        }
    }
}

/// An answer the rules read, to list when it is missing, with the conditions of its relevance.
#[derive(Debug, Clone)]
pub(crate) struct Readable {
    /// JSON Pointer (`/survey_act/x`), or the field of a member (`x`).
    pub path: Text,
    /// The keys of `path` (`["survey_act", "x"]`).
    pub keys: Vec<String>,
    /// For a member field, its member slot.
    pub member_slot: usize,
    /// For an answer outside the members, its family slot (to tell whether it is answered
    /// without looking it up in the answers again).
    pub family_slot: Option<usize>,
    /// Indices into `RuleSet::relevance` that must all hold.
    pub relevance: Vec<usize>,
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
    /// The member slot it is stored in.
    pub slot: usize,
    pub expr: Expr,
}

/// When a question applies.
pub(crate) struct Relevance {
    /// The questions it governs: `/survey_act/x`, or `/members/*/x` for a member question.
    /// Questions with the same condition share one entry (and one evaluation per member).
    pub patterns: Vec<String>,
    pub expr: Expr,
}

/// A step of the family evaluation, in dependency order.
pub(crate) struct Node {
    pub id: String,
    pub label: Labels,
    /// The family slot its value is stored in.
    pub slot: usize,
    pub kind: NodeKind,
    pub scope: Scope,
    pub expr: Expr,
}

impl Parameter {
    /// The value in force on `date`, with its basis.
    pub fn value_on(&self, date: Date) -> Option<(f64, &Basis)> {
        self.values
            .iter()
            .find(|(from, to, ..)| *from <= date && to.is_none_or(|to| date <= to))
            .map(|(_, _, value, basis)| (*value, basis))
    }
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
    pub id: Text,
    pub label: Labels,
    pub basis: std::sync::Arc<[Basis]>,
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

/// A Rhai condition of a service, consultation or partner trigger, and what it says to people.
pub(crate) struct When {
    pub expr: Expr,
    pub scope: Scope,
    /// The rule's own words, or, where it gives none, the labels of the questions it reads.
    pub reason: Labels,
}

pub(crate) struct ServiceRule {
    pub outcome: Outcome,
    pub if_any: Vec<Clause>,
    pub when: Option<When>,
}

pub(crate) struct PartnerRule {
    pub outcome: Outcome,
    /// Every reason goes without consent (the form of the versions published before duties).
    pub without_consent: bool,
    pub triggers: Vec<TriggerRule>,
}

pub(crate) struct TriggerRule {
    pub trigger: Trigger,
    pub urgency: Urgency,
    /// The reporting duty (index into `RuleSet::duties`) that obliges this report.
    pub duty: Option<usize>,
}

pub(crate) enum Trigger {
    Clause(Clause),
    When(Box<When>),
}

/// Answers that contradict one another: a warning when `expr` holds.
pub(crate) struct ConsistencyRule {
    pub id: String,
    pub path: Option<String>,
    pub message: Labels,
    pub expr: Expr,
}

/// What the programme is drafted from.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProgrammeRules {
    pub activities: Vec<ActivityRule>,
    pub departments: Vec<crate::format::programme::Department>,
    pub directory: Vec<std::sync::Arc<crate::format::programme::Contact>>,
    /// The control after accompaniment ends, resolved like an activity's responsible.
    pub post_accompaniment: Option<std::sync::Arc<crate::format::programme::PostAccompanimentPlan>>,
}

/// An activity, with where it is written.
#[derive(Debug, Clone)]
pub(crate) struct ActivityRule {
    pub activity: crate::format::programme::Activity,
    pub basis: std::sync::Arc<[crate::format::vocab::Basis]>,
    /// How often it is checked, in words (made once).
    pub monitoring: Labels,
    /// Its id, shared by every programme item.
    pub id: Text,
    /// Who carries it out, with contacts (resolved once the partners are compiled).
    pub responsible: crate::format::programme::ResponsibleContact,
    pub at: At,
}

pub(crate) struct DeadlineRule {
    pub outcome: Outcome,
    pub if_any: Vec<Clause>,
    pub due_after: Period,
}

impl RuleSet {
    /// Every compiled expression, mutably.
    pub(crate) fn exprs_mut(&mut self) -> impl Iterator<Item = &mut Expr> {
        let facts = self.member_facts.iter_mut().map(|f| &mut f.expr);
        let nodes = self.nodes.iter_mut().map(|n| &mut n.expr);
        let relevance = self.relevance.iter_mut().map(|r| &mut r.expr);
        let escalations = self.criteria.iter_mut().flat_map(|c| c.escalate.iter_mut().map(|(_, e)| e));
        let services =
            self.services.iter_mut().chain(&mut self.consultations).filter_map(|s| s.when.as_mut());
        let partners = self.partners.iter_mut().flat_map(|p| {
            p.triggers.iter_mut().filter_map(|t| match &mut t.trigger {
                Trigger::When(w) => Some(&mut **w),
                Trigger::Clause(_) => None,
            })
        });
        let whens = services.chain(partners).map(|w| &mut w.expr);
        let checks = self.consistency.iter_mut().map(|c| &mut c.expr);
        facts.chain(nodes).chain(relevance).chain(escalations).chain(whens).chain(checks)
    }

    /// The JSON Pointer of a member's field, shared when the member is one of the first.
    pub(crate) fn member_path(&self, member: usize, slot: usize) -> Text {
        match self.member_paths.get(member).and_then(|paths| paths.get(slot)) {
            Some(path) => path.clone(),
            None => {
                let field = self.slots.member.get(slot).map_or("", |(name, _)| name.as_str());
                format!("/{}/{member}/{field}", crate::format::model::MEMBERS).into()
            }
        }
    }

    /// Resolves what expressions refer to by name to indices, and interns member paths.
    pub(crate) fn resolve_refs(&mut self) {
        const INTERNED_MEMBERS: usize = 64;
        self.member_paths = (0..INTERNED_MEMBERS)
            .map(|m| {
                let fields = self.slots.member.iter();
                fields
                    .map(|(name, _)| format!("/{}/{m}/{name}", crate::format::model::MEMBERS).into())
                    .collect()
            })
            .collect();
        let index = self.slots.member_index.clone();
        let slot_of = |name: &String| index.get(name).copied();
        let member_slot_lists: Vec<(Vec<usize>, Vec<usize>)> = self
            .exprs_mut()
            .map(|e| {
                (
                    e.reads.own_member.iter().filter_map(slot_of).collect(),
                    e.reads.every_member.iter().filter_map(slot_of).collect(),
                )
            })
            .collect();
        for (expr, (own, every)) in self.exprs_mut().zip(member_slot_lists) {
            expr.reads.own_member_slots = own;
            expr.reads.every_member_slots = every;
        }
        self.resolve_outcome_refs();
    }

    /// Resolves the categories and criteria every expression refers to, to indices.
    fn resolve_outcome_refs(&mut self) {
        let categories: Vec<Text> = self.categories.iter().map(|c| c.id.clone()).collect();
        let criteria: Vec<Text> = self.criteria.iter().map(|c| c.outcome.id.clone()).collect();
        for expr in self.exprs_mut() {
            expr.reads.outcome_refs = expr
                .reads
                .outcomes
                .iter()
                .filter_map(|id| {
                    let category = categories.iter().position(|c| **c == **id).map(OutcomeRef::Category);
                    category.or_else(|| criteria.iter().position(|c| **c == **id).map(OutcomeRef::Criterion))
                })
                .collect();
        }
    }

    /// The Rhai conditions of services, consultations and partner triggers.
    /// Every expression of the rule set: member facts, facts and outcomes, escalations,
    /// conditions of services and partners, consistency checks, relevance.
    pub(crate) fn exprs(&self) -> impl Iterator<Item = &Expr> {
        self.member_facts
            .iter()
            .map(|f| &f.expr)
            .chain(self.nodes.iter().map(|n| &n.expr))
            .chain(self.criteria.iter().flat_map(|c| c.escalate.iter().map(|(_, e)| e)))
            .chain(self.whens().map(|w| &w.expr))
            .chain(self.consistency.iter().map(|c| &c.expr))
            .chain(self.relevance.iter().map(|r| &r.expr))
    }

    pub(crate) fn whens(&self) -> impl Iterator<Item = &When> {
        let services = self.services.iter().chain(&self.consultations).filter_map(|s| s.when.as_ref());
        let partners = self.partners.iter().flat_map(|p| {
            p.triggers.iter().filter_map(|t| match &t.trigger {
                Trigger::When(w) => Some(&**w),
                Trigger::Clause(_) => None,
            })
        });
        services.chain(partners)
    }
}

impl RuleSet {
    /// Where a rule is written, as assessments name it: in a regional overlay, with its layer
    /// and its file within that layer.
    pub(crate) fn rule_ref(&self, at: &At) -> crate::format::assessment::RuleRef {
        crate::load::layers::Layers::rule_ref(self.layers.as_deref(), at)
    }
}
