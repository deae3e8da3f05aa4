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
//!   the count where there is one, else the [`SeasonalModel`]'s value (a smooth annual curve
//!   plus weekday and holiday effects, fitted on the counted days) — and the years' totals,
//!   each scaled to 365 days, are averaged into one typical year, **each year weighted by the
//!   share of its days that were counted** ([`TypicalYear`]). A year with 59 counted days
//!   weighs 59/365 of a fully counted one, so a partial year adds what it counted, not a
//!   year of the model. Each year's weight and filled share are reported, and a note names
//!   filled stretches that hold the season's peak.
//!
//! The season-balanced figure's interval ([`TypicalYear::interval`]) is the error of the
//! filled days: what they might have been, given the model's own uncertainty and the
//! day-to-day noise around it.
//!
//! Negative residual days (deductions above present persons) are kept by default; a
//! [`NegativePolicy`] can clamp them, and is named in the output. With the region as the sum
//! of its areas, each area is treated on its own and the region is the sum of the areas'
//! figures: an area's negative day is not offset by another area's positive day that day.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use deltid_model::{
    AreaCode, AreaSum, Estimate, Label, PLAN_DAYS_PER_YEAR, PercentileMethod, RegionRule, Result,
    SchoolHolidays, days_in_year, quantile,
};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use serde::Serialize;

use super::resample::{HIGH, LOW, MIN_DRAWS, Sampler};
use super::seasonal::{Gram, LeastSquares, ModelTerms, SeasonalModel};

/// How a yearly figure is made from daily estimates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Annualisation {
    /// Mean per day over the counted days × 365: the Hallingdal plan's rule.
    #[default]
    Plan,
    /// The sum over each fully counted calendar year; no figure for a partial year.
    Calendar,
    /// Missing days filled from a seasonal model of the counted days (smooth annual curve,
    /// weekday and holiday effects), each touched year totalled, and the totals averaged into
    /// a typical year of 365 days, each year weighted by its counted share.
    SeasonBalanced,
}

