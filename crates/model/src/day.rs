//! Days: the dates deltid takes and days since 1970 as its internal index.

use chrono::{Datelike, NaiveDate};

/// The first year deltid takes a date in (earlier dates are refused as typing errors).
pub const MIN_YEAR: i32 = 1900;
/// The last year deltid takes a date in (later dates, such as 9999-12-31 placeholders, are
/// refused).
pub const MAX_YEAR: i32 = 2199;

/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
const EPOCH_FROM_CE: i32 = 719_163;

/// Days since 1970-01-01 (negative before), the index deltid keeps dates by.
pub(crate) type Day = i32;

/// The days deltid takes, since 1970: [`MIN_YEAR`]-01-01 to [`MAX_YEAR`]-12-31.
pub(crate) static DAYS: std::sync::LazyLock<std::ops::RangeInclusive<Day>> =
    std::sync::LazyLock::new(|| {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).map_or(0, epoch_day);
        day(MIN_YEAR, 1, 1)..=day(MAX_YEAR, 12, 31)
    });

/// The days deltid takes as days since 1970-01-01 ([`epoch_day`]): [`MIN_YEAR`]-01-01 to
/// [`MAX_YEAR`]-12-31, for readers that hold dates so.
pub fn days_taken() -> std::ops::RangeInclusive<i32> {
    DAYS.clone()
}

/// Days since 1970-01-01 of a date.
pub fn epoch_day(date: NaiveDate) -> i32 {
    date.num_days_from_ce() - EPOCH_FROM_CE
}

/// The date of a day since 1970-01-01. Days outside chrono's range (far beyond
/// [`MIN_YEAR`]..[`MAX_YEAR`], which is all deltid keeps) give 1970-01-01.
pub fn from_epoch_day(day: i32) -> NaiveDate {
    day.checked_add(EPOCH_FROM_CE)
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or_default()
}

/// The gap, in days, that sets dates apart from the rest: more than a year without any date.
pub const STRAY_GAP: i32 = 366;

/// Days that lie far outside the span of the others, most likely typing errors (2002 for
/// 2020, a placeholder year): `days` (sorted, distinct, since 1970) split where more than
/// [`STRAY_GAP`] days pass without one; the largest group is the span the data covers, and
/// every smaller group of at most a quarter of its days, or of at most a week, is stray. Returns the stray days and the
/// first and last day of the largest group; no stray days when there is one group, or when
/// no group is that small (two campaigns years apart, each of its own size).
///
/// A stray day would make every day between it and the rest a missing day, and the means and
/// yearly figures over "the period" wrong, without any single number looking odd.
///
/// # Examples
/// ```
/// use deltid_model::stray_days;
/// // Ten days of January 2020 and one day of 2030: the one day is stray.
/// let mut days: Vec<i32> = (18_262..18_272).collect();
/// days.push(21_915);
/// assert_eq!(stray_days(&days), (vec![21_915], (18_262, 18_271)));
/// // 2019 and 2021 counted in full, 2020 not: two spans, nothing stray.
/// let years: Vec<i32> = (17_897..18_262).chain(18_628..18_993).collect();
/// assert!(stray_days(&years).0.is_empty());
/// // Three days and one far away: stray however few the others are.
/// assert_eq!(stray_days(&[0, 18_262, 18_263, 18_264]).0, vec![0]);
/// ```
pub fn stray_days(days: &[i32]) -> (Vec<i32>, (i32, i32)) {
    let mut groups: Vec<&[i32]> = Vec::new();
    let mut start = 0;
    for i in 1..=days.len() {
        if i == days.len() || days[i] - days[i - 1] > STRAY_GAP {
            groups.push(&days[start..i]);
            start = i;
        }
    }
    let Some(main) = groups.iter().copied().max_by_key(|g| g.len()) else {
        return (Vec::new(), (0, 0));
    };
    let span = (main[0], main[main.len() - 1]);
    let strays = groups
        .iter()
        .filter(|g| g.len() < main.len() && (g.len() * 4 <= main.len() || g.len() <= 7))
        .flat_map(|g| g.iter().copied())
        .collect();
    (strays, span)
}

/// Whether deltid takes a date: its year is within [`MIN_YEAR`]..=[`MAX_YEAR`].
pub fn in_range(date: NaiveDate) -> bool {
    (MIN_YEAR..=MAX_YEAR).contains(&date.year())
}

/// Days in a calendar year: 366 in a leap year, else 365.
///
/// # Examples
/// ```
/// assert_eq!(deltid_model::days_in_year(2020), 366);
/// assert_eq!(deltid_model::days_in_year(2100), 365);
/// ```
pub fn days_in_year(year: i32) -> u32 {
    if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
        366
    } else {
        365
    }
}

/// The calendar year of days since 1970, cached for runs of days in one year.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct YearOf {
    /// The first day of the year last looked up, the first day after it, and the year.
    cached: (Day, Day, i32),
}

impl YearOf {
    /// The calendar year of `day`.
    pub(crate) fn year(&mut self, day: Day) -> i32 {
        let (from, to, year) = self.cached;
        if (from..to).contains(&day) {
            return year;
        }
        let year = from_epoch_day(day).year();
        let start = |y| NaiveDate::from_ymd_opt(y, 1, 1).map_or(day, epoch_day);
        self.cached = (start(year), start(year + 1), year);
        year
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_days_round_trip() {
        for (y, m, d, days) in [(1970, 1, 1, 0), (1969, 12, 31, -1), (2020, 2, 29, 18_321)] {
            let date = NaiveDate::from_ymd_opt(y, m, d).expect("a date");
            assert_eq!(epoch_day(date), days);
            assert_eq!(from_epoch_day(days), date);
        }
    }

    #[test]
    fn leap_years_have_366_days() {
        // Gregorian rule: every 4th year, except centuries, except every 400th.
        for (year, days) in [
            (1900, 365),
            (2000, 366),
            (2019, 365),
            (2020, 366),
            (2100, 365),
        ] {
            assert_eq!(days_in_year(year), days, "{year}");
        }
    }

    #[test]
    fn years_of_days_across_new_year() {
        let mut years = YearOf::default();
        let day = |y, m, d| epoch_day(NaiveDate::from_ymd_opt(y, m, d).expect("a date"));
        assert_eq!(years.year(day(2020, 12, 31)), 2020);
        assert_eq!(years.year(day(2021, 1, 1)), 2021);
        assert_eq!(years.year(day(2020, 1, 1)), 2020);
    }
}
