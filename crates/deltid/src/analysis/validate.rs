//! A data-quality report on a counts file before estimating: coverage, missing days, zero
//! counts, level shifts and outlier days, and every value the reader refuses.
//!
//! The reader ([`deltid_io::read_counts`]) already refuses what makes an estimate wrong: unparsable dates
//! and numbers, negative counts, a (date, area) pair twice, areas the scenario does not know.
//! Those are the report's **errors**; when there are any, nothing else is checked. What a
//! readable file can still hide are the report's **warnings**: days without a count, days
//! counted as zero, a count that jumps to a new level and stays there (an operator's change of
//! method or market share), and single days far off their neighbours.
//!
//! # Outlier days
//! For each area, over its counted days in date order, the day-to-day change is taken on the
//! log scale, `d_t = ln(1 + x_t) − ln(1 + x_{t−1})` (x in persons; the previous *counted* day,
//! across any gap), and scored robustly:
//!
//! ```text
//! z_t = (d_t − median(d)) / (1.4826 × MAD(d)),   MAD(d) = median(|d − median(d)|)
//! ```
//!
//! This is the median-absolute-deviation rule behind the Hampel filter; 1.4826 makes MAD a
//! consistent estimate of the standard deviation for normal data (Iglewicz & Hoaglin 1993,
//! *How to Detect and Handle Outliers*, ASQC, whose modified z-score 0.6745 (x − x̃) / MAD is
//! the same score). If more than half of the changes are equal (MAD = 0), the mean absolute
//! deviation times 1.2533 takes its place, the usual fallback. The change is relative (on the
//! log scale) because a count's noise grows with its level: on persons, an area that doubles
//! for the ski season would turn every winter weekend into an outlier.
//!
//! A change is flagged when |z| > [`OUTLIER_SCORE`] = 8, far above the 3.5 Iglewicz and Hoaglin
//! suggest for a single sample: telecom counts of cabin regions are spiky by nature (Friday
//! arrivals, Sunday departures, the first and last day of Easter and Christmas), and the shipped
//! Hallingdal counts reach 7.7 on such days. A spike is a jump followed by a jump back on the
//! next counted day: the day it starts is the outlier day, its return is not reported again,
//! and it is never a level shift, however the season moves the medians around it.
//!
//! # Level shifts
//! A flagged change that persists is a level shift, not an outlier: the median count of the
//! [`LEVEL_SHIFT_WINDOW`] (28) calendar days from the day on differs from the median of the 28
//! days before it by more than [`LEVEL_SHIFT_FRACTION`] (40 %) of the latter. A median moves
//! only when more than half of its window is at the new level, so a few spiky days never make
//! a shift; each window needs at least [`MIN_WINDOW_DAYS`] counted days. Requiring the jump to
//! be abrupt (a flagged change) keeps the seasons out: the shipped Hallingdal counts more than
//! double from November to the Christmas weeks, but over several days, not overnight. A shift
//! spread over several days is therefore not reported, nor one too small to score as an
//! outlier: with the day-to-day noise of the shipped counts (1.4826 × MAD ≈ 0.13 on the log
//! scale) a step must be about ×3 or ÷3 (ln 3 ≈ 1.1 ≈ 8 × 0.13) overnight to be seen.
//!
//! # Holiday edges
//! A cabin region steps up on the first day of a holiday and down the day after it: outlier
//! days and level shifts within [`HOLIDAY_EDGE_DAYS`] of the start or end of a holiday period
//! of the scenario's calendar (Christmas, the winter holiday, Easter, a public holiday, summer,
//! the autumn holiday; [`SchoolHolidays::near_holiday_edge`]) are marked `holiday_edge` and
//! listed in the report, but not warned about: one warning line counts them.
//!
//! # Counts split by origin
//! A split's series per area is the area's unsplit total each day, or the sum of its published
//! cells where no total is given (a lower bound); it gets the checks above (missing days, zero
//! days, level shifts, outlier days) with the same kinds, and one of its own,
//! `suppressed_share`: days whose suppressed mass (total − published) is more than
//! [`SUPPRESSED_SHARE`] of the total.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use deltid_io::{CountsOptions, read_counts_with};
use deltid_model::{
    Area, AreaCode, Error, Measure, OriginDay, OriginEstimate, OriginSplit, Place, Result,
    Scenario, SchoolHolidays, epoch_day, from_epoch_day,
};
use serde::Serialize;

