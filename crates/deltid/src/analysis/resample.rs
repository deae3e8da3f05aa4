//! Day-to-day dependence of a daily series, and the moving-block bootstrap calibrated to it
//! (the method is on [`Dependence`]).

use chrono::{Datelike, NaiveDate};
use deltid_model::{Error, PercentileMethod, Result, quantile};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// The lower percentile of every 90 % interval, as a probability.
pub const LOW: f64 = 0.05;
/// The upper percentile of every 90 % interval, as a probability.
pub const HIGH: f64 = 0.95;
/// The fewest draws or resamples accepted: fewer give no usable 5th and 95th percentiles.
pub const MIN_DRAWS: u32 = 100;
/// The most draws accepted: each draw keeps a figure per parameter, and a million draws
/// already give percentiles to far more digits than the inputs have.
pub const MAX_DRAWS: u32 = 1_000_000;

/// The fewest days a sampling interval is given for: about half a year. With fewer, strong
/// day-to-day dependence cannot be told from the data. From 180 days on the interval held
/// the true mean of AR(1) series in 87.6 % (φ = 0.9, 2.6 % refused for too long a block) to
/// 90.3 % (φ = 0.7) of 2 000 series (`benches/studies.rs`, docs/statistics.md).
pub const MIN_SAMPLING_DAYS: usize = 180;

/// The fewest blocks of the estimated length a series must hold for a sampling interval: the
/// variance correction needs blocks of twice that length, and its degrees of freedom
/// (3n / 8b) are then at least 3.
pub const MIN_BLOCKS: usize = 8;

/// Day-to-day dependence of a series, estimated from the data, and the variance of its mean
/// corrected for the block bootstrap's bias.
///
/// Days next to each other are alike (weather, school holidays, a busy week), so the mean of
/// n days is less certain than `sd / √n` says. The moving-block bootstrap (H. R. Künsch, "The
/// jackknife and the bootstrap for general stationary observations", *Annals of Statistics*
/// 17(3), 1989) resamples blocks of consecutive days and keeps the dependence within a block.
/// Three things make its interval hold up:
///
/// 1. **The block length is estimated from the data**: Politis & White, "Automatic
///    block-length selection for the dependent bootstrap", *Econometric Reviews* 23(1), 2004,
///    with the correction of Patton, Politis & White, *Econometric Reviews* 28(4), 2009:
///    autocovariances up to a bandwidth M found by the "implied hypothesis test" of the
///    correlogram, weighted by the flat-top (trapezoid) lag window, give
///    `G = Σ |k| λ(k/M) γ(k)` and `g = Σ λ(k/M) γ(k)`, and the block
///    `b = (2 G² / D)^(1/3) n^(1/3)` with `D = 4/3 g²` (moving or circular blocks), at most
///    `min(3√n, n/3)` days.
/// 2. **The variance is corrected for the block bootstrap's known downward bias.** A block of
///    b days misses the covariance between blocks (a bias of −G/b, Künsch 1989) and centring
///    on the series' own mean takes away b/n more. The variance of the mean is taken as
///    `(2·n·v(2b) − n·v(b)) / (1 − 3b/n) / n`, where v(b) is the exact (ideal) bootstrap
///    variance of the mean with blocks of b: the extrapolation of the block variance in 1/b
///    cancels the −G/b term. Written out it is the flat-top lag-window estimate of the
///    long-run variance with bandwidth 2b (Politis & Romano, "Bias-corrected nonparametric
///    spectral estimation", *Journal of Time Series Analysis* 16(1), 1995). It is never
///    taken below the plain estimate with blocks of 2b.
/// 3. **Few effective observations widen the interval**: the quantile is Student's t with the
///    equivalent degrees of freedom of that lag-window estimate at frequency zero,
///    `n / (M ∫λ²) = 3n / (8b)` for the trapezoid window with M = 2b (M. B. Priestley,
///    *Spectral Analysis and Time Series*, 1981, on the equivalent degrees of freedom of
///    lag-window estimates; at frequency zero they are half those elsewhere), instead of the
///    normal's.
///
/// The resampled means, minus their average, are scaled by
/// `√(corrected variance / v(b)) × t₀.₉₅(df) / z₀.₉₅`: the interval is their 5th to 95th
/// percentile added to the series' mean, so it keeps the bootstrap's shape with the calibrated
/// width. Measured coverage (`benches/studies.rs`, 2 000 series a setting, quoted in the
/// README and docs/statistics.md): 88.6-90.8 % for AR(1) series of 365 days with φ from 0 to
/// 0.9, with normal or skewed innovations or a weekly pattern; 87.6-91.2 % from 180 to 730
/// days. The fixed ⌈n^(1/3)⌉-day blocks it replaced held 80-82 % at φ = 0.7 and 62-65 % at
/// φ = 0.9 on the same series.
///
/// No interval is given for fewer than [`MIN_SAMPLING_DAYS`] days, or when the estimated
/// block is longer than the days ÷ [`MIN_BLOCKS`]: the dependence cannot then be estimated
/// well enough for the interval to hold.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Dependence {
    /// Days in the series.
    pub days: usize,
    /// Block length for the moving-block bootstrap, days (Politis & White 2004, corrected by
    /// Patton, Politis & White 2009).
    pub block: usize,
    /// Bandwidth M of the flat-top lag window, days: the lags after which the correlogram
    /// looks negligible, doubled.
    pub bandwidth: usize,
    /// Variance of the series' mean, in the series' units squared (persons²), corrected for
    /// the block bootstrap's bias.
    pub mean_variance: f64,
    /// Equivalent degrees of freedom of that variance, `3n / (8 × block)`.
    pub degrees_of_freedom: f64,
}

