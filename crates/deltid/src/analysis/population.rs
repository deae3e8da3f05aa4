//! The emergency planners' view: present population per day, its peaks and percentiles.
//!
//! Emergency planning (beredskap: health service, water supply, rescue, evacuation) sizes for
//! the busiest days, not the mean. From the daily estimate this module gives, per area and for
//! the region: the present population each day with its calendar label, the busiest days,
//! percentiles (with the method named), the days above a threshold, a dimensioning population
//! at a chosen percentile, and means and maxima per month and per calendar label.
//!
//! The region's days are those of the estimate's [`deltid_model::RegionRule`]: with the
//! region as the sum of its areas, the days every selected area is counted.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate, Weekday};
use deltid_model::{
    Allocation, AreaCode, DayLines, Deduction, DeductionSource, Error, Estimate, Label, Measure,
    PercentileMethod, Result, SchoolHolidays, quantile,
};

use super::seasonal::SeasonalModel;
use serde::Serialize;

/// A threshold for counting busy days.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Threshold {
    /// Present persons above this many.
    Persons(f64),
    /// Present persons above this multiple of the registered residents that day.
    TimesResidents(f64),
}

impl Threshold {
    /// Whether a day's present population (persons) is above the threshold, with its
    /// registered residents.
    pub fn exceeded(self, present: f64, residents: f64) -> bool {
        match self {
            Threshold::Persons(p) => present > p,
            Threshold::TimesResidents(k) => present > k * residents,
        }
    }
}

/// Options of the population view.
#[derive(Clone, Debug, PartialEq)]
pub struct PopulationOptions {
    /// How many of the busiest days to list per area and for the region.
    pub top: usize,
    /// How percentiles are taken.
    pub method: PercentileMethod,
    /// The percentile (fraction 0..1) whose present population is the dimensioning population.
    pub dimensioning: f64,
    /// Count the days above this, if given.
    pub threshold: Option<Threshold>,
    /// Whether to add the same percentiles for a season-balanced typical year.
    pub typical_year: TypicalYearView,
}

/// Whether the population view adds percentiles for a season-balanced typical year beside the
/// period's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TypicalYearView {
    /// The period's days only.
    #[default]
    Omit,
    /// Also a season-balanced typical year ([`TypicalYearPercentiles`]), so that two winters in
    /// 18 months do not pull the dimensioning figure up.
    SeasonBalanced,
}

impl Default for PopulationOptions {
    fn default() -> Self {
        PopulationOptions {
            top: 10,
            method: PercentileMethod::Linear,
            dimensioning: 0.95,
            threshold: None,
            typical_year: TypicalYearView::Omit,
        }
    }
}

/// One day of one area (or of the region) as an emergency planner sees it. Persons.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PopulationDay {
    /// The day.
    pub date: NaiveDate,
    /// Its weekday.
    pub weekday: Weekday,
    /// Its calendar label.
    pub label: Label,
    /// The area's code; `None` for the region.
    pub area: Option<AreaCode>,
    /// The area's or region's name.
    pub name: String,
    /// Present population: observed plus uplift.
    pub present: f64,
    /// Registered residents deducted that day.
    pub residents: f64,
    /// Part-time residents present.
    pub part_time: f64,
    /// Present population ÷ registered residents; `None` when residents are 0.
    pub ratio: Option<f64>,
}

/// A day's peak beside the night that follows it (night counts from hourly counts): the
/// region's present persons at the day peak (each selected area's largest count in the day
/// window, with the plan's uplift, summed), at night (the night labelled by that date), and the
/// daytime excess between them. Persons.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DayPeak {
    /// The day (and the evening date of the night after it).
    pub date: NaiveDate,
    /// Its weekday.
    pub weekday: Weekday,
    /// Its calendar label.
    pub label: Label,
    /// Present persons at the areas' day peaks, summed (each area at its own peak).
    pub day: f64,
    /// Present persons the night after, the region's night; `None` without that night.
    pub night: Option<f64>,
    /// Day minus night: day visitors, commuters and transit together, roughly.
    pub excess: Option<f64>,
}

