//! The seasonal model that fills the days without a count (the method is on
//! [`SeasonalModel`]).

use chrono::{Datelike, NaiveDate};
use deltid_model::{Label, SchoolHolidays};
use serde::Serialize;

/// The most harmonics of the annual curve the model may use: periods down to 365 / 8 ≈ 46
/// days, enough for a peak a few weeks wide.
pub const MAX_HARMONICS: u32 = 8;

/// A fitted seasonal model of a daily series: a smooth annual curve, weekday effects and
/// calendar-label effects, fitted by least squares.
///
/// This is dynamic harmonic regression (R. J. Hyndman & G. Athanasopoulos, *Forecasting:
/// Principles and Practice*, 3rd ed., §10.5 on harmonic regression with Fourier terms, and
/// §7.4 on seasonal dummy variables): a day's value is
///
/// ```text
/// value(d) = a + Σₖ₌₁..K [ sₖ sin(2πk t/365.25) + cₖ cos(2πk t/365.25) ]   t = day of year
///              + weekday(d)                    Monday the base, six effects
///              + label(d)                      one effect per holiday label with counted days
///              + residual
/// ```
///
/// The Fourier terms give one smooth curve through the year, so a missing month is filled
/// between the levels on either side *and* along the curvature the rest of the year shows,
/// not at the average of a calendar cell (a summer holiday from 20 June to 16 August filled at
/// June's and August's level). Labels are the Norwegian calendar's
/// ([`deltid_model::calendar`]): Easter, the winter, autumn, Christmas and summer school
/// holidays, public holidays; a label without counted days gets no effect of its own.
///
/// The number of harmonics K (0 to [`MAX_HARMONICS`], and fewer than the calendar months
/// counted) is chosen by leave-one-month-out cross-validation: each counted month in turn is
/// left out, the model refitted on the rest and its days predicted; the K with the least sum
/// of squared errors wins. This scores exactly the task of filling a missing month. The fit
/// solves the normal equations by Cholesky factorisation; a term the counted days cannot
/// separate from the others (a label seen only where another term explains it) is left out.
#[derive(Clone, Debug)]
pub struct SeasonalModel {
    calendar: SchoolHolidays,
    /// The holiday labels with an effect of their own, in label order.
    labels: Vec<Label>,
    /// Harmonics of the annual curve.
    harmonics: u32,
    /// The least-squares solution over the counted days.
    fit: LeastSquares,
    /// The mean squared error of the leave-one-month-out predictions with the harmonics
    /// chosen (persons²); `None` with fewer than two months counted.
    cross_validated: Option<f64>,
}

/// The model's terms, for outputs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelTerms {
    /// Harmonics of the annual curve chosen by cross-validation.
    pub harmonics: u32,
    /// Holiday labels with an effect of their own.
    pub labels: Vec<Label>,
    /// Counted days the model was fitted on.
    pub days: usize,
}

impl SeasonalModel {
    /// Fits the model to a daily series (date, value), choosing the harmonics by
    /// leave-one-month-out cross-validation. An empty series gives a model of 0.
    ///
    /// # Examples
    /// ```
    /// use chrono::{Datelike, NaiveDate};
    /// use deltid::SchoolHolidays;
    /// use deltid::analysis::SeasonalModel;
    /// // A year with a smooth summer peak, no noise, July left out: the model, fitted on
    /// // the other months, fills mid-July within 1 % of the curve.
    /// let curve = |d: NaiveDate| {
    ///     let t = d.ordinal0() as f64 / 365.25 * std::f64::consts::TAU;
    ///     1_000.0 - 400.0 * (t - 3.6).cos() + 100.0 * (2.0 * t).sin()
    /// };
    /// let start = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
    /// let series: Vec<(NaiveDate, f64)> = start
    ///     .iter_days()
    ///     .take(365)
    ///     .filter(|d| d.month() != 7)
    ///     .map(|d| (d, curve(d)))
    ///     .collect();
    /// let model = SeasonalModel::fit(&series, &SchoolHolidays::default());
    /// let july = NaiveDate::from_ymd_opt(2021, 7, 15).unwrap();
    /// assert!((model.expected(july) / curve(july) - 1.0).abs() < 0.01);
    /// assert!(model.terms().harmonics >= 2);
    /// ```
    pub fn fit(series: &[(NaiveDate, f64)], calendar: &SchoolHolidays) -> SeasonalModel {
        let mut labels: Vec<Label> = series
            .iter()
            .map(|(d, _)| calendar.label(*d))
            .filter(|l| is_special(*l))
            .collect();
        labels.sort_unstable();
        labels.dedup();
        let mut months: Vec<u32> = series.iter().map(|(d, _)| d.month()).collect();
        months.sort_unstable();
        months.dedup();
        let most = MAX_HARMONICS.min(months.len().saturating_sub(1) as u32);
        let mut model = SeasonalModel {
            calendar: calendar.clone(),
            labels,
            harmonics: most,
            fit: LeastSquares::default(),
            cross_validated: None,
        };
        let rows: Vec<Vec<f64>> = series.iter().map(|(d, _)| model.row(*d)).collect();
        let values: Vec<f64> = series.iter().map(|(_, v)| *v).collect();
        let whole = Gram::of(rows.iter().zip(&values));
        (model.harmonics, model.cross_validated) =
            model.choose_harmonics(series, &rows, &values, &whole, most);
        let columns = model.columns(model.harmonics);
        model.fit = LeastSquares::solve(&whole, &columns);
        model
    }

