//! The draft individual programme (ИПСС) of a finished assessment: every activity something in
//! the assessment calls for, with the organisation responsible and its contacts, the due date
//! by the rule set's calendar and how often it is checked. Urgent first, then by due date.

use crate::compiled::{ActivityRule, FastMap, RuleSet};
use crate::dates;
use crate::format::assessment::Assessment;
use crate::format::model::Period;
use crate::format::programme::{Programme, ProgrammeItem, ProgrammeStatus};
use crate::format::vocab::Text;

/// The programme of an assessment; `None` where the rule set declares no activities.
pub(crate) fn draft(rules: &RuleSet, assessment: &Assessment) -> Option<Programme> {
    let activities = &rules.programme.activities;
    if activities.is_empty() && rules.programme.post_accompaniment.is_none() {
        return None;
    }
    let as_of = dates::parse(&assessment.as_of)?;
    let present = Present::of(assessment);
    let mut items: Vec<(bool, ProgrammeItem)> = Vec::new();
    // Most activities share a few periods: each due date is counted once.
    let mut dates: Vec<(&Period, Option<String>)> = Vec::new();
    for rule in activities {
        let serves = serves(rule, &present);
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
            Some(period) => match dates.iter().find(|(p, _)| *p == period) {
                Some((_, due)) => due.clone(),
                None => {
                    let due = dates::add(as_of, period, &rules.holidays).map(|d| d.to_string());
                    dates.push((period, due.clone()));
                    due
                }
            },
            None => assessment.level.review_on.clone(),
        };
        let item = ProgrammeItem {
            id: rule.id.clone(),
            label: activity.label.clone(),
            serves,
            responsible: rule.responsible.clone(),
            due,
            result: activity.result.clone(),
            monitoring: rule.monitoring.clone(),
            basis: rule.basis.clone(),
            rule: rules.rule_ref(&rule.at),
        };
        items.push((urgent, item));
    }
    // Urgent first; then the earliest due (ISO dates sort as text; none last); stable otherwise.
    items.sort_by(|(urgent_a, a), (urgent_b, b)| {
        urgent_b
            .cmp(urgent_a)
            .then_with(|| a.due.as_deref().unwrap_or("9999").cmp(b.due.as_deref().unwrap_or("9999")))
    });
    Some(Programme {
        status: ProgrammeStatus::Draft,
        items: items.into_iter().map(|(_, i)| i).collect(),
        post_accompaniment: rules.programme.post_accompaniment.clone(),
    })
}

/// The ids an assessment holds, by kind: looked up once per activity trigger.
struct Present<'a> {
    criteria: FastMap<&'a str, &'a Text>,
    services: FastMap<&'a str, &'a Text>,
    partners: FastMap<&'a str, &'a Text>,
    categories: FastMap<&'a str, &'a Text>,
    level: &'a Text,
}

impl<'a> Present<'a> {
    fn of(a: &'a Assessment) -> Self {
        Present {
            criteria: a.criteria.iter().map(|c| (&*c.id, &c.id)).collect(),
            services: a.urgent_services.iter().map(|s| (&*s.id, &s.id)).collect(),
            partners: a.partners.iter().map(|p| (&*p.id, &p.id)).collect(),
            categories: a.categories.iter().map(|c| (&*c.id, &c.id)).collect(),
            level: &a.level.id,
        }
    }
}

fn in_set<'a>(set: &FastMap<&str, &'a Text>, id: &Option<String>) -> Option<&'a Text> {
    id.as_deref().and_then(|id| set.get(id).copied())
}

/// The ids in the assessment that call for the activity, in the order of its `for_any`.
fn serves(rule: &ActivityRule, present: &Present<'_>) -> Vec<Text> {
    let mut out: Vec<Text> = Vec::new();
    for t in &rule.activity.for_any {
        let found = in_set(&present.criteria, &t.criterion)
            .or_else(|| in_set(&present.services, &t.urgent_service))
            .or_else(|| in_set(&present.partners, &t.partner))
            .or_else(|| in_set(&present.categories, &t.category))
            .or_else(|| t.level.iter().any(|l| **l == **present.level).then_some(present.level));
        if let Some(id) = found.filter(|id| !out.contains(id)) {
            out.push(id.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::format::model::Period;
    use crate::format::programme::every;

    #[test]
    fn monitoring_is_said_in_words() {
        let months = |n| Period { months: Some(n), ..Period::default() };
        assert_eq!(&*every(&months(1)).ru, "ежемесячно");
        assert_eq!(&*every(&months(3)).en, "every 3 months");
        assert_eq!(&*every(&Period { working_days: Some(5), ..Period::default() }).ru, "раз в 5 раб. дн.");
    }
}
