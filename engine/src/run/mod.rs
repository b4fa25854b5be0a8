//! Assessing one family with a compiled rule set: validate, compute facts, evaluate categories
//! and criteria in dependency order, then levels, services, partners and deadlines, each with
//! its reasons, the answers it read and its basis.

pub(crate) mod answers;
pub(crate) mod error;
pub(crate) mod native;
pub(crate) mod values;

use jiff::civil::Date;
use serde_json::Value;

use crate::compiled::{Clause, NodeKind, Outcome, OutcomeRef, Reads, RuleSet, ServiceRule, Trigger, When};
use crate::dates;
use crate::diagnostic::At;
use crate::format::assessment::{
    Assessment, CriterionFinding, DeadlineFinding, DutyRef, Finding, LevelOutcome, ParameterValue,
    PartnerFinding, Reason, RuleRef, RuleSetRef, Warning,
};
use crate::format::model::Scope;
use crate::format::model::MEMBERS;
use crate::format::vocab::{Labels, Severity, Text, Urgency};
use crate::run::answers::AnswerProblem;
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
pub(crate) fn assess(rules: &RuleSet, answers: &Value, detail: Detail) -> Result<Assessment, AssessError> {
    let problems = answers::validate(&rules.questions, &rules.shape, answers);
    if !problems.is_empty() {
        return Err(AssessError::InvalidAnswers { problems });
    }
    Run::new(rules, answers, detail)?.finish()
}

/// Assesses valid answers and also says which questions do not apply to this family (their
/// `relevant_when` is false), as concrete JSON Pointers.
pub(crate) fn assess_and_hide(
    rules: &RuleSet,
    answers: &Value,
) -> Result<(Assessment, Vec<Text>), AssessError> {
    let mut run = Run::new(rules, answers, Detail::Full)?;
    let hidden = run.hidden()?;
    Ok((run.finish()?, hidden))
}

/// How much an assessment explains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detail {
    /// Everything, with the answers each finding read and the missing answers.
    Full,
    /// Without `reads` and `missing`.
    Brief,
}

struct Run<'a> {
    rules: &'a RuleSet,
    detail: Detail,
    answers: &'a Value,
    as_of: Date,
    values: Values<'a>,
    categories: Vec<Option<Hit<'a>>>,
    criteria: Vec<Option<Hit<'a>>>,
    warnings: Vec<Warning>,
}

