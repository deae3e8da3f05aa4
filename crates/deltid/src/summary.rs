//! Summaries over the period: means per day, guest-nights per year, calendar years, coverage.

use chrono::NaiveDate;
use polars::prelude::*;
use serde::Serialize;

use crate::area::AreaCode;
use std::collections::HashMap;

use chrono::Datelike;

use crate::columns::{AREA, DATE, FOREIGN, NAME, OVERLAP};
use crate::deduction::Deduction;
use crate::error::Result;
use crate::estimate::{Estimate, LINES, Selection};
use crate::read::{epoch_days, from_epoch_days};
use crate::scaling::Scaling;
use crate::scenario::{Allocation, Scenario, Uplift};
use crate::waterfall::{PLAN_DAYS_PER_YEAR, Waterfall};

/// The eight daily lines of the model, in persons per day (a day's values or means over days).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Lines {
    /// Persons counted in the telecom data.
    pub observed: f64,
    /// Persons added by the uplift.
    pub uplift: f64,
    /// Present population: observed plus uplift.
    pub present: f64,
    /// Registered residents deducted.
    pub residents: f64,
    /// External workforce (commuters in) deducted.
    pub commuters: f64,
    /// Transit traffic deducted.
    pub transit: f64,
    /// Day visitors deducted.
    pub day_visitors: f64,
    /// Part-time residents present (guest-nights that day); may be negative.
    pub part_time: f64,
}

impl Lines {
    /// The figure deducted for one deduction.
    pub fn deduction(&self, deduction: Deduction) -> f64 {
        match deduction {
            Deduction::Residents => self.residents,
            Deduction::Commuters => self.commuters,
            Deduction::Transit => self.transit,
            Deduction::DayVisitors => self.day_visitors,
        }
    }
}

/// Guest-nights summed over the days observed in one calendar year.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CalendarYear {
    /// The year.
    pub year: i32,
    /// Days with a count in the selection.
    pub days_observed: u32,
    /// Days in the calendar year (365, or 366 in a leap year).
    pub days_in_year: u32,
    /// Sum of part-time residents present over the days observed, in nights. Only a full year
    /// (`days_observed == days_in_year`) is a yearly figure; a partial year is not scaled up.
    pub guest_nights: f64,
}

impl CalendarYear {
    /// Whether every day of the year was observed.
    pub fn is_complete(&self) -> bool {
        self.days_observed == self.days_in_year
    }
}

/// Summary of one area, or of the region, over the selected period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AreaSummary {
    /// The area's code; `None` for the region.
    pub code: Option<AreaCode>,
    /// The area's (or region's) name.
    pub name: String,
    /// Days with a count.
    pub days: u32,
    /// First day with a count.
    pub first: NaiveDate,
    /// Last day with a count.
    pub last: NaiveDate,
    /// Mean per day of each line, persons.
    pub mean: Lines,
    /// Days in the summary's span ([`Summary::first`] to [`Summary::last`]) without a count:
    /// the means and the plan's yearly figure are over the days counted only.
    pub missing_days: u32,
    /// Days whose part-time residual is negative (kept in every figure, not clamped).
    pub negative_days: u32,
    /// Sum of the negative residuals over those days, nights (≤ 0).
    pub negative_sum: f64,
    /// The days with a negative residual, in date order.
    pub negative_dates: Vec<NaiveDate>,
    /// Guest-nights per year by the plan's rule: mean part-time residents per day × 365, nights.
    pub guest_nights_per_year_plan: f64,
    /// Guest-nights per calendar year, with coverage.
    pub calendar_years: Vec<CalendarYear>,
    /// The plan's table for this area (or the region).
    pub waterfall: Waterfall,
}

/// Summary of an estimate: the region and each selected area.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// The region's name.
    pub region_name: String,
    /// The uplift applied.
    pub uplift: Uplift,
    /// The scaling factors besides the uplift (all 1 unless the scenario's `[scaling]` sets
    /// them).
    pub scaling: Scaling,
    /// Mean over the region's days of its overlap ratio, the areas' observed summed ÷ the
    /// region's own count (above 1: people seen in several areas on a day); `None` when the
    /// region is the sum of its areas (no region count, or a subset of areas selected).
    pub overlap: Option<f64>,
    /// How region-level deductions were shared out to areas.
    pub allocation: Allocation,
    /// The allocation rule in words.
    pub allocation_rule: String,
    /// The selection, in words.
    pub selection: String,
    /// First day of the span: the period's start if given, else the first day counted.
    pub first: NaiveDate,
    /// Last day of the span: the day before the period's end if given, else the last counted.
    pub last: NaiveDate,
    /// The region: the sum of the selected areas on each day.
    pub region: AreaSummary,
    /// Region days on which some selected area had no count (the region's sum is short).
    pub incomplete_region_days: u32,
    /// Each selected area with counts, in scenario order.
    pub areas: Vec<AreaSummary>,
}

