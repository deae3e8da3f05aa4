//! Guest-nights per year from counts split by origin: each day's guest-nights are bounds
//! (low, high), so a year's figure is `[Σ lows, Σ highs]` over its days, with multimno's
//! zero-filled figure (suppressed cells as 0) beside it.
//!
//! A year with a day missing is filled by the daily path's rule, [`TypicalYear`] (a seasonal
//! model fitted on the counted days), applied to the series of lows and to the series of
//! highs (and of zero-filled figures) on their own: the filled bounds are then the model's
//! and not bounds of the truth, which the outputs say.

use chrono::NaiveDate;
use deltid_model::{OriginEstimate, SchoolHolidays};
use serde::Serialize;

use super::TypicalYear;

/// One calendar year of one area (or the region) of a split, guest-nights (nights).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SplitYear {
    /// The year.
    pub year: i32,
    /// Days (or nights, by evening date) with a figure.
    pub days_observed: u32,
    /// Days in the year: 365, or 366 in a leap year.
    pub days_in_year: u32,
    /// The lowest guest-nights of the year: the sum of the days' lows, with missing days
    /// filled by the daily path's rule when `filled`.
    pub low: f64,
    /// The highest: the sum of the days' highs, filled likewise.
    pub high: f64,
    /// multimno's convention (suppressed cells as 0), summed and filled likewise.
    pub zero_filled: f64,
    /// Whether days were missing and filled from the seasonal model (then `low` and `high`
    /// are the model's fill of each series, not bounds of the truth on those days).
    pub filled: bool,
    /// Whether days were missing and not filled, the counts being too few for the seasonal
    /// model ([`TypicalYear::fills`]): the sums are then over the days counted only.
    pub partial: bool,
}

/// The years of one area (or the region, `area` `None`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SplitYears {
    /// The area's position in the scenario; `None` for the region.
    pub area: Option<usize>,
    /// Each calendar year the area's days touch.
    pub years: Vec<SplitYear>,
}

/// Guest-nights per year of a split by origin, per area and for the region (the region where
/// the estimate has its figures: not with some areas chosen).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SplitYearly {
    /// Each area with guest-nights, in scenario order, then the region.
    pub areas: Vec<SplitYears>,
}

impl SplitYearly {
    /// The years of each area's guest-nights in `estimate` (none for SIM countries, which
    /// give none), and of the region's, with `calendar`'s labels for the fill.
    pub fn new(estimate: &OriginEstimate, calendar: &SchoolHolidays) -> SplitYearly {
        let mut positions: Vec<usize> = estimate.guests().iter().map(|g| g.area).collect();
        positions.sort_unstable();
        positions.dedup();
        let mut areas = Vec::new();
        for area in positions {
            let days: Vec<(NaiveDate, f64, f64, f64)> = estimate
                .guests()
                .iter()
                .filter(|g| g.area == area)
                .map(|g| {
                    (
                        g.date,
                        g.guest_nights.low,
                        g.guest_nights.high,
                        g.zero_filled,
                    )
                })
                .collect();
            areas.push(SplitYears {
                area: Some(area),
                years: years(&days, calendar),
            });
        }
        if !estimate.region().is_empty() {
            let days: Vec<_> = estimate
                .region()
                .iter()
                .map(|(date, b, z)| (*date, b.low, b.high, *z))
                .collect();
            areas.push(SplitYears {
                area: None,
                years: years(&days, calendar),
            });
        }
        SplitYearly { areas }
    }
}

/// The years of a series of (date, low, high, zero-filled), in date order.
fn years(days: &[(NaiveDate, f64, f64, f64)], calendar: &SchoolHolidays) -> Vec<SplitYear> {
    let series = |pick: fn(&(NaiveDate, f64, f64, f64)) -> f64| {
        let series: Vec<(NaiveDate, f64)> = days.iter().map(|d| (d.0, pick(d))).collect();
        TypicalYear::new(&series, calendar)
    };
    let (low, high, zero) = (series(|d| d.1), series(|d| d.2), series(|d| d.3));
    // The same days in each series: the model fills all three or none.
    let fills = low.fills();
    low.years()
        .iter()
        .zip(high.years())
        .zip(zero.years())
        .map(|((l, h), z)| SplitYear {
            year: l.year,
            days_observed: l.days_observed,
            days_in_year: l.days_in_year,
            low: if fills { l.filled } else { l.counted },
            high: if fills { h.filled } else { h.counted },
            zero_filled: if fills { z.filled } else { z.counted },
            filled: fills && l.days_observed < l.days_in_year,
            partial: !fills && l.days_observed < l.days_in_year,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    #[test]
    fn a_complete_year_is_the_sum_of_lows_and_of_highs() {
        // 2023 (365 days): low 10, high 12, zero-filled 11 each day → 3 650, 4 380, 4 015.
        let start = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
        let days: Vec<_> = start
            .iter_days()
            .take_while(|d| d.year() == 2023)
            .map(|d| (d, 10.0, 12.0, 11.0))
            .collect();
        let years = years(&days, &SchoolHolidays::default());
        assert_eq!(years.len(), 1);
        let y = &years[0];
        assert_eq!((y.year, y.days_observed, y.days_in_year), (2023, 365, 365));
        assert!((y.low - 3650.0).abs() < 1e-9 && (y.high - 4380.0).abs() < 1e-9);
        assert!((y.zero_filled - 4015.0).abs() < 1e-9);
        assert!(!y.filled);
    }

    #[test]
    fn missing_days_are_filled_by_the_daily_paths_rule_on_each_series() {
        // 2023 without 1-10 March: the lows and highs are filled by TypicalYear, as the daily
        // path fills, so each equals TypicalYear's filled total of that series; with constant
        // series the fill is the constant: 3 650 and 4 380 again.
        let start = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
        let gap = |d: &NaiveDate| d.month() == 3 && d.day() <= 10;
        let days: Vec<_> = start
            .iter_days()
            .take_while(|d| d.year() == 2023)
            .filter(|d| !gap(d))
            .map(|d| (d, 10.0, 12.0 + f64::from(d.ordinal() % 7), 11.0))
            .collect();
        let calendar = SchoolHolidays::default();
        let years = years(&days, &calendar);
        let y = &years[0];
        assert_eq!(y.days_observed, 355);
        assert!(y.filled);
        let highs: Vec<(NaiveDate, f64)> = days.iter().map(|d| (d.0, d.2)).collect();
        let filled_high = TypicalYear::new(&highs, &calendar).years()[0].filled;
        assert!((y.high - filled_high).abs() < 1e-9);
        assert!((y.low - 3650.0).abs() < 1e-6, "{}", y.low);
        // The highs' counted days alone sum to less than the filled year.
        let counted: f64 = highs.iter().map(|d| d.1).sum();
        assert!(y.high > counted + 10.0 * 12.0);
    }
}