/// Percentiles of present population per day, persons.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Percentiles {
    /// Median day.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// The busiest day.
    pub max: f64,
}

/// Percentiles of present population for a season-balanced typical year: a year of 365 days
/// in which each calendar month counts by its days, however many times it was counted.
///
/// Each month m of d days is represented by d days: its counted days' values (over every year
/// counted) at the quantiles (k − 1)/(d − 1), k = 1..d, by linear interpolation. A month
/// counted once is exactly its days; a month counted twice is an even spread of both years'
/// days, from the lowest to the highest. A month without a counted day is filled by the
/// [`SeasonalModel`](super::SeasonalModel)'s expected days (as the season-balanced yearly
/// figure is), which carry no day-to-day spread and are named. The percentiles are then taken
/// from the 365 days by the view's method: over exactly one counted year of 365 days they
/// are the period's (a leap year's 29 days of February are represented by 28, so there they
/// differ a little).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypicalYearPercentiles {
    /// Percentiles of present population per day in the typical year, persons.
    pub percentiles: Percentiles,
    /// Present population at the dimensioning percentile, persons.
    pub dimensioning: f64,
    /// Calendar months (1 = January) without a counted day, filled by the seasonal model.
    pub filled_months: Vec<u32>,
}

/// Mean and maximum of present population over a group of days (a month or a label).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupSummary {
    /// The group: `yyyy-mm` for a month, the label's name for a label.
    pub group: String,
    /// Days in the group.
    pub days: u32,
    /// Mean present population, persons.
    pub mean: f64,
    /// Maximum present population, persons.
    pub max: f64,
}

/// The population view of one area, or of the region.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AreaPopulation {
    /// The area's code; `None` for the region.
    pub code: Option<AreaCode>,
    /// The area's or region's name.
    pub name: String,
    /// Days with a count.
    pub days: u32,
    /// Mean registered residents deducted per day, persons.
    pub residents: f64,
    /// Percentiles of present population per day.
    pub percentiles: Percentiles,
    /// Present population at the dimensioning percentile, persons.
    pub dimensioning: f64,
    /// The same percentiles for a season-balanced typical year, when asked for.
    pub typical_year: Option<TypicalYearPercentiles>,
    /// Days above the threshold, if one was given.
    pub days_above: Option<u32>,
    /// The busiest days, busiest first (ties: earlier first).
    pub peaks: Vec<PopulationDay>,
    /// Per calendar month.
    pub by_month: Vec<GroupSummary>,
    /// Per calendar label, in label order.
    pub by_label: Vec<GroupSummary>,
    /// Whether its figures are suppressed by small-count protection (see
    /// [`Protection::population`](super::Protection::population)): its person figures are
    /// then NaN (`null` in JSON, never 0), its days above the threshold `None` and its busiest
    /// days left out.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub suppressed: bool,
}

/// Where the registered residents per area come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ResidentsSource {
    /// Per area, as given in the scenario.
    PerArea,
    /// Per area and day, from the scenario's table.
    Table,
    /// One figure for the region, shared out.
    Region,
    /// At night, a baseline of quiet reference nights per area.
    Baseline,
}

