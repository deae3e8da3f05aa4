//! Plausibility: the estimate set beside holiday homes and commercial guest-nights.
//!
//! The residual of the Hallingdal method holds everyone present who is neither resident,
//! commuter, transit nor day visitor: cabin owners and their guests, but also hotel and rental
//! guests and people staying with friends. Two checks show what that means in a region:
//!
//! - guest-nights per holiday home per year, beside the national cabin survey's figure of about
//!   114 guest-nights per cabin per year (TØI, Institute of Transport Economics, report
//!   1155/2011), and persons per holiday home on the peak days (P95 and the busiest day);
//! - with official guest-nights in commercial accommodation (Statistics Norway's accommodation
//!   statistics), the share of the estimate outside commercial accommodation.
//!
//! Figures far above the survey's mean do not make the estimate wrong, but tell the user that
//! the residual is more than cabin use.

use std::collections::HashMap;

use serde::Serialize;

use crate::area::AreaCode;
use crate::error::Result;
use crate::population::{PercentileMethod, percentile};
use crate::report::Report;

/// Guest-nights per cabin per year in the national cabin survey (TØI report 1155/2011).
pub const SURVEY_GUEST_NIGHTS_PER_CABIN: f64 = 114.0;

/// The checks of one area, or of the region (sums over the areas that give the figures).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AreaPlausibility {
    /// The area's code; `None` for the region.
    pub code: Option<AreaCode>,
    /// The area's or region's name.
    pub name: String,
    /// Guest-nights per year by the plan's rule, nights.
    pub guest_nights_per_year: f64,
    /// Holiday homes, when given.
    pub holiday_homes: Option<f64>,
    /// Guest-nights per holiday home per year, nights.
    pub guest_nights_per_home: Option<f64>,
    /// That figure ÷ the survey's 114.
    pub times_survey: Option<f64>,
    /// Part-time residents present per holiday home at the 95th percentile day, persons.
    pub persons_per_home_p95: Option<f64>,
    /// Part-time residents present per holiday home on the busiest day, persons.
    pub persons_per_home_max: Option<f64>,
    /// Official commercial guest-nights per year, when given, nights.
    pub commercial_guest_nights: Option<f64>,
    /// Share of the estimate outside commercial accommodation, fraction (may be negative when
    /// the official figure exceeds the estimate, which then is too low).
    pub share_outside_commercial: Option<f64>,
}

/// Plausibility checks of a report, per area and for the region.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plausibility {
    /// Each area with calibration figures, in scenario order.
    pub areas: Vec<AreaPlausibility>,
    /// The region, when every selected area gives a figure.
    pub region: Option<AreaPlausibility>,
}

impl Plausibility {
    /// The checks for a report, or `None` when the scenario gives no holiday homes and no
    /// commercial guest-nights.
    ///
    /// # Errors
    /// [`Error::Polars`](crate::Error::Polars) only on a defect.
    pub fn new(report: &Report) -> Result<Option<Plausibility>> {
        let calibration = report.scenario.calibration();
        if calibration
            .iter()
            .all(|c| c.holiday_homes.is_none() && c.commercial_guest_nights.is_none())
        {
            return Ok(None);
        }
        let rows = crate::report::daily_rows(&report.estimate)?;
        let mut by_area: HashMap<Option<&AreaCode>, Vec<f64>> = HashMap::new();
        for row in &rows {
            by_area
                .entry(row.area.as_ref())
                .or_default()
                .push(row.lines.part_time);
        }
        let part_time = |code: Option<&AreaCode>| {
            let mut days = by_area.get(&code).cloned().unwrap_or_default();
            days.sort_by(f64::total_cmp);
            days
        };
        let calibration: HashMap<&AreaCode, &crate::scenario::Calibration> =
            calibration.iter().map(|c| (&c.code, c)).collect();
        let check = |code: Option<AreaCode>,
                     name: String,
                     per_year: f64,
                     homes: Option<f64>,
                     commercial: Option<f64>,
                     days: &[f64]| {
            let per_home = homes.filter(|h| *h > 0.0).map(|h| per_year / h);
            let at = |p| percentile(days, p, PercentileMethod::Linear);
            AreaPlausibility {
                code,
                name,
                guest_nights_per_year: per_year,
                holiday_homes: homes,
                guest_nights_per_home: per_home,
                times_survey: per_home.map(|g| g / SURVEY_GUEST_NIGHTS_PER_CABIN),
                persons_per_home_p95: homes
                    .filter(|h| *h > 0.0)
                    .and_then(|h| at(0.95).map(|v| v / h)),
                persons_per_home_max: homes
                    .filter(|h| *h > 0.0)
                    .and_then(|h| at(1.0).map(|v| v / h)),
                commercial_guest_nights: commercial,
                share_outside_commercial: commercial
                    .filter(|_| per_year != 0.0)
                    .map(|c| 1.0 - c / per_year),
            }
        };
        let mut areas = Vec::new();
        for summary in &report.summary.areas {
            let Some(c) = summary.code.as_ref().and_then(|code| calibration.get(code)) else {
                continue;
            };
            if c.holiday_homes.is_none() && c.commercial_guest_nights.is_none() {
                continue;
            }
            areas.push(check(
                summary.code.clone(),
                summary.name.clone(),
                summary.guest_nights_per_year_plan,
                c.holiday_homes,
                c.commercial_guest_nights,
                &part_time(summary.code.as_ref()),
            ));
        }
        // The region's figures only when every selected area gives them.
        let selected: Vec<&crate::scenario::Calibration> = report
            .estimate
            .selected
            .iter()
            .filter_map(|a| calibration.get(&a.code).copied())
            .collect();
        let total = |f: fn(&crate::scenario::Calibration) -> Option<f64>| {
            selected
                .iter()
                .map(|c| f(c))
                .sum::<Option<f64>>()
                .filter(|_| selected.len() == report.estimate.selected.len())
        };
        let homes = total(|c| c.holiday_homes);
        let commercial = total(|c| c.commercial_guest_nights);
        let region = (homes.is_some() || commercial.is_some()).then(|| {
            check(
                None,
                report.summary.region.name.clone(),
                report.summary.region.guest_nights_per_year_plan,
                homes,
                commercial,
                &part_time(None),
            )
        });
        Ok(Some(Plausibility { areas, region }))
    }

    /// Writes the checks as a readable table.
    ///
    /// # Errors
    /// [`Error::Write`](crate::Error::Write) if the writer fails.
    pub fn write_table(&self, mut out: impl std::io::Write) -> Result<()> {
        use crate::report::{persons, right_align, table};
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
        let whole =
            |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| persons(v.round() as i64));
        let one = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.1}"));
        for a in self.areas.iter().chain(self.region.as_ref()) {
            t.add_row([
                a.code
                    .as_ref()
                    .map_or("region", AreaCode::as_str)
                    .to_owned(),
                a.name.clone(),
                whole(a.holiday_homes),
                whole(a.guest_nights_per_home),
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
        if self
            .areas
            .iter()
            .chain(self.region.as_ref())
            .any(|a| a.share_outside_commercial.is_some_and(|s| s < 0.0))
        {
            writeln!(
                out,
                "A negative share outside commercial accommodation means the official commercial guest-nights exceed the estimate: the estimate is too low there (or the figures are for another year or area)."
            )?;
        }
        Ok(())
    }
}
