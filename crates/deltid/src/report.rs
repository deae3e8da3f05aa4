//! Writing results: a readable table for people, CSV and JSON for machines.

use std::io::Write;

use chrono::NaiveDate;
use comfy_table::{CellAlignment, Table, presets};
use polars::prelude::*;
use serde::Serialize;

use std::path::Path;

use crate::area::AreaCode;
use crate::columns::{AREA, DATE, NAME};
use crate::counts::{Counts, CountsColumns};
use crate::error::{Error, Result};
use crate::estimate::{Estimate, LINES, Selection, estimate};
use crate::population::{Population, PopulationOptions};
use crate::read::from_epoch_days;
use crate::scenario::Scenario;
use crate::summary::{AreaSummary, Lines, Summary};
use crate::waterfall::Line;

/// How a report is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Readable text: the plan's table, per-area lines, calendar years, notes.
    #[default]
    Table,
    /// CSV: the summary, or with the daily rows asked for, the daily rows.
    Csv,
    /// JSON: the summary, and the daily rows if asked for.
    Json,
}

/// Whether the per-day rows go into the output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Daily {
    /// Summary only.
    #[default]
    Omit,
    /// The per-day rows of each area and the region too.
    Include,
}

/// The main job in one value: a scenario and its counts, estimated and summarised.
#[derive(Clone, Debug)]
pub struct Report {
    /// The scenario, as read.
    pub scenario: Scenario,
    /// The per-day estimate.
    pub estimate: Estimate,
    /// Its summary.
    pub summary: Summary,
}

impl Report {
    /// Reads the scenario and the counts (the `counts` path given, else the scenario's),
    /// checks them, estimates and summarises: read → check → estimate → summarise.
    ///
    /// # Errors
    /// [`Error::NoCounts`] if no counts file is given or named by the scenario; every error of
    /// [`Scenario::from_path`], [`Counts::read_csv`], [`estimate()`] and [`Summary::new`].
    ///
    /// # Examples
    /// ```
    /// use deltid::report::{Daily, Format, Report};
    /// use deltid::{CountsColumns, Selection};
    /// let report = Report::run(
    ///     "../../data/hallingdal/plan-2021.toml".as_ref(),
    ///     None,
    ///     &CountsColumns::default(),
    ///     &Selection::default(),
    /// )?;
    /// let mut text = Vec::new();
    /// report.write(Format::Table, Daily::Omit, &mut text)?;
    /// assert!(String::from_utf8_lossy(&text).contains("9 682 355"));
    /// # Ok::<(), deltid::Error>(())
    /// ```
    pub fn run(
        scenario: &Path,
        counts: Option<&Path>,
        columns: &CountsColumns,
        selection: &Selection,
    ) -> Result<Report> {
        let scenario = Scenario::from_path(scenario)?;
        let path = counts
            .or(scenario.counts())
            .ok_or_else(|| Error::NoCounts {
                scenario: scenario.path().to_owned(),
            })?;
        let counts = Counts::read_csv(path, columns)?;
        let estimate = estimate(&scenario, &counts, selection)?;
        let summary = Summary::new(&scenario, &estimate)?;
        Ok(Report {
            scenario,
            estimate,
            summary,
        })
    }

    /// The emergency planners' view of this report, labelled with the scenario's calendar.
    ///
    /// # Errors
    /// As [`Population::new`].
    pub fn population(&self, options: &PopulationOptions) -> Result<Population> {
        Population::new(&self.estimate, &self.scenario, options)
    }

    /// Writes the report in a format; with [`Daily::Include`], CSV holds the daily rows
    /// instead of the summary and JSON holds both, while the table ignores it.
    ///
    /// # Errors
    /// [`Error::Write`] if the writer fails.
    pub fn write(&self, format: Format, daily: Daily, out: impl Write) -> Result<()> {
        match (format, daily) {
            (Format::Table, _) => write_table(&self.summary, out),
            (Format::Csv, Daily::Omit) => write_summary_csv(&self.summary, out),
            (Format::Csv, Daily::Include) => write_daily_csv(&self.estimate, out),
            (Format::Json, Daily::Omit) => write_json(&self.summary, None, out),
            (Format::Json, Daily::Include) => write_json(&self.summary, Some(&self.estimate), out),
        }
    }
}

