//! The emergency planners' view written out: a readable table, CSV, JSON, a workbook or
//! Parquet of every day.

use std::io::Write;

use deltid_model::{AreaCode, Estimate, Measure, PercentileMethod, Result};
use serde::Serialize;

use super::sheet::SUPPRESSED;
use super::sheet::{Cell, Sheet, write_parquet, write_workbook};
use super::text::{disclosure_notes, right_align, table};
use super::{Daily, Format, record_sheet, write_record_footer};
use crate::analysis::ResidentsSource;
use crate::analysis::{
    AreaPopulation, Population, PopulationDay, Protection, Threshold, population_days,
};
use crate::catalogue::{self, fill, text};
use crate::record::RunRecord;
use crate::run::Run;
use crate::words::whole;
use deltid_model::Language;

/// Writes the population view: a readable table, CSV (one row per area and the region, or
/// with [`Daily::Include`] one row per day; the other tables go to files of their own, see
/// [`PopulationSection`]), JSON (with [`Daily::Include`] the days too, and the notes), an xlsx workbook with
/// the sheets `percentiles` (as the CSV), then each [`PopulationSection`] the view has, with
/// `daily` before `notes`, and `run`, or Parquet (the days, always). The run
/// record, with the view's percentile method, dimensioning and threshold, is the table's
/// footer, the `run` object of JSON and the `run` sheet.
///
/// Under small-count protection ([`Run::protection`]) give the view as the run publishes it
/// ([`Run::population`]): suppressed figures are `:` in the table and workbooks, empty in CSV,
/// null in JSON and Parquet (never 0), each day of the daily rows is published by
/// [`Protection::population_day`], and the notes carry the protection's rule.
///
/// # Errors
/// [`Error::Write`](deltid_model::Error::Write) if the writer fails;
/// [`Error::WriteWorkbook`](deltid_model::Error::WriteWorkbook) if an xlsx workbook cannot be
/// built.
pub fn write_population(
    population: &Population,
    run: &Run,
    format: Format,
    daily: Daily,
    mut out: impl Write,
) -> Result<()> {
    let estimate = run.estimate();
    let language = run.language();
    let protection = run.protection();
    let record = run.record().with_population(population);
    match (format, daily) {
        (Format::Table, _) => {
            write_population_table(population, language, protection, &mut out)?;
            write_record_footer(&record, language, out)
        }
        (Format::Csv(style), Daily::Omit) => {
            percentiles_sheet(population, language).write_csv(style, out)
        }
        (Format::Csv(style), Daily::Include) => {
            daily_sheet(estimate, language, protection).write_csv(style, out)
        }
        (Format::Xlsx, _) => {
            // Every section the view has, the days before the notes, the run last.
            let mut sheets: Vec<Sheet<'_>> = PopulationSection::ALL
                .into_iter()
                .filter(|s| *s != PopulationSection::Notes && s.is_in(population))
                .map(|s| section_sheet(population, run, s))
                .collect();
            sheets.push(daily_sheet(estimate, language, protection));
            sheets.push(section_sheet(population, run, PopulationSection::Notes));
            sheets.push(record_sheet(&record, language));
            write_workbook(sheets, out)
        }
        (Format::Parquet, _) => write_parquet(daily_sheet(estimate, language, protection), out),
        (Format::Json, daily) => {
            #[derive(Serialize)]
            struct Document<'a> {
                #[serde(flatten)]
                population: &'a Population,
                #[serde(skip_serializing_if = "Option::is_none")]
                daily: Option<Vec<PopulationDay>>,
                /// The notes the text ends with, one sentence each.
                notes: Vec<String>,
                run: &'a RunRecord,
            }
            let daily =
                (daily == Daily::Include).then(|| published_days(estimate, protection).collect());
            let document = Document {
                population,
                daily,
                notes: population_notes(language, population, protection),
                run: &record,
            };
            serde_json::to_writer_pretty(&mut out, &document).map_err(std::io::Error::from)?;
            writeln!(out)?;
            Ok(())
        }
    }
}

