//! Writing results: a readable table for people; CSV (in a chosen style), JSON and Parquet for
//! machines; an .xlsx workbook for spreadsheet users.

use std::io::Write;

use chrono::NaiveDate;
use comfy_table::{CellAlignment, Table, presets};
use polars::prelude::*;
use serde::Serialize;

use std::path::Path;

use crate::annualise::{Annualisation, NegativePolicy, Yearly};
use crate::area::AreaCode;
use crate::columns::{AREA, DATE, DAYS, FIRST, LAST, NAME, NEGATIVE_DAYS, OVERLAP};
use crate::counts::{Counts, CountsOptions};
use crate::error::{Error, Result};
use crate::estimate::{Estimate, LINES, Selection, estimate};
use crate::plausibility::Plausibility;
use crate::population::{Population, PopulationOptions};
use crate::read::from_epoch_days;
use crate::scenario::Scenario;
use crate::sheet::{Cell, Sheet, write_parquet, write_workbook};
use crate::summary::{AreaSummary, Lines, Summary};
use crate::uncertainty::{Uncertainty, UncertaintyOptions};
use crate::waterfall::Line;

pub use crate::sheet::{CsvStyle, DecimalMark, Delimiter};

/// How a report is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Readable text: the plan's table, per-area lines, calendar years, notes.
    #[default]
    Table,
    /// CSV in a style (delimiter, decimal mark): the summary, or with the daily rows asked
    /// for, the daily rows.
    Csv(CsvStyle),
    /// JSON: the summary, and the daily rows if asked for.
    Json,
    /// An .xlsx workbook (binary): for an estimate the sheets `waterfall` (the plan's table of
    /// the region, then of each area), `summary` (as the CSV summary) and `daily`; for the
    /// population view `percentiles`, `peaks` and `daily`. The daily rows are always in it.
    /// Numbers are numbers and days are Excel dates.
    Xlsx,
    /// A Parquet file (binary) of the daily rows, always, with `date` as a Date column.
    Parquet,
}

impl Format {
    /// Whether the format is binary (xlsx, Parquet): such output belongs in a file, not on a
    /// terminal.
    ///
    /// # Examples
    /// ```
    /// use deltid::report::Format;
    /// assert!(Format::Xlsx.is_binary());
    /// assert!(!Format::Json.is_binary());
    /// ```
    pub fn is_binary(self) -> bool {
        matches!(self, Format::Xlsx | Format::Parquet)
    }
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
    /// Yearly figures by a chosen method, when asked for with [`Report::annualise`].
    pub yearly: Option<Yearly>,
    /// Checks against holiday homes and commercial guest-nights, when the scenario gives
    /// them.
    pub plausibility: Option<Plausibility>,
    /// Intervals from the scenario's parameter ranges and from sampling, when asked for with
    /// [`Report::quantify_uncertainty`].
    pub uncertainty: Option<Uncertainty>,
}