    /// The harmonics with the least leave-one-month-out squared error, and that error's mean
    /// per day (`None` with fewer than two months counted).
    fn choose_harmonics(
        &self,
        series: &[(NaiveDate, f64)],
        rows: &[Vec<f64>],
        values: &[f64],
        whole: &Gram,
        most: u32,
    ) -> (u32, Option<f64>) {
        // Folds: the counted days of each calendar month of each year.
        let mut folds: Vec<((i32, u32), Vec<usize>)> = Vec::new();
        for (i, (date, _)) in series.iter().enumerate() {
            let key = (date.year(), date.month());
            match folds.last_mut() {
                Some((k, days)) if *k == key => days.push(i),
                _ => folds.push((key, vec![i])),
            }
        }
        let folds: Vec<(Vec<usize>, Gram)> = folds
            .into_iter()
            .map(|(_, days)| {
                let gram = Gram::of(days.iter().map(|&i| (&rows[i], &values[i])));
                (days, gram)
            })
            .collect();
        if folds.len() < 2 {
            return (0, None);
        }
        let mut best = (f64::INFINITY, 0);
        for harmonics in 0..=most {
            let columns = self.columns(harmonics);
            let mut squared = 0.0;
            for (days, gram) in &folds {
                let fit = LeastSquares::solve(&whole.without(gram), &columns);
                for &i in days {
                    squared += (values[i] - fit.predict(&rows[i])).powi(2);
                }
            }
            // Ties (to a part in 10⁹) go to the fewer harmonics.
            if squared < best.0 * (1.0 - 1e-9) {
                best = (squared, harmonics);
            }
        }
        (best.1, Some(best.0 / series.len() as f64))
    }

    /// The mean squared error per day of the model's leave-one-month-out predictions
    /// (persons²): how well it fills a month it has not seen. `None` with fewer than two
    /// months counted.
    pub fn cross_validated_error(&self) -> Option<f64> {
        self.cross_validated
    }

    /// The terms of the fitted model.
    pub fn terms(&self) -> ModelTerms {
        ModelTerms {
            harmonics: self.harmonics,
            labels: self.labels.clone(),
            days: self.fit.days,
        }
    }

    /// Terms the least squares kept (those the counted days could separate).
    pub(crate) fn terms_fitted(&self) -> usize {
        self.fit.rank()
    }

    /// The model's value on a date, in the series' units (persons).
    pub fn expected(&self, date: NaiveDate) -> f64 {
        self.fit.predict(&self.row(date))
    }

    /// The design row of a date with every harmonic up to [`MAX_HARMONICS`] (the model uses
    /// the first `harmonics`): intercept, six weekday effects, one per label, then the
    /// sine and cosine of each harmonic.
    pub(crate) fn row(&self, date: NaiveDate) -> Vec<f64> {
        let mut row = Vec::with_capacity(self.width());
        row.push(1.0);
        let weekday = date.weekday().num_days_from_monday();
        row.extend((1..7).map(|w| f64::from(u8::from(weekday == w))));
        let label = self.calendar.label(date);
        row.extend(self.labels.iter().map(|l| f64::from(u8::from(*l == label))));
        let angle = std::f64::consts::TAU * f64::from(date.ordinal0()) / DAYS_PER_YEAR;
        for k in 1..=MAX_HARMONICS {
            let (sin, cos) = (f64::from(k) * angle).sin_cos();
            row.push(sin);
            row.push(cos);
        }
        row
    }

