//! Every way results are written: readable text, CSV in a chosen style, JSON, an .xlsx
//! workbook, Parquet, and charts. Analyses return data; this module renders it.

mod analyses;
#[cfg(feature = "chart")]
mod chart;
mod compare;
mod origin;
mod population;
mod report;
mod sections;
mod sheet;
mod text;
#[cfg(feature = "chart")]
mod typeset;

use std::io::Write;

use deltid_model::{AreaCode, Estimate, Language, Result, Summary};
use serde::Serialize;

pub use crate::words::persons;
#[cfg(feature = "chart")]
pub use chart::{CHART_WIDTH, ChartFormat, chart_size, write_chart};
pub use compare::{InputKind, input_note, split_note, write_comparison};
pub use origin::{write_origin, write_origin_means, write_origin_with, write_origin_yearly};
pub use population::{PopulationSection, write_population, write_population_section};
pub use report::write_report;
pub use sections::{Section, write_section};
pub use sheet::{CsvStyle, DecimalMark, Delimiter};
pub use text::{write_summary_table, write_summary_table_in};

use crate::analysis::{Protection, Validation, daily_rows};
use crate::catalogue;
use crate::record::RunRecord;
use crate::run::Run;
use sheet::{Cell, Sheet, write_parquet, write_workbook};

/// How a result is written.
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
    /// the region, then of each area), `summary` (as the CSV summary), a sheet per
    /// [`Section`] the run has (`calendar_years`, `yearly`, …, `notes`), `daily` and `run`; for the
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
    /// use deltid::output::Format;
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

/// Writes a run in a format; with [`Daily::Include`], CSV holds the daily rows instead of the
/// summary and JSON holds both, while the table ignores it and xlsx and Parquet always hold
/// the daily rows. The run record ([`Run::record`]) is the table's footer, the `run` object of
/// JSON and the `run` sheet of xlsx; CSV and Parquet have no room for it (write it beside them
/// with [`write_record`]).
///
/// Every section the text has is in JSON (`summary` with the calendar years, `yearly`,
/// `uncertainty`, `plausibility`, `notes`) and in the workbook (a sheet per [`Section`] the
/// run has, between `summary` and `daily`); a CSV file is one table, the summary or the daily
/// rows: write each [`Section`] of [`Section::of`] beside it with [`write_section`].
///
/// # Errors
/// [`Error::Write`](deltid_model::Error::Write) if the writer fails;
/// [`Error::WriteWorkbook`](deltid_model::Error::WriteWorkbook) if an xlsx workbook cannot be
/// built; [`Error::WriteParquet`](deltid_model::Error::WriteParquet) if a Parquet file cannot.
///
/// # Examples
/// ```
/// use deltid::output::{write_run, CsvStyle, Daily, DecimalMark, Delimiter, Format};
/// use deltid::{CountsOptions, Run, Selection};
/// let run = Run::new(
///     "../../data/hallingdal/plan-2021.toml".as_ref(),
///     None,
///     &CountsOptions::default(),
///     &Selection::default(),
/// )?;
/// let mut text = Vec::new();
/// write_run(&run, Format::Table, Daily::Omit, &mut text)?;
/// assert!(String::from_utf8_lossy(&text).contains("9 682 355"));
/// let excel = CsvStyle::new(Delimiter::Semicolon, DecimalMark::Comma)?;
/// let mut csv = Vec::new();
/// write_run(&run, Format::Csv(excel), Daily::Omit, &mut csv)?;
/// assert!(String::from_utf8_lossy(&csv).contains(";46724,0;2803,44"));
/// # Ok::<(), deltid::Error>(())
/// ```
pub fn write_run(run: &Run, format: Format, daily: Daily, mut out: impl Write) -> Result<()> {
    let protection = run.protection();
    match (format, daily) {
        (Format::Table, _) => {
            let lang = run.language();
            text::write_summary_protected(run.summary(), lang, protection, &mut out)?;
            if let Some(sheet) = run.sheet() {
                // The last of the table's notes: which sheet of a workbook was read.
                writeln!(out, "- {}", sections::sheet_note(lang, sheet))?;
            }
            if let Some(yearly) = published_yearly(run) {
                analyses::write_yearly(&yearly, lang, &mut out)?;
            }
            if let Some(plausibility) = published(run, run.plausibility()) {
                analyses::write_plausibility(plausibility, lang, &mut out)?;
            }
            if let Some(uncertainty) = published(run, run.uncertainty()) {
                analyses::write_uncertainty(uncertainty, lang, &mut out)?;
            }
            write_record_footer(run.record(), run.language(), &mut out)
        }
        (Format::Csv(style), Daily::Omit) => {
            summary_sheet(run.summary(), run.language(), protection).write_csv(style, out)
        }
        (Format::Csv(style), Daily::Include) => {
            daily_sheet(run.estimate(), run.language(), protection).write_csv(style, out)
        }
        (Format::Json, daily) => write_json(run, daily, out),
        (Format::Xlsx, _) => {
            let mut sheets = vec![
                table_sheet(run.summary(), run.language(), protection),
                summary_sheet(run.summary(), run.language(), protection),
            ];
            sheets.extend(
                Section::of(run)
                    .into_iter()
                    .map(|s| sections::section_sheet(run, s)),
            );
            sheets.push(daily_sheet(run.estimate(), run.language(), protection));
            sheets.push(record_sheet(run.record(), run.language()));
            write_workbook(sheets, out)
        }
        (Format::Parquet, _) => {
            write_parquet(daily_sheet(run.estimate(), run.language(), protection), out)
        }
    }
}

