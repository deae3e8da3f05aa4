//! Charts for planners: present population per day with its peaks, small multiples per area,
//! and guest-nights per year per area.

use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use chrono::Datelike;
use deltid_model::{Error, Language, Result, Summary, TableRow};

use super::population::published_days;
use super::typeset::Typeset;
use crate::analysis::{Population, PopulationDay, Protection, Threshold};
use crate::catalogue::{self, fill, text};
use crate::run::Run;
use crate::words::{persons, whole};

/// The file format of a chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartFormat {
    /// PNG bitmap.
    Png,
    /// SVG vector drawing.
    Svg,
}

impl ChartFormat {
    /// The format a file name asks for: `.png` or `.svg`.
    ///
    /// # Errors
    /// [`Error::ChartFormat`] for any other extension.
    ///
    /// # Examples
    /// ```
    /// use deltid::output::ChartFormat;
    /// assert_eq!(ChartFormat::from_path("peaks.png".as_ref())?, ChartFormat::Png);
    /// assert!(ChartFormat::from_path("peaks.pdf".as_ref()).is_err());
    /// # Ok::<(), deltid::Error>(())
    /// ```
    pub fn from_path(path: &Path) -> Result<ChartFormat> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
        {
            Some(e) if e == "png" => Ok(ChartFormat::Png),
            Some(e) if e == "svg" => Ok(ChartFormat::Svg),
            _ => Err(Error::ChartFormat {
                path: path.to_owned(),
            }),
        }
    }
}

/// Width of a chart, pixels.
pub const CHART_WIDTH: u32 = 1400;
const REGION_HEIGHT: u32 = 560;
const AREA_ROW_HEIGHT: u32 = 240;
const BARS_HEIGHT: u32 = 420;
const FOOTER_HEIGHT: u32 = 30;
const AREAS_PER_ROW: usize = 3;

/// Size of the chart for a number of areas: (width, height) in pixels.
///
/// The region's panel on top, one row of small multiples per three areas, the bars below,
/// and a line naming the source and the period at the bottom. A single area is the region's
/// panel alone (no small multiple repeating it, no bar chart of one bar) and the footer.
pub fn chart_size(areas: usize) -> (u32, u32) {
    let (rows, bars) = layout(areas);
    (
        CHART_WIDTH,
        REGION_HEIGHT + rows * AREA_ROW_HEIGHT + bars + FOOTER_HEIGHT,
    )
}

/// Rows of small multiples and the bars' height for a number of areas.
fn layout(areas: usize) -> (u32, u32) {
    if areas <= 1 {
        (0, 0)
    } else {
        (areas.div_ceil(AREAS_PER_ROW) as u32, BARS_HEIGHT)
    }
}

/// Draws the chart: on top, the region's present population per day with registered residents
/// (dashed), the part-time residents' share shaded (between all deductions and present), the
/// other deductions (commuters, transit, day visitors) shaded between residents and the
/// part-time share, the busiest days marked and a threshold drawn; below, the same per area in
/// small multiples; then guest-nights per year per area as bars, the same figures as the plan's
/// table (whole persons per day × 365); at the bottom, the source (the counts file and its
/// BLAKE3 hash from the run record) and the period. A threshold is drawn on every panel.
///
/// A single area is titled with its name and drawn as one panel, with its yearly figure.
/// Titles, axes, legends and month names are in the run's language.
///
/// Under small-count protection ([`Run::protection`]) give the view as the run publishes it
/// ([`Run::population`]): a suppressed area's (or the region's) panel is left out and says
/// so, a suppressed area's bar is left out and labelled `:`, and the other figures are
/// rounded to the base.
///
/// # Errors
/// [`Error::Chart`] if drawing fails; [`Error::Write`] if the writer fails.
pub fn write_chart(
    format: ChartFormat,
    run: &Run,
    population: &Population,
    mut out: impl Write,
) -> Result<()> {
    register_fonts()?;
    let summary = run.summary();
    let words = Words {
        language: run.language(),
        source: source_line(run),
        protection: run.protection(),
    };
    let daily: Vec<PopulationDay> = published_days(run.estimate(), run.protection()).collect();
    let size = chart_size(population.areas.len());
    match format {
        ChartFormat::Png => {
            let mut pixels = vec![0u8; size.0 as usize * size.1 as usize * 3];
            // Glyphs placed by their outlines: plotters' own bitmap text splits digit groups.
            let backend = Typeset::new(BitMapBackend::with_buffer(&mut pixels, size))
                .ok_or_else(|| chart_error("cannot load the embedded DejaVu Sans font"))?;
            draw(
                backend.into_drawing_area(),
                (population, &daily),
                summary,
                &words,
            )?;
            let mut encoder = png::Encoder::new(&mut out, size.0, size.1);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            encoder.set_compression(png::Compression::High);
            encoder.set_filter(png::Filter::Adaptive);
            let mut writer = encoder.write_header().map_err(png_error)?;
            writer.write_image_data(&pixels).map_err(png_error)?;
            writer.finish().map_err(png_error)?;
        }
        ChartFormat::Svg => {
            let mut svg = String::new();
            draw(
                SVGBackend::with_string(&mut svg, size).into_drawing_area(),
                (population, &daily),
                summary,
                &words,
            )?;
            out.write_all(svg.as_bytes())?;
        }
    }
    out.flush()?;
    Ok(())
}

