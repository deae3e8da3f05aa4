//! The three ways to guest-nights side by side, where they cover the same areas and days:
//! the plan's **residual** from day counts, the **night** estimate from night counts, and the
//! **home-zone** estimate from counts split by origin.
//!
//! Aligned by date `D`: the residual of day `D`, the night with evening date `D`, and the
//! split's guest-nights of that night (previous-night origin) or of day `D` (long-term home).
//!
//! ```text
//! residual(D) = day present − residents − (commuters + transit + day visitors, as deducted)
//! night(D)    = night present − residents
//! daytime excess        = residual + deducted − night   ≈ day visitors + commuters + transit
//! residual − night      = daytime excess − deducted     (what the plan's deductions missed;
//!                                                        negative: deducted more than came)
//! night − home zone     = who slept in the area but was outside the region by day, the
//!                         split's suppressed cells, and the two sources' own differences
//! ```
//! Each figure is the one its own estimate gives (the plan's lines, [`Plan`]); nothing is
//! computed again here but these differences.
//!
//! [`Plan`]: deltid_model::Plan

use std::collections::BTreeSet;

use chrono::NaiveDate;
use deltid_model::{
    Bounds, Deduction, Error, Estimate, Measure, OriginEstimate, OriginKind, Result,
};

/// One area (or the region) on one date, persons (nights for guest-nights).
#[derive(Clone, Debug, PartialEq)]
pub struct CompareRow {
    /// The area's position in the scenario; `None` for the region.
    pub area: Option<usize>,
    /// The day `D`, and the evening date of the night compared with it.
    pub date: NaiveDate,
    /// The plan's residual (part-time residents) on day `D`, from day counts.
    pub residual: Option<f64>,
    /// What the plan deducted on day `D` besides residents: commuters + transit + day visitors.
    pub deducted: Option<f64>,
    /// Guest-nights of the night with evening date `D`, from night counts.
    pub night: Option<f64>,
    /// Guest-nights by the split's rule (bounds where suppressed cells leave them open).
    pub home_zone: Option<Bounds>,
}

impl CompareRow {
    /// `residual − night`: the daytime presence the plan's deductions did not remove
    /// (negative where they removed more than was there).
    pub fn residual_minus_night(&self) -> Option<f64> {
        Some(self.residual? - self.night?)
    }

    /// `residual + deducted − night`: the daytime excess over the night, ≈ day visitors +
    /// commuters + transit as measured.
    pub fn daytime_excess(&self) -> Option<f64> {
        Some(self.residual? + self.deducted? - self.night?)
    }

    /// `night − home zone`: bounds of what the two night measures disagree on.
    pub fn night_minus_home_zone(&self) -> Option<Bounds> {
        let night = self.night?;
        Some(self.home_zone?.subtracted_from(night))
    }

    /// `residual − home zone`, when there is no night count: bounds.
    pub fn residual_minus_home_zone(&self) -> Option<Bounds> {
        let residual = self.residual?;
        Some(self.home_zone?.subtracted_from(residual))
    }
}

/// The estimates side by side: a row per area and date that at least two of them cover, then
/// the region's rows, by date.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    rows: Vec<CompareRow>,
}

