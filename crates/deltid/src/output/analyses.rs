//! The analyses as readable text: yearly figures, uncertainty, plausibility and the
//! data-quality check.

use std::io::Write;

use chrono::NaiveDate;
use deltid_model::{AreaCode, Language, PLAN_DAYS_PER_YEAR, Parameter, RegionRule, Result};

use super::text::{right_align, table};
use crate::analysis::{
    Annualisation, AreaYearly, DrawPercentiles, FilledPeak, LEVEL_SHIFT_FRACTION,
    LEVEL_SHIFT_WINDOW, MIN_SEASON_MONTH_DAYS, MIN_SEASON_MONTHS, NegativePolicy, OUTLIER_SCORE,
    Plausibility, SURVEY_GUEST_NIGHTS_PER_CABIN, Uncertainty, Validation, Yearly,
};
use crate::catalogue::{self, decimal, fill, text};
use crate::words::{count, whole};

/// Writes the yearly figures as readable text in `language`: per area and the region, the
/// figure by the method beside the plan's, the share filled, each year's coverage and filled
/// share, then the notes ([`yearly_notes`]).
///
/// # Errors
/// [`Error::Write`](deltid_model::Error::Write) if the writer fails.
pub(crate) fn write_yearly(value: &Yearly, language: Language, mut out: impl Write) -> Result<()> {
    let lang = language;
    let this = value;
    let (method, negative, rule) = this.terms;
    writeln!(
        out,
        "\n{}",
        fill(
            lang,
            "yearly.title",
            &[
                ("method", &annualisation_words(lang, method)),
                ("negative", &negative_words(lang, negative, rule)),
            ]
        )
    )?;
    let balanced = this.weighting.is_some();
    let mut table = table();
    table.set_header([
        text(lang, "head.area"),
        text(lang, "head.name"),
        text(lang, "head.per_year"),
        text(lang, "yearly.plan_rule"),
        text(lang, "yearly.filled"),
        text(
            lang,
            if balanced {
                "yearly.coverage_filled"
            } else {
                "yearly.coverage"
            },
        ),
    ]);
    for area in this.areas.iter().chain([&this.region]) {
        let coverage: Vec<String> = area
            .years
            .iter()
            .map(|y| {
                let filled = y.filled_share();
                let values = [
                    ("year", y.year.to_string()),
                    ("observed", y.days_observed.to_string()),
                    ("total", y.days_in_year.to_string()),
                    ("percent", decimal(lang, filled * 100.0, 0)),
                ];
                let values: Vec<(&str, &str)> =
                    values.iter().map(|(k, v)| (*k, v.as_str())).collect();
                // Where the model may not fill (too few months), nothing is filled.
                if balanced && filled > 0.0 && area.fills {
                    fill(lang, "yearly.year_filled", &values)
                } else {
                    fill(lang, "yearly.year", &values)
                }
            })
            .collect();
        table.add_row([
            area.code
                .as_ref()
                .map_or(text(lang, "text.region"), AreaCode::as_str)
                .to_owned(),
            area.name.clone(),
            area.guest_nights_per_year.map_or_else(
                || match this.weighting {
                    // Season-balanced: too few months counted for the model (see the notes).
                    Some(_) => "-".to_owned(),
                    None => text(lang, "yearly.no_full_year").to_owned(),
                },
                whole,
            ),
            whole(area.plan),
            match (balanced, area.fills) {
                (true, false) => "-".to_owned(),
                _ => format!("{} %", decimal(lang, area.filled_share * 100.0, 1)),
            },
            coverage.join(", "),
        ]);
    }
    right_align(&mut table, 2);
    writeln!(out, "{table}")?;
    for note in yearly_notes(this, lang) {
        writeln!(out, "- {note}")?;
    }
    Ok(())
}