impl Annualisation {
    /// The method in words, for outputs.
    pub fn describe(self) -> &'static str {
        match self {
            Annualisation::Plan => "mean per day × 365 (the plan's rule)",
            Annualisation::Calendar => "sum over a fully counted calendar year",
            Annualisation::SeasonBalanced => {
                "season-balanced: missing days filled from a seasonal model (a smooth annual curve of Fourier terms, weekday and holiday effects, least squares), each year's total scaled to 365 days, the years averaged weighted by their counted share"
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
    /// Count a negative day (counted or filled) as 0 part-time residents.
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

    /// How the policy meets the region rule, in words: with the region as the sum of its
    /// areas, the policy applies to each area and the region is the sum of the results.
    pub fn describe_for(self, rule: RegionRule) -> String {
        match (self, rule) {
            (NegativePolicy::Keep, _) => self.describe().to_owned(),
            (NegativePolicy::ClampDay, RegionRule::SumOfAreas) => {
                "negative days counted as 0 in each area, then the areas summed: the region is the sum of its areas' clamped figures (an area's negative day is not offset by another area's surplus that day, so clamping the region's own daily sums would give less)".to_owned()
            }
            (NegativePolicy::ClampPeriod, RegionRule::SumOfAreas) => {
                "negative days kept; an area's negative yearly figure shown as 0, and the region the sum of its areas' figures as shown".to_owned()
            }
            (_, RegionRule::OwnCount) => {
                format!("{}, on the region's own count", self.describe())
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
    /// Guest-nights with the missing days filled from the seasonal model, nights.
    pub filled: f64,
    /// The year's weight in the season-balanced typical year: its counted share,
    /// days observed ÷ days in the year (fraction 0..1). For the region as the sum of its
    /// areas, each area weighs its years by its own counted share; this is the region's days'.
    pub weight: f64,
}

impl YearCoverage {
    /// The share of the year's days filled by the model (fraction 0..1).
    pub fn filled_share(&self) -> f64 {
        1.0 - f64::from(self.days_observed) / f64::from(self.days_in_year.max(1))
    }
}

/// A stretch of at least [`PEAK_STRETCH_DAYS`] filled days that holds the season's peak: the
/// yearly figure rests on the model's shape there, not on counts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FilledPeak {
    /// First filled day.
    pub first: NaiveDate,
    /// Last filled day.
    pub last: NaiveDate,
    /// The busiest filled day's value reaches the year's busiest tenth of days (counted or
    /// filled).
    pub busiest_tenth: bool,
    /// The school holidays the stretch holds at least a day of, in calendar order (winter
    /// holiday, Easter week, summer holiday, autumn holiday, Christmas holiday): the peaks of a
    /// cabin region, which the model can only interpolate.
    pub holidays: Vec<Label>,
}

/// Filled stretches at least this long are checked for the season's peak.
pub const PEAK_STRETCH_DAYS: usize = 7;

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
    /// Share of the typical year's days that were filled by the model (fraction 0..1): each
    /// year's filled share, weighted as the year is. 0 for the plan's and the calendar
    /// methods.
    pub filled_share: f64,
    /// Each calendar year the counts touch.
    pub years: Vec<YearCoverage>,
    /// Filled stretches that hold the season's peak (season-balanced only).
    pub filled_peaks: Vec<FilledPeak>,
    /// The seasonal model's terms (season-balanced only; `None` for the region as the sum
    /// of its areas, whose areas each have their own).
    pub model: Option<ModelTerms>,
    /// Whether the seasonal model may fill the missing days ([`TypicalYear::fills`]; for the
    /// region as the sum of its areas, every area's). Where it may not, no year's `filled`
    /// total is published: it would be the model's extrapolation.
    pub fills: bool,
}

/// Yearly figures for an estimate: the method, the negative-day policy, each area and the
/// region.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Yearly {
    /// The method, in words.
    pub method: String,
    /// The negative-day policy with the region rule, in words.
    pub negative: String,
    /// How years are weighted in the typical year, in words (season-balanced only).
    pub weighting: Option<String>,
    /// Each selected area, in scenario order.
    pub areas: Vec<AreaYearly>,
    /// The region (days with a count for every selected area).
    pub region: AreaYearly,
    /// The method, the policy and the region rule, for outputs in other languages.
    #[serde(skip)]
    pub(crate) terms: (Annualisation, NegativePolicy, RegionRule),
}

/// A daily series of part-time residents present: date → persons.
type Daily = Vec<(NaiveDate, f64)>;

impl Yearly {
    /// Yearly figures by `method` for every selected area and the region of an estimate, with
    /// the scenario's calendar labels.
    ///
    /// The region's figure follows the estimate's [`RegionRule`]: the sum of its areas'
    /// figures, each annualised from its own counted days (and with negative days treated in
    /// each area); or, with the region's own count, the annualised series of that count. The
    /// region's coverage is over its days (with every area counted, or with its own count).
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
        let rule = estimate.region_rule();
        // Each area with days: its position among the scenario's areas, among the selected
        // areas, and its days.
        let mut series: Vec<(usize, usize, Daily)> = Vec::new();
        let mut span: Option<(i32, i32)> = None;
        for (slot, (position, days)) in estimate.each_area_days().enumerate() {
            let daily: Daily = days
                .into_iter()
                .map(|(date, lines)| (date, negative.day(lines.part_time())))
                .collect();
            let (Some(first), Some(last)) = (daily.first(), daily.last()) else {
                continue;
            };
            span = Some(match span {
                None => (first.0.year(), last.0.year()),
                Some((a, b)) => (a.min(first.0.year()), b.max(last.0.year())),
            });
            series.push((position, slot, daily));
        }
        let region_days: Vec<NaiveDate> = estimate.region_days().map(|d| d.date).collect();
        let mut areas = Vec::new();
        let mut typical = Vec::new();
        for (position, _, daily) in &series {
            let area = &scenario.areas()[*position];
            let year = TypicalYear::over(daily, calendar, span, negative);
            areas.push(area_yearly(
                Some(area.code.clone()),
                area.name.clone(),
                daily,
                &year,
                method,
                negative,
            ));
            typical.push(year);
        }
        let region = match rule {
            RegionRule::SumOfAreas if !areas.is_empty() => {
                sum_of_areas(estimate, &areas, &series, &typical, &region_days, method)
            }
            _ => {
                let daily: Daily = estimate
                    .region_days()
                    .map(|day| (day.date, negative.day(day.lines.part_time())))
                    .collect();
                let year = TypicalYear::over(&daily, calendar, span, negative);
                area_yearly(
                    None,
                    estimate.plan().region_name(),
                    &daily,
                    &year,
                    method,
                    negative,
                )
            }
        };
        Yearly {
            method: method.describe().to_owned(),
            negative: negative.describe_for(rule),
            weighting: (method == Annualisation::SeasonBalanced).then(|| {
                "each calendar year weighs by the share of its days counted; its days without a count are filled by the model".to_owned()
            }),
            areas,
            region,
            terms: (method, negative, rule),
        }
    }
}

/// The region as the sum of its areas: the figures summed; the coverage over the region's
/// days (every area counted), the counted guest-nights the areas' (as treated) on those days,
/// each year's filled total the areas' summed.
fn sum_of_areas(
    estimate: &Estimate,
    areas: &[AreaYearly],
    series: &[(usize, usize, Daily)],
    typical: &[TypicalYear],
    region_days: &[NaiveDate],
    method: Annualisation,
) -> AreaYearly {
    // The areas' figures are summed as shown, each already under the negative-day policy, and
    // as the region's lines are summed (so that, days kept as they are, they are its figures).
    let mut by_date: HashMap<NaiveDate, AreaSum> = region_days
        .iter()
        .map(|d| (*d, AreaSum::default()))
        .collect();
    for (_, slot, daily) in series {
        for (date, value) in daily {
            if let Some(sum) = by_date.get_mut(date) {
                sum.add(*slot, *value);
            }
        }
    }
    let daily: Daily = region_days
        .iter()
        .map(|d| (*d, by_date[d].value()))
        .collect();
    let span = typical
        .iter()
        .flat_map(|t| t.years.iter().map(|y| y.year))
        .fold(None, |span: Option<(i32, i32)>, y| {
            Some(span.map_or((y, y), |(a, b)| (a.min(y), b.max(y))))
        });
    let mut years = coverage(&daily, span);
    for year in &mut years {
        year.filled = typical
            .iter()
            .filter_map(|t| t.years.iter().find(|y| y.year == year.year))
            .map(|y| y.filled)
            .sum();
    }
    let total = |f: &dyn Fn(&AreaYearly) -> Option<f64>| -> Option<f64> {
        areas.iter().map(f).sum::<Option<f64>>()
    };
    let balanced = method == Annualisation::SeasonBalanced;
    AreaYearly {
        code: None,
        name: estimate.plan().region_name(),
        guest_nights_per_year: total(&|a| a.guest_nights_per_year),
        plan: areas.iter().map(|a| a.plan).sum(),
        filled_share: if balanced {
            weighted_filled_share(&years)
        } else {
            0.0
        },
        years,
        filled_peaks: if balanced {
            typical.iter().flat_map(|t| t.peaks.clone()).collect()
        } else {
            Vec::new()
        },
        model: None,
        fills: typical.iter().all(TypicalYear::fills),
    }
}

/// The yearly figure of one series by a method.
fn area_yearly(
    code: Option<AreaCode>,
    name: String,
    series: &Daily,
    year: &TypicalYear,
    method: Annualisation,
    negative: NegativePolicy,
) -> AreaYearly {
    let plan = if series.is_empty() {
        0.0
    } else {
        series.iter().map(|d| d.1).sum::<f64>() / series.len() as f64 * PLAN_DAYS_PER_YEAR
    };
    let balanced = method == Annualisation::SeasonBalanced;
    let figure = match method {
        Annualisation::Plan => Some(plan),
        Annualisation::Calendar => {
            let full: Vec<&YearCoverage> = year
                .years
                .iter()
                .filter(|y| y.days_observed == y.days_in_year)
                .collect();
            (!full.is_empty())
                .then(|| full.iter().map(|y| y.counted).sum::<f64>() / full.len() as f64)
        }
        Annualisation::SeasonBalanced => year.figure,
    };
    AreaYearly {
        code,
        name,
        guest_nights_per_year: figure.map(|f| negative.period(f)),
        plan: negative.period(plan),
        filled_share: if balanced { year.filled_share } else { 0.0 },
        years: year.years.clone(),
        filled_peaks: if balanced {
            year.peaks.clone()
        } else {
            Vec::new()
        },
        model: balanced.then(|| year.model.terms()),
        fills: year.fills(),
    }
}

/// Each calendar year of `span` (or of the series' own years): days counted, the ranges
/// missing, the sum counted; `filled` is the counted sum and `weight` the counted share until
/// a model fills them.
fn coverage(series: &[(NaiveDate, f64)], span: Option<(i32, i32)>) -> Vec<YearCoverage> {
    let counted: HashMap<NaiveDate, f64> = series.iter().copied().collect();
    let (first, last) = match (span, series.first(), series.last()) {
        (Some(span), _, _) => span,
        (None, Some(f), Some(l)) => (f.0.year(), l.0.year()),
        _ => (0, -1),
    };
    let mut years = Vec::new();
    for year in first..=last {
        let Some(start) = NaiveDate::from_ymd_opt(year, 1, 1) else {
            continue;
        };
        let mut coverage = YearCoverage {
            year,
            days_observed: 0,
            days_in_year: days_in_year(year),
            missing: Vec::new(),
            counted: 0.0,
            filled: 0.0,
            weight: 0.0,
        };
        for date in start.iter_days().take_while(|d| d.year() == year) {
            match counted.get(&date) {
                Some(value) => {
                    coverage.days_observed += 1;
                    coverage.counted += value;
                }
                None => match coverage.missing.last_mut() {
                    Some((_, end)) if end.succ_opt() == Some(date) => *end = date,
                    _ => coverage.missing.push((date, date)),
                },
            }
        }
        coverage.filled = coverage.counted;
        coverage.weight = f64::from(coverage.days_observed) / f64::from(coverage.days_in_year);
        years.push(coverage);
    }
    years
}

/// The share of a typical year's days that are filled: each year's filled share, weighted as
/// the year is (fraction 0..1).
fn weighted_filled_share(years: &[YearCoverage]) -> f64 {
    let total: f64 = years.iter().map(|y| y.weight).sum();
    if total <= 0.0 {
        return if years.is_empty() { 0.0 } else { 1.0 };
    }
    years
        .iter()
        .map(|y| y.weight * y.filled_share())
        .sum::<f64>()
        / total
}

/// The fewest calendar months (of the twelve, over all years) the counts must cover, each with
/// at least [`MIN_SEASON_MONTH_DAYS`] days counted, for the seasonal model to fill missing
/// days: with fewer there is no annual curve to draw on and a fill is extrapolation (21
/// autumn nights once gave an area a year of −531 433 guest-nights). Below it, a
/// season-balanced figure is not given ([`TypicalYear::fills`]).
pub const MIN_SEASON_MONTHS: usize = 6;
/// Whether a daily series supports the seasonal model's fill of the days it lacks: it covers
/// at least [`MIN_SEASON_MONTHS`] calendar months with [`MIN_SEASON_MONTH_DAYS`] days each
/// (the one rule of the season-balanced yearly figure and the planners' typical year).
pub(crate) fn supports_fill(series: &[(NaiveDate, f64)]) -> bool {
    let mut per_month = [0usize; 12];
    for (date, _) in series {
        per_month[date.month0() as usize] += 1;
    }
    per_month
        .iter()
        .filter(|&&n| n >= MIN_SEASON_MONTH_DAYS)
        .count()
        >= MIN_SEASON_MONTHS
}

/// Days counted in a calendar month for it to count towards [`MIN_SEASON_MONTHS`].
pub const MIN_SEASON_MONTH_DAYS: usize = 7;

/// The season-balanced typical year of one daily series
/// ([`Annualisation::SeasonBalanced`]): each day of each year the series touches gets its
/// count or the [`SeasonalModel`]'s value, each year's total is scaled to 365 days, and the
/// years are averaged with their counted shares (days counted ÷ days in the year) as weights,
/// so that a partial year adds what it counted and not a year of the model.
///
/// The figure is then a weighted sum of the counted values: `Σ cⱼ yⱼ` with each counted
/// day's weight cⱼ its own (the year's weight × 365 ÷ days in the year ÷ the weights' sum)
/// plus its part in the filled days through the model's least-squares fit. The uncertainty
/// analysis applies the same weights to another line counted on the same days (the model is
/// linear in the series, given its terms) to move the figure with a parameter.
///
/// Filled stretches of at least [`PEAK_STRETCH_DAYS`] days that reach the year's busiest
/// tenth of days or hold a school holiday are named ([`TypicalYear::filled_peaks`]): there the
/// figure rests on the model's shape. Measured on simulated cabin-region years
/// (`benches/studies.rs`, 200 seeds, quoted in the README): with July and a tenth of the days
/// missing, the figure is within 0.1 % of the truth on average (standard deviation 0.4-0.5 %),
/// where the plan's rule is 1.7 % low.
#[derive(Clone, Debug)]
pub struct TypicalYear {
    model: SeasonalModel,
    fills: bool,
    years: Vec<YearCoverage>,
    figure: Option<f64>,
    filled_share: f64,
    peaks: Vec<FilledPeak>,
    /// The counted days, in date order, and their values.
    counted: Vec<(NaiveDate, f64)>,
    /// Each counted day's weight in the figure (its own and its part in the fill).
    weights: Vec<f64>,
    /// Each counted day's part in the fill alone.
    fill_weights: Vec<f64>,
    /// Each filled day and its weight in the figure.
    filled: Vec<(NaiveDate, f64)>,
}

impl TypicalYear {
    /// The typical year of a daily series (date, persons), in date order, over the calendar
    /// years it touches.
    ///
    /// # Examples
    /// ```
    /// use chrono::{Datelike, NaiveDate};
    /// use deltid::SchoolHolidays;
    /// use deltid::analysis::TypicalYear;
    /// // 2021 counted whole at 100 a day, 2022 only in January at 100 a day.
    /// let start = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
    /// let series: Vec<(NaiveDate, f64)> = start
    ///     .iter_days()
    ///     .take_while(|d| d.year() == 2021 || d.month() == 1)
    ///     .map(|d| (d, 100.0))
    ///     .collect();
    /// let year = TypicalYear::new(&series, &SchoolHolidays::default());
    /// assert!((year.figure().unwrap() - 36_500.0).abs() < 1e-6);
    /// // 2022 weighs 31/365 of 2021; 334 of its days are filled.
    /// assert!((year.years()[1].weight - 31.0 / 365.0).abs() < 1e-12);
    /// assert_eq!(year.years()[1].days_observed, 31);
    /// ```
    pub fn new(series: &[(NaiveDate, f64)], calendar: &SchoolHolidays) -> TypicalYear {
        TypicalYear::over(series, calendar, None, NegativePolicy::Keep)
    }