impl Dependence {
    /// Estimates the dependence of a series (in date order, one value a day, no gaps that
    /// matter).
    ///
    /// # Errors
    /// [`Error::TooFewDays`] with fewer than [`MIN_SAMPLING_DAYS`] values, or a block longer
    /// than the values ÷ [`MIN_BLOCKS`]; [`Error::InvalidOption`] if a value is not finite.
    ///
    /// # Examples
    /// ```
    /// use deltid::analysis::Dependence;
    /// // Independent days (a fixed pseudo-random sequence, variance 1/12): blocks of a day or
    /// // two, and the variance of the mean about (1/12) / 365.
    /// let mut state = 7u64;
    /// let series: Vec<f64> = (0..365)
    ///     .map(|_| {
    ///         state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
    ///         (state >> 11) as f64 / (1u64 << 53) as f64
    ///     })
    ///     .collect();
    /// let dependence = Dependence::new(&series)?;
    /// assert!(dependence.block <= 2);
    /// let iid = 1.0 / 12.0 / 365.0;
    /// assert!((dependence.mean_variance / iid - 1.0).abs() < 0.3);
    /// // Three months are too few to tell how strongly days depend on each other.
    /// assert!(Dependence::new(&series[..90]).is_err());
    /// # Ok::<(), deltid::Error>(())
    /// ```
    pub fn new(series: &[f64]) -> Result<Dependence> {
        let n = series.len();
        if series.iter().any(|v| !v.is_finite()) {
            return Err(Error::InvalidOption {
                option: "sampling".to_owned(),
                reason: "a day's value is not a finite number".to_owned(),
            });
        }
        if n < MIN_SAMPLING_DAYS {
            return Err(Error::TooFewDays {
                days: n,
                reason: format!(
                    "a sampling interval needs at least {MIN_SAMPLING_DAYS} days (fewer cannot show how strongly the days depend on each other)"
                ),
            });
        }
        let (block, bandwidth) = politis_white(series);
        if block * MIN_BLOCKS > n {
            return Err(Error::TooFewDays {
                days: n,
                reason: format!(
                    "the days depend on each other over about {block} days (a block-length estimate), so at least {} days ({MIN_BLOCKS} blocks) are needed",
                    block * MIN_BLOCKS
                ),
            });
        }
        let nf = n as f64;
        let bf = block as f64;
        let single = block_variance(series, block);
        let double = block_variance(series, 2 * block);
        let corrected = (2.0 * double - single) / (1.0 - 3.0 * bf / nf);
        let floor = double / (1.0 - 2.0 * bf / nf);
        Ok(Dependence {
            days: n,
            block,
            bandwidth,
            mean_variance: corrected.max(floor).max(0.0),
            degrees_of_freedom: 3.0 * nf / (8.0 * bf),
        })
    }