impl<'a> Run<'a> {
    fn new(rules: &'a RuleSet, answers: &'a Value, detail: Detail) -> Result<Self, AssessError> {
        crate::sandbox::budget::start();
        let as_of_text = answers.get("as_of").and_then(Value::as_str).unwrap_or_default();
        let as_of = dates::parse(as_of_text).unwrap_or_default();
        let mut run = Run {
            rules,
            detail,
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

    /// The rule set's consistency checks: answers that contradict one another become warnings.
    fn check_consistency(&mut self) -> Result<(), AssessError> {
        let rules = self.rules;
        for check in &rules.consistency {
            if self.values.holds(&check.expr, None)? {
                let message = check.message.clone();
                self.warnings.push(Warning { code: check.id.clone(), path: check.path.clone(), message });
            }
        }
        Ok(())
    }

    /// Whether a condition holds — for the family, or for the members it is evaluated for — with
    /// the rules it used, its reason in words (naming the members) and the answers it read.
    fn condition(&mut self, when: &'a When) -> Result<Option<Held<'a>>, AssessError> {
        let members = match when.scope {
            Scope::Family => {
                if !self.values.holds(&when.expr, None)? {
                    return Ok(None);
                }
                Vec::new()
            }
            Scope::Member => {
                let members = self.values.members_where(&when.expr)?;
                if members.is_empty() {
                    return Ok(None);
                }
                members
            }
        };
        let reads = match self.detail {
            Detail::Full => self.reads_with_outcomes(&when.expr.reads, &members),
            Detail::Brief => Vec::new(),
        };
        let member_ids = members.iter().map(|&m| self.member_id(m)).collect();
        Ok(Some(Held {
            because: self.because(&when.expr.reads),
            reason: Reason { label: when.reason.clone(), members: member_ids },
            reads,
        }))
    }

    /// A member's `id` as answered (a code such as `c1`, never a name).
    fn member_id(&self, member: usize) -> Text {
        let id = self.answers.get(MEMBERS).and_then(|m| m.get(member)).and_then(|m| m.get("id"));
        id.and_then(Value::as_str).map_or_else(|| format!("#{}", member + 1).into(), Text::from)
    }

    /// An urgent service or consultation, if a clause or its condition holds (`services`: the
    /// urgent services already recommended, for clauses that depend on them).
    fn recommend(
        &mut self,
        rule: &'a ServiceRule,
        level: usize,
        services: &[bool],
        with_condition: bool,
    ) -> Result<Option<Finding>, AssessError> {
        let by_clause = self.any_clause(&rule.if_any, Some(level), services);
        // The condition is evaluated even when a clause holds, so every reason is given.
        let held = match rule.when.as_ref().filter(|_| with_condition) {
            Some(when) => self.condition(when)?,
            None => None,
        };
        Ok(match (by_clause, held) {
            (None, None) => None,
            (Some(because), None) => Some(finding(&rule.outcome, dedup(because), Vec::new(), Vec::new())),
            (because, Some(held)) => {
                let mut ids = because.unwrap_or_default();
                ids.extend(held.because);
                let reads = self.rules.paths(&held.reads);
                Some(finding(&rule.outcome, dedup(ids), vec![held.reason], reads))
            }
        })
    }

    fn warn(&mut self, code: &str, path: Option<String>, ru: &str, en: &str) {
        self.warnings.push(Warning { code: code.to_owned(), path, message: Labels::new(ru, en) });
    }

    fn check_dates(&mut self) {
        if self.rules.draft {
            let version = &self.rules.version;
            self.warn(
                "draft_version",
                None,
                &format!("оценка по черновику версии {version}: версия не опубликована, её правила могут измениться"),
                &format!("assessed by the draft version {version}: it is not published, and its rules may change"),
            );
        }
        let (from, to) = self.rules.in_force;
        if self.as_of < from || to.is_some_and(|to| self.as_of > to) {
            self.warn(
                "not_in_force",
                Some("/as_of".to_owned()),
                "набор правил не действует на дату оценки",
                "the rule set is not in force on the assessment date",
            );
        }
        let members =
            self.answers.get(MEMBERS).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        for (index, member) in members.iter().enumerate() {
            let born = member.get("birth_date").and_then(Value::as_str).and_then(dates::parse);
            if born.is_some_and(|born| born > self.as_of) {
                self.warn(
                    "born_after_as_of",
                    Some(format!("/{MEMBERS}/{index}/birth_date")),
                    "дата рождения позже даты оценки",
                    "the birth date is after the assessment date",
                );
            }
        }
    }

    /// A parameter with no value on the assessment date (e.g. the subsistence minimum of a year
    /// the rule set does not know) makes the date unusable: the answers are refused at `/as_of`,
    /// rather than a rule failing on a missing number.
    fn check_parameters(&self) -> Result<(), AssessError> {
        let problems: Vec<AnswerProblem> = self
            .rules
            .parameters
            .iter()
            .filter(|p| p.value_on(self.as_of).is_none())
            .map(|p| AnswerProblem {
                path: "/as_of".to_owned(),
                code: "no_parameter_value".to_owned(),
                message: format!("the rule set has no value of the parameter `{}` on this date", p.id),
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(AssessError::InvalidAnswers { problems })
        }
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
            let reads = match self.detail {
                Detail::Full => self.reads_with_outcomes(&node.expr.reads, &members),
                Detail::Brief => Vec::new(),
            };
            let hit = Hit { severity, reads, because: self.because(&node.expr.reads) };
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

    /// The answers behind a set of reads, with member fields for the given members.
    fn expand_reads(&self, reads: &'a Reads, members: &[usize], out: &mut Vec<Read<'a>>) {
        out.extend(reads.family.iter().map(Read::Answer));
        for &m in members {
            out.extend(reads.own_member_slots.iter().map(|&slot| Read::Member(m, slot)));
        }
        for m in 0..self.values.member_count() {
            out.extend(reads.every_member_slots.iter().map(|&slot| Read::Member(m, slot)));
        }
    }

    /// The answers read, including those read by the categories and criteria used that hold.
    fn reads_with_outcomes(&self, reads: &'a Reads, members: &[usize]) -> Vec<Read<'a>> {
        let mut out = Vec::new();
        self.expand_reads(reads, members, &mut out);
        for &outcome in &reads.outcome_refs {
            if let Some(hit) = self.hit(outcome) {
                out.extend_from_slice(&hit.reads);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The hit of a category or criterion, if it holds.
    fn hit(&self, outcome: OutcomeRef) -> Option<&Hit<'a>> {
        match outcome {
            OutcomeRef::Category(i) => self.categories.get(i)?.as_ref(),
            OutcomeRef::Criterion(i) => self.criteria.get(i)?.as_ref(),
        }
    }

    /// The derived facts used, and the categories and criteria used that hold.
    fn because(&self, reads: &Reads) -> Vec<Text> {
        let rules = self.rules;
        let holding =
            reads.outcome_refs.iter().filter(|o| self.hit(**o).is_some()).filter_map(|o| match *o {
                OutcomeRef::Category(i) => rules.categories.get(i).map(|c| c.id.clone()),
                OutcomeRef::Criterion(i) => rules.criteria.get(i).map(|c| c.outcome.id.clone()),
            });
        reads.derived.iter().cloned().chain(holding).collect()
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
                .and_then(|l| l.review_after.as_ref())
                .and_then(|p| dates::add(self.as_of, p, &rules.holidays))
                .map(|d| d.to_string()),
            because: dedup(level_because),
            basis: level_rule.map(|l| l.outcome.basis.clone()).unwrap_or_default(),
            rule: level_rule
                .map(|l| rule_ref(&l.outcome.at))
                .unwrap_or(RuleRef { file: String::new(), line: None }),
        };

        // Services that follow from other services (`any_urgent_service`) come second.
        let mut services_on = vec![false; rules.services.len()];
        let mut service_findings: Vec<Option<Finding>> = vec![None; rules.services.len()];
        for second_pass in [false, true] {
            let others = services_on.clone();
            for (i, s) in rules.services.iter().enumerate() {
                let needs_others = s.if_any.iter().any(|c| c.any_service);
                if services_on.get(i).copied().unwrap_or(false) || (second_pass && !needs_others) {
                    continue;
                }
                let context: &[bool] = if second_pass { &others } else { &[] };
                if let Some(found) = self.recommend(s, level_index, context, !second_pass)? {
                    set(&mut services_on, i, true);
                    set(&mut service_findings, i, Some(found));
                }
            }
        }
        let urgent_services: Vec<Finding> = service_findings.into_iter().flatten().collect();
        let mut consultations = Vec::new();
        for c in &rules.consultations {
            consultations.extend(self.recommend(c, level_index, &services_on, true)?);
        }

        let consent = self.consent();
        let mut partners = Vec::new();
        let mut pending = Vec::new();
        for p in &rules.partners {
            // The reasons passed on (obliged by a duty, or consented to), and those held back.
            let mut passed = PartnerReasons::default();
            let mut held_back = PartnerReasons::default();
            for t in &p.triggers {
                let (ids, reason) = match &t.trigger {
                    Trigger::Clause(c) => match self.clause(c, Some(level_index), &services_on) {
                        Some(ids) => (ids, None),
                        None => continue,
                    },
                    Trigger::When(w) => match self.condition(w)? {
                        Some(held) => (held.because, Some(held.reason)),
                        None => continue,
                    },
                };
                let mut u = t.urgency;
                for id in &ids {
                    if let Some(severity) = self.severity_of(id) {
                        for (s, least) in &rules.minimum_partner_urgency {
                            if *s == severity {
                                u = u.max(*least);
                            }
                        }
                    }
                }
                let obliged = p.without_consent || t.duty.is_some();
                let reasons = if obliged || consent { &mut passed } else { &mut held_back };
                reasons.obliged |= obliged;
                reasons.add(u, ids, reason, t.duty);
            }
            let (shown, withheld, list) = match (passed.urgency, held_back.urgency) {
                (Some(_), _) => (passed, held_back, &mut partners),
                (None, Some(_)) => (held_back, PartnerReasons::default(), &mut pending),
                (None, None) => continue,
            };
            let because = dedup(shown.because);
            let duties = dedup_duties(shown.duties)
                .into_iter()
                .filter_map(|d| rules.duties.get(d))
                .map(|d| DutyRef { id: d.id.clone(), label: d.label.clone(), basis: d.basis.clone() })
                .collect();
            list.push(PartnerFinding {
                id: p.outcome.id.clone(),
                label: p.outcome.label.clone(),
                urgency: shown.urgency.unwrap_or(Urgency::Routine),
                without_consent: shown.obliged,
                duties,
                held_back: dedup(withheld.because).into_iter().filter(|id| !because.contains(id)).collect(),
                held_back_reasons: withheld.reasons,
                because,
                reasons: shown.reasons,
                basis: p.outcome.basis.clone(),
                rule: rule_ref(&p.outcome.at),
            });
        }

        let mut deadlines = Vec::new();
        for d in &rules.deadlines {
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
                    rule: rule_ref(&d.outcome.at),
                });
            }
        }

        let categories = rules
            .categories
            .iter()
            .zip(&self.categories)
            .filter_map(|(o, hit)| {
                hit.as_ref().map(|h| finding(o, h.because.clone(), Vec::new(), rules.paths(&h.reads)))
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
                    rule: rule_ref(&c.outcome.at),
                })
            })
            .collect();
        let missing = match self.detail {
            Detail::Full => self.missing()?,
            Detail::Brief => Vec::new(),
        };
        let parameters = rules
            .parameters
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
        Ok(Assessment {
            ruleset: RuleSetRef {
                id: rules.id.clone(),
                version: rules.version.clone(),
                digest: rules.digest.clone(),
            },
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
            parameters,
            missing,
            warnings: self.warnings,
        })
    }

    fn severity_of(&self, id: &str) -> Option<Severity> {
        let index = *self.rules.criterion_index.get(id)?;
        self.criteria.get(index)?.as_ref().map(|h| h.severity)
    }

    /// Whether the family consents to involving partners (unrecorded consent is no consent).
    fn consent(&mut self) -> bool {
        let Some(pointer) = &self.rules.partner_consent else { return true };
        match self.answers.pointer(pointer) {
            Some(Value::Bool(given)) => *given,
            _ => {
                self.warn(
                    "consent_not_recorded",
                    Some(pointer.clone()),
                    "согласие семьи на межведомственное взаимодействие не отмечено: партнёры, которым нужно согласие, отложены",
                    "the family's consent to involve other agencies is not recorded: partners that need it are held back",
                );
                false
            }
        }
    }

    /// The questions whose relevance condition is false, for the family or for each member.
    fn hidden(&mut self) -> Result<Vec<Text>, AssessError> {
        let rules = self.rules;
        let member_prefix = format!("/{MEMBERS}/*/");
        let mut hidden = Vec::new();
        for relevance in &rules.relevance {
            let per_member = relevance.patterns.iter().any(|p| p.starts_with(&member_prefix));
            if !per_member {
                if !self.values.holds(&relevance.expr, None)? {
                    hidden.extend(relevance.patterns.iter().map(|p| Text::from(p.as_str())));
                }
                continue;
            }
            for m in 0..self.values.member_count() {
                if !self.values.holds(&relevance.expr, Some(m))? {
                    for pattern in &relevance.patterns {
                        let field = pattern.strip_prefix(&member_prefix).unwrap_or(pattern);
                        hidden.push(format!("/{MEMBERS}/{m}/{field}").into());
                    }
                }
            }
        }
        Ok(hidden)
    }

    /// Relevant questions that rules read and that are not answered.
    fn missing(&mut self) -> Result<Vec<Text>, AssessError> {
        let rules = self.rules;
        // Each relevance condition is evaluated at most once for the family and once per member.
        let rows = self.values.member_count() + 1;
        let mut known: Vec<Option<bool>> = vec![None; rules.relevance.len() * rows];
        let mut missing = Vec::new();
        for readable in &rules.readable_family {
            let answered = match readable.family_slot {
                Some(slot) => self.values.family_answered(slot),
                None => answers::is_answered(self.answers, &readable.keys),
            };
            if !answered && self.relevant(&readable.relevance, None, &mut known)? {
                missing.push(readable.path.clone());
            }
        }
        for m in 0..self.values.member_count() {
            for readable in &rules.readable_member {
                if !self.values.member_slot_answered(m, readable.member_slot)
                    && self.relevant(&readable.relevance, Some(m), &mut known)?
                {
                    missing.push(rules.member_path(m, readable.member_slot));
                }
            }
        }
        Ok(missing)
    }

    fn relevant(
        &mut self,
        conditions: &[usize],
        member: Option<usize>,
        known: &mut [Option<bool>],
    ) -> Result<bool, AssessError> {
        let rules = self.rules;
        let row = member.map_or(0, |m| m + 1);
        for &index in conditions {
            let cell = index * (self.values.member_count() + 1) + row;
            let holds = match known.get(cell).copied().flatten() {
                Some(holds) => holds,
                None => {
                    let Some(relevance) = rules.relevance.get(index) else { continue };
                    let holds = self.values.holds(&relevance.expr, member)?;
                    if let Some(slot) = known.get_mut(cell) {
                        *slot = Some(holds);
                    }
                    holds
                }
            };
            if !holds {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

fn set<T>(items: &mut [T], index: usize, value: T) {
    if let Some(slot) = items.get_mut(index) {
        *slot = value;
    }
}

/// A condition that holds: the rules it used, its reason in words, the answers it read.
struct Held<'a> {
    because: Vec<Text>,
    reason: Reason,
    reads: Vec<Read<'a>>,
}

/// The reasons that call for a partner, gathered trigger by trigger.
#[derive(Default)]
struct PartnerReasons {
    urgency: Option<Urgency>,
    because: Vec<Text>,
    reasons: Vec<Reason>,
    duties: Vec<usize>,
    /// A reason among them obliges the report.
    obliged: bool,
}

impl PartnerReasons {
    fn add(&mut self, urgency: Urgency, ids: Vec<Text>, reason: Option<Reason>, duty: Option<usize>) {
        self.urgency = Some(self.urgency.map_or(urgency, |u| u.max(urgency)));
        self.because.extend(ids);
        self.reasons.extend(reason);
        self.duties.extend(duty);
    }
}

fn dedup_duties(mut duties: Vec<usize>) -> Vec<usize> {
    duties.sort_unstable();
    duties.dedup();
    duties
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

fn rule_ref(at: &At) -> RuleRef {
    RuleRef { file: at.file.clone(), line: at.line }
}

fn finding(o: &Outcome, because: Vec<Text>, reasons: Vec<Reason>, reads: Vec<Text>) -> Finding {
    Finding {
        id: o.id.clone(),
        label: o.label.clone(),
        because,
        reasons,
        reads,
        basis: o.basis.clone(),
        rule: rule_ref(&o.at),
    }
}