    /// The typical year over the calendar years of `span` (or the series' own), with filled
    /// days treated by `negative` (a filled negative value counts as 0 under
    /// [`NegativePolicy::ClampDay`]; the series is taken as given).
    pub(crate) fn over(
        series: &[(NaiveDate, f64)],
        calendar: &SchoolHolidays,
        span: Option<(i32, i32)>,
        negative: NegativePolicy,
    ) -> TypicalYear {
        let model = SeasonalModel::fit(series, calendar);
        let fills = supports_fill(series);
        let mut years = coverage(series, span);
        let total: f64 = years.iter().map(|y| y.weight).sum();
        let counted: HashMap<NaiveDate, f64> = series.iter().copied().collect();
        let day_weight = |year: &YearCoverage| {
            if total > 0.0 {
                year.weight * PLAN_DAYS_PER_YEAR / f64::from(year.days_in_year) / total
            } else {
                0.0
            }
        };
        let mut filled = Vec::new();
        let mut own = HashMap::new();
        let mut figure = 0.0;
        let mut peaks = Vec::new();
        for year in &mut years {
            let weight = day_weight(year);
            let Some(start) = NaiveDate::from_ymd_opt(year.year, 1, 1) else {
                continue;
            };
            let mut values = Vec::with_capacity(year.days_in_year as usize);
            for date in start.iter_days().take_while(|d| d.year() == year.year) {
                let value = match counted.get(&date) {
                    Some(v) => {
                        own.insert(date, weight);
                        *v
                    }
                    None => {
                        let v = negative.day(model.expected(date));
                        year.filled += v;
                        filled.push((date, weight));
                        v
                    }
                };
                figure += weight * value;
                values.push((date, value));
            }
            if fills {
                peaks.extend(filled_peaks(&values, &year.missing, calendar));
            }
        }
        let dates: Vec<NaiveDate> = series.iter().map(|(d, _)| *d).collect();
        let fill_weights = model.weights(&dates, filled.iter().copied());
        let weights = dates
            .iter()
            .zip(&fill_weights)
            .map(|(d, a)| own.get(d).copied().unwrap_or(0.0) + a)
            .collect();
        let complete = years.iter().all(|y| y.days_observed == y.days_in_year);
        TypicalYear {
            filled_share: weighted_filled_share(&years),
            figure: (total > 0.0 && (fills || complete)).then_some(figure),
            fills,
            model,
            years,
            peaks,
            counted: series.to_vec(),
            weights,
            fill_weights,
            filled,
        }
    }