use crate::words::{count, whole};

/// An outlier's robust score must exceed this in absolute value (see the module docs for why
/// it is high).
pub const OUTLIER_SCORE: f64 = 8.0;
/// Days before and from a day whose medians are compared for a level shift.
pub const LEVEL_SHIFT_WINDOW: i32 = 28;
/// A level shift changes the median by more than this fraction (0..1) of the median before.
pub const LEVEL_SHIFT_FRACTION: f64 = 0.4;
/// Counted days each level-shift window needs.
pub const MIN_WINDOW_DAYS: usize = 7;
/// Day-to-day changes an area needs before its outliers are scored.
pub const MIN_CHANGES: usize = 7;
/// Days from the start or end of a holiday period within which a jump is expected (see the
/// module docs).
pub const HOLIDAY_EDGE_DAYS: u32 = 1;
/// Dates of zero-count days listed per area (all are counted).
pub const ZERO_DATES_LISTED: usize = 5;

/// A split's day is warned about when its suppressed mass (total − published) is more than
/// this fraction (0..1) of the area's total: its parts are then mostly bounds, not figures.
pub const SUPPRESSED_SHARE: f64 = 0.25;

/// Scales the median absolute deviation to the standard deviation of normal data: 1/Φ⁻¹(3/4).
const MAD_SCALE: f64 = 1.4826;
/// Scales the mean absolute deviation to the standard deviation of normal data: √(π/2).
const MEAN_AD_SCALE: f64 = 1.2533;
/// Outliers and missing ranges listed per area in the warnings (the report's areas list all).
pub const WARNINGS_LISTED: usize = 10;

/// The data-quality report on a counts file, checked against a scenario.
///
/// `errors` holds the reader's refusals, each its full message (file, line or cell, column,
/// value); when it is not empty the counts were not checked further and `areas` is empty.
/// Otherwise `areas` holds one entry per area of the scenario (in its order), and `warnings`
/// one sentence per finding: missing days, zero counts, level shifts, outliers, areas without
/// counts. Serialises to JSON as is; dates are ISO 8601, counts persons.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Validation {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The counts file checked.
    pub counts: PathBuf,
    /// What the reader refused, one message each (at most [`crate::MAX_REPORTED`]).
    pub errors: Vec<String>,
    /// How many further errors the reader found but did not list.
    pub errors_not_listed: usize,
    /// One sentence per finding that does not stop an estimate.
    pub warnings: Vec<String>,
    /// The first day with a count in any area.
    pub first: Option<NaiveDate>,
    /// The last day with a count in any area.
    pub last: Option<NaiveDate>,
    /// Per area of the scenario, its coverage and findings.
    pub areas: Vec<AreaCheck>,
    /// What the counts are: days, or nights (hourly counts reduced to nights, or a scenario
    /// with `[night]`; each night labelled by its evening date, and the findings are about
    /// nights).
    pub measure: Measure,
    /// The errors and warnings as rows of a table ([`Validation::findings`]).
    #[serde(skip)]
    findings: Vec<Finding>,
}