fn png_error(error: png::EncodingError) -> Error {
    match error {
        png::EncodingError::IoError(e) => Error::Write { source: e },
        other => chart_error(other),
    }
}

fn chart_error(error: impl std::fmt::Display) -> Error {
    Error::Chart {
        message: error.to_string(),
    }
}

/// Registers DejaVu Sans (embedded, so charts look the same everywhere) as "sans-serif".
pub(super) fn register_fonts() -> Result<()> {
    static REGISTERED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
                .and_then(|()| {
                    plotters::style::register_font(
                        "sans-serif",
                        FontStyle::Bold,
                        dejavu::sans::bold(),
                    )
                })
                .map_err(|_| "cannot load the embedded DejaVu Sans font".to_owned())
        })
        .clone()
        .map_err(|message| Error::Chart { message })
}

const PRESENT: RGBColor = RGBColor(31, 78, 140);
const PART_TIME: RGBColor = RGBColor(240, 150, 50);
const RESIDENTS: RGBColor = RGBColor(60, 60, 60);
const PEAK: RGBColor = RGBColor(200, 30, 30);
const DIMENSIONING: RGBColor = RGBColor(120, 40, 150);
const OTHERS: RGBColor = RGBColor(170, 170, 170);

/// The chart's language and its source line.
struct Words<'a> {
    language: Language,
    source: String,
    protection: Option<&'a Protection>,
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    (population, daily): (&Population, &[PopulationDay]),
    summary: &Summary,
    words: &Words<'_>,
) -> Result<()> {
    let lang = words.language;
    root.fill(&WHITE).map_err(chart_error)?;
    let (rows, bars_height) = layout(population.areas.len());
    let (top, rest) = root.split_vertically(REGION_HEIGHT);
    let (middle, rest) = rest.split_vertically(rows * AREA_ROW_HEIGHT);
    let (bottom, footer) = rest.split_vertically(bars_height);

    let region_days: Vec<&PopulationDay> = daily.iter().filter(|d| d.area.is_none()).collect();
    let single = match population.areas.as_slice() {
        [one] => Some(one),
        _ => None,
    };
    let name = single.map_or(population.region.name.as_str(), |a| a.name.as_str());
    let night = population.measure == deltid_model::Measure::Night;
    let title = fill(
        lang,
        &key(night, "chart.title"),
        &[
            ("name", name),
            ("n", &population.region.peaks.len().to_string()),
        ],
    );
    let levels = Levels {
        dimensioning: Some((
            population.dimensioning_percentile,
            population.region.dimensioning,
        )),
        threshold: population.threshold,
        yearly: single
            .and_then(|one| {
                summary
                    .areas()
                    .iter()
                    .find(|a| a.code() == one.code.as_ref())
            })
            .filter(|a| !mean_suppressed(words.protection, a))
            .map(|a| published(words.protection, a)),
        night,
    };
    // A single area's panel is the region's.
    if single.map_or(population.region.suppressed, |one| one.suppressed) {
        suppressed_panel(&top, name, lang, true)?;
    } else {
        panel(
            &top,
            (&title, lang),
            &region_days,
            &population.region.peaks,
            true,
            levels,
        )?;
    }

    if rows > 0 {
        let cells = middle.split_evenly((rows as usize, AREAS_PER_ROW));
        for (cell, area) in cells.iter().zip(&population.areas) {
            let days: Vec<&PopulationDay> = daily.iter().filter(|d| d.area == area.code).collect();
            // The threshold applies to every area (a multiple of residents, each its own).
            let levels = Levels {
                threshold: population.threshold,
                night,
                ..Levels::default()
            };
            if area.suppressed {
                suppressed_panel(cell, &area.name, lang, false)?;
            } else {
                panel(cell, (&area.name, lang), &days, &area.peaks, false, levels)?;
            }
        }
        bars(&bottom, summary, words.protection, (lang, night))?;
    }
    footer
        .draw(&Text::new(
            words.source.clone(),
            (12, 6),
            ("sans-serif", 13).into_font().color(&RESIDENTS),
        ))
        .map_err(chart_error)?;
    root.present().map_err(chart_error)?;
    Ok(())
}

