//! The emergency planners' view: present population per day, its peaks and percentiles.
//!
//! Emergency planning (beredskap: health service, water supply, rescue, evacuation) sizes for
//! the busiest days, not the mean. From the daily estimate this module gives, per area and for
//! the region: the present population each day with its calendar label, the busiest days,
//! percentiles (with the method named), the days above a threshold, a dimensioning population
//! at a chosen percentile, and means and maxima per month and per calendar label.

use std::collections::BTreeMap;
use std::io::Write;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

use crate::area::AreaCode;
use crate::calendar::Label;
use crate::columns::{AREA, DATE, DAYS, NAME, PART_TIME, PRESENT, RESIDENTS};
use crate::deduction::{Deduction, DeductionSource};
use crate::error::{Error, Result};
use crate::estimate::Estimate;
use crate::report::{Daily, Format, count, daily_rows, persons, right_align, table};
use crate::scenario::Scenario;
use crate::sheet::{Cell, Sheet, write_parquet, write_workbook};

/// How a percentile is taken from the sorted days.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PercentileMethod {
    /// Linear interpolation between order statistics: for p in 0..1 over n sorted values,
    /// h = (n − 1)·p and the result is x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). This is
    /// Excel's PERCENTILE.INC (PERSENTIL.INK), numpy's default and Hyndman & Fan's type 7.
    #[default]
    Linear,
    /// Nearest rank: the value at rank ⌈p·n⌉ (at least 1) of the sorted values, always an
    /// observed day (Hyndman & Fan's type 1).
    NearestRank,
}

impl PercentileMethod {
    /// The method in words, for outputs.
    pub fn describe(self) -> &'static str {
        match self {
            PercentileMethod::Linear => {
                "linear interpolation between order statistics (Excel PERCENTILE.INC / PERSENTIL.INK, numpy default)"
            }
            PercentileMethod::NearestRank => "nearest rank (always an observed day)",
        }
    }
}

