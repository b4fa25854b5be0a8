//! Outcomes: clauses resolved to indices, levels, urgent services and consultations with the words of their conditions.

use std::collections::BTreeSet;

use crate::compiled::{Clause, CriterionRule, LevelRule, Outcome, Reads, ServiceRule, When};
use crate::diagnostic::{At, Code};
use crate::format::model::{self, Scope};
use crate::format::vocab::{Labels, Severity};
use crate::load::Located;

/// The outcome of loading a rule set: the rule set if it has no errors, and every problem.
use super::*;

impl Compiler<'_> {
    /// An urgent service or a consultation.
    pub(super) fn service(&mut self, s: &Located<model::Service>, ids: &Ids) -> ServiceRule {
        let when = s.item.when.as_ref();
        ServiceRule {
            outcome: outcome(&s.at, &s.item.id, &s.item.label, &s.item.basis),
            if_any: self.clauses(&s.item.if_any, &s.at, ids, true),
            when: when.and_then(|w| self.when(w, s.item.scope, s.item.reason.as_ref(), &s.at, 0)),
        }
    }

    /// The `nth` Rhai condition of a service, consultation or partner trigger, with its words
    /// for people: its own `reason`, or the labels of the questions it reads (and a warning).
    pub(super) fn when(
        &mut self,
        text: &str,
        scope: Scope,
        reason: Option<&Labels>,
        at: &At,
        nth: usize,
    ) -> Option<When> {
        let expr = self.expr(text, at, "when", nth, scope)?;
        let reason = match reason {
            Some(reason) => {
                self.check_labels(reason, &expr.at);
                reason.clone()
            }
            None => {
                self.diags.warning(
                    Code::UnlabelledReason,
                    &expr.at,
                    "a `when:` without `reason:`: the assessment can only name the questions it reads",
                );
                self.labels_of_reads(&expr.reads)
            }
        };
        Some(When { expr, scope, reason })
    }

    /// «по ответам: <question>; <question>» for what an expression reads.
    pub(super) fn labels_of_reads(&self, reads: &Reads) -> Labels {
        let fields = reads.own_member.iter().chain(&reads.every_member).map(|f| f.to_string());
        let paths = reads.family.iter().map(|p| p.to_string()).chain(fields);
        let mut ru = Vec::new();
        let mut en = Vec::new();
        for key in paths {
            if let Some(label) = self.question_labels.get(&key) {
                if !ru.contains(&label.ru) {
                    ru.push(label.ru.clone());
                    en.push(label.en.clone());
                }
            }
        }
        Labels::new(
            &format!("по ответам: {}", ru.join("; ")),
            &format!("from the answers: {}", en.join("; ")),
        )
    }

    pub(super) fn clauses(
        &mut self,
        clauses: &[model::Clause],
        at: &At,
        ids: &Ids,
        levels_allowed: bool,
    ) -> Vec<Clause> {
        let mut out = Vec::new();
        for c in clauses {
            let mut resolve = |list: &[&str], id: &Option<String>, what: &str| -> Option<usize> {
                let id = id.as_ref()?;
                let index = list.iter().position(|x| x == id);
                if index.is_none() {
                    self.diags.error(Code::UnknownId, at, format!("no {what} has the id `{id}`"));
                }
                index
            };
            let category = resolve(&ids.categories, &c.category, "category");
            let criterion = resolve(&ids.criteria, &c.criterion, "criterion");
            let service = resolve(&ids.services, &c.urgent_service, "urgent service");
            let levels: Vec<usize> =
                c.level.iter().filter_map(|l| resolve(&ids.levels, &Some(l.clone()), "level")).collect();
            if !levels_allowed && !c.level.is_empty() {
                self.diags.error(Code::LevelInLevel, at, "a level's clause cannot depend on the level");
            }
            if !levels_allowed && (c.urgent_service.is_some() || c.any_urgent_service) {
                self.diags.error(
                    Code::ServiceInLevel,
                    at,
                    "a level's clause cannot depend on urgent services (they follow from the level)",
                );
            }
            if c.at_least.is_some() && c.severity.is_none() {
                self.diags.error(
                    Code::AtLeast,
                    at,
                    "`at_least` counts criteria of a `severity`, which is missing",
                );
            }
            let clause = Clause {
                category,
                criterion,
                severity: c.severity.map(|s| (s, c.at_least.unwrap_or(1).max(1))),
                levels,
                service,
                any_service: c.any_urgent_service,
            };
            // Empty as written: a clause whose ids are unknown already has its error.
            let names_nothing = c.category.is_none()
                && c.criterion.is_none()
                && c.severity.is_none()
                && c.level.is_empty()
                && c.urgent_service.is_none()
                && !c.any_urgent_service;
            if names_nothing {
                self.diags.error(Code::EmptyClause, at, "a clause must name a category, criterion, severity, level or urgent service (or any_urgent_service)");
            }
            out.push(clause);
        }
        out
    }

    pub(super) fn levels(
        &mut self,
        levels: &[Located<model::Level>],
        ids: &Ids,
        criteria: &[CriterionRule],
    ) -> Vec<LevelRule> {
        let reachable_severities: BTreeSet<Severity> = criteria
            .iter()
            .flat_map(|c| std::iter::once(c.severity).chain(c.escalate.iter().map(|(s, _)| *s)))
            .collect();
        let mut rules: Vec<LevelRule> = Vec::new();
        let mut earlier: Vec<Clause> = Vec::new();
        for (index, l) in levels.iter().enumerate() {
            let if_any = self.clauses(&l.item.if_any, &l.at, ids, false);
            let last = index + 1 == levels.len();
            if let Some(review) = &l.item.review_after {
                self.check_period(review, &l.at);
            }
            if l.item.otherwise && !last {
                self.diags.error(
                    Code::UnreachableLevel,
                    &l.at,
                    "only the last level can be `otherwise`; the levels after it can never be reached",
                );
            } else if last && !l.item.otherwise {
                self.diags.error(
                    Code::NoDefaultLevel,
                    &l.at,
                    "the last level must be `otherwise: true`, so that every family gets a level",
                );
            } else if !l.item.otherwise {
                let impossible =
                    |c: &Clause| c.severity.is_some_and(|(s, _)| !reachable_severities.contains(&s));
                let shadowed = |c: &Clause| earlier.iter().any(|e| subsumes(e, c));
                if if_any.is_empty() {
                    self.diags.error(
                        Code::UnreachableLevel,
                        &l.at,
                        "the level has no `if_any` clauses and is not `otherwise`: no family can reach it",
                    );
                } else if if_any.iter().all(|c| impossible(c) || shadowed(c)) {
                    self.diags.error(
                        Code::UnreachableLevel,
                        &l.at,
                        "no family can reach this level: each clause needs a severity no criterion has, or is already covered by a higher level",
                    );
                }
            }
            earlier.extend(if_any.iter().cloned());
            rules.push(LevelRule {
                outcome: outcome(&l.at, &l.item.id, &l.item.label, &l.item.basis),
                if_any,
                otherwise: l.item.otherwise,
                review_after: l.item.review_after.clone(),
            });
        }
        if rules.is_empty() {
            self.diags.error(Code::NoLevels, &At::file("levels.yaml"), "the rule set defines no levels");
        }
        rules
    }
}

/// Clause `a` holds whenever clause `b` holds (so `b` adds nothing after `a`).
pub(super) fn subsumes(a: &Clause, b: &Clause) -> bool {
    let same = |x: Option<usize>, y: Option<usize>| x.is_none() || x == y;
    let severity = match (a.severity, b.severity) {
        (None, _) => true,
        (Some((sa, na)), Some((sb, nb))) => sa == sb && na <= nb,
        (Some(_), None) => false,
    };
    same(a.category, b.category)
        && same(a.criterion, b.criterion)
        && same(a.service, b.service)
        && severity
        && a.levels.is_empty()
        && !a.any_service
}

pub(super) struct Ids<'a> {
    pub(super) categories: Vec<&'a str>,
    pub(super) criteria: Vec<&'a str>,
    pub(super) levels: Vec<&'a str>,
    pub(super) services: Vec<&'a str>,
}

pub(super) fn outcome(at: &At, id: &str, label: &Labels, basis: &[crate::format::vocab::Basis]) -> Outcome {
    Outcome { id: id.into(), label: label.clone(), basis: basis.into(), at: at.clone() }
}