/// The chart's source-and-date line in the run's language: what was counted, over which
/// days, from which counts file (its name and the first 12 hex digits of its BLAKE3 hash, from
/// the run record), by what method.
fn source_line(run: &Run) -> String {
    let lang = run.language();
    let summary = run.summary();
    let input = run
        .record()
        .inputs
        .iter()
        .find(|i| i.role == "counts")
        .map_or_else(String::new, |counts| {
            let file = counts.path.file_name().map_or_else(
                || counts.path.display().to_string(),
                |f| f.to_string_lossy().into_owned(),
            );
            let hash = counts
                .blake3
                .as_deref()
                .map_or("-", |s| s.get(..12).unwrap_or(s));
            fill(lang, "chart.input", &[("file", &file), ("hash", hash)])
        });
    fill(
        lang,
        &key(
            summary.measure() == deltid_model::Measure::Night,
            "chart.source",
        ),
        &[
            ("first", &summary.first().to_string()),
            ("last", &summary.last().to_string()),
            ("days", &summary.days().to_string()),
            ("input", &input),
            ("version", crate::record::VERSION),
        ],
    )
}

/// In place of a panel whose figures are suppressed by small-count protection: its name and
/// that it is not published.
fn suppressed_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    name: &str,
    lang: Language,
    large: bool,
) -> Result<()> {
    let font = if large { 24 } else { 16 };
    area.draw(&Text::new(
        fill(lang, "chart.suppressed", &[("name", name)]),
        (24, 24),
        ("sans-serif", font).into_font().color(&RESIDENTS),
    ))
    .map_err(chart_error)
}

/// Whether an area's mean (its table, its yearly figure) is suppressed.
fn mean_suppressed(protection: Option<&Protection>, area: &deltid_model::AreaSummary) -> bool {
    protection.is_some_and(|p| p.is_mean_suppressed(area.code()))
}

/// An area's guest-nights per year as the table publishes it (rounded to the protection's
/// base, if any).
fn published(protection: Option<&Protection>, area: &deltid_model::AreaSummary) -> i64 {
    let yearly = area.table().row(TableRow::GuestNightsPerYear).rounded;
    protection.map_or(yearly, |p| p.rule().round(yearly as f64) as i64)
}

/// Lines across a panel (the dimensioning population, a threshold) and, for a single area,
/// its guest-nights per year as in the table.
#[derive(Clone, Copy, Default)]
struct Levels {
    dimensioning: Option<(f64, f64)>,
    threshold: Option<Threshold>,
    yearly: Option<i64>,
    /// Night counts: the panel's words are of nights.
    night: bool,
}

/// A chart word's catalogue key: its `_night` variant for night counts, where it has one.
fn key(night: bool, name: &str) -> String {
    const NIGHT: [&str; 9] = [
        "chart.title",
        "chart.y_persons",
        "chart.busiest",
        "chart.busiest_title",
        "chart.busiest_of",
        "chart.yearly",
        "chart.bars",
        "chart.bars_short",
        "chart.source",
    ];
    if night && NIGHT.contains(&name) {
        format!("{name}_night")
    } else {
        name.to_owned()
    }
}

