//! The plan's table: from telecom persons per day to guest-nights per year, line by line.

use std::borrow::Cow;

use serde::Serialize;

use crate::lines::{DayLines, Deduction, Line};
use crate::scenario::{Scaling, Uplift};

/// Days per year in the plan's annualisation (mean per day × 365).
pub const PLAN_DAYS_PER_YEAR: f64 = 365.0;

/// A row of the plan's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TableRow {
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
pub struct TableLine {
    /// Which row.
    pub row: TableRow,
    /// The label, as in the plan's table.
    pub label: Cow<'static, str>,
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
/// 26 527 × 365 = 9 682 355. [`TableLine::exact`] keeps full precision beside it.
///
/// # Examples
/// ```
/// use deltid_model::{DayLines, PlanTable, TableRow, Uplift};
/// let mean = DayLines::from_array([
///     46_724.0, 2_803.44, 49_527.44, 20_000.0, 1_000.0, 1_000.0, 1_000.0, 26_527.44,
/// ]);
/// let table = PlanTable::new(&mean, Uplift::new(0.06).unwrap());
/// assert_eq!(table.row(TableRow::Uplift).rounded, 2_803);
/// assert_eq!(table.row(TableRow::GuestNightsPerDay).rounded, 26_527);
/// assert_eq!(table.row(TableRow::GuestNightsPerYear).rounded, 9_682_355);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlanTable {
    /// The eight lines, in the plan's order.
    pub lines: Vec<TableLine>,
}