/// The `p`-th quantile (p a fraction 0..1) of values sorted ascending; `None` if there are none.
///
/// # Examples
/// ```
/// use deltid::population::{percentile, PercentileMethod};
/// let days: Vec<f64> = (1..=10).map(f64::from).collect();
/// // h = 9 × 0.9 = 8.1: 9 + 0.1 × (10 − 9) = 9.1
/// assert_eq!(percentile(&days, 0.9, PercentileMethod::Linear), Some(9.1));
/// // rank ⌈0.9 × 10⌉ = 9: the 9th value
/// assert_eq!(percentile(&days, 0.9, PercentileMethod::NearestRank), Some(9.0));
/// ```
pub fn percentile(sorted: &[f64], p: f64, method: PercentileMethod) -> Option<f64> {
    let n = sorted.len();
    if n == 0 || !(0.0..=1.0).contains(&p) {
        return None;
    }
    match method {
        PercentileMethod::Linear => {
            let h = (n - 1) as f64 * p;
            let lower = h.floor() as usize;
            let upper = (lower + 1).min(n - 1);
            Some(sorted[lower] + (h - lower as f64) * (sorted[upper] - sorted[lower]))
        }
        PercentileMethod::NearestRank => {
            let rank = ((p * n as f64).ceil() as usize).clamp(1, n);
            Some(sorted[rank - 1])
        }
    }
}

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
    fn exceeded(self, day: &PopulationDay) -> bool {
        match self {
            Threshold::Persons(p) => day.present > p,
            Threshold::TimesResidents(k) => day.present > k * day.residents,
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
}

impl Default for PopulationOptions {
    fn default() -> Self {
        PopulationOptions {
            top: 10,
            method: PercentileMethod::Linear,
            dimensioning: 0.95,
            threshold: None,
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
    /// Present population: observed × (1 + uplift).
    pub present: f64,
    /// Registered residents deducted that day.
    pub residents: f64,
    /// Part-time residents present.
    pub part_time: f64,
    /// Present population ÷ registered residents; `None` when residents are 0.
    pub ratio: Option<f64>,
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
    /// Days above the threshold, if one was given.
    pub days_above: Option<u32>,
    /// The busiest days, busiest first (ties: earlier first).
    pub peaks: Vec<PopulationDay>,
    /// Per calendar month.
    pub by_month: Vec<GroupSummary>,
    /// Per calendar label, in label order.
    pub by_label: Vec<GroupSummary>,
}

/// The population view of an estimate: the region, each area, and every day.
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
    /// Region days on which some selected area has no count: the region's present population
    /// is short on those days, which may hide a peak.
    pub incomplete_region_days: u32,
    /// The region (sum of the selected areas).
    pub region: AreaPopulation,
    /// Each selected area, in scenario order.
    pub areas: Vec<AreaPopulation>,
    /// Every day of every area, then of the region.
    pub daily: Vec<PopulationDay>,
}

impl Population {
    /// The population view of an estimate.
    ///
    /// # Errors
    /// [`Error::InvalidSelection`] if the dimensioning percentile is not a fraction 0..1 or a
    /// threshold is negative or not finite; [`Error::Polars`] only on a defect.
    ///
    /// # Examples
    /// ```
    /// use deltid::population::{Population, PopulationOptions};
    /// use deltid::{estimate, Counts, CountsColumns, Scenario, Selection};
    /// let scenario = Scenario::from_path("../../data/hallingdal/plan-2021.toml")?;
    /// let counts = Counts::read_csv(scenario.counts().unwrap(), &CountsColumns::default())?;
    /// let estimate = estimate(&scenario, &counts, &Selection::default())?;
    /// let options = PopulationOptions { top: 3, ..PopulationOptions::default() };
    /// let view = Population::new(&estimate, &scenario, &options)?;
    /// assert_eq!(view.region.peaks.len(), 3);
    /// assert!(view.region.percentiles.p95 <= view.region.percentiles.max);
    /// # Ok::<(), deltid::Error>(())
    /// ```
    pub fn new(
        estimate: &Estimate,
        scenario: &Scenario,
        options: &PopulationOptions,
    ) -> Result<Population> {
        let calendar = scenario.calendar();
        if !(0.0..=1.0).contains(&options.dimensioning) {
            return Err(Error::InvalidSelection {
                reason: format!(
                    "dimensioning percentile {} is not a fraction between 0 and 1 (write 0.95 for P95)",
                    options.dimensioning
                ),
            });
        }
        if let Some(Threshold::Persons(x) | Threshold::TimesResidents(x)) = options.threshold
            && !(x.is_finite() && x >= 0.0)
        {
            return Err(Error::InvalidSelection {
                reason: format!("threshold {x} is not a non-negative number"),
            });
        }
        let daily: Vec<PopulationDay> = daily_rows(estimate)?
            .into_iter()
            .map(|row| PopulationDay {
                date: row.date,
                weekday: row.date.weekday(),
                label: calendar.label(row.date),
                area: row.area,
                name: row.name,
                present: row.lines.present,
                residents: row.lines.residents,
                part_time: row.lines.part_time,
                ratio: (row.lines.residents > 0.0).then(|| row.lines.present / row.lines.residents),
            })
            .collect();
        let mut groups: Vec<(Option<AreaCode>, Vec<&PopulationDay>)> = Vec::new();
        for day in &daily {
            match groups.last_mut() {
                Some((area, days)) if *area == day.area => days.push(day),
                _ => groups.push((day.area.clone(), vec![day])),
            }
        }
        let mut views: Vec<AreaPopulation> = groups
            .into_iter()
            .map(|(code, days)| summarise(code, &days, options))
            .collect();
        let region =
            views
                .pop()
                .filter(|r| r.code.is_none())
                .ok_or_else(|| Error::EmptySelection {
                    selection: estimate.selection.to_string(),
                })?;
        Ok(Population {
            method: options.method.describe().to_owned(),
            dimensioning_percentile: options.dimensioning,
            threshold: options.threshold,
            residents: match scenario.deduction(Deduction::Residents) {
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
            incomplete_region_days: estimate.incomplete_region_days()?,
            region,
            areas: views,
            daily,
        })
    }
}

impl Population {
    /// Writes the view: a readable table, CSV (one row per area and the region, or with
    /// [`Daily::Include`] one row per day), JSON (the days only with [`Daily::Include`]), an
    /// xlsx workbook with the sheets `percentiles` (as the CSV), `peaks` (the busiest days of
    /// each area, then of the region, ranked) and `daily`, or Parquet (the days, always).
    ///
    /// # Errors
    /// [`Error::Write`] if the writer fails; [`Error::WriteWorkbook`] if an xlsx workbook
    /// cannot be built.
    pub fn write(&self, format: Format, daily: Daily, out: impl Write) -> Result<()> {
        match (format, daily) {
            (Format::Table, _) => self.write_table(out),
            (Format::Csv(style), Daily::Omit) => self.percentiles_sheet().write_csv(style, out),
            (Format::Csv(style), Daily::Include) => self.daily_sheet().write_csv(style, out),
            (Format::Xlsx, _) => write_workbook(
                &[
                    self.percentiles_sheet(),
                    self.peaks_sheet(),
                    self.daily_sheet(),
                ],
                out,
            ),
            (Format::Parquet, _) => write_parquet(&self.daily_sheet(), out),
            (Format::Json, daily) => {
                let mut out = out;
                if daily == Daily::Include {
                    serde_json::to_writer_pretty(&mut out, self).map_err(std::io::Error::from)?;
                } else {
                    #[derive(Serialize)]
                    struct Summary<'a> {
                        method: &'a str,
                        dimensioning_percentile: f64,
                        threshold: Option<Threshold>,
                        residents: &'a str,
                        incomplete_region_days: u32,
                        region: &'a AreaPopulation,
                        areas: &'a [AreaPopulation],
                    }
                    let summary = Summary {
                        method: &self.method,
                        dimensioning_percentile: self.dimensioning_percentile,
                        threshold: self.threshold,
                        residents: &self.residents,
                        incomplete_region_days: self.incomplete_region_days,
                        region: &self.region,
                        areas: &self.areas,
                    };
                    serde_json::to_writer_pretty(&mut out, &summary)
                        .map_err(std::io::Error::from)?;
                }
                writeln!(out)?;
                Ok(())
            }
        }
    }

    fn percentile_name(&self) -> String {
        format!("P{}", trim(self.dimensioning_percentile * 100.0))
    }

    fn write_table(&self, mut out: impl Write) -> Result<()> {
        let region = &self.region;
        let first = self.daily.iter().map(|d| d.date).min();
        let last = self.daily.iter().map(|d| d.date).max();
        if let (Some(first), Some(last)) = (first, last) {
            writeln!(
                out,
                "{}: present population per day, {} from {first} to {last}\n",
                region.name,
                count(region.days, "day"),
            )?;
        }
        writeln!(out, "Busiest days, {}:", region.name)?;
        let mut peaks = table();
        peaks.set_header([
            "rank",
            "date",
            "weekday",
            "label",
            "present",
            "residents",
            "part-time",
            "present/residents",
        ]);
        for (rank, day) in region.peaks.iter().enumerate() {
            peaks.add_row([
                (rank + 1).to_string(),
                day.date.to_string(),
                day.weekday.to_string(),
                day.label.to_string(),
                whole(day.present),
                whole(day.residents),
                whole(day.part_time),
                day.ratio
                    .map_or_else(|| "-".to_owned(), |r| format!("{r:.2}")),
            ]);
        }
        right_align(&mut peaks, 4);
        writeln!(out, "{peaks}\n")?;

        writeln!(out, "Present population per day, persons:")?;
        let mut levels = table();
        let mut header = vec![
            "area".to_owned(),
            "name".to_owned(),
            "residents".to_owned(),
            "P50".to_owned(),
            "P90".to_owned(),
            "P95".to_owned(),
            "P99".to_owned(),
            "max".to_owned(),
            format!("dimensioning ({})", self.percentile_name()),
        ];
        if let Some(threshold) = self.threshold {
            header.push(match threshold {
                Threshold::Persons(p) => format!("days above {}", whole(p)),
                Threshold::TimesResidents(k) => format!("days above {}× residents", trim(k)),
            });
        }
        levels.set_header(header);
        for area in self.areas.iter().chain([region]) {
            let p = &area.percentiles;
            let mut row = vec![
                area.code
                    .as_ref()
                    .map_or("region", AreaCode::as_str)
                    .to_owned(),
                area.name.clone(),
                whole(area.residents),
                whole(p.p50),
                whole(p.p90),
                whole(p.p95),
                whole(p.p99),
                whole(p.max),
                whole(area.dimensioning),
            ];
            if let Some(n) = area.days_above {
                row.push(n.to_string());
            }
            levels.add_row(row);
        }
        right_align(&mut levels, 2);
        writeln!(out, "{levels}\n")?;

        for (title, groups) in [
            ("calendar label", &region.by_label),
            ("month", &region.by_month),
        ] {
            writeln!(
                out,
                "{} by {title}, present population per day:",
                region.name
            )?;
            let mut by = table();
            by.set_header([title, "days", "mean", "max"]);
            for g in groups.iter() {
                by.add_row([
                    g.group.clone(),
                    g.days.to_string(),
                    whole(g.mean),
                    whole(g.max),
                ]);
            }
            right_align(&mut by, 1);
            writeln!(out, "{by}\n")?;
        }
        writeln!(out, "Notes:")?;
        writeln!(out, "- percentiles: {}", self.method)?;
        writeln!(out, "- {}", self.residents)?;
        if self.incomplete_region_days > 0 {
            writeln!(
                out,
                "- {}: {} with no count for some area; the region's present population is short on those days and may hide a peak",
                region.name,
                count(self.incomplete_region_days, "day"),
            )?;
        }
        Ok(())
    }

    /// One row per area, then the region: residents, percentiles and the dimensioning
    /// population in persons, the days above the threshold, the method.
    fn percentiles_sheet(&self) -> Sheet<'_> {
        let rows = self
            .areas
            .iter()
            .chain([&self.region])
            .map(|area| {
                let p = &area.percentiles;
                let mut row = vec![
                    Cell::text(area.code.as_ref().map(AreaCode::as_str)),
                    Cell::text(Some(&area.name)),
                    Cell::Whole(area.days.into()),
                ];
                row.extend(
                    [
                        area.residents,
                        p.p50,
                        p.p90,
                        p.p95,
                        p.p99,
                        p.max,
                        self.dimensioning_percentile,
                        area.dimensioning,
                    ]
                    .map(Cell::Number),
                );
                row.push(
                    area.days_above
                        .map_or(Cell::Empty, |n| Cell::Whole(n.into())),
                );
                row.push(Cell::text(Some(&self.method)));
                row
            })
            .collect();
        Sheet {
            name: "percentiles",
            header: PERCENTILE_COLUMNS.to_vec(),
            rows,
        }
    }

    /// The busiest days of each area, then of the region: a rank, then the day's row.
    fn peaks_sheet(&self) -> Sheet<'_> {
        let rows = self
            .areas
            .iter()
            .chain([&self.region])
            .flat_map(|area| {
                area.peaks.iter().enumerate().map(|(rank, day)| {
                    let mut row = vec![Cell::Whole(rank as i64 + 1)];
                    row.extend(day_cells(day));
                    row
                })
            })
            .collect();
        Sheet {
            name: "peaks",
            header: ["rank"].into_iter().chain(DAY_COLUMNS).collect(),
            rows,
        }
    }

    /// Every day of every area, then of the region, with [`DAY_COLUMNS`].
    fn daily_sheet(&self) -> Sheet<'_> {
        Sheet {
            name: "daily",
            header: DAY_COLUMNS.to_vec(),
            rows: self.daily.iter().map(day_cells).collect(),
        }
    }
}