impl Summary {
    /// Summarises an estimate.
    ///
    /// # Errors
    /// [`Error::Polars`](crate::Error::Polars) only on a defect.
    ///
    /// # Examples
    /// ```
    /// use deltid::{estimate, Counts, CountsColumns, Line, Scenario, Selection, Summary};
    /// let scenario = Scenario::from_path("../../data/hallingdal/plan-2021.toml")?;
    /// let counts = Counts::read_csv(scenario.counts().unwrap(), &CountsColumns::default())?;
    /// let summary = Summary::new(&scenario, &estimate(&scenario, &counts, &Selection::default())?)?;
    /// let per_year = summary.region.waterfall.line(Line::GuestNightsPerYear);
    /// assert_eq!(per_year.rounded, 9_682_355);
    /// # Ok::<(), deltid::Error>(())
    /// ```
    pub fn new(scenario: &Scenario, estimate: &Estimate) -> Result<Summary> {
        let overlap = estimate.region.column(OVERLAP)?.f64()?.mean();
        let index: HashMap<&str, usize> = estimate
            .selected
            .iter()
            .enumerate()
            .map(|(i, a)| (a.code.as_str(), i))
            .collect();
        let keys: Vec<Option<usize>> = estimate
            .areas
            .column(AREA)?
            .str()?
            .iter()
            .map(|code| code.and_then(|c| index.get(c).copied()))
            .collect();
        let mut areas = Tally::new(estimate.selected.len());
        areas.feed(&estimate.areas, &keys)?;
        let mut region = Tally::new(1);
        region.feed(&estimate.region, &vec![Some(0); estimate.region.height()])?;
        let region_name = estimate
            .region
            .column(NAME)?
            .str()?
            .get(0)
            .unwrap_or_default()
            .to_owned();
        let labels: Vec<Option<(String, String)>> = estimate
            .selected
            .iter()
            .map(|a| Some((a.code.to_string(), a.name.clone())))
            .collect();
        let incomplete_region_days = estimate.incomplete_region_days()?;
        Summary::from_tallies(
            scenario,
            &estimate.selection,
            overlap,
            incomplete_region_days,
            (&areas, &labels),
            (&region, &region_name),
        )
    }

    /// The summary from running totals of the areas and of the region; `overlap` as
    /// [`Summary::overlap`].
    pub(crate) fn from_tallies(
        scenario: &Scenario,
        selection: &Selection,
        overlap: Option<f64>,
        incomplete_region_days: u32,
        (areas, labels): (&Tally, &[Option<(String, String)>]),
        (region, region_name): (&Tally, &str),
    ) -> Result<Summary> {
        let uplift = scenario.uplift();
        let scaling = scenario.scaling();
        // The plan's rounding of the uplift line holds only for observed × (1 + uplift).
        let scaled = !scaling.is_identity() || areas.foreign() > 0.0 || region.foreign() > 0.0;
        let table = |mean: &Lines| {
            if scaled {
                Waterfall::with_scaling(mean, uplift, scaling)
            } else {
                Waterfall::new(mean, uplift)
            }
        };
        let mut areas = areas.summaries(labels, &table);
        let mut region = region
            .summaries(&[Some((String::new(), region_name.to_owned()))], &table)
            .pop()
            .ok_or_else(|| PolarsError::NoData("the estimate has no region days".into()))?;
        let period = selection.period;
        let first = period.from().unwrap_or(region.first);
        let last = period
            .to()
            .and_then(|t| t.pred_opt())
            .unwrap_or(region.last);
        let span = u32::try_from((last - first).num_days() + 1).unwrap_or(0);
        for area in areas.iter_mut().chain([&mut region]) {
            area.missing_days = span.saturating_sub(area.days);
        }
        Ok(Summary {
            region_name: scenario.name().to_owned(),
            uplift,
            scaling,
            overlap,
            allocation: scenario.allocation(),
            allocation_rule: scenario.allocation().describe().to_owned(),
            selection: selection.to_string(),
            first,
            last,
            region,
            incomplete_region_days,
            areas,
        })
    }
}