impl Comparison {
    /// Compares a residual estimate from day counts (`day`), a night estimate (`night`) and
    /// an estimate from counts split by origin (`home_zone`), over the areas and dates that
    /// at least two of them cover. The estimates are of one scenario's areas.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] (`comparison`) with fewer than two estimates, a `day`
    /// estimate of night counts or a `night` estimate of day counts;
    /// [`Error::NothingInCommon`], naming the dates each covers, where no area and date is
    /// covered by two of them.
    pub fn new(
        day: Option<&Estimate>,
        night: Option<&Estimate>,
        home_zone: Option<&OriginEstimate>,
    ) -> Result<Comparison> {
        let invalid = |reason: &str| Error::InvalidOption {
            option: "comparison".to_owned(),
            reason: reason.to_owned(),
        };
        let given = [day.is_some(), night.is_some(), home_zone.is_some()];
        if given.iter().filter(|g| **g).count() < 2 {
            return Err(invalid(
                "two or three estimates are compared: a residual from day counts, a night estimate, guest-nights from counts split by origin",
            ));
        }
        if day.is_some_and(|e| e.plan().measure() != Measure::Day) {
            return Err(invalid("the residual estimate is of night counts"));
        }
        if night.is_some_and(|e| e.plan().measure() != Measure::Night) {
            return Err(invalid("the night estimate is of day counts"));
        }
        let areas = [day, night]
            .into_iter()
            .flatten()
            .map(|e| e.scenario().areas().len())
            .max()
            .unwrap_or(0)
            .max(
                home_zone
                    .and_then(|h| h.days().iter().map(|d| d.area + 1).max())
                    .unwrap_or(0),
            );
        let mut dates: BTreeSet<NaiveDate> = BTreeSet::new();
        for estimate in [day, night].into_iter().flatten() {
            dates.extend(estimate.days().map(|d| d.date));
        }
        if let Some(h) = home_zone {
            dates.extend(h.guests().iter().map(|g| g.date));
        }
        let residual = |area: usize, date| {
            day.and_then(|e| e.area_day(area, date)).map(|lines| {
                let deducted = [
                    Deduction::Commuters,
                    Deduction::Transit,
                    Deduction::DayVisitors,
                ]
                .iter()
                .map(|d| lines.deduction(*d))
                .sum::<f64>();
                (lines.part_time(), deducted)
            })
        };
        let mut rows = Vec::new();
        for &date in &dates {
            for area in 0..areas {
                let day_figures = residual(area, date);
                let row = CompareRow {
                    area: Some(area),
                    date,
                    residual: day_figures.map(|f| f.0),
                    deducted: day_figures.map(|f| f.1),
                    night: night
                        .and_then(|e| e.area_day(area, date))
                        .map(|l| l.part_time()),
                    home_zone: home_zone.and_then(|h| {
                        h.guests()
                            .iter()
                            .find(|g| g.area == area && g.date == date)
                            .map(|g| g.guest_nights)
                    }),
                };
                let present = [
                    row.residual.is_some(),
                    row.night.is_some(),
                    row.home_zone.is_some(),
                ];
                if present.iter().filter(|p| **p).count() >= 2 {
                    rows.push(row);
                }
            }
            let region_day = day.and_then(|e| e.region_day(date)).map(|r| {
                let l = r.lines;
                (
                    l.part_time(),
                    l.deduction(Deduction::Commuters)
                        + l.deduction(Deduction::Transit)
                        + l.deduction(Deduction::DayVisitors),
                )
            });
            let row = CompareRow {
                area: None,
                date,
                residual: region_day.map(|r| r.0),
                deducted: region_day.map(|r| r.1),
                night: night
                    .and_then(|e| e.region_day(date))
                    .map(|r| r.lines.part_time()),
                home_zone: home_zone
                    .and_then(|h| h.region().iter().find(|(d, _, _)| *d == date).map(|r| r.1)),
            };
            let present = [
                row.residual.is_some(),
                row.night.is_some(),
                row.home_zone.is_some(),
            ];
            if present.iter().filter(|p| **p).count() >= 2 {
                rows.push(row);
            }
        }
        if rows.is_empty() {
            return Err(Error::NothingInCommon {
                covered: coverage(day, night, home_zone),
            });
        }
        Ok(Comparison { rows })
    }

    /// The rows: areas by date, the region's row after each date's areas.
    pub fn rows(&self) -> &[CompareRow] {
        &self.rows
    }
}

/// What each estimate given covers, in words, for [`Error::NothingInCommon`]: its kind and
/// its first and last dates (days for the residual and a long-term home, evening dates of
/// nights for the night estimate and the previous-night origin).
fn coverage(
    day: Option<&Estimate>,
    night: Option<&Estimate>,
    home_zone: Option<&OriginEstimate>,
) -> Vec<String> {
    const DAYS: (&str, &str) = ("day", "days");
    const NIGHTS: (&str, &str) = ("night with evening date", "nights with evening dates");
    let span = |what: &str, (one, many): (&str, &str), dates: &BTreeSet<NaiveDate>| match (
        dates.first(),
        dates.last(),
    ) {
        (Some(first), Some(last)) if first == last => format!("{what}: the {one} {first}"),
        (Some(first), Some(last)) => {
            format!("{what}: {many} {first} to {last} ({} dates)", dates.len())
        }
        _ => format!("{what}: no dates"),
    };
    let mut covered = Vec::new();
    if let Some(e) = day {
        let dates = e.days().map(|d| d.date).collect();
        covered.push(span("the residual from day counts", DAYS, &dates));
    }
    if let Some(e) = night {
        let dates = e.days().map(|d| d.date).collect();
        covered.push(span(
            "the night estimate from hourly counts",
            NIGHTS,
            &dates,
        ));
    }
    if let Some(h) = home_zone {
        let dates = h.guests().iter().map(|g| g.date).collect();
        let (what, unit) = match h.settings().kind {
            OriginKind::PreviousNight => (
                "guest-nights from counts split by origin (previous night)",
                NIGHTS,
            ),
            OriginKind::Home => ("guests from counts split by origin (long-term home)", DAYS),
            OriginKind::SimCountry => (
                "counts split by origin (SIM country, which gives no guest-nights)",
                DAYS,
            ),
        };
        covered.push(span(what, unit, &dates));
    }
    covered
}
