//! The sections of an estimate beyond the summary and the daily rows, as tables: calendar
//! years, yearly figures and their coverage, uncertainty and sensitivity, plausibility and
//! the run's notes. Each is a sheet of the workbook and a CSV file of its own beside the
//! main one, so the files carry every section the readable text does.

use std::io::Write;

use deltid_model::{AreaCode, Language, Result, whole_persons};

use super::analyses::{plausibility_notes, uncertainty_notes, uncertainty_rows, yearly_notes};
use super::columns;
use super::sheet::{Cell, CsvStyle, Sheet};
use super::text::summary_notes;
use crate::analysis::Protection;
use crate::catalogue::{self, text};
use crate::run::Run;

/// A table of an estimate beyond the summary: a sheet of the xlsx workbook, and for CSV a
/// file of its own beside the main one (`NAME.<key>.csv` beside `NAME.csv`, see
/// [`Section::key`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// Guest-nights per calendar year per area and the region (the sum over the days
    /// observed), with the days observed: always.
    CalendarYears,
    /// Guest-nights per year by the method asked for (`Run::annualise`), per area and the
    /// region, beside the plan's rule, with the share filled.
    Yearly,
    /// Each year's coverage behind [`Section::Yearly`]: days counted, guest-nights counted
    /// and with the missing days filled by the seasonal model, the year's weight.
    YearlyCoverage,
    /// The uncertainty's figures (`Run::quantify_uncertainty`): at the parameters' means,
    /// their percentiles, the sampling interval and both combined.
    Uncertainty,
    /// Each parameter at its P5 and P95 (only with parameters given as ranges).
    Sensitivity,
    /// The plausibility checks, when the scenario gives holiday homes or commercial
    /// guest-nights.
    Plausibility,
    /// Night counts only: per area the nights counted, the hours present in them (fewest,
    /// most, mean), the daytime excess (mean day peak − night count, persons per day) and,
    /// with a baseline of reference nights, the residents at home it gives (persons) beside
    /// the registered figure; the region's row holds its daytime excess.
    Nights,
    /// The run's notes, one sentence a row: rounding, allocation, the region rule, missing
    /// and negative days, and the methods of the yearly figures and intervals: always.
    Notes,
}

impl Section {
    /// Every section, in the order of the workbook's sheets.
    pub const ALL: [Section; 8] = [
        Section::Nights,
        Section::CalendarYears,
        Section::Yearly,
        Section::YearlyCoverage,
        Section::Uncertainty,
        Section::Sensitivity,
        Section::Plausibility,
        Section::Notes,
    ];

    /// The section's name: the workbook's sheet and the CSV file's suffix
    /// (`nights`, `calendar_years`, `yearly`, `yearly_coverage`, `uncertainty`,
    /// `sensitivity`, `plausibility`, `notes`).
    pub fn key(self) -> &'static str {
        match self {
            Section::Nights => "nights",
            Section::CalendarYears => "calendar_years",
            Section::Yearly => "yearly",
            Section::YearlyCoverage => "yearly_coverage",
            Section::Uncertainty => "uncertainty",
            Section::Sensitivity => "sensitivity",
            Section::Plausibility => "plausibility",
            Section::Notes => "notes",
        }
    }

    /// Whether `run` has this section: calendar years and notes always, nights for night
    /// counts, the others when asked for (or, for plausibility, when the scenario gives its
    /// figures).
    pub fn is_in(self, run: &Run) -> bool {
        match self {
            Section::CalendarYears | Section::Notes => true,
            Section::Nights => run.summary().night().is_some(),
            Section::Yearly | Section::YearlyCoverage => run.yearly().is_some(),
            Section::Uncertainty => run.uncertainty().is_some(),
            Section::Sensitivity => run.uncertainty().is_some_and(|u| !u.sensitivity.is_empty()),
            Section::Plausibility => run.plausibility().is_some(),
        }
    }

    /// The sections `run` has, in [`Section::ALL`]'s order.
    ///
    /// Under small-count protection the calendar years and yearly figures are published as
    /// the text publishes them (an area's suppressed with any of its days or its mean, the
    /// others rounded to the base); when anything is suppressed the intervals, sensitivity
    /// and plausibility are left out, as the text leaves them out.
    pub fn of(run: &Run) -> Vec<Section> {
        let suppressed = run.protection().is_some_and(|p| p.any());
        let unprotected = [
            Section::Uncertainty,
            Section::Sensitivity,
            Section::Plausibility,
        ];
        Section::ALL
            .into_iter()
            .filter(|s| s.is_in(run) && !(suppressed && unprotected.contains(s)))
            .collect()
    }
}