/// Running totals per area (or for the region), fed one day at a time: everything a summary
/// needs, in memory that grows with areas × years, not with rows, so that a file larger than
/// memory can be summarised as it streams past (see [`crate::stream`]).
#[derive(Clone, Debug, Default)]
pub(crate) struct Tally {
    keys: Vec<KeyTally>,
    /// The calendar year last looked up: its first day, first day after, and number.
    year: (i32, i32, i32),
}

/// The running totals of one area.
#[derive(Clone, Debug, Default)]
struct KeyTally {
    days: u32,
    first: i32,
    last: i32,
    sums: [Sum; 8],
    foreign: Sum,
    negative_days: u32,
    negative_sum: Sum,
    negative_dates: Vec<i32>,
    /// Per calendar year: year, days counted, part-time residents summed.
    years: Vec<(i32, u32, Sum)>,
    seen: ByDay<u64>,
}

impl Tally {
    /// Totals for `keys` areas (or 1 for the region).
    pub(crate) fn new(keys: usize) -> Tally {
        Tally {
            keys: vec![KeyTally::default(); keys],
            year: (0, 0, 0),
        }
    }

    /// Adds one day of one area: `day` in days since 1970, `lines` the eight [`LINES`] in
    /// persons, `foreign` the foreign SIMs observed. Returns `false`, adding nothing, if the
    /// area already has that day.
    pub(crate) fn add(&mut self, key: usize, day: i32, lines: &[f64; 8], foreign: f64) -> bool {
        let year = self.year_of(day);
        let k = &mut self.keys[key];
        let word = k.seen.get_mut(day.div_euclid(64));
        let bit = 1u64 << day.rem_euclid(64);
        if *word & bit != 0 {
            return false;
        }
        *word |= bit;
        if k.days == 0 {
            (k.first, k.last) = (day, day);
        }
        k.days += 1;
        k.first = k.first.min(day);
        k.last = k.last.max(day);
        for (sum, value) in k.sums.iter_mut().zip(lines) {
            sum.add(*value);
        }
        k.foreign.add(foreign);
        let part_time = lines[7];
        if part_time < 0.0 {
            k.negative_days += 1;
            k.negative_sum.add(part_time);
            k.negative_dates.push(day);
        }
        match k.years.iter_mut().find(|y| y.0 == year) {
            Some(y) => {
                y.1 += 1;
                y.2.add(part_time);
            }
            None => k.years.push((year, 1, Sum::of(part_time))),
        }
        true
    }

    /// Whether no day has been added.
    pub(crate) fn is_empty(&self) -> bool {
        self.keys.iter().all(|k| k.days == 0)
    }

    /// The foreign SIMs observed, summed over every area and day.
    pub(crate) fn foreign(&self) -> f64 {
        self.keys.iter().map(|k| k.foreign.value()).sum()
    }

    /// The calendar year of a day (days since 1970), cached for runs of days in one year.
    fn year_of(&mut self, day: i32) -> i32 {
        let (from, to, year) = self.year;
        if (from..to).contains(&day) {
            return year;
        }
        let year = from_epoch_days(day).year();
        let start = |y| NaiveDate::from_ymd_opt(y, 1, 1).map_or(day, epoch_days);
        self.year = (start(year), start(year + 1), year);
        year
    }