    /// Guest-nights in the typical year, nights; `None` without a counted day, or with days
    /// to fill that the model may not fill ([`TypicalYear::fills`]).
    pub fn figure(&self) -> Option<f64> {
        self.figure
    }

    /// Whether the counts support the seasonal model's fill: they cover at least
    /// [`MIN_SEASON_MONTHS`] calendar months with [`MIN_SEASON_MONTH_DAYS`] days counted each.
    pub fn fills(&self) -> bool {
        self.fills
    }

    /// Each calendar year: coverage, counted and filled totals, weight.
    pub fn years(&self) -> &[YearCoverage] {
        &self.years
    }

    /// The share of the typical year's days that are filled (fraction 0..1).
    pub fn filled_share(&self) -> f64 {
        self.filled_share
    }

    /// Filled stretches that hold the season's peak.
    pub fn filled_peaks(&self) -> &[FilledPeak] {
        &self.peaks
    }

    /// The seasonal model that filled the days.
    pub fn model(&self) -> &SeasonalModel {
        &self.model
    }

    /// The typical year of another line counted on the same days, in the same order
    /// (`values[j]` on the j-th counted day), with the same model terms and weights: the
    /// figure is linear in the series. With negative days kept only.
    pub(crate) fn of(&self, values: &[f64]) -> f64 {
        self.weights.iter().zip(values).map(|(w, v)| w * v).sum()
    }

