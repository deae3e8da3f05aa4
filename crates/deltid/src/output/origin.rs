//! Counts split by origin, written: text, a tidy table (CSV, xlsx, Parquet) and JSON. Every
//! figure is shown as its bounds (exact where they meet) beside multimno's convention
//! (suppressed = 0); see [`deltid_model::origin`] for what each figure is.

use std::io::Write;

use chrono::NaiveDate;
use deltid_model::{
    Bounds, GuestNight, Language, OriginDay, OriginEstimate, OriginKind, Result, Scenario,
};
use serde_json::{Value, json};

use super::Format;
use super::sheet::{Cell, Sheet, write_parquet, write_workbook};
use super::text::{bounds_words, right_align, table};
use crate::analysis::{MIN_SEASON_MONTH_DAYS, MIN_SEASON_MONTHS, SplitYearly};
use crate::catalogue::{self, fill, text};
use crate::record::RunRecord;

/// Columns of the tidy table: one row per date, area and figure.
const COLUMNS: [&str; 10] = [
    "date",
    "area",
    "name",
    "figure",
    "low",
    "high",
    "exact",
    "high_excluded",
    "low_excluded",
    "zero_filled",
];

/// Dates up to which text shows every day; beyond, the means per area.
const DAYS_SHOWN: usize = 14;

/// Writes what a split by origin gives in `format`: text (per area and day, or the means per
/// area for many days, guest-nights and notes), a tidy table of every figure's bounds (CSV,
/// xlsx, Parquet: `date, area, name, figure, low, high, exact, high_excluded, low_excluded, zero_filled`;
/// figures `total`, `suppressed`, `local`, `elsewhere`, `foreign`, `residents_away`,
/// `guest_nights`, with the guest-nights of the previous-night origin at the night's evening
/// date and the region's with an empty area; the workbook has a second sheet, `origin_means`,
/// of the per-area means the text shows, which CSV and Parquet give in a file of their own:
/// [`write_origin_means`]), or JSON.
///
/// The run record ([`RunRecord::of_split`]) is the text's footer, the workbook's `run` sheet
/// and the JSON's `run` object; beside CSV and Parquet it is the caller's to write
/// ([`write_record`](super::write_record)).
///
/// # Errors
/// [`Error::Write`](deltid_model::Error::Write) if the writer fails; a workbook's or Parquet
/// file's error.
pub fn write_origin(
    estimate: &OriginEstimate,
    scenario: &Scenario,
    record: &RunRecord,
    format: Format,
    language: Language,
    out: impl Write,
) -> Result<()> {
    write_origin_with(estimate, None, scenario, record, format, language, out)
}

/// [`write_origin`] with guest-nights per year ([`SplitYearly`]) where given: a section of
/// the text, the workbook's sheet `origin_yearly`, `yearly` in JSON; CSV and Parquet hold one
/// table, so theirs is written apart by [`write_origin_yearly`].
///
/// # Errors
/// As [`write_origin`].
pub fn write_origin_with(
    estimate: &OriginEstimate,
    yearly: Option<&SplitYearly>,
    scenario: &Scenario,
    record: &RunRecord,
    format: Format,
    language: Language,
    mut out: impl Write,
) -> Result<()> {
    match format {
        Format::Table => {
            write_text(estimate, scenario, language, &mut out)?;
            if let Some(yearly) = yearly {
                write_yearly_text(yearly, scenario, language, &mut out)?;
            }
            super::write_record_footer(record, language, out)
        }
        Format::Csv(style) => sheet(estimate, scenario, language).write_csv(style, out),
        Format::Xlsx => {
            let mut sheets = vec![
                sheet(estimate, scenario, language),
                means_sheet(estimate, scenario, language),
            ];
            if let Some(yearly) = yearly {
                sheets.push(yearly_sheet(yearly, scenario, language));
            }
            sheets.push(super::record_sheet(record, language));
            write_workbook(sheets, out)
        }
        Format::Parquet => write_parquet(sheet(estimate, scenario, language), out),
        Format::Json => {
            let mut value = json_of(estimate, scenario, language);
            if let Some(yearly) = yearly {
                value["yearly"] = yearly_json(yearly, scenario);
            }
            value["run"] = serde_json::to_value(record).map_err(std::io::Error::from)?;
            serde_json::to_writer_pretty(&mut out, &value).map_err(std::io::Error::from)?;
            writeln!(out)?;
            Ok(())
        }
    }
}

