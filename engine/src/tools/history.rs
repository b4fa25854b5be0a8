//! A family's history from its assessments alone: the timeline of the level, criteria and
//! programme items new, continued and closed, reviews kept or missed, and the post-accompaniment
//! checks due once accompaniment has ended. Pure: the caller assesses each snapshot by the version
//! in force on its date and passes the date to read the history on.

use crate::dates;
use crate::format::assessment::Assessment;
use crate::format::history::{
    Changes, Check, CheckStatus, History, Named, PostAccompanimentChecks, Review, ReviewStatus, Snapshot,
};
use crate::format::model::Period;
use crate::format::programme::PostAccompanimentPlan;

/// At most this many post-accompaniment checks are listed (a plan without `during`, read decades
/// on); the list then says it is cut short.
const MAX_CHECKS: u32 = 120;

/// Why a history cannot be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryError {
    /// `on` is not an ISO date (`YYYY-MM-DD`).
    BadDate(String),
}

impl std::fmt::Display for HistoryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HistoryError::BadDate(text) => write!(f, "`{text}` is not a date (YYYY-MM-DD)"),
        }
    }
}

impl std::error::Error for HistoryError {}

/// The history of one family's assessments (in any order), read on `on`: those dated after `on`
/// are left out (their dates listed). Assessments of the same day keep the order given — the
/// later one given is the family's state that day.
pub fn history(assessments: &[Assessment], on: &str) -> Result<History, HistoryError> {
    if dates::parse(on).is_none() {
        return Err(HistoryError::BadDate(on.to_owned()));
    }
    let (mut ordered, later): (Vec<&Assessment>, Vec<&Assessment>) =
        assessments.iter().partition(|a| a.as_of.as_str() <= on);
    ordered.sort_by(|a, b| a.as_of.cmp(&b.as_of));
    let mut left_out: Vec<String> = later.iter().map(|a| a.as_of.clone()).collect();
    left_out.sort();
    let timeline = ordered
        .iter()
        .enumerate()
        .map(|(i, a)| snapshot(a, i.checked_sub(1).map(|before| ordered[before])))
        .collect();
    Ok(History {
        on: on.to_owned(),
        timeline,
        reviews: reviews(&ordered, on),
        post_accompaniment: post_accompaniment(&ordered, on),
        left_out,
    })
}

fn named(id: &crate::Text, label: &crate::Labels) -> Named {
    Named { id: id.clone(), label: label.clone() }
}

fn snapshot(a: &Assessment, before: Option<&Assessment>) -> Snapshot {
    let criteria = |a: &Assessment| a.criteria.iter().map(|c| named(&c.id, &c.label)).collect::<Vec<_>>();
    let items = |a: &Assessment| {
        a.programme.as_ref().map(|p| p.items.iter().map(|i| named(&i.id, &i.label)).collect::<Vec<_>>())
    };
    let programme = match before {
        None => items(a).map(|now| changes(now, Vec::new())),
        Some(b) => items(a).zip(items(b)).map(|(now, then)| changes(now, then)),
    };
    Snapshot {
        as_of: a.as_of.clone(),
        ruleset: a.ruleset.clone(),
        level: named(&a.level.id, &a.level.label),
        level_before: before.filter(|b| b.level.id != a.level.id).map(|b| named(&b.level.id, &b.level.label)),
        accompanied: plan(a).map(|p| accompanied(p, a)),
        review_on: a.level.review_on.clone(),
        criteria: changes(criteria(a), before.map(criteria).unwrap_or_default()),
        programme,
    }
}

fn changes(now: Vec<Named>, then: Vec<Named>) -> Changes {
    let has = |list: &[Named], id: &crate::Text| list.iter().any(|n| n.id == *id);
    let closed = then.iter().filter(|t| !has(&now, &t.id)).cloned().collect();
    let (continued, new) = now.into_iter().partition(|n| has(&then, &n.id));
    Changes { new, continued, closed }
}

fn plan(a: &Assessment) -> Option<&PostAccompanimentPlan> {
    a.programme.as_ref()?.post_accompaniment.as_deref()
}

