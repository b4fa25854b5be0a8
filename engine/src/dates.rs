//! Calendar arithmetic on ISO dates (`YYYY-MM-DD`): ages, periods, working days.

use std::collections::BTreeSet;

use jiff::civil::{Date, Weekday};
use jiff::ToSpan;

use crate::format::model::Period;

/// Parses a strict ISO date `YYYY-MM-DD`.
pub(crate) fn parse(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    text.parse::<Date>().ok()
}

/// Full years from `birth` to `on` (negative when `birth` is later).
pub(crate) fn age_on(birth: &str, on: &str) -> Option<i64> {
    let (birth, on) = (parse(birth)?, parse(on)?);
    let mut years = i64::from(on.year()) - i64::from(birth.year());
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    Some(years)
}

/// The birth date of someone exactly `years` old on `on` (their birthday that day; 28 February
/// for 29 February in a year without it).
pub(crate) fn born_years_before(on: &str, years: i64) -> Option<String> {
    let on = parse(on)?;
    let year = i16::try_from(i64::from(on.year()) - years).ok()?;
    let birth = Date::new(year, on.month(), on.day()).or_else(|_| Date::new(year, on.month(), 28)).ok()?;
    Some(birth.to_string())
}

/// Calendar days from `from` to `to`.
pub(crate) fn days_between(from: &str, to: &str) -> Option<i64> {
    let (from, to) = (parse(from)?, parse(to)?);
    let span = from.until(to).ok()?;
    Some(i64::from(span.get_days()))
}

/// The date `period` after `start`; working days skip weekends and `holidays`.
pub(crate) fn add(start: Date, period: &Period, holidays: &BTreeSet<Date>) -> Option<Date> {
    if let Some(days) = period.days {
        return start.checked_add(i64::from(days).days()).ok();
    }
    if let Some(months) = period.months {
        return start.checked_add(i64::from(months).months()).ok();
    }
    if let Some(years) = period.years {
        return start.checked_add(i64::from(years).years()).ok();
    }
    let mut left = period.working_days?;
    let mut date = start;
    while left > 0 {
        date = date.tomorrow().ok()?;
        let weekend = matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday);
        if !weekend && !holidays.contains(&date) {
            left -= 1;
        }
    }
    Some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_count_full_years() {
        assert_eq!(age_on("2008-03-10", "2026-03-10"), Some(18));
        assert_eq!(age_on("2008-03-11", "2026-03-10"), Some(17));
        assert_eq!(age_on("2026-04-01", "2026-03-10"), Some(-1));
        assert_eq!(age_on("2026-02-30", "2026-03-10"), None);
        assert_eq!(age_on("26-02-01", "2026-03-10"), None);
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let friday = parse("2026-03-06").unwrap_or_default();
        let holidays = BTreeSet::from([parse("2026-03-09").unwrap_or_default()]);
        let five = Period { working_days: Some(5), ..Period::default() };
        // Mon 9 is a holiday: 10, 11, 12, 13, 16.
        assert_eq!(add(friday, &five, &holidays), parse("2026-03-16"));
        let months = Period { months: Some(3), ..Period::default() };
        assert_eq!(add(friday, &months, &holidays), parse("2026-06-06"));
    }
}
