//! Honest yearly figures: coverage, and guest-nights per year by a named method.
//!
//! The Hallingdal plan multiplies the mean per day over its 18 months by 365, so two winters
//! weigh against one summer and a missing week in July silently lowers the year. This module
//! shows how much of each calendar year was counted and offers three annualisations, always
//! named in the output:
//!
//! - [`Annualisation::Plan`]: mean per day × 365, the plan's rule;
//! - [`Annualisation::Calendar`]: the sum over a calendar year, only for a fully counted year;
//! - [`Annualisation::SeasonBalanced`]: every day of each year the counts touch gets a value —
//!   the count where there is one, else the expected value from a model fitted on the counted
//!   days — and the years' totals are averaged into one typical year of 365 days.
//!
//! The season-balanced model is a table of means of part-time residents present per day: for
//! holidays and school holidays by calendar label (Easter Sunday, winter holiday, …), for other
//! days by month × weekday, falling back to the month's mean and then the overall mean when a
//! cell has no counted day. It is the classical "seasonal means" (or seasonal-dummy) model of
//! time-series decomposition (e.g. Hyndman & Athanasopoulos, *Forecasting: Principles and
//! Practice*, 3rd ed., §7.4 on seasonal dummy variables), with the Norwegian calendar's labels
//! as extra seasons. Filled days are counted and their share is reported beside each figure.
//!
//! Negative residual days (deductions above present persons) are kept by default; a
//! [`NegativePolicy`] can clamp them, and is named in the output.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, Weekday};
use deltid_model::{
    AreaCode, Estimate, Label, PLAN_DAYS_PER_YEAR, RegionRule, SchoolHolidays, days_in_year,
};
use serde::Serialize;

/// How a yearly figure is made from daily estimates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Annualisation {
    /// Mean per day over the counted days × 365: the Hallingdal plan's rule.
    #[default]
    Plan,
    /// The sum over each fully counted calendar year; no figure for a partial year.
    Calendar,
    /// Missing days filled from a model of the counted days (calendar label, or month ×
    /// weekday), each touched year totalled, and the totals averaged into a typical year of
    /// 365 days.
    SeasonBalanced,
}

impl Annualisation {
    /// The method in words, for outputs.
    pub fn describe(self) -> &'static str {
        match self {
            Annualisation::Plan => "mean per day × 365 (the plan's rule)",
            Annualisation::Calendar => "sum over a fully counted calendar year",
            Annualisation::SeasonBalanced => {
                "season-balanced: missing days filled from label or month × weekday means, years averaged into a typical 365-day year"
            }
        }
    }
}

/// What to do with days whose part-time residual is negative.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NegativePolicy {
    /// Keep them as they are (the default): residents away lower the figure.
    #[default]
    Keep,
    /// Count a negative day as 0 part-time residents.
    ClampDay,
    /// Keep negative days, but a negative yearly figure becomes 0.
    ClampPeriod,
}

impl NegativePolicy {
    /// The policy in words, for outputs.
    pub fn describe(self) -> &'static str {
        match self {
            NegativePolicy::Keep => "negative days kept as they are",
            NegativePolicy::ClampDay => "negative days counted as 0",
            NegativePolicy::ClampPeriod => {
                "negative days kept; a negative yearly figure shown as 0"
            }
        }
    }

    /// A day's part-time residents under the policy.
    pub fn day(self, value: f64) -> f64 {
        match self {
            NegativePolicy::ClampDay => value.max(0.0),
            _ => value,
        }
    }

    /// A yearly figure under the policy.
    pub fn period(self, value: f64) -> f64 {
        match self {
            NegativePolicy::ClampPeriod => value.max(0.0),
            _ => value,
        }
    }
}

/// One calendar year of one area (or the region): coverage and its guest-nights.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct YearCoverage {
    /// The year.
    pub year: i32,
    /// Days with a count (for the region: with a count for every selected area).
    pub days_observed: u32,
    /// Days in the year: 365, or 366 in a leap year.
    pub days_in_year: u32,
    /// Days without a count, as inclusive ranges (first, last).
    pub missing: Vec<(NaiveDate, NaiveDate)>,
    /// Guest-nights counted: the sum over the counted days, nights.
    pub counted: f64,
    /// Guest-nights with the missing days filled from the season-balanced model, nights.
    pub filled: f64,
}