/// The yearly figures' notes in `language`: the year weights and harmonics, a caution when
/// the model fills most days, filled stretches that hold the season's peak, the region's days
/// without a count.
pub(crate) fn yearly_notes(value: &Yearly, language: Language) -> Vec<String> {
    let lang = language;
    let this = value;
    let mut notes = Vec::new();
    // The weights and the model's terms, where the model fills some area's year.
    let fills = this.areas.iter().chain([&this.region]).any(|a| a.fills);
    if this.weighting.is_some() && fills {
        let weights: Vec<String> = this
            .region
            .years
            .iter()
            .map(|y| format!("{} {}", y.year, decimal(lang, y.weight, 2)))
            .collect();
        notes.push(fill(
            lang,
            "yearly.weights",
            &[("weights", &weights.join(", "))],
        ));
        let harmonics: Vec<String> = this
            .areas
            .iter()
            .chain([&this.region])
            .filter_map(|a| a.model.as_ref().map(|m| (a, m)))
            .map(|(a, m)| format!("{} {}", a.name, m.harmonics))
            .collect();
        if !harmonics.is_empty() {
            notes.push(fill(
                lang,
                "yearly.harmonics",
                &[("list", &harmonics.join(", "))],
            ));
        }
    }
    let unsupported: Vec<&str> = this
        .areas
        .iter()
        .chain([&this.region])
        .filter(|a| a.guest_nights_per_year.is_none())
        .map(|a| a.name.as_str())
        .collect();
    if this.weighting.is_some() && !unsupported.is_empty() {
        notes.push(fill(
            lang,
            "yearly.unsupported",
            &[
                ("names", &unsupported.join(", ")),
                ("months", &MIN_SEASON_MONTHS.to_string()),
                ("days", &MIN_SEASON_MONTH_DAYS.to_string()),
            ],
        ));
    }
    // A caution of a fill only where there is one.
    if this.region.filled_share > 0.5 && (this.weighting.is_none() || this.region.fills) {
        notes.push(fill(
            lang,
            "yearly.caution",
            &[(
                "percent",
                &decimal(lang, this.region.filled_share * 100.0, 1),
            )],
        ));
    }
    // Filled stretches holding a peak, with the areas that have them.
    let mut peaks: Vec<(&FilledPeak, Vec<&str>)> = Vec::new();
    let with_peaks: Vec<&AreaYearly> = if this.region.model.is_some() {
        vec![&this.region]
    } else {
        this.areas.iter().collect()
    };
    for area in with_peaks {
        for peak in &area.filled_peaks {
            match peaks
                .iter_mut()
                .find(|(p, _)| (p.first, p.last) == (peak.first, peak.last))
            {
                Some((_, names)) => names.push(&area.name),
                None => peaks.push((peak, vec![&area.name])),
            }
        }
    }
    for (peak, names) in peaks {
        let mut why: Vec<String> = peak
            .holidays
            .iter()
            .map(|h| catalogue::label(lang, h.name()))
            .collect();
        if peak.busiest_tenth {
            why.push(text(lang, "yearly.busiest_tenth").to_owned());
        }
        notes.push(fill(
            lang,
            "yearly.filled_peak",
            &[
                ("first", &peak.first.to_string()),
                ("last", &peak.last.to_string()),
                ("why", &why.join("; ")),
                ("areas", &names.join(", ")),
            ],
        ));
    }
    // Ranges that run on across a new year are shown as one.
    let mut ranges: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for &(start, end) in this.region.years.iter().flat_map(|y| y.missing.iter()) {
        match ranges.last_mut() {
            Some((_, last)) if last.succ_opt() == Some(start) => *last = end,
            _ => ranges.push((start, end)),
        }
    }
    let missing: Vec<String> = ranges
        .iter()
        .map(|(a, b)| {
            if a == b {
                a.to_string()
            } else {
                fill(
                    lang,
                    "text.range",
                    &[("first", &a.to_string()), ("last", &b.to_string())],
                )
            }
        })
        .collect();
    if !missing.is_empty() {
        notes.push(fill(
            lang,
            "yearly.missing",
            &[("ranges", &missing.join("; "))],
        ));
    }
    notes
}

/// An annualisation method in words, in `language`.
pub(crate) fn annualisation_words(language: Language, method: Annualisation) -> String {
    let key = match method {
        Annualisation::Plan => "method.plan",
        Annualisation::Calendar => "method.calendar",
        Annualisation::SeasonBalanced => "method.season_balanced",
    };
    text(language, key).to_owned()
}

