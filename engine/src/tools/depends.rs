//! The dependency graph from a goal back to the answers: which answers the rules on the way to
//! an outcome read — through the categories, criteria, urgent services, levels, derived and
//! member facts it depends on — so that what-would-change varies only those.

use std::collections::{BTreeSet, HashSet};

use crate::compiled::{Clause, Expr, NodeKind, OutcomeRef, RuleSet, Trigger};
use crate::format::model::MEMBERS;
use crate::tools::whatif::Goal;

/// The answers (dotted: `survey_act.food_present`, `members.employment`) read by the rules on
/// the way to the goal: from the goal's outcome back through the categories, criteria,
/// services, derived and member facts it depends on.
pub(crate) fn goal_reads(rules: &RuleSet, goal: &Goal) -> BTreeSet<String> {
    let mut graph = Graph { rules, reads: BTreeSet::new(), seen: HashSet::new() };
    match goal {
        Goal::Lower | Goal::Higher | Goal::Level { .. } => {
            for level in &rules.levels {
                level.if_any.iter().for_each(|c| graph.clause(c));
            }
        }
        Goal::Leave { id } | Goal::Enter { id } => graph.outcome_id(id),
    }
    graph.reads
}

/// A walk over what an outcome depends on, collecting the answers read.
struct Graph<'a> {
    rules: &'a RuleSet,
    reads: BTreeSet<String>,
    /// Outcomes visited: (kind, index), kinds 0 category, 1 criterion, 2 service, 3 level,
    /// 4 derived fact (by node).
    seen: HashSet<(u8, usize)>,
}

impl Graph<'_> {
    fn outcome_id(&mut self, id: &str) {
        let rules = self.rules;
        if let Some(i) = rules.categories.iter().position(|c| *c.id == *id) {
            self.category(i);
        } else if let Some(i) = rules.criteria.iter().position(|c| *c.outcome.id == *id) {
            self.criterion(i);
        } else if let Some(i) = rules.services.iter().position(|s| *s.outcome.id == *id) {
            self.service(i);
        } else if let Some(partner) = rules.partners.iter().find(|p| *p.outcome.id == *id) {
            for trigger in &partner.triggers {
                match &trigger.trigger {
                    Trigger::Clause(clause) => self.clause(clause),
                    Trigger::When(when) => self.expr(&when.expr),
                }
            }
            // Consent decides whether a partner is told.
            if let Some(consent) = &rules.partner_consent {
                self.reads.insert(consent.trim_start_matches('/').replace('/', "."));
            }
        }
    }

    fn first_visit(&mut self, kind: u8, index: usize) -> bool {
        self.seen.insert((kind, index))
    }

    fn category(&mut self, i: usize) {
        if self.first_visit(0, i) {
            let rules = self.rules;
            for node in rules.nodes.iter().filter(|n| n.kind == NodeKind::Category(i)) {
                self.expr(&node.expr);
            }
        }
    }

    fn criterion(&mut self, i: usize) {
        if self.first_visit(1, i) {
            let rules = self.rules;
            for node in rules.nodes.iter().filter(|n| n.kind == NodeKind::Criterion(i)) {
                self.expr(&node.expr);
            }
            for (_, expr) in &rules.criteria[i].escalate {
                self.expr(expr);
            }
        }
    }

    fn service(&mut self, i: usize) {
        if self.first_visit(2, i) {
            let service = &self.rules.services[i];
            service.if_any.iter().for_each(|c| self.clause(c));
            if let Some(when) = &service.when {
                self.expr(&when.expr);
            }
        }
    }

    fn level(&mut self, i: usize) {
        if self.first_visit(3, i) {
            self.rules.levels[i].if_any.iter().for_each(|c| self.clause(c));
        }
    }

    fn clause(&mut self, clause: &Clause) {
        if let Some(i) = clause.category {
            self.category(i);
        }
        if let Some(i) = clause.criterion {
            self.criterion(i);
        }
        if let Some(i) = clause.service {
            self.service(i);
        }
        if clause.any_service {
            (0..self.rules.services.len()).for_each(|i| self.service(i));
        }
        if clause.severity.is_some() {
            // "any criterion of this severity": every criterion may be it.
            (0..self.rules.criteria.len()).for_each(|i| self.criterion(i));
        }
        clause.levels.iter().for_each(|l| self.level(*l));
    }

    fn expr(&mut self, expr: &Expr) {
        let rules = self.rules;
        let reads = &expr.reads;
        self.reads.extend(reads.family.iter().map(|p| p.trim_start_matches('/').replace('/', ".")));
        for field in reads.own_member.iter().chain(&reads.every_member) {
            self.reads.insert(format!("{MEMBERS}.{field}"));
            if let Some(fact) = rules.member_facts.iter().find(|f| f.id == *field) {
                self.expr(&fact.expr);
            }
        }
        for derived in &reads.derived {
            let node = rules.nodes.iter().position(|n| n.kind == NodeKind::Derived && *n.id == **derived);
            if let Some(n) = node.filter(|n| self.first_visit(4, *n)) {
                self.expr(&rules.nodes[n].expr);
            }
        }
        for reference in &reads.outcome_refs {
            match reference {
                OutcomeRef::Category(i) => self.category(*i),
                OutcomeRef::Criterion(i) => self.criterion(*i),
            }
        }
    }
}
