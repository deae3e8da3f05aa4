//! Small statistics used across deltid: compensated sums and percentiles by a named method.

use serde::Serialize;

/// How a percentile is taken from sorted values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PercentileMethod {
    /// Linear interpolation between order statistics: for p in 0..1 over n sorted values,
    /// h = (n − 1)·p and the result is x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). This is
    /// Excel's PERCENTILE.INC (PERSENTIL.INK), numpy's default, R's default and Hyndman &
    /// Fan's type 7.
    #[default]
    Linear,
    /// Nearest rank: the value at rank ⌈p·n⌉ (at least 1) of the sorted values, always an
    /// observed value (Hyndman & Fan's type 1).
    NearestRank,
}

impl PercentileMethod {
    /// The method in words, for outputs.
    pub fn describe(self) -> &'static str {
        match self {
            PercentileMethod::Linear => {
                "linear interpolation between order statistics (Excel PERCENTILE.INC / PERSENTIL.INK, numpy default)"
            }
            PercentileMethod::NearestRank => "nearest rank (always an observed day)",
        }
    }
}

/// The `p`-th quantile (p a fraction 0..1) of values sorted ascending; `None` if there are
/// none or `p` is outside 0..1.
///
/// # Examples
/// ```
/// use deltid_model::{quantile, PercentileMethod};
/// let days: Vec<f64> = (1..=10).map(f64::from).collect();
/// // h = 9 × 0.9 = 8.1: 9 + 0.1 × (10 − 9) = 9.1
/// assert_eq!(quantile(&days, 0.9, PercentileMethod::Linear), Some(9.1));
/// // rank ⌈0.9 × 10⌉ = 9: the 9th value
/// assert_eq!(quantile(&days, 0.9, PercentileMethod::NearestRank), Some(9.0));
/// ```
pub fn quantile(sorted: &[f64], p: f64, method: PercentileMethod) -> Option<f64> {
    let (lower, upper, weight) = ranks(sorted.len(), p, method)?;
    Some(interpolate(sorted[lower], sorted[upper], weight))
}

/// The `p`-th quantile of values in any order, as [`quantile`] takes it from the same values
/// sorted; the values are reordered (only the order statistics needed are found, in linear
/// time).
///
/// # Examples
/// ```
/// use deltid_model::{quantile, quantile_of, PercentileMethod};
/// let mut days = vec![7.0, 1.0, 10.0, 3.0, 9.0, 2.0, 8.0, 4.0, 6.0, 5.0];
/// assert_eq!(quantile_of(&mut days, 0.9, PercentileMethod::Linear), Some(9.1));
/// ```
pub fn quantile_of(values: &mut [f64], p: f64, method: PercentileMethod) -> Option<f64> {
    let (lower, upper, weight) = ranks(values.len(), p, method)?;
    let (_, &mut low, above) = values.select_nth_unstable_by(lower, f64::total_cmp);
    let high = if upper == lower {
        low
    } else {
        // The next order statistic is the least of those above.
        above.iter().copied().min_by(f64::total_cmp).unwrap_or(low)
    };
    Some(interpolate(low, high, weight))
}

/// The positions (0-based, in ascending order) of the order statistics a quantile is taken
/// from, and the weight of the upper one.
fn ranks(n: usize, p: f64, method: PercentileMethod) -> Option<(usize, usize, f64)> {
    if n == 0 || !(0.0..=1.0).contains(&p) {
        return None;
    }
    Some(match method {
        PercentileMethod::Linear => {
            let h = (n - 1) as f64 * p;
            let lower = h.floor() as usize;
            (lower, (lower + 1).min(n - 1), h - lower as f64)
        }
        PercentileMethod::NearestRank => {
            let rank = ((p * n as f64).ceil() as usize).clamp(1, n);
            (rank - 1, rank - 1, 0.0)
        }
    })
}

/// `low + weight × (high − low)`; exactly `low` when the weight is 0.
fn interpolate(low: f64, high: f64, weight: f64) -> f64 {
    if weight == 0.0 {
        low
    } else {
        low + weight * (high - low)
    }
}

/// A sum of floating-point numbers with Neumaier's compensation: as exact as one rounding of
/// the true sum for the sums of persons here, whatever the order the values come in.
///
/// # Examples
/// ```
/// use deltid_model::Sum;
/// let mut sum = Sum::default();
/// for value in [1e16, 1.0, -1e16] {
///     sum.add(value);
/// }
/// assert_eq!(sum.value(), 1.0);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Sum {
    sum: f64,
    compensation: f64,
}

impl Sum {
    /// A sum of one value.
    pub fn of(value: f64) -> Sum {
        Sum {
            sum: value,
            compensation: 0.0,
        }
    }

    /// Adds a value.
    #[inline]
    pub fn add(&mut self, value: f64) {
        let t = self.sum + value;
        // The larger of the two loses the low bits; written without a branch.
        let (big, small) = if self.sum.abs() >= value.abs() {
            (self.sum, value)
        } else {
            (value, self.sum)
        };
        self.compensation += (big - t) + small;
        self.sum = t;
    }

    /// Adds another sum.
    pub fn merge(&mut self, other: &Sum) {
        self.add(other.sum);
        self.compensation += other.compensation;
    }

    /// The sum.
    pub fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_hand() {
        let sorted = [1.0, 2.0, 3.0, 4.0, 5.0];
        // (p, linear, nearest rank): h = 4p; rank ⌈5p⌉.
        let cases = [
            (0.0, 1.0, 1.0),
            (0.05, 1.2, 1.0),
            (0.5, 3.0, 3.0),
            (0.9, 4.6, 5.0),
            (1.0, 5.0, 5.0),
        ];
        for (p, linear, nearest) in cases {
            let got = quantile(&sorted, p, PercentileMethod::Linear).unwrap();
            assert!((got - linear).abs() < 1e-12, "{p}: {got}");
            assert_eq!(
                quantile(&sorted, p, PercentileMethod::NearestRank),
                Some(nearest)
            );
        }
        assert_eq!(quantile(&[], 0.5, PercentileMethod::Linear), None);
        assert_eq!(quantile(&sorted, 1.5, PercentileMethod::Linear), None);
    }

    #[test]
    fn quantile_of_unsorted_values_is_the_quantile_of_the_sorted() {
        // Values with ties and negatives, in a scrambled order (a fixed linear congruence).
        let mut state = 12_345u64;
        for n in 1..60 {
            let values: Vec<f64> = (0..n)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1);
                    ((state >> 33) % 41) as f64 - 20.0
                })
                .collect();
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            for p in [0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0] {
                for method in [PercentileMethod::Linear, PercentileMethod::NearestRank] {
                    let mut scrambled = values.clone();
                    assert_eq!(
                        quantile_of(&mut scrambled, p, method),
                        quantile(&sorted, p, method),
                        "n {n}, p {p}, {method:?}"
                    );
                }
            }
        }
        assert_eq!(quantile_of(&mut [], 0.5, PercentileMethod::Linear), None);
    }
}
