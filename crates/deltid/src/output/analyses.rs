//! The analyses as readable text: yearly figures, uncertainty, plausibility and the
//! data-quality check.

use std::io::Write;

use chrono::NaiveDate;
use deltid_model::{AreaCode, PLAN_DAYS_PER_YEAR, Parameter, Result};

use super::text::{right_align, table};
use crate::analysis::{
    AreaYearly, DrawPercentiles, FilledPeak, LEVEL_SHIFT_FRACTION, LEVEL_SHIFT_WINDOW,
    OUTLIER_SCORE, Plausibility, SURVEY_GUEST_NIGHTS_PER_CABIN, Uncertainty, Validation, Yearly,
};
use crate::words::{count, whole};

/// Writes the yearly figures as readable text: per area and the region, the figure by the
/// method beside the plan's, the share filled, each year's coverage and filled share, the year
/// weights, and filled stretches that hold the season's peak.
///
/// # Errors
/// [`Error::Write`](deltid_model::Error::Write) if the writer fails.
pub(crate) fn write_yearly(value: &Yearly, mut out: impl Write) -> Result<()> {
    let this = value;
    writeln!(
        out,
        "\nGuest-nights per year, {}; {}:",
        this.method, this.negative
    )?;
    let balanced = this.weighting.is_some();
    let mut table = table();
    table.set_header([
        "area",
        "name",
        "guest-nights/year",
        "plan's rule",
        "filled",
        if balanced {
            "coverage (days counted of days in year, share filled)"
        } else {
            "coverage (days counted of days in year)"
        },
    ]);
    for area in this.areas.iter().chain([&this.region]) {
        let coverage: Vec<String> = area
            .years
            .iter()
            .map(|y| {
                let filled = y.filled_share();
                if balanced && filled > 0.0 {
                    format!(
                        "{}: {} of {} ({:.0} % filled)",
                        y.year,
                        y.days_observed,
                        y.days_in_year,
                        filled * 100.0
                    )
                } else {
                    format!("{}: {} of {}", y.year, y.days_observed, y.days_in_year)
                }
            })
            .collect();
        table.add_row([
            area.code
                .as_ref()
                .map_or("region", AreaCode::as_str)
                .to_owned(),
            area.name.clone(),
            area.guest_nights_per_year
                .map_or_else(|| "no full year".to_owned(), whole),
            whole(area.plan),
            format!("{:.1} %", area.filled_share * 100.0),
            coverage.join(", "),
        ]);
    }
    right_align(&mut table, 2);
    writeln!(out, "{table}")?;
    if let Some(weighting) = &this.weighting {
        let weights: Vec<String> = this
            .region
            .years
            .iter()
            .map(|y| format!("{} {:.2}", y.year, y.weight))
            .collect();
        writeln!(
            out,
            "- {weighting} (the region's days: {}; each area weighs by its own)",
            weights.join(", ")
        )?;
        let harmonics: Vec<String> = this
            .areas
            .iter()
            .chain([&this.region])
            .filter_map(|a| a.model.as_ref().map(|m| (a, m)))
            .map(|(a, m)| format!("{} {}", a.name, m.harmonics))
            .collect();
        if !harmonics.is_empty() {
            writeln!(
                out,
                "- the seasonal model's harmonics of the annual curve, chosen by leave-one-month-out cross-validation: {}",
                harmonics.join(", ")
            )?;
        }
    }
    if this.region.filled_share > 0.5 {
        writeln!(
            out,
            "Caution: {:.1} % of the region's days are filled by the model; the yearly figure rests more on the model than on counts.",
            this.region.filled_share * 100.0
        )?;
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
    if !peaks.is_empty() {
        writeln!(
            out,
            "Filled days that hold the season's peak (the figure rests on the model's shape there, and its interval does not cover a peak no counted day shows):"
        )?;
        for (peak, names) in peaks {
            let mut why: Vec<String> = peak.holidays.iter().map(|h| h.name().to_owned()).collect();
            if peak.busiest_tenth {
                why.push("among the year's busiest tenth of days".to_owned());
            }
            writeln!(
                out,
                "- {} to {} ({}): {}",
                peak.first,
                peak.last,
                why.join("; "),
                names.join(", ")
            )?;
        }
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
                format!("{a} to {b}")
            }
        })
        .collect();
    if !missing.is_empty() {
        writeln!(
            out,
            "Region days without a count for every area: {}",
            missing.join("; ")
        )?;
    }
    Ok(())
}