/// The yearly figure of one area (or the region) by a method, with what it rests on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AreaYearly {
    /// The area's code; `None` for the region.
    pub code: Option<AreaCode>,
    /// The area's or region's name.
    pub name: String,
    /// Guest-nights per year by the method chosen, nights; `None` when the method gives none
    /// (a calendar sum without a fully counted year).
    pub guest_nights_per_year: Option<f64>,
    /// Guest-nights per year by the plan's rule, for comparison, nights.
    pub plan: f64,
    /// Share of the days behind the figure that were filled by the model (fraction 0..1;
    /// 0 for the plan's and the calendar methods).
    pub filled_share: f64,
    /// Each calendar year the counts touch.
    pub years: Vec<YearCoverage>,
}

/// Yearly figures for an estimate: the method, the negative-day policy, each area and the
/// region.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Yearly {
    /// The method, in words.
    pub method: String,
    /// The negative-day policy, in words.
    pub negative: String,
    /// Each selected area, in scenario order.
    pub areas: Vec<AreaYearly>,
    /// The region (days with a count for every selected area).
    pub region: AreaYearly,
}

/// A daily series of part-time residents present: date → persons.
type Daily = Vec<(NaiveDate, f64)>;

impl Yearly {
    /// Yearly figures by `method` for every selected area and the region of an estimate, with
    /// the scenario's calendar labels.
    ///
    /// The region's figure follows the estimate's [`RegionRule`]: the sum of its areas'
    /// figures, each annualised from its own counted days; or, with the region's own count,
    /// the annualised series of that count. The region's coverage is over its days (with
    /// every area counted, or with its own count).
    ///
    /// # Examples
    /// ```
    /// use deltid::analysis::{Annualisation, NegativePolicy, Yearly};
    /// use deltid::{CountsOptions, Run, Selection};
    /// let run = Run::new(
    ///     "../../data/hallingdal/plan-2021.toml".as_ref(),
    ///     None,
    ///     &CountsOptions::default(),
    ///     &Selection::default(),
    /// )?;
    /// let yearly = Yearly::new(run.estimate(), Annualisation::Calendar, NegativePolicy::Keep);
    /// // 2020 is the only fully counted year of the shipped data.
    /// let year_2020 = &yearly.region.years[1];
    /// assert_eq!((year_2020.year, year_2020.days_observed, year_2020.days_in_year), (2020, 366, 366));
    /// // The region is the sum of its areas, each over its own counted days; with every area
    /// // counted every day of 2020, that is the region's sum over 2020 (to rounding in the
    /// // last bits of a sum of 2 196 days).
    /// let per_year = yearly.region.guest_nights_per_year.unwrap();
    /// assert!((per_year - year_2020.counted).abs() < 1e-6 * per_year);
    /// # Ok::<(), deltid::Error>(())
    /// ```
    pub fn new(estimate: &Estimate, method: Annualisation, negative: NegativePolicy) -> Yearly {
        let scenario = estimate.scenario();
        let calendar = scenario.calendar();
        let mut areas = Vec::new();
        let mut span: Option<(i32, i32)> = None;
        for (position, days) in estimate.each_area_days() {
            let area = &scenario.areas()[position];
            let series: Daily = days
                .into_iter()
                .map(|(date, lines)| (date, negative.day(lines.part_time())))
                .collect();
            let (Some(first), Some(last)) = (series.first(), series.last()) else {
                continue;
            };
            span = Some(match span {
                None => (first.0.year(), last.0.year()),
                Some((a, b)) => (a.min(first.0.year()), b.max(last.0.year())),
            });
            areas.push(yearly(
                Some(area.code.clone()),
                area.name.clone(),
                &series,
                calendar,
                method,
                negative,
                None,
            ));
        }
        let region_series: Daily = estimate
            .region_days()
            .map(|day| (day.date, negative.day(day.lines.part_time())))
            .collect();
        let mut region = yearly(
            None,
            estimate.plan().region_name(),
            &region_series,
            calendar,
            method,
            negative,
            span,
        );
        // The region is the sum of its areas, each annualised from its own counted days (the
        // region's coverage above counts only its own days). With the plan's rule and the
        // season-balanced fill this is exact: both are linear.
        if estimate.region_rule() == RegionRule::SumOfAreas && !areas.is_empty() {
            region.plan = negative.period(areas.iter().map(|a| a.plan).sum());
            region.guest_nights_per_year = areas
                .iter()
                .map(|a| a.guest_nights_per_year)
                .sum::<Option<f64>>()
                .map(|total| negative.period(total));
        }
        Yearly {
            method: method.describe().to_owned(),
            negative: negative.describe().to_owned(),
            areas,
            region,
        }
    }
}

