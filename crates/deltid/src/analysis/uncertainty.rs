//! Uncertainty: ranges on the scenario's parameters (a seeded Monte Carlo and a one-at-a-time
//! sensitivity table) and the sampling uncertainty of the mean per day (a moving-block
//! bootstrap).
//!
//! # Parameters
//! A scenario may give the uplift or a region-level deduction (`[deductions]`) a distribution
//! instead of a number:
//!
//! ```toml
//! uplift = { uniform = [0.04, 0.08] }                 # fraction 0..1: low, high
//! [deductions]
//! commuters = { triangular = [500, 1000, 1500] }      # persons per day: low, mode, high
//! transit = { normal = [1000, 150] }                  # persons per day: mean, sd
//! ```
//!
//! The main estimate uses each distribution's mean, so the plan's table is the model at the
//! means. The model is linear in every parameter (see [`deltid_model::plan`]):
//! the region's guest-nights per day are
//! `mean observed × (1 + uplift) − Σ mean deductions`, and a region-level deduction's mean per
//! day in the region is its figure (it is shared out among the areas, which add up to it). So
//! each Monte Carlo draw is exact and cheap: the region's mean per day at the means, plus the
//! change each drawn value makes to its line. Draws are independent across parameters; the
//! quantiles come from [statrs](https://docs.rs/statrs)' inverse distribution functions applied
//! to uniform numbers from a seeded ChaCha8 generator, so a seed gives the same result on every
//! platform and release.
//!
//! # Sampling
//! Days next to each other are alike (weather, weekends, holidays), so the days' mean is less
//! certain than `sd / √n` says. The interval for the mean per day is a moving-block bootstrap
//! (H. R. Künsch, "The jackknife and the bootstrap for general stationary observations",
//! *Annals of Statistics* 17(3), 1989, 1217-1241): the region's daily guest-nights, in date
//! order, are resampled as overlapping blocks of [`block_length`] consecutive days. It
//! reflects day-to-day dependence up to about a block's length; slower structure (the seasons)
//! is not sampling noise of this kind, and is what `--annualise season-balanced` addresses.

use chrono::NaiveDate;
use deltid_model::{
    DayLines, Deduction, DeductionSource, Error, Estimate, PLAN_DAYS_PER_YEAR, Parameter,
    PercentileMethod, Place, RegionRule, Result, Summary, UncertainParameter,
};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use serde::Serialize;

use super::annualise::{fitted, typical_year};

/// Monte Carlo draws unless asked otherwise.
pub const DEFAULT_DRAWS: u32 = 10_000;
/// Bootstrap resamples unless asked otherwise.
pub const DEFAULT_RESAMPLES: u32 = 2_000;
/// The seed unless asked otherwise.
pub const DEFAULT_SEED: u64 = 1;
/// The fewest draws or resamples accepted: fewer give no usable 5th and 95th percentiles.
pub const MIN_DRAWS: u32 = 100;
/// The most draws or resamples accepted: each draw keeps a figure per parameter, and a
/// million draws already give percentiles to far more digits than the inputs have.
pub const MAX_DRAWS: u32 = 1_000_000;
/// The lower percentile reported, as a probability.
pub const LOW: f64 = 0.05;
/// The upper percentile reported, as a probability.
pub const HIGH: f64 = 0.95;

/// How the uncertainty analysis runs: Monte Carlo draws, bootstrap resamples and the seed.
///
/// Validated when built: at least [`MIN_DRAWS`] draws and resamples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UncertaintyOptions {
    draws: u32,
    resamples: u32,
    seed: u64,
}

impl Default for UncertaintyOptions {
    fn default() -> Self {
        UncertaintyOptions {
            draws: DEFAULT_DRAWS,
            resamples: DEFAULT_RESAMPLES,
            seed: DEFAULT_SEED,
        }
    }
}