/// Writes the uncertainty as readable text: the figures with the parameters' percentiles,
/// the sampling interval and both combined, the sensitivity table and the methods.
///
/// # Errors
/// [`Error::Write`](deltid_model::Error::Write) if the writer fails.
pub(crate) fn write_uncertainty(value: &Uncertainty, mut out: impl Write) -> Result<()> {
    let this = value;
    writeln!(
        out,
        "\nUncertainty (90 % intervals: 5th to 95th percentile; {} draws, seed {}, each drawing the parameters, a resample of the days and of the fill's residuals together):",
        this.draws, this.seed
    )?;
    if this.parameters.is_empty() {
        writeln!(
            out,
            "- no parameter is given as a range in the scenario: parameter uncertainty not assessed"
        )?;
    } else {
        let given: Vec<String> = this
            .parameters
            .iter()
            .map(|p| format!("{} {}", p.parameter.key(), p.distribution))
            .collect();
        writeln!(
            out,
            "- parameters: {} (the estimate uses their means)",
            given.join("; "),
        )?;
    }
    let mut figures = table();
    figures.set_header([
        "figure",
        "at the means",
        "parameters P5",
        "P50",
        "P95",
        "sampling 90 %",
        "combined 90 %",
    ]);
    let range = |interval: Option<(f64, f64)>| {
        interval.map_or_else(
            || "-".to_owned(),
            |(l, h)| format!("{} to {}", whole(l), whole(h)),
        )
    };
    let sampling = this.sampling.map(|s| (s.low, s.high));
    let scaled = |factor: f64| sampling.map(|(l, h)| (l * factor, h * factor));
    let combined = |p: Option<DrawPercentiles>| p.map(|p| (p.p5, p.p95));
    for (label, factor, p, both) in [
        (
            "guest-nights per day",
            1.0,
            &this.per_day,
            combined(this.per_day_combined),
        ),
        (
            "guest-nights per year",
            PLAN_DAYS_PER_YEAR,
            &this.per_year,
            combined(this.per_year_combined),
        ),
    ] {
        figures.add_row([
            label.to_owned(),
            whole(this.per_day_at_means * factor),
            whole(p.p5),
            whole(p.p50),
            whole(p.p95),
            range(scaled(factor)),
            range(both),
        ]);
    }
    let b = &this.season_balanced_per_year;
    figures.add_row([
        "guest-nights per year, season-balanced".to_owned(),
        whole(this.season_balanced_at_means),
        whole(b.p5),
        whole(b.p50),
        whole(b.p95),
        range(this.season_balanced_sampling),
        range(combined(this.season_balanced_combined)),
    ]);
    right_align(&mut figures, 1);
    writeln!(out, "{figures}")?;
    if !this.sensitivity.is_empty() {
        writeln!(
            out,
            "\nSensitivity: each parameter at its P5 and P95, the others at their means (guest-nights per year):"
        )?;
        let mut tornado = table();
        tornado.set_header(["parameter", "P5", "P95", "at P5", "at P95", "swing"]);
        for row in &this.sensitivity {
            let value = |v: f64| match row.parameter {
                Parameter::Uplift => format!("{:.1} %", v * 100.0),
                Parameter::Deduction(_) => whole(v),
            };
            tornado.add_row([
                row.parameter.key(),
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
    writeln!(out, "- sampling, plan's rule: {}", this.sampling_method)?;
    writeln!(
        out,
        "- sampling, season-balanced (negative days kept): {}",
        this.season_balanced_method
    )?;
    writeln!(
        out,
        "- combined: the 5th to 95th percentile of the figure over the draws, each the parameters' change plus the sampling deviation of the same draw"
    )?;
    Ok(())
}

/// Writes the plausibility checks as a readable table.
///
/// # Errors
/// [`Error::Write`](deltid_model::Error::Write) if the writer fails.
pub(crate) fn write_plausibility(value: &Plausibility, mut out: impl Write) -> Result<()> {
    let this = value;
    writeln!(
        out,
        "\nPlausibility (guest-nights per year by the plan's rule; national cabin survey, TØI 1155/2011: {SURVEY_GUEST_NIGHTS_PER_CABIN} guest-nights per cabin per year):"
    )?;
    let mut t = table();
    t.set_header([
        "area",
        "name",
        "holiday homes",
        "guest-nights/home/year",
        "× survey",
        "persons/home P95 day",
        "persons/home busiest day",
        "outside commercial",
    ]);
    let whole_or_dash = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), whole);
    let one = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.1}"));
    for a in this.areas.iter().chain(this.region.as_ref()) {
        t.add_row([
            a.code
                .as_ref()
                .map_or("region", AreaCode::as_str)
                .to_owned(),
            a.name.clone(),
            whole_or_dash(a.holiday_homes),
            whole_or_dash(a.guest_nights_per_home),
            one(a.times_survey),
            one(a.persons_per_home_p95),
            one(a.persons_per_home_max),
            a.share_outside_commercial
                .map_or_else(|| "-".to_owned(), |s| format!("{:.0} %", s * 100.0)),
        ]);
    }
    right_align(&mut t, 2);
    writeln!(out, "{t}")?;
    writeln!(
        out,
        "The residual holds hotel and rental guests and visitors too, so it can well exceed cabin use alone."
    )?;
    if this
        .areas
        .iter()
        .chain(this.region.as_ref())
        .any(|a| a.share_outside_commercial.is_some_and(|s| s < 0.0))
    {
        writeln!(
            out,
            "A negative share outside commercial accommodation means the official commercial guest-nights exceed the estimate: the estimate is too low there (or the figures are for another year or area)."
        )?;
    }
    Ok(())
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
    if let (Some(first), Some(last)) = (this.first, this.last) {
        let span = (last - first).num_days() + 1;
        writeln!(
            out,
            "{}, counts from {first} to {last} ({})\n",
            count(this.areas.len() as u32, "area"),
            count(span as u32, "day")
        )?;
    }
    let mut areas = table();
    areas.set_header([
        "area",
        "name",
        "days",
        "first",
        "last",
        "missing days",
        "zero days",
        "level shifts",
        "outliers",
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
        "\nRules: an outlier day changes from the day before by a robust score (median \
         absolute deviation of ln(1 + count) changes) above {OUTLIER_SCORE}; a level shift \
         is such a change after which the median of the {LEVEL_SHIFT_WINDOW} days from it \
         differs by more than {} % from the {LEVEL_SHIFT_WINDOW} days before.",
        LEVEL_SHIFT_FRACTION * 100.0
    )?;
    Ok(())
}