/// A figure of persons to a tenth, thousands spaced, in the language's decimal mark.
pub(crate) fn tenths(language: Language, value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0 + 0.0;
    let whole = crate::words::persons(rounded.trunc() as i64);
    let tenth = ((rounded.abs() * 10.0).round() as i64) % 10;
    let sign = if rounded < 0.0 && rounded.trunc() == 0.0 {
        "-"
    } else {
        ""
    };
    let mark = if language.decimal_comma() { ',' } else { '.' };
    format!("{sign}{whole}{mark}{tenth}")
}

/// The word for the local part of a kind.
fn local_word(language: Language, kind: OriginKind) -> &'static str {
    text(
        language,
        match kind {
            OriginKind::PreviousNight => "origin.local_previous_night",
            OriginKind::Home => "origin.local_home",
            OriginKind::SimCountry => "origin.local_sim",
        },
    )
}

/// The mean bounds of some bounds.
pub(crate) fn mean(all: &[Bounds]) -> Bounds {
    let n = all.len().max(1) as f64;
    let sum = all.iter().fold(Bounds::exact(0.0), |acc, b| acc.plus(*b));
    Bounds {
        low: sum.low / n,
        high: sum.high / n,
        ..sum
    }
}

fn write_text(
    estimate: &OriginEstimate,
    scenario: &Scenario,
    language: Language,
    mut out: impl Write,
) -> Result<()> {
    let settings = estimate.settings();
    let kind = settings.kind;
    let k = super::text::trim_number(language, settings.min_count);
    let days = estimate.days();
    writeln!(
        out,
        "{}",
        fill(
            language,
            "origin.title",
            &[
                ("region", scenario.name()),
                (
                    "kind",
                    text(
                        language,
                        &format!("origin.kind_{}", kind.key().replace('-', "_"))
                    )
                ),
                ("k", &k),
            ]
        )
    )?;
    let dates: std::collections::BTreeSet<NaiveDate> = days.iter().map(|d| d.date).collect();
    let (Some(first), Some(last)) = (dates.first(), dates.last()) else {
        return Ok(());
    };
    let cells: u32 = days.iter().map(|d| d.suppressed_cells).sum();
    writeln!(
        out,
        "{}",
        fill(
            language,
            "origin.coverage",
            &[
                ("area_days", &catalogue::area_days(language, days.len())),
                ("first", &first.to_string()),
                ("last", &last.to_string()),
                ("cells", &catalogue::cells(language, cells)),
                ("k", &k),
            ]
        )
    )?;
    writeln!(out)?;
    let name = |area: usize| scenario.areas()[area].name.clone();
    let every_day = dates.len() <= DAYS_SHOWN;
    let mut grid = table();
    let mut header = vec![
        text(language, "origin.head_area").to_owned(),
        text(language, "origin.head_total").to_owned(),
        text(language, "origin.head_suppressed").to_owned(),
        local_word(language, kind).to_owned(),
        text(language, "origin.head_elsewhere").to_owned(),
        text(language, "origin.head_foreign").to_owned(),
    ];
    if kind == OriginKind::Home {
        header.push(text(language, "origin.head_away").to_owned());
    }
    header.push(text(language, "origin.head_zero").to_owned());
    if every_day {
        header.insert(0, text(language, "origin.head_date").to_owned());
    }
    grid.set_header(header);
    let row_of = |label: Vec<String>, group: &[&OriginDay]| {
        let pick = |f: &dyn Fn(&OriginDay) -> Bounds| {
            mean(&group.iter().map(|d| f(d)).collect::<Vec<_>>())
        };
        let totals: Vec<f64> = group.iter().filter_map(|d| d.total).collect();
        let suppressed: Vec<f64> = group.iter().filter_map(|d| d.suppressed).collect();
        let opt_mean = |v: &[f64]| {
            if v.len() == group.len() && !v.is_empty() {
                tenths(language, v.iter().sum::<f64>() / v.len() as f64)
            } else {
                "–".to_owned()
            }
        };
        let mut row = label;
        row.push(opt_mean(&totals));
        row.push(opt_mean(&suppressed));
        row.push(bounds_words(language, &pick(&|d| d.local)));
        row.push(bounds_words(language, &pick(&|d| d.elsewhere)));
        row.push(bounds_words(language, &pick(&|d| d.foreign)));
        if kind == OriginKind::Home {
            let away: Vec<Bounds> = group.iter().filter_map(|d| d.away).collect();
            row.push(if away.len() == group.len() {
                bounds_words(language, &mean(&away))
            } else {
                "–".to_owned()
            });
        }
        let n = group.len().max(1) as f64;
        let zero = |f: &dyn Fn(&OriginDay) -> f64| {
            tenths(language, group.iter().map(|d| f(d)).sum::<f64>() / n)
        };
        row.push(format!(
            "{} / {} / {}",
            zero(&|d| d.zero_filled.local),
            zero(&|d| d.zero_filled.elsewhere),
            zero(&|d| d.zero_filled.foreign)
        ));
        row
    };
    if every_day {
        writeln!(out, "{}", text(language, "origin.per_day"))?;
        for day in days {
            grid.add_row(row_of(vec![day.date.to_string(), name(day.area)], &[day]));
        }
    } else {
        writeln!(out, "{}", text(language, "origin.per_area"))?;
        for area in 0..scenario.areas().len() {
            let group: Vec<&OriginDay> = days.iter().filter(|d| d.area == area).collect();
            if !group.is_empty() {
                grid.add_row(row_of(vec![name(area)], &group));
            }
        }
    }
    right_align(&mut grid, if every_day { 2 } else { 1 });
    writeln!(out, "{grid}")?;
    if kind != OriginKind::SimCountry && !estimate.guests().is_empty() {
        writeln!(out)?;
        let key = match kind {
            OriginKind::PreviousNight => "origin.guests_previous_night",
            _ => "origin.guests_home",
        };
        writeln!(out, "{}", text(language, key))?;
        let mut grid = table();
        grid.set_header(vec![
            text(language, "origin.head_area").to_owned(),
            text(language, "origin.head_guest_nights").to_owned(),
            text(language, "origin.head_zero_guests").to_owned(),
        ]);
        let guests = estimate.guests();
        for area in 0..scenario.areas().len() {
            let group: Vec<&GuestNight> = guests.iter().filter(|g| g.area == area).collect();
            if group.is_empty() {
                continue;
            }
            let b = mean(&group.iter().map(|g| g.guest_nights).collect::<Vec<_>>());
            let z = group.iter().map(|g| g.zero_filled).sum::<f64>() / group.len() as f64;
            grid.add_row(vec![
                name(area),
                bounds_words(language, &b),
                tenths(language, z),
            ]);
        }
        let region = estimate.region();
        if !region.is_empty() {
            let b = mean(&region.iter().map(|r| r.1).collect::<Vec<_>>());
            let z = region.iter().map(|r| r.2).sum::<f64>() / region.len() as f64;
            grid.add_row(vec![
                text(language, "text.region").to_owned(),
                bounds_words(language, &b),
                tenths(language, z),
            ]);
        }
        right_align(&mut grid, 1);
        writeln!(out, "{grid}")?;
    }
    writeln!(out)?;
    writeln!(out, "{}", text(language, "text.notes"))?;
    for note in notes(estimate, scenario, language) {
        writeln!(out, "- {note}")?;
    }
    Ok(())
}