    /// The length of a design row.
    fn width(&self) -> usize {
        7 + self.labels.len() + 2 * MAX_HARMONICS as usize
    }

    /// The columns of the model with `harmonics` harmonics, as positions in a row.
    fn columns(&self, harmonics: u32) -> Vec<usize> {
        (0..7 + self.labels.len() + 2 * harmonics as usize).collect()
    }

    /// The weights that give `Σ wⱼ × (the model's value on day j)` as a linear function of
    /// the counted values: `aᵢ = xᵢ' (X'X)⁻¹ Σ wⱼ xⱼ`, one per counted day `xᵢ` of `counted`
    /// (the dates the model was fitted on, in the same order), for the days and weights in
    /// `filled`.
    pub(crate) fn weights(
        &self,
        counted: &[NaiveDate],
        filled: impl Iterator<Item = (NaiveDate, f64)>,
    ) -> Vec<f64> {
        let mut total = vec![0.0; self.width()];
        for (date, weight) in filled {
            for (t, x) in total.iter_mut().zip(self.row(date)) {
                *t += weight * x;
            }
        }
        let solved = self.fit.solve_for(&total);
        counted
            .iter()
            .map(|d| self.row(*d).iter().zip(&solved).map(|(x, u)| x * u).sum())
            .collect()
    }
}

/// Days in a year on average, the period of the annual curve.
const DAYS_PER_YEAR: f64 = 365.25;

/// Whether a label is a day of its own kind (a holiday) rather than an ordinary day.
fn is_special(label: Label) -> bool {
    !matches!(label, Label::Weekend | Label::Weekday)
}

/// X'X and X'y of some rows.
#[derive(Clone, Debug, Default)]
pub(crate) struct Gram {
    xx: Vec<Vec<f64>>,
    xy: Vec<f64>,
    days: usize,
}

impl Gram {
    /// The sums over rows and their values.
    pub(crate) fn of<'a>(rows: impl Iterator<Item = (&'a Vec<f64>, &'a f64)>) -> Gram {
        let mut gram = Gram::default();
        for (row, y) in rows {
            if gram.xy.is_empty() {
                gram.xx = vec![vec![0.0; row.len()]; row.len()];
                gram.xy = vec![0.0; row.len()];
            }
            gram.days += 1;
            for (j, &xj) in row.iter().enumerate() {
                if xj == 0.0 {
                    continue;
                }
                gram.xy[j] += xj * y;
                for (cell, &xk) in gram.xx[j].iter_mut().zip(row) {
                    *cell += xj * xk;
                }
            }
        }
        gram
    }

    /// These sums less another's (the rows of a fold taken out).
    fn without(&self, other: &Gram) -> Gram {
        if other.xy.is_empty() {
            return self.clone();
        }
        Gram {
            xx: self
                .xx
                .iter()
                .zip(&other.xx)
                .map(|(a, b)| a.iter().zip(b).map(|(x, y)| x - y).collect())
                .collect(),
            xy: self.xy.iter().zip(&other.xy).map(|(a, b)| a - b).collect(),
            days: self.days - other.days,
        }
    }
}

/// A least-squares solution of the normal equations over some columns, by Cholesky
/// factorisation; a column whose pivot falls below a billionth of its own sum of squares
/// (not separable from the columns before it) is left out with a coefficient of 0.
#[derive(Clone, Debug, Default)]
pub(crate) struct LeastSquares {
    /// Coefficients by row position (0 for columns not used).
    coefficients: Vec<f64>,
    /// Row positions of the columns kept, in order.
    kept: Vec<usize>,
    /// The Cholesky factor L of X'X over the kept columns, rows of the lower triangle.
    factor: Vec<Vec<f64>>,
    /// The row width.
    width: usize,
    /// Rows fitted.
    days: usize,
}

