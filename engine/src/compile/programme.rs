//! The programme's activities, departments and directory: ids checked against the rule set, one
//! responsible and one due date per activity, and a warning for every criterion, urgent service
//! and partner that no activity serves (once a rule set declares activities at all); the
//! post-accompaniment control, at most one per rule set.

use std::collections::BTreeSet;

use crate::compiled::{ActivityRule, ProgrammeRules, RuleSet};
use crate::diagnostic::{At, Code};
use crate::format::assessment::RuleRef;
use crate::format::programme::{
    Activity, Contact, Department, PostAccompaniment, PostAccompanimentPlan, Responsible, ResponsibleContact,
    ResponsibleKind,
};
use crate::format::vocab::{Labels, Text};
use crate::load::Located;

use super::Compiler;
use crate::format::overlay::ItemKind;

/// The ids activities may name, by kind.
pub(super) struct Known<'a> {
    pub criteria: Vec<&'a str>,
    pub services: Vec<&'a str>,
    pub partners: Vec<&'a str>,
    pub categories: Vec<&'a str>,
    pub levels: Vec<&'a str>,
}

impl Compiler<'_> {
    pub(super) fn programme(&mut self, known: &Known<'_>) -> ProgrammeRules {
        let activities = self.items(|f| &f.activities, |a| &a.id, ItemKind::Activity);
        let departments = self.items(|f| &f.departments, |d| &d.id, ItemKind::Department);
        let directory = self.items(|f| &f.directory, |c| &c.id, ItemKind::DirectoryEntry);
        self.check_ids(&activities, |a| (&a.id, &a.label));
        self.check_ids(&departments, |d| (&d.id, &d.label));
        let department_ids: Vec<&str> = departments.iter().map(|d| d.item.id.as_str()).collect();
        for a in &activities {
            self.check_activity(a, known, &department_ids);
        }
        for c in &directory {
            let id = c.item.id.as_str();
            if !known.partners.contains(&id) && !department_ids.contains(&id) {
                self.diags.error(
                    Code::UnknownId,
                    &c.at,
                    format!("no partner or department has the id `{id}`"),
                );
            }
        }
        if !activities.is_empty() {
            self.check_served(&activities, known);
        }
        let post_accompaniment = self.post_accompaniment(known, &department_ids);
        ProgrammeRules {
            post_accompaniment,
            activities: activities
                .iter()
                .map(|a| ActivityRule {
                    activity: a.item.clone(),
                    basis: a.item.basis.clone().into(),
                    monitoring: crate::format::programme::every(&a.item.monitoring),
                    id: a.item.id.as_str().into(),
                    responsible: declared(&a.item.responsible),
                    at: a.at.clone(),
                })
                .collect(),
            departments: departments.into_iter().map(|d: Located<Department>| d.item).collect(),
            directory: directory.into_iter().map(|c: Located<Contact>| c.item.into()).collect(),
        }
    }

    fn check_activity(&mut self, a: &Located<Activity>, known: &Known<'_>, departments: &[&str]) {
        let activity = &a.item;
        if activity.for_any.is_empty() {
            self.diags.error(
                Code::EmptyClause,
                &a.at,
                "`for_any` names nothing: the activity would never be in a programme",
            );
        }
        for t in &activity.for_any {
            let given = [
                t.criterion.is_some(),
                t.urgent_service.is_some(),
                t.partner.is_some(),
                t.category.is_some(),
                !t.level.is_empty(),
            ];
            if given.iter().filter(|g| **g).count() != 1 {
                self.diags.error(
                    Code::EmptyClause,
                    &a.at,
                    "each entry of `for_any` names exactly one of criterion, urgent_service, partner, category, level",
                );
            }
            self.unknown(&known.criteria, &t.criterion, "criterion", &a.at);
            self.unknown(&known.services, &t.urgent_service, "urgent service", &a.at);
            self.unknown(&known.partners, &t.partner, "partner", &a.at);
            self.unknown(&known.categories, &t.category, "category", &a.at);
            for level in &t.level {
                self.unknown(&known.levels, &Some(level.clone()), "level", &a.at);
            }
        }
        self.check_responsible(&activity.responsible, known, departments, &a.at);
        match (&activity.due_after, activity.until_review) {
            (Some(period), false) => self.check_period(period, &a.at),
            (None, true) => {}
            _ => self.diags.error(
                Code::BadActivity,
                &a.at,
                "an activity gives either `due_after` or `until_review: true`",
            ),
        }
        self.check_period(&activity.monitoring, &a.at);
        self.check_labels(&activity.result, &a.at);
    }

    /// The post-accompaniment control: one in the rule set, its levels, responsible and periods
    /// checked. Its responsible is resolved later, with the activities'.
    fn post_accompaniment(
        &mut self,
        known: &Known<'_>,
        departments: &[&str],
    ) -> Option<std::sync::Arc<PostAccompanimentPlan>> {
        let mut found: Vec<Located<PostAccompaniment>> = Vec::new();
        for (file, rules) in &self.loaded.files {
            if let Some(p) = &rules.post_accompaniment {
                let line = self.file_lines.get(file.as_str()).and_then(|lines| lines.item(&p.id).line);
                let rule = Some(format!("post-accompaniment `{}`", p.id));
                found.push(Located { at: At { file: file.clone(), line, rule }, item: p.clone() });
            }
        }
        if let Some(second) = found.get(1) {
            self.diags.error(
                Code::DuplicateId,
                &second.at,
                format!(
                    "a rule set declares one post_accompaniment; `{}` declares it first",
                    found[0].at.file
                ),
            );
        }
        let p = found.into_iter().next()?;
        self.check_ids(std::slice::from_ref(&p), |p| (&p.id, &p.label));
        for level in &p.item.accompaniment_levels {
            self.unknown(&known.levels, &Some(level.clone()), "level", &p.at);
        }
        if p.item.accompaniment_levels.is_empty() {
            self.diags.error(
                Code::EmptyClause,
                &p.at,
                "`accompaniment_levels` names no level: accompaniment would never end",
            );
        }
        self.check_responsible(&p.item.responsible, known, departments, &p.at);
        for period in std::iter::once(&p.item.every).chain(&p.item.during) {
            self.check_period(period, &p.at);
            // The checks are dated from the assessments alone, which carry no calendar.
            if period.working_days.is_some() {
                self.diags.error(
                    Code::BadPeriod,
                    &p.at,
                    "post-accompaniment periods are in calendar days, months or years, not working days",
                );
            }
        }
        let zero = [p.item.every.days, p.item.every.months, p.item.every.years].contains(&Some(0));
        if zero {
            self.diags.error(Code::BadPeriod, &p.at, "`every` must be longer than zero");
        }
        let item = p.item;
        Some(std::sync::Arc::new(PostAccompanimentPlan {
            id: item.id.as_str().into(),
            label: item.label.clone(),
            accompaniment_levels: item.accompaniment_levels.iter().map(|l| Text::from(l.as_str())).collect(),
            every_words: crate::format::programme::every(&item.every),
            every: item.every.clone(),
            during: item.during.clone(),
            responsible: declared(&item.responsible),
            basis: item.basis.clone().into(),
            rule: RuleRef { file: p.at.file.clone(), line: p.at.line, layer: None },
        }))
    }

    /// One partner or one department, each known.
    fn check_responsible(&mut self, r: &Responsible, known: &Known<'_>, departments: &[&str], at: &At) {
        self.unknown(&known.partners, &r.partner, "partner", at);
        self.unknown(departments, &r.department, "department", at);
        if r.partner.is_some() == r.department.is_some() {
            self.diags.error(
                Code::BadActivity,
                at,
                "`responsible` names exactly one partner or one department",
            );
        }
    }

    fn unknown(&mut self, list: &[&str], id: &Option<String>, what: &str, at: &At) {
        if let Some(id) = id.as_deref().filter(|id| !list.contains(id)) {
            self.diags.error(Code::UnknownId, at, format!("no {what} has the id `{id}`"));
        }
    }

    /// A warning for each criterion, urgent service and partner no activity names.
    fn check_served(&mut self, activities: &[Located<Activity>], known: &Known<'_>) {
        let mut served: BTreeSet<&str> = BTreeSet::new();
        for a in activities {
            for t in &a.item.for_any {
                served.extend(
                    [&t.criterion, &t.urgent_service, &t.partner].into_iter().flatten().map(String::as_str),
                );
            }
            served.extend(a.item.responsible.partner.as_deref());
        }
        let at = At::file(&activities[0].at.file);
        for (list, what) in [
            (&known.criteria, "criterion"),
            (&known.services, "urgent service"),
            (&known.partners, "partner"),
        ] {
            for id in list.iter().filter(|id| !served.contains(*id)) {
                self.diags.warning(
                    Code::NotServed,
                    &at,
                    format!("no activity of the programme serves the {what} `{id}`"),
                );
            }
        }
    }
}