    /// One summary per area with at least one day, in key order; `labels` gives each key's
    /// code (empty for the region) and name, or `None` to leave the key out.
    pub(crate) fn summaries(
        &self,
        labels: &[Option<(String, String)>],
        table: &dyn Fn(&Lines) -> Waterfall,
    ) -> Vec<AreaSummary> {
        self.keys
            .iter()
            .zip(labels)
            .filter(|(k, _)| k.days > 0)
            .filter_map(|(k, label)| label.as_ref().map(|l| (k, l)))
            .map(|(k, (code, name))| {
                let m = k.sums.map(|sum| sum.value() / f64::from(k.days));
                let mean = Lines {
                    observed: m[0],
                    uplift: m[1],
                    present: m[2],
                    residents: m[3],
                    commuters: m[4],
                    transit: m[5],
                    day_visitors: m[6],
                    part_time: m[7],
                };
                let mut years = k.years.clone();
                years.sort_by_key(|y| y.0);
                let mut negative_dates = k.negative_dates.clone();
                negative_dates.sort_unstable();
                AreaSummary {
                    code: (!code.is_empty()).then(|| AreaCode::new(code)),
                    name: name.clone(),
                    days: k.days,
                    first: from_epoch_days(k.first),
                    last: from_epoch_days(k.last),
                    mean,
                    missing_days: 0,
                    negative_days: k.negative_days,
                    negative_sum: k.negative_sum.value(),
                    negative_dates: negative_dates.into_iter().map(from_epoch_days).collect(),
                    guest_nights_per_year_plan: mean.part_time * PLAN_DAYS_PER_YEAR,
                    calendar_years: years
                        .into_iter()
                        .map(|(year, days, guest_nights)| CalendarYear {
                            year,
                            days_observed: days,
                            days_in_year: days_in_year(year),
                            guest_nights: guest_nights.value(),
                        })
                        .collect(),
                    waterfall: table(&mean),
                }
            })
            .collect()
    }

    /// Feeds a daily frame ([`DATE`], the eight [`LINES`], [`FOREIGN`]), row `i` to key
    /// `keys[i]` (rows with `None` are skipped). Returns the first row whose day its area
    /// already had.
    pub(crate) fn feed(
        &mut self,
        frame: &DataFrame,
        keys: &[Option<usize>],
    ) -> Result<Option<usize>> {
        let dates = frame.column(DATE)?.cast(&DataType::Int32)?;
        let dates = dates.i32()?;
        let lines: Vec<Float64Chunked> = LINES
            .iter()
            .map(|l| Ok(frame.column(l)?.f64()?.rechunk().into_owned()))
            .collect::<Result<_>>()?;
        let foreign = frame.column(FOREIGN)?.f64()?.rechunk().into_owned();
        let lines: Vec<&[f64]> = lines
            .iter()
            .map(|c| c.cont_slice())
            .collect::<PolarsResult<_>>()?;
        let foreign = foreign.cont_slice()?;
        for (i, (key, day)) in keys.iter().zip(dates.iter()).enumerate() {
            let (Some(key), Some(day)) = (key, day) else {
                continue;
            };
            let values = std::array::from_fn(|l| lines[l][i]);
            if !self.add(*key, day, &values, foreign[i]) {
                return Ok(Some(i));
            }
        }
        Ok(None)
    }
}

/// A sum of floating-point numbers with Neumaier's compensation: as exact as one rounding of
/// the true sum for the sums of persons here, whatever the order the rows come in.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Sum {
    sum: f64,
    compensation: f64,
}

impl Sum {
    /// A sum of one value.
    pub(crate) fn of(value: f64) -> Sum {
        Sum {
            sum: value,
            compensation: 0.0,
        }
    }

    /// Adds a value.
    pub(crate) fn add(&mut self, value: f64) {
        let t = self.sum + value;
        self.compensation += if self.sum.abs() >= value.abs() {
            (self.sum - t) + value
        } else {
            (value - t) + self.sum
        };
        self.sum = t;
    }

    /// The sum.
    pub(crate) fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

/// Values by day (days since 1970, or any integer index) in one growing vector: memory for
/// the span of days seen, grown at either end.
#[derive(Clone, Debug, Default)]
pub(crate) struct ByDay<T> {
    base: i32,
    items: Vec<T>,
}

impl<T: Default + Clone> ByDay<T> {
    /// The value for `day`, made (as `T::default()`) if new.
    pub(crate) fn get_mut(&mut self, day: i32) -> &mut T {
        if self.items.is_empty() {
            self.base = day;
        }
        if day < self.base {
            let before = (self.base - day) as usize;
            self.items
                .splice(0..0, std::iter::repeat_n(T::default(), before));
            self.base = day;
        }
        let i = (day - self.base) as usize;
        if i >= self.items.len() {
            self.items.resize(i + 1, T::default());
        }
        &mut self.items[i]
    }

    /// Each index with its value, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (i32, &T)> {
        (self.base..).zip(&self.items)
    }
}

/// Days in a calendar year: 366 in a leap year, else 365.
pub fn days_in_year(year: i32) -> u32 {
    if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
        366
    } else {
        365
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
