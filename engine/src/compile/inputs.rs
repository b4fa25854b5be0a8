//! What the rules read: questions (and their slots), parameters, member facts, relevance conditions.

use std::collections::{BTreeMap, BTreeSet};

use crate::compiled::{Fact, FamilySource, Parameter, Relevance};
use crate::diagnostic::{At, Code};
use crate::format::model::{self, QuestionType, Scope};

use crate::format::model::MEMBERS;

/// The outcome of loading a rule set: the rule set if it has no errors, and every problem.
use super::*;

impl Compiler<'_> {
    pub(super) fn questions(&mut self) -> Vec<model::Question> {
        let located = self.items(|f| &f.questions, |q| &q.id, ItemKind::Question);
        self.check_ids(&located, |q| (&q.id, &q.label));
        let mut questions = Vec::new();
        for q in located {
            self.check_question(&q.item, &q.at);
            match q.item.kind {
                QuestionType::Section | QuestionType::Records => {
                    for field in &q.item.questions {
                        let key = if q.item.id == MEMBERS {
                            field.id.clone()
                        } else {
                            format!("/{}/{}", q.item.id, field.id)
                        };
                        self.question_labels.insert(key, field.label.clone());
                    }
                }
                _ => {
                    self.question_labels.insert(format!("/{}", q.item.id), q.item.label.clone());
                }
            }
            match q.item.kind {
                QuestionType::Section => {
                    let fields = q.item.questions.iter().map(|f| f.id.clone()).collect();
                    self.names.sections.insert(q.item.id.clone(), fields);
                    for field in &q.item.questions {
                        let source = FamilySource::Answer {
                            section: Some(q.item.id.clone()),
                            id: field.id.clone(),
                            kind: field.kind,
                        };
                        self.names.add_family_slot(format!("{}.{}", q.item.id, field.id), source);
                    }
                }
                QuestionType::Records if q.item.id == MEMBERS => {
                    self.names.member_fields = q.item.questions.iter().map(|f| f.id.clone()).collect();
                    for field in &q.item.questions {
                        self.names.add_member_slot(field.id.clone(), Some(field.kind));
                    }
                }
                QuestionType::Records => {
                    self.names.sections.insert(q.item.id.clone(), BTreeSet::new());
                }
                _ => {
                    self.names.scalars.insert(q.item.id.clone());
                    let source =
                        FamilySource::Answer { section: None, id: q.item.id.clone(), kind: q.item.kind };
                    self.names.add_family_slot(q.item.id.clone(), source);
                }
            }
            questions.push(q.item);
        }
        questions
    }

    pub(super) fn parameters(&mut self) -> Vec<Parameter> {
        let located = self.items(|f| &f.parameters, |p| &p.id, ItemKind::Parameter);
        self.check_ids(&located, |p| (&p.id, &p.label));
        let mut out = Vec::new();
        for p in located {
            let mut values = Vec::new();
            for v in &p.item.values {
                let from = self.date(&v.from, &p.at, "from");
                let to = v.to.as_ref().map(|to| self.date(to, &p.at, "to"));
                if !v.value.is_finite() {
                    self.diags.error(Code::BadValue, &p.at, "a parameter value must be a finite number");
                }
                values.push((from, to, v.value, v.basis.clone()));
            }
            values.sort_by_key(|(from, ..)| *from);
            for pair in values.windows(2) {
                if let [(_, to, ..), (next_from, ..)] = pair {
                    if to.is_none_or(|to| to >= *next_from) {
                        self.diags.error(
                            Code::OverlappingPeriods,
                            &p.at,
                            format!("two values overlap: one has no end or ends on or after {next_from}"),
                        );
                    }
                }
            }
            self.names.parameters.insert(p.item.id.clone(), out.len());
            self.names.add_family_slot(p.item.id.clone(), FamilySource::Parameter(out.len()));
            out.push(Parameter { id: p.item.id, label: p.item.label, values });
        }
        out
    }

    pub(super) fn member_facts(&mut self) -> Vec<Fact> {
        let located = self.items(|f| &f.member_facts, |f| &f.id, ItemKind::MemberFact);
        self.check_ids(&located, |f| (&f.id, &f.label));
        let mut facts = Vec::new();
        for f in &located {
            if !self.names.member_slots.contains_key(&f.item.id) {
                self.names.add_member_slot(f.item.id.clone(), None);
            }
        }
        for f in located {
            if self.names.member_fields.contains(&f.item.id) {
                self.diags.error(
                    Code::DuplicateId,
                    &f.at,
                    "a member fact may not share its name with a member question",
                );
            }
            if let Some(expr) = self.expr(&f.item.value, &f.at, "value", 0, Scope::Member) {
                self.names.member_facts.insert(f.item.id.clone(), expr.reads.clone());
                let slot = self.names.member_slots.get(&f.item.id).copied().unwrap_or_default();
                facts.push(Fact { id: f.item.id, slot, expr });
            }
        }
        facts
    }

    pub(super) fn relevance(&mut self, questions: &[model::Question]) -> Vec<Relevance> {
        let mut out: Vec<Relevance> = Vec::new();
        let mut shared: BTreeMap<(String, bool), usize> = BTreeMap::new();
        for q in questions {
            let at =
                At { line: None, rule: Some(format!("question `{}`", q.id)), ..self.file_of_question(&q.id) };
            let (scope, prefix) = if q.kind == QuestionType::Records {
                (Scope::Member, format!("/{}/*", q.id))
            } else {
                (Scope::Family, format!("/{}", q.id))
            };
            let mut conditions = Vec::new();
            if let Some(when) = &q.relevant_when {
                conditions.push((when, at.clone(), Scope::Family, format!("/{}", q.id)));
            }
            for field in &q.questions {
                if let Some(when) = &field.relevant_when {
                    let at = At { rule: Some(format!("question `{}.{}`", q.id, field.id)), ..at.clone() };
                    conditions.push((when, at, scope, format!("{prefix}/{}", field.id)));
                }
            }
            for (when, at, scope, pattern) in conditions {
                let key = (when.trim().to_owned(), scope == Scope::Member);
                if let Some(&index) = shared.get(&key) {
                    if let Some(r) = out.get_mut(index) {
                        r.patterns.push(pattern);
                    }
                } else if let Some(expr) = self.expr(when, &at, "relevant_when", 0, scope) {
                    shared.insert(key, out.len());
                    out.push(Relevance { patterns: vec![pattern], expr });
                }
            }
        }
        out
    }
}
