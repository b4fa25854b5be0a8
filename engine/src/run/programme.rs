//! The draft individual programme (ИПСС) of a finished assessment: every activity something in
//! the assessment calls for, with the organisation responsible and its contacts, the due date
//! by the rule set's calendar and how often it is checked. Urgent first, then by due date.

use crate::compiled::{ActivityRule, RuleSet};
use crate::dates;
use crate::format::assessment::{Assessment, RuleRef};
use crate::format::model::Period;
use crate::format::programme::{
    Programme, ProgrammeItem, ProgrammeStatus, ResponsibleContact, ResponsibleKind,
};
use crate::format::vocab::{Labels, Text};

/// The programme of an assessment; `None` where the rule set declares no activities.
pub(crate) fn draft(rules: &RuleSet, assessment: &Assessment) -> Option<Programme> {
    let activities = &rules.programme.activities;
    if activities.is_empty() {
        return None;
    }
    let as_of = dates::parse(&assessment.as_of)?;
    let mut items: Vec<(bool, ProgrammeItem)> = Vec::new();
    for rule in activities {
        let serves = serves(rule, assessment);
        if serves.is_empty() {
            continue;
        }
        let activity = &rule.activity;
        let urgent = activity.for_any.iter().any(|t| {
            t.urgent_service
                .as_deref()
                .is_some_and(|id| assessment.urgent_services.iter().any(|s| &*s.id == id))
        });
        let due = match &activity.due_after {
            Some(period) => dates::add(as_of, period, &rules.holidays).map(|d| d.to_string()),
            None => assessment.level.review_on.clone(),
        };
        let item = ProgrammeItem {
            id: activity.id.as_str().into(),
            label: activity.label.clone(),
            serves,
            responsible: responsible(rules, rule),
            due,
            result: activity.result.clone(),
            monitoring: every(&activity.monitoring),
            basis: rule.basis.to_vec(),
            rule: RuleRef { file: rule.at.file.clone(), line: rule.at.line },
        };
        items.push((urgent, item));
    }
    // Urgent first; then the earliest due (ISO dates sort as text; none last); stable otherwise.
    items.sort_by(|(urgent_a, a), (urgent_b, b)| {
        let due = |i: &ProgrammeItem| i.due.clone().unwrap_or_else(|| "9999".to_owned());
        urgent_b.cmp(urgent_a).then_with(|| due(a).cmp(&due(b)))
    });
    Some(Programme { status: ProgrammeStatus::Draft, items: items.into_iter().map(|(_, i)| i).collect() })
}

/// The ids in the assessment that call for the activity, in the order of its `for_any`.
fn serves(rule: &ActivityRule, assessment: &Assessment) -> Vec<Text> {
    let mut out: Vec<Text> = Vec::new();
    for t in &rule.activity.for_any {
        let found = if let Some(id) = &t.criterion {
            has(assessment.criteria.iter().map(|c| &c.id), id).then_some(id.as_str())
        } else if let Some(id) = &t.urgent_service {
            has(assessment.urgent_services.iter().map(|s| &s.id), id).then_some(id.as_str())
        } else if let Some(id) = &t.partner {
            has(assessment.partners.iter().map(|p| &p.id), id).then_some(id.as_str())
        } else if let Some(id) = &t.category {
            has(assessment.categories.iter().map(|c| &c.id), id).then_some(id.as_str())
        } else {
            t.level.iter().find(|l| **l == *assessment.level.id).map(String::as_str)
        };
        if let Some(id) = found.filter(|id| !out.iter().any(|o| &**o == *id)) {
            out.push(id.into());
        }
    }
    out
}

fn has<'a>(mut ids: impl Iterator<Item = &'a Text>, id: &str) -> bool {
    ids.any(|x| &**x == id)
}

fn responsible(rules: &RuleSet, rule: &ActivityRule) -> ResponsibleContact {
    let r = &rule.activity.responsible;
    let (kind, id) = match (&r.partner, &r.department) {
        (Some(p), _) => (ResponsibleKind::Partner, p.as_str()),
        (None, Some(d)) => (ResponsibleKind::Department, d.as_str()),
        (None, None) => (ResponsibleKind::Department, ""),
    };
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

/// How often, in words: «ежемесячно», «раз в 3 мес.».
fn every(period: &Period) -> Labels {
    let words = |ru: String, en: String| Labels { ru: ru.into(), en: en.into() };
    match (period.days, period.working_days, period.months, period.years) {
        (Some(1), ..) => words("ежедневно".into(), "daily".into()),
        (Some(n), ..) => words(format!("раз в {n} дн."), format!("every {n} days")),
        (_, Some(1), ..) => words("каждый рабочий день".into(), "every working day".into()),
        (_, Some(n), ..) => words(format!("раз в {n} раб. дн."), format!("every {n} working days")),
        (_, _, Some(1), _) => words("ежемесячно".into(), "monthly".into()),
        (_, _, Some(n), _) => words(format!("раз в {n} мес."), format!("every {n} months")),
        (_, _, _, Some(1)) => words("ежегодно".into(), "yearly".into()),
        (_, _, _, Some(n)) => words(format!("раз в {n} г."), format!("every {n} years")),
        _ => words(String::new(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monitoring_is_said_in_words() {
        let months = |n| Period { months: Some(n), ..Period::default() };
        assert_eq!(&*every(&months(1)).ru, "ежемесячно");
        assert_eq!(&*every(&months(3)).en, "every 3 months");
        assert_eq!(&*every(&Period { working_days: Some(5), ..Period::default() }).ru, "раз в 5 раб. дн.");
    }
}
