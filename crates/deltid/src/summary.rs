//! Summaries over the period: means per day, guest-nights per year, calendar years, coverage.

use chrono::NaiveDate;
use polars::prelude::*;
use serde::Serialize;

use crate::area::AreaCode;
use crate::columns::{
    AREA, DATE, DAYS, FIRST, FOREIGN, LAST, NAME, NEGATIVE_DAYS, NEGATIVE_SUM, OVERLAP, PART_TIME,
    YEAR,
};
use crate::deduction::Deduction;
use crate::error::Result;
use crate::estimate::{Estimate, LINES};
use crate::read::from_epoch_days;
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
        let uplift = scenario.uplift();
        let scaling = scenario.scaling();
        let foreign = |frame: &DataFrame| -> Result<f64> {
            Ok(frame.column(FOREIGN)?.f64()?.sum().unwrap_or(0.0))
        };
        // The plan's rounding of the uplift line holds only for observed × (1 + uplift).
        let scaled = !scaling.is_identity()
            || foreign(&estimate.areas)? > 0.0
            || foreign(&estimate.region)? > 0.0;
        let table = |mean: &Lines| {
            if scaled {
                Waterfall::with_scaling(mean, uplift, scaling)
            } else {
                Waterfall::new(mean, uplift)
            }
        };
        let overlap = estimate.region.column(OVERLAP)?.f64()?.mean();
        let mut areas = summarise(estimate.areas.clone().lazy(), &table)?;
        let mut region = summarise(estimate.region.clone().lazy(), &table)?;
        let mut region = region
            .pop()
            .ok_or_else(|| PolarsError::NoData("the estimate has no region days".into()))?;
        let period = estimate.selection.period;
        let first = period.from().unwrap_or(region.first);
        let last = period
            .to()
            .and_then(|t| t.pred_opt())
            .unwrap_or(region.last);
        let span = u32::try_from((last - first).num_days() + 1).unwrap_or(0);
        for area in areas.iter_mut().chain([&mut region]) {
            area.missing_days = span.saturating_sub(area.days);
        }
        let incomplete_region_days = estimate.incomplete_region_days()?;
        Ok(Summary {
            region_name: scenario.name().to_owned(),
            uplift,
            scaling,
            overlap,
            allocation: scenario.allocation(),
            allocation_rule: scenario.allocation().describe().to_owned(),
            selection: estimate.selection.to_string(),
            first,
            last,
            region,
            incomplete_region_days,
            areas,
        })
    }
}

/// One summary per value of the `area` column of a daily frame (the region's is empty), in
/// the frame's order.
fn summarise(daily: LazyFrame, table: &dyn Fn(&Lines) -> Waterfall) -> Result<Vec<AreaSummary>> {
    let totals = daily
        .clone()
        .group_by_stable([col(AREA)])
        .agg(
            [
                col(NAME).first(),
                len().cast(DataType::UInt32).alias(DAYS),
                col(DATE).min().cast(DataType::Int32).alias(FIRST),
                col(DATE).max().cast(DataType::Int32).alias(LAST),
                col(PART_TIME)
                    .lt(lit(0.0))
                    .sum()
                    .cast(DataType::UInt32)
                    .alias(NEGATIVE_DAYS),
                col(PART_TIME)
                    .filter(col(PART_TIME).lt(lit(0.0)))
                    .sum()
                    .alias(NEGATIVE_SUM),
            ]
            .into_iter()
            .chain(LINES.iter().map(|l| col(*l).mean()))
            .collect::<Vec<_>>(),
        )
        .collect()?;
    let years = daily
        .clone()
        .group_by_stable([col(AREA), col(DATE).dt().year().alias(YEAR)])
        .agg([
            len().cast(DataType::UInt32).alias(DAYS),
            col(PART_TIME).sum(),
        ])
        .sort([AREA, YEAR], SortMultipleOptions::default())
        .collect()?;

    let f64s = |df: &DataFrame, name: &str| -> Result<Vec<f64>> {
        Ok(df
            .column(name)?
            .f64()?
            .iter()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect())
    };
    let u32s = |df: &DataFrame, name: &str| -> Result<Vec<u32>> {
        Ok(df
            .column(name)?
            .u32()?
            .iter()
            .map(|v| v.unwrap_or(0))
            .collect())
    };
    let strs = |df: &DataFrame, name: &str| -> Result<Vec<String>> {
        Ok(df
            .column(name)?
            .str()?
            .iter()
            .map(|v| v.unwrap_or("").to_owned())
            .collect())
    };
    let dates = |df: &DataFrame, name: &str| -> Result<Vec<NaiveDate>> {
        Ok(df
            .column(name)?
            .i32()?
            .iter()
            .map(|v| from_epoch_days(v.unwrap_or(0)))
            .collect())
    };

    let means: Vec<Vec<f64>> = LINES
        .iter()
        .map(|l| f64s(&totals, l))
        .collect::<Result<_>>()?;
    let (codes, names) = (strs(&totals, AREA)?, strs(&totals, NAME)?);
    let (days, negative) = (u32s(&totals, DAYS)?, u32s(&totals, NEGATIVE_DAYS)?);
    let negative_sums = f64s(&totals, NEGATIVE_SUM)?;
    let negatives = daily
        .clone()
        .filter(col(PART_TIME).lt(lit(0.0)))
        .select([col(AREA), col(DATE).cast(DataType::Int32)])
        .sort([AREA, DATE], SortMultipleOptions::default())
        .collect()?;
    let mut negative_dates: std::collections::HashMap<String, Vec<NaiveDate>> =
        std::collections::HashMap::new();
    for (area, date) in strs(&negatives, AREA)?
        .into_iter()
        .zip(dates(&negatives, DATE)?)
    {
        negative_dates.entry(area).or_default().push(date);
    }
    let (first, last) = (dates(&totals, FIRST)?, dates(&totals, LAST)?);

    let year_areas = strs(&years, AREA)?;
    let year_years: Vec<i32> = years
        .column(YEAR)?
        .i32()?
        .iter()
        .map(|v| v.unwrap_or(0))
        .collect();
    let year_days = u32s(&years, DAYS)?;
    let year_sums = f64s(&years, PART_TIME)?;

    let mut summaries = Vec::with_capacity(codes.len());
    for i in 0..codes.len() {
        let mean = Lines {
            observed: means[0][i],
            uplift: means[1][i],
            present: means[2][i],
            residents: means[3][i],
            commuters: means[4][i],
            transit: means[5][i],
            day_visitors: means[6][i],
            part_time: means[7][i],
        };
        let calendar_years = (0..year_areas.len())
            .filter(|&j| year_areas[j] == codes[i])
            .map(|j| CalendarYear {
                year: year_years[j],
                days_observed: year_days[j],
                days_in_year: days_in_year(year_years[j]),
                guest_nights: year_sums[j],
            })
            .collect();
        summaries.push(AreaSummary {
            code: (!codes[i].is_empty()).then(|| AreaCode::new(&codes[i])),
            name: names[i].clone(),
            days: days[i],
            first: first[i],
            last: last[i],
            mean,
            negative_days: negative[i],
            negative_sum: negative_sums[i],
            negative_dates: negative_dates.remove(&codes[i]).unwrap_or_default(),
            missing_days: 0,
            guest_nights_per_year_plan: mean.part_time * PLAN_DAYS_PER_YEAR,
            calendar_years,
            waterfall: table(&mean),
        });
    }
    Ok(summaries)
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
