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
    let (low, high) = order_statistics(values, lower, upper, f64::total_cmp);
    Some(interpolate(low, high, weight))
}

/// The order statistics `lower` and `upper` (0-based ranks, `upper` the same or the next) of
/// values in any order by `compare`, which are reordered; `lower` must be a rank of the values.
fn order_statistics<T: Copy>(
    values: &mut [T],
    lower: usize,
    upper: usize,
    compare: impl Fn(&T, &T) -> std::cmp::Ordering + Copy,
) -> (T, T) {
    let (_, &mut low, above) = values.select_nth_unstable_by(lower, compare);
    let high = if upper == lower {
        low
    } else {
        // The next order statistic is the least of those above.
        above.iter().copied().min_by(compare).unwrap_or(low)
    };
    (low, high)
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

/// The largest values of a stream, enough of them for a high quantile of the whole stream: the
/// quantile of many values (an area's days) without holding them all. Values at or below the
/// smallest of those kept are passed over with one comparison, so a stream costs about a
/// comparison a value.
///
/// [`Largest::quantile`] is the quantile [`quantile_of`] takes from every value of the stream,
/// to the bit: the same order statistics, found among those kept, and the same interpolation.
#[derive(Clone, Debug)]
pub(crate) struct Largest {
    /// How many of the largest are kept at least.
    keep: usize,
    /// The values kept, as their [`order_key`]s: at most twice `keep`, in no order.
    values: Vec<i64>,
    /// Once values were dropped: the key of the smallest kept then; a value not above it cannot
    /// be among the largest `keep` (ties included: one more equal value changes none of them).
    floor: Option<i64>,
    /// Values seen.
    seen: usize,
}

impl Largest {
    /// Keeps enough of the largest of up to `most` values for their `p`-th quantile (p a
    /// fraction 0..1) by either method: ranks from ⌊p·(n − 1)⌋ up, at most n·(1 − p) + 2
    /// from the top.
    pub(crate) fn for_quantile(most: usize, p: f64) -> Largest {
        let keep = (most as f64 * (1.0 - p)).ceil() as usize + 2;
        Largest {
            keep,
            values: Vec::with_capacity(2 * keep),
            floor: None,
            seen: 0,
        }
    }

    /// Forgets every value (the memory is kept).
    pub(crate) fn clear(&mut self) {
        self.values.clear();
        self.floor = None;
        self.seen = 0;
    }

    /// Adds a value.
    #[inline(always)]
    pub(crate) fn push(&mut self, value: f64) {
        self.seen += 1;
        let key = order_key(value);
        if self.floor.is_none_or(|floor| key > floor) {
            self.values.push(key);
            if self.values.len() >= 2 * self.keep {
                self.drop_smallest();
            }
        }
    }

    /// Keeps the largest `keep` values only.
    fn drop_smallest(&mut self) {
        let cut = self.values.len() - self.keep;
        let (_, &mut floor, _) = self.values.select_nth_unstable(cut);
        self.values.drain(..cut);
        self.floor = Some(floor);
    }

    /// The largest value; `None` if none was added.
    pub(crate) fn max(&self) -> Option<f64> {
        self.values.iter().copied().max().map(value_of)
    }

    /// The `p`-th quantile of every value added, as [`quantile_of`] gives it; `None` if none
    /// was added, `p` is outside 0..1, or the values it needs were not kept (possible only
    /// when more were added than it was made for). The values kept are reordered.
    pub(crate) fn quantile(&mut self, p: f64, method: PercentileMethod) -> Option<f64> {
        let (lower, upper, weight) = ranks(self.seen, p, method)?;
        // Every value passed over or dropped is at or below every value kept: a rank among
        // all is that rank less those among the kept.
        let passed = self.seen - self.values.len();
        let (lower, upper) = (lower.checked_sub(passed)?, upper - passed);
        if lower >= self.values.len() {
            return None;
        }
        let (low, high) = order_statistics(&mut self.values, lower, upper, i64::cmp);
        Some(interpolate(value_of(low), value_of(high), weight))
    }
}

/// A value's place in the total order of `f64` ([`f64::total_cmp`]) as an integer, so that
/// selections among many values compare integers ([`value_of`] turns it back).
#[inline(always)]
fn order_key(value: f64) -> i64 {
    flip_negative(value.to_bits() as i64)
}

/// The value of an [`order_key`].
#[inline]
fn value_of(key: i64) -> f64 {
    f64::from_bits(flip_negative(key) as u64)
}

/// The bits of a negative number (sign bit set) but the sign flipped, as `f64::total_cmp`
/// orders them; its own inverse.
#[inline(always)]
fn flip_negative(bits: i64) -> i64 {
    bits ^ ((((bits >> 63) as u64) >> 1) as i64)
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

    #[test]
    fn order_keys_order_values_as_total_cmp_and_give_them_back() {
        let values = [
            f64::NEG_INFINITY,
            -1e300,
            -1.0,
            -5e-324,
            -0.0,
            0.0,
            5e-324,
            1.0,
            1e300,
            f64::INFINITY,
        ];
        for pair in values.windows(2) {
            assert!(order_key(pair[0]) < order_key(pair[1]), "{pair:?}");
        }
        for value in values {
            assert_eq!(value_of(order_key(value)).to_bits(), value.to_bits());
        }
    }

    #[test]
    fn the_largest_of_a_stream_give_its_quantile_to_the_bit() {
        // Streams rising, falling, constant and scrambled with ties, of 1 to 1 200 values;
        // each quantile from the values kept must be the one taken from every value.
        let mut state = 2_021u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            state >> 33
        };
        for n in (1..40).chain([199, 200, 201, 999, 1_000, 1_200]) {
            let scrambled: Vec<f64> = (0..n).map(|_| (next() % 97) as f64 * 0.37 - 9.0).collect();
            let rising: Vec<f64> = (0..n).map(|i| i as f64 * 1.5).collect();
            let falling: Vec<f64> = rising.iter().rev().copied().collect();
            for values in [scrambled, rising, falling, vec![4.25; n]] {
                for p in [0.0, 0.5, 0.9, 0.95, 0.99, 1.0] {
                    for method in [PercentileMethod::Linear, PercentileMethod::NearestRank] {
                        // Made for as many values as the stream has, or more.
                        for most in [n, n + 17] {
                            let mut largest = Largest::for_quantile(most, p);
                            values.iter().for_each(|&v| largest.push(v));
                            let mut all = values.clone();
                            assert_eq!(
                                largest.quantile(p, method),
                                quantile_of(&mut all, p, method),
                                "n {n}, p {p}, {method:?}, made for {most}"
                            );
                            assert_eq!(largest.max(), all.iter().copied().max_by(f64::total_cmp));
                        }
                    }
                }
            }
        }
        // Made for fewer values than came, a quantile it may not hold is none, not a wrong one.
        let mut largest = Largest::for_quantile(10, 0.5);
        (0..100).for_each(|i| largest.push(f64::from(i)));
        assert_eq!(largest.quantile(0.5, PercentileMethod::Linear), None);
        // Cleared, it starts again.
        largest.clear();
        [3.0, 1.0, 2.0].into_iter().for_each(|v| largest.push(v));
        assert_eq!(largest.quantile(0.5, PercentileMethod::Linear), Some(2.0));
        assert_eq!(largest.max(), Some(3.0));
    }
}
