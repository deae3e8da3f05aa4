//! The plan's table: from telecom persons per day to guest-nights per year, line by line.

use serde::Serialize;

use crate::deduction::Deduction;
use crate::scenario::Uplift;
use crate::summary::Lines;

/// Days per year in the plan's annualisation (mean per day × 365).
pub const PLAN_DAYS_PER_YEAR: f64 = 365.0;

/// A line of the plan's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Line {
    /// Mean persons per day from the telecom data.
    Observed,
    /// Plus the uplift for people without a phone and SIM deviations.
    Uplift,
    /// Minus a deduction.
    Deduction(Deduction),
    /// Guest-nights, mean per day (part-time residents present).
    GuestNightsPerDay,
    /// Guest-nights per year by the plan's rule: mean per day × 365.
    GuestNightsPerYear,
}

/// One line of the table: whole persons by the plan's rounding, and the exact value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WaterfallLine {
    /// Which line.
    pub line: Line,
    /// The label, as in the plan's table.
    pub label: String,
    /// Whole persons per day (nights per year on the last line), deductions negative, by the
    /// plan's rounding: each line rounded half away from zero, sums computed from the rounded
    /// lines.
    pub rounded: i64,
    /// The same line without rounding, from the mean per day of the daily estimates.
    pub exact: f64,
}

/// The Hallingdal plan's table (strategic plan 2021-2024, "gjestedøgn"): eight lines from the
/// mean telecom count per day to guest-nights per year.
///
/// The plan rounds every line to whole persons and computes the next line from the rounded
/// one: with a mean of 46 724 persons and a 6 % uplift, the uplift line is
/// round(46 724 × 0.06) = round(2 803.44) = 2 803, guest-nights per day
/// 46 724 + 2 803 − 20 000 − 1 000 − 1 000 − 1 000 = 26 527, and per year
/// 26 527 × 365 = 9 682 355. [`WaterfallLine::exact`] keeps full precision beside it.
///
/// # Examples
/// ```
/// use deltid::{Lines, Line, Uplift, Waterfall};
/// let mean = Lines {
///     observed: 46_724.0, uplift: 2_803.44, present: 49_527.44,
///     residents: 20_000.0, commuters: 1_000.0, transit: 1_000.0, day_visitors: 1_000.0,
///     part_time: 26_527.44,
/// };
/// let table = Waterfall::new(&mean, Uplift::new(0.06).unwrap());
/// assert_eq!(table.line(Line::Uplift).rounded, 2_803);
/// assert_eq!(table.line(Line::GuestNightsPerDay).rounded, 26_527);
/// assert_eq!(table.line(Line::GuestNightsPerYear).rounded, 9_682_355);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Waterfall {
    /// The eight lines, in the plan's order.
    pub lines: Vec<WaterfallLine>,
}

impl Waterfall {
    /// Builds the table from the means per day of the daily lines.
    pub fn new(mean: &Lines, uplift: Uplift) -> Waterfall {
        let round = |x: f64| x.round() as i64;
        let observed = round(mean.observed);
        let added = round(observed as f64 * uplift.fraction());
        let mut lines = vec![
            WaterfallLine {
                line: Line::Observed,
                label: "mean persons per day from telecom data".to_owned(),
                rounded: observed,
                exact: mean.observed,
            },
            WaterfallLine {
                line: Line::Uplift,
                label: format!(
                    "plus {} % for people without a phone and SIM deviations",
                    uplift.fraction() * 100.0
                ),
                rounded: added,
                exact: mean.uplift,
            },
        ];
        let mut per_day = observed + added;
        for deduction in Deduction::ALL {
            let persons = mean.deduction(deduction);
            let rounded = round(persons);
            per_day -= rounded;
            lines.push(WaterfallLine {
                line: Line::Deduction(deduction),
                label: deduction.label().to_owned(),
                rounded: -rounded,
                exact: -persons,
            });
        }
        lines.push(WaterfallLine {
            line: Line::GuestNightsPerDay,
            label: "guest-nights, mean per day".to_owned(),
            rounded: per_day,
            exact: mean.part_time,
        });
        lines.push(WaterfallLine {
            line: Line::GuestNightsPerYear,
            label: "guest-nights per year (mean per day × 365)".to_owned(),
            rounded: per_day * PLAN_DAYS_PER_YEAR as i64,
            exact: mean.part_time * PLAN_DAYS_PER_YEAR,
        });
        Waterfall { lines }
    }

    /// One line of the table.
    pub fn line(&self, line: Line) -> &WaterfallLine {
        // The table always holds all eight lines; `new` builds them in order.
        self.lines
            .iter()
            .find(|l| l.line == line)
            .unwrap_or(&self.lines[0])
    }
}