/// A table of the planners' view beyond the main one: a sheet of the xlsx workbook, and for
/// CSV a file of its own beside the main one (`NAME.<key>.csv` beside `NAME.csv`), so that the
/// files carry every table the readable text does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PopulationSection {
    /// Percentiles per area and the region (the main CSV table; beside it when the main one
    /// holds the daily rows).
    Percentiles,
    /// The busiest days (or nights) of each area, then of the region, ranked.
    Peaks,
    /// Night counts from hourly counts: the region's busiest days by day peak, beside the
    /// night after and the daytime excess, persons.
    DayPeaks,
    /// Mean and largest present population per calendar label, per area and the region.
    ByLabel,
    /// Mean and largest present population per calendar month, per area and the region.
    ByMonth,
    /// The view's notes, one sentence a row.
    Notes,
}

impl PopulationSection {
    /// Every section, in the order of the workbook's sheets.
    pub const ALL: [PopulationSection; 6] = [
        PopulationSection::Percentiles,
        PopulationSection::Peaks,
        PopulationSection::DayPeaks,
        PopulationSection::ByLabel,
        PopulationSection::ByMonth,
        PopulationSection::Notes,
    ];

    /// The section's name: the workbook's sheet and the CSV file's suffix (`percentiles`,
    /// `peaks`, `day_peaks`, `by_label`, `by_month`, `notes`).
    pub fn key(self) -> &'static str {
        match self {
            PopulationSection::Percentiles => "percentiles",
            PopulationSection::Peaks => "peaks",
            PopulationSection::DayPeaks => "day_peaks",
            PopulationSection::ByLabel => "by_label",
            PopulationSection::ByMonth => "by_month",
            PopulationSection::Notes => "notes",
        }
    }

    /// Whether `view` has this section: day peaks only for night counts from hourly counts.
    pub fn is_in(self, view: &Population) -> bool {
        self != PopulationSection::DayPeaks || !view.day_peaks.is_empty()
    }

    /// The sections written beside a CSV file: every one the view has but the main table
    /// (the percentiles, or the daily rows with [`Daily::Include`]).
    pub fn beside_csv(view: &Population, daily: Daily) -> Vec<PopulationSection> {
        PopulationSection::ALL
            .into_iter()
            .filter(|s| s.is_in(view))
            .filter(|s| *s != PopulationSection::Percentiles || daily == Daily::Include)
            .collect()
    }
}

/// Writes one section of the planners' view as CSV (see [`PopulationSection`]); suppressed
/// figures are empty, as in the main table.
///
/// # Errors
/// [`Error::Write`](deltid_model::Error::Write) if the writer fails.
pub fn write_population_section(
    view: &Population,
    run: &Run,
    section: PopulationSection,
    style: super::CsvStyle,
    out: impl Write,
) -> Result<()> {
    section_sheet(view, run, section).write_csv(style, out)
}

fn section_sheet<'a>(view: &'a Population, run: &Run, section: PopulationSection) -> Sheet<'a> {
    let language = run.language();
    match section {
        PopulationSection::Percentiles => percentiles_sheet(view, language),
        PopulationSection::Peaks => peaks_sheet(view, language),
        PopulationSection::DayPeaks => day_peaks_sheet(view, language),
        PopulationSection::ByLabel => groups_sheet(view, language, section),
        PopulationSection::ByMonth => groups_sheet(view, language, section),
        PopulationSection::Notes => Sheet::of(
            "notes",
            super::columns(language, &["note"]),
            population_notes(language, view, run.protection())
                .into_iter()
                .map(|note| vec![Cell::Text(note.into())])
                .collect(),
        ),
    }
}

/// The region's busiest days by day peak: rank, date, weekday, label, day peak, the night
/// after and the daytime excess, persons.
fn day_peaks_sheet(view: &Population, language: Language) -> Sheet<'_> {
    let rows = view
        .day_peaks
        .iter()
        .enumerate()
        .map(|(rank, day)| {
            let optional = |value: Option<f64>| value.map_or(Cell::Empty, figure);
            vec![
                Cell::Whole(rank as i64 + 1),
                Cell::Date(day.date),
                Cell::Text(weekday_name(language, day.weekday).into()),
                Cell::Text(catalogue::label(language, day.label.name()).into()),
                figure(day.day),
                optional(day.night),
                optional(day.excess),
            ]
        })
        .collect();
    let columns = [
        "rank",
        "date",
        "weekday",
        "label",
        "day_peak",
        "night_after",
        "daytime_excess",
    ];
    Sheet::of("day_peaks", super::columns(language, &columns), rows)
}