impl UncertaintyOptions {
    /// Options with `draws` Monte Carlo draws and `resamples` bootstrap resamples, seeded.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] if draws or resamples are fewer than [`MIN_DRAWS`] or more
    /// than [`MAX_DRAWS`].
    ///
    /// # Examples
    /// ```
    /// use deltid::analysis::UncertaintyOptions;
    /// let options = UncertaintyOptions::new(10_000, 2_000, 7)?;
    /// assert_eq!(options.seed(), 7);
    /// assert!(UncertaintyOptions::new(10, 2_000, 7).is_err());
    /// assert!(UncertaintyOptions::new(1_000_000_000, 2_000, 7).is_err());
    /// # Ok::<(), deltid::Error>(())
    /// ```
    pub fn new(draws: u32, resamples: u32, seed: u64) -> Result<UncertaintyOptions> {
        for (name, n) in [("draws", draws), ("resamples", resamples)] {
            if n < MIN_DRAWS {
                return Err(Error::InvalidOption {
                    option: name.to_owned(),
                    reason: format!(
                        "{n} {name}: at least {MIN_DRAWS} are needed for a 5th and 95th percentile"
                    ),
                });
            }
            if n > MAX_DRAWS {
                return Err(Error::InvalidOption {
                    option: name.to_owned(),
                    reason: format!("{n} {name}: at most {MAX_DRAWS}"),
                });
            }
        }
        Ok(UncertaintyOptions {
            draws,
            resamples,
            seed,
        })
    }

    /// Monte Carlo draws.
    pub fn draws(&self) -> u32 {
        self.draws
    }

    /// Bootstrap resamples.
    pub fn resamples(&self) -> u32 {
        self.resamples
    }

    /// The seed of both.
    pub fn seed(&self) -> u64 {
        self.seed
    }
}

/// Percentiles of a figure over Monte Carlo draws, with the draws' mean and its standard error.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Percentiles {
    /// Mean over the draws.
    pub mean: f64,
    /// Standard error of that mean: the draws' standard deviation / √draws.
    pub standard_error: f64,
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// One row of the sensitivity (tornado) table: one parameter at its 5th and 95th percentile,
/// the others at their means.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Sensitivity {
    /// The parameter.
    pub parameter: Parameter,
    /// Its 5th percentile (fraction or persons per day).
    pub low: f64,
    /// Its 95th percentile.
    pub high: f64,
    /// Guest-nights per year (nights, plan's rule) with the parameter at `low`.
    pub per_year_at_low: f64,
    /// Guest-nights per year with the parameter at `high`.
    pub per_year_at_high: f64,
    /// `|per_year_at_high − per_year_at_low|`, nights: the table is sorted by it, largest first.
    pub swing: f64,
}

/// A bootstrap interval for the mean per day.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MeanInterval {
    /// The series' mean, persons per day.
    pub mean: f64,
    /// Lower end (5th percentile), persons per day.
    pub low: f64,
    /// Upper end (95th percentile), persons per day.
    pub high: f64,
    /// Days in the series.
    pub days: usize,
    /// Days per block.
    pub block: usize,
    /// Resamples drawn.
    pub resamples: u32,
}

/// The uncertainty of the region's guest-nights: parameter ranges and sampling.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Uncertainty {
    /// The parameters given as distributions, in scenario order (uplift first).
    pub parameters: Vec<UncertainParameter>,
    /// Monte Carlo draws.
    pub draws: u32,
    /// The seed of the draws and the bootstrap.
    pub seed: u64,
    /// Guest-nights per day at the parameters' means (the estimate's), persons.
    pub per_day_at_means: f64,
    /// Guest-nights per day over the draws, persons (mean per day over the period).
    pub per_day: Percentiles,
    /// Guest-nights per year over the draws, nights (plan's rule: mean per day × 365).
    pub per_year: Percentiles,
    /// Guest-nights per year by the season-balanced method
    /// ([`Annualisation::SeasonBalanced`](super::Annualisation::SeasonBalanced))
    /// over the same draws, nights. The filling model is linear in the daily series, so each
    /// draw is exact here too.
    pub season_balanced_per_year: Percentiles,
    /// The season-balanced figure at the parameters' means, nights.
    pub season_balanced_at_means: f64,
    /// A 90 % sampling interval for the season-balanced figure, nights: the model's residuals
    /// resampled in moving blocks (the same blocks as for the mean per day) and added back to
    /// the fitted values, the figure recomputed for each resample (a residual block bootstrap,
    /// as in Lahiri, *Resampling Methods for Dependent Data*, 2003, §2.10). `None` with fewer
    /// than two counted region days.
    pub season_balanced_sampling: Option<(f64, f64)>,
    /// One-at-a-time sensitivity, largest swing first.
    pub sensitivity: Vec<Sensitivity>,
    /// The 90 % moving-block bootstrap interval of the mean per day, at the parameters' means.
    pub sampling: MeanInterval,
    /// The sampling method and its reference, in words.
    pub sampling_method: String,
}

