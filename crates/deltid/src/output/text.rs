//! Readable text: the plan's table, per-area lines, calendar years and notes.

use std::io::Write;

use comfy_table::{CellAlignment, Table, presets};
use deltid_model::{
    AreaCode, AreaSummary, Deduction, Language, Measure, NightBaseline, NightRule, NightSummary,
    RegionRule, Result, Summary, TableLine, TableRow,
};

use super::sheet::SUPPRESSED;
use crate::analysis::Protection;

use crate::catalogue::{self, fill, text};
pub use crate::words::persons;
use crate::words::whole;

/// The catalogue keys of the per-area table's columns, in order (text and HTML report).
/// A per-area column's heading key: guest-nights per night for night counts.
pub(crate) fn per_area_column(key: &str, night: bool) -> &str {
    match key {
        "per_day" if night => "per_night",
        other => other,
    }
}

pub(crate) const PER_AREA_COLUMNS: [&str; 10] = [
    "area",
    "name",
    "observed",
    "uplift",
    "residents",
    "commuters",
    "transit",
    "day_visitors",
    "per_day",
    "per_year",
];

/// A table without borders.
pub(crate) fn table() -> Table {
    let mut table = Table::new();
    table.load_preset(presets::NOTHING);
    table
}

/// Aligns the columns from `from` on to the right (numbers).
pub(crate) fn right_align(table: &mut Table, from: usize) {
    let width = table.column_count();
    for i in from..width {
        if let Some(column) = table.column_mut(i) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// Writes the summary as readable text: the plan's table for the region, the same lines per
/// area beneath it, calendar-year sums with coverage, and notes on rounding, allocation, the
/// region rule, missing and negative days.
///
/// # Errors
/// [`Error::Write`](deltid_model::Error::Write) if the writer fails.
pub fn write_summary_table(summary: &Summary, out: impl Write) -> Result<()> {
    write_summary_table_in(summary, Language::English, out)
}

/// A line's label in the plan's table, in `language`: English as the model labels it; in
/// Norwegian as the plan writes it (nynorsk: "Snitt innb. pr. dag, totalt", …).
pub(crate) fn table_label(language: Language, line: &TableLine, summary: &Summary) -> String {
    if summary.measure() == Measure::Night {
        let key = match line.row {
            TableRow::Observed => Some("table.observed_night"),
            TableRow::Deduction(Deduction::Residents) if summary.residents_baseline().is_some() => {
                Some("table.residents_baseline")
            }
            TableRow::Deduction(Deduction::Residents) => Some("table.residents_night"),
            TableRow::GuestNightsPerDay => Some("table.per_night"),
            TableRow::GuestNightsPerYear => Some("table.per_year_night"),
            _ => None,
        };
        if let Some(key) = key {
            return text(language, key).to_owned();
        }
    }
    if language == Language::English {
        return line.label.to_string();
    }
    let uplift = summary.uplift().fraction() * 100.0;
    let percent = trim_number(language, uplift);
    match line.row {
        TableRow::Observed => text(language, "table.observed").to_owned(),
        // The plan's uplift alone (the model's label then names nothing else).
        TableRow::Uplift
            if line
                .label
                .ends_with("for people without a phone and SIM deviations") =>
        {
            fill(language, "table.uplift", &[("percent", &percent)])
        }
        // Scaling factors or foreign SIMs: the model's label names them.
        TableRow::Uplift => line.label.to_string(),
        TableRow::Deduction(d) => fill(
            language,
            &format!("table.{}", d.key()),
            &[("region", summary.region_name())],
        ),
        TableRow::GuestNightsPerDay => text(language, "table.per_day").to_owned(),
        TableRow::GuestNightsPerYear => text(language, "table.per_year").to_owned(),
    }
}

/// Bounds of persons (or nights) in words, to a tenth: one number where the figure is exact
/// or both ends are written alike (`1 839.6`, never `5 645.9 to 5 645.9`), else its ends with
/// each end left out said so: `31.5 to 82.7`, `500.0 to under 515.0` (the high end left out),
/// `over -8.7 to 0.0` (the low end left out, as in night − home zone), `over 1.0 to under 2.0`.
pub(crate) fn bounds_words(language: Language, b: &deltid_model::Bounds) -> String {
    let (low, high) = (
        super::origin::tenths(language, b.low),
        super::origin::tenths(language, b.high),
    );
    if b.is_exact() || low == high {
        return low;
    }
    let key = match (b.low_open, b.high_open) {
        (false, false) => "origin.between",
        (false, true) => "origin.between_open",
        (true, false) => "origin.between_over",
        (true, true) => "origin.between_over_open",
    };
    fill(language, key, &[("low", &low), ("high", &high)])
}

/// A number without trailing zeros (`6`, `6.5`), with the language's decimal mark.
pub(crate) fn trim_number(language: Language, value: f64) -> String {
    let text = format!("{}", (value * 1e6).round() / 1e6);
    if language.decimal_comma() {
        text.replace('.', ",")
    } else {
        text
    }
}

/// [`write_summary_table`] in a language: labels, headers and notes in nynorsk, bokmål or
/// English.
///
/// # Errors
/// [`Error::Write`](deltid_model::Error::Write) if the writer fails.
pub fn write_summary_table_in(
    summary: &Summary,
    language: Language,
    out: impl Write,
) -> Result<()> {
    write_summary_protected(summary, language, None, out)
}

/// A figure in whole persons as published: rounded to the protection's base, or
/// [`SUPPRESSED`] (never 0).
pub(crate) fn shown(protection: Option<&Protection>, value: i64, hidden: bool) -> String {
    match protection {
        _ if hidden => SUPPRESSED.to_owned(),
        Some(p) => persons(p.rule().round(value as f64) as i64),
        None => persons(value),
    }
}

/// The notes on small-count protection: the rule, the cells suppressed, the rounding.
pub(crate) fn disclosure_notes(language: Language, protection: &Protection) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(k) = protection.rule().min_count() {
        notes.push(fill(
            language,
            "text.note_disclosure",
            &[
                ("k", &k.to_string()),
                ("primary", &protection.primary().to_string()),
                ("secondary", &protection.secondary().to_string()),
            ],
        ));
    }
    if let Some(base) = protection.rule().rounding() {
        notes.push(fill(
            language,
            "text.note_rounding_base",
            &[("base", &base.to_string())],
        ));
    }
    notes
}

/// [`write_summary_table_in`] under small-count protection: suppressed figures shown as
/// [`SUPPRESSED`], the others rounded to its base, and a note on the rule.
pub(crate) fn write_summary_protected(
    summary: &Summary,
    language: Language,
    protection: Option<&Protection>,
    mut out: impl Write,
) -> Result<()> {
    let lang = language;
    let mean_hidden =
        |area: &AreaSummary| protection.is_some_and(|p| p.is_mean_suppressed(area.code()));
    let sums_hidden = |area: &AreaSummary| {
        protection.is_some_and(|p| p.is_aggregate_suppressed(area.code(), false))
    };
    let head = |key: &str| text(lang, &format!("head.{key}")).to_owned();
    let region = summary.region();
    let selection = selection_words(lang, summary.selected());
    let night = summary.measure() == Measure::Night;
    writeln!(
        out,
        "{}",
        fill(
            lang,
            if night {
                "text.title_night"
            } else {
                "text.title"
            },
            &[("region", summary.region_name()), ("selection", &selection)]
        )
    )?;
    let first = summary.first().to_string();
    let last = summary.last().to_string();
    writeln!(
        out,
        "{}\n",
        fill(
            lang,
            if night {
                "text.coverage_night"
            } else {
                "text.coverage"
            },
            &[
                (
                    "days",
                    &if night {
                        catalogue::nights(lang, summary.days())
                    } else {
                        catalogue::days(lang, summary.days())
                    }
                ),
                ("first", &first),
                ("last", &last),
                (
                    "areas",
                    &catalogue::areas(lang, summary.areas().len() as u32)
                ),
            ]
        )
    )?;

    let mut plan = table();
    plan.set_header([text(lang, "text.line"), text(lang, "text.persons")]);
    for line in &region.table().lines {
        if !line_applies(summary, line) {
            continue;
        }
        plan.add_row([
            table_label(lang, line, summary),
            shown(protection, line.rounded, mean_hidden(region)),
        ]);
    }
    right_align(&mut plan, 1);
    writeln!(out, "{plan}\n")?;
    if let Some(nights) = summary.night() {
        write_nights(lang, summary, nights, protection, &mut out)?;
    }
    if let Some(baseline) = summary.residents_baseline() {
        write_baseline(lang, baseline, protection, &mut out)?;
    }

    let night = summary.measure() == Measure::Night;
    writeln!(
        out,
        "{}",
        text(
            lang,
            if night {
                "text.per_area_night"
            } else {
                "text.per_area"
            }
        )
    )?;
    let mut areas = table();
    areas.set_header(PER_AREA_COLUMNS.map(|key| head(per_area_column(key, night))));
    let region_word = text(lang, "text.region");
    for area in summary.areas().iter().chain([region]) {
        let code = area.code().map_or(region_word, AreaCode::as_str);
        let mut row = vec![code.to_owned(), area.name().to_owned()];
        let hidden = mean_hidden(area);
        row.extend(
            area.table()
                .lines
                .iter()
                .map(|l| shown(protection, l.rounded, hidden)),
        );
        areas.add_row(row);
    }
    right_align(&mut areas, 2);
    writeln!(out, "{areas}\n")?;

    writeln!(out, "{}", text(lang, "text.calendar_years"))?;
    let mut years = table();
    years.set_header(["area", "name", "year", "days_observed", "guest_nights"].map(head));
    for area in summary.areas().iter().chain([region]) {
        let code = area.code().map_or(region_word, AreaCode::as_str);
        for year in area.calendar_years() {
            years.add_row([
                code.to_owned(),
                area.name().to_owned(),
                year.year.to_string(),
                fill(
                    lang,
                    "text.days_of",
                    &[
                        ("observed", &year.days_observed.to_string()),
                        ("total", &year.days_in_year.to_string()),
                    ],
                ),
                shown(
                    protection,
                    deltid_model::whole_persons(year.guest_nights),
                    sums_hidden(area),
                ),
            ]);
        }
    }
    right_align(&mut years, 2);
    writeln!(out, "{years}\n")?;

    writeln!(out, "{}", text(lang, "text.notes"))?;
    for note in summary_notes(lang, summary, protection) {
        writeln!(out, "- {note}")?;
    }
    Ok(())
}

/// The summary's notes, in `language`, one sentence each: rounding, allocation, scaling, the
/// region rule and overlap, areas without counts, missing, incomplete and negative days.
///
/// Under small-count protection, the notes on its rule follow the rounding, and a negative
/// sum of a suppressed area is shown as suppressed.
pub(crate) fn summary_notes(
    language: Language,
    summary: &Summary,
    protection: Option<&Protection>,
) -> Vec<String> {
    let lang = language;
    let region = summary.region();
    let first = summary.first().to_string();
    let last = summary.last().to_string();
    let mut notes = vec![text(lang, "text.note_rounding").to_owned()];
    notes.extend(
        protection
            .map(|p| disclosure_notes(lang, p))
            .unwrap_or_default(),
    );
    notes.push(allocation_note(lang, summary));
    if !summary.scaling().is_identity() {
        notes.push(fill(
            lang,
            "note.scaling",
            &[("factors", &scaling_words(lang, summary.scaling()))],
        ));
    }
    notes.push(region_note(lang, summary));
    if let Some(overlap) = summary.overlap() {
        notes.push(fill(
            lang,
            "note.overlap",
            &[
                ("region", region.name()),
                ("overlap", &catalogue::decimal(lang, overlap, 3)),
            ],
        ));
    }
    for (code, name) in summary.areas_without_counts() {
        notes.push(fill(
            lang,
            "note.without_counts",
            &[("name", name), ("code", code.as_str())],
        ));
    }
    for area in summary.areas() {
        if area.missing_days() > 0 {
            notes.push(fill(
                lang,
                "text.note_missing",
                &[
                    ("name", area.name()),
                    ("days", &catalogue::days(lang, area.missing_days())),
                    ("first", &first),
                    ("last", &last),
                    ("counted", &catalogue::days(lang, area.days())),
                ],
            ));
        }
    }
    if summary.incomplete_region_days() > 0 {
        let key = match summary.region_rule() {
            RegionRule::SumOfAreas => "note.incomplete_sum",
            RegionRule::OwnCount => "note.incomplete_own",
        };
        notes.push(fill(
            lang,
            key,
            &[
                ("region", region.name()),
                (
                    "days",
                    &catalogue::days(lang, summary.incomplete_region_days()),
                ),
            ],
        ));
    }
    for area in summary.areas().iter().chain([region]) {
        if area.negative_days() > 0 {
            let first = area
                .negative_dates()
                .first()
                .map_or_else(String::new, ToString::to_string);
            notes.push(fill(
                lang,
                "text.note_negative",
                &[
                    ("name", area.name()),
                    ("days", &catalogue::days(lang, area.negative_days())),
                    ("first", &first),
                    (
                        "nights",
                        &shown(
                            protection,
                            deltid_model::whole_persons(area.negative_sum()),
                            protection
                                .is_some_and(|p| p.is_aggregate_suppressed(area.code(), false)),
                        ),
                    ),
                ],
            ));
        }
    }
    notes
}

/// The scaling factors besides the uplift, in `language`.
fn scaling_words(language: Language, scaling: deltid_model::Scaling) -> String {
    let mut parts = Vec::new();
    let number = |x: f64| trim_number(language, x);
    if scaling.deduplication() != 1.0 {
        parts.push(fill(
            language,
            "note.deduplication",
            &[("factor", &number(scaling.deduplication()))],
        ));
    }
    if scaling.market_share() != 1.0 {
        parts.push(fill(
            language,
            "note.market_share",
            &[("factor", &number(scaling.market_share()))],
        ));
    }
    if scaling.foreign() != 1.0 {
        parts.push(fill(
            language,
            "note.foreign",
            &[("factor", &number(scaling.foreign()))],
        ));
    }
    parts.join(", ")
}

/// A selection in words, in `language`: `all days`, `from 2020-01-01`, `2020-01-01 to
/// 2021-01-01 (end excluded)`, then `; areas 3039, 3040` when areas were chosen.
pub(crate) fn selection_words(language: Language, selection: &deltid_model::Selection) -> String {
    let period = &selection.period;
    let mut words = match (period.from(), period.to()) {
        (None, None) => text(language, "selection.all_days").to_owned(),
        (Some(from), None) => fill(language, "selection.from", &[("from", &from.to_string())]),
        (None, Some(to)) => fill(language, "selection.before", &[("to", &to.to_string())]),
        (Some(from), Some(to)) => fill(
            language,
            "selection.period",
            &[("from", &from.to_string()), ("to", &to.to_string())],
        ),
    };
    if !selection.areas.is_empty() {
        let codes: Vec<&str> = selection.areas.iter().map(AreaCode::as_str).collect();
        words.push_str(&fill(
            language,
            "selection.areas",
            &[("codes", &codes.join(", "))],
        ));
    }
    words
}

/// Whether a line of the plan's table is shown: at night the deductions not made (commuters,
/// transit, day visitors: 0 by the plan for nights) are left out.
pub(crate) fn line_applies(summary: &Summary, line: &TableLine) -> bool {
    match line.row {
        TableRow::Deduction(d) => summary.measure().deducts(d),
        _ => true,
    }
}

/// A night rule in words, in `language`.
pub(crate) fn night_rule(language: Language, rule: NightRule) -> String {
    match rule {
        NightRule::Minimum => text(language, "night.rule_minimum").to_owned(),
        NightRule::Median => text(language, "night.rule_median").to_owned(),
        NightRule::Mean => text(language, "night.rule_mean").to_owned(),
        NightRule::Hour(h) => fill(
            language,
            "night.rule_hour",
            &[("hour", &format!("{h:02}:00"))],
        ),
    }
}

/// The night counts' method, hours present and daytime excess per area, in `language`.
fn write_nights(
    lang: Language,
    summary: &Summary,
    nights: &NightSummary,
    protection: Option<&Protection>,
    out: &mut impl Write,
) -> Result<()> {
    writeln!(out, "{}", text(lang, "night.heading"))?;
    for line in night_lines(lang, summary, nights, protection) {
        writeln!(out, "- {line}")?;
    }
    writeln!(out)?;
    Ok(())
}

/// A persons figure made from an area's counts (its daytime excess, its baseline of residents
/// at home; `None` for the region) as small-count protection publishes it: suppressed with the
/// area's mean, else rounded to the base, in whole persons.
pub(crate) fn area_figure(
    protection: Option<&Protection>,
    area: Option<&AreaCode>,
    persons: f64,
) -> String {
    let hidden = protection.is_some_and(|p| p.is_mean_suppressed(area));
    shown(protection, deltid_model::whole_persons(persons), hidden)
}

/// The night counts' method, each area's nights, hours present and daytime excess, and the
/// region's daytime excess, one sentence each, in `language` (the text's and the report's),
/// the persons as `protection` publishes them ([`area_figure`]).
pub(crate) fn night_lines(
    lang: Language,
    summary: &Summary,
    nights: &NightSummary,
    protection: Option<&Protection>,
) -> Vec<String> {
    let settings = nights.settings;
    let mut lines = vec![fill(
        lang,
        "night.method",
        &[
            ("rule", &night_rule(lang, settings.rule)),
            ("window", &settings.window.to_string()),
            ("zone", &nights.zone),
            ("day", &settings.day.to_string()),
        ],
    )];
    for (code, name, stats) in &nights.areas {
        let excess = stats
            .mean_excess()
            .map(|e| area_figure(protection, Some(code), e));
        lines.push(fill(
            lang,
            if excess.is_some() {
                "night.area"
            } else {
                "night.area_no_excess"
            },
            &[
                ("name", name),
                ("nights", &stats.nights.to_string()),
                ("min", &stats.min_hours.to_string()),
                ("max", &stats.max_hours.to_string()),
                (
                    "mean",
                    &trim_number(lang, (stats.mean_hours() * 100.0).round() / 100.0),
                ),
                ("excess", excess.as_deref().unwrap_or_default()),
            ],
        ));
    }
    if let Some(excess) = nights.region_excess {
        lines.push(fill(
            lang,
            "night.region_excess",
            &[
                ("region", summary.region_name()),
                ("excess", &area_figure(protection, None, excess)),
            ],
        ));
    }
    lines
}

/// The residents at home from a baseline of reference nights, beside the registered figures.
fn write_baseline(
    lang: Language,
    baseline: &NightBaseline,
    protection: Option<&Protection>,
    out: &mut impl Write,
) -> Result<()> {
    let (heading, lines) = baseline_lines(lang, baseline, protection);
    writeln!(out, "{heading}")?;
    for line in lines {
        writeln!(out, "- {line}")?;
    }
    writeln!(out)?;
    Ok(())
}

/// A baseline of residents at home: its heading and one sentence per area, in `language`, the
/// baseline as `protection` publishes it ([`area_figure`]; the registered figure is the
/// scenario's, not made from counts).
pub(crate) fn baseline_lines(
    lang: Language,
    baseline: &NightBaseline,
    protection: Option<&Protection>,
) -> (String, Vec<String>) {
    let heading = fill(
        lang,
        "night.baseline_heading",
        &[
            ("reference", &baseline.reference.len().to_string()),
            (
                "dates",
                &baseline
                    .reference
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ],
    );
    let lines = baseline
        .areas
        .iter()
        .map(|(code, name, figure)| {
            let registered = figure
                .registered
                .map_or_else(|| text(lang, "night.no_registered").to_owned(), whole);
            fill(
                lang,
                "night.baseline",
                &[
                    ("name", name),
                    (
                        "baseline",
                        &area_figure(protection, Some(code), figure.persons),
                    ),
                    ("nights", &figure.nights.to_string()),
                    ("registered", &registered),
                ],
            )
        })
        .collect();
    (heading, lines)
}

/// The allocation rule in words, in `language`.
pub(crate) fn allocation_note(language: Language, summary: &Summary) -> String {
    if language == Language::English {
        return summary.allocation().describe().to_owned();
    }
    let key = match summary.allocation() {
        deltid_model::Allocation::PresentShare => "note.allocation_present",
        deltid_model::Allocation::ResidentShare => "note.allocation_residents",
    };
    text(language, key).to_owned()
}

/// The region rule in words, in `language`.
pub(crate) fn region_note(language: Language, summary: &Summary) -> String {
    if language == Language::English {
        return summary.region_rule().describe().to_owned();
    }
    let key = match summary.region_rule() {
        RegionRule::SumOfAreas => "note.region_sum",
        RegionRule::OwnCount => "note.region_own",
    };
    text(language, key).to_owned()
}

#[cfg(test)]
mod tests {
    use deltid_model::{Bounds, Language};

    use super::bounds_words;

    fn b(low: f64, high: f64, low_open: bool, high_open: bool) -> Bounds {
        Bounds {
            low,
            high,
            low_open,
            high_open,
        }
    }

    #[test]
    fn bounds_are_one_number_when_their_ends_read_alike_and_say_which_end_is_left_out() {
        let en = Language::English;
        assert_eq!(bounds_words(en, &Bounds::exact(1839.6)), "1 839.6");
        // 5 645.92 to 5 645.94 reads 5 645.9 at both ends: one number.
        assert_eq!(
            bounds_words(en, &b(5645.92, 5645.94, false, false)),
            "5 645.9"
        );
        assert_eq!(
            bounds_words(en, &b(5645.92, 5645.94, true, true)),
            "5 645.9"
        );
        assert_eq!(
            bounds_words(en, &b(31.5, 82.7, false, false)),
            "31.5 to 82.7"
        );
        assert_eq!(
            bounds_words(en, &b(500.0, 515.0, false, true)),
            "500.0 to under 515.0"
        );
        // night − home zone: 500 − [300, 305) = (195, 200]; its low end is left out.
        assert_eq!(
            bounds_words(en, &b(195.0, 200.0, true, false)),
            "over 195.0 to 200.0"
        );
        assert_eq!(
            bounds_words(en, &b(-8.7, 0.0, true, false)),
            "over -8.7 to 0.0"
        );
        assert_eq!(
            bounds_words(en, &b(1.0, 2.0, true, true)),
            "over 1.0 to under 2.0"
        );
        assert_eq!(
            bounds_words(Language::Nynorsk, &b(1234.5, 1239.5, true, false)),
            "over 1 234,5 til 1 239,5"
        );
        assert_eq!(
            bounds_words(Language::Bokmal, &b(500.0, 515.0, false, true)),
            "500,0 til under 515,0"
        );
    }
}