impl Report {
    /// Reads the scenario and the counts (the `counts` path given, else the scenario's; any
    /// file [`Counts::read`] reads, area cells resolved by the scenario's `[area_codes]`),
    /// checks them, estimates and summarises: read → check → estimate → summarise.
    ///
    /// # Errors
    /// [`Error::NoCounts`] if no counts file is given or named by the scenario; every error of
    /// [`Scenario::from_path`], [`Counts::read`], [`estimate()`] and [`Summary::new`].
    ///
    /// # Examples
    /// ```
    /// use deltid::report::{Daily, Format, Report};
    /// use deltid::{CountsOptions, Selection};
    /// let report = Report::run(
    ///     "../../data/hallingdal/plan-2021.toml".as_ref(),
    ///     None,
    ///     &CountsOptions::default(),
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
        options: &CountsOptions,
        selection: &Selection,
    ) -> Result<Report> {
        let scenario = Scenario::from_path(scenario)?;
        let path = counts
            .or(scenario.counts())
            .ok_or_else(|| Error::NoCounts {
                scenario: scenario.path().to_owned(),
            })?;
        let counts = Counts::read(path, options, Some(scenario.area_resolver()))?;
        let estimate = estimate(&scenario, &counts, selection)?;
        let summary = Summary::new(&scenario, &estimate)?;
        let mut report = Report {
            scenario,
            estimate,
            summary,
            yearly: None,
            plausibility: None,
            uncertainty: None,
        };
        report.plausibility = Plausibility::new(&report)?;
        Ok(report)
    }

    /// Adds yearly figures by `method`, with negative days treated by `negative`, shown in the
    /// table and JSON outputs beside the plan's figure.
    ///
    /// # Errors
    /// As [`Yearly::new`].
    pub fn annualise(&mut self, method: Annualisation, negative: NegativePolicy) -> Result<()> {
        self.yearly = Some(Yearly::new(
            &self.estimate,
            self.scenario.calendar(),
            method,
            negative,
        )?);
        Ok(())
    }

    /// Adds the uncertainty of the region's guest-nights (a seeded Monte Carlo over the
    /// scenario's parameter ranges, a sensitivity table and a block-bootstrap sampling
    /// interval), shown in the table and JSON outputs.
    ///
    /// # Errors
    /// As [`Uncertainty::new`].
    ///
    /// # Examples
    /// ```
    /// use deltid::report::Report;
    /// use deltid::uncertainty::UncertaintyOptions;
    /// use deltid::{CountsOptions, Selection};
    /// let mut report = Report::run(
    ///     "../../data/hallingdal/plan-2021.toml".as_ref(),
    ///     None,
    ///     &CountsOptions::default(),
    ///     &Selection::default(),
    /// )?;
    /// report.quantify_uncertainty(&UncertaintyOptions::default())?;
    /// assert!(report.uncertainty.is_some());
    /// # Ok::<(), deltid::Error>(())
    /// ```
    pub fn quantify_uncertainty(&mut self, options: &UncertaintyOptions) -> Result<()> {
        self.uncertainty = Some(Uncertainty::new(
            &self.scenario,
            &self.estimate,
            &self.summary,
            options,
        )?);
        Ok(())
    }

    /// The emergency planners' view of this report, labelled with the scenario's calendar.
    ///
    /// # Errors
    /// As [`Population::new`].
    pub fn population(&self, options: &PopulationOptions) -> Result<Population> {
        Population::new(&self.estimate, &self.scenario, options)
    }

    /// Writes the report in a format; with [`Daily::Include`], CSV holds the daily rows
    /// instead of the summary and JSON holds both, while the table ignores it and xlsx and
    /// Parquet always hold the daily rows.
    ///
    /// # Errors
    /// [`Error::Write`] if the writer fails; [`Error::WriteWorkbook`] if an xlsx workbook
    /// cannot be built.
    ///
    /// # Examples
    /// ```
    /// use deltid::report::{CsvStyle, Daily, DecimalMark, Delimiter, Format, Report};
    /// use deltid::{CountsOptions, Selection};
    /// let report = Report::run(
    ///     "../../data/hallingdal/plan-2021.toml".as_ref(),
    ///     None,
    ///     &CountsOptions::default(),
    ///     &Selection::default(),
    /// )?;
    /// let excel = CsvStyle::new(Delimiter::Semicolon, DecimalMark::Comma)?;
    /// let mut csv = Vec::new();
    /// report.write(Format::Csv(excel), Daily::Omit, &mut csv)?;
    /// assert!(String::from_utf8_lossy(&csv).contains(";46724,0;2803,44;"));
    /// let mut xlsx = Vec::new();
    /// report.write(Format::Xlsx, Daily::Omit, &mut xlsx)?;
    /// assert!(xlsx.starts_with(b"PK")); // a zip archive
    /// # Ok::<(), deltid::Error>(())
    /// ```
    pub fn write(&self, format: Format, daily: Daily, out: impl Write) -> Result<()> {
        match (format, daily) {
            (Format::Table, _) => {
                let mut out = out;
                write_table(&self.summary, &mut out)?;
                if let Some(yearly) = &self.yearly {
                    yearly.write_table(&mut out)?;
                }
                if let Some(plausibility) = &self.plausibility {
                    plausibility.write_table(&mut out)?;
                }
                if let Some(uncertainty) = &self.uncertainty {
                    uncertainty.write_table(&mut out)?;
                }
                Ok(())
            }
            (Format::Csv(style), Daily::Omit) => write_summary_csv(&self.summary, style, out),
            (Format::Csv(style), Daily::Include) => write_daily_csv(&self.estimate, style, out),
            (Format::Json, daily) => write_json(self, daily, out),
            (Format::Xlsx, _) => {
                let days = daily_rows(&self.estimate)?;
                let sheets = [
                    waterfall_sheet(&self.summary),
                    summary_sheet(&self.summary),
                    daily_sheet(&days),
                ];
                write_workbook(&sheets, out)
            }
            (Format::Parquet, _) => write_parquet(&daily_sheet(&daily_rows(&self.estimate)?), out),
        }
    }
}