/// A negative policy under a region rule in words, in `language`.
pub(crate) fn negative_words(
    language: Language,
    policy: NegativePolicy,
    rule: RegionRule,
) -> String {
    let key = match (policy, rule) {
        (NegativePolicy::Keep, _) => "method.negative_keep",
        (NegativePolicy::ClampDay, RegionRule::SumOfAreas) => "method.negative_clamp_day_sum",
        (NegativePolicy::ClampPeriod, RegionRule::SumOfAreas) => "method.negative_clamp_period_sum",
        (NegativePolicy::ClampDay, RegionRule::OwnCount) => "method.negative_clamp_day_own",
        (NegativePolicy::ClampPeriod, RegionRule::OwnCount) => "method.negative_clamp_period_own",
    };
    text(language, key).to_owned()
}

/// The rows of the uncertainty's figures: the label's key, the figure at the parameters'
/// means, the parameters' percentiles, the sampling interval and both combined (low, high).
pub(crate) type UncertaintyRow = (
    &'static str,
    f64,
    DrawPercentiles,
    Option<(f64, f64)>,
    Option<(f64, f64)>,
);

/// The uncertainty's figures: per day and per year by the plan's rule, and per year
/// season-balanced.
pub(crate) fn uncertainty_rows(value: &Uncertainty) -> Vec<UncertaintyRow> {
    let this = value;
    let sampling = this.sampling.map(|s| (s.low, s.high));
    let scaled = |factor: f64| sampling.map(|(l, h)| (l * factor, h * factor));
    let combined = |p: Option<DrawPercentiles>| p.map(|p| (p.p5, p.p95));
    let mut rows = vec![
        (
            "uncertainty.per_day",
            this.per_day_at_means,
            this.per_day,
            scaled(1.0),
            combined(this.per_day_combined),
        ),
        (
            "uncertainty.per_year",
            this.per_day_at_means * PLAN_DAYS_PER_YEAR,
            this.per_year,
            scaled(PLAN_DAYS_PER_YEAR),
            combined(this.per_year_combined),
        ),
    ];
    // Without a season-balanced figure (too few months counted), no row: the notes say why.
    if let (Some(at_means), Some(draws)) =
        (this.season_balanced_at_means, this.season_balanced_per_year)
    {
        rows.push((
            "uncertainty.season_balanced",
            at_means,
            draws,
            this.season_balanced_sampling,
            combined(this.season_balanced_combined),
        ));
    }
    rows
}

/// Writes the uncertainty as readable text in `language`: the figures with the parameters'
/// percentiles, the sampling interval and both combined, the sensitivity table and the
/// methods.
///
/// # Errors
/// [`Error::Write`](deltid_model::Error::Write) if the writer fails.
pub(crate) fn write_uncertainty(
    value: &Uncertainty,
    language: Language,
    mut out: impl Write,
) -> Result<()> {
    let lang = language;
    let this = value;
    writeln!(
        out,
        "\n{}",
        fill(
            lang,
            "uncertainty.title",
            &[
                ("draws", &this.draws.to_string()),
                ("seed", &this.seed.to_string())
            ]
        )
    )?;
    let notes = uncertainty_notes(this, lang);
    let (first, methods) = notes.split_at(1.min(notes.len()));
    for note in first {
        writeln!(out, "- {note}")?;
    }
    let mut figures = table();
    figures.set_header(
        [
            "uncertainty.figure",
            "uncertainty.at_means",
            "uncertainty.parameters_p5",
            "uncertainty.p50",
            "uncertainty.p95",
            "uncertainty.sampling",
            "uncertainty.combined",
        ]
        .map(|k| text(lang, k)),
    );
    let range = |interval: Option<(f64, f64)>| {
        interval.map_or_else(
            || "-".to_owned(),
            |(l, h)| {
                fill(
                    lang,
                    "text.range",
                    &[("first", &whole(l)), ("last", &whole(h))],
                )
            },
        )
    };
    for (label, at_means, p, sampling, combined) in uncertainty_rows(this) {
        figures.add_row([
            text(lang, label).to_owned(),
            whole(at_means),
            whole(p.p5),
            whole(p.p50),
            whole(p.p95),
            range(sampling),
            range(combined),
        ]);
    }
    right_align(&mut figures, 1);
    writeln!(out, "{figures}")?;
    if !this.sensitivity.is_empty() {
        writeln!(out, "\n{}", text(lang, "uncertainty.sensitivity"))?;
        let mut tornado = table();
        tornado.set_header(
            [
                "uncertainty.parameter",
                "uncertainty.p5",
                "uncertainty.p95",
                "uncertainty.at_p5",
                "uncertainty.at_p95",
                "uncertainty.swing",
            ]
            .map(|k| text(lang, k)),
        );
        for row in &this.sensitivity {
            let value = |v: f64| match row.parameter {
                Parameter::Uplift => format!("{} %", decimal(lang, v * 100.0, 1)),
                Parameter::Deduction(_) => whole(v),
            };
            tornado.add_row([
                parameter_words(lang, row.parameter),
                value(row.low),
                value(row.high),
                whole(row.per_year_at_low),
                whole(row.per_year_at_high),
                whole(row.swing),
            ]);
        }
        right_align(&mut tornado, 1);
        writeln!(out, "{tornado}")?;
    }
    for note in methods {
        writeln!(out, "- {note}")?;
    }
    Ok(())
}