/// One error or warning of a [`Validation`] as a row of a table: where (file, line or cell,
/// area, date), what kind, and the message as the text report gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The file the finding is in.
    pub file: std::path::PathBuf,
    /// Where in the file (`line 7`, `sheet "Counts", cell B7`, `row 3`), when known: the
    /// reader's errors have one, the warnings (about an area's days) do not.
    pub line: Option<String>,
    /// The area code, when the finding is about one area.
    pub area: Option<String>,
    /// The (first) day the finding is about, when it is about days.
    pub date: Option<NaiveDate>,
    /// What kind of finding: `error`, or for warnings `no_counts`, `missing_days`,
    /// `zero_days`, `level_shift`, `outlier`, `more_outliers`; for a split by origin also
    /// `split_by_origin` (what was checked) and `suppressed_share`.
    pub kind: &'static str,
    /// The finding in words.
    pub message: String,
}

/// One area's coverage and findings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AreaCheck {
    /// The area's code.
    pub code: AreaCode,
    /// The area's name in the scenario.
    pub name: String,
    /// Days with a count.
    pub days: u32,
    /// The area's first day with a count (`None` without counts).
    pub first: Option<NaiveDate>,
    /// The area's last day with a count.
    pub last: Option<NaiveDate>,
    /// Days without a count within the file's overall span (first to last day of any area),
    /// as inclusive `[first, last]` ranges in date order.
    pub missing: Vec<[NaiveDate; 2]>,
    /// Days in `missing`, summed.
    pub missing_days: u32,
    /// Days counted as zero persons.
    pub zero_days: u32,
    /// The first zero-count days (at most [`ZERO_DATES_LISTED`]).
    pub zero_dates: Vec<NaiveDate>,
    /// Abrupt changes of level that persist.
    pub level_shifts: Vec<LevelShift>,
    /// Days far off the day before (and usually the day after).
    pub outliers: Vec<Outlier>,
}

/// A count that jumps to a new level and stays there.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LevelShift {
    /// The first day at the new level.
    pub date: NaiveDate,
    /// Median count of the [`LEVEL_SHIFT_WINDOW`] days before, persons.
    pub before: f64,
    /// Median count of the [`LEVEL_SHIFT_WINDOW`] days from `date` on, persons.
    pub after: f64,
    /// Whether `date` is within [`HOLIDAY_EDGE_DAYS`] of the start or end of a holiday: then
    /// expected, and not warned about.
    pub holiday_edge: bool,
}

/// A day whose change from the day before scores as an outlier.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outlier {
    /// The day.
    pub date: NaiveDate,
    /// Its count, persons.
    pub count: f64,
    /// The count of the previous counted day, persons.
    pub previous: f64,
    /// The robust score of the change (see the module docs).
    pub score: f64,
    /// Whether `date` is within [`HOLIDAY_EDGE_DAYS`] of the start or end of a holiday: then
    /// expected, and not warned about.
    pub holiday_edge: bool,
}