/// Writes a section of a run as CSV in `style`, its column names in the run's language;
/// a section the run lacks is written as its header alone.
///
/// # Errors
/// [`Error::Write`](deltid_model::Error::Write) if the writer fails.
///
/// # Examples
/// ```
/// use deltid::output::{write_section, CsvStyle, Section};
/// use deltid::{CountsOptions, Run, Selection};
/// let run = Run::new(
///     "../../data/hallingdal/plan-2021.toml".as_ref(),
///     None,
///     &CountsOptions::default(),
///     &Selection::default(),
/// )?;
/// let mut csv = Vec::new();
/// write_section(&run, Section::CalendarYears, CsvStyle::default(), &mut csv)?;
/// let csv = String::from_utf8_lossy(&csv);
/// assert!(csv.starts_with("area,name,year,days_observed,days_in_year,guest_nights,guest_nights_whole\n"));
/// # Ok::<(), deltid::Error>(())
/// ```
pub fn write_section(run: &Run, section: Section, style: CsvStyle, out: impl Write) -> Result<()> {
    section_sheet(run, section).write_csv(style, out)
}

/// A section as a sheet.
pub(crate) fn section_sheet(run: &Run, section: Section) -> Sheet<'_> {
    let lang = run.language();
    match section {
        Section::Nights => nights(run, lang),
        Section::CalendarYears => calendar_years(run, lang),
        Section::Yearly => yearly(run, lang),
        Section::YearlyCoverage => yearly_coverage(run, lang),
        Section::Uncertainty => uncertainty(run, lang),
        Section::Sensitivity => sensitivity(run, lang),
        Section::Plausibility => plausibility(run, lang),
        Section::Notes => notes(run, lang),
    }
}

/// Column names in `language`, each key marked as persons followed by its whole-person
/// column (`guest_nights`, `guest_nights_whole`).
fn header(language: Language, keys: &[(&'static str, bool)]) -> Vec<String> {
    let mut names = Vec::new();
    for &(key, persons) in keys {
        let name = catalogue::column(language, key).to_owned();
        if persons {
            names.push(name.clone());
            names.push(catalogue::fill(
                language,
                "column.whole",
                &[("column", &name)],
            ));
        } else {
            names.push(name);
        }
    }
    names
}

/// A figure in persons (or nights) in full precision and in whole persons beside it; both
/// empty for none, both suppressed for NaN (how small-count protection marks a figure it
/// suppresses).
fn persons<'a>(value: Option<f64>) -> [Cell<'a>; 2] {
    match value {
        Some(x) if x.is_finite() => [Cell::Number(x), Cell::Whole(whole_persons(x))],
        Some(x) if x.is_nan() => [Cell::Suppressed, Cell::Suppressed],
        _ => [Cell::Empty, Cell::Empty],
    }
}

/// A persons figure as `protection` publishes it: NaN (which [`persons`] shows as
/// suppressed) when `hidden` says so, else rounded to the base; as it is without protection.
fn published(
    protection: Option<&Protection>,
    value: f64,
    hidden: impl FnOnce(&Protection) -> bool,
) -> f64 {
    match protection {
        Some(p) => p.publish(value, hidden(p)).value().unwrap_or(f64::NAN),
        None => value,
    }
}

/// The area's code, or empty for the region, and its name.
fn who<'a>(code: Option<&'a AreaCode>, name: &'a str) -> [Cell<'a>; 2] {
    [
        Cell::text(code.map(AreaCode::as_str)),
        Cell::text(Some(name)),
    ]
}