    /// The factor by which bootstrap deviations with blocks of [`Dependence::block`] are
    /// stretched: `√(corrected variance / bootstrap variance) × t₀.₉₅(df) / z₀.₉₅`, 1 for a
    /// series without variation.
    fn scale(&self, series: &[f64]) -> f64 {
        let bootstrap = block_variance(series, self.block);
        if bootstrap <= 0.0 || self.mean_variance <= 0.0 {
            return 1.0;
        }
        (self.mean_variance / bootstrap).sqrt() * t_ratio(self.degrees_of_freedom)
    }
}

/// `t₀.₉₅(df) / z₀.₉₅`: how much wider a Student's t quantile is than the normal's.
fn t_ratio(df: f64) -> f64 {
    let z = Normal::standard().inverse_cdf(HIGH);
    StudentsT::new(0.0, 1.0, df.max(1.0))
        .map(|t| t.inverse_cdf(HIGH) / z)
        .unwrap_or(1.0)
}

/// The block length of Politis & White (2004) with the correction of Patton, Politis & White
/// (2009) for the moving-block bootstrap of a series' mean, and the bandwidth M it used.
///
/// Returns at least 1 and at most `⌈min(3√n, n/3)⌉`; 1 for a constant series.
fn politis_white(series: &[f64]) -> (usize, usize) {
    let n = series.len();
    let nf = n as f64;
    if n < 3 {
        return (1, 1);
    }
    let mean = series.iter().sum::<f64>() / nf;
    let autocovariance = |k: usize| {
        series[..n - k]
            .iter()
            .zip(&series[k..])
            .map(|(a, b)| (a - mean) * (b - mean))
            .sum::<f64>()
            / nf
    };
    let variance = autocovariance(0);
    if variance <= 0.0 {
        return (1, 1);
    }
    // The implied hypothesis test (Politis 2003): the smallest m after which K_N
    // autocorrelations in a row lie within ±c √(log10 n / n), c = 2.
    let runs = 5usize.max(nf.log10().sqrt().ceil() as usize);
    let most = (nf.sqrt().ceil() as usize + runs).min(n - 1);
    let bound = 2.0 * (nf.log10() / nf).sqrt();
    let mut small = 0;
    let mut found = None;
    for k in 1..=(most + runs).min(n - 1) {
        if (autocovariance(k) / variance).abs() < bound {
            small += 1;
            if small == runs {
                found = Some(k - runs);
                break;
            }
        } else {
            small = 0;
        }
    }
    let bandwidth = (2 * found.unwrap_or(most)).clamp(1, most);
    let window = |t: f64| {
        let t = t.abs();
        if t <= 0.5 {
            1.0
        } else if t <= 1.0 {
            2.0 * (1.0 - t)
        } else {
            0.0
        }
    };
    let (mut g, mut big_g) = (variance, 0.0);
    for k in 1..=bandwidth {
        let weighted = window(k as f64 / bandwidth as f64) * autocovariance(k);
        g += 2.0 * weighted;
        big_g += 2.0 * k as f64 * weighted;
    }
    let longest = (3.0 * nf.sqrt()).min(nf / 3.0).ceil().max(1.0);
    let block = if g > 0.0 {
        let d = 4.0 / 3.0 * g * g;
        (2.0 * big_g * big_g / d).cbrt() * nf.cbrt()
    } else {
        1.0
    };
    (block.ceil().clamp(1.0, longest) as usize, bandwidth)
}

/// The exact variance of the mean over moving-block bootstrap resamples with blocks of
/// `block` days (the ideal bootstrap, without resampling): `block / n` × the variance of the
/// n − block + 1 block means about their average.
fn block_variance(series: &[f64], block: usize) -> f64 {
    let n = series.len();
    if block == 0 || block > n {
        return 0.0;
    }
    let sums = block_sums(series, block);
    let count = sums.len() as f64;
    let average = sums.iter().sum::<f64>() / count;
    let spread = sums.iter().map(|s| (s - average).powi(2)).sum::<f64>() / count;
    // Sums are of `block` values: the block means' variance is spread / block².
    spread / (block * block) as f64 * block as f64 / n as f64
}

/// The sum of each run of `block` consecutive values, by its first position.
fn block_sums(series: &[f64], block: usize) -> Vec<f64> {
    let n = series.len();
    let mut sums = Vec::with_capacity(n + 1 - block);
    let mut running: f64 = series[..block].iter().sum();
    sums.push(running);
    for start in 1..=(n - block) {
        running += series[start + block - 1] - series[start - 1];
        sums.push(running);
    }
    sums
}