/// Mean and largest present population per calendar label or month (the section says
/// which), for each area, then the region.
fn groups_sheet(view: &Population, language: Language, section: PopulationSection) -> Sheet<'_> {
    let by_label = section == PopulationSection::ByLabel;
    let rows = view
        .areas
        .iter()
        .chain([&view.region])
        .flat_map(|area| {
            let groups = if by_label {
                &area.by_label
            } else {
                &area.by_month
            };
            groups.iter().map(move |g| {
                vec![
                    Cell::text(area.code.as_ref().map(AreaCode::as_str)),
                    Cell::text(Some(&area.name)),
                    Cell::Text(if by_label {
                        catalogue::label(language, &g.group).into()
                    } else {
                        g.group.clone().into()
                    }),
                    Cell::Whole(g.days.into()),
                    figure(g.mean),
                    figure(g.max),
                ]
            })
        })
        .collect();
    let group = if by_label { "calendar_label" } else { "month" };
    let columns = ["area", "name", group, "days", "mean", "max"];
    Sheet::of(section.key(), super::columns(language, &columns), rows)
}

/// The region's busiest days by day peak, beside the night after each (night counts from
/// hourly counts).
fn write_day_peaks(this: &Population, lang: Language, out: &mut impl Write) -> Result<()> {
    let head = |key: &str| text(lang, &format!("head.{key}")).to_owned();
    let window = this.day_window.map_or_else(String::new, |w| w.to_string());
    writeln!(
        out,
        "{}",
        fill(
            lang,
            "population.busiest_day_peaks",
            &[("region", &this.region.name), ("window", &window)]
        )
    )?;
    let mut peaks = table();
    peaks.set_header(
        [
            "rank",
            "date",
            "weekday",
            "label",
            "day_peak",
            "night_after",
            "excess",
        ]
        .map(head),
    );
    for (rank, day) in this.day_peaks.iter().enumerate() {
        peaks.add_row([
            (rank + 1).to_string(),
            day.date.to_string(),
            weekday_name(lang, day.weekday),
            catalogue::label(lang, day.label.name()),
            whole(day.day),
            day.night.map_or_else(|| "-".to_owned(), whole),
            day.excess.map_or_else(|| "-".to_owned(), whole),
        ]);
    }
    right_align(&mut peaks, 4);
    writeln!(out, "{peaks}\n")?;
    Ok(())
}

fn percentile_name(population: &Population) -> String {
    format!("P{}", trim(population.dimensioning_percentile * 100.0))
}

