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

use deltid_model::{AreaCode, Busiest, Estimate, Summary};
use serde::Serialize;

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
    /// The checks of an estimate and its summary, or `None` when the scenario gives no holiday
    /// homes and no commercial guest-nights.
    ///
    /// The region's figures are given only when every selected area gives them.
    pub fn new(estimate: &Estimate, summary: &Summary) -> Option<Plausibility> {
        let scenario = estimate.scenario();
        let calibration = scenario.calibration();
        if calibration
            .iter()
            .all(|c| c.holiday_homes.is_none() && c.commercial_guest_nights.is_none())
        {
            return None;
        }
        let check = |code: Option<AreaCode>,
                     name: String,
                     per_year: f64,
                     homes: Option<f64>,
                     commercial: Option<f64>,
                     busiest: Option<Busiest>| {
            let per_home = homes.filter(|h| *h > 0.0).map(|h| per_year / h);
            AreaPlausibility {
                code,
                name,
                guest_nights_per_year: per_year,
                holiday_homes: homes,
                guest_nights_per_home: per_home,
                times_survey: per_home.map(|g| g / SURVEY_GUEST_NIGHTS_PER_CABIN),
                persons_per_home_p95: homes
                    .filter(|h| *h > 0.0)
                    .and_then(|h| busiest.map(|b| b.p95 / h)),
                persons_per_home_max: homes
                    .filter(|h| *h > 0.0)
                    .and_then(|h| busiest.map(|b| b.max / h)),
                commercial_guest_nights: commercial,
                share_outside_commercial: commercial
                    .filter(|_| per_year != 0.0)
                    .map(|c| 1.0 - c / per_year),
            }
        };
        let mut areas = Vec::new();
        // The summary lists the selected areas with counts in the period, in their order: each
        // selected area is the summary's next or has none.
        let mut summaries = summary.areas().iter().peekable();
        // The areas' busiest days are the summary's (its pass over the counts makes them).
        for &position in estimate.plan().selected() {
            let code = &scenario.areas()[position].code;
            let Some(area) = summaries.next_if(|a| a.code() == Some(code)) else {
                continue;
            };
            let c = &calibration[position];
            if c.holiday_homes.is_none() && c.commercial_guest_nights.is_none() {
                continue;
            }
            areas.push(check(
                area.code().cloned(),
                area.name().to_owned(),
                area.guest_nights_per_year_plan(),
                c.holiday_homes,
                c.commercial_guest_nights,
                area.busiest(),
            ));
        }
        let selected = estimate.plan().selected();
        let total = |f: fn(&deltid_model::Calibration) -> Option<f64>| {
            selected
                .iter()
                .map(|&i| f(&calibration[i]))
                .sum::<Option<f64>>()
        };
        let homes = total(|c| c.holiday_homes);
        let commercial = total(|c| c.commercial_guest_nights);
        let region = (homes.is_some() || commercial.is_some()).then(|| {
            let mut days: Vec<f64> = estimate
                .region_days()
                .map(|d| d.lines.part_time())
                .collect();
            check(
                None,
                summary.region().name().to_owned(),
                summary.region().guest_nights_per_year_plan(),
                homes,
                commercial,
                Busiest::of(&mut days),
            )
        });
        Some(Plausibility { areas, region })
    }
}
