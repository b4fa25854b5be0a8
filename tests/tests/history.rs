//! A family's history (issue 13): four snapshots of one family (examples/history: crisis →
//! crisis with fewer criteria → rehabilitation → none) give the timeline, the criteria and
//! programme items closed at each step, the reviews and the post-accompaniment checks.

use sopro_engine::history::{CheckStatus, History, ReviewStatus};
use sopro_engine::{history, Assessment};
use sopro_tests::{compiled, root};

fn snapshots() -> Vec<Assessment> {
    let rules = compiled(&root().join("rules/khmao/2026.4"));
    let mut files: Vec<_> =
        std::fs::read_dir(root().join("examples/history")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let answers: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            rules.assess(&answers).unwrap()
        })
        .collect()
}

fn ids(list: &[sopro_engine::history::Named]) -> Vec<&str> {
    list.iter().map(|n| &*n.id).collect()
}

#[test]
fn four_snapshots_give_the_timeline_the_items_closed_and_the_post_accompaniment_checks() {
    let mut assessments = snapshots();
    // The order given does not matter: the history is in date order.
    assessments.reverse();
    let h: History = history(&assessments, "2027-04-10").unwrap();
    let levels: Vec<&str> = h.timeline.iter().map(|s| &*s.level.id).collect();
    assert_eq!(levels, ["crisis", "crisis", "rehabilitation", "none"]);
    let dates: Vec<&str> = h.timeline.iter().map(|s| s.as_of.as_str()).collect();
    assert_eq!(dates, ["2026-12-04", "2026-12-11", "2026-12-18", "2026-12-28"]);
    assert_eq!(h.timeline[0].level_before, None);
    assert_eq!(h.timeline[1].level_before, None, "the level did not change");
    assert_eq!(h.timeline[2].level_before.as_ref().map(|l| &*l.id), Some("crisis"));
    assert_eq!(
        h.timeline.iter().map(|s| s.accompanied).collect::<Vec<_>>(),
        [Some(true), Some(true), Some(true), Some(false)]
    );

    // The first snapshot: everything is new.
    let first = &h.timeline[0];
    assert_eq!(first.criteria.new.len(), assessments[3].criteria.len());
    assert!(first.criteria.closed.is_empty() && first.criteria.continued.is_empty());
    let programme = first.programme.as_ref().unwrap();
    assert_eq!(programme.new.len(), assessments[3].programme.as_ref().unwrap().items.len());

    // The mother found work: the criteria of no work and no means are resolved, and so are the
    // activities that served only them.
    let second = &h.timeline[1];
    assert_eq!(ids(&second.criteria.closed), ["c15_7_no_work_no_means", "unemployed_adult"]);
    assert!(second.criteria.new.is_empty());
    let closed = ids(&second.programme.as_ref().unwrap().closed);
    assert!(closed.contains(&"a_employment_help") && closed.contains(&"a_vocational_training"), "{closed:?}");
    assert!(second.programme.as_ref().unwrap().new.is_empty());

    // No more addiction: rehabilitation; the narcologist's referral is closed.
    let third = &h.timeline[2];
    assert!(ids(&third.criteria.closed).contains(&"c15_5_addiction"));
    assert!(ids(&third.programme.as_ref().unwrap().closed).contains(&"a_narcology_referral"));

    // No criterion left: accompaniment ends, its items close (the curator, the monthly passport).
    let last = &h.timeline[3];
    assert_eq!(ids(&last.criteria.closed), ["c15_3_child_adaptation"]);
    assert!(last.criteria.continued.is_empty() && last.criteria.new.is_empty());
    let closed = ids(&last.programme.as_ref().unwrap().closed);
    for id in ["a_curator_and_contract", "a_social_passport_monthly", "a_ipss_control_review"] {
        assert!(closed.contains(&id), "{id} is not closed: {closed:?}");
    }
    // What is closed, continued and new adds up to both programmes.
    for pair in h.timeline.windows(2) {
        let (before, now) = (&pair[0], pair[1].programme.as_ref().unwrap());
        let before_items = before.programme.as_ref().unwrap();
        assert_eq!(
            before_items.new.len() + before_items.continued.len(),
            now.continued.len() + now.closed.len(),
            "{}",
            pair[1].as_of
        );
    }

    // Each review was kept by the next assessment; the last level has no review date.
    let reviews: Vec<(&str, ReviewStatus)> =
        h.reviews.iter().map(|r| (r.review_on.as_str(), r.status)).collect();
    assert_eq!(
        reviews,
        [
            ("2027-03-04", ReviewStatus::OnTime),
            ("2027-03-11", ReviewStatus::OnTime),
            ("2027-03-18", ReviewStatus::OnTime)
        ]
    );

    // Post-accompaniment: every 3 months from the assessment that ended it; on 2027-04-10 the
    // first check is overdue and the next is ahead.
    let post = h.post_accompaniment.as_ref().expect("accompaniment ended");
    assert_eq!(post.since, "2026-12-28");
    assert_eq!(&*post.responsible.id, "dep_social_support");
    let checks: Vec<(&str, CheckStatus)> = post.checks.iter().map(|c| (c.due.as_str(), c.status)).collect();
    assert_eq!(checks, [("2027-03-28", CheckStatus::Overdue), ("2027-06-28", CheckStatus::Upcoming)]);
}