/// Writes a summary without its daily rows, as [`stream::summarise`](crate::stream::summarise)
/// gives it: the table (as [`write_table`]), CSV (as [`write_summary_csv`]), JSON (one
/// document with the key `summary`, as [`write_json`]) or a workbook with the sheets
/// `waterfall` and `summary`.
///
/// # Errors
/// [`Error::Write`] if the writer fails; [`Error::InvalidSelection`] for
/// [`Format::Parquet`], whose output is the daily rows.
pub fn write_summary(summary: &Summary, format: Format, mut out: impl Write) -> Result<()> {
    match format {
        Format::Table => write_table(summary, out),
        Format::Csv(style) => write_summary_csv(summary, style, out),
        Format::Json => {
            #[derive(Serialize)]
            struct Document<'a> {
                summary: &'a Summary,
            }
            serde_json::to_writer_pretty(&mut out, &Document { summary })
                .map_err(std::io::Error::from)?;
            writeln!(out)?;
            Ok(())
        }
        Format::Xlsx => write_workbook(&[waterfall_sheet(summary), summary_sheet(summary)], out),
        Format::Parquet => Err(Error::InvalidSelection {
            reason: "Parquet output holds the daily rows, which a summary does not keep".to_owned(),
        }),
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
    /// A region day's overlap ratio (the areas' observed summed ÷ the region's own count);
    /// `None` for areas and without a region count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overlap: Option<f64>,
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
        // Only the region frame has it.
        let overlap = frame.column(OVERLAP).ok().map(|c| c.f64()).transpose()?;
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
                overlap: overlap.and_then(|o| o.get(i)),
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
    if !summary.scaling.is_identity() {
        writeln!(
            out,
            "- scaling besides the uplift (Eurostat's MNO terms): {}; the uplift line is present − observed and holds them",
            summary.scaling.describe()
        )?;
    }
    if let Some(overlap) = summary.overlap {
        writeln!(
            out,
            "- {}: observed and present persons from the region's own count, so the region is not the sum of its areas; the areas' counts add up to {overlap:.3} × the region's count on average (a person seen in two areas on a day counts in both); its deductions are the areas' summed",
            region.name
        )?;
    }
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
            "- {}: {} with no count for some area; the region's figures are short on those days (by present share, the areas counted take their usual part of region-level deductions, not the missing areas' part)",
            region.name,
            count(summary.incomplete_region_days, "day"),
        )?;
    }
    for area in summary.areas.iter().chain([region]) {
        if area.negative_days > 0 {
            writeln!(
                out,
                "- {}: {} with more deducted than present, the first on {}, summing to {} nights (negative part-time residents, counted as they are)",
                area.name,
                count(area.negative_days, "day"),
                area.negative_dates
                    .first()
                    .map_or_else(String::new, ToString::to_string),
                persons(area.negative_sum.round() as i64),
            )?;
        }
    }
    Ok(())
}

/// The summary table's columns: the area, coverage, the means per day in persons, the plan's
/// yearly figure in nights, and the plan's table in whole persons.
const SUMMARY_COLUMNS: [&str; 24] = [
    AREA,
    NAME,
    DAYS,
    FIRST,
    LAST,
    "missing_days",
    NEGATIVE_DAYS,
    "mean_observed",
    "mean_uplift",
    "mean_present",
    "mean_residents",
    "mean_commuters",
    "mean_transit",
    "mean_day_visitors",
    "mean_part_time",
    "guest_nights_per_year_plan",
    "table_observed",
    "table_uplift",
    "table_residents",
    "table_commuters",
    "table_transit",
    "table_day_visitors",
    "table_guest_nights_per_day",
    "table_guest_nights_per_year",
];

/// The plan's table as a sheet's columns: the area, the line's label, whole persons by the
/// plan's rounding, the exact value.
const WATERFALL_COLUMNS: [&str; 5] = [AREA, NAME, "line", "persons", "exact"];

/// The eight lines in [`LINES`] order.
fn lines(l: &Lines) -> [f64; 8] {
    [
        l.observed,
        l.uplift,
        l.present,
        l.residents,
        l.commuters,
        l.transit,
        l.day_visitors,
        l.part_time,
    ]
}

/// One row per selected area, then the region (empty `area`), with [`SUMMARY_COLUMNS`].
fn summary_sheet(summary: &Summary) -> Sheet<'_> {
    Sheet {
        name: "summary",
        header: SUMMARY_COLUMNS.to_vec(),
        rows: summary
            .areas
            .iter()
            .chain([&summary.region])
            .map(summary_cells)
            .collect(),
    }
}

/// One area's (or the region's) summary, in [`SUMMARY_COLUMNS`] order.
fn summary_cells(area: &AreaSummary) -> Vec<Cell<'_>> {
    let table = |l: usize| area.waterfall.lines.get(l).map_or(0, |l| l.rounded);
    let mut row = vec![
        Cell::text(area.code.as_ref().map(AreaCode::as_str)),
        Cell::text(Some(&area.name)),
        Cell::Whole(area.days.into()),
        Cell::Date(area.first),
        Cell::Date(area.last),
        Cell::Whole(area.missing_days.into()),
        Cell::Whole(area.negative_days.into()),
    ];
    row.extend(lines(&area.mean).map(Cell::Number));
    row.push(Cell::Number(area.guest_nights_per_year_plan));
    row.extend((0..6).map(|l| Cell::Whole(table(l))));
    row.push(Cell::Whole(
        area.waterfall.line(Line::GuestNightsPerDay).rounded,
    ));
    row.push(Cell::Whole(
        area.waterfall.line(Line::GuestNightsPerYear).rounded,
    ));
    row
}

