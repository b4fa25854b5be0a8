//! Assessing one family with a compiled rule set: validate, compute facts, evaluate categories
//! and criteria in dependency order, then levels, services, partners and deadlines, each with
//! its reasons, the answers it read and its basis.

mod explain;
mod partners;
mod programme;
mod services;
mod warnings;

pub(crate) mod answers;
pub(crate) mod error;
pub(crate) mod native;
pub(crate) mod values;

use jiff::civil::Date;
use serde_json::Value;

use crate::compiled::{Clause, NodeKind, Outcome, OutcomeRef, Reads, RuleSet, ServiceRule, Trigger, When};
use crate::dates;
use crate::format::assessment::Explain;
use crate::format::assessment::{
    Assessment, CriterionFinding, DeadlineFinding, DutyRef, Finding, LevelOutcome, ParameterValue,
    PartnerFinding, Reason, RuleRef, Warning,
};
use crate::format::model::Scope;
use crate::format::model::MEMBERS;
use crate::format::vocab::{Labels, Severity, Text, Urgency};
use crate::run::answers::{Answer, AnswerProblem, BadJson, ReadAnswers};
use crate::run::error::AssessError;
use crate::run::native::Val;
use crate::run::values::Values;

/// An answer read by a rule: borrowed, cheap to copy, sort and merge; it becomes a JSON
/// Pointer string only in the finished assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Read<'a> {
    /// A path outside the members (`/survey_act/x`).
    Answer(&'a Text),
    /// A field (member slot) of member `m`.
    Member(usize, usize),
}

impl RuleSet {
    fn paths(&self, reads: &[Read<'_>]) -> Vec<Text> {
        reads
            .iter()
            .map(|r| match *r {
                Read::Answer(path) => path.clone(),
                Read::Member(m, slot) => self.member_path(m, slot),
            })
            .collect()
    }
}

/// A category or criterion that holds, and for which members.
#[derive(Debug, Clone)]
struct Hit<'a> {
    severity: Severity,
    reads: Vec<Read<'a>>,
    because: Vec<Text>,
}

/// Assesses one family (see [`RuleSet::assess`]): every problem of the answers, or the
/// assessment in the detail asked for.
pub(crate) fn assess(rules: &RuleSet, answers: &Value, explain: Explain) -> Result<Assessment, AssessError> {
    assess_read(rules, answers::read(&rules.questions, &rules.shape, answers), explain)
}

/// Like [`assess`], from JSON text, read straight into the answers' tree (no `Value`).
pub(crate) fn assess_json(
    rules: &RuleSet,
    text: &str,
    explain: Explain,
) -> Result<Result<Assessment, AssessError>, BadJson> {
    let read = answers::read_json(&rules.questions, &rules.shape, text)?;
    Ok(assess_read(rules, read, explain))
}

fn assess_read(rules: &RuleSet, read: ReadAnswers<'_>, explain: Explain) -> Result<Assessment, AssessError> {
    if !read.problems.is_empty() {
        return Err(AssessError::InvalidAnswers { problems: read.problems });
    }
    Run::new(rules, &read.top, explain)?.finish()
}

/// Assesses valid answers and also says which questions do not apply to this family (their
/// `relevant_when` is false), as concrete JSON Pointers.
pub(crate) fn assess_and_hide(
    rules: &RuleSet,
    answers: &Value,
) -> Result<(Assessment, Vec<Text>), AssessError> {
    let read = answers::read(&rules.questions, &rules.shape, answers);
    let mut run = Run::new(rules, &read.top, Explain::ALL)?;
    let hidden = run.hidden()?;
    Ok((run.finish()?, hidden))
}