impl LeastSquares {
    /// Solves X'X β = X'y over `columns` (positions in a row).
    pub(crate) fn solve(gram: &Gram, columns: &[usize]) -> LeastSquares {
        let width = gram.xy.len();
        let mut fit = LeastSquares {
            coefficients: vec![0.0; width],
            kept: Vec::new(),
            factor: Vec::new(),
            width,
            days: gram.days,
        };
        for &j in columns.iter().filter(|&&j| j < width) {
            let diagonal = gram.xx[j][j];
            if diagonal <= 0.0 {
                continue;
            }
            let mut row = Vec::with_capacity(fit.kept.len() + 1);
            for (a, &ka) in fit.kept.iter().enumerate() {
                let mut s = gram.xx[j][ka];
                for (b, value) in row.iter().enumerate() {
                    s -= value * fit.factor[a][b];
                }
                row.push(s / fit.factor[a][a]);
            }
            let pivot = diagonal - row.iter().map(|v| v * v).sum::<f64>();
            if pivot <= 1e-9 * diagonal {
                continue;
            }
            row.push(pivot.sqrt());
            fit.factor.push(row);
            fit.kept.push(j);
        }
        fit.coefficients = fit.solve_for(&gram.xy);
        fit
    }

    /// (X'X)⁻¹ v over the kept columns, by row position (0 elsewhere).
    fn solve_for(&self, v: &[f64]) -> Vec<f64> {
        let m = self.kept.len();
        let l = &self.factor;
        let mut z = vec![0.0; m];
        for i in 0..m {
            let mut s = v[self.kept[i]];
            for k in 0..i {
                s -= l[i][k] * z[k];
            }
            z[i] = s / l[i][i];
        }
        let mut w = vec![0.0; m];
        for i in (0..m).rev() {
            let mut s = z[i];
            for k in i + 1..m {
                s -= l[k][i] * w[k];
            }
            w[i] = s / l[i][i];
        }
        let mut out = vec![0.0; self.width];
        for (i, &k) in self.kept.iter().enumerate() {
            out[k] = w[i];
        }
        out
    }

    /// The fitted value of a row.
    pub(crate) fn predict(&self, row: &[f64]) -> f64 {
        row.iter().zip(&self.coefficients).map(|(x, b)| x * b).sum()
    }

    /// Columns kept.
    pub(crate) fn rank(&self) -> usize {
        self.kept.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOLERANCE: f64 = 1e-9;

    #[test]
    fn least_squares_solves_a_line_and_drops_a_repeated_column() {
        // y = 1 + 2x at x = 0, 1, 2, 3; the third column repeats the second.
        let rows: Vec<Vec<f64>> = (0..4).map(|x| vec![1.0, x as f64, x as f64]).collect();
        let y: Vec<f64> = (0..4).map(|x| 1.0 + 2.0 * x as f64).collect();
        let fit = LeastSquares::solve(&Gram::of(rows.iter().zip(&y)), &[0, 1, 2]);
        assert_eq!(fit.rank(), 2);
        assert!((fit.predict(&[1.0, 10.0, 10.0]) - 21.0).abs() < TOLERANCE);
    }

    #[test]
    fn weights_reproduce_the_fill_as_a_sum_over_counted_days() {
        // Any series: the model's values on the missing days, weighted, equal Σ aᵢ yᵢ.
        let calendar = SchoolHolidays::default();
        let start = NaiveDate::from_ymd_opt(2021, 1, 1).expect("a date");
        let series: Vec<(NaiveDate, f64)> = start
            .iter_days()
            .take(365)
            .filter(|d| d.month() != 7 && d.day() % 5 != 0)
            .map(|d| (d, 100.0 + f64::from(d.ordinal() % 17) * 3.0))
            .collect();
        let model = SeasonalModel::fit(&series, &calendar);
        let missing: Vec<NaiveDate> = start
            .iter_days()
            .take(365)
            .filter(|d| d.month() == 7 || d.day() % 5 == 0)
            .collect();
        let direct: f64 = missing.iter().map(|d| 2.0 * model.expected(*d)).sum();
        let dates: Vec<NaiveDate> = series.iter().map(|(d, _)| *d).collect();
        let weights = model.weights(&dates, missing.iter().map(|d| (*d, 2.0)));
        let linear: f64 = weights.iter().zip(&series).map(|(a, (_, y))| a * y).sum();
        assert!(
            (direct - linear).abs() < 1e-6 * direct.abs(),
            "{direct} {linear}"
        );
    }
}