impl Validation {
    /// Reads the counts (the `counts` path given, else the scenario's) with the scenario's
    /// area codes and checks them: the reader's errors, or else coverage, zero counts, level
    /// shifts and outlier days per area (see the module docs for the rules).
    ///
    /// # Errors
    /// [`Error::NoCounts`] if no counts file is given or named by the scenario. Everything
    /// wrong with the counts file itself is in the report, not an error.
    ///
    /// # Examples
    /// ```
    /// use deltid::analysis::Validation;
    /// use deltid::{read_scenario, CountsOptions};
    /// let scenario = read_scenario("../../data/hallingdal/plan-2021.toml")?;
    /// let report = Validation::run(&scenario, None, &CountsOptions::default())?;
    /// assert!(!report.has_errors());
    /// assert_eq!(report.areas.len(), 6);
    /// assert_eq!(report.areas[0].days, 547);
    ///
    /// let dir = tempfile::tempdir()?;
    /// let bad = dir.path().join("counts.csv");
    /// std::fs::write(&bad, "date,area,count\n2020-01-01,3041,-5\n")?;
    /// let report = Validation::run(&scenario, Some(&bad), &CountsOptions::default())?;
    /// assert!(report.has_errors());
    /// assert!(report.errors[0].contains("line 2"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run(
        scenario: &Scenario,
        counts: Option<&Path>,
        options: &CountsOptions,
    ) -> Result<Validation> {
        let path = counts
            .or(scenario.counts())
            .ok_or_else(|| Error::NoCounts {
                scenario: scenario.path().to_owned(),
            })?;
        let mut validation = Validation {
            scenario: scenario.path().to_owned(),
            counts: path.to_owned(),
            errors: Vec::new(),
            errors_not_listed: 0,
            warnings: Vec::new(),
            first: None,
            last: None,
            areas: Vec::new(),
            measure: if scenario.night().is_some() {
                Measure::Night
            } else {
                Measure::Day
            },
            findings: Vec::new(),
        };
        let reading = match read_counts_with(path, options, scenario, None) {
            Ok(reading) => reading,
            Err(error) => {
                validation.add_error(path, &error);
                return Ok(validation);
            }
        };
        if !reading.problems().is_empty() {
            for error in reading.problems() {
                validation.add_error(path, error);
            }
            validation.errors_not_listed = reading.more();
            return Ok(validation);
        }
        let counts = reading.counts();
        if let Some(split) = counts.origins().filter(|s| !s.is_empty()) {
            validation.check_split(scenario, path, split);
            return Ok(validation);
        }
        if counts.measure() == Measure::Night {
            validation.measure = Measure::Night;
        }
        let night = validation.measure == Measure::Night;
        if counts.is_empty() {
            let message = counts.empty_error().to_string();
            validation.findings.push(Finding {
                file: path.to_owned(),
                line: None,
                area: None,
                date: None,
                kind: "error",
                message: message.clone(),
            });
            validation.errors.push(message);
            return Ok(validation);
        }
        let span = counts.span().map(|(a, b)| (epoch_day(a), epoch_day(b)));
        validation.first = span.map(|s| from_epoch_day(s.0));
        validation.last = span.map(|s| from_epoch_day(s.1));
        for (position, area) in scenario.areas().iter().enumerate() {
            let series: Vec<(i32, f64)> = counts
                .series(Place::Area(position))
                .map(|(date, count)| (epoch_day(date), count))
                .collect();
            validation.check_series(path, area, &series, (span, scenario.calendar()), night);
        }
        let at_edges = |area: &AreaCheck| {
            let shifts = area.level_shifts.iter().filter(|s| s.holiday_edge).count();
            let outliers = area.outliers.iter().filter(|o| o.holiday_edge).count();
            (shifts, outliers)
        };
        let (shifts, outliers) = validation
            .areas
            .iter()
            .map(at_edges)
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        if shifts + outliers > 0 {
            let message = format!(
                "{} and {} at the start or end of a holiday, as expected in a cabin region: listed per area in the report (JSON), not warned about",
                count(shifts as u32, "level shift"),
                count(outliers as u32, "outlier day"),
            );
            validation.findings.push(Finding {
                file: path.to_owned(),
                line: None,
                area: None,
                date: None,
                kind: "holiday_edges",
                message: message.clone(),
            });
            validation.warnings.push(message);
        }
        Ok(validation)
    }

    /// The checks of a split by origin: per area, its series of the area's total each day
    /// (the sum of its published cells where no total is given) checked as daily counts are
    /// (missing days, zero days, level shifts, outlier days), and days whose suppressed mass
    /// (total − published) is more than [`SUPPRESSED_SHARE`] of the total.
    fn check_split(&mut self, scenario: &Scenario, path: &Path, split: &OriginSplit) {
        let estimate = OriginEstimate::new(split, scenario.areas().len(), |_, _| None);
        let days = estimate.days();
        let span = days
            .iter()
            .map(|d| epoch_day(d.date))
            .fold(None, |acc: Option<(i32, i32)>, d| {
                Some(acc.map_or((d, d), |(a, b)| (a.min(d), b.max(d))))
            });
        self.first = span.map(|s| from_epoch_day(s.0));
        self.last = span.map(|s| from_epoch_day(s.1));
        let without_total = days.iter().filter(|d| d.total.is_none()).count();
        let message = format!(
            "{}: {} split by origin, checked per area on its total each day{}",
            path.display(),
            count(split.rows().len() as u32, "row"),
            if without_total > 0 {
                format!(
                    " (the sum of its published cells on {} without a total: a lower bound)",
                    count(without_total as u32, "area-day")
                )
            } else {
                String::new()
            }
        );
        self.push_warning(path, None, None, "split_by_origin", message);
        for (position, area) in scenario.areas().iter().enumerate() {
            let series: Vec<(i32, f64)> = days
                .iter()
                .filter(|d| d.area == position)
                .map(|d| (epoch_day(d.date), d.total.unwrap_or(d.published)))
                .collect();
            self.check_series(path, area, &series, (span, scenario.calendar()), false);
            let who = format!("{} {}", area.code, area.name);
            let who = who.trim_end();
            let heavy: Vec<&OriginDay> = days
                .iter()
                .filter(|d| d.area == position)
                .filter(|d| match (d.suppressed, d.total) {
                    (Some(mass), Some(total)) => total > 0.0 && mass > SUPPRESSED_SHARE * total,
                    _ => false,
                })
                .collect();
            if let Some(first) = heavy.first() {
                let mut dates: Vec<String> = heavy
                    .iter()
                    .take(WARNINGS_LISTED)
                    .map(|d| {
                        let share = d.suppressed.unwrap_or(0.0) / d.total.unwrap_or(1.0);
                        format!("{} ({} %)", d.date, whole(100.0 * share))
                    })
                    .collect();
                if heavy.len() > WARNINGS_LISTED {
                    dates.push("…".to_owned());
                }
                self.push_warning(
                    path,
                    Some(area.code.to_string()),
                    Some(first.date),
                    "suppressed_share",
                    format!(
                        "{who}: suppressed cells are more than {} % of the total on {}: {}",
                        whole(100.0 * SUPPRESSED_SHARE),
                        count(heavy.len() as u32, "day"),
                        dates.join(", ")
                    ),
                );
            }
        }
    }

    /// Checks an area's series of counts (day since 1970, persons) over `span` (first and last
    /// day of the file): its warnings added, its checks kept.
    fn check_series(
        &mut self,
        path: &Path,
        area: &Area,
        series: &[(i32, f64)],
        (span, calendar): (Option<(i32, i32)>, &SchoolHolidays),
        night: bool,
    ) {
        let check = check_area(area.code.clone(), area.name.clone(), series, span, calendar);
        for (kind, date, message) in check.warnings(night) {
            self.push_warning(path, Some(check.code.to_string()), date, kind, message);
        }
        self.areas.push(check);
    }

    /// Adds a warning: its message, and its row of the findings.
    fn push_warning(
        &mut self,
        path: &Path,
        area: Option<String>,
        date: Option<NaiveDate>,
        kind: &'static str,
        message: String,
    ) {
        self.findings.push(Finding {
            file: path.to_owned(),
            line: None,
            area,
            date,
            kind,
            message: message.clone(),
        });
        self.warnings.push(message);
    }

    /// Adds a reader's error: its message, and its row of the findings.
    fn add_error(&mut self, path: &Path, error: &Error) {
        let (area, date) = match error {
            Error::UnknownArea { area, .. } => (Some(area.clone()), None),
            Error::DuplicateRow { area, date, .. } => {
                (Some(area.clone()), date.parse::<NaiveDate>().ok())
            }
            _ => (None, None),
        };
        self.findings.push(Finding {
            file: error.path().unwrap_or(path).to_owned(),
            line: error.location().map(|l| l.to_string()),
            area,
            date,
            kind: "error",
            message: error.to_string(),
        });
        self.errors.push(error.to_string());
    }

    /// The errors, or else the warnings, one row each: file, line, area, date, kind and
    /// message (the same messages as `errors` and `warnings`).
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Whether the reader refused the counts (the CLI then exits with 1).
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Whether anything was found that does not stop an estimate.
    pub fn has_warnings(&self) -> bool {
        !self.warnings.is_empty()
    }
}