impl Uncertainty {
    /// Runs the Monte Carlo, the sensitivity table and the bootstrap for the region of an
    /// estimate (its summary and its daily rows).
    ///
    /// The model is linear in every parameter, so each draw is the region's figure at the
    /// means plus each parameter's change times the figure's derivative, from the plan
    /// ([`deltid_model::Plan::uplift_slope`] for the uplift; a region-level deduction moves
    /// its own line in proportion).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] if the region has fewer than two days.
    ///
    /// # Examples
    /// ```
    /// use deltid::analysis::{Uncertainty, UncertaintyOptions};
    /// use deltid::{CountsOptions, Run, Selection};
    /// let run = Run::new(
    ///     "../../data/hallingdal/plan-2021.toml".as_ref(),
    ///     None,
    ///     &CountsOptions::default(),
    ///     &Selection::default(),
    /// )?;
    /// let u = Uncertainty::new(run.estimate(), run.summary(), &UncertaintyOptions::default())?;
    /// // The plan's scenario gives no ranges: only sampling uncertainty remains.
    /// assert!(u.parameters.is_empty());
    /// assert!(u.sampling.low < u.sampling.mean && u.sampling.mean < u.sampling.high);
    /// # Ok::<(), deltid::Error>(())
    /// ```
    pub fn new(
        estimate: &Estimate,
        summary: &Summary,
        options: &UncertaintyOptions,
    ) -> Result<Uncertainty> {
        let scenario = estimate.scenario();
        let series: Vec<f64> = estimate
            .region_days()
            .map(|d| d.lines.part_time())
            .collect();
        let region = summary.region();
        let domestic = region.mean().observed() - region.mean_foreign();
        let model = Model::new(estimate, region.mean(), domestic);
        let parameters = scenario.uncertain().to_vec();
        let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
        let balanced = Balanced::new(estimate);
        let mut season_balanced = Vec::with_capacity(options.draws as usize);
        let mut per_day: Vec<f64> = (0..options.draws)
            .map(|_| {
                let values: Vec<f64> = parameters
                    .iter()
                    .map(|p| p.distribution.quantile(open_unit(&mut rng)))
                    .collect();
                let day = model.per_day(&parameters, &values);
                season_balanced.push(balanced.per_year(&model, &parameters, &values, day));
                day
            })
            .collect();
        per_day.sort_by(f64::total_cmp);
        season_balanced.sort_by(f64::total_cmp);
        let per_day = percentiles(&per_day);
        let per_year = scale(&per_day, PLAN_DAYS_PER_YEAR);

        let means: Vec<f64> = parameters.iter().map(|p| p.distribution.mean()).collect();
        let mut sensitivity: Vec<Sensitivity> = parameters
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let at = |q: f64| {
                    let mut values = means.clone();
                    values[i] = p.distribution.quantile(q);
                    (
                        values[i],
                        model.per_day(&parameters, &values) * PLAN_DAYS_PER_YEAR,
                    )
                };
                let ((low, per_year_at_low), (high, per_year_at_high)) = (at(LOW), at(HIGH));
                Sensitivity {
                    parameter: p.parameter,
                    low,
                    high,
                    per_year_at_low,
                    per_year_at_high,
                    swing: (per_year_at_high - per_year_at_low).abs(),
                }
            })
            .collect();
        sensitivity.sort_by(|a, b| b.swing.total_cmp(&a.swing));

        let sampling = moving_block_bootstrap(
            &series,
            block_length(series.len()),
            options.resamples,
            options.seed,
        )?;
        Ok(Uncertainty {
            parameters,
            draws: options.draws,
            seed: options.seed,
            per_day_at_means: model.point,
            per_day,
            per_year,
            season_balanced_per_year: percentiles(&season_balanced),
            season_balanced_at_means: balanced.point,
            season_balanced_sampling: balanced.sampling(estimate, options),
            sensitivity,
            sampling,
            sampling_method: format!(
                "moving-block bootstrap of the region's daily guest-nights (Künsch 1989, Annals of Statistics 17(3)): {} days in blocks of {}, {} resamples; covers day-to-day dependence, not the seasons",
                sampling.days, sampling.block, sampling.resamples
            ),
        })
    }
}

