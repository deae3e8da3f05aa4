//! The plan's table: from telecom persons per day to guest-nights per year, line by line.

use serde::Serialize;

use crate::deduction::Deduction;
use crate::scaling::Scaling;
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
    ///
    /// Inputs within [`MAX_PERSONS`](crate::MAX_PERSONS) per area give exact whole numbers;
    /// beyond `i64` the whole numbers saturate rather than wrap.
    pub fn new(mean: &Lines, uplift: Uplift) -> Waterfall {
        let observed = round(mean.observed);
        Waterfall::build(
            mean,
            observed,
            round(observed as f64 * uplift.fraction()),
            format!(
                "plus {} % for people without a phone and SIM deviations",
                uplift.fraction() * 100.0
            ),
        )
    }

    /// Builds the table when scaling factors or foreign SIMs make present persons more than
    /// `observed × (1 + uplift)`: the uplift line is then present − observed
    /// ([`Lines::uplift`]) rounded on its own, and its label says that it holds the scaling
    /// factors. The other seven lines are as in [`Waterfall::new`].
    ///
    /// # Examples
    /// ```
    /// use deltid::{Lines, Line, Scaling, Uplift, Waterfall};
    /// // 1 000 domestic and 200 foreign SIMs: 1 000 × 1.05 × 0.9 ÷ 0.6 + 200 × 1.1 = 1 795.
    /// let mean = Lines {
    ///     observed: 1_200.0, uplift: 595.0, present: 1_795.0,
    ///     residents: 1_000.0, part_time: 795.0, ..Lines::default()
    /// };
    /// let scaling = Scaling::new(0.9, 0.6, 1.1).unwrap();
    /// let table = Waterfall::with_scaling(&mean, Uplift::new(0.05).unwrap(), scaling);
    /// assert_eq!(table.line(Line::Uplift).rounded, 595);
    /// assert!(table.line(Line::Uplift).label.contains("market share 0.6"));
    /// assert_eq!(table.line(Line::GuestNightsPerDay).rounded, 795);
    /// ```
    pub fn with_scaling(mean: &Lines, uplift: Uplift, scaling: Scaling) -> Waterfall {
        let percent = uplift.fraction() * 100.0;
        let label = match scaling.describe() {
            factors if factors.is_empty() => format!(
                "plus {percent} % on domestic SIMs, foreign SIMs as counted (present − observed)"
            ),
            factors => {
                format!("plus {percent} % uplift and scaling: {factors} (present − observed)")
            }
        };
        Waterfall::build(mean, round(mean.observed), round(mean.uplift), label)
    }

    /// The eight lines from the rounded observed and uplift lines.
    fn build(mean: &Lines, observed: i64, added: i64, label: String) -> Waterfall {
        let mut lines = vec![
            WaterfallLine {
                line: Line::Observed,
                label: "mean persons per day from telecom data".to_owned(),
                rounded: observed,
                exact: mean.observed,
            },
            WaterfallLine {
                line: Line::Uplift,
                label,
                rounded: added,
                exact: mean.uplift,
            },
        ];
        let mut per_day = observed.saturating_add(added);
        for deduction in Deduction::ALL {
            let persons = mean.deduction(deduction);
            let rounded = round(persons);
            per_day = per_day.saturating_sub(rounded);
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
            rounded: per_day.saturating_mul(PLAN_DAYS_PER_YEAR as i64),
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

/// Whole persons, halves away from zero (saturating beyond `i64`).
fn round(x: f64) -> i64 {
    x.round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn means(observed: f64, deductions: [f64; 4], uplift: f64) -> Lines {
        let added = observed * uplift;
        Lines {
            observed,
            uplift: added,
            present: observed + added,
            residents: deductions[0],
            commuters: deductions[1],
            transit: deductions[2],
            day_visitors: deductions[3],
            part_time: observed + added - deductions.iter().sum::<f64>(),
        }
    }

    #[test]
    fn rounds_each_line_and_sums_the_rounded_lines() {
        // (observed, deductions, uplift, expected rounded lines), each worked by hand:
        let cases: [(f64, [f64; 4], f64, [i64; 8]); 4] = [
            // The plan: 46 724 × 0.06 = 2 803.44 → 2 803; 46 724 + 2 803 − 23 000 = 26 527.
            (
                46_724.0,
                [20_000.0, 1_000.0, 1_000.0, 1_000.0],
                0.06,
                [
                    46_724, 2_803, -20_000, -1_000, -1_000, -1_000, 26_527, 9_682_355,
                ],
            ),
            // Rounding happens before the uplift: 100.4 → 100, 100 × 0.05 = 5 (not 5.02).
            // 100 + 5 − 10 − 0 − 0 − 0 = 95; × 365 = 34 675.
            (
                100.4,
                [10.0, 0.0, 0.0, 0.0],
                0.05,
                [100, 5, -10, 0, 0, 0, 95, 34_675],
            ),
            // Halves round away from zero: 10.5 → 11, uplift 11 × 0.5 = 5.5 → 6, 2.5 → 3.
            // 11 + 6 − 3 − 3 − 3 − 3 = 5; × 365 = 1 825.
            (
                10.5,
                [2.5, 2.5, 2.5, 2.5],
                0.5,
                [11, 6, -3, -3, -3, -3, 5, 1_825],
            ),
            // A negative residual stays negative: 10 + 0 − 20 = −10; × 365 = −3 650.
            (
                10.0,
                [20.0, 0.0, 0.0, 0.0],
                0.0,
                [10, 0, -20, 0, 0, 0, -10, -3_650],
            ),
        ];
        for (observed, deductions, uplift, expected) in cases {
            let table = Waterfall::new(
                &means(observed, deductions, uplift),
                Uplift::new(uplift).expect("a fraction"),
            );
            let rounded: Vec<i64> = table.lines.iter().map(|l| l.rounded).collect();
            assert_eq!(rounded, expected, "observed {observed}");
        }
    }

    #[test]
    fn labels_follow_the_plan_and_name_the_uplift() {
        let table = Waterfall::new(
            &means(46_724.0, [20_000.0, 1_000.0, 1_000.0, 1_000.0], 0.06),
            Uplift::new(0.06).expect("a fraction"),
        );
        assert_eq!(
            table.line(Line::Uplift).label,
            "plus 6 % for people without a phone and SIM deviations"
        );
        assert_eq!(
            table.line(Line::GuestNightsPerYear).label,
            "guest-nights per year (mean per day × 365)"
        );
    }
}