/// The run's yearly figures as published (suppressed figures NaN, the others rounded; a
/// year's filled total NaN where the model may not fill and days are missing, as the tables
/// leave it out).
pub(super) fn published_yearly(run: &Run) -> Option<crate::analysis::Yearly> {
    let yearly = run.yearly()?;
    let mut yearly = match run.protection() {
        Some(p) => p.yearly(yearly, run.estimate().region_rule()),
        None => yearly.clone(),
    };
    for area in yearly.areas.iter_mut().chain([&mut yearly.region]) {
        if !area.fills {
            for year in area.years.iter_mut() {
                if year.days_observed != year.days_in_year {
                    year.filled = f64::NAN;
                }
            }
        }
    }
    Some(yearly)
}

/// An analysis made from every area's days (plausibility, uncertainty): left out when small-
/// count protection suppresses anything (its figures would mix suppressed cells in).
pub(super) fn published<'a, T>(run: &Run, analysis: Option<&'a T>) -> Option<&'a T> {
    analysis.filter(|_| run.protection().is_none_or(|p| !p.any()))
}

/// Writes a run record as JSON (the fields of [`RunRecord`]): the sidecar `FILE.run.json`
/// written beside CSV and Parquet outputs, which have no room for it.
///
/// # Errors
/// [`Error::Write`](deltid_model::Error::Write) if the writer fails.
pub fn write_record(record: &RunRecord, mut out: impl Write) -> Result<()> {
    serde_json::to_writer_pretty(&mut out, record).map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}

/// The run record as the table's footer: one `- field: value` line each.
pub(crate) fn write_record_footer(
    record: &RunRecord,
    language: Language,
    mut out: impl Write,
) -> Result<()> {
    writeln!(out, "\n{}", catalogue::text(language, "text.run_record"))?;
    for (field, value) in record.lines() {
        writeln!(out, "- {field}: {value}")?;
    }
    Ok(())
}

/// The run record as a sheet `run` of two columns, `field` and `value`.
pub(crate) fn record_sheet<'a>(record: &RunRecord, language: Language) -> Sheet<'a> {
    let rows = record
        .lines()
        .into_iter()
        .map(|(field, value)| vec![Cell::Text(field.into()), Cell::Text(value.into())])
        .collect();
    Sheet::of("run", columns(language, &["field", "value"]), rows)
}

/// Writes a data-quality report: a readable table, JSON (the fields of [`Validation`]), CSV
/// of its findings (one row per error, or else per warning: `file, line, area, date, kind,
/// message`, see [`Validation::findings`]), or a workbook with the sheets `findings` (as the
/// CSV) and `areas` (each area's coverage: days, first and last day, missing and zero days,
/// level shifts, outliers).
///
/// # Errors
/// [`Error::Write`](deltid_model::Error::Write) if the writer fails;
/// [`Error::WriteWorkbook`](deltid_model::Error::WriteWorkbook) if a workbook cannot be built;
/// [`Error::InvalidOption`](deltid_model::Error::InvalidOption) for Parquet.
pub fn write_validation(
    validation: &Validation,
    format: Format,
    mut out: impl Write,
) -> Result<()> {
    match format {
        Format::Table => analyses::write_validation(validation, out),
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, validation).map_err(std::io::Error::from)?;
            writeln!(out)?;
            Ok(())
        }
        Format::Csv(style) => findings_sheet(validation).write_csv(style, out),
        Format::Xlsx => write_workbook(
            vec![findings_sheet(validation), areas_sheet(validation)],
            out,
        ),
        Format::Parquet => Err(deltid_model::Error::InvalidOption {
            option: "format".to_owned(),
            reason: "a data-quality report is written as a table, CSV, JSON or xlsx".to_owned(),
        }),
    }
}