/// One day of one area (or of the region), all lines in persons.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DailyRow {
    /// The day.
    pub date: NaiveDate,
    /// The area's code; `None` (an empty CSV cell) for the region.
    pub area: Option<AreaCode>,
    /// The area's or region's name.
    pub name: String,
    /// The day's lines, persons.
    #[serde(flatten)]
    pub lines: Lines,
}

/// The daily rows of an estimate: each selected area's days, then the region's days.
///
/// # Errors
/// [`Error::Polars`] only on a defect.
pub fn daily_rows(estimate: &Estimate) -> Result<Vec<DailyRow>> {
    let mut rows = Vec::with_capacity(estimate.areas.height() + estimate.region.height());
    for frame in [&estimate.areas, &estimate.region] {
        let dates = frame.column(DATE)?.cast(&DataType::Int32)?;
        let dates = dates.i32()?;
        let areas = frame.column(AREA)?.str()?;
        let names = frame.column(NAME)?.str()?;
        let lines: Vec<&Float64Chunked> = LINES
            .iter()
            .map(|l| frame.column(l).and_then(|c| c.f64()))
            .collect::<PolarsResult<_>>()?;
        for i in 0..frame.height() {
            let v = |k: usize| lines[k].get(i).unwrap_or(f64::NAN);
            let area = areas.get(i).unwrap_or("");
            rows.push(DailyRow {
                date: from_epoch_days(dates.get(i).unwrap_or(0)),
                area: (!area.is_empty()).then(|| AreaCode::new(area)),
                name: names.get(i).unwrap_or("").to_owned(),
                lines: Lines {
                    observed: v(0),
                    uplift: v(1),
                    present: v(2),
                    residents: v(3),
                    commuters: v(4),
                    transit: v(5),
                    day_visitors: v(6),
                    part_time: v(7),
                },
            });
        }
    }
    Ok(rows)
}