/// Resolves each activity's responsible organisation (its name and directory contacts), once
/// the rule set's partners are compiled.
pub(super) fn resolve_responsible(rules: &mut RuleSet) {
    let resolved: Vec<ResponsibleContact> =
        rules.programme.activities.iter().map(|a| resolve(rules, &a.responsible)).collect();
    for (activity, responsible) in rules.programme.activities.iter_mut().zip(resolved) {
        activity.responsible = responsible;
    }
    let post = rules.programme.post_accompaniment.as_ref().map(|plan| {
        // Its rule, written in one layer or the other, named as assessments name rules.
        let at = crate::diagnostic::At { file: plan.rule.file.clone(), line: plan.rule.line, rule: None };
        PostAccompanimentPlan {
            responsible: resolve(rules, &plan.responsible),
            rule: rules.rule_ref(&at),
            ..(**plan).clone()
        }
    });
    rules.programme.post_accompaniment = post.map(std::sync::Arc::new);
}

/// The kind and id of a responsible organisation, its name and contacts still to resolve.
fn declared(r: &Responsible) -> ResponsibleContact {
    let (kind, id) = match (&r.partner, &r.department) {
        (Some(p), _) => (ResponsibleKind::Partner, p.as_str()),
        (None, Some(d)) => (ResponsibleKind::Department, d.as_str()),
        (None, None) => (ResponsibleKind::Department, ""),
    };
    ResponsibleContact { kind, id: id.into(), name: Labels::default(), contact: None }
}

fn resolve(rules: &RuleSet, declared: &ResponsibleContact) -> ResponsibleContact {
    let (kind, id) = (declared.kind, &*declared.id);
    let contact = rules.programme.directory.iter().find(|c| c.id == id).cloned();
    let label = match kind {
        ResponsibleKind::Partner => {
            rules.partners.iter().find(|p| &*p.outcome.id == id).map(|p| p.outcome.label.clone())
        }
        ResponsibleKind::Department => {
            rules.programme.departments.iter().find(|d| d.id == id).map(|d| d.label.clone())
        }
    };
    let name = contact.as_ref().map(|c| c.name.clone()).or(label).unwrap_or_else(|| Labels::new(id, id));
    ResponsibleContact { kind, id: id.into(), name, contact }
}