/// Draws moving-block resamples of a series' mean, calibrated as the [`Dependence`]
/// say: each draw is a deviation from the series' mean (persons), so that the draws' 5th and
/// 95th percentiles, added to the mean, are the sampling interval.
#[derive(Clone, Debug)]
pub(crate) struct Sampler {
    dependence: Dependence,
    sums: Vec<f64>,
    series: Vec<f64>,
    scale: f64,
}

impl Sampler {
    /// A sampler of a series' mean.
    ///
    /// # Errors
    /// As [`Dependence::new`].
    pub(crate) fn new(series: &[f64]) -> Result<Sampler> {
        let dependence = Dependence::new(series)?;
        Ok(Sampler {
            sums: block_sums(series, dependence.block),
            scale: dependence.scale(series),
            series: series.to_vec(),
            dependence,
        })
    }

    /// The dependence it was calibrated to.
    pub(crate) fn dependence(&self) -> &Dependence {
        &self.dependence
    }

    /// The calibration factor of the deviations (see the [`Dependence`]).
    pub(crate) fn scale(&self) -> f64 {
        self.scale
    }

    /// `draws` deviations of the resampled mean from the mean of all draws, stretched by the
    /// calibration factor; persons.
    pub(crate) fn deviations(&self, draws: u32, rng: &mut ChaCha8Rng) -> Vec<f64> {
        let n = self.series.len();
        let block = self.dependence.block;
        let starts = self.sums.len() as u64;
        let (whole, rest) = (n / block, n % block);
        let mut means: Vec<f64> = (0..draws)
            .map(|_| {
                let mut total: f64 = (0..whole)
                    .map(|_| self.sums[(rng.next_u64() % starts) as usize])
                    .sum();
                if rest > 0 {
                    let start = (rng.next_u64() % starts) as usize;
                    total += self.series[start..start + rest].iter().sum::<f64>();
                }
                total / n as f64
            })
            .collect();
        let centre = means.iter().sum::<f64>() / means.len().max(1) as f64;
        for m in &mut means {
            *m = (*m - centre) * self.scale;
        }
        means
    }
}

/// A 90 % sampling interval for the mean per day.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MeanInterval {
    /// The series' mean, persons per day.
    pub mean: f64,
    /// Lower end (5th percentile), persons per day.
    pub low: f64,
    /// Upper end (95th percentile), persons per day.
    pub high: f64,
    /// The dependence the interval was calibrated to (days, block, degrees of freedom).
    pub dependence: Dependence,
    /// Resamples drawn.
    pub resamples: u32,
}

impl MeanInterval {
    /// The interval from the series' mean and calibrated deviations.
    pub(crate) fn from_deviations(
        mean: f64,
        deviations: &[f64],
        dependence: Dependence,
    ) -> MeanInterval {
        let mut sorted = deviations.to_vec();
        sorted.sort_by(f64::total_cmp);
        let at = |p| quantile(&sorted, p, PercentileMethod::Linear).unwrap_or(0.0);
        MeanInterval {
            mean,
            low: mean + at(LOW),
            high: mean + at(HIGH),
            dependence,
            resamples: deviations.len() as u32,
        }
    }
}

/// A 90 % interval for the mean per day of a dated series (in date order) by the
/// moving-block bootstrap, with the block length estimated from the data and the width
/// calibrated (see the [`Dependence`] for the method and its sources).
///
/// The days are resampled less each weekday's mean: a weekly pattern is not sampling noise
/// (the mean over whole weeks holds it exactly), and left in it would both blur the
/// dependence estimate and widen the interval. Seeded: the same inputs give the same
/// interval; it is the interval the uncertainty analysis shows for the same seed and draws.
///
/// # Errors
/// [`Error::TooFewDays`] with fewer than [`MIN_SAMPLING_DAYS`] days, or days that depend on
/// each other over more than the days ÷ [`MIN_BLOCKS`]; [`Error::InvalidOption`] if a value
/// is not finite or `resamples` is below [`MIN_DRAWS`].
///
/// # Examples
/// ```
/// use chrono::NaiveDate;
/// use deltid::analysis::moving_block_bootstrap;
/// let start = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
/// let days: Vec<(NaiveDate, f64)> = start
///     .iter_days()
///     .take(365)
///     .enumerate()
///     .map(|(i, d)| (d, 100.0 + ((i * 37) % 11) as f64))
///     .collect();
/// let interval = moving_block_bootstrap(&days, 500, 1)?;
/// assert!(interval.low < interval.mean && interval.mean < interval.high);
/// // A week of days gives no interval: 7 is below the 180 needed.
/// assert!(moving_block_bootstrap(&days[..7], 500, 1).is_err());
/// # Ok::<(), deltid::Error>(())
/// ```
pub fn moving_block_bootstrap(
    days: &[(NaiveDate, f64)],
    resamples: u32,
    seed: u64,
) -> Result<MeanInterval> {
    Ok(mean_draws(days, resamples, seed)?.0)
}