/// The region's guest-nights per day as a linear function of the parameters.
struct Model {
    /// Mean per day at the scenario's values (the parameters' means).
    point: f64,
    /// The uplift fraction the estimate used.
    uplift: f64,
    /// Persons per day added per unit of uplift: the mean domestic (not foreign) SIMs per
    /// day × deduplication ÷ market share (the [`Scaling`](crate::Scaling) layers; the mean
    /// observed in the plan's model).
    uplift_slope: f64,
    /// Each deduction's mean per day in the region, and the region-level figure that gave it
    /// (`None` if not a region-level figure).
    deductions: [(f64, Option<f64>); 4],
}

impl Model {
    fn new(estimate: &Estimate, mean: &DayLines, domestic: f64) -> Model {
        let scenario = estimate.scenario();
        let deductions = Deduction::ALL.map(|d| {
            let figure = match scenario.deduction(d) {
                DeductionSource::Region(v) => Some(*v),
                _ => None,
            };
            (mean.deduction(d), figure)
        });
        Model {
            point: mean.part_time(),
            uplift: scenario.uplift().fraction(),
            uplift_slope: estimate.plan().uplift_slope(domestic),
            deductions,
        }
    }

    /// Guest-nights per day with `values[i]` for `parameters[i]` and the rest as estimated.
    ///
    /// Present persons change by the uplift's slope × its change; a deduction's mean scales
    /// by `value / figure` (it is the figure itself on every complete region day).
    fn per_day(&self, parameters: &[UncertainParameter], values: &[f64]) -> f64 {
        let mut total = self.point;
        for (p, &value) in parameters.iter().zip(values) {
            match p.parameter {
                Parameter::Uplift => total += self.uplift_slope * (value - self.uplift),
                Parameter::Deduction(d) => {
                    let (line, figure) = self.deductions[d as usize];
                    total -= match figure {
                        Some(f) if f > 0.0 => line * (value / f - 1.0),
                        _ => value - line,
                    };
                }
            }
        }
        total
    }
}

/// The season-balanced yearly figure as a function of the parameters.
///
/// With the same missing days, the season-balanced typical year is linear in the daily series
/// (it is made of cell means), so a change of the uplift moves it by the typical year of the
/// domestic SIMs × deduplication ÷ market share, and a constant region-level deduction by 365
/// × its change, as in the plan's rule. Region days count only with every selected area.
struct Balanced {
    /// The region's counted days and their guest-nights, for the sampling interval.
    guests: Vec<(NaiveDate, f64)>,
    /// The season-balanced figure of those days alone, nights: the resamples' centre.
    region_point: f64,
    /// The season-balanced figure at the parameters' means, nights.
    point: f64,
    /// Nights per year added per unit of uplift.
    uplift_slope: f64,
}

impl Balanced {
    /// The season-balanced figure by the estimate's region rule: the sum of the areas'
    /// figures, each from its own days, or the region's own count's.
    fn new(estimate: &Estimate) -> Balanced {
        let calendar = estimate.scenario().calendar();
        let counts = estimate.counts();
        let domestic = |place: Place, date: NaiveDate, observed: f64| {
            observed - counts.get(place, date).map_or(0.0, |c| c.1)
        };
        let guests: Daily = estimate
            .region_days()
            .map(|d| (d.date, d.lines.part_time()))
            .collect();
        let region_point = typical_year(&guests, calendar);
        let (point, domestic_year) = match estimate.region_rule() {
            RegionRule::SumOfAreas => {
                let mut point = 0.0;
                let mut domestic_year = 0.0;
                for (position, days) in estimate.each_area_days() {
                    let part_time: Daily = days.iter().map(|(d, l)| (*d, l.part_time())).collect();
                    let own: Daily = days
                        .iter()
                        .map(|(d, l)| (*d, domestic(Place::Area(position), *d, l.observed())))
                        .collect();
                    point += typical_year(&part_time, calendar);
                    domestic_year += typical_year(&own, calendar);
                }
                (point, domestic_year)
            }
            RegionRule::OwnCount => {
                let own: Daily = estimate
                    .region_days()
                    .map(|d| (d.date, domestic(Place::Region, d.date, d.lines.observed())))
                    .collect();
                (region_point, typical_year(&own, calendar))
            }
        };
        Balanced {
            guests,
            region_point,
            point,
            uplift_slope: estimate.plan().uplift_slope(domestic_year),
        }
    }

