//! The three ways to guest-nights side by side (see [`Comparison`]), written: text, a table
//! (CSV, xlsx, Parquet) and JSON.

use std::io::Write;

use deltid_model::{Bounds, Language, Result, Scenario};
use serde_json::{Value, json};

use super::Format;
use super::origin::{mean, tenths};
use super::sheet::{Cell, Sheet, write_parquet, write_workbook};
use super::text::{bounds_words, right_align, table};
use crate::analysis::{CompareRow, Comparison};
use crate::catalogue::text;

/// What a counts file was read as, for the note on standard error that names each input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// Daily counts, estimated by the plan's residual.
    Daily,
    /// Hourly counts, reduced to nights.
    Hourly,
    /// Counts split by origin.
    Split,
}

/// A note naming what the counts file `path` was read as, in `language`:
/// `counts.csv: hourly counts, reduced to nights`.
pub fn input_note(language: Language, path: &std::path::Path, kind: InputKind) -> String {
    let key = match kind {
        InputKind::Daily => "read.daily",
        InputKind::Hourly => "read.hourly",
        InputKind::Split => "read.split",
    };
    crate::catalogue::fill(language, key, &[("path", &path.display().to_string())])
}

/// A note on counts split by origin read from `path`, in `language`: `rows` rows of the
/// split's `settings` read as `area_days` area-days, each figure given as bounds.
pub fn split_note(
    language: Language,
    path: &std::path::Path,
    settings: &deltid_model::OriginSettings,
    rows: usize,
    area_days: usize,
) -> String {
    crate::catalogue::fill(
        language,
        "read.split_rows",
        &[
            ("path", &path.display().to_string()),
            ("rows", &crate::catalogue::rows(language, rows)),
            (
                "kind",
                text(
                    language,
                    &format!("origin.kind_{}", settings.kind.key().replace('-', "_")),
                ),
            ),
            ("k", &super::text::trim_number(language, settings.min_count)),
            ("days", &crate::catalogue::area_days(language, area_days)),
        ],
    )
}

/// Columns of the table: one row per area (empty for the region) and date.
const COLUMNS: [&str; 14] = [
    "date",
    "area",
    "name",
    "residual",
    "deducted",
    "night",
    "home_zone_low",
    "home_zone_high",
    "home_zone_high_excluded",
    "residual_minus_night",
    "daytime_excess",
    "night_minus_home_zone_low",
    "night_minus_home_zone_low_excluded",
    "night_minus_home_zone_high",
];

/// Dates up to which text shows every date; beyond, the means per area over the rows.
const DATES_SHOWN: usize = 7;

/// Writes a comparison in `format`: text (per area and date, or means per area over the
/// compared dates, with the differences named), a table of every row (CSV, xlsx, Parquet:
/// `date, area, name, residual, deducted, night, home_zone_low, home_zone_high,
/// home_zone_high_excluded, residual_minus_night, daytime_excess, night_minus_home_zone_low,
/// night_minus_home_zone_low_excluded, night_minus_home_zone_high`; empty where a figure is
/// not given; `..._excluded` true where suppressed cells leave that bound itself out, as in
/// "500 to under 515"), or JSON (bounds with `low_excluded` and `high_excluded`).
///
/// # Errors
/// [`Error::Write`](deltid_model::Error::Write) if the writer fails; a workbook's or Parquet
/// file's error.
pub fn write_comparison(
    comparison: &Comparison,
    scenario: &Scenario,
    format: Format,
    language: Language,
    mut out: impl Write,
) -> Result<()> {
    match format {
        Format::Table => write_text(comparison, scenario, language, out),
        Format::Csv(style) => sheet(comparison, scenario, language).write_csv(style, out),
        Format::Xlsx => write_workbook(vec![sheet(comparison, scenario, language)], out),
        Format::Parquet => write_parquet(sheet(comparison, scenario, language), out),
        Format::Json => {
            let rows: Vec<Value> = comparison
                .rows()
                .iter()
                .map(|r| {
                    let b = |b: Option<Bounds>| {
                        b.map(|b| json!({"low": b.low, "high": b.high, "exact": b.is_exact(), "low_excluded": b.low_open, "high_excluded": b.high_open}))
                    };
                    json!({
                        "date": r.date.to_string(),
                        "area": r.area.map(|a| scenario.areas()[a].code.to_string()),
                        "residual": r.residual,
                        "deducted": r.deducted,
                        "night": r.night,
                        "home_zone": b(r.home_zone),
                        "residual_minus_night": r.residual_minus_night(),
                        "daytime_excess": r.daytime_excess(),
                        "night_minus_home_zone": b(r.night_minus_home_zone()),
                    })
                })
                .collect();
            let value = json!({"comparison": rows, "notes": [text(language, "compare.note")]});
            serde_json::to_writer_pretty(&mut out, &value).map_err(std::io::Error::from)?;
            writeln!(out)?;
            Ok(())
        }
    }
}

fn name(scenario: &Scenario, language: Language, area: Option<usize>) -> String {
    area.map_or_else(
        || text(language, "text.region").to_owned(),
        |a| scenario.areas()[a].name.clone(),
    )
}