/// The notes: how suppressed cells are treated, the kind's rule, and what was left out.
fn notes(estimate: &OriginEstimate, scenario: &Scenario, language: Language) -> Vec<String> {
    let settings = estimate.settings();
    let k = super::text::trim_number(language, settings.min_count);
    let mut notes = vec![
        fill(
            language,
            "origin.note_suppressed",
            &[
                ("k", &k),
                ("example", &suppressed_example(language, settings.min_count)),
            ],
        ),
        text(language, "origin.note_zero").to_owned(),
        text(
            language,
            &format!("origin.note_{}", settings.kind.key().replace('-', "_")),
        )
        .to_owned(),
    ];
    if !estimate.incomplete().is_empty() {
        notes.push(fill(
            language,
            "origin.note_incomplete",
            &[(
                "days",
                &catalogue::days(language, estimate.incomplete().len() as u32),
            )],
        ));
    }
    if estimate.residents_unknown() {
        notes.push(text(language, "origin.note_residents").to_owned());
    }
    if estimate.is_partial() {
        notes.push(text(language, "origin.note_partial").to_owned());
    }
    let names = |areas: &std::collections::BTreeSet<usize>| {
        areas
            .iter()
            .map(|&a| scenario.areas()[a].name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let negative: Vec<&GuestNight> = estimate
        .guests()
        .iter()
        .filter(|g| settings.kind == OriginKind::PreviousNight && g.guest_nights.high < 0.0)
        .collect();
    if !negative.is_empty() {
        let areas = negative.iter().map(|g| g.area).collect();
        notes.push(fill(
            language,
            "origin.note_negative_guests",
            &[
                ("areas", &names(&areas)),
                (
                    "nights",
                    &catalogue::nights(
                        language,
                        negative
                            .iter()
                            .map(|g| g.date)
                            .collect::<std::collections::BTreeSet<_>>()
                            .len() as u32,
                    ),
                ),
            ],
        ));
    }
    let away: Vec<&OriginDay> = estimate
        .days()
        .iter()
        .filter(|d| d.away.is_some_and(|a| a.high < 0.0))
        .collect();
    if !away.is_empty() {
        let areas = away.iter().map(|d| d.area).collect();
        notes.push(fill(
            language,
            "origin.note_negative_away",
            &[
                ("areas", &names(&areas)),
                (
                    "days",
                    &catalogue::days(
                        language,
                        away.iter()
                            .map(|d| d.date)
                            .collect::<std::collections::BTreeSet<_>>()
                            .len() as u32,
                    ),
                ),
            ],
        ));
    }
    notes
}

/// Columns of the means: one row per area and figure.
const MEAN_COLUMNS: [&str; 10] = [
    "area",
    "name",
    "days",
    "figure",
    "low",
    "high",
    "exact",
    "high_excluded",
    "low_excluded",
    "zero_filled",
];

/// The per-area means the text shows, as a table: per area and figure (`total`, `suppressed`,
/// `local`, `elsewhere`, `foreign`, `residents_away`, `guest_nights`; the region's
/// guest-nights with an empty area) the mean bounds per day (or night), the days (or nights)
/// averaged, and the mean with suppressed cells as 0. A figure is left out for an area when
/// some of its days lack it (a total, residents away).
fn means_sheet<'a>(
    estimate: &OriginEstimate,
    scenario: &Scenario,
    language: Language,
) -> Sheet<'a> {
    let mut rows: Vec<Vec<Cell<'a>>> = Vec::new();
    let mut push =
        |area: Option<usize>, n: usize, key: &'static str, b: Bounds, zero: Option<f64>| {
            rows.push(vec![
                area.map_or(Cell::Empty, |a| {
                    Cell::Text(scenario.areas()[a].code.to_string().into())
                }),
                area.map_or(Cell::Empty, |a| {
                    Cell::Text(scenario.areas()[a].name.clone().into())
                }),
                Cell::Whole(n as i64),
                Cell::Text(key.into()),
                Cell::Number(tidy(b.low)),
                Cell::Number(tidy(b.high)),
                Cell::Bool(b.is_exact()),
                Cell::Bool(b.high_open),
                Cell::Bool(b.low_open),
                zero.map_or(Cell::Empty, |z| Cell::Number(tidy(z))),
            ]);
        };
    let average = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    for area in 0..scenario.areas().len() {
        let group: Vec<&OriginDay> = estimate.days().iter().filter(|d| d.area == area).collect();
        if group.is_empty() {
            continue;
        }
        let n = group.len();
        let all = |f: &dyn Fn(&OriginDay) -> Option<f64>| -> Option<f64> {
            let v: Vec<f64> = group.iter().filter_map(|d| f(d)).collect();
            (v.len() == n).then(|| average(&v))
        };
        if let Some(total) = all(&|d| d.total) {
            push(Some(area), n, "total", Bounds::exact(total), None);
        }
        if let Some(mass) = all(&|d| d.suppressed) {
            push(Some(area), n, "suppressed", Bounds::exact(mass), None);
        }
        let zero = |f: &dyn Fn(&OriginDay) -> f64| {
            average(&group.iter().map(|d| f(d)).collect::<Vec<_>>())
        };
        let bounds = |f: &dyn Fn(&OriginDay) -> Bounds| {
            mean(&group.iter().map(|d| f(d)).collect::<Vec<_>>())
        };
        push(
            Some(area),
            n,
            "local",
            bounds(&|d| d.local),
            Some(zero(&|d| d.zero_filled.local)),
        );
        push(
            Some(area),
            n,
            "elsewhere",
            bounds(&|d| d.elsewhere),
            Some(zero(&|d| d.zero_filled.elsewhere)),
        );
        push(
            Some(area),
            n,
            "foreign",
            bounds(&|d| d.foreign),
            Some(zero(&|d| d.zero_filled.foreign)),
        );
        let away: Vec<Bounds> = group.iter().filter_map(|d| d.away).collect();
        if !away.is_empty() && away.len() == n {
            push(Some(area), n, "residents_away", mean(&away), None);
        }
    }
    for area in 0..scenario.areas().len() {
        let group: Vec<&GuestNight> = estimate
            .guests()
            .iter()
            .filter(|g| g.area == area)
            .collect();
        if group.is_empty() {
            continue;
        }
        let b = mean(&group.iter().map(|g| g.guest_nights).collect::<Vec<_>>());
        let z = average(&group.iter().map(|g| g.zero_filled).collect::<Vec<_>>());
        push(Some(area), group.len(), "guest_nights", b, Some(z));
    }
    let region = estimate.region();
    if !region.is_empty() {
        let b = mean(&region.iter().map(|r| r.1).collect::<Vec<_>>());
        let z = average(&region.iter().map(|r| r.2).collect::<Vec<_>>());
        push(None, region.len(), "guest_nights", b, Some(z));
    }
    Sheet::of(
        "origin_means",
        super::columns(language, &MEAN_COLUMNS),
        rows,
    )
}