/// The season-balanced typical year of a daily series (any line: part-time residents,
/// observed SIMs), persons × days. The model is linear in the series, so the typical year of a
/// sum is the sum of the typical years.
pub(crate) fn typical_year(series: &[(NaiveDate, f64)], calendar: &SchoolHolidays) -> f64 {
    yearly(
        None,
        String::new(),
        &series.to_vec(),
        calendar,
        Annualisation::SeasonBalanced,
        NegativePolicy::Keep,
        None,
    )
    .guest_nights_per_year
    .unwrap_or(0.0)
}

/// The season-balanced model's expected value on each date of a series (fitted on the series
/// itself), persons.
pub(crate) fn fitted(series: &[(NaiveDate, f64)], calendar: &SchoolHolidays) -> Vec<f64> {
    let model = SeasonalMeans::fit(&series.to_vec(), calendar);
    series
        .iter()
        .map(|(date, _)| model.expected(*date, calendar))
        .collect()
}

/// The yearly figure of one series.
///
/// `span` gives the calendar years to cover when they reach beyond the series (the region's
/// complete days may end before its areas' counts do).
fn yearly(
    code: Option<AreaCode>,
    name: String,
    series: &Daily,
    calendar: &SchoolHolidays,
    method: Annualisation,
    negative: NegativePolicy,
    span: Option<(i32, i32)>,
) -> AreaYearly {
    let model = SeasonalMeans::fit(series, calendar);
    let counted: HashMap<NaiveDate, f64> = series.iter().copied().collect();
    let plan = if series.is_empty() {
        0.0
    } else {
        series.iter().map(|d| d.1).sum::<f64>() / series.len() as f64 * PLAN_DAYS_PER_YEAR
    };
    let (first, last) = match (span, series.first(), series.last()) {
        (Some(span), _, _) => span,
        (None, Some(f), Some(l)) => (f.0.year(), l.0.year()),
        _ => (0, -1),
    };
    let mut years = Vec::new();
    for year in first..=last {
        let mut coverage = YearCoverage {
            year,
            days_observed: 0,
            days_in_year: days_in_year(year),
            missing: Vec::new(),
            counted: 0.0,
            filled: 0.0,
        };
        let Some(start) = NaiveDate::from_ymd_opt(year, 1, 1) else {
            continue;
        };
        for date in start.iter_days().take_while(|d| d.year() == year) {
            match counted.get(&date) {
                Some(value) => {
                    coverage.days_observed += 1;
                    coverage.counted += value;
                    coverage.filled += value;
                }
                None => {
                    coverage.filled += model.expected(date, calendar);
                    match coverage.missing.last_mut() {
                        Some((_, end)) if end.succ_opt() == Some(date) => *end = date,
                        _ => coverage.missing.push((date, date)),
                    }
                }
            }
        }
        years.push(coverage);
    }
    let (figure, filled_share) = match method {
        Annualisation::Plan => (Some(plan), 0.0),
        Annualisation::Calendar => {
            let full: Vec<&YearCoverage> = years
                .iter()
                .filter(|y| y.days_observed == y.days_in_year)
                .collect();
            let mean = (!full.is_empty())
                .then(|| full.iter().map(|y| y.counted).sum::<f64>() / full.len() as f64);
            (mean, 0.0)
        }
        Annualisation::SeasonBalanced => {
            // Each year's total scaled to 365 days, then averaged.
            let typical = years
                .iter()
                .map(|y| y.filled * PLAN_DAYS_PER_YEAR / f64::from(y.days_in_year))
                .sum::<f64>()
                / years.len().max(1) as f64;
            let days: u32 = years.iter().map(|y| y.days_in_year).sum();
            let observed: u32 = years.iter().map(|y| y.days_observed).sum();
            let share = if days == 0 {
                0.0
            } else {
                f64::from(days - observed) / f64::from(days)
            };
            (Some(typical), share)
        }
    };
    AreaYearly {
        code,
        name,
        guest_nights_per_year: figure.map(|f| negative.period(f)),
        plan: negative.period(plan),
        filled_share,
        years,
    }
}

/// The season-balanced model: means of the counted days by calendar label (holidays) or by
/// month × weekday (other days), with the month's and the overall mean as fallbacks.
struct SeasonalMeans {
    by_label: HashMap<Label, (f64, u32)>,
    by_month_weekday: HashMap<(u32, Weekday), (f64, u32)>,
    by_month: HashMap<u32, (f64, u32)>,
    overall: (f64, u32),
}

/// Whether a label is a day of its own kind (a holiday) rather than an ordinary day.
fn is_special(label: Label) -> bool {
    !matches!(label, Label::Weekend | Label::Weekday)
}