    /// A 90 % interval for the figure that includes the error of the filled days: `draws`
    /// draws of the figure's error (the figure less what it would have been had every filled
    /// day been counted), the figure less their 95th and 5th percentiles. Without a filled day
    /// the interval is the figure itself.
    ///
    /// The error is `Σ aⱼ eⱼ − Σ βₜ eₜ`: each counted day's residual moves the fill through the
    /// model's least squares (weights aⱼ; refitting the model on a resample is exact and free,
    /// as the fill is linear in the series), and each filled day's own residual is what the
    /// fill misses (its weight βₜ in the figure). The residuals are drawn as in a residual
    /// block bootstrap (S. N. Lahiri, *Resampling Methods for Dependent Data*, 2003, §2.10):
    /// the model's residuals, inflated to its leave-one-month-out prediction error (or by
    /// `√(n / (n − terms))` if more), are divided by their local scale (a least-squares curve
    /// of the squared residuals in the day of the year and weekends, so a busy season keeps its
    /// larger noise), resampled in moving blocks of the Politis-White length over every day of
    /// the years, multiplied back by the scale of the day they land on, and the draws
    /// stretched by the calibration of [`Dependence`](super::Dependence). It covers day-to-day
    /// noise, the model's estimation error and how well it fills months it has not seen; not a
    /// peak inside a gap that no counted day shows ([`TypicalYear::filled_peaks`]). Measured
    /// coverage (`benches/studies.rs`, 200 seeds): 90-93 % on the cabin shape with July
    /// missing in one or both of two years.
    ///
    /// # Errors
    /// [`Error::TooFewDays`](deltid_model::Error::TooFewDays) if the counted days are too few
    /// (or too dependent) for the residuals' block bootstrap; [`Error::InvalidOption`](
    /// deltid_model::Error::InvalidOption) with fewer than [`MIN_DRAWS`] draws.
    pub fn interval(&self, draws: u32, seed: u64) -> Result<(f64, f64)> {
        let figure = self.figure.unwrap_or(0.0);
        let errors = FillErrors::new(&[self])?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ FILL_SEED);
        Ok(errors.interval(figure, &errors.draws(draws, &mut rng)?))
    }
}

/// Mixed into the seed of the fill-error draws, so they are not the parameters' draws.
pub(crate) const FILL_SEED: u64 = 0xf111_e44a;

/// The stretches of at least [`PEAK_STRETCH_DAYS`] filled days of one year that reach the
/// year's busiest tenth of days or fall in a school holiday.
fn filled_peaks(
    values: &[(NaiveDate, f64)],
    missing: &[(NaiveDate, NaiveDate)],
    calendar: &SchoolHolidays,
) -> Vec<FilledPeak> {
    let mut sorted: Vec<f64> = values.iter().map(|(_, v)| *v).collect();
    sorted.sort_by(f64::total_cmp);
    let busiest = quantile(&sorted, 0.9, PercentileMethod::Linear).unwrap_or(f64::INFINITY);
    let value: HashMap<NaiveDate, f64> = values.iter().copied().collect();
    missing
        .iter()
        .filter(|(first, last)| (*last - *first).num_days() + 1 >= PEAK_STRETCH_DAYS as i64)
        .filter_map(|&(first, last)| {
            let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
            let busiest_tenth = days
                .iter()
                .any(|d| value.get(d).is_some_and(|v| *v >= busiest));
            let labels: Vec<Label> = days
                .iter()
                .filter_map(|d| school_holiday(calendar.label(*d)))
                .collect();
            let mut holidays: Vec<Label> = Vec::new();
            for label in &labels {
                if !holidays.contains(label) {
                    holidays.push(*label);
                }
            }
            (busiest_tenth || labels.len() >= PEAK_STRETCH_DAYS).then_some(FilledPeak {
                first,
                last,
                busiest_tenth,
                holidays,
            })
        })
        .collect()
}