fn write_text(
    comparison: &Comparison,
    scenario: &Scenario,
    language: Language,
    mut out: impl Write,
) -> Result<()> {
    let rows = comparison.rows();
    let dates: std::collections::BTreeSet<_> = rows.iter().map(|r| r.date).collect();
    // How many of the three estimates are compared: two or three.
    let given = [
        rows.iter().any(|r| r.residual.is_some()),
        rows.iter().any(|r| r.night.is_some()),
        rows.iter().any(|r| r.home_zone.is_some()),
    ];
    let ways = if given.iter().all(|&g| g) {
        "compare.ways_3"
    } else {
        "compare.ways_2"
    };
    writeln!(
        out,
        "{}",
        crate::catalogue::fill(
            language,
            "compare.title",
            &[
                ("region", scenario.name()),
                ("ways", text(language, ways)),
                ("dates", &crate::catalogue::dates(language, dates.len())),
            ]
        )
    )?;
    writeln!(out)?;
    let every = dates.len() <= DATES_SHOWN;
    let mut grid = table();
    let mut header: Vec<String> = [
        "compare.head_area",
        "compare.head_residual",
        "compare.head_deducted",
        "compare.head_night",
        "compare.head_home_zone",
        "compare.head_residual_minus_night",
        "compare.head_daytime_excess",
        "compare.head_night_minus_home_zone",
    ]
    .iter()
    .map(|k| text(language, k).to_owned())
    .collect();
    if every {
        header.insert(0, text(language, "origin.head_date").to_owned());
    }
    grid.set_header(header);
    let show = |group: &[&CompareRow]| -> Vec<String> {
        let n = group.len();
        let plain = |f: &dyn Fn(&CompareRow) -> Option<f64>| {
            let values: Vec<f64> = group.iter().filter_map(|r| f(r)).collect();
            if values.len() == n && n > 0 {
                tenths(language, values.iter().sum::<f64>() / n as f64)
            } else {
                "–".to_owned()
            }
        };
        let bounded = |f: &dyn Fn(&CompareRow) -> Option<Bounds>| {
            let values: Vec<Bounds> = group.iter().filter_map(|r| f(r)).collect();
            if values.len() == n && n > 0 {
                bounds_words(language, &mean(&values))
            } else {
                "–".to_owned()
            }
        };
        vec![
            plain(&|r| r.residual),
            plain(&|r| r.deducted),
            plain(&|r| r.night),
            bounded(&|r| r.home_zone),
            plain(&CompareRow::residual_minus_night),
            plain(&CompareRow::daytime_excess),
            bounded(&CompareRow::night_minus_home_zone),
        ]
    };
    if every {
        for row in rows {
            let mut cells = vec![row.date.to_string(), name(scenario, language, row.area)];
            cells.extend(show(&[row]));
            grid.add_row(cells);
        }
    } else {
        writeln!(out, "{}", text(language, "compare.means"))?;
        let mut areas: Vec<Option<usize>> = rows.iter().map(|r| r.area).collect();
        areas.sort_by_key(|a| a.map_or(usize::MAX, |a| a));
        areas.dedup();
        for area in areas {
            let group: Vec<&CompareRow> = rows.iter().filter(|r| r.area == area).collect();
            let mut cells = vec![name(scenario, language, area)];
            cells.extend(show(&group));
            grid.add_row(cells);
        }
    }
    right_align(&mut grid, if every { 2 } else { 1 });
    writeln!(out, "{grid}")?;
    writeln!(out)?;
    writeln!(out, "{}", text(language, "text.notes"))?;
    writeln!(out, "- {}", text(language, "compare.note"))?;
    Ok(())
}

fn sheet<'a>(comparison: &Comparison, scenario: &Scenario, language: Language) -> Sheet<'a> {
    let number = |v: Option<f64>| v.map_or(Cell::Empty, Cell::Number);
    let flag = |v: Option<bool>| {
        v.map_or(Cell::Empty, |open| {
            Cell::Text(if open { "true" } else { "false" }.into())
        })
    };
    let rows = comparison
        .rows()
        .iter()
        .map(|r| {
            let (code, area_name) = match r.area {
                Some(a) => (
                    Cell::Text(scenario.areas()[a].code.to_string().into()),
                    Cell::Text(scenario.areas()[a].name.clone().into()),
                ),
                None => (Cell::Empty, Cell::Empty),
            };
            let diff = r.night_minus_home_zone();
            vec![
                Cell::Date(r.date),
                code,
                area_name,
                number(r.residual),
                number(r.deducted),
                number(r.night),
                number(r.home_zone.map(|b| b.low)),
                number(r.home_zone.map(|b| b.high)),
                flag(r.home_zone.map(|b| b.high_open)),
                number(r.residual_minus_night()),
                number(r.daytime_excess()),
                number(diff.map(|b| b.low)),
                flag(diff.map(|b| b.low_open)),
                number(diff.map(|b| b.high)),
            ]
        })
        .collect();
    Sheet::of("comparison", super::columns(language, &COLUMNS), rows)
}