impl AreaCheck {
    /// One sentence per finding, each starting with the area, with its kind and first day;
    /// of nights (each by its evening date) when `night`.
    fn warnings(&self, night: bool) -> Vec<(&'static str, Option<NaiveDate>, String)> {
        let unit = if night { "night" } else { "day" };
        let on = if night { "on the night of" } else { "on" };
        let who = format!("{} {}", self.code, self.name);
        let who = who.trim_end();
        let mut warnings = Vec::new();
        if self.days == 0 {
            warnings.push(("no_counts", None, format!("{who}: no counts at all")));
            return warnings;
        }
        if self.missing_days > 0 {
            let mut ranges: Vec<String> = self
                .missing
                .iter()
                .take(WARNINGS_LISTED)
                .map(|[a, b]| {
                    if a == b {
                        a.to_string()
                    } else {
                        format!("{a} to {b}")
                    }
                })
                .collect();
            if self.missing.len() > WARNINGS_LISTED {
                ranges.push(format!(
                    "… {} more ranges",
                    self.missing.len() - WARNINGS_LISTED
                ));
            }
            warnings.push((
                "missing_days",
                self.missing.first().map(|r| r[0]),
                format!(
                    "{who}: {} without a count: {}",
                    count(self.missing_days, unit),
                    ranges.join(", ")
                ),
            ));
        }
        if self.zero_days > 0 {
            let mut dates: Vec<String> = self.zero_dates.iter().map(ToString::to_string).collect();
            if self.zero_days as usize > dates.len() {
                dates.push("…".to_owned());
            }
            warnings.push((
                "zero_days",
                self.zero_dates.first().copied(),
                format!(
                    "{who}: {} counted as zero: {}",
                    count(self.zero_days, unit),
                    dates.join(", ")
                ),
            ));
        }
        for shift in self.level_shifts.iter().filter(|s| !s.holiday_edge) {
            warnings.push((
                "level_shift",
                Some(shift.date),
                format!(
                    "{who}: level shift {on} {}: median {} persons over the {LEVEL_SHIFT_WINDOW} {unit}s before, {} from it on (×{:.2})",
                    shift.date,
                    whole(shift.before),
                    whole(shift.after),
                    shift.after / shift.before,
                ),
            ));
        }
        let outliers: Vec<&Outlier> = self.outliers.iter().filter(|o| !o.holiday_edge).collect();
        for outlier in outliers.iter().take(WARNINGS_LISTED) {
            warnings.push((
                "outlier",
                Some(outlier.date),
                format!(
                    "{who}: outlier {on} {}: {} persons, against {} on the counted {unit} before (robust score {:.1})",
                    outlier.date,
                    whole(outlier.count),
                    whole(outlier.previous),
                    outlier.score,
                ),
            ));
        }
        if outliers.len() > WARNINGS_LISTED {
            warnings.push((
                "more_outliers",
                outliers.get(WARNINGS_LISTED).map(|o| o.date),
                format!(
                    "{who}: {} more outliers (listed in the report's areas)",
                    outliers.len() - WARNINGS_LISTED
                ),
            ));
        }
        warnings
    }
}

