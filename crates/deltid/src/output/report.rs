//! The HTML report for a council: one self-contained file (styles inline, charts as inline
//! SVG, no scripts, no external assets) that reads on a phone and prints on A4.

use std::fmt::Write as _;
use std::io::Write;

use deltid_model::{AreaCode, Language, Result};

use super::text::{PER_AREA_COLUMNS, line_applies, shown, table_label};
use crate::analysis::Population;
use crate::catalogue::{self, fill, text};
use crate::run::Run;
use crate::words::whole;

/// The report's styles: a narrow column on a phone, A4 pages in print.
const STYLE: &str = r#"
:root { color-scheme: light; --ink: #1b1f24; --muted: #5b6570; --rule: #d5dbe1; --accent: #1f5f8b; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: var(--ink);
       margin: 0 auto; padding: 1rem; max-width: 60rem; line-height: 1.45; font-size: 15px; }
h1 { font-size: 1.6rem; margin: 0.2rem 0; }
h2 { font-size: 1.2rem; margin: 1.6rem 0 0.4rem; border-bottom: 2px solid var(--accent); padding-bottom: 0.2rem; }
.subtitle { color: var(--muted); margin: 0 0 1rem; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: 0.6rem; }
.figure { border: 1px solid var(--rule); border-radius: 6px; padding: 0.6rem 0.8rem; }
.figure .value { font-size: 1.5rem; font-weight: bold; font-variant-numeric: tabular-nums; }
.figure .what { color: var(--muted); font-size: 0.85rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 0.25rem 0.5rem; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
th { font-weight: 600; background: #f3f5f7; }
td.n, th.n { text-align: right; white-space: nowrap; }
tr.total td { font-weight: bold; border-top: 2px solid var(--ink); }
figure { margin: 0.5rem 0; }
figure svg { width: 100%; height: auto; display: block; }
ul.notes li { margin-bottom: 0.3rem; }
.record td { font-size: 0.8rem; word-break: break-all; }
footer { margin-top: 2rem; color: var(--muted); font-size: 0.8rem; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; }
  table, figure, .figure { break-inside: avoid; }
  .scroll { overflow: visible; }
  .record { break-before: page; }
}
"#;

/// Writes the HTML report of a run and its population view: key figures, the plan's table for
/// the region and per area, present population per day (a chart, with the `chart` feature),
/// the busiest days with calendar labels, percentiles and the dimensioning figure with the
/// method named, guest-nights per calendar year with coverage, the yearly figures, uncertainty
/// and plausibility when the run has them, the notes and the run record. In the run's
/// [`Language`](deltid_model::Language).
///
/// The file is self-contained: no scripts, no external assets, a content security policy that
/// forbids loading any; every text from the inputs (names, codes, paths) is escaped.
///
/// Under small-count protection ([`Run::protection`]) give the view as the run publishes it
/// ([`Run::population`]): the plan's table, the per-area table and the calendar years as the
/// text shows them (suppressed figures `:`, the others rounded to the base), the population
/// part as the view publishes it, the yearly figures as published, uncertainty and
/// plausibility left out when anything is suppressed, and the protection's notes.
///
/// # Errors
/// [`Error::Write`](deltid_model::Error::Write) if the writer fails; the chart's errors.
///
/// # Examples
/// ```
/// use deltid::analysis::PopulationOptions;
/// use deltid::output::write_report;
/// use deltid::{CountsOptions, Language, Run, Selection};
/// let mut run = Run::new(
///     "../../data/hallingdal/plan-2021.toml".as_ref(),
///     None,
///     &CountsOptions::default(),
///     &Selection::default(),
/// )?;
/// run.set_language(Language::Nynorsk);
/// let view = run.population(&PopulationOptions::default())?;
/// let mut html = Vec::new();
/// write_report(&run, &view, &mut html)?;
/// let html = String::from_utf8_lossy(&html);
/// assert!(html.contains("Gjestedøgn pr. år"));
/// assert!(html.contains("9 682 355"));
/// # Ok::<(), deltid::Error>(())
/// ```
pub fn write_report(run: &Run, population: &Population, mut out: impl Write) -> Result<()> {
    let html = report(run, population)?;
    out.write_all(html.as_bytes())?;
    Ok(())
}

/// The report as one string.
fn report(run: &Run, population: &Population) -> Result<String> {
    let lang = run.language();
    let summary = run.summary();
    let region = summary.region();
    let protection = run.protection();
    let mean_hidden = |area: &deltid_model::AreaSummary| {
        protection.is_some_and(|p| p.is_mean_suppressed(area.code()))
    };
    let sums_hidden = |area: &deltid_model::AreaSummary| {
        protection.is_some_and(|p| p.is_aggregate_suppressed(area.code(), false))
    };
    let head = |key: &str| escape(text(lang, &format!("head.{key}")));
    // Night counts: the figures are per night, each night labelled by its evening date.
    let night = summary.measure() == deltid_model::Measure::Night;
    let key = |name: &str| {
        if night {
            format!("report.{name}_night")
        } else {
            format!("report.{name}")
        }
    };
    let mut h = String::with_capacity(64 * 1024);
    let title = fill(lang, "report.title", &[("region", summary.region_name())]);
    // Writing to a String cannot fail: `let _ =` on each write below.
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"generator\" content=\"deltid {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        lang.code(),
        crate::record::VERSION,
        escape(&title)
    );
    let _ = writeln!(h, "<header><h1>{}</h1>", escape(&title));
    let _ = writeln!(
        h,
        "<p class=\"subtitle\">{}. {} {} – {}, {}.</p></header>",
        escape(text(lang, &key("subtitle"))),
        escape(&if night {
            catalogue::nights(lang, summary.days())
        } else {
            catalogue::days(lang, summary.days())
        }),
        summary.first(),
        summary.last(),
        escape(&catalogue::areas(lang, summary.areas().len() as u32)),
    );

    // Key figures.
    let table = region.table();
    let per_day = table.row(deltid_model::TableRow::GuestNightsPerDay).rounded;
    let per_year = table
        .row(deltid_model::TableRow::GuestNightsPerYear)
        .rounded;
    let percentile = format!("P{}", trim(population.dimensioning_percentile * 100.0));
    let _ = writeln!(
        h,
        "<section><h2>{}</h2><div class=\"figures\">",
        escape(text(lang, "report.key_figures"))
    );
    let mut figure = |value: String, what: String| {
        let _ = writeln!(
            h,
            "<div class=\"figure\"><div class=\"value\">{}</div><div class=\"what\">{}</div></div>",
            escape(&value),
            escape(&what)
        );
    };
    figure(
        shown(protection, per_day, mean_hidden(region)),
        text(lang, &key("guest_nights_day")).to_owned(),
    );
    figure(
        shown(protection, per_year, mean_hidden(region)),
        text(lang, "report.guest_nights_year").to_owned(),
    );
    figure(
        whole(population.region.dimensioning),
        fill(
            lang,
            "report.dimensioning",
            &[
                ("percentile", &percentile),
                (
                    "method",
                    &super::population::percentile_method_words(lang, population.terms.0),
                ),
            ],
        ),
    );
    if let Some(peak) = population.region.peaks.first() {
        figure(
            whole(peak.present),
            format!(
                "{}: {} {} ({})",
                text(lang, &key("busiest_day")),
                weekday(lang, peak.weekday),
                peak.date,
                catalogue::label(lang, peak.label.name())
            ),
        );
    }
    let _ = writeln!(h, "</div></section>");

    // The plan's table.
    let _ = writeln!(
        h,
        "<section><h2>{}</h2><div class=\"scroll\"><table class=\"plan\"><thead><tr><th>{}</th><th class=\"n\">{}</th></tr></thead><tbody>",
        escape(text(lang, &key("plan_table"))),
        escape(text(lang, "text.line")),
        escape(text(lang, "text.persons")),
    );
    let last = table.lines.len().saturating_sub(2);
    for (i, line) in table.lines.iter().enumerate() {
        if !line_applies(summary, line) {
            continue;
        }
        let class = if i >= last { " class=\"total\"" } else { "" };
        let _ = writeln!(
            h,
            "<tr{class}><td>{}</td><td class=\"n\">{}</td></tr>",
            escape(&table_label(lang, line, summary)),
            shown(protection, line.rounded, mean_hidden(region))
        );
    }
    let _ = writeln!(h, "</tbody></table></div></section>");

    // Nights: what was counted, the window and rule, hours present, the daytime excess.
    if night {
        write_nights(&mut h, run, population);
    }

    // Per area.
    let _ = writeln!(
        h,
        "<section><h2>{}</h2><div class=\"scroll\"><table><thead><tr>",
        escape(text(lang, "report.per_area"))
    );
    for (i, key) in PER_AREA_COLUMNS.iter().enumerate() {
        let class = if i >= 2 { " class=\"n\"" } else { "" };
        let _ = write!(
            h,
            "<th{class}>{}</th>",
            head(super::text::per_area_column(key, night))
        );
    }
    let _ = writeln!(h, "</tr></thead><tbody>");
    let region_word = text(lang, "text.region");
    for area in summary.areas().iter().chain([region]) {
        let total = if area.code().is_none() {
            " class=\"total\""
        } else {
            ""
        };
        let _ = write!(
            h,
            "<tr{total}><td>{}</td><td>{}</td>",
            escape(area.code().map_or(region_word, AreaCode::as_str)),
            escape(area.name())
        );
        for line in &area.table().lines {
            let _ = write!(
                h,
                "<td class=\"n\">{}</td>",
                shown(protection, line.rounded, mean_hidden(area))
            );
        }
        let _ = writeln!(h, "</tr>");
    }
    let _ = writeln!(h, "</tbody></table></div></section>");

    // Present population per day.
    let _ = writeln!(
        h,
        "<section><h2>{}</h2>",
        escape(text(lang, &key("population")))
    );
    #[cfg(feature = "chart")]
    {
        let mut svg = Vec::new();
        super::chart::write_chart(super::chart::ChartFormat::Svg, run, population, &mut svg)?;
        let _ = writeln!(
            h,
            "<figure>{}</figure>",
            inline_svg(&String::from_utf8_lossy(&svg))
        );
    }
    let _ = writeln!(
        h,
        "<h3>{}</h3><div class=\"scroll\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr></thead><tbody>",
        escape(text(lang, &key("busiest"))),
        head("rank"),
        head("date"),
        head("weekday"),
        head("label"),
        head("present"),
        head("residents"),
        head("part_time"),
    );
    for (rank, day) in population.region.peaks.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            rank + 1,
            day.date,
            escape(&weekday(lang, day.weekday)),
            escape(&catalogue::label(lang, day.label.name())),
            whole(day.present),
            whole(day.residents),
            whole(day.part_time),
        );
    }
    let _ = writeln!(h, "</tbody></table></div>");
    if population.region.suppressed {
        let _ = writeln!(
            h,
            "<p>{}</p>",
            escape(&fill(
                lang,
                "population.suppressed",
                &[("name", &population.region.name)]
            ))
        );
    }

    // Percentiles and dimensioning.
    let _ = writeln!(
        h,
        "<h3>{}</h3><p>{}</p><div class=\"scroll\"><table><thead><tr><th>{}</th><th>{}</th><th class=\"n\">{}</th><th class=\"n\">P50</th><th class=\"n\">P90</th><th class=\"n\">P95</th><th class=\"n\">P99</th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr></thead><tbody>",
        escape(text(lang, "report.percentiles")),
        escape(&fill(
            lang,
            "population.percentiles",
            &[(
                "method",
                &super::population::percentile_method_words(lang, population.terms.0)
            )]
        )),
        head("area"),
        head("name"),
        head("residents"),
        head("max"),
        escape(&fill(
            lang,
            "head.dimensioning",
            &[("percentile", &percentile)]
        )),
    );
    for area in population.areas.iter().chain([&population.region]) {
        let p = &area.percentiles;
        let total = if area.code.is_none() {
            " class=\"total\""
        } else {
            ""
        };
        let _ = write!(
            h,
            "<tr{total}><td>{}</td><td>{}</td>",
            escape(area.code.as_ref().map_or(region_word, AreaCode::as_str)),
            escape(&area.name)
        );
        for value in [
            area.residents,
            p.p50,
            p.p90,
            p.p95,
            p.p99,
            p.max,
            area.dimensioning,
        ] {
            let _ = write!(h, "<td class=\"n\">{}</td>", whole(value));
        }
        let _ = writeln!(h, "</tr>");
    }
    let _ = writeln!(h, "</tbody></table></div></section>");

    // Guest-nights per year: calendar years with coverage, and the yearly figures if asked.
    let _ = writeln!(
        h,
        "<section><h2>{}</h2><p>{}</p><div class=\"scroll\"><table><thead><tr><th>{}</th><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr></thead><tbody>",
        escape(text(lang, "report.yearly")),
        escape(text(lang, "text.calendar_years")),
        head("area"),
        head("name"),
        head("year"),
        head("days_observed"),
        head("guest_nights"),
    );
    for area in summary.areas().iter().chain([region]) {
        for year in area.calendar_years() {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(area.code().map_or(region_word, AreaCode::as_str)),
                escape(area.name()),
                year.year,
                escape(&fill(
                    lang,
                    "text.days_of",
                    &[
                        ("observed", &year.days_observed.to_string()),
                        ("total", &year.days_in_year.to_string())
                    ]
                )),
                shown(
                    protection,
                    deltid_model::whole_persons(year.guest_nights),
                    sums_hidden(area)
                ),
            );
        }
    }
    let _ = writeln!(h, "</tbody></table></div>");
    if let Some(yearly) = super::published_yearly(run) {
        let mut text_out = Vec::new();
        super::analyses::write_yearly(&yearly, lang, &mut text_out)?;
        let _ = writeln!(
            h,
            "<pre>{}</pre>",
            escape(&String::from_utf8_lossy(&text_out))
        );
    }
    let _ = writeln!(h, "</section>");
    if let Some(uncertainty) = super::published(run, run.uncertainty()) {
        let mut text_out = Vec::new();
        super::analyses::write_uncertainty(uncertainty, lang, &mut text_out)?;
        let _ = writeln!(
            h,
            "<section><h2>{}</h2><pre>{}</pre></section>",
            escape(text(lang, "report.uncertainty")),
            escape(&String::from_utf8_lossy(&text_out))
        );
    }
    if let Some(plausibility) = super::published(run, run.plausibility()) {
        let mut text_out = Vec::new();
        super::analyses::write_plausibility(plausibility, lang, &mut text_out)?;
        let _ = writeln!(
            h,
            "<section><h2>{}</h2><pre>{}</pre></section>",
            escape(text(lang, "report.plausibility")),
            escape(&String::from_utf8_lossy(&text_out))
        );
    }

    // Notes.
    let _ = writeln!(
        h,
        "<section><h2>{}</h2><ul class=\"notes\">",
        escape(text(lang, "report.notes"))
    );
    // The summary's notes, as the text gives them (rounding, allocation, the region rule,
    // missing, incomplete and negative days).
    // Under protection, its rule (in the summary's notes) and the areas whose population
    // figures are not published.
    let mut notes = super::text::summary_notes(lang, summary, protection);
    notes.extend(super::population::suppressed_note(lang, population));
    for note in notes {
        let _ = writeln!(h, "<li>{}</li>", escape(&note));
    }
    let _ = writeln!(h, "</ul></section>");

    // The run record.
    let record = run.record().with_population(population);
    let _ = writeln!(
        h,
        "<section class=\"record\"><h2>{}</h2><table><tbody>",
        escape(text(lang, "report.run"))
    );
    for (field, value) in record.lines() {
        let _ = writeln!(
            h,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(&field),
            escape(&value)
        );
    }
    let _ = writeln!(
        h,
        "</tbody></table></section>\n<footer>deltid {} · {}</footer>\n</body>\n</html>",
        crate::record::VERSION,
        escape(&record.created)
    );
    Ok(h)
}