impl SeasonalMeans {
    fn fit(series: &Daily, calendar: &SchoolHolidays) -> SeasonalMeans {
        let mut model = SeasonalMeans {
            by_label: HashMap::new(),
            by_month_weekday: HashMap::new(),
            by_month: HashMap::new(),
            overall: (0.0, 0),
        };
        let add = |cell: &mut (f64, u32), value: f64| {
            cell.0 += value;
            cell.1 += 1;
        };
        for (date, value) in series {
            let label = calendar.label(*date);
            if is_special(label) {
                add(model.by_label.entry(label).or_default(), *value);
            } else {
                add(
                    model
                        .by_month_weekday
                        .entry((date.month(), date.weekday()))
                        .or_default(),
                    *value,
                );
            }
            add(model.by_month.entry(date.month()).or_default(), *value);
            add(&mut model.overall, *value);
        }
        model
    }

    /// The expected part-time residents present on a date, persons.
    fn expected(&self, date: NaiveDate, calendar: &SchoolHolidays) -> f64 {
        let mean =
            |cell: Option<&(f64, u32)>| cell.filter(|c| c.1 > 0).map(|c| c.0 / f64::from(c.1));
        let label = calendar.label(date);
        let cell = if is_special(label) {
            mean(self.by_label.get(&label))
        } else {
            mean(self.by_month_weekday.get(&(date.month(), date.weekday())))
        };
        cell.or_else(|| mean(self.by_month.get(&date.month())))
            .or_else(|| mean(Some(&self.overall)))
            .unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_days_are_ranges_and_filled_from_the_model() {
        // January 2021 with 10 on weekdays and 30 on Saturdays and Sundays, 4–6 January
        // (Mon–Wed) removed. 1 January is New Year's Day, a label of its own (value 10).
        let calendar = SchoolHolidays::default();
        let day = |m, d| NaiveDate::from_ymd_opt(2021, m, d).expect("a date");
        let value = |d: NaiveDate| match d.weekday() {
            Weekday::Sat | Weekday::Sun => 30.0,
            _ => 10.0,
        };
        let series: Daily = (1..=31)
            .map(|d| day(1, d))
            .filter(|d| !(4..=6).contains(&d.day()))
            .map(|d| (d, value(d)))
            .collect();
        let model = SeasonalMeans::fit(&series, &calendar);
        // A missing Monday in January: the mean of January's counted Mondays (11, 18, 25).
        assert_eq!(model.expected(day(1, 4), &calendar), 10.0);
        // A Saturday in February (no February counted): January's mean, with 10 weekend days
        // (Sat 2, 9, 16, 23, 30; Sun 3, 10, 17, 24, 31) and 18 weekdays counted:
        // (18 × 10 + 10 × 30) / 28 = 480 / 28.
        assert!((model.expected(day(2, 6), &calendar) - 480.0 / 28.0).abs() < 1e-12);

        let result = yearly(
            None,
            "x".to_owned(),
            &series,
            &calendar,
            Annualisation::SeasonBalanced,
            NegativePolicy::Keep,
            None,
        );
        let year = &result.years[0];
        assert_eq!(year.days_observed, 28);
        assert_eq!(year.missing[0], (day(1, 4), day(1, 6)));
        assert_eq!(year.missing[1], (day(2, 1), day(12, 31)));
        assert!((year.counted - 480.0).abs() < 1e-9);
        // 337 filled days of 365: the filled share.
        assert!((result.filled_share - 337.0 / 365.0).abs() < 1e-12);
    }

    #[test]
    fn negative_policies() {
        // Days −10, 20: kept → mean 5; clamped per day → mean 10.
        let calendar = SchoolHolidays::default();
        let day = |d| NaiveDate::from_ymd_opt(2021, 3, d).expect("a date");
        let series: Daily = vec![(day(1), -10.0), (day(2), 20.0)];
        let keep = yearly(
            None,
            String::new(),
            &series,
            &calendar,
            Annualisation::Plan,
            NegativePolicy::Keep,
            None,
        );
        assert!((keep.plan - 5.0 * 365.0).abs() < 1e-9);
        let clamped: Daily = series
            .iter()
            .map(|d| (d.0, NegativePolicy::ClampDay.day(d.1)))
            .collect();
        let day_clamped = yearly(
            None,
            String::new(),
            &clamped,
            &calendar,
            Annualisation::Plan,
            NegativePolicy::ClampDay,
            None,
        );
        assert!((day_clamped.plan - 10.0 * 365.0).abs() < 1e-9);
        let all_negative: Daily = vec![(day(1), -10.0)];
        let period = yearly(
            None,
            String::new(),
            &all_negative,
            &calendar,
            Annualisation::Plan,
            NegativePolicy::ClampPeriod,
            None,
        );
        assert_eq!(period.plan, 0.0);
    }
}