/// Coverage and findings of one area's counts, `series` in date order, within the file's
/// `span` (first and last epoch day of any area).
fn check_area(
    code: AreaCode,
    name: String,
    series: &[(i32, f64)],
    span: Option<(i32, i32)>,
    calendar: &SchoolHolidays,
) -> AreaCheck {
    let missing = span.map_or_else(Vec::new, |(first, last)| {
        missing_ranges(series.iter().map(|p| p.0), first, last)
    });
    let zero: Vec<i32> = series.iter().filter(|p| p.1 == 0.0).map(|p| p.0).collect();
    let (level_shifts, outliers) = jumps(series, calendar);
    AreaCheck {
        code,
        name,
        days: series.len() as u32,
        first: series.first().map(|p| from_epoch_day(p.0)),
        last: series.last().map(|p| from_epoch_day(p.0)),
        missing_days: missing.iter().map(|(a, b)| (b - a + 1) as u32).sum(),
        missing: missing
            .iter()
            .map(|&(a, b)| [from_epoch_day(a), from_epoch_day(b)])
            .collect(),
        zero_days: zero.len() as u32,
        zero_dates: zero
            .iter()
            .take(ZERO_DATES_LISTED)
            .map(|&d| from_epoch_day(d))
            .collect(),
        level_shifts,
        outliers,
    }
}