/// Whole persons with a space between thousands, as in the plan's table: `9 682 355`.
///
/// # Examples
/// ```
/// assert_eq!(deltid::report::persons(-20_000), "-20 000");
/// assert_eq!(deltid::report::persons(9_682_355), "9 682 355");
/// ```
pub fn persons(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// "1 day", "2 days".
pub(crate) fn count(n: u32, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

pub(crate) fn table() -> Table {
    let mut table = Table::new();
    table.load_preset(presets::NOTHING);
    table
}

pub(crate) fn right_align(table: &mut Table, from: usize) {
    let width = table.column_count();
    for i in from..width {
        if let Some(column) = table.column_mut(i) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// Writes the summary as readable text: the plan's table for the region, the same lines per
/// area beneath it, calendar-year sums with coverage, and notes on allocation, rounding and
/// negative days.
///
/// # Errors
/// [`Error::Write`] if the writer fails.
pub fn write_table(summary: &Summary, mut out: impl Write) -> Result<()> {
    let region = &summary.region;
    writeln!(
        out,
        "{}: guest-nights from telecom counts ({})",
        summary.region_name, summary.selection
    )?;
    writeln!(
        out,
        "{} from {} to {} with counts, {}\n",
        count(region.days, "day"),
        region.first,
        region.last,
        count(summary.areas.len() as u32, "area")
    )?;

    let mut plan = table();
    plan.set_header(["line", "persons"]);
    for line in &region.waterfall.lines {
        plan.add_row([line.label.clone(), persons(line.rounded)]);
    }
    right_align(&mut plan, 1);
    writeln!(out, "{plan}\n")?;

    writeln!(out, "Per area, whole persons per day:")?;
    let mut areas = table();
    areas.set_header([
        "area",
        "name",
        "observed",
        "uplift",
        "residents",
        "commuters",
        "transit",
        "day visitors",
        "guest-nights/day",
        "guest-nights/year",
    ]);
    for area in summary.areas.iter().chain([region]) {
        let code = area.code.as_ref().map_or("region", AreaCode::as_str);
        let mut row = vec![code.to_owned(), area.name.clone()];
        row.extend(area.waterfall.lines.iter().map(|l| persons(l.rounded)));
        areas.add_row(row);
    }
    right_align(&mut areas, 2);
    writeln!(out, "{areas}\n")?;

    writeln!(
        out,
        "Guest-nights per calendar year (sum over the days observed; partial years are not scaled up):"
    )?;
    let mut years = table();
    years.set_header(["area", "name", "year", "days observed", "guest-nights"]);
    for area in summary.areas.iter().chain([region]) {
        let code = area.code.as_ref().map_or("region", AreaCode::as_str);
        for year in &area.calendar_years {
            years.add_row([
                code.to_owned(),
                area.name.clone(),
                year.year.to_string(),
                format!("{} of {}", year.days_observed, year.days_in_year),
                persons(year.guest_nights.round() as i64),
            ]);
        }
    }
    right_align(&mut years, 2);
    writeln!(out, "{years}\n")?;

    writeln!(out, "Notes:")?;
    writeln!(
        out,
        "- rounding as in the plan: each line to whole persons, the next computed from the rounded lines; each area is rounded on its own, so areas may differ from the region by a person or two; CSV and JSON carry full precision"
    )?;
    writeln!(out, "- {}", summary.allocation_rule)?;
    for area in summary.areas.iter().chain([region]) {
        if area.missing_days > 0 {
            writeln!(
                out,
                "- {}: {} without a count between {} and {}; its means (and mean × 365) are over the {} counted",
                area.name,
                count(area.missing_days, "day"),
                summary.first,
                summary.last,
                count(area.days, "day"),
            )?;
        }
    }
    if summary.incomplete_region_days > 0 {
        writeln!(
            out,
            "- {}: {} with no count for some area; the region's figures are short on those days, and region-level deductions fall on the areas counted",
            region.name,
            count(summary.incomplete_region_days, "day"),
        )?;
    }
    for area in summary.areas.iter().chain([region]) {
        if area.negative_days > 0 {
            writeln!(
                out,
                "- {}: {} with more deducted than present (negative part-time residents, counted as they are)",
                area.name,
                count(area.negative_days, "day"),
            )?;
        }
    }
    Ok(())
}

/// A summary row for CSV: one area or the region, means per day in full precision and the
/// plan's table in whole persons.
#[derive(Serialize)]
struct SummaryRow<'a> {
    area: &'a str,
    name: &'a str,
    days: u32,
    first: NaiveDate,
    last: NaiveDate,
    missing_days: u32,
    negative_days: u32,
    mean_observed: f64,
    mean_uplift: f64,
    mean_present: f64,
    mean_residents: f64,
    mean_commuters: f64,
    mean_transit: f64,
    mean_day_visitors: f64,
    mean_part_time: f64,
    guest_nights_per_year_plan: f64,
    table_observed: i64,
    table_uplift: i64,
    table_residents: i64,
    table_commuters: i64,
    table_transit: i64,
    table_day_visitors: i64,
    table_guest_nights_per_day: i64,
    table_guest_nights_per_year: i64,
}

impl<'a> SummaryRow<'a> {
    fn new(area: &'a AreaSummary) -> SummaryRow<'a> {
        let t = |l: usize| area.waterfall.lines.get(l).map_or(0, |l| l.rounded);
        let m = &area.mean;
        SummaryRow {
            area: area.code.as_ref().map_or("", AreaCode::as_str),
            name: &area.name,
            days: area.days,
            first: area.first,
            last: area.last,
            missing_days: area.missing_days,
            negative_days: area.negative_days,
            mean_observed: m.observed,
            mean_uplift: m.uplift,
            mean_present: m.present,
            mean_residents: m.residents,
            mean_commuters: m.commuters,
            mean_transit: m.transit,
            mean_day_visitors: m.day_visitors,
            mean_part_time: m.part_time,
            guest_nights_per_year_plan: area.guest_nights_per_year_plan,
            table_observed: t(0),
            table_uplift: t(1),
            table_residents: t(2),
            table_commuters: t(3),
            table_transit: t(4),
            table_day_visitors: t(5),
            table_guest_nights_per_day: area.waterfall.line(Line::GuestNightsPerDay).rounded,
            table_guest_nights_per_year: area.waterfall.line(Line::GuestNightsPerYear).rounded,
        }
    }
}

/// Writes the summary as CSV: one row per selected area, then the region (empty `area`).
///
/// Columns: `area, name, days, first, last, missing_days, negative_days`, the means per day in persons
/// (`mean_observed` … `mean_part_time`), `guest_nights_per_year_plan` (nights, mean × 365),
/// and the plan's table in whole persons (`table_observed` … `table_guest_nights_per_year`,
/// deductions negative).
///
/// # Errors
/// [`Error::Write`] if the writer fails.
pub fn write_summary_csv(summary: &Summary, out: impl Write) -> Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    for area in summary.areas.iter().chain([&summary.region]) {
        writer.serialize(SummaryRow::new(area)).map_err(csv_io)?;
    }
    writer.flush()?;
    Ok(())
}

/// Writes the daily rows as CSV: `date, area, name` and the eight lines in persons.
///
/// # Errors
/// [`Error::Write`] if the writer fails.
pub fn write_daily_csv(estimate: &Estimate, out: impl Write) -> Result<()> {
    // The csv crate cannot write a flattened struct, so the row is spelt out.
    #[derive(Serialize)]
    struct Row<'a> {
        date: NaiveDate,
        area: &'a str,
        name: &'a str,
        observed: f64,
        uplift: f64,
        present: f64,
        residents: f64,
        commuters: f64,
        transit: f64,
        day_visitors: f64,
        part_time: f64,
    }
    let mut writer = csv::Writer::from_writer(out);
    for row in daily_rows(estimate)? {
        let l = row.lines;
        writer
            .serialize(Row {
                date: row.date,
                area: row.area.as_ref().map_or("", AreaCode::as_str),
                name: &row.name,
                observed: l.observed,
                uplift: l.uplift,
                present: l.present,
                residents: l.residents,
                commuters: l.commuters,
                transit: l.transit,
                day_visitors: l.day_visitors,
                part_time: l.part_time,
            })
            .map_err(csv_io)?;
    }
    writer.flush()?;
    Ok(())
}

/// Writes the summary (and the daily rows, if given) as one JSON document with the keys
/// `summary` and `daily`.
///
/// # Errors
/// [`Error::Write`] if the writer fails.
pub fn write_json(summary: &Summary, daily: Option<&Estimate>, mut out: impl Write) -> Result<()> {
    #[derive(Serialize)]
    struct Document<'a> {
        summary: &'a Summary,
        #[serde(skip_serializing_if = "Option::is_none")]
        daily: Option<Vec<DailyRow>>,
    }
    let daily = daily.map(daily_rows).transpose()?;
    serde_json::to_writer_pretty(&mut out, &Document { summary, daily })
        .map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}

/// The I/O error inside a CSV writer's error (so a closed pipe stays recognisable).
pub(crate) fn csv_io(error: csv::Error) -> std::io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        kind => std::io::Error::other(format!("{kind:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persons_groups_thousands_with_spaces() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1_000, "1 000"),
            (-1_000, "-1 000"),
            (46_724, "46 724"),
            (9_682_355, "9 682 355"),
            (-123_456_789, "-123 456 789"),
        ];
        for (value, expected) in cases {
            assert_eq!(persons(value), expected);
        }
    }
}