/// The nights section: the night counts' method, hours present and daytime excess per area,
/// a baseline of residents at home beside the registered figures, and the busiest days by
/// day peak beside the night after.
fn write_nights(h: &mut String, run: &Run, population: &Population) {
    let lang = run.language();
    let summary = run.summary();
    let head = |key: &str| escape(text(lang, &format!("head.{key}")));
    let _ = writeln!(
        h,
        "<section id=\"nights\"><h2>{}</h2>",
        escape(text(lang, "report.nights"))
    );
    let list = |h: &mut String, lines: &[String]| {
        let _ = writeln!(h, "<ul>");
        for line in lines {
            let _ = writeln!(h, "<li>{}</li>", escape(line));
        }
        let _ = writeln!(h, "</ul>");
    };
    match summary.night() {
        Some(nights) => list(
            h,
            &super::text::night_lines(lang, summary, nights, run.protection()),
        ),
        None => {
            let _ = writeln!(h, "<p>{}</p>", escape(text(lang, "report.nights_given")));
        }
    }
    if let Some(baseline) = summary.residents_baseline() {
        let (heading, lines) = super::text::baseline_lines(lang, baseline, run.protection());
        let _ = writeln!(h, "<p>{}</p>", escape(&heading));
        list(h, &lines);
    }
    if !population.day_peaks.is_empty() {
        let window = population
            .day_window
            .map_or_else(String::new, |w| w.to_string());
        let _ = writeln!(
            h,
            "<h3>{}</h3><div class=\"scroll\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr></thead><tbody>",
            escape(
                fill(
                    lang,
                    "population.busiest_day_peaks",
                    &[("region", &population.region.name), ("window", &window)]
                )
                .trim_end_matches(':')
            ),
            head("rank"),
            head("date"),
            head("weekday"),
            head("label"),
            head("day_peak"),
            head("night_after"),
            head("excess"),
        );
        let dash = || "-".to_owned();
        for (rank, day) in population.day_peaks.iter().enumerate() {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                rank + 1,
                day.date,
                escape(&weekday(lang, day.weekday)),
                escape(&catalogue::label(lang, day.label.name())),
                whole(day.day),
                day.night.map_or_else(dash, whole),
                day.excess.map_or_else(dash, whole),
            );
        }
        let _ = writeln!(h, "</tbody></table></div>");
    }
    let _ = writeln!(h, "</section>");
}