fn accompanied(plan: &PostAccompanimentPlan, a: &Assessment) -> bool {
    plan.accompaniment_levels.contains(&a.level.id)
}

/// Each review date against the assessment after it (or `on`, for the last).
fn reviews(ordered: &[&Assessment], on: &str) -> Vec<Review> {
    let mut out = Vec::new();
    for (i, a) in ordered.iter().enumerate() {
        let Some(review_on) = a.level.review_on.clone() else { continue };
        let next = ordered.get(i + 1).map(|n| n.as_of.clone());
        let (status, days_late) = match &next {
            Some(next) if *next <= review_on => (ReviewStatus::OnTime, None),
            Some(next) => (ReviewStatus::Late, dates::days_between(&review_on, next)),
            None if *review_on < *on => (ReviewStatus::Overdue, dates::days_between(&review_on, on)),
            None => (ReviewStatus::Upcoming, None),
        };
        out.push(Review { set_by: a.as_of.clone(), review_on, status, reviewed_on: next, days_late });
    }
    out
}

/// The checks after the assessment that ended accompaniment, where the family has not been
/// accompanied since (by the last assessment's plan). The assessments after the end are the
/// visits: each is credited to the earliest check not yet made — on time when taken in its
/// window (after the check before, by its date), late when taken before the next check is due.
fn post_accompaniment(ordered: &[&Assessment], on: &str) -> Option<PostAccompanimentChecks> {
    let last = *ordered.last()?;
    let plan = plan(last)?;
    let unaccompanied = ordered.iter().rev().take_while(|a| !accompanied(plan, a)).count();
    let end = ordered.len().checked_sub(unaccompanied)?;
    if end == 0 || unaccompanied == 0 {
        return None;
    }
    let since = &ordered[end].as_of;
    let start = dates::parse(since)?;
    let due_date =
        |k: u32| dates::add(start, &times(&plan.every, k), &Default::default()).map(|d| d.to_string());
    let limit =
        plan.during.as_ref().and_then(|d| dates::add(start, d, &Default::default())).map(|d| d.to_string());
    let mut visits = ordered[end + 1..].iter().map(|a| a.as_of.as_str()).peekable();
    let mut checks = Vec::new();
    let mut window_start = since.clone();
    let mut truncated = false;
    for k in 1..=MAX_CHECKS {
        let Some(due) = due_date(k) else { break };
        if limit.as_ref().is_some_and(|limit| due > *limit) || due <= window_start {
            break;
        }
        // Visits before this check's window were extra visits for the check before.
        while visits.next_if(|v| *v <= window_start.as_str()).is_some() {}
        let next_due = due_date(k + 1);
        let visit = visits.next_if(|v| match &next_due {
            Some(next) => *v <= next.as_str(),
            None => true,
        });
        let (status, done_on, days_late) = match visit {
            Some(v) if v <= due.as_str() => (CheckStatus::Done, Some(v.to_owned()), None),
            Some(v) => (CheckStatus::DoneLate, Some(v.to_owned()), dates::days_between(&due, v)),
            None if *due < *on => (CheckStatus::Overdue, None, dates::days_between(&due, on)),
            None => (CheckStatus::Upcoming, None, None),
        };
        let ahead = status == CheckStatus::Upcoming;
        checks.push(Check { due: due.clone(), status, done_on, days_late });
        if ahead {
            break;
        }
        truncated = k == MAX_CHECKS;
        window_start = due;
    }
    Some(PostAccompanimentChecks {
        since: since.clone(),
        label: plan.label.clone(),
        every: plan.every_words.clone(),
        responsible: plan.responsible.clone(),
        checks,
        truncated,
        basis: plan.basis.clone(),
    })
}

/// `k` times a period (from the start each time, so months do not drift at month ends).
fn times(period: &Period, k: u32) -> Period {
    let scale = |n: Option<u32>| n.map(|n| n.saturating_mul(k));
    Period {
        days: scale(period.days),
        working_days: scale(period.working_days),
        months: scale(period.months),
        years: scale(period.years),
    }
}