/// The questions that do not apply to valid answers (as [`assess_and_hide`] finds them),
/// without finishing the assessment: for the synthetic generator.
/// Relevance conditions (and the derived facts) read no category or criterion in most rule sets:
/// then only the member and derived facts are computed.
pub(crate) fn hidden(rules: &RuleSet, answers: &Value) -> Result<Vec<Text>, AssessError> {
    let read = answers::read(&rules.questions, &rules.shape, answers);
    let derived = rules.nodes.iter().filter(|n| n.kind == NodeKind::Derived).map(|n| &n.expr);
    let mut exprs = rules.relevance.iter().map(|r| &r.expr).chain(derived);
    if exprs.any(|e| !e.reads.outcomes.is_empty() || !e.reads.outcome_refs.is_empty()) {
        return Run::new(rules, &read.top, Explain::BRIEF)?.hidden();
    }
    crate::sandbox::budget::start();
    let as_of = as_of(rules, &read.top);
    let mut run = Run {
        rules,
        explain: Explain::BRIEF,
        answers: &read.top,
        as_of,
        values: Values::new(rules, &read.top, as_of),
        categories: Vec::new(),
        criteria: Vec::new(),
        warnings: Vec::new(),
    };
    run.values.compute_member_facts()?;
    for node in rules.nodes.iter().filter(|n| n.kind == NodeKind::Derived) {
        let (value, dynamic) = run.values.value(&node.expr, None)?;
        run.values.store(node.slot, &node.id, value, dynamic);
    }
    run.hidden()
}

/// The assessment date the answers give (a date that does not parse is refused by the
/// validation; the default only serves runs on answers not validated).
fn as_of(rules: &RuleSet, top: &[Answer<'_>]) -> Date {
    answers::answer_at(&rules.shape, top, &["as_of"])
        .and_then(Answer::as_str)
        .and_then(dates::parse)
        .unwrap_or_default()
}

struct Run<'a> {
    rules: &'a RuleSet,
    explain: Explain,
    /// The top-level answers, one per question.
    answers: &'a [Answer<'a>],
    as_of: Date,
    values: Values<'a>,
    categories: Vec<Option<Hit<'a>>>,
    criteria: Vec<Option<Hit<'a>>>,
    warnings: Vec<Warning>,
}

impl<'a> Run<'a> {
    /// The answer to `field` of member `member`, if there is one.
    fn member_field(&self, member: usize, field: &str) -> Option<&'a Answer<'a>> {
        let at = self.rules.slots.members_at?;
        let record = self.answers.get(at)?.records().get(member)?;
        let index = *self.rules.shape.nested.get(at)?.index.get(field)?;
        record.fields().get(index)
    }