/// The population view of an estimate: the region and each area. The days themselves are
/// [`population_days`], made as they are read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Population {
    /// How percentiles were taken, in words.
    pub method: String,
    /// The dimensioning percentile, fraction 0..1.
    pub dimensioning_percentile: f64,
    /// The threshold, if one was given.
    pub threshold: Option<Threshold>,
    /// Where the registered residents per area come from, in words.
    pub residents: String,
    /// The percentile method and where residents come from, for outputs in other languages.
    #[serde(skip)]
    pub(crate) terms: (PercentileMethod, ResidentsSource, Allocation),
    /// Days with some count that are not region days (with the region as the sum of its
    /// areas: some selected area has no count), which may hide a peak.
    pub incomplete_region_days: u32,
    /// The first and last day counted.
    pub span: Option<(NaiveDate, NaiveDate)>,
    /// The region.
    pub region: AreaPopulation,
    /// Each selected area with counts, in scenario order.
    pub areas: Vec<AreaPopulation>,
    /// What the days are: days, or nights (night counts, each labelled by its evening date;
    /// every figure above is then per night).
    pub measure: Measure,
    /// With night counts from hourly counts: the region's busiest days by day peak, beside
    /// the night after each (empty otherwise, or when no day window was counted).
    pub day_peaks: Vec<DayPeak>,
    /// The day window of the day peaks (local time), with night counts from hourly counts.
    #[serde(skip)]
    pub day_window: Option<deltid_model::ClockWindow>,
    /// Whether a season-balanced typical year was asked for and left out for some area or the
    /// region: its counts miss months that only a seasonal model they do not support would
    /// fill (as the season-balanced yearly figure is then not given).
    pub typical_year_left_out: bool,
}

impl Population {
    /// The population view of an estimate.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] if the dimensioning percentile is not a fraction 0..1 or a
    /// threshold is negative or not finite; [`Error::EmptySelection`] if the region has no
    /// day.
    ///
    /// # Examples
    /// ```
    /// use deltid::analysis::{Population, PopulationOptions};
    /// use deltid::{CountsOptions, Run, Selection};
    /// let run = Run::new(
    ///     "../../data/hallingdal/plan-2021.toml".as_ref(),
    ///     None,
    ///     &CountsOptions::default(),
    ///     &Selection::default(),
    /// )?;
    /// let options = PopulationOptions { top: 3, ..PopulationOptions::default() };
    /// let view = Population::new(run.estimate(), run.summary(), &options)?;
    /// assert_eq!(view.region.peaks.len(), 3);
    /// assert!(view.region.percentiles.p95 <= view.region.percentiles.max);
    /// # Ok::<(), deltid::Error>(())
    /// ```
    pub fn new(
        estimate: &Estimate,
        summary: &deltid_model::Summary,
        options: &PopulationOptions,
    ) -> Result<Population> {
        if !(0.0..=1.0).contains(&options.dimensioning) {
            return Err(Error::InvalidOption {
                option: "dimensioning".to_owned(),
                reason: format!(
                    "percentile {} is not a fraction between 0 and 1 (write 0.95 for P95)",
                    options.dimensioning
                ),
            });
        }
        if let Some(Threshold::Persons(x) | Threshold::TimesResidents(x)) = options.threshold
            && !(x.is_finite() && x >= 0.0)
        {
            return Err(Error::InvalidOption {
                option: "threshold".to_owned(),
                reason: format!("{x} is not a non-negative number"),
            });
        }
        let scenario = estimate.scenario();
        let labels = Labels::new(estimate);
        let mut areas = Vec::new();
        for (position, days) in estimate.each_area_days() {
            let area = &scenario.areas()[position];
            if days.is_empty() {
                continue;
            }
            areas.push(summarise(
                Some(area.code.clone()),
                &area.name,
                &days,
                (&labels, scenario.calendar()),
                options,
            ));
        }
        let region_days: Vec<(NaiveDate, DayLines)> =
            estimate.region_days().map(|d| (d.date, d.lines)).collect();
        if region_days.is_empty() {
            return Err(Error::EmptySelection {
                selection: estimate.plan().selection().to_string(),
            });
        }
        let region = summarise(
            None,
            &estimate.plan().region_name(),
            &region_days,
            (&labels, scenario.calendar()),
            options,
        );
        let day_peaks = busiest_day_peaks(estimate, &labels, options.top);
        let baseline = summary.residents_baseline().is_some();
        let typical_year_left_out = options.typical_year == TypicalYearView::SeasonBalanced
            && areas
                .iter()
                .chain([&region])
                .any(|a| a.typical_year.is_none());
        Ok(Population {
            typical_year_left_out,
            method: options.method.describe().to_owned(),
            dimensioning_percentile: options.dimensioning,
            threshold: options.threshold,
            terms: (
                options.method,
                match scenario.deduction(Deduction::Residents) {
                    _ if baseline => ResidentsSource::Baseline,
                    DeductionSource::PerArea(_) => ResidentsSource::PerArea,
                    DeductionSource::Table(t) if t.is_per_area() => ResidentsSource::Table,
                    _ => ResidentsSource::Region,
                },
                scenario.allocation(),
            ),
            residents: match scenario.deduction(Deduction::Residents) {
                _ if baseline => "residents at home per area: a baseline, the median present persons of quiet reference nights, in place of the registered figure".to_owned(),
                DeductionSource::PerArea(_) => {
                    "registered residents per area as given in the scenario".to_owned()
                }
                DeductionSource::Table(t) if t.is_per_area() => {
                    "registered residents per area and day from the scenario's table".to_owned()
                }
                _ => format!(
                    "registered residents are one figure for the region, shared out to areas ({}); per area they are not registered figures, and ratios to residents are then alike in every area: give `residents` per [[area]] for planning by area",
                    scenario.allocation().describe()
                ),
            },
            incomplete_region_days: summary.incomplete_region_days(),
            span: (summary.days() > 0).then(|| (summary.first(), summary.last())),
            region,
            areas,
            measure: estimate.plan().measure(),
            day_peaks,
            day_window: estimate.counts().nights().map(|n| n.settings().day),
        })
    }
}