/// The inclusive ranges of days from `first` to `last` that are not in `days` (ascending).
fn missing_ranges(days: impl Iterator<Item = i32>, first: i32, last: i32) -> Vec<(i32, i32)> {
    let mut ranges = Vec::new();
    let mut next = first;
    for day in days {
        if day > next {
            ranges.push((next, day - 1));
        }
        next = next.max(day + 1);
    }
    if next <= last {
        ranges.push((next, last));
    }
    ranges
}

/// The level shifts and outlier days of one area's counts (see the module docs).
fn jumps(series: &[(i32, f64)], calendar: &SchoolHolidays) -> (Vec<LevelShift>, Vec<Outlier>) {
    let (mut shifts, mut outliers) = (Vec::new(), Vec::new());
    if series.len() < MIN_CHANGES + 1 {
        return (shifts, outliers);
    }
    let changes: Vec<f64> = series
        .windows(2)
        .map(|w| w[1].1.ln_1p() - w[0].1.ln_1p())
        .collect();
    let scores = robust_scores(&changes);
    let flagged = |i: usize| scores.get(i).is_some_and(|s| s.abs() > OUTLIER_SCORE);
    let mut i = 0;
    while i < scores.len() {
        if !flagged(i) {
            i += 1;
            continue;
        }
        let (day, persons) = series[i + 1];
        let holiday_edge = calendar.near_holiday_edge(from_epoch_day(day), HOLIDAY_EDGE_DAYS);
        // A jump straight back on the next counted day makes this day a spike.
        let returns = flagged(i + 1) && scores[i + 1].signum() != scores[i].signum();
        match level_shift(series, day).filter(|_| !returns) {
            Some((before, after)) => shifts.push(LevelShift {
                date: from_epoch_day(day),
                before,
                after,
                holiday_edge,
            }),
            None => outliers.push(Outlier {
                date: from_epoch_day(day),
                count: persons,
                previous: series[i].1,
                score: scores[i],
                holiday_edge,
            }),
        }
        i += if returns { 2 } else { 1 };
    }
    (shifts, outliers)
}

/// The medians before and from `day` if they differ by more than [`LEVEL_SHIFT_FRACTION`].
fn level_shift(series: &[(i32, f64)], day: i32) -> Option<(f64, f64)> {
    let window = |from: i32, to: i32| -> Vec<f64> {
        series
            .iter()
            .filter(|p| (from..to).contains(&p.0))
            .map(|p| p.1)
            .collect()
    };
    let before = window(day - LEVEL_SHIFT_WINDOW, day);
    let after = window(day, day + LEVEL_SHIFT_WINDOW);
    if before.len() < MIN_WINDOW_DAYS || after.len() < MIN_WINDOW_DAYS {
        return None;
    }
    let (before, after) = (median(&before)?, median(&after)?);
    ((after - before).abs() > LEVEL_SHIFT_FRACTION * before).then_some((before, after))
}