/// [`who`] with the texts copied: for figures made for the sheet (the yearly figures as
/// published).
fn owned_who<'a>(code: Option<&AreaCode>, name: &str) -> [Cell<'a>; 2] {
    [
        code.map_or(Cell::Empty, |c| Cell::Text(c.as_str().to_owned().into())),
        Cell::Text(name.to_owned().into()),
    ]
}

fn nights(run: &Run, lang: Language) -> Sheet<'_> {
    let summary = run.summary();
    let baseline = summary.residents_baseline();
    // Persons made from an area's counts, as the text publishes them (suppressed with the
    // area's mean, else rounded).
    let published = |area: Option<&AreaCode>, value: Option<f64>| {
        value.map(|v| published(run.protection(), v, |p| p.is_mean_suppressed(area)))
    };
    let mut rows: Vec<Vec<Cell<'_>>> = Vec::new();
    if let Some(nights) = summary.night() {
        for (code, name, stats) in &nights.areas {
            let mut row = owned_who(Some(code), name).to_vec();
            row.push(Cell::Whole(stats.nights.into()));
            if stats.nights > 0 {
                row.extend([
                    Cell::Whole(stats.min_hours.into()),
                    Cell::Whole(stats.max_hours.into()),
                    Cell::Number(stats.mean_hours()),
                ]);
            } else {
                row.extend([Cell::Empty, Cell::Empty, Cell::Empty]);
            }
            row.extend(persons(published(Some(code), stats.mean_excess())));
            let figure = baseline
                .and_then(|b| b.areas.iter().find(|(c, ..)| c == code))
                .map(|(_, _, figure)| figure);
            row.extend(persons(published(Some(code), figure.map(|f| f.persons))));
            row.push(figure.map_or(Cell::Empty, |f| Cell::Whole(f.nights.into())));
            row.extend(persons(figure.and_then(|f| f.registered)));
            rows.push(row);
        }
        let mut region = owned_who(None, summary.region_name()).to_vec();
        region.extend([Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty]);
        region.extend(persons(published(None, nights.region_excess)));
        region.extend([
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
        ]);
        rows.push(region);
    }
    Sheet::of(
        "nights",
        header(
            lang,
            &[
                ("area", false),
                ("name", false),
                ("nights_counted", false),
                ("hours_min", false),
                ("hours_max", false),
                ("hours_mean", false),
                ("daytime_excess", true),
                ("residents_at_home_baseline", true),
                ("baseline_nights", false),
                ("residents_registered", true),
            ],
        ),
        rows,
    )
}

fn calendar_years(run: &Run, lang: Language) -> Sheet<'_> {
    let summary = run.summary();
    let protection = run.protection();
    let rows = summary
        .areas()
        .iter()
        .chain([summary.region()])
        .flat_map(move |area| {
            area.calendar_years().iter().map(move |year| {
                // One allocation a row: a national run writes a row per area and year.
                let mut row = Vec::with_capacity(7);
                row.extend(who(area.code(), area.name()));
                row.extend([
                    Cell::Whole(year.year.into()),
                    Cell::Whole(year.days_observed.into()),
                    Cell::Whole(year.days_in_year.into()),
                ]);
                row.extend(persons(Some(published(
                    protection,
                    year.guest_nights,
                    |p| p.is_aggregate_suppressed(area.code(), false),
                ))));
                row
            })
        });
    Sheet::streamed(
        "calendar_years",
        header(
            lang,
            &[
                ("area", false),
                ("name", false),
                ("year", false),
                ("days_observed", false),
                ("days_in_year", false),
                ("guest_nights", true),
            ],
        ),
        rows,
    )
}