/// The findings of a data-quality report, one row each.
fn findings_sheet(validation: &Validation) -> Sheet<'_> {
    let rows = validation
        .findings()
        .iter()
        .map(|f| {
            vec![
                Cell::Text(f.file.display().to_string().into()),
                Cell::text(f.line.as_deref()),
                Cell::text(f.area.as_deref()),
                f.date.map_or(Cell::Empty, Cell::Date),
                Cell::Text(f.kind.into()),
                Cell::Text(f.message.as_str().into()),
            ]
        })
        .collect();
    Sheet::of(
        "findings",
        columns(
            Language::English,
            &["file", "line", "area", "date", "kind", "message"],
        ),
        rows,
    )
}

/// Each area's coverage in a data-quality report.
fn areas_sheet(validation: &Validation) -> Sheet<'_> {
    let rows = validation
        .areas
        .iter()
        .map(|a| {
            vec![
                Cell::Text(a.code.as_str().into()),
                Cell::Text(a.name.as_str().into()),
                Cell::Whole(a.days.into()),
                a.first.map_or(Cell::Empty, Cell::Date),
                a.last.map_or(Cell::Empty, Cell::Date),
                Cell::Whole(a.missing_days.into()),
                Cell::Whole(a.zero_days.into()),
                Cell::Whole(a.level_shifts.len() as i64),
                Cell::Whole(a.outliers.len() as i64),
            ]
        })
        .collect();
    Sheet::of(
        "areas",
        [
            "area",
            "name",
            "days",
            "first",
            "last",
            "missing_days",
            "zero_days",
            "level_shifts",
            "outliers",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    )
}

/// The summary's columns: the area, coverage, the means per day in persons, the plan's yearly
/// figure in nights, and the plan's table in whole persons.
const SUMMARY_COLUMNS: [&str; 24] = [
    "area",
    "name",
    "days",
    "first",
    "last",
    "missing_days",
    "negative_days",
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
const TABLE_COLUMNS: [&str; 5] = ["area", "name", "line", "persons", "exact"];

/// Column names in `language`.
pub(crate) fn columns(language: Language, keys: &[&'static str]) -> Vec<String> {
    keys.iter()
        .map(|k| catalogue::column(language, k).to_owned())
        .collect()
}

/// A figure of persons as a cell under protection: [`Cell::Suppressed`] or the value rounded
/// to the base.
fn number(protection: Option<&Protection>, value: f64, hidden: bool) -> Cell<'static> {
    match protection {
        _ if hidden => Cell::Suppressed,
        Some(p) => Cell::Number(p.rule().round(value)),
        None => Cell::Number(value),
    }
}

/// A whole figure of persons as a cell under protection.
fn whole(protection: Option<&Protection>, value: i64, hidden: bool) -> Cell<'static> {
    match protection {
        _ if hidden => Cell::Suppressed,
        Some(p) => Cell::Whole(p.rule().round(value as f64) as i64),
        None => Cell::Whole(value),
    }
}

/// One row per selected area, then the region (empty `area`), with [`SUMMARY_COLUMNS`] (and
/// `suppressed`, whether the row's figures are, under protection).
fn summary_sheet<'a>(
    summary: &'a Summary,
    language: Language,
    protection: Option<&'a Protection>,
) -> Sheet<'a> {
    // Row by row as written: a national run has a row per area.
    let rows = summary
        .areas()
        .iter()
        .chain([summary.region()])
        .map(move |area| {
            let hidden = protection.is_some_and(|p| p.is_mean_suppressed(area.code()));
            let table = area.table();
            // One allocation a row: a national run writes a row per area.
            let mut row = Vec::with_capacity(SUMMARY_COLUMNS.len() + 1);
            row.extend([
                Cell::text(area.code().map(AreaCode::as_str)),
                Cell::text(Some(area.name())),
                Cell::Whole(area.days().into()),
                area.first().map_or(Cell::Empty, Cell::Date),
                area.last().map_or(Cell::Empty, Cell::Date),
                Cell::Whole(area.missing_days().into()),
                Cell::Whole(area.negative_days().into()),
            ]);
            row.extend(
                area.mean()
                    .to_array()
                    .map(|v| number(protection, v, hidden)),
            );
            row.push(number(
                protection,
                area.guest_nights_per_year_plan(),
                hidden,
            ));
            row.extend(
                table
                    .lines
                    .iter()
                    .map(|l| whole(protection, l.rounded, hidden)),
            );
            if protection.is_some() {
                row.push(Cell::Text(if hidden { "true" } else { "false" }.into()));
            }
            row
        });
    let mut header = columns(language, &SUMMARY_COLUMNS);
    if protection.is_some() {
        header.push(catalogue::column(language, "suppressed").to_owned());
    }
    Sheet::streamed("summary", header, rows)
}