pub(crate) fn write_population_table(
    value: &Population,
    language: Language,
    protection: Option<&Protection>,
    mut out: impl Write,
) -> Result<()> {
    let lang = language;
    let head = |key: &str| text(lang, &format!("head.{key}")).to_owned();
    let this = value;
    let region = &this.region;
    // Night counts: every figure is per night, each night labelled by its evening date.
    let night = this.measure == Measure::Night;
    let key = |name: &str| {
        if night {
            format!("population.{name}_night")
        } else {
            format!("population.{name}")
        }
    };
    if let Some((first, last)) = this.span {
        writeln!(
            out,
            "{}\n",
            fill(
                lang,
                &key("title"),
                &[
                    ("region", &region.name),
                    ("days", &catalogue::days(lang, region.days)),
                    ("nights", &catalogue::nights(lang, region.days)),
                    ("first", &first.to_string()),
                    ("last", &last.to_string()),
                ]
            )
        )?;
    }
    writeln!(
        out,
        "{}",
        fill(lang, &key("busiest"), &[("region", &region.name)])
    )?;
    let mut peaks = table();
    peaks.set_header(
        [
            "rank",
            "date",
            "weekday",
            "label",
            "present",
            "residents",
            "part_time",
            "ratio",
        ]
        .map(head),
    );
    for (rank, day) in region.peaks.iter().enumerate() {
        peaks.add_row([
            (rank + 1).to_string(),
            day.date.to_string(),
            weekday_name(lang, day.weekday),
            catalogue::label(lang, day.label.name()),
            whole(day.present),
            whole(day.residents),
            whole(day.part_time),
            day.ratio
                .map_or_else(|| "-".to_owned(), |r| catalogue::decimal(lang, r, 2)),
        ]);
    }
    right_align(&mut peaks, 4);
    if region.suppressed {
        writeln!(
            out,
            "{}\n",
            fill(lang, "population.suppressed", &[("name", &region.name)])
        )?;
    } else {
        writeln!(out, "{peaks}\n")?;
    }
    if !this.day_peaks.is_empty() && !region.suppressed {
        write_day_peaks(this, lang, &mut out)?;
    }

    writeln!(out, "{}", text(lang, &key("levels")))?;
    let mut levels = table();
    let mut header = vec![
        head("area"),
        head("name"),
        head("residents"),
        "P50".to_owned(),
        "P90".to_owned(),
        "P95".to_owned(),
        "P99".to_owned(),
        head("max"),
        fill(
            lang,
            "head.dimensioning",
            &[("percentile", &percentile_name(this))],
        ),
    ];
    if let Some(threshold) = this.threshold {
        header.push(match threshold {
            Threshold::Persons(p) if night => {
                fill(lang, "population.nights_above", &[("persons", &whole(p))])
            }
            Threshold::TimesResidents(k) if night => fill(
                lang,
                "population.nights_above_times",
                &[("k", &super::text::trim_number(lang, k))],
            ),
            Threshold::Persons(p) => fill(lang, "population.days_above", &[("persons", &whole(p))]),
            Threshold::TimesResidents(k) => fill(
                lang,
                "population.days_above_times",
                &[("k", &super::text::trim_number(lang, k))],
            ),
        });
    }
    levels.set_header(header);
    for area in this.areas.iter().chain([region]) {
        let p = &area.percentiles;
        let mut row = vec![
            area.code
                .as_ref()
                .map_or(text(lang, "text.region"), AreaCode::as_str)
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
        if this.threshold.is_some() {
            row.push(
                area.days_above
                    .map_or(SUPPRESSED.to_owned(), |n| n.to_string()),
            );
        }
        levels.add_row(row);
    }
    right_align(&mut levels, 2);
    writeln!(out, "{levels}\n")?;

    if this.region.typical_year.is_some() {
        writeln!(out, "{}", text(lang, &key("typical_year")))?;
        let mut typical = table();
        typical.set_header([
            head("area"),
            head("name"),
            "P50".to_owned(),
            "P90".to_owned(),
            "P95".to_owned(),
            "P99".to_owned(),
            head("max"),
            fill(
                lang,
                "head.dimensioning",
                &[("percentile", &percentile_name(this))],
            ),
        ]);
        for area in this.areas.iter().chain([region]) {
            let Some(year) = &area.typical_year else {
                continue;
            };
            let p = &year.percentiles;
            typical.add_row(vec![
                area.code
                    .as_ref()
                    .map_or(text(lang, "text.region"), AreaCode::as_str)
                    .to_owned(),
                area.name.clone(),
                whole(p.p50),
                whole(p.p90),
                whole(p.p95),
                whole(p.p99),
                whole(p.max),
                whole(year.dimensioning),
            ]);
        }
        right_align(&mut typical, 2);
        writeln!(out, "{typical}\n")?;
    }

    for (title, groups) in [
        (head("calendar_label"), &region.by_label),
        (head("month"), &region.by_month),
    ] {
        writeln!(
            out,
            "{}",
            fill(
                lang,
                &key("by"),
                &[("region", &region.name), ("what", &title)]
            )
        )?;
        let mut by = table();
        by.set_header([
            title,
            head(if night { "nights" } else { "days" }),
            head("mean"),
            head("max"),
        ]);
        for g in groups.iter() {
            by.add_row([
                catalogue::label(lang, &g.group),
                g.days.to_string(),
                whole(g.mean),
                whole(g.max),
            ]);
        }
        right_align(&mut by, 1);
        writeln!(out, "{by}\n")?;
    }
    writeln!(out, "{}", text(lang, "text.notes"))?;
    for note in population_notes(lang, this, protection) {
        writeln!(out, "- {note}")?;
    }
    Ok(())
}

/// The notes of a population view, one sentence each: small-count protection, the percentile
/// method, where the residents come from, the typical year and the region's incomplete days.
fn population_notes(
    lang: Language,
    this: &Population,
    protection: Option<&Protection>,
) -> Vec<String> {
    let region = &this.region;
    let mut notes = protection_notes(lang, this, protection);
    let (method, source, allocation) = this.terms;
    notes.push(fill(
        lang,
        "population.percentiles",
        &[("method", &percentile_method_words(lang, method))],
    ));
    let residents = match source {
        ResidentsSource::PerArea => text(lang, "population.residents_per_area").to_owned(),
        ResidentsSource::Table => text(lang, "population.residents_table").to_owned(),
        ResidentsSource::Baseline => text(lang, "population.residents_baseline").to_owned(),
        ResidentsSource::Region => {
            let key = match allocation {
                deltid_model::Allocation::PresentShare => "note.allocation_present",
                deltid_model::Allocation::ResidentShare => "note.allocation_residents",
            };
            fill(
                lang,
                "population.residents_region",
                &[("allocation", text(lang, key))],
            )
        }
    };
    notes.push(residents);
    if let Some(year) = &region.typical_year {
        notes.push(text(lang, "population.typical_note").to_owned());
        if !year.filled_months.is_empty() {
            let names: Vec<String> = year
                .filled_months
                .iter()
                .map(|m| catalogue::month(lang, *m))
                .collect();
            notes.push(fill(
                lang,
                "population.typical_filled",
                &[("months", &names.join(", "))],
            ));
        }
    }
    if this.typical_year_left_out {
        notes.push(fill(
            lang,
            "population.typical_left_out",
            &[
                ("months", &crate::analysis::MIN_SEASON_MONTHS.to_string()),
                ("days", &crate::analysis::MIN_SEASON_MONTH_DAYS.to_string()),
            ],
        ));
    }
    if this.incomplete_region_days > 0 {
        notes.push(fill(
            lang,
            "population.incomplete",
            &[
                ("region", &region.name),
                ("days", &catalogue::days(lang, this.incomplete_region_days)),
            ],
        ));
    }
    notes
}

/// The notes on small-count protection of a population view: the rule
/// ([`disclosure_notes`]) and the areas whose figures are not published.
fn protection_notes(
    language: Language,
    population: &Population,
    protection: Option<&Protection>,
) -> Vec<String> {
    let Some(protection) = protection else {
        return Vec::new();
    };
    let mut notes = disclosure_notes(language, protection);
    notes.extend(suppressed_note(language, population));
    notes
}

/// The note naming the areas (and the region) whose population figures are suppressed, if
/// any.
pub(crate) fn suppressed_note(language: Language, population: &Population) -> Option<String> {
    let names: Vec<&str> = population
        .areas
        .iter()
        .chain([&population.region])
        .filter(|a| a.suppressed)
        .map(|a| a.name.as_str())
        .collect();
    (!names.is_empty()).then(|| {
        fill(
            language,
            "population.suppressed_areas",
            &[("names", &names.join(", "))],
        )
    })
}

/// A figure of persons as a cell: [`Cell::Suppressed`] when suppressed (NaN), never 0.
fn figure<'a>(value: f64) -> Cell<'a> {
    if value.is_nan() {
        Cell::Suppressed
    } else {
        Cell::Number(value)
    }
}

/// Every day of the view ([`population_days`]) as published under `protection`.
pub(crate) fn published_days<'a>(
    estimate: &'a Estimate,
    protection: Option<&'a Protection>,
) -> impl Iterator<Item = PopulationDay> + 'a {
    population_days(estimate).map(move |day| match protection {
        Some(p) => p.population_day(day),
        None => day,
    })
}