/// Writes the per-area means of a split (see [`write_origin`]: the means the text shows) as
/// a table of its own in `format`, for CSV and Parquet, whose files hold one table each
/// (`NAME.means.csv` beside `NAME.csv`): columns `area, name, days, figure, low, high, exact,
/// high_excluded, low_excluded, zero_filled`, one row per area and figure (`total`, `suppressed`, `local`,
/// `elsewhere`, `foreign`, `residents_away`, `guest_nights`; the region's guest-nights with
/// an empty area), persons per day (or guest-nights per night). The workbook and the text
/// carry them already; other formats write nothing.
///
/// # Errors
/// As [`write_origin`].
pub fn write_origin_means(
    estimate: &OriginEstimate,
    scenario: &Scenario,
    format: Format,
    language: Language,
    out: impl Write,
) -> Result<()> {
    write_beside(format, || means_sheet(estimate, scenario, language), out)
}

/// A value just under `k` that rounds to it (4.97 for `k` = 5): suppressed though it reads as
/// `k` rounded.
fn suppressed_example(language: Language, k: f64) -> String {
    let example = if k >= 1.0 { k - 0.03 } else { k * 0.97 };
    super::text::trim_number(language, example)
}

/// The tidy table of every figure's bounds.
fn sheet<'a>(estimate: &OriginEstimate, scenario: &Scenario, language: Language) -> Sheet<'a> {
    let mut rows: Vec<Vec<Cell<'a>>> = Vec::new();
    let code = |area: usize| Cell::Text(scenario.areas()[area].code.to_string().into());
    let name = |area: usize| Cell::Text(scenario.areas()[area].name.clone().into());
    let figure = |rows: &mut Vec<Vec<Cell<'a>>>,
                  (date, area): (NaiveDate, Option<usize>),
                  key: &'static str,
                  b: Bounds,
                  zero: Option<f64>| {
        rows.push(vec![
            Cell::Date(date),
            area.map_or(Cell::Empty, code),
            area.map_or(Cell::Empty, name),
            Cell::Text(key.into()),
            Cell::Number(tidy(b.low)),
            Cell::Number(tidy(b.high)),
            Cell::Bool(b.is_exact()),
            Cell::Bool(b.high_open),
            Cell::Bool(b.low_open),
            zero.map_or(Cell::Empty, |z| Cell::Number(tidy(z))),
        ]);
    };
    for d in estimate.days() {
        let at = (d.date, Some(d.area));
        if let Some(total) = d.total {
            figure(&mut rows, at, "total", Bounds::exact(total), None);
        }
        if let Some(mass) = d.suppressed {
            figure(&mut rows, at, "suppressed", Bounds::exact(mass), None);
        }
        figure(&mut rows, at, "local", d.local, Some(d.zero_filled.local));
        figure(
            &mut rows,
            at,
            "elsewhere",
            d.elsewhere,
            Some(d.zero_filled.elsewhere),
        );
        figure(
            &mut rows,
            at,
            "foreign",
            d.foreign,
            Some(d.zero_filled.foreign),
        );
        if let Some(away) = d.away {
            figure(&mut rows, at, "residents_away", away, None);
        }
    }
    for g in estimate.guests() {
        figure(
            &mut rows,
            (g.date, Some(g.area)),
            "guest_nights",
            g.guest_nights,
            Some(g.zero_filled),
        );
    }
    for (date, b, zero) in estimate.region() {
        figure(&mut rows, (*date, None), "guest_nights", *b, Some(*zero));
    }
    Sheet::of("origin", super::columns(language, &COLUMNS), rows)
}