#[test]
fn a_later_snapshot_makes_a_check_and_the_checks_stop_after_twelve_months() {
    let mut assessments = snapshots();
    // A re-assessment on 2027-03-20, still without accompaniment, is the first check. (No rule
    // set has 2027's subsistence minimum yet: the last assessment stands in, dated then.)
    let mut check = assessments[3].clone();
    check.as_of = "2027-03-20".into();
    assessments.push(check);
    let h = history(&assessments, "2028-06-01").unwrap();
    let post = h.post_accompaniment.as_ref().unwrap();
    assert_eq!(post.since, "2026-12-28", "the snapshot after the end does not restart it");
    let checks: Vec<(&str, CheckStatus, Option<&str>)> =
        post.checks.iter().map(|c| (c.due.as_str(), c.status, c.done_on.as_deref())).collect();
    assert_eq!(
        checks,
        [
            ("2027-03-28", CheckStatus::Done, Some("2027-03-20")),
            ("2027-06-28", CheckStatus::Overdue, None),
            ("2027-09-28", CheckStatus::Overdue, None),
            ("2027-12-28", CheckStatus::Overdue, None),
        ],
        "four checks in the 12 months, none after"
    );
}

#[test]
fn a_review_date_passed_with_no_newer_snapshot_is_overdue() {
    let assessments = snapshots();
    let h = history(&assessments[..2], "2027-04-01").unwrap();
    let last = h.reviews.last().unwrap();
    assert_eq!((last.review_on.as_str(), last.status), ("2027-03-11", ReviewStatus::Overdue));
    assert_eq!(last.days_late, Some(21));
    assert!(h.post_accompaniment.is_none(), "the family is still accompanied");
    // Read before the date, the same review is ahead.
    let early = history(&assessments[..2], "2027-01-15").unwrap();
    assert_eq!(early.reviews.last().unwrap().status, ReviewStatus::Upcoming);
    // A late re-assessment is late by the days past the review date.
    let mut late = assessments[..1].to_vec();
    let mut second = assessments[1].clone();
    second.as_of = "2027-03-14".into();
    late.push(second);
    let h = history(&late, "2027-04-01").unwrap();
    assert_eq!((h.reviews[0].status, h.reviews[0].days_late), (ReviewStatus::Late, Some(10)));
}

#[test]
fn a_family_never_accompanied_has_no_post_accompaniment_and_a_bad_date_is_refused() {
    let assessments = snapshots();
    let h = history(&assessments[3..], "2027-04-10").unwrap();
    assert_eq!(h.timeline.len(), 1);
    assert!(h.post_accompaniment.is_none());
    assert!(history(&assessments, "10.04.2027").is_err());
    assert!(history(&[], "2027-04-10").unwrap().timeline.is_empty());
}

#[test]
fn a_late_visit_makes_the_check_before_it_late_not_the_next_one_on_time() {
    let mut assessments = snapshots();
    // Accompaniment ended 2026-12-28; the first check is due 2027-03-28; the visit came on
    // 2027-04-02, five days late, and nobody came for the 2027-06-28 check.
    let mut visit = assessments[3].clone();
    visit.as_of = "2027-04-02".into();
    assessments.push(visit);
    let h = history(&assessments, "2027-07-10").unwrap();
    let checks: Vec<_> = h
        .post_accompaniment
        .unwrap()
        .checks
        .iter()
        .map(|c| (c.due.clone(), c.status, c.done_on.clone(), c.days_late))
        .collect();
    assert_eq!(
        checks,
        [
            ("2027-03-28".to_owned(), CheckStatus::DoneLate, Some("2027-04-02".to_owned()), Some(5)),
            ("2027-06-28".to_owned(), CheckStatus::Overdue, None, Some(12)),
            ("2027-09-28".to_owned(), CheckStatus::Upcoming, None, None),
        ]
    );
}

#[test]
fn assessments_after_the_date_are_left_out_and_a_date_due_today_is_not_overdue() {
    let assessments = snapshots();
    // Read on the day of the third snapshot: the fourth is later, left out, and the family is
    // still accompanied.
    let h = history(&assessments, "2026-12-18").unwrap();
    assert_eq!(h.timeline.len(), 3);
    assert_eq!(h.left_out, ["2026-12-28"]);
    assert!(h.post_accompaniment.is_none());
    assert_eq!(h.reviews.last().map(|r| r.status), Some(ReviewStatus::Upcoming));
    // A review due on the very day read is upcoming, not overdue; a day later it is overdue.
    let on_the_day = history(&assessments[..1], "2027-03-04").unwrap();
    assert_eq!(on_the_day.reviews[0].status, ReviewStatus::Upcoming);
    let day_after = history(&assessments[..1], "2027-03-05").unwrap();
    assert_eq!(
        (day_after.reviews[0].status, day_after.reviews[0].days_late),
        (ReviewStatus::Overdue, Some(1))
    );
    // The same for a check due on the day read.
    let check_day = history(&assessments, "2027-03-28").unwrap();
    assert_eq!(check_day.post_accompaniment.unwrap().checks[0].status, CheckStatus::Upcoming);
}

#[test]
fn a_family_accompanied_again_has_no_post_accompaniment_checks() {
    let mut assessments = snapshots();
    let mut again = assessments[0].clone();
    again.as_of = "2027-02-01".into();
    assessments.push(again);
    let h = history(&assessments, "2027-04-10").unwrap();
    assert_eq!(h.timeline.last().map(|s| &*s.level.id), Some("crisis"));
    assert_eq!(h.timeline.last().and_then(|s| s.level_before.as_ref()).map(|l| &*l.id), Some("none"));
    assert!(h.post_accompaniment.is_none(), "accompanied again");
    // Its programme starts again: what the family had in crisis is new once more.
    let programme = h.timeline.last().unwrap().programme.as_ref().unwrap();
    assert!(ids(&programme.new).contains(&"a_curator_and_contract"));
}