/// The plan's table of the region, then of each selected area, with [`WATERFALL_COLUMNS`].
fn waterfall_sheet(summary: &Summary) -> Sheet<'_> {
    let rows = [&summary.region]
        .into_iter()
        .chain(&summary.areas)
        .flat_map(|area| {
            area.waterfall.lines.iter().map(|line| {
                vec![
                    Cell::text(area.code.as_ref().map(AreaCode::as_str)),
                    Cell::text(Some(&area.name)),
                    Cell::text(Some(&line.label)),
                    Cell::Whole(line.rounded),
                    Cell::Number(line.exact),
                ]
            })
        })
        .collect();
    Sheet {
        name: "waterfall",
        header: WATERFALL_COLUMNS.to_vec(),
        rows,
    }
}

/// The daily rows: `date, area` (empty for the region), `name`, the eight [`LINES`], and
/// [`OVERLAP`] when the region has its own count.
fn daily_sheet(days: &[DailyRow]) -> Sheet<'_> {
    // The overlap column only when the region has its own count, so other outputs keep their
    // shape.
    let with_overlap = days.iter().any(|d| d.overlap.is_some());
    let rows = days
        .iter()
        .map(|day| {
            let mut row = vec![
                Cell::Date(day.date),
                Cell::text(day.area.as_ref().map(AreaCode::as_str)),
                Cell::text(Some(&day.name)),
            ];
            row.extend(lines(&day.lines).map(Cell::Number));
            if with_overlap {
                row.push(day.overlap.map_or(Cell::Empty, Cell::Number));
            }
            row
        })
        .collect();
    let mut header: Vec<&str> = [DATE, AREA, NAME].into_iter().chain(LINES).collect();
    if with_overlap {
        header.push(OVERLAP);
    }
    Sheet {
        name: "daily",
        header,
        rows,
    }
}

/// Writes the summary as CSV in a style: one row per selected area, then the region (empty
/// `area`).
///
/// Columns: `area, name, days, first, last, missing_days, negative_days`, the means per day in persons
/// (`mean_observed` … `mean_part_time`), `guest_nights_per_year_plan` (nights, mean × 365),
/// and the plan's table in whole persons (`table_observed` … `table_guest_nights_per_year`,
/// deductions negative).
///
/// # Errors
/// [`Error::Write`] if the writer fails.
pub fn write_summary_csv(summary: &Summary, style: CsvStyle, out: impl Write) -> Result<()> {
    summary_sheet(summary).write_csv(style, out)
}

/// Writes the daily rows as CSV in a style: `date, area, name` and the eight lines in persons.
///
/// # Errors
/// [`Error::Write`] if the writer fails; [`Error::Polars`] only on a defect.
pub fn write_daily_csv(estimate: &Estimate, style: CsvStyle, out: impl Write) -> Result<()> {
    daily_sheet(&daily_rows(estimate)?).write_csv(style, out)
}

/// Writes a report as one JSON document with the keys `summary`, and when present `yearly`,
/// `plausibility` and (with [`Daily::Include`]) `daily`.
///
/// # Errors
/// [`Error::Write`] if the writer fails.
pub fn write_json(report: &Report, daily: Daily, mut out: impl Write) -> Result<()> {
    #[derive(Serialize)]
    struct Document<'a> {
        summary: &'a Summary,
        #[serde(skip_serializing_if = "Option::is_none")]
        yearly: Option<&'a Yearly>,
        #[serde(skip_serializing_if = "Option::is_none")]
        plausibility: Option<&'a Plausibility>,
        #[serde(skip_serializing_if = "Option::is_none")]
        uncertainty: Option<&'a Uncertainty>,
        #[serde(skip_serializing_if = "Option::is_none")]
        daily: Option<Vec<DailyRow>>,
    }
    let daily = match daily {
        Daily::Include => Some(daily_rows(&report.estimate)?),
        Daily::Omit => None,
    };
    serde_json::to_writer_pretty(
        &mut out,
        &Document {
            summary: &report.summary,
            yearly: report.yearly.as_ref(),
            plausibility: report.plausibility.as_ref(),
            uncertainty: report.uncertainty.as_ref(),
            daily,
        },
    )
    .map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
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