/// Persons as written to a table or JSON: to a millionth, so that sums of the operator's
/// decimals show as the input carries them (4.3, not 4.300000000000182).
fn tidy(persons: f64) -> f64 {
    (persons * 1e6).round() / 1e6 + 0.0
}

/// Bounds as JSON: low, high, whether exact and whether the high end is excluded.
fn bounds_json(b: &Bounds) -> Value {
    json!({
        "low": tidy(b.low),
        "high": tidy(b.high),
        "exact": b.is_exact(),
        "high_excluded": b.high_open,
        "low_excluded": b.low_open,
    })
}

fn json_of(estimate: &OriginEstimate, scenario: &Scenario, language: Language) -> Value {
    let settings = estimate.settings();
    let code = |area: usize| scenario.areas()[area].code.to_string();
    let days: Vec<Value> = estimate
        .days()
        .iter()
        .map(|d| {
            json!({
                "date": d.date.to_string(),
                "area": code(d.area),
                "total": d.total.map(tidy),
                "published": tidy(d.published),
                "suppressed_cells": d.suppressed_cells,
                "suppressed": d.suppressed.map(tidy),
                "local": bounds_json(&d.local),
                "elsewhere": bounds_json(&d.elsewhere),
                "foreign": bounds_json(&d.foreign),
                "residents_away": d.away.as_ref().map(bounds_json),
                "zero_filled": {
                    "local": tidy(d.zero_filled.local),
                    "elsewhere": tidy(d.zero_filled.elsewhere),
                    "foreign": tidy(d.zero_filled.foreign),
                },
            })
        })
        .collect();
    let guests: Vec<Value> = estimate
        .guests()
        .iter()
        .map(|g| {
            json!({
                "date": g.date.to_string(),
                "area": code(g.area),
                "persons": bounds_json(&g.persons),
                "registered_residents": g.registered,
                "guest_nights": bounds_json(&g.guest_nights),
                "zero_filled": tidy(g.zero_filled),
            })
        })
        .collect();
    let region: Vec<Value> = estimate
        .region()
        .iter()
        .map(|(date, b, zero)| {
            json!({"date": date.to_string(), "guest_nights": bounds_json(b), "zero_filled": tidy(*zero)})
        })
        .collect();
    json!({
        "origin": {
            "kind": settings.kind.key(),
            "min_count": settings.min_count,
        },
        "days": days,
        "guest_nights": guests,
        "region": region,
        "notes": notes(estimate, scenario, language),
    })
}