/// The school holiday a label belongs to, if any: the weeks a cabin region peaks (Easter's
/// days count as the Easter week, Christmas's as the Christmas holiday).
fn school_holiday(label: Label) -> Option<Label> {
    match label {
        Label::WinterHoliday
        | Label::EasterWeek
        | Label::SummerHoliday
        | Label::AutumnHoliday
        | Label::ChristmasHoliday => Some(label),
        Label::EasterSaturday
        | Label::MaundyThursday
        | Label::GoodFriday
        | Label::EasterSunday
        | Label::EasterMonday => Some(Label::EasterWeek),
        Label::ChristmasDay | Label::BoxingDay => Some(Label::ChristmasHoliday),
        _ => None,
    }
}

/// Draws of the error of a season-balanced figure that is the sum of one or more typical
/// years (the areas of a region, or one series): the figure less what it would have been had
/// every filled day been counted.
///
/// The error is `Σ aⱼ eⱼ − Σ βₜ eₜ`: each counted day's residual e moves the fill through the
/// model's least squares (weights aⱼ), and each filled day's own residual is what the fill
/// misses (weight βₜ in the figure). Residuals are drawn as in a residual block bootstrap
/// (S. N. Lahiri, *Resampling Methods for Dependent Data*, 2003, §2.10): the model's
/// residuals on the counted days, inflated to its leave-one-month-out prediction error (or by
/// `√(n / (n − terms))` for the terms fitted, if more; see [`TypicalYear::interval`]), are
/// divided by their local scale (a least-squares curve of the squared residuals in
/// the day of the year and weekends, so that a busy season's larger noise is kept),
/// resampled in moving blocks over every day of the years, and multiplied back by the scale
/// of the day they land on. Refitting the model on each resample is exact and costs nothing
/// here: the fill is linear in the series, so its change is `Σ aⱼ e*ⱼ`. The blocks are the
/// Politis-White length of the residuals, and the draws are stretched by the same
/// calibration as the mean per day's ([`super::Dependence`]). Areas are resampled together, on
/// the days every one of them is counted, so their errors keep their correlation.
///
/// This covers the day-to-day noise and the model's estimation error, not a seasonal shape the
/// model cannot represent (a peak inside a gap that no year counted): [`FilledPeak`] flags
/// such stretches.
pub(crate) struct FillErrors {
    /// The error sum of each target block (rows) for each source start (columns).
    table: Vec<Vec<f64>>,
    /// Days per block.
    block: usize,
    /// The calibration factor of the draws.
    scale: f64,
    /// Whether any day is filled.
    any_filled: bool,
}

impl FillErrors {
    /// The fill errors of the sum of `parts`' figures.
    ///
    /// # Errors
    /// [`Error::TooFewDays`](deltid_model::Error::TooFewDays) if the days every part counts
    /// are too few, or too dependent, for the block bootstrap.
    pub(crate) fn new(parts: &[&TypicalYear]) -> Result<FillErrors> {
        // Source days: counted in every part.
        let mut common: Option<Vec<NaiveDate>> = None;
        for part in parts {
            let dates: Vec<NaiveDate> = part.counted.iter().map(|(d, _)| *d).collect();
            common = Some(match common {
                None => dates,
                Some(c) => {
                    let set: std::collections::HashSet<NaiveDate> = dates.into_iter().collect();
                    c.into_iter().filter(|d| set.contains(d)).collect()
                }
            });
        }
        let source = common.unwrap_or_default();
        let timeline: Vec<NaiveDate> = {
            let first = parts
                .iter()
                .filter_map(|p| p.years.first())
                .map(|y| y.year)
                .min();
            let last = parts
                .iter()
                .filter_map(|p| p.years.last())
                .map(|y| y.year)
                .max();
            match (first.and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1)), last) {
                (Some(start), Some(last)) => {
                    start.iter_days().take_while(|d| d.year() <= last).collect()
                }
                _ => Vec::new(),
            }
        };
        // Per part: its standardised residuals on the source days, and each timeline day's
        // coefficient × scale.
        let mut standardised: Vec<Vec<f64>> = Vec::with_capacity(parts.len());
        let mut coefficients: Vec<Vec<f64>> = Vec::with_capacity(parts.len());
        let mut summed = vec![0.0; source.len()];
        for part in parts {
            let residuals = part.residuals();
            let scale = LocalScale::fit(&part.counted, &residuals);
            let by_date: HashMap<NaiveDate, (usize, f64)> = part
                .counted
                .iter()
                .enumerate()
                .map(|(j, (d, _))| (*d, (j, residuals[j])))
                .collect();
            let at_source: Vec<f64> = source
                .iter()
                .map(|d| by_date.get(d).map_or(0.0, |(_, r)| *r))
                .collect();
            for (s, r) in summed.iter_mut().zip(&at_source) {
                *s += r;
            }
            standardised.push(
                source
                    .iter()
                    .zip(&at_source)
                    .map(|(d, r)| r / scale.at(*d))
                    .collect(),
            );
            let filled: HashMap<NaiveDate, f64> = part.filled.iter().copied().collect();
            coefficients.push(
                timeline
                    .iter()
                    .map(|d| {
                        let c = match by_date.get(d) {
                            Some((j, _)) => part.fill_weights[*j],
                            None => -filled.get(d).copied().unwrap_or(0.0),
                        };
                        c * scale.at(*d)
                    })
                    .collect(),
            );
        }
        let sampler = Sampler::new(&summed)?;
        let block = sampler.dependence().block;
        let starts = source.len() + 1 - block;
        let table = timeline
            .chunks(block)
            .enumerate()
            .map(|(k, target)| {
                (0..starts)
                    .map(|s| {
                        let mut sum = 0.0;
                        for (c, u) in coefficients.iter().zip(&standardised) {
                            for j in 0..target.len() {
                                sum += c[k * block + j] * u[s + j];
                            }
                        }
                        sum
                    })
                    .collect()
            })
            .collect();
        Ok(FillErrors {
            table,
            block,
            scale: sampler.scale(),
            any_filled: parts.iter().any(|p| !p.filled.is_empty()),
        })
    }

    /// `draws` errors of the figure (figure − truth), centred on their mean and calibrated;
    /// nights.
    ///
    /// # Errors
    /// [`Error::InvalidOption`](deltid_model::Error::InvalidOption) with fewer than
    /// [`MIN_DRAWS`] draws.
    pub(crate) fn draws(&self, draws: u32, rng: &mut ChaCha8Rng) -> Result<Vec<f64>> {
        if draws < MIN_DRAWS {
            return Err(deltid_model::Error::InvalidOption {
                option: "draws".to_owned(),
                reason: format!("{draws} draws: at least {MIN_DRAWS} are needed"),
            });
        }
        if !self.any_filled {
            return Ok(vec![0.0; draws as usize]);
        }
        let mut errors: Vec<f64> = (0..draws)
            .map(|_| {
                self.table
                    .iter()
                    .map(|row| row[(rng.next_u64() % row.len() as u64) as usize])
                    .sum()
            })
            .collect();
        let centre = errors.iter().sum::<f64>() / errors.len() as f64;
        for e in &mut errors {
            *e = (*e - centre) * self.scale;
        }
        Ok(errors)
    }

    /// Days per block.
    pub(crate) fn block(&self) -> usize {
        self.block
    }

    /// The 90 % interval of a figure from its error draws: the figure less the errors' 95th
    /// and 5th percentiles.
    pub(crate) fn interval(&self, figure: f64, errors: &[f64]) -> (f64, f64) {
        let mut sorted = errors.to_vec();
        sorted.sort_by(f64::total_cmp);
        let at = |p| quantile(&sorted, p, PercentileMethod::Linear).unwrap_or(0.0);
        (figure - at(HIGH), figure - at(LOW))
    }
}