    fn new(rules: &'a RuleSet, answers: &'a [Answer<'a>], explain: Explain) -> Result<Self, AssessError> {
        crate::sandbox::budget::start();
        let as_of = as_of(rules, answers);
        let mut run = Run {
            rules,
            explain,
            answers,
            as_of,
            values: Values::new(rules, answers, as_of),
            categories: vec![None; rules.categories.len()],
            criteria: vec![None; rules.criteria.len()],
            warnings: Vec::new(),
        };
        run.check_parameters()?;
        run.check_dates();
        run.values.compute_member_facts()?;
        run.evaluate_nodes()?;
        run.check_consistency()?;
        Ok(run)
    }

    fn evaluate_nodes(&mut self) -> Result<(), AssessError> {
        let rules = self.rules;
        for node in &rules.nodes {
            if node.kind == NodeKind::Derived {
                let (value, dynamic) = self.values.value(&node.expr, None)?;
                self.values.store(node.slot, &node.id, value, dynamic);
                continue;
            }
            let (holds, members) = match node.scope {
                Scope::Family => (self.values.holds(&node.expr, None)?, Vec::new()),
                Scope::Member => {
                    let members = self.values.members_where(&node.expr)?;
                    (!members.is_empty(), members)
                }
            };
            self.values.store(node.slot, &node.id, Val::Bool(holds), None);
            if !holds {
                continue;
            }
            let severity = match node.kind {
                NodeKind::Criterion(index) => self.severity(index, node.scope, &members)?,
                _ => Severity::Low,
            };
            let reads = if self.explain.reads {
                self.reads_with_outcomes(&node.expr.reads, &members)
            } else {
                Vec::new()
            };
            // Partner urgencies are decided from their own conditions' `because`, never from these.
            let because = if self.explain.outcome_only { Vec::new() } else { self.because(&node.expr.reads) };
            let hit = Hit { severity, reads, because };
            match node.kind {
                NodeKind::Category(index) => set(&mut self.categories, index, Some(hit)),
                NodeKind::Criterion(index) => set(&mut self.criteria, index, Some(hit)),
                NodeKind::Derived => {}
            }
        }
        Ok(())
    }

    /// The criterion's severity: the most serious escalation that holds, or its own.
    fn severity(&mut self, index: usize, scope: Scope, members: &[usize]) -> Result<Severity, AssessError> {
        let rules = self.rules;
        let Some(rule) = rules.criteria.get(index) else { return Ok(Severity::Low) };
        let mut severity = rule.severity;
        for (escalated, expr) in &rule.escalate {
            let holds = match scope {
                Scope::Family => self.values.holds(expr, None)?,
                Scope::Member => {
                    let mut any = false;
                    for &m in members {
                        any |= self.values.holds(expr, Some(m))?;
                    }
                    any
                }
            };
            if holds {
                severity = severity.max(*escalated);
            }
        }
        Ok(severity)
    }

    /// The ids that make a clause hold, or `None` if it does not.
    fn clause(&self, clause: &Clause, level: Option<usize>, services: &[bool]) -> Option<Vec<Text>> {
        let mut because = Vec::new();
        if let Some(i) = clause.category {
            self.categories.get(i)?.as_ref()?;
            because.push(self.rules.categories.get(i)?.id.clone());
        }
        if let Some(i) = clause.criterion {
            self.criteria.get(i)?.as_ref()?;
            because.push(self.rules.criteria.get(i)?.outcome.id.clone());
        }
        if let Some((severity, at_least)) = clause.severity {
            let ids: Vec<Text> = self
                .rules
                .criteria
                .iter()
                .zip(&self.criteria)
                .filter(|(_, hit)| hit.as_ref().is_some_and(|h| h.severity == severity))
                .map(|(rule, _)| rule.outcome.id.clone())
                .collect();
            if ids.len() < at_least as usize {
                return None;
            }
            because.extend(ids);
        }
        if !clause.levels.is_empty() {
            let level = level?;
            if !clause.levels.contains(&level) {
                return None;
            }
            because.push(self.rules.levels.get(level)?.outcome.id.clone());
        }
        if clause.any_service {
            let on: Vec<Text> = self
                .rules
                .services
                .iter()
                .zip(services)
                .filter(|(_, on)| **on)
                .map(|(s, _)| s.outcome.id.clone())
                .collect();
            if on.is_empty() {
                return None;
            }
            because.extend(on);
        }
        if let Some(i) = clause.service {
            if !services.get(i).copied().unwrap_or(false) {
                return None;
            }
            because.push(self.rules.services.get(i)?.outcome.id.clone());
        }
        Some(because)
    }

    fn any_clause(&self, clauses: &[Clause], level: Option<usize>, services: &[bool]) -> Option<Vec<Text>> {
        clauses.iter().find_map(|c| self.clause(c, level, services))
    }

    fn finish(mut self) -> Result<Assessment, AssessError> {
        let rules = self.rules;
        let (level_index, level_because) = rules
            .levels
            .iter()
            .enumerate()
            .find_map(|(i, l)| {
                if l.otherwise {
                    return Some((i, Vec::new()));
                }
                self.any_clause(&l.if_any, None, &[]).map(|because| (i, because))
            })
            .unwrap_or((rules.levels.len().saturating_sub(1), Vec::new()));
        let level_rule = rules.levels.get(level_index);
        let level = LevelOutcome {
            id: level_rule.map(|l| l.outcome.id.clone()).unwrap_or_default(),
            label: level_rule.map(|l| l.outcome.label.clone()).unwrap_or_default(),
            review_on: level_rule
                .filter(|_| !self.explain.outcome_only)
                .and_then(|l| l.review_after.as_ref())
                .and_then(|p| dates::add(self.as_of, p, &rules.holidays))
                .map(|d| d.to_string()),
            because: dedup(level_because),
            basis: level_rule.map(|l| l.outcome.basis.clone()).unwrap_or_default(),
            rule: level_rule.map(|l| rules.rule_ref(&l.outcome.at)).unwrap_or(RuleRef {
                file: String::new(),
                line: None,
                layer: None,
            }),
        };

        let (urgent_services, services_on) = self.urgent_services(level_index)?;
        let mut consultations = Vec::new();
        let outcome_only = self.explain.outcome_only;
        for c in shown(outcome_only, &rules.consultations) {
            consultations.extend(self.recommend(c, level_index, &services_on, true)?);
        }
        let (partners, pending) = self.partners(level_index, &services_on)?;

        let mut deadlines = Vec::new();
        for d in shown(outcome_only, &rules.deadlines) {
            if let Some(because) = self.any_clause(&d.if_any, Some(level_index), &services_on) {
                let due = dates::add(self.as_of, &d.due_after, &rules.holidays)
                    .map(|d| d.to_string())
                    .unwrap_or_default();
                deadlines.push(DeadlineFinding {
                    id: d.outcome.id.clone(),
                    label: d.outcome.label.clone(),
                    due,
                    because: dedup(because),
                    basis: d.outcome.basis.clone(),
                    rule: rules.rule_ref(&d.outcome.at),
                });
            }
        }

        let categories = rules
            .categories
            .iter()
            .zip(&self.categories)
            .filter_map(|(o, hit)| {
                hit.as_ref().map(|h| finding(rules, o, h.because.clone(), Vec::new(), rules.paths(&h.reads)))
            })
            .collect();
        let criteria = rules
            .criteria
            .iter()
            .zip(&self.criteria)
            .filter_map(|(c, hit)| {
                hit.as_ref().map(|h| CriterionFinding {
                    id: c.outcome.id.clone(),
                    label: c.outcome.label.clone(),
                    severity: h.severity,
                    because: h.because.clone(),
                    reads: rules.paths(&h.reads),
                    basis: c.outcome.basis.clone(),
                    rule: rules.rule_ref(&c.outcome.at),
                })
            })
            .collect();
        let missing = if self.explain.missing { self.missing()? } else { Vec::new() };
        let parameters = shown(outcome_only, &rules.parameters)
            .iter()
            .filter_map(|p| {
                let (value, basis) = p.value_on(self.as_of)?;
                Some(ParameterValue {
                    id: p.id.as_str().into(),
                    label: p.label.clone(),
                    value,
                    basis: basis.clone(),
                })
            })
            .collect();
        let mut assessment = Assessment {
            ruleset: rules.ruleset_ref(),
            engine: env!("CARGO_PKG_VERSION").to_owned(),
            as_of: self.as_of.to_string(),
            level,
            categories,
            criteria,
            urgent_services,
            consultations,
            partners,
            partners_pending_consent: pending,
            deadlines,
            programme: None,
            parameters,
            missing,
            warnings: self.warnings,
        };
        if !outcome_only {
            assessment.programme = programme::draft(rules, &assessment);
        }
        Ok(assessment)
    }
}

/// The rules of a part an outcome-only assessment leaves out: none then.
fn shown<T>(outcome_only: bool, items: &[T]) -> &[T] {
    if outcome_only {
        &[]
    } else {
        items
    }
}

fn set<T>(items: &mut [T], index: usize, value: T) {
    if let Some(slot) = items.get_mut(index) {
        *slot = value;
    }
}

/// The ids in their first order, each once (the lists are short).
fn dedup(ids: Vec<Text>) -> Vec<Text> {
    let mut out: Vec<Text> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

fn finding(
    rules: &RuleSet,
    o: &Outcome,
    because: Vec<Text>,
    reasons: Vec<Reason>,
    reads: Vec<Text>,
) -> Finding {
    Finding {
        id: o.id.clone(),
        label: o.label.clone(),
        because,
        reasons,
        reads,
        basis: o.basis.clone(),
        rule: rules.rule_ref(&o.at),
    }
}