/// The region's busiest days by day peak, `top` of them: on each date every selected area
/// with day peaks has one, their present persons summed (the plan's uplift on each), beside
/// the region's night of that evening.
fn busiest_day_peaks(estimate: &Estimate, labels: &Labels, top: usize) -> Vec<DayPeak> {
    let Some(nights) = estimate.counts().nights() else {
        return Vec::new();
    };
    let plan = estimate.plan();
    let keys: Vec<usize> = plan
        .selected()
        .iter()
        .copied()
        .filter(|&k| nights.day_peaks(k).next().is_some())
        .collect();
    let mut sums: BTreeMap<NaiveDate, (f64, usize)> = BTreeMap::new();
    for &key in &keys {
        for (date, observed) in nights.day_peaks(key) {
            if !plan.selection().period.contains(date) {
                continue;
            }
            let sum = sums.entry(date).or_insert((0.0, 0));
            sum.0 += plan.present_of(observed);
            sum.1 += 1;
        }
    }
    let mut peaks: Vec<DayPeak> = sums
        .into_iter()
        .filter(|(_, (_, n))| *n == keys.len())
        .map(|(date, (day, _))| {
            let night = estimate.region_day(date).map(|d| d.lines.present());
            DayPeak {
                date,
                weekday: date.weekday(),
                label: labels.of(date),
                day,
                night,
                excess: night.map(|n| day - n),
            }
        })
        .collect();
    peaks.sort_by(|a, b| b.day.total_cmp(&a.day).then(a.date.cmp(&b.date)));
    peaks.truncate(top);
    peaks
}

/// Every day of every selected area, then of the region, as planners see them, made as they
/// are read.
pub fn population_days(estimate: &Estimate) -> impl Iterator<Item = PopulationDay> + '_ {
    let labels = Labels::new(estimate);
    let region_name = estimate.plan().region_name();
    super::daily_rows(estimate).map(move |row| {
        let name = if row.area.is_none() {
            region_name.clone()
        } else {
            row.name
        };
        day(row.date, row.area, name, &row.lines, &labels)
    })
}

/// The calendar label of each day counted, computed once per day.
struct Labels {
    labels: HashMap<NaiveDate, Label>,
}