impl TypicalYear {
    /// The model's residuals on the counted days, inflated to the model's error on days it
    /// has not seen: by `√(n / (n − terms))` for the terms fitted, or to the mean squared
    /// error of its leave-one-month-out predictions if that is larger (a shape the model
    /// fits worse out of sample than in it).
    fn residuals(&self) -> Vec<f64> {
        let n = self.counted.len();
        let raw: Vec<f64> = self
            .counted
            .iter()
            .map(|(d, v)| v - self.model.expected(*d))
            .collect();
        let terms = self.model.terms_fitted();
        let in_sample = raw.iter().map(|r| r * r).sum::<f64>() / n.max(1) as f64;
        let mut inflation = if n > terms {
            n as f64 / (n - terms) as f64
        } else {
            1.0
        };
        if let Some(out_of_sample) = self.model.cross_validated_error()
            && in_sample > 0.0
        {
            inflation = inflation.max(out_of_sample / in_sample);
        }
        raw.iter().map(|r| r * inflation.sqrt()).collect()
    }
}

/// The local scale of residuals: `√` of a least-squares curve of the squared residuals in the
/// day of the year (two harmonics) and weekends, at least a fifth of their overall root mean
/// square.
struct LocalScale {
    fit: LeastSquares,
    floor: f64,
}

impl LocalScale {
    fn row(date: NaiveDate) -> Vec<f64> {
        let angle = std::f64::consts::TAU * f64::from(date.ordinal0()) / 365.25;
        let weekend = matches!(date.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun);
        vec![
            1.0,
            angle.sin(),
            angle.cos(),
            (2.0 * angle).sin(),
            (2.0 * angle).cos(),
            f64::from(u8::from(weekend)),
        ]
    }

    fn fit(counted: &[(NaiveDate, f64)], residuals: &[f64]) -> LocalScale {
        let rows: Vec<Vec<f64>> = counted.iter().map(|(d, _)| LocalScale::row(*d)).collect();
        let squares: Vec<f64> = residuals.iter().map(|r| r * r).collect();
        let mean = squares.iter().sum::<f64>() / squares.len().max(1) as f64;
        LocalScale {
            fit: LeastSquares::solve(&Gram::of(rows.iter().zip(&squares)), &[0, 1, 2, 3, 4, 5]),
            floor: 0.04 * mean,
        }
    }