/// The percentiles table: persons, except the percentile (a fraction 0..1) and the days.
const PERCENTILE_COLUMNS: [&str; 13] = [
    AREA,
    NAME,
    DAYS,
    RESIDENTS,
    "p50",
    "p90",
    "p95",
    "p99",
    "max",
    "dimensioning_percentile",
    "dimensioning",
    "days_above",
    "percentile_method",
];

/// A day of the population view: persons, and present ÷ residents.
const DAY_COLUMNS: [&str; 9] = [
    DATE, "weekday", "label", AREA, NAME, PRESENT, RESIDENTS, PART_TIME, "ratio",
];

/// A day's cells, in [`DAY_COLUMNS`] order.
fn day_cells(day: &PopulationDay) -> Vec<Cell<'_>> {
    vec![
        Cell::Date(day.date),
        Cell::Text(day.weekday.to_string().into()),
        Cell::text(Some(day.label.name())),
        Cell::text(day.area.as_ref().map(AreaCode::as_str)),
        Cell::text(Some(&day.name)),
        Cell::Number(day.present),
        Cell::Number(day.residents),
        Cell::Number(day.part_time),
        day.ratio.map_or(Cell::Empty, Cell::Number),
    ]
}

/// Whole persons with thousands separated.
fn whole(x: f64) -> String {
    persons(x.round() as i64)
}