    /// The 5th and 95th percentiles of the figure over residual block-bootstrap resamples.
    fn sampling(&self, estimate: &Estimate, options: &UncertaintyOptions) -> Option<(f64, f64)> {
        let n = self.guests.len();
        if n < 2 {
            return None;
        }
        let calendar = estimate.scenario().calendar();
        let fitted = fitted(&self.guests, calendar);
        let residuals: Vec<f64> = self
            .guests
            .iter()
            .zip(&fitted)
            .map(|((_, v), f)| v - f)
            .collect();
        let block = block_length(n);
        let starts = (n - block + 1) as u64;
        let mut rng = ChaCha8Rng::seed_from_u64(options.seed ^ 0x5ea5_0b1a);
        // Each year's model refit is the costly part; a few hundred resamples suffice for a
        // 90 % interval.
        let resamples = options.resamples.min(SEASON_BALANCED_RESAMPLES);
        let mut figures = Vec::with_capacity(resamples as usize);
        for _ in 0..resamples {
            let mut resampled = Vec::with_capacity(n);
            while resampled.len() < n {
                let start = (rng.next_u64() % starts) as usize;
                resampled.extend_from_slice(&residuals[start..start + block]);
            }
            let series: Vec<(NaiveDate, f64)> = self
                .guests
                .iter()
                .zip(&fitted)
                .zip(&resampled)
                .map(|(((date, _), f), r)| (*date, f + r))
                .collect();
            // Centred on the figure (the sum of the areas'), as a deviation of the region's.
            figures.push(self.point + typical_year(&series, calendar) - self.region_point);
        }
        figures.sort_by(f64::total_cmp);
        Some((quantile(&figures, LOW), quantile(&figures, HIGH)))
    }

    /// The figure for one draw, given the draw's plan figure per day `day`.
    fn per_year(
        &self,
        model: &Model,
        parameters: &[UncertainParameter],
        values: &[f64],
        day: f64,
    ) -> f64 {
        // The plan's change less its uplift part is the deductions' change (× 365 a year).
        let uplift_change: f64 = parameters
            .iter()
            .zip(values)
            .filter(|(p, _)| matches!(p.parameter, Parameter::Uplift))
            .map(|(_, v)| v - model.uplift)
            .sum();
        let deductions_change = (day - model.point) - model.uplift_slope * uplift_change;
        self.point + self.uplift_slope * uplift_change + deductions_change * PLAN_DAYS_PER_YEAR
    }
}

/// A uniform number strictly inside 0..1 from 53 random bits (so a normal's quantile is finite).
fn open_unit(rng: &mut ChaCha8Rng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

/// The `p` quantile of sorted values, interpolated linearly between order statistics
/// (Hyndman and Fan's type 7, R's default). `NaN` for no values.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    deltid_model::quantile(sorted, p.clamp(0.0, 1.0), PercentileMethod::Linear).unwrap_or(f64::NAN)
}

/// Mean, standard error and percentiles of sorted values.
fn percentiles(sorted: &[f64]) -> Percentiles {
    let n = sorted.len() as f64;
    let mean = sorted.iter().sum::<f64>() / n;
    let variance = sorted.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    Percentiles {
        mean,
        standard_error: (variance / n).sqrt(),
        p5: quantile(sorted, LOW),
        p50: quantile(sorted, 0.5),
        p95: quantile(sorted, HIGH),
    }
}

fn scale(p: &Percentiles, factor: f64) -> Percentiles {
    Percentiles {
        mean: p.mean * factor,
        standard_error: p.standard_error * factor,
        p5: p.p5 * factor,
        p50: p.p50 * factor,
        p95: p.p95 * factor,
    }
}

/// A daily series: date → persons.
type Daily = Vec<(NaiveDate, f64)>;

/// Resamples for the season-balanced sampling interval, at most.
const SEASON_BALANCED_RESAMPLES: u32 = 300;