/// The plan's table of the region, then of each selected area, with [`TABLE_COLUMNS`].
fn table_sheet<'a>(
    summary: &'a Summary,
    language: Language,
    protection: Option<&'a Protection>,
) -> Sheet<'a> {
    let rows = [summary.region()]
        .into_iter()
        .chain(summary.areas())
        .flat_map(|area| {
            let hidden = protection.is_some_and(|p| p.is_mean_suppressed(area.code()));
            area.table().lines.into_iter().map(move |line| {
                vec![
                    Cell::text(area.code().map(AreaCode::as_str)),
                    Cell::text(Some(area.name())),
                    Cell::Text(text::table_label(language, &line, summary).into()),
                    whole(protection, line.rounded, hidden),
                    number(protection, line.exact, hidden),
                ]
            })
        })
        .collect();
    Sheet::of("waterfall", columns(language, &TABLE_COLUMNS), rows)
}

/// The daily rows: `date, area` (empty for the region), `name`, the eight lines, and
/// `overlap` when the region has its own count; made as they are written.
fn daily_sheet<'a>(
    estimate: &'a Estimate,
    language: Language,
    protection: Option<&'a Protection>,
) -> Sheet<'a> {
    // The overlap column only when the region has its own count, so other outputs keep their
    // shape.
    let with_overlap = estimate.region_rule() == deltid_model::RegionRule::OwnCount;
    let mut header: Vec<&'static str> = vec!["date", "area", "name"];
    header.extend(deltid_model::Line::ALL.map(|l| l.key()));
    if with_overlap {
        header.push("overlap");
    }
    if protection.is_some() {
        header.push("suppressed");
    }
    let header = columns(language, &header);
    let rows = daily_rows(estimate).map(move |day| {
        let hidden = protection.is_some_and(|p| p.is_day_suppressed(day.area.as_ref(), day.date));
        let mut row = vec![
            Cell::Date(day.date),
            day.area
                .as_ref()
                .map_or(Cell::Empty, |a| Cell::Text(a.to_string().into())),
            Cell::Text(day.name.into()),
        ];
        row.extend(day.lines.to_array().map(|v| number(protection, v, hidden)));
        if with_overlap {
            row.push(match day.overlap {
                _ if hidden => Cell::Suppressed,
                Some(overlap) => Cell::Number(overlap),
                None => Cell::Empty,
            });
        }
        if protection.is_some() {
            row.push(Cell::Text(if hidden { "true" } else { "false" }.into()));
        }
        row
    });
    Sheet {
        name: "daily",
        header,
        rows: Box::new(rows),
    }
}