/// Columns of the yearly table: one row per area (empty for the region) and year.
const YEARLY_COLUMNS: [&str; 9] = [
    "area",
    "name",
    "year",
    "days_observed",
    "days_in_year",
    "low",
    "high",
    "zero_filled",
    "filled",
];

/// The yearly guest-nights of a split as a table.
fn yearly_sheet<'a>(yearly: &SplitYearly, scenario: &Scenario, language: Language) -> Sheet<'a> {
    let mut rows: Vec<Vec<Cell<'a>>> = Vec::new();
    for area in &yearly.areas {
        for y in &area.years {
            rows.push(vec![
                area.area.map_or(Cell::Empty, |a| {
                    Cell::Text(scenario.areas()[a].code.to_string().into())
                }),
                area.area.map_or(Cell::Empty, |a| {
                    Cell::Text(scenario.areas()[a].name.clone().into())
                }),
                Cell::Whole(i64::from(y.year)),
                Cell::Whole(i64::from(y.days_observed)),
                Cell::Whole(i64::from(y.days_in_year)),
                Cell::Number(tidy(y.low)),
                Cell::Number(tidy(y.high)),
                Cell::Number(tidy(y.zero_filled)),
                Cell::Bool(y.filled),
            ]);
        }
    }
    Sheet::of(
        "origin_yearly",
        super::columns(language, &YEARLY_COLUMNS),
        rows,
    )
}