impl PlanTable {
    /// Builds the table from the means per day of the daily lines.
    ///
    /// Inputs within [`MAX_PERSONS`](crate::MAX_PERSONS) per area give exact whole numbers;
    /// beyond `i64` the whole numbers saturate rather than wrap.
    pub fn new(mean: &DayLines, uplift: Uplift) -> PlanTable {
        let observed = round(mean[Line::Observed]);
        PlanTable::build(
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
    /// ([`Line::Uplift`]) rounded on its own, and its label says that it holds the scaling
    /// factors. The other seven lines are as in [`PlanTable::new`].
    ///
    /// # Examples
    /// ```
    /// use deltid_model::{DayLines, PlanTable, Scaling, TableRow, Uplift};
    /// // 1 000 domestic and 200 foreign SIMs: 1 000 × 1.05 × 0.9 ÷ 0.6 + 200 × 1.1 = 1 795.
    /// let mean = DayLines::from_array([1_200.0, 595.0, 1_795.0, 1_000.0, 0.0, 0.0, 0.0, 795.0]);
    /// let scaling = Scaling::new(0.9, 0.6, 1.1).unwrap();
    /// let table = PlanTable::with_scaling(&mean, Uplift::new(0.05).unwrap(), scaling);
    /// assert_eq!(table.row(TableRow::Uplift).rounded, 595);
    /// assert!(table.row(TableRow::Uplift).label.contains("market share 0.6"));
    /// assert_eq!(table.row(TableRow::GuestNightsPerDay).rounded, 795);
    /// ```
    pub fn with_scaling(mean: &DayLines, uplift: Uplift, scaling: Scaling) -> PlanTable {
        let percent = uplift.fraction() * 100.0;
        let label = match scaling.describe() {
            factors if factors.is_empty() => format!(
                "plus {percent} % on domestic SIMs, foreign SIMs as counted (present − observed)"
            ),
            factors => {
                format!("plus {percent} % uplift and scaling: {factors} (present − observed)")
            }
        };
        PlanTable::build(
            mean,
            round(mean[Line::Observed]),
            round(mean[Line::Uplift]),
            label,
        )
    }

    /// The eight lines from the rounded observed and uplift lines.
    fn build(mean: &DayLines, observed: i64, added: i64, label: String) -> PlanTable {
        let mut lines = vec![
            TableLine {
                row: TableRow::Observed,
                label: Cow::Borrowed("mean persons per day from telecom data"),
                rounded: observed,
                exact: mean[Line::Observed],
            },
            TableLine {
                row: TableRow::Uplift,
                label: Cow::Owned(label),
                rounded: added,
                exact: mean[Line::Uplift],
            },
        ];
        let mut per_day = observed.saturating_add(added);
        for deduction in Deduction::ALL {
            let persons = mean.deduction(deduction);
            let rounded = round(persons);
            per_day = per_day.saturating_sub(rounded);
            lines.push(TableLine {
                row: TableRow::Deduction(deduction),
                label: Cow::Borrowed(deduction.label()),
                rounded: -rounded,
                exact: -persons,
            });
        }
        lines.push(TableLine {
            row: TableRow::GuestNightsPerDay,
            label: Cow::Borrowed("guest-nights, mean per day"),
            rounded: per_day,
            exact: mean[Line::PartTime],
        });
        lines.push(TableLine {
            row: TableRow::GuestNightsPerYear,
            label: Cow::Borrowed("guest-nights per year (mean per day × 365)"),
            rounded: per_day.saturating_mul(PLAN_DAYS_PER_YEAR as i64),
            exact: mean[Line::PartTime] * PLAN_DAYS_PER_YEAR,
        });
        PlanTable { lines }
    }

    /// One row of the table.
    pub fn row(&self, row: TableRow) -> &TableLine {
        // The table always holds all eight rows; `build` makes them in order.
        self.lines
            .iter()
            .find(|l| l.row == row)
            .unwrap_or(&self.lines[0])
    }
}

/// Millionths of a person: a value is taken to this grid before it is rounded to whole
/// persons, so that a half computed as 610.4999999999999 (binary floating point cannot hold
/// most decimal fractions) rounds as the 610.5 it stands for. CSV and JSON carry the same
/// precision.
const GRID: f64 = 1e6;

/// Whole persons from an exact value, halves away from zero: the value is first taken to the
/// nearest millionth of a person, then rounded, so a decimal half stays a half whatever the
/// last bits of its binary form (saturating beyond `i64`).
///
/// The plan's table rounds every line this way; every output that shows whole persons does
/// too. Above 9 × 10⁹ (where a binary float has no room for millionths) the value is rounded
/// as it is.
///
/// # Examples
/// ```
/// use deltid_model::whole_persons;
/// // 900 × ((1 + 0.06) × 0.95 ÷ 0.6 − 1) is 610.5 exactly; in binary it is 610.4999999999999.
/// let added = 900.0 * ((1.0 + 0.06) * (0.95 / 0.6) - 1.0);
/// assert!(added < 610.5);
/// assert_eq!(whole_persons(added), 611);
/// assert_eq!(whole_persons(-2.5), -3);
/// assert_eq!(whole_persons(2_803.44), 2_803);
/// ```
pub fn whole_persons(x: f64) -> i64 {
    let snapped = if x.abs() < 9e9 {
        (x * GRID).round() / GRID
    } else {
        x
    };
    snapped.round() as i64
}

/// Whole persons by the plan's rounding ([`whole_persons`]).
fn round(x: f64) -> i64 {
    whole_persons(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn means(observed: f64, deductions: [f64; 4], uplift: f64) -> DayLines {
        let added = observed * uplift;
        let [r, c, t, d] = deductions;
        DayLines::from_array([
            observed,
            added,
            observed + added,
            r,
            c,
            t,
            d,
            observed + added - deductions.iter().sum::<f64>(),
        ])
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
            let table = PlanTable::new(
                &means(observed, deductions, uplift),
                Uplift::new(uplift).expect("a fraction"),
            );
            let rounded: Vec<i64> = table.lines.iter().map(|l| l.rounded).collect();
            assert_eq!(rounded, expected, "observed {observed}");
        }
    }

    #[test]
    fn a_decimal_half_computed_just_below_rounds_away_from_zero() {
        // Regression: 900 domestic SIMs, uplift 6 %, deduplication 0.95, market share 0.6:
        // present = 900 × 1.06 × 0.95 ÷ 0.6 = 1 510.5 exactly, so the uplift line
        // (present − observed) is 610.5; in binary it is 610.4999999999999 and was shown as
        // 610, and guest-nights per day as 900 + 610 − 0 = 1 510.
        let scaling = Scaling::new(0.95, 0.6, 1.0).expect("valid factors");
        let (per_domestic, _) = scaling.added(0.06);
        let added = 900.0 * per_domestic;
        assert!(added < 610.5, "{added}");
        let mean = DayLines::from_array([
            900.0,
            added,
            900.0 + added,
            0.0,
            0.0,
            0.0,
            0.0,
            900.0 + added,
        ]);
        let table = PlanTable::with_scaling(&mean, Uplift::new(0.06).expect("a fraction"), scaling);
        assert_eq!(table.row(TableRow::Uplift).rounded, 611);
        assert_eq!(table.row(TableRow::GuestNightsPerDay).rounded, 1_511);
        assert_eq!(table.row(TableRow::GuestNightsPerYear).rounded, 1_511 * 365);
        // Halves of either sign, and values a millionth away from a half.
        let cases = [
            (0.5, 1),
            (-0.5, -1),
            (2.5, 3),
            (-2.5, -3),
            (620.5 - 1e-13, 621),
            (-(620.5 - 1e-13), -621),
            (620.499_998, 620),
            (620.500_002, 621),
            (2_803.44, 2_803),
        ];
        for (value, expected) in cases {
            assert_eq!(whole_persons(value), expected, "{value}");
        }
    }

    #[test]
    fn labels_follow_the_plan_and_name_the_uplift() {
        let table = PlanTable::new(
            &means(46_724.0, [20_000.0, 1_000.0, 1_000.0, 1_000.0], 0.06),
            Uplift::new(0.06).expect("a fraction"),
        );
        assert_eq!(
            table.row(TableRow::Uplift).label,
            "plus 6 % for people without a phone and SIM deviations"
        );
        assert_eq!(
            table.row(TableRow::GuestNightsPerYear).label,
            "guest-nights per year (mean per day × 365)"
        );
    }
}