    /// The scale on a date (at least the floor; 1 for residuals all zero).
    fn at(&self, date: NaiveDate) -> f64 {
        let variance = self.fit.predict(&LocalScale::row(date)).max(self.floor);
        if variance > 0.0 { variance.sqrt() } else { 1.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;

    const TOLERANCE: f64 = 1e-9;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    #[test]
    fn missing_days_are_ranges_and_filled_from_the_model() {
        // January 2021 with 10 on weekdays and 30 on Saturdays and Sundays, 4–6 January
        // (Mon–Wed) removed. One month counted: no harmonics, so the model is the weekday
        // pattern (1 January, New Year's Day, has a label of its own).
        let calendar = SchoolHolidays::default();
        let value = |d: NaiveDate| match d.weekday() {
            Weekday::Sat | Weekday::Sun => 30.0,
            _ => 10.0,
        };
        let series: Daily = (1..=31)
            .map(|d| day(2021, 1, d))
            .filter(|d| !(4..=6).contains(&d.day()))
            .map(|d| (d, value(d)))
            .collect();
        let year = TypicalYear::new(&series, &calendar);
        assert_eq!(year.model().terms().harmonics, 0);
        assert!((year.model().expected(day(2021, 1, 4)) - 10.0).abs() < TOLERANCE);
        assert!((year.model().expected(day(2021, 2, 6)) - 30.0).abs() < TOLERANCE);
        let coverage = &year.years()[0];
        assert_eq!(coverage.days_observed, 28);
        assert_eq!(coverage.missing[0], (day(2021, 1, 4), day(2021, 1, 6)));
        assert_eq!(coverage.missing[1], (day(2021, 2, 1), day(2021, 12, 31)));
        assert!((coverage.counted - 480.0).abs() < TOLERANCE);
        // Filled: 4–6 January (3 × 10) and February to December, 94 weekend days (2021 has
        // 104, January 10) at 30 and 240 weekdays at 10: 30 + 2 820 + 2 400 = 5 250.
        assert!((coverage.filled - (480.0 + 5_250.0)).abs() < 1e-6);
        // One month counted is too few for the model to stand for the year: no figure (it
        // would be the year's 5 730), though the fill is made and shown.
        assert!(!year.fills());
        assert_eq!(year.figure(), None);
        // 337 filled days of 365: the filled share.
        assert!((year.filled_share() - 337.0 / 365.0).abs() < 1e-12);
    }

    #[test]
    fn the_figure_is_its_weights_applied_to_the_counted_values() {
        // Two years, 2022 counted only from March: the typical year by filling day by day
        // equals Σ cⱼ yⱼ, so another line's typical year is the same weights on its values.
        let calendar = SchoolHolidays::default();
        let series: Daily = day(2021, 1, 1)
            .iter_days()
            .take_while(|d| d.year() < 2023)
            .filter(|d| !(d.year() == 2022 && d.month() < 3) && d.ordinal() % 9 != 0)
            .map(|d| {
                let t = f64::from(d.ordinal0()) / 365.25 * std::f64::consts::TAU;
                (
                    d,
                    1_000.0 + 300.0 * t.cos() + f64::from(d.ordinal() % 7) * 20.0,
                )
            })
            .collect();
        let year = TypicalYear::new(&series, &calendar);
        let values: Vec<f64> = series.iter().map(|(_, v)| *v).collect();
        let figure = year.figure().expect("a figure");
        assert!((year.of(&values) - figure).abs() < 1e-6 * figure);
        // 2022 weighs its counted share.
        let y2022 = &year.years()[1];
        assert!((y2022.weight - f64::from(y2022.days_observed) / 365.0).abs() < 1e-12);
        assert!(y2022.weight < 0.85);
    }

    #[test]
    fn a_filled_summer_holiday_is_named_as_the_seasons_peak() {
        // A year with a summer bump and July missing: the filled July is in the summer
        // holiday and reaches the year's busiest tenth.
        let calendar = SchoolHolidays::default();
        let series: Daily = day(2021, 1, 1)
            .iter_days()
            .take_while(|d| d.year() == 2021)
            .filter(|d| d.month() != 7)
            .map(|d| {
                let t = f64::from(d.ordinal0()) / 365.25 * std::f64::consts::TAU;
                (d, 1_000.0 + 500.0 * (t - 3.37).cos())
            })
            .collect();
        let year = TypicalYear::new(&series, &calendar);
        let peaks = year.filled_peaks();
        assert_eq!(peaks.len(), 1, "{peaks:?}");
        assert_eq!(
            (peaks[0].first, peaks[0].last),
            (day(2021, 7, 1), day(2021, 7, 31))
        );
        assert_eq!(peaks[0].holidays, vec![Label::SummerHoliday]);
        assert!(peaks[0].busiest_tenth);
    }

    #[test]
    fn negative_policies() {
        // Days −10, 20: kept → mean 5; clamped per day → mean 10.
        let calendar = SchoolHolidays::default();
        let series: Daily = vec![(day(2021, 3, 1), -10.0), (day(2021, 3, 2), 20.0)];
        let yearly = |series: &Daily, negative: NegativePolicy| {
            let year = TypicalYear::over(series, &calendar, None, negative);
            area_yearly(
                None,
                String::new(),
                series,
                &year,
                Annualisation::Plan,
                negative,
            )
        };
        assert!((yearly(&series, NegativePolicy::Keep).plan - 5.0 * 365.0).abs() < TOLERANCE);
        let clamped: Daily = series
            .iter()
            .map(|d| (d.0, NegativePolicy::ClampDay.day(d.1)))
            .collect();
        let day_clamped = yearly(&clamped, NegativePolicy::ClampDay);
        assert!((day_clamped.plan - 10.0 * 365.0).abs() < TOLERANCE);
        let all_negative: Daily = vec![(day(2021, 3, 1), -10.0)];
        assert_eq!(yearly(&all_negative, NegativePolicy::ClampPeriod).plan, 0.0);
    }
}