/// An SVG document as an inline element: no XML declaration, scalable (a `viewBox` from its
/// width and height).
#[cfg(feature = "chart")]
fn inline_svg(svg: &str) -> String {
    let svg = match svg.find("<svg") {
        Some(at) => &svg[at..],
        None => svg,
    };
    let attribute = |name: &str| -> Option<String> {
        let tag_end = svg.find('>')?;
        let tag = &svg[..tag_end];
        let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let end = tag[start..].find('"')? + start;
        Some(tag[start..end].to_owned())
    };
    match (attribute("width"), attribute("height")) {
        (Some(w), Some(h)) if !svg.contains("viewBox") => svg.replacen(
            "<svg",
            &format!("<svg viewBox=\"0 0 {w} {h}\" role=\"img\""),
            1,
        ),
        _ => svg.to_owned(),
    }
}

/// A weekday's name in `language`.
fn weekday(language: Language, day: chrono::Weekday) -> String {
    match catalogue::weekday(language, day) {
        "" => day.to_string(),
        name => name.to_owned(),
    }
}

/// A number without trailing zeros: `95`, `99.5`.
fn trim(value: f64) -> String {
    format!("{}", (value * 1e6).round() / 1e6)
}

/// Text made safe for HTML: `&`, `<`, `>`, `"` and `'` escaped.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_in_names() {
        assert_eq!(
            escape("<script>\"Ål\" & 'Hol'</script>"),
            "&lt;script&gt;&quot;Ål&quot; &amp; &#39;Hol&#39;&lt;/script&gt;"
        );
    }

    #[cfg(feature = "chart")]
    #[test]
    fn an_inline_svg_gets_a_view_box() {
        let svg = "<?xml version=\"1.0\"?>\n<svg width=\"800\" height=\"600\" xmlns=\"x\"></svg>";
        assert_eq!(
            inline_svg(svg),
            "<svg viewBox=\"0 0 800 600\" role=\"img\" width=\"800\" height=\"600\" xmlns=\"x\"></svg>"
        );
    }
}