fn yearly(run: &Run, lang: Language) -> Sheet<'_> {
    let rows = super::published_yearly(run).map_or_else(Vec::new, |yearly| {
        yearly
            .areas
            .iter()
            .chain([&yearly.region])
            .map(|area| {
                let mut row = owned_who(area.code.as_ref(), &area.name).to_vec();
                row.extend(persons(area.guest_nights_per_year));
                row.extend(persons(Some(area.plan)));
                // Nothing filled where the model may not fill (too few months).
                row.push(match yearly.weighting.is_some() && !area.fills {
                    true => Cell::Empty,
                    false => Cell::Number(area.filled_share),
                });
                row
            })
            .collect()
    });
    Sheet::of(
        "yearly",
        header(
            lang,
            &[
                ("area", false),
                ("name", false),
                ("guest_nights_per_year", true),
                ("guest_nights_per_year_plan", true),
                ("filled_share", false),
            ],
        ),
        rows,
    )
}

fn yearly_coverage(run: &Run, lang: Language) -> Sheet<'_> {
    let rows = super::published_yearly(run).map_or_else(Vec::new, |yearly| {
        yearly
            .areas
            .iter()
            .chain([&yearly.region])
            .flat_map(|area| {
                area.years.iter().map(move |y| {
                    let mut row = owned_who(area.code.as_ref(), &area.name).to_vec();
                    row.extend([
                        Cell::Whole(y.year.into()),
                        Cell::Whole(y.days_observed.into()),
                        Cell::Whole(y.days_in_year.into()),
                    ]);
                    row.extend(persons(Some(y.counted)));
                    // The fill where the model may make it (or nothing is missing).
                    let complete = y.days_observed == y.days_in_year;
                    row.extend(persons(Some(y.filled).filter(|_| area.fills || complete)));
                    row.push(Cell::Number(y.weight));
                    row
                })
            })
            .collect()
    });
    Sheet::of(
        "yearly_coverage",
        header(
            lang,
            &[
                ("area", false),
                ("name", false),
                ("year", false),
                ("days_observed", false),
                ("days_in_year", false),
                ("guest_nights_counted", true),
                ("guest_nights_with_fill", true),
                ("weight", false),
            ],
        ),
        rows,
    )
}

fn uncertainty(run: &Run, lang: Language) -> Sheet<'_> {
    let rows = run.uncertainty().map_or_else(Vec::new, |u| {
        uncertainty_rows(u)
            .into_iter()
            .map(|(label, at_means, p, sampling, combined)| {
                let mut row = vec![Cell::Text(text(lang, label).to_owned().into())];
                for value in [
                    Some(at_means),
                    Some(p.p5),
                    Some(p.p50),
                    Some(p.p95),
                    sampling.map(|s| s.0),
                    sampling.map(|s| s.1),
                    combined.map(|c| c.0),
                    combined.map(|c| c.1),
                ] {
                    row.extend(persons(value));
                }
                row
            })
            .collect()
    });
    Sheet::of(
        "uncertainty",
        header(
            lang,
            &[
                ("figure", false),
                ("at_means", true),
                ("parameters_p5", true),
                ("parameters_p50", true),
                ("parameters_p95", true),
                ("sampling_low", true),
                ("sampling_high", true),
                ("combined_low", true),
                ("combined_high", true),
            ],
        ),
        rows,
    )
}