/// The percentiles table: persons, except the percentile (a fraction 0..1) and the days.
const PERCENTILE_COLUMNS: [&str; 13] = [
    "area",
    "name",
    "days",
    "residents",
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
    "date",
    "weekday",
    "label",
    "area",
    "name",
    "present",
    "residents",
    "part_time",
    "ratio",
];

/// The typical year's columns, added to [`PERCENTILE_COLUMNS`] when asked for: persons.
const TYPICAL_YEAR_COLUMNS: [&str; 6] = [
    "typical_year_p50",
    "typical_year_p90",
    "typical_year_p95",
    "typical_year_p99",
    "typical_year_max",
    "typical_year_dimensioning",
];

/// One row per area, then the region: residents, percentiles and the dimensioning
/// population in persons, the days above the threshold, the method; with a typical year, its
/// percentiles and dimensioning population after them.
fn percentiles_sheet(population: &Population, language: Language) -> Sheet<'_> {
    let method = percentile_method_words(language, population.terms.0);
    let typical = population.region.typical_year.is_some();
    let rows = population
        .areas
        .iter()
        .chain([&population.region])
        .map(|area: &AreaPopulation| {
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
                    population.dimensioning_percentile,
                    area.dimensioning,
                ]
                .map(figure),
            );
            row.push(match area.days_above {
                Some(n) => Cell::Whole(n.into()),
                None if population.threshold.is_some() => Cell::Suppressed,
                None => Cell::Empty,
            });
            row.push(Cell::Text(method.clone().into()));
            if typical {
                match &area.typical_year {
                    Some(year) => {
                        let p = &year.percentiles;
                        row.extend(
                            [p.p50, p.p90, p.p95, p.p99, p.max, year.dimensioning].map(figure),
                        );
                    }
                    None => row.extend([(); 6].map(|()| Cell::Empty)),
                }
            }
            row
        })
        .collect();
    let mut columns = PERCENTILE_COLUMNS.to_vec();
    if typical {
        columns.extend(TYPICAL_YEAR_COLUMNS);
    }
    Sheet::of("percentiles", super::columns(language, &columns), rows)
}