/// A number without trailing zeros: 95, 99.5, 2.
fn trim(x: f64) -> String {
    let text = format!("{x:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn summarise(
    code: Option<AreaCode>,
    days: &[&PopulationDay],
    options: &PopulationOptions,
) -> AreaPopulation {
    let mut present: Vec<f64> = days.iter().map(|d| d.present).collect();
    present.sort_by(f64::total_cmp);
    let at = |p| percentile(&present, p, options.method).unwrap_or(f64::NAN);
    let mut peaks: Vec<PopulationDay> = days.iter().map(|d| (*d).clone()).collect();
    peaks.sort_by(|a, b| b.present.total_cmp(&a.present).then(a.date.cmp(&b.date)));
    peaks.truncate(options.top);

    let group = |key: &dyn Fn(&PopulationDay) -> (String, u32)| {
        let mut map: BTreeMap<u32, (String, u32, f64, f64)> = BTreeMap::new();
        for day in days {
            let (name, order) = key(day);
            let entry = map
                .entry(order)
                .or_insert((name, 0, 0.0, f64::NEG_INFINITY));
            entry.1 += 1;
            entry.2 += day.present;
            entry.3 = entry.3.max(day.present);
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
        let (y, m) = (d.date.year(), d.date.month());
        (format!("{y:04}-{m:02}"), (y * 100) as u32 + m)
    });
    let by_label = group(&|d| (d.label.name().to_owned(), d.label as u32));

    AreaPopulation {
        code,
        name: days.first().map(|d| d.name.clone()).unwrap_or_default(),
        days: days.len() as u32,
        residents: days.iter().map(|d| d.residents).sum::<f64>() / days.len().max(1) as f64,
        percentiles: Percentiles {
            p50: at(0.5),
            p90: at(0.9),
            p95: at(0.95),
            p99: at(0.99),
            max: present.last().copied().unwrap_or(f64::NAN),
        },
        dimensioning: at(options.dimensioning),
        days_above: options
            .threshold
            .map(|t| days.iter().filter(|d| t.exceeded(d)).count() as u32),
        peaks,
        by_month,
        by_label,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_hand() {
        // Values 1..=10. Linear: h = 9p. Nearest rank: ⌈10p⌉-th value.
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        let cases = [
            // (p, linear, nearest rank)
            (0.0, 1.0, 1.0),    // h = 0; rank clamps to 1
            (0.5, 5.5, 5.0),    // h = 4.5: 5 + 0.5; rank 5
            (0.9, 9.1, 9.0),    // h = 8.1: 9 + 0.1; rank 9
            (0.95, 9.55, 10.0), // h = 8.55: 9 + 0.55; rank ⌈9.5⌉ = 10
            (0.99, 9.91, 10.0), // h = 8.91; rank ⌈9.9⌉ = 10
            (1.0, 10.0, 10.0),
        ];
        for (p, linear, nearest) in cases {
            let l = percentile(&v, p, PercentileMethod::Linear).expect("values");
            assert!((l - linear).abs() < 1e-12, "p {p}: {l}");
            assert_eq!(
                percentile(&v, p, PercentileMethod::NearestRank),
                Some(nearest)
            );
        }
        assert_eq!(percentile(&[], 0.5, PercentileMethod::Linear), None);
        assert_eq!(
            percentile(&[7.0], 0.99, PercentileMethod::Linear),
            Some(7.0)
        );
        assert_eq!(percentile(&v, 1.5, PercentileMethod::Linear), None);
    }
}