fn sensitivity(run: &Run, lang: Language) -> Sheet<'_> {
    let rows = run.uncertainty().map_or_else(Vec::new, |u| {
        u.sensitivity
            .iter()
            .map(|s| {
                let mut row = vec![
                    Cell::Text(super::analyses::parameter_words(lang, s.parameter).into()),
                    Cell::Number(s.low),
                    Cell::Number(s.high),
                ];
                row.extend(persons(Some(s.per_year_at_low)));
                row.extend(persons(Some(s.per_year_at_high)));
                row.extend(persons(Some(s.swing)));
                row
            })
            .collect()
    });
    Sheet::of(
        "sensitivity",
        header(
            lang,
            &[
                ("parameter", false),
                ("p5", false),
                ("p95", false),
                ("per_year_at_p5", true),
                ("per_year_at_p95", true),
                ("swing", true),
            ],
        ),
        rows,
    )
}

fn plausibility(run: &Run, lang: Language) -> Sheet<'_> {
    let rows = run
        .plausibility()
        .into_iter()
        .flat_map(|p| p.areas.iter().chain(p.region.as_ref()))
        .map(|a| {
            let mut row = Vec::with_capacity(13);
            row.extend(who(a.code.as_ref(), &a.name));
            row.extend(persons(Some(a.guest_nights_per_year)));
            row.push(a.holiday_homes.map_or(Cell::Empty, Cell::Number));
            row.extend(persons(a.guest_nights_per_home));
            for value in [
                a.times_survey,
                a.persons_per_home_p95,
                a.persons_per_home_max,
            ] {
                row.push(value.map_or(Cell::Empty, Cell::Number));
            }
            row.extend(persons(a.commercial_guest_nights));
            row.push(a.share_outside_commercial.map_or(Cell::Empty, Cell::Number));
            row
        });
    Sheet::streamed(
        "plausibility",
        header(
            lang,
            &[
                ("area", false),
                ("name", false),
                ("guest_nights_per_year_plan", true),
                ("holiday_homes", false),
                ("guest_nights_per_home", true),
                ("times_survey", false),
                ("persons_per_home_p95", false),
                ("persons_per_home_max", false),
                ("commercial_guest_nights", true),
                ("share_outside_commercial", false),
            ],
        ),
        rows,
    )
}

fn notes(run: &Run, lang: Language) -> Sheet<'_> {
    let rows = run_notes(run)
        .into_iter()
        .map(|note| vec![Cell::Text(note.into())])
        .collect();
    Sheet::of("notes", columns(lang, &["note"]), rows)
}

/// Every note of a run in its language, as the readable text gives them: the summary's, the
/// sheet read, the yearly figures' method and notes, the intervals' methods, the
/// plausibility's.
pub(crate) fn run_notes(run: &Run) -> Vec<String> {
    let lang = run.language();
    let mut notes = summary_notes(lang, run.summary(), run.protection());
    if let Some(sheet) = run.sheet() {
        notes.push(sheet_note(lang, sheet));
    }
    if let Some(yearly) = run.yearly() {
        let (method, negative, rule) = yearly.terms;
        notes.push(catalogue::fill(
            lang,
            "yearly.method_note",
            &[
                (
                    "method",
                    &super::analyses::annualisation_words(lang, method),
                ),
                (
                    "negative",
                    &super::analyses::negative_words(lang, negative, rule),
                ),
            ],
        ));
        notes.extend(yearly_notes(yearly, lang));
    }
    if let Some(uncertainty) = run.uncertainty() {
        notes.push(catalogue::fill(
            lang,
            "uncertainty.draws_note",
            &[
                ("draws", &uncertainty.draws.to_string()),
                ("seed", &uncertainty.seed.to_string()),
            ],
        ));
        notes.extend(uncertainty_notes(uncertainty, lang));
    }
    if let Some(plausibility) = run.plausibility() {
        notes.extend(plausibility_notes(plausibility, lang));
    }
    notes
}

/// The note on the sheet of a workbook the counts were read from.
pub(crate) fn sheet_note(language: Language, sheet: &str) -> String {
    catalogue::fill(
        language,
        "note.sheet",
        &[("sheet", &deltid_model::quoted(sheet))],
    )
}