impl Labels {
    fn new(estimate: &Estimate) -> Labels {
        let calendar = estimate.scenario().calendar();
        let mut labels = HashMap::new();
        if let Some((first, last)) = estimate.counts().span() {
            for date in first.iter_days().take_while(|d| *d <= last) {
                labels.insert(date, calendar.label(date));
            }
        }
        Labels { labels }
    }

    fn of(&self, date: NaiveDate) -> Label {
        self.labels.get(&date).copied().unwrap_or(Label::Weekday)
    }
}

/// A day as planners see it.
fn day(
    date: NaiveDate,
    area: Option<AreaCode>,
    name: String,
    lines: &DayLines,
    labels: &Labels,
) -> PopulationDay {
    let residents = lines.deduction(Deduction::Residents);
    PopulationDay {
        date,
        weekday: date.weekday(),
        label: labels.of(date),
        area,
        name,
        present: lines.present(),
        residents,
        part_time: lines.part_time(),
        ratio: ratio(lines.present(), residents),
    }
}

/// Present population ÷ registered residents; `None` when residents are not above 0.
pub(crate) fn ratio(present: f64, residents: f64) -> Option<f64> {
    (residents > 0.0).then(|| present / residents)
}

fn summarise(
    code: Option<AreaCode>,
    name: &str,
    days: &[(NaiveDate, DayLines)],
    (labels, calendar): (&Labels, &SchoolHolidays),
    options: &PopulationOptions,
) -> AreaPopulation {
    let mut present: Vec<f64> = days.iter().map(|(_, l)| l.present()).collect();
    present.sort_by(f64::total_cmp);
    let at = |p| quantile(&present, p, options.method).unwrap_or(f64::NAN);
    let mut order: Vec<usize> = (0..days.len()).collect();
    order.sort_by(|&a, &b| {
        days[b]
            .1
            .present()
            .total_cmp(&days[a].1.present())
            .then(days[a].0.cmp(&days[b].0))
    });
    let peaks = order
        .iter()
        .take(options.top)
        .map(|&i| day(days[i].0, code.clone(), name.to_owned(), &days[i].1, labels))
        .collect();

    let group = |key: &dyn Fn(NaiveDate) -> (String, u32)| {
        let mut map: BTreeMap<u32, (String, u32, f64, f64)> = BTreeMap::new();
        for (date, lines) in days {
            let (name, order) = key(*date);
            let entry = map
                .entry(order)
                .or_insert((name, 0, 0.0, f64::NEG_INFINITY));
            entry.1 += 1;
            entry.2 += lines.present();
            entry.3 = entry.3.max(lines.present());
        }
        map.into_values()
            .map(|(group, n, sum, max)| GroupSummary {
                group,
                days: n,
                mean: sum / f64::from(n),
                max,
            })
            .collect()
    };
    let by_month = group(&|d| {
        let (y, m) = (d.year(), d.month());
        (format!("{y:04}-{m:02}"), (y * 100) as u32 + m)
    });
    let by_label = group(&|d| {
        let label = labels.of(d);
        (label.name().to_owned(), label as u32)
    });
    let residents: Vec<f64> = days
        .iter()
        .map(|(_, l)| l.deduction(Deduction::Residents))
        .collect();
    let typical_year = (options.typical_year == TypicalYearView::SeasonBalanced)
        .then(|| {
            let series: Vec<(NaiveDate, f64)> =
                days.iter().map(|(d, l)| (*d, l.present())).collect();
            typical_year_percentiles(&series, calendar, options)
        })
        .flatten();

    AreaPopulation {
        code,
        name: name.to_owned(),
        days: days.len() as u32,
        residents: residents.iter().sum::<f64>() / days.len().max(1) as f64,
        percentiles: Percentiles {
            p50: at(0.5),
            p90: at(0.9),
            p95: at(0.95),
            p99: at(0.99),
            max: present.last().copied().unwrap_or(f64::NAN),
        },
        dimensioning: at(options.dimensioning),
        typical_year,
        days_above: options.threshold.map(|t| {
            days.iter()
                .filter(|(_, l)| t.exceeded(l.present(), l.deduction(Deduction::Residents)))
                .count() as u32
        }),
        peaks,
        by_month,
        by_label,
        suppressed: false,
    }
}