/// The uncertainty's notes in `language`: the parameters given as ranges (first), then the
/// methods of the sampling intervals and of combining them.
pub(crate) fn uncertainty_notes(value: &Uncertainty, language: Language) -> Vec<String> {
    let lang = language;
    let this = value;
    let mut notes = Vec::new();
    if this.parameters.is_empty() {
        notes.push(text(lang, "uncertainty.no_parameters").to_owned());
    } else {
        let given: Vec<String> = this
            .parameters
            .iter()
            .map(|p| format!("{} {}", parameter_words(lang, p.parameter), p.distribution))
            .collect();
        notes.push(fill(
            lang,
            "uncertainty.parameters",
            &[("list", &given.join("; "))],
        ));
    }
    let sampling = match &this.sampling {
        Some(interval) => {
            let d = &interval.dependence;
            fill(
                lang,
                "uncertainty.block_bootstrap",
                &[
                    ("days", &d.days.to_string()),
                    ("block", &d.block.to_string()),
                    ("dof", &decimal(lang, d.degrees_of_freedom, 0)),
                ],
            )
        }
        // The reason, as the analysis gives it.
        None => this.sampling_method.clone(),
    };
    notes.push(fill(
        lang,
        "uncertainty.sampling_plan",
        &[("method", &sampling)],
    ));
    let balanced = match this.fill_block {
        Some(block) => fill(
            lang,
            "uncertainty.fill_error",
            &[("block", &block.to_string())],
        ),
        None => this.season_balanced_method.clone(),
    };
    notes.push(fill(
        lang,
        "uncertainty.sampling_balanced",
        &[("method", &balanced)],
    ));
    notes.push(text(lang, "uncertainty.combined_method").to_owned());
    notes
}

/// A parameter's name in `language`: in English its key in the scenario
/// (`deductions.commuters`), else its line's header (`påslag`, `pendlarar`).
pub(crate) fn parameter_words(language: Language, parameter: Parameter) -> String {
    if language == Language::English {
        // The scenario's own key: `uplift`, `deductions.commuters`.
        return parameter.key();
    }
    match parameter {
        Parameter::Uplift => text(language, "head.uplift").to_owned(),
        Parameter::Deduction(d) => text(language, &format!("head.{}", d.key())).to_owned(),
    }
}

/// Writes the plausibility checks as a readable table in `language`.
///
/// # Errors
/// [`Error::Write`](deltid_model::Error::Write) if the writer fails.
pub(crate) fn write_plausibility(
    value: &Plausibility,
    language: Language,
    mut out: impl Write,
) -> Result<()> {
    let lang = language;
    let this = value;
    writeln!(
        out,
        "\n{}",
        fill(
            lang,
            "plausibility.title",
            &[("survey", &SURVEY_GUEST_NIGHTS_PER_CABIN.to_string())]
        )
    )?;
    let mut t = table();
    t.set_header([
        text(lang, "head.area"),
        text(lang, "head.name"),
        text(lang, "plausibility.holiday_homes"),
        text(lang, "plausibility.per_home"),
        text(lang, "plausibility.times_survey"),
        text(lang, "plausibility.p95_day"),
        text(lang, "plausibility.busiest_day"),
        text(lang, "plausibility.outside_commercial"),
    ]);
    let whole_or_dash = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), whole);
    let one = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| decimal(lang, v, 1));
    for a in this.areas.iter().chain(this.region.as_ref()) {
        t.add_row([
            a.code
                .as_ref()
                .map_or(text(lang, "text.region"), AreaCode::as_str)
                .to_owned(),
            a.name.clone(),
            whole_or_dash(a.holiday_homes),
            whole_or_dash(a.guest_nights_per_home),
            one(a.times_survey),
            one(a.persons_per_home_p95),
            one(a.persons_per_home_max),
            a.share_outside_commercial.map_or_else(
                || "-".to_owned(),
                |s| format!("{} %", decimal(lang, s * 100.0, 0)),
            ),
        ]);
    }
    right_align(&mut t, 2);
    writeln!(out, "{t}")?;
    for note in plausibility_notes(this, lang) {
        writeln!(out, "{note}")?;
    }
    Ok(())
}