/// The busiest days of each area, then of the region: a rank, then the day's row.
fn peaks_sheet(population: &Population, language: Language) -> Sheet<'_> {
    let rows = population
        .areas
        .iter()
        .chain([&population.region])
        .flat_map(|area| {
            area.peaks.iter().enumerate().map(|(rank, day)| {
                let mut row = vec![Cell::Whole(rank as i64 + 1)];
                row.extend(day_cells(language, day.clone()));
                row
            })
        })
        .collect();
    Sheet::of(
        "peaks",
        super::columns(
            language,
            &["rank"].into_iter().chain(DAY_COLUMNS).collect::<Vec<_>>(),
        ),
        rows,
    )
}

/// Every day of every area, then of the region, with [`DAY_COLUMNS`], made as they are
/// written.
fn daily_sheet<'a>(
    estimate: &'a Estimate,
    language: Language,
    protection: Option<&'a Protection>,
) -> Sheet<'a> {
    Sheet {
        name: "daily",
        header: super::columns(language, &DAY_COLUMNS),
        rows: Box::new(
            published_days(estimate, protection).map(move |day| day_cells(language, day)),
        ),
    }
}

/// A day's cells, in [`DAY_COLUMNS`] order.
/// Weekdays and calendar labels in `language`.
fn day_cells<'a>(language: Language, day: PopulationDay) -> Vec<Cell<'a>> {
    vec![
        Cell::Date(day.date),
        Cell::Text(weekday_name(language, day.weekday).into()),
        Cell::Text(catalogue::label(language, day.label.name()).into()),
        day.area
            .map_or(Cell::Empty, |a| Cell::Text(a.to_string().into())),
        Cell::Text(day.name.into()),
        figure(day.present),
        figure(day.residents),
        figure(day.part_time),
        match day.ratio {
            Some(ratio) => Cell::Number(ratio),
            None if day.present.is_nan() => Cell::Suppressed,
            None => Cell::Empty,
        },
    ]
}

/// A percentile method in words, in `language`.
pub(crate) fn percentile_method_words(language: Language, method: PercentileMethod) -> String {
    let key = match method {
        PercentileMethod::Linear => "method.linear",
        PercentileMethod::NearestRank => "method.nearest_rank",
    };
    text(language, key).to_owned()
}

/// A number without trailing zeros: 95, 99.5, 2.
fn trim(x: f64) -> String {
    let text = format!("{x:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A weekday as the table writes it: `Sat` in English, `la.` in nynorsk.
fn weekday_name(language: Language, day: chrono::Weekday) -> String {
    match catalogue::weekday(language, day) {
        "" => day.to_string(),
        name => name.to_owned(),
    }
}