/// Mixed into the seed of the days' resamples, so they are not the parameters' draws.
const SAMPLING_SEED: u64 = 0xb10c_b007;

/// The sampling interval of the mean per day of a dated series and its draws: deviations of
/// the mean, persons per day, calibrated (see [`moving_block_bootstrap`]).
pub(crate) fn mean_draws(
    days: &[(NaiveDate, f64)],
    draws: u32,
    seed: u64,
) -> Result<(MeanInterval, Vec<f64>)> {
    if draws < MIN_DRAWS {
        return Err(Error::InvalidOption {
            option: "draws".to_owned(),
            reason: format!("{draws} draws: at least {MIN_DRAWS} are needed"),
        });
    }
    let sampler = Sampler::new(&weekday_deviations(days))?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ SAMPLING_SEED);
    let deviations = sampler.deviations(draws, &mut rng);
    let mean = days.iter().map(|d| d.1).sum::<f64>() / days.len() as f64;
    let interval = MeanInterval::from_deviations(mean, &deviations, *sampler.dependence());
    Ok((interval, deviations))
}

/// A dated series less the mean of each weekday, in date order.
fn weekday_deviations(days: &[(NaiveDate, f64)]) -> Vec<f64> {
    let mut sums = [(0.0, 0u32); 7];
    for (date, value) in days {
        let cell = &mut sums[date.weekday().num_days_from_monday() as usize];
        cell.0 += value;
        cell.1 += 1;
    }
    days.iter()
        .map(|(date, value)| {
            let (sum, n) = sums[date.weekday().num_days_from_monday() as usize];
            value - sum / f64::from(n)
        })
        .collect()
}

/// The block length for the moving-block bootstrap of a series' mean: Politis & White (2004)
/// with the correction of Patton, Politis & White (2009), at least 1 and at most
/// `⌈min(3√n, n/3)⌉` days (see the [`Dependence`]).
///
/// # Examples
/// ```
/// use deltid::analysis::block_length;
/// // An AR(1) series with φ = 0.7 (a fixed pseudo-random sequence): blocks of about 10 to 20
/// // days; independent days: 1 or 2.
/// let mut state = 7u64;
/// let mut noise = move || {
///     state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
///     (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
/// };
/// let mut x = 0.0;
/// let ar: Vec<f64> = (0..730).map(|_| { x = 0.7 * x + noise(); x }).collect();
/// assert!((8..=24).contains(&block_length(&ar)), "{}", block_length(&ar));
/// let independent: Vec<f64> = (0..730).map(|_| noise()).collect();
/// assert!(block_length(&independent) <= 2);
/// ```
pub fn block_length(series: &[f64]) -> usize {
    politis_white(series).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_variance_of_blocks_of_one_is_the_variance_over_n() {
        // Blocks of one day: the bootstrap is the iid bootstrap, whose variance of the mean is
        // the population variance ÷ n. Values 1..=4: mean 2.5, variance 1.25; ÷ 4 = 0.3125.
        let series = [1.0, 2.0, 3.0, 4.0];
        assert!((block_variance(&series, 1) - 0.3125).abs() < 1e-12);
        // Blocks of two: means 1.5, 2.5, 3.5, variance 2/3, × 2 / 4 = 1/3.
        assert!((block_variance(&series, 2) - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn t_ratio_widens_for_few_degrees_of_freedom() {
        // t₀.₉₅ with 4 degrees of freedom is 2.132; z₀.₉₅ is 1.645.
        assert!((t_ratio(4.0) - 2.131_847 / 1.644_854).abs() < 1e-5);
        assert!((t_ratio(1e6) - 1.0).abs() < 1e-4);
    }
}