/// The plausibility checks' notes in `language`.
pub(crate) fn plausibility_notes(value: &Plausibility, language: Language) -> Vec<String> {
    let mut notes = vec![text(language, "plausibility.residual").to_owned()];
    if value
        .areas
        .iter()
        .chain(value.region.as_ref())
        .any(|a| a.share_outside_commercial.is_some_and(|s| s < 0.0))
    {
        notes.push(text(language, "plausibility.negative_share").to_owned());
    }
    notes
}

/// Writes the data-quality report as readable text: the files, a coverage table per area, then the
/// errors or the warnings, and the rules used.
///
/// # Errors
/// [`Error::Write`] if the writer fails.
pub(crate) fn write_validation(value: &Validation, mut out: impl Write) -> Result<()> {
    let this = value;
    writeln!(out, "Counts: {}", this.counts.display())?;
    writeln!(out, "Scenario: {}", this.scenario.display())?;
    if this.has_errors() {
        let total = this.errors.len() + this.errors_not_listed;
        writeln!(
            out,
            "\n{}; the counts were not checked further:",
            count(total as u32, "error")
        )?;
        for error in &this.errors {
            writeln!(out, "- {error}")?;
        }
        if this.errors_not_listed > 0 {
            writeln!(out, "- … and {} more", this.errors_not_listed)?;
        }
        return Ok(());
    }
    // Night counts: the findings are about nights, each labelled by its evening date.
    let night = this.measure == deltid_model::Measure::Night;
    let unit = if night { "night" } else { "day" };
    if let (Some(first), Some(last)) = (this.first, this.last) {
        let span = (last - first).num_days() + 1;
        writeln!(
            out,
            "{}, counts from {first} to {last} ({}{})\n",
            count(this.areas.len() as u32, "area"),
            count(span as u32, unit),
            if night {
                ", each night labelled by its evening date"
            } else {
                ""
            }
        )?;
    }
    let mut areas = table();
    areas.set_header([
        "area".to_owned(),
        "name".to_owned(),
        format!("{unit}s"),
        "first".to_owned(),
        "last".to_owned(),
        format!("missing {unit}s"),
        format!("zero {unit}s"),
        "level shifts".to_owned(),
        "outliers".to_owned(),
    ]);
    let date = |d: Option<NaiveDate>| d.map_or_else(|| "-".to_owned(), |d| d.to_string());
    for area in &this.areas {
        areas.add_row([
            area.code.to_string(),
            area.name.clone(),
            area.days.to_string(),
            date(area.first),
            date(area.last),
            area.missing_days.to_string(),
            area.zero_days.to_string(),
            area.level_shifts.len().to_string(),
            area.outliers.len().to_string(),
        ]);
    }
    right_align(&mut areas, 5);
    if let Some(column) = areas.column_mut(2) {
        column.set_cell_alignment(comfy_table::CellAlignment::Right);
    }
    writeln!(out, "{areas}\n")?;
    if this.has_warnings() {
        writeln!(out, "{}:", count(this.warnings.len() as u32, "warning"))?;
        for warning in &this.warnings {
            writeln!(out, "- {warning}")?;
        }
    } else {
        writeln!(out, "No errors, no warnings.")?;
    }
    writeln!(
        out,
        "\nRules: an outlier {unit} changes from the {unit} before by a robust score (median \
         absolute deviation of ln(1 + count) changes) above {OUTLIER_SCORE}; a level shift \
         is such a change after which the median of the {LEVEL_SHIFT_WINDOW} {unit}s from it \
         differs by more than {} % from the {LEVEL_SHIFT_WINDOW} {unit}s before.",
        LEVEL_SHIFT_FRACTION * 100.0
    )?;
    Ok(())
}