/// Days of each calendar month in a year of 365 days.
const MONTH_DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/// The season-balanced typical year's percentiles of a daily series of present population
/// (see [`TypicalYearPercentiles`]); `None` when months without a count would be filled by a
/// seasonal model the series does not support (as the season-balanced yearly figure is then
/// not given: [`supports_fill`](super::annualise::supports_fill)).
fn typical_year_percentiles(
    series: &[(NaiveDate, f64)],
    calendar: &SchoolHolidays,
    options: &PopulationOptions,
) -> Option<TypicalYearPercentiles> {
    let mut months: [Vec<f64>; 12] = Default::default();
    for (date, value) in series {
        months[date.month0() as usize].push(*value);
    }
    let filled_months: Vec<u32> = (1..=12)
        .filter(|m| months[(*m - 1) as usize].is_empty())
        .collect();
    if !filled_months.is_empty() && !super::annualise::supports_fill(series) {
        return None;
    }
    if !filled_months.is_empty() && !series.is_empty() {
        // The model's expected days of the month in the last year counted.
        let model = SeasonalModel::fit(series, calendar);
        let year = series.last().map_or(2000, |(d, _)| d.year());
        for &m in &filled_months {
            let Some(first) = NaiveDate::from_ymd_opt(year, m, 1) else {
                continue;
            };
            months[(m - 1) as usize] = first
                .iter_days()
                .take_while(|d| d.month() == m)
                .map(|d| model.expected(d))
                .collect();
        }
    }
    let mut year: Vec<f64> = Vec::with_capacity(365);
    for (values, days) in months.iter_mut().zip(MONTH_DAYS) {
        values.sort_by(f64::total_cmp);
        for k in 0..days {
            let p = f64::from(k) / f64::from(days - 1);
            if let Some(v) = quantile(values, p, PercentileMethod::Linear) {
                year.push(v);
            }
        }
    }
    year.sort_by(f64::total_cmp);
    let at = |p| quantile(&year, p, options.method).unwrap_or(f64::NAN);
    Some(TypicalYearPercentiles {
        percentiles: Percentiles {
            p50: at(0.5),
            p90: at(0.9),
            p95: at(0.95),
            p99: at(0.99),
            max: year.last().copied().unwrap_or(f64::NAN),
        },
        dimensioning: at(options.dimensioning),
        filled_months,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_never_counted_is_filled_by_the_model_and_named() {
        // A year at 100 a day with July missing: July is filled at the model's 100, and the
        // typical year is 365 days of 100.
        let calendar = SchoolHolidays::default();
        let series: Vec<(NaiveDate, f64)> = NaiveDate::from_ymd_opt(2021, 1, 1)
            .expect("a date")
            .iter_days()
            .take_while(|d| d.year() == 2021)
            .filter(|d| d.month() != 7)
            .map(|d| (d, 100.0))
            .collect();
        // Two months counted do not support the fill: no typical year (as no season-balanced
        // yearly figure), rather than ten months of the model's days.
        let two: Vec<(NaiveDate, f64)> = series
            .iter()
            .copied()
            .filter(|(d, _)| d.month() <= 2)
            .collect();
        assert_eq!(
            typical_year_percentiles(&two, &calendar, &PopulationOptions::default()),
            None
        );
        let year = typical_year_percentiles(&series, &calendar, &PopulationOptions::default())
            .expect("eleven months counted support the fill");
        assert_eq!(year.filled_months, vec![7]);
        for p in [
            year.percentiles.p50,
            year.percentiles.max,
            year.dimensioning,
        ] {
            assert!((p - 100.0).abs() < 1e-9, "{p}");
        }
    }
}
