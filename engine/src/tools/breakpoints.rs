//! Where the outcome changes along one money answer, the other answers as given. The rules
//! compare sums with thresholds they build from parameters and other answers
//! (`per_capita_income < pm_per_capita`: the income at which a family stops being low-income
//! depends on the subsistence minimum, the household's size and the others' incomes), which no
//! literal gives (`tools::thresholds` finds the literal ones).
//!
//! The outcome is probed at a few sums growing tenfold; between two probes whose outcomes differ
//! it is bisected to the kopeck. A stretch whose middle differs from both ends is searched on both
//! sides, so several breakpoints between two probes are found as long as the outcome on either
//! side of each differs; an outcome that changes and changes back between two probes is missed.

use serde_json::Value;

use crate::format::model::{Question, QuestionType};
use crate::tools::open::number;

/// The sums probed, in roubles, within the question's bounds (and the bounds themselves).
const PROBES: [i64; 6] = [0, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];
/// The most assessments one answer's search makes (a hang guard on rules that flip at many sums).
const MOST_PROBED: usize = 160;

/// The breakpoints of one money answer, in kopecks: each the least sum with the outcome above
/// it (the sum a kopeck less has the outcome below). `outcome_at` assesses the family with the
/// answer set to that many kopecks; `bounds` are the question's, in roubles; `known` are sums
/// probed as well (those tried anyway).
pub(crate) fn money_breakpoints<O: PartialEq + Clone>(
    bounds: (Option<f64>, Option<f64>),
    known: &[i64],
    mut outcome_at: impl FnMut(i64) -> O,
) -> Vec<i64> {
    let kopecks = |roubles: f64| (roubles * 100.0).round() as i64;
    let (min, max) = (bounds.0.map_or(0, kopecks), bounds.1.map_or(i64::MAX, kopecks));
    let mut probes: Vec<i64> = PROBES.iter().map(|r| r * 100).filter(|k| (min..=max).contains(k)).collect();
    // The bounds themselves, and the sums already known to matter (around the literal
    // thresholds): a breakpoint there needs no bisection.
    for probe in [min, max].into_iter().chain(known.iter().copied()) {
        if probe != i64::MAX && (min..=max).contains(&probe) && !probes.contains(&probe) {
            probes.push(probe);
        }
    }
    probes.sort_unstable();
    let probed = std::cell::Cell::new(0);
    let mut at = |k: i64| {
        probed.set(probed.get() + 1);
        outcome_at(k)
    };
    let mut outcomes: Vec<(i64, O)> = probes.into_iter().map(|k| (k, at(k))).collect();
    let mut stretches: Vec<(i64, O, i64, O)> = Vec::new();
    while outcomes.len() >= 2 {
        let (hi, o_hi) = outcomes.pop().unwrap_or_else(|| unreachable!());
        let Some((lo, o_lo)) = outcomes.last() else { break };
        if *o_lo != o_hi {
            stretches.push((*lo, o_lo.clone(), hi, o_hi));
        }
    }
    let mut found = Vec::new();
    while let Some((mut lo, mut o_lo, mut hi, mut o_hi)) = stretches.pop() {
        while hi - lo > 1 {
            if probed.get() >= MOST_PROBED {
                return found;
            }
            let mid = lo + (hi - lo) / 2;
            let o_mid = at(mid);
            if o_mid == o_hi {
                (hi, o_hi) = (mid, o_mid);
            } else {
                if o_mid != o_lo {
                    // A breakpoint below the middle too: searched once this one is found.
                    stretches.push((lo, std::mem::replace(&mut o_lo, o_mid.clone()), mid, o_mid));
                }
                lo = mid;
            }
        }
        found.push(hi);
    }
    found.sort_unstable();
    found
}

/// For a money question the rules compute with (`probe`: `Thresholds::computed`), the sums just
/// below and at each breakpoint that `known` (the values tried anyway) lacks; nothing for other
/// questions. `outcome_of` assesses the family with the question answered so.
pub(crate) fn money_values<O: PartialEq + Clone>(
    question: &Question,
    known: &[Value],
    probe: bool,
    mut outcome_of: impl FnMut(&Value) -> O,
) -> Vec<Value> {
    if !probe || question.kind != QuestionType::Money {
        return Vec::new();
    }
    let kopecks = |v: &Value| v.as_f64().map(|x| (x * 100.0).round() as i64);
    let known: Vec<i64> = known.iter().filter_map(kopecks).collect();
    let sum = |k: i64| number(k as f64 / 100.0);
    let found = money_breakpoints((question.min, question.max), &known, |k| outcome_of(&sum(k)));
    let min = question.min.map_or(0, |m| (m * 100.0).round() as i64);
    let mut values: Vec<i64> = found.into_iter().flat_map(|b| [b - 1, b]).filter(|k| *k >= min).collect();
    values.retain(|k| !known.contains(k));
    values.dedup();
    values.into_iter().map(sum).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An outcome with steps at 17 000.50 ₽ and 25 500 ₽, between the same two probes.
    fn steps(k: i64) -> u8 {
        u8::from(k >= 1_700_050) + u8::from(k >= 2_550_000)
    }

    #[test]
    fn finds_every_step_to_the_kopeck() {
        assert_eq!(money_breakpoints((Some(0.0), None), &[], steps), vec![1_700_050, 2_550_000]);
    }

    #[test]
    fn keeps_within_the_bounds() {
        assert_eq!(money_breakpoints((Some(0.0), Some(20_000.0)), &[], steps), vec![1_700_050]);
        assert!(money_breakpoints((Some(0.0), None), &[], |_| 0).is_empty());
    }

    #[test]
    fn stops_at_its_limit() {
        // An outcome that changes at every kopeck.
        let found = money_breakpoints((Some(0.0), None), &[], |k| k);
        assert!(!found.is_empty() && found.len() < MOST_PROBED);
    }
}