/// One time-series panel: present population, residents, part-time share shaded, peaks.
///
/// Periods of two months or more get a tick on the first of each month; shorter ones a tick
/// per day.
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: (&str, Language),
    days: &[&PopulationDay],
    peaks: &[PopulationDay],
    large: bool,
    levels: Levels,
) -> Result<()> {
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return Ok(());
    };
    if (last.date - first.date).num_days() >= 62 {
        let x = (first.date..last.date).monthly();
        draw_panel(area, x, DateStyle::Month, title, days, peaks, large, levels)
    } else {
        let x: RangedDate<NaiveDate> = (first.date..last.date).into();
        draw_panel(area, x, DateStyle::Day, title, days, peaks, large, levels)
    }
}

/// How the x axis names a day: its month and year (`Jan 2020`, `jan. 2020`), or its day and
/// month (`05 Jan`, `05 jan.`).
#[derive(Clone, Copy)]
enum DateStyle {
    Month,
    Day,
}

impl DateStyle {
    fn format(self, language: Language, day: NaiveDate) -> String {
        let month = catalogue::month_short(language, day.month());
        match self {
            DateStyle::Month => format!("{month} {}", day.year()),
            DateStyle::Day => format!("{:02} {month}", day.day()),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_panel<DB, X>(
    area: &DrawingArea<DB, Shift>,
    x: X,
    date_style: DateStyle,
    (title, lang): (&str, Language),
    days: &[&PopulationDay],
    peaks: &[PopulationDay],
    large: bool,
    levels: Levels,
) -> Result<()>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = NaiveDate> + ValueFormatter<NaiveDate>,
{
    let night = levels.night;
    let font = if large { 24 } else { 16 };
    let highest = days.iter().map(|d| d.present).fold(0.0, f64::max);
    let threshold = |d: &PopulationDay| match levels.threshold {
        Some(Threshold::Persons(p)) => Some(p),
        Some(Threshold::TimesResidents(k)) => Some(k * d.residents),
        None => None,
    };
    let highest = days
        .iter()
        .filter_map(|d| threshold(d))
        .fold(highest, f64::max);
    // Head room above the data for the legend and the list of busiest days.
    let top = highest * if large { 1.45 } else { 1.08 };
    let bottom = days
        .iter()
        .map(|d| (d.present - d.part_time).min(d.present))
        .fold(0.0, f64::min);
    let mut chart = ChartBuilder::on(area)
        .caption(
            title,
            ("sans-serif", font).into_font().style(FontStyle::Bold),
        )
        .margin(12)
        .x_label_area_size(if large { 40 } else { 28 })
        .y_label_area_size(if large { 100 } else { 80 })
        .build_cartesian_2d(x, bottom..top.max(1.0))
        .map_err(chart_error)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE.mix(0.0))
        .x_labels(if large { 10 } else { 5 })
        .y_labels(6)
        .y_desc(text(lang, &key(night, "chart.y_persons")))
        .axis_desc_style(("sans-serif", font * 3 / 4))
        .x_label_formatter(&|d: &NaiveDate| date_style.format(lang, *d))
        .y_label_formatter(&|v: &f64| whole(*v))
        .label_style(("sans-serif", font * 3 / 4))
        .draw()
        .map_err(chart_error)?;

    // Part-time residents: the band between all deductions and the present population.
    let mut band: Vec<(NaiveDate, f64)> = days.iter().map(|d| (d.date, d.present)).collect();
    band.extend(days.iter().rev().map(|d| (d.date, d.present - d.part_time)));
    chart
        .draw_series(std::iter::once(Polygon::new(
            band,
            PART_TIME.mix(0.45).filled(),
        )))
        .map_err(chart_error)?
        .label(text(lang, "chart.part_time"))
        .legend(|(x, y)| {
            Rectangle::new([(x, y - 5), (x + 16, y + 5)], PART_TIME.mix(0.45).filled())
        });
    // Commuters, transit and day visitors: the band between registered residents and the
    // part-time residents' share.
    let others = days
        .iter()
        .any(|d| (d.present - d.part_time - d.residents).abs() > 0.5);
    if others {
        let mut band: Vec<(NaiveDate, f64)> = days
            .iter()
            .map(|d| (d.date, d.present - d.part_time))
            .collect();
        band.extend(days.iter().rev().map(|d| (d.date, d.residents)));
        chart
            .draw_series(std::iter::once(Polygon::new(
                band,
                OTHERS.mix(0.5).filled(),
            )))
            .map_err(chart_error)?
            .label(text(lang, "chart.others"))
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 16, y + 5)], OTHERS.mix(0.5).filled())
            });
    }
    chart
        .draw_series(LineSeries::new(
            days.iter().map(|d| (d.date, d.present)),
            PRESENT.stroke_width(if large { 2 } else { 1 }),
        ))
        .map_err(chart_error)?
        .label(text(lang, "chart.present"))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], PRESENT.stroke_width(2)));
    chart
        .draw_series(DashedLineSeries::new(
            days.iter().map(|d| (d.date, d.residents)),
            6,
            4,
            RESIDENTS.stroke_width(1),
        ))
        .map_err(chart_error)?
        .label(text(lang, "chart.residents"))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], RESIDENTS.stroke_width(1)));
    let across = |level: f64| [(days[0].date, level), (days[days.len() - 1].date, level)];
    if let Some((p, level)) = levels.dimensioning {
        chart
            .draw_series(DashedLineSeries::new(
                across(level),
                10,
                5,
                DIMENSIONING.stroke_width(2),
            ))
            .map_err(chart_error)?
            .label(fill(
                lang,
                "chart.dimensioning",
                &[
                    ("percentile", &format!("P{}", trim_number(p * 100.0))),
                    ("level", &whole(level)),
                ],
            ))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], DIMENSIONING.stroke_width(2)));
    }
    if let Some(limit) = levels.threshold {
        let label = match limit {
            Threshold::Persons(p) => fill(lang, "chart.threshold", &[("persons", &whole(p))]),
            Threshold::TimesResidents(k) => fill(
                lang,
                "chart.threshold_times",
                &[("k", &super::text::trim_number(lang, k))],
            ),
        };
        chart
            .draw_series(DashedLineSeries::new(
                days.iter()
                    .filter_map(|d| threshold(d).map(|t| (d.date, t))),
                3,
                3,
                PEAK.stroke_width(1),
            ))
            .map_err(chart_error)?
            .label(label)
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], PEAK.stroke_width(1)));
    }
    chart
        .draw_series(peaks.iter().map(|p| {
            Circle::new(
                (p.date, p.present),
                if large { 5 } else { 3 },
                PEAK.filled(),
            )
        }))
        .map_err(chart_error)?
        .label(text(lang, &key(night, "chart.busiest")))
        .legend(|(x, y)| Circle::new((x + 8, y), 4, PEAK.filled()));
    if large {
        // The busiest days, listed in the head room at the upper left, in a box as wide as
        // its longest line.
        const LISTED: usize = 5;
        let base = chart.plotting_area().strip_coord_spec();
        let shown = peaks.len().min(LISTED);
        let heading = if peaks.len() > LISTED {
            fill(
                lang,
                &key(night, "chart.busiest_of"),
                &[
                    ("shown", &LISTED.to_string()),
                    ("n", &peaks.len().to_string()),
                ],
            )
        } else {
            text(lang, &key(night, "chart.busiest_title")).to_owned()
        };
        let lines: Vec<String> = peaks
            .iter()
            .take(LISTED)
            .enumerate()
            .map(|(i, p)| {
                let weekday = match catalogue::weekday(lang, p.weekday) {
                    "" => p.weekday.to_string(),
                    name => name.to_owned(),
                };
                format!(
                    "{}. {} {} ({}): {}",
                    i + 1,
                    p.date,
                    weekday,
                    catalogue::label(lang, p.label.name()),
                    whole(p.present)
                )
            })
            .collect();
        let yearly = levels.yearly.map(|yearly| {
            fill(
                lang,
                &key(night, "chart.yearly"),
                &[("n", &persons(yearly))],
            )
        });
        let bold = ("sans-serif", 15).into_font().style(FontStyle::Bold);
        let plain = ("sans-serif", 14).into_font();
        let width = |text: &str, font: &FontDesc<'_>| {
            base.estimate_text_size(text, &TextStyle::from(font.clone()))
                .map_or(0, |(w, _)| i32::try_from(w).unwrap_or(i32::MAX))
        };
        let listed = lines
            .iter()
            .map(|l| width(l, &plain))
            .chain([width(&heading, &bold)])
            .max()
            .unwrap_or(0);
        base.draw(&Rectangle::new(
            [(6, 4), (18 + listed, 30 + 19 * shown as i32)],
            WHITE.mix(0.9).filled(),
        ))
        .map_err(chart_error)?;
        base.draw(&Text::new(heading, (12, 10), bold.clone().color(&PEAK)))
            .map_err(chart_error)?;
        for (i, line) in lines.into_iter().enumerate() {
            base.draw(&Text::new(
                line,
                (12, 30 + 19 * i as i32),
                plain.clone().color(&PEAK),
            ))
            .map_err(chart_error)?;
        }
        if let Some(yearly) = yearly {
            let y = 36 + 19 * shown as i32;
            base.draw(&Rectangle::new(
                [(6, y - 4), (18 + width(&yearly, &bold), y + 20)],
                WHITE.mix(0.9).filled(),
            ))
            .map_err(chart_error)?;
            base.draw(&Text::new(yearly, (12, y), bold.clone()))
                .map_err(chart_error)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(RESIDENTS.mix(0.4))
            .label_font(("sans-serif", 15))
            .draw()
            .map_err(chart_error)?;
    }
    Ok(())
}