/// Robust z-scores: (x − median) / (1.4826 × MAD), with 1.2533 × the mean absolute deviation
/// in place of a zero MAD; all zero when every value is the same.
fn robust_scores(values: &[f64]) -> Vec<f64> {
    let Some(centre) = median(values) else {
        return Vec::new();
    };
    let deviations: Vec<f64> = values.iter().map(|v| (v - centre).abs()).collect();
    let mad = median(&deviations).unwrap_or(0.0);
    let scale = if mad > 0.0 {
        MAD_SCALE * mad
    } else {
        MEAN_AD_SCALE * deviations.iter().sum::<f64>() / deviations.len() as f64
    };
    if scale > 0.0 {
        values.iter().map(|v| (v - centre) / scale).collect()
    } else {
        vec![0.0; values.len()]
    }
}

/// The median (the mean of the two middle values of an even count); `None` if empty.
fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tolerance for a hand-computed score.
    const EPS: f64 = 1e-12;

    #[test]
    fn robust_scores_match_a_hand_computation() {
        // values 1 2 3 4 100: median 3; |x − 3| = 2 1 0 1 97, sorted 0 1 1 2 97, MAD 1;
        // z = (x − 3) / 1.4826: −2/1.4826 = −1.348981…, 97/1.4826 = 65.425603…
        let scores = robust_scores(&[1.0, 2.0, 3.0, 4.0, 100.0]);
        let expected = [-2.0, -1.0, 0.0, 1.0, 97.0].map(|d| d / 1.4826);
        for (s, e) in scores.iter().zip(expected) {
            assert!((s - e).abs() < EPS, "{s} vs {e}");
        }
        assert!((scores[4] - 65.425_603_669_229).abs() < 1e-9);
    }

    #[test]
    fn a_zero_mad_falls_back_to_the_mean_absolute_deviation() {
        // values 0 0 0 0 5: median 0, MAD 0; mean |x − 0| = 5/5 = 1; z(5) = 5 / 1.2533.
        let scores = robust_scores(&[0.0, 0.0, 0.0, 0.0, 5.0]);
        assert!((scores[4] - 5.0 / 1.2533).abs() < EPS);
        assert_eq!(robust_scores(&[2.0; 4]), vec![0.0; 4]);
    }

    #[test]
    fn missing_ranges_are_inclusive_and_cover_the_ends() {
        // (counted days, first, last, missing ranges)
        type Case = (&'static [i32], i32, i32, &'static [(i32, i32)]);
        let cases: [Case; 4] = [
            (&[1, 2, 3], 1, 3, &[]),
            (&[1, 5, 6], 1, 6, &[(2, 4)]),
            (&[3, 4], 1, 7, &[(1, 2), (5, 7)]),
            (&[], 1, 2, &[(1, 2)]),
        ];
        for (days, first, last, expected) in cases {
            assert_eq!(missing_ranges(days.iter().copied(), first, last), expected);
        }
    }

    #[test]
    fn a_spike_is_one_outlier_and_a_step_one_level_shift() {
        // 80 days alternating 100 (even days) and 104 (odd days); day 10 ×20 (a spike), days
        // from 40 on ×10 (a step). The spike's return on day 11 is not a second outlier, and
        // the step is a level shift, not an outlier.
        let series: Vec<(i32, f64)> = (0..80)
            .map(|d| {
                let base = if d % 2 == 0 { 100.0 } else { 104.0 };
                let x = if d >= 40 { base * 10.0 } else { base };
                (d, if d == 10 { x * 20.0 } else { x })
            })
            .collect();
        let (shifts, outliers) = jumps(&series, &SchoolHolidays::default());
        assert_eq!(
            outliers
                .iter()
                .map(|o| (o.date, o.count, o.previous))
                .collect::<Vec<_>>(),
            [(from_epoch_day(10), 2000.0, 104.0)]
        );
        // Medians: days 12..39 hold 14 × 100 and 14 × 104 → (100 + 104) / 2 = 102;
        // days 40..67 hold 14 × 1000 and 14 × 1040 → 1020.
        assert_eq!(
            shifts,
            [LevelShift {
                date: from_epoch_day(40),
                before: 102.0,
                after: 1020.0,
                holiday_edge: false,
            }]
        );
    }
}