/// The yearly guest-nights of a split in JSON: per area (code `null` for the region) its years.
fn yearly_json(yearly: &SplitYearly, scenario: &Scenario) -> Value {
    Value::Array(
        yearly
            .areas
            .iter()
            .map(|area| {
                json!({
                    "area": area.area.map(|a| scenario.areas()[a].code.to_string()),
                    "name": area.area.map(|a| scenario.areas()[a].name.clone()),
                    "years": area.years.iter().map(|y| json!({
                        "year": y.year,
                        "days_observed": y.days_observed,
                        "days_in_year": y.days_in_year,
                        "low": tidy(y.low),
                        "high": tidy(y.high),
                        "zero_filled": tidy(y.zero_filled),
                        "filled": y.filled,
                        "partial": y.partial,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// The yearly guest-nights of a split as a section of the text.
fn write_yearly_text(
    yearly: &SplitYearly,
    scenario: &Scenario,
    language: Language,
    mut out: impl Write,
) -> Result<()> {
    writeln!(out)?;
    writeln!(out, "{}", text(language, "origin.yearly_title"))?;
    let mut grid = table();
    grid.set_header(vec![
        text(language, "origin.head_area").to_owned(),
        text(language, "origin.head_year").to_owned(),
        text(language, "origin.head_days_counted").to_owned(),
        text(language, "origin.head_guest_nights").to_owned(),
        text(language, "origin.head_zero_guests").to_owned(),
    ]);
    let (mut any_filled, mut any_partial) = (false, false);
    for area in &yearly.areas {
        let name = area.area.map_or_else(
            || text(language, "text.region").to_owned(),
            |a| scenario.areas()[a].name.clone(),
        );
        for y in &area.years {
            any_filled |= y.filled;
            any_partial |= y.partial;
            let b = Bounds {
                low: y.low,
                high: y.high,
                low_open: false,
                high_open: false,
            };
            let mark = match (y.filled, y.partial) {
                (true, _) => " *",
                (_, true) => " †",
                _ => "",
            };
            grid.add_row(vec![
                name.clone(),
                y.year.to_string(),
                format!("{} / {}", y.days_observed, y.days_in_year),
                format!("{}{mark}", bounds_words(language, &b)),
                tenths(language, y.zero_filled),
            ]);
        }
    }
    right_align(&mut grid, 2);
    writeln!(out, "{grid}")?;
    writeln!(out, "{}", text(language, "origin.yearly_note"))?;
    if any_filled {
        writeln!(out, "{}", text(language, "origin.yearly_note_filled"))?;
    }
    if any_partial {
        writeln!(
            out,
            "{}",
            fill(
                language,
                "origin.yearly_note_partial",
                &[
                    ("months", &MIN_SEASON_MONTHS.to_string()),
                    ("days", &MIN_SEASON_MONTH_DAYS.to_string()),
                ],
            )
        )?;
    }
    Ok(())
}

/// Writes the yearly guest-nights of a split as a table of its own for CSV and Parquet
/// (`NAME.yearly.csv` beside `NAME.csv`): columns `area, name, year, days_observed,
/// days_in_year, low, high, zero_filled, filled`, one row per area (empty for the region) and
/// calendar year, guest-nights (nights). Other formats write nothing (see
/// [`write_origin_with`]).
///
/// # Errors
/// As [`write_origin`].
pub fn write_origin_yearly(
    yearly: &SplitYearly,
    scenario: &Scenario,
    format: Format,
    language: Language,
    out: impl Write,
) -> Result<()> {
    write_beside(format, || yearly_sheet(yearly, scenario, language), out)
}

/// A table beside a CSV or Parquet output, in that format; other formats write nothing (their
/// outputs carry the table already).
fn write_beside<'a>(
    format: Format,
    sheet: impl FnOnce() -> Sheet<'a>,
    out: impl Write,
) -> Result<()> {
    match format {
        Format::Csv(style) => sheet().write_csv(style, out),
        Format::Parquet => write_parquet(sheet(), out),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_in_each_language() {
        assert_eq!(tenths(Language::English, 1839.6000000001), "1 839.6");
        assert_eq!(tenths(Language::Nynorsk, 1839.6), "1 839,6");
        assert_eq!(tenths(Language::English, -0.04), "0.0");
        assert_eq!(tenths(Language::English, -12.25), "-12.3");
        assert_eq!(tenths(Language::English, -0.5), "-0.5");
        let open = Bounds {
            low: 500.0,
            high: 515.0,
            low_open: false,
            high_open: true,
        };
        assert_eq!(
            bounds_words(Language::English, &open),
            "500.0 to under 515.0"
        );
        assert_eq!(
            bounds_words(Language::Bokmal, &open),
            "500,0 til under 515,0"
        );
        assert_eq!(bounds_words(Language::English, &Bounds::exact(3.0)), "3.0");
    }
}