/// A number without trailing zeros: 95, 99.5.
fn trim_number(x: f64) -> String {
    let text = format!("{x:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Guest-nights per year per area as bars: the table's figure, the plan's rule (each line of the
/// table rounded to whole persons, the mean per day × 365).
fn bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    summary: &Summary,
    protection: Option<&Protection>,
    (lang, night): (Language, bool),
) -> Result<()> {
    let days = summary.days();
    // A suppressed area's bar is left out (its value 0, labelled ":").
    let values: Vec<(String, f64, bool)> = summary
        .areas()
        .iter()
        .map(|a| {
            let hidden = mean_suppressed(protection, a);
            let yearly = if hidden {
                0.0
            } else {
                published(protection, a) as f64
            };
            (a.name().to_owned(), yearly, hidden)
        })
        .collect();
    if values.is_empty() {
        return Ok(());
    }
    let top = values.iter().map(|v| v.1).fold(0.0, f64::max) * 1.15;
    let bottom = values.iter().map(|v| v.1).fold(0.0, f64::min) * 1.15;
    let n = values.len() as i32;
    let mut chart = ChartBuilder::on(area)
        .caption(
            if days < 365 {
                fill(
                    lang,
                    &key(night, "chart.bars_short"),
                    &[("days", &days.to_string())],
                )
            } else {
                text(lang, &key(night, "chart.bars")).to_owned()
            },
            ("sans-serif", 20).into_font().style(FontStyle::Bold),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(110)
        .build_cartesian_2d((0..(n - 1).max(1)).into_segmented(), bottom..top.max(1.0))
        .map_err(chart_error)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE.mix(0.0))
        .x_labels(values.len())
        .x_label_formatter(&|x: &SegmentValue<i32>| match x {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => usize::try_from(*i)
                .ok()
                .and_then(|i| values.get(i))
                .map(|v| v.0.clone())
                .unwrap_or_default(),
            SegmentValue::Last => String::new(),
        })
        .y_label_formatter(&|v: &f64| whole(*v))
        .y_desc(text(lang, "chart.y_year"))
        .axis_desc_style(("sans-serif", 15))
        .label_style(("sans-serif", 15))
        .draw()
        .map_err(chart_error)?;
    chart
        .draw_series(
            values
                .iter()
                .enumerate()
                .filter(|(_, v)| !v.2)
                .map(|(i, (_, v, _))| {
                    let i = i as i32;
                    let mut bar = Rectangle::new(
                        [
                            (SegmentValue::Exact(i), 0.0),
                            (SegmentValue::Exact(i + 1), *v),
                        ],
                        PRESENT.mix(0.8).filled(),
                    );
                    bar.set_margin(0, 0, 20, 20);
                    bar
                }),
        )
        .map_err(chart_error)?;
    chart
        .draw_series(values.iter().enumerate().map(|(i, (_, v, hidden))| {
            Text::new(
                if *hidden { whole(f64::NAN) } else { whole(*v) },
                (SegmentValue::CenterOf(i as i32), *v),
                ("sans-serif", 15)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Center, VPos::Bottom)),
            )
        }))
        .map_err(chart_error)?;
    Ok(())
}