/// Days per block for a series of `days` days: at least 7, so that a block holds a whole week
/// (weekday and weekend), and at least ⌈days^(1/3)⌉, the order of block length that minimises
/// the error of the block bootstrap's variance estimate (Hall, Horowitz and Jing, "On blocking
/// rules for the bootstrap with dependent data", Biometrika 82(3), 1995); never above `days`.
///
/// # Examples
/// ```
/// use deltid::analysis::block_length;
/// assert_eq!(block_length(100), 7);
/// assert_eq!(block_length(550), 9);  // 550^(1/3) ≈ 8.2
/// assert_eq!(block_length(3), 3);
/// ```
pub fn block_length(days: usize) -> usize {
    let cube_root = (days as f64).cbrt().ceil() as usize;
    cube_root.max(7).min(days)
}

/// A 90 % interval for the mean of a dependent series by the moving-block bootstrap
/// (Künsch 1989).
///
/// Each resample joins ⌈n / block⌉ blocks of `block` consecutive values, each starting at a
/// uniformly drawn position among the n − block + 1 possible, cut to n values; its mean is
/// recorded. Values near the ends fall in fewer blocks, so the resamples' means centre slightly
/// off the series' mean; the interval is their 5th to 95th percentile shifted by that
/// difference, so that it is centred on the series' mean. Seeded: the same inputs give the same
/// interval.
///
/// # Errors
/// [`Error::InvalidOption`] if the series has fewer than two values, a value is not
/// finite, `block` is 0 or longer than the series, or `resamples` is below [`MIN_DRAWS`].
///
/// # Examples
/// ```
/// use deltid::analysis::moving_block_bootstrap;
/// let series: Vec<f64> = (0..365).map(|d| 100.0 + (d % 7) as f64).collect();
/// let interval = moving_block_bootstrap(&series, 7, 500, 1)?;
/// assert!(interval.low <= interval.mean && interval.mean <= interval.high);
/// assert!(moving_block_bootstrap(&[1.0], 1, 500, 1).is_err());
/// # Ok::<(), deltid::Error>(())
/// ```
pub fn moving_block_bootstrap(
    series: &[f64],
    block: usize,
    resamples: u32,
    seed: u64,
) -> Result<MeanInterval> {
    let n = series.len();
    let invalid = |reason: String| {
        Err(Error::InvalidOption {
            option: "sampling".to_owned(),
            reason,
        })
    };
    if n < 2 {
        return invalid(format!("{n} day(s): a sampling interval needs at least 2"));
    }
    if series.iter().any(|v| !v.is_finite()) {
        return invalid("a day's value is not a finite number".to_owned());
    }
    if block == 0 || block > n {
        return invalid(format!("block of {block} days for {n} days"));
    }
    if resamples < MIN_DRAWS {
        return invalid(format!(
            "{resamples} resamples: at least {MIN_DRAWS} are needed"
        ));
    }
    let mean = series.iter().sum::<f64>() / n as f64;
    // Block sums by start, so a resample costs one addition per block.
    let mut sums = Vec::with_capacity(n - block + 1);
    let mut running: f64 = series[..block].iter().sum();
    sums.push(running);
    for start in 1..=(n - block) {
        running += series[start + block - 1] - series[start - 1];
        sums.push(running);
    }
    let starts = sums.len() as u64;
    let (whole, rest) = (n / block, n % block);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xb10c_b007);
    let mut draw = || (rng.next_u64() % starts) as usize;
    let mut means: Vec<f64> = (0..resamples)
        .map(|_| {
            let mut total: f64 = (0..whole).map(|_| sums[draw()]).sum();
            if rest > 0 {
                let start = draw();
                total += series[start..start + rest].iter().sum::<f64>();
            }
            total / n as f64
        })
        .collect();
    let centre = means.iter().sum::<f64>() / means.len() as f64;
    means.sort_by(f64::total_cmp);
    Ok(MeanInterval {
        mean,
        low: mean + quantile(&means, LOW) - centre,
        high: mean + quantile(&means, HIGH) - centre,
        days: n,
        block,
        resamples,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOLERANCE: f64 = 1e-9;

    #[test]
    fn quantile_interpolates_between_order_statistics() {
        let sorted = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert!((quantile(&sorted, 0.5) - 3.0).abs() < TOLERANCE);
        assert!((quantile(&sorted, 0.05) - 1.2).abs() < TOLERANCE);
        assert!((quantile(&sorted, 1.0) - 5.0).abs() < TOLERANCE);
    }
}