/// Writes a run as one JSON document with the keys `summary`, and when present `yearly`,
/// `plausibility`, `uncertainty`, then `notes`, (with [`Daily::Include`]) `daily`, then
/// `disclosure` (under small-count protection) and `run` (the [`RunRecord`]).
///
/// Under protection a suppressed figure is `null` (never 0), each area's summary and each
/// daily row carry `suppressed`, and the other person figures are rounded to the base.
fn write_json(run: &Run, daily: Daily, mut out: impl Write) -> Result<()> {
    use serde_json::Value;
    #[derive(Serialize)]
    struct Document<'a> {
        summary: Value,
        /// The sheet read, when the counts came from a workbook.
        #[serde(skip_serializing_if = "Option::is_none")]
        sheet: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        yearly: Option<crate::analysis::Yearly>,
        #[serde(skip_serializing_if = "Option::is_none")]
        plausibility: Option<&'a crate::analysis::Plausibility>,
        #[serde(skip_serializing_if = "Option::is_none")]
        uncertainty: Option<&'a crate::analysis::Uncertainty>,
        /// The run's notes in its language, as the text and the `notes` sheet give them.
        notes: Vec<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        daily: Option<Vec<Value>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        disclosure: Option<Value>,
        run: &'a RunRecord,
    }
    let protection = run.protection();
    let json = |v: serde_json::Result<Value>| v.map_err(std::io::Error::from);
    let mut summary = json(serde_json::to_value(run.summary()))?;
    if let Some(p) = protection {
        let areas = run.summary().areas().iter().chain([run.summary().region()]);
        let mut values: Vec<&mut Value> = Vec::new();
        if let Value::Object(map) = &mut summary {
            let mut region = None;
            for (key, value) in map.iter_mut() {
                match (key.as_str(), value) {
                    ("areas", Value::Array(list)) => values.extend(list.iter_mut()),
                    ("region", value) => region = Some(value),
                    _ => {}
                }
            }
            values.extend(region);
        }
        for (value, area) in values.into_iter().zip(areas) {
            protect_area(value, p, area.code());
        }
    }
    let daily = if daily == Daily::Include {
        let mut rows = Vec::new();
        for row in daily_rows(run.estimate()) {
            let mut value = json(serde_json::to_value(&row))?;
            if let (Some(p), Value::Object(map)) = (protection, &mut value) {
                let hidden = p.is_day_suppressed(row.area.as_ref(), row.date);
                for line in deltid_model::Line::ALL {
                    if let Some(v) = map.get_mut(line.key()) {
                        *v = published_number(p, v, hidden);
                    }
                }
                if hidden && map.contains_key("overlap") {
                    map.insert("overlap".to_owned(), Value::Null);
                }
                map.insert("suppressed".to_owned(), Value::Bool(hidden));
            }
            rows.push(value);
        }
        Some(rows)
    } else {
        None
    };
    let disclosure = protection.map(|p| {
        serde_json::json!({
            "min_count": p.rule().min_count(),
            "rounding": p.rule().rounding(),
            "primary": p.primary(),
            "secondary": p.secondary(),
            "notes": text::disclosure_notes(run.language(), p),
        })
    });
    serde_json::to_writer_pretty(
        &mut out,
        &Document {
            summary,
            sheet: run.sheet(),
            yearly: published_yearly(run),
            plausibility: published(run, run.plausibility()),
            uncertainty: published(run, run.uncertainty()),
            notes: sections::run_notes(run),
            daily,
            disclosure,
            run: run.record(),
        },
    )
    .map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}

/// A JSON number as published: `null` when suppressed, else rounded to the base.
fn published_number(
    protection: &Protection,
    value: &serde_json::Value,
    hidden: bool,
) -> serde_json::Value {
    match value.as_f64() {
        _ if hidden => serde_json::Value::Null,
        Some(v) => serde_json::json!(protection.rule().round(v)),
        None => value.clone(),
    }
}

/// An area's (or the region's) summary in JSON under protection: its means, table and plan's
/// yearly figure `null` when its mean is suppressed, its calendar years and negative-day sum
/// when its aggregates are; the rest rounded; and `suppressed` with both.
fn protect_area(value: &mut serde_json::Value, protection: &Protection, code: Option<&AreaCode>) {
    use serde_json::Value;
    let mean = protection.is_mean_suppressed(code);
    let sums = protection.is_aggregate_suppressed(code, false);
    let Value::Object(map) = value else {
        return;
    };
    for (key, value) in map.iter_mut() {
        match key.as_str() {
            "mean" => {
                if let Value::Object(lines) = value {
                    for v in lines.values_mut() {
                        *v = published_number(protection, v, mean);
                    }
                }
            }
            "mean_foreign" | "guest_nights_per_year_plan" => {
                *value = published_number(protection, value, mean);
            }
            "negative_sum" => *value = published_number(protection, value, sums),
            "table" => {
                if let Some(Value::Array(lines)) = value.get_mut("lines") {
                    for line in lines.iter_mut().filter_map(Value::as_object_mut) {
                        for key in ["rounded", "exact"] {
                            if let Some(v) = line.get_mut(key) {
                                *v = published_number(protection, v, mean);
                            }
                        }
                    }
                }
            }
            "calendar_years" => {
                if let Value::Array(years) = value {
                    for year in years.iter_mut().filter_map(Value::as_object_mut) {
                        if let Some(v) = year.get_mut("guest_nights") {
                            *v = published_number(protection, v, sums);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    map.insert(
        "suppressed".to_owned(),
        serde_json::json!({ "mean": mean, "aggregates": sums }),
    );
}
