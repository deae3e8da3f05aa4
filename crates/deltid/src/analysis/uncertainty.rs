//! Uncertainty: ranges on the scenario's parameters (a seeded Monte Carlo and a one-at-a-time
//! sensitivity table), the sampling uncertainty of the figures, and both together.
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
//! - **The mean per day** (the plan's rule): a moving-block bootstrap of the region's daily
//!   guest-nights, less each weekday's mean (a weekly pattern is not noise: a whole number of
//!   weeks holds it exactly), with the block length estimated from the data and the width
//!   calibrated ([`super::Dependence`]; Künsch 1989, Politis & White 2004 with Patton,
//!   Politis & White 2009). It covers day-to-day dependence; the seasons are not sampling noise
//!   of this kind, and are what the season-balanced figure addresses. No interval for fewer
//!   than [`MIN_SAMPLING_DAYS`](super::MIN_SAMPLING_DAYS) days.
//! - **The season-balanced figure**: the error of its filled days, from the seasonal model's
//!   residuals resampled in blocks and the model refitted on each resample (see
//!   [`TypicalYear::interval`](super::TypicalYear::interval)). It covers what the days without
//!   a count might have been; a fully counted year has none.
//!
//! # Together
//! Each of the `draws` draws takes the parameters' values, a resample of the days and a
//! resample of the fill's residuals at once (three seeded streams), and the combined interval
//! is the 5th to 95th percentile of the figure over the draws: the parameter change plus the
//! sampling deviation, exact for a linear model up to the product of the two (a 2 % higher
//! uplift on a resampled mean), which is left out. The parts are shown beside it.

use chrono::{Datelike, NaiveDate};
use deltid_model::{
    DayLines, Deduction, DeductionSource, Error, Estimate, PLAN_DAYS_PER_YEAR, Parameter,
    PercentileMethod, Place, RegionRule, Result, Summary, UncertainParameter,
};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use serde::Serialize;

use super::annualise::{
    FILL_SEED, FillErrors, MIN_SEASON_MONTH_DAYS, MIN_SEASON_MONTHS, NegativePolicy, TypicalYear,
};
use super::resample::{HIGH, LOW, MAX_DRAWS, MIN_DRAWS, MeanInterval, mean_draws};

/// Draws unless asked otherwise.
pub const DEFAULT_DRAWS: u32 = 10_000;
/// The seed unless asked otherwise.
pub const DEFAULT_SEED: u64 = 1;

/// How the uncertainty analysis runs: the draws and the seed.
///
/// Validated when built: at least [`MIN_DRAWS`] draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UncertaintyOptions {
    draws: u32,
    seed: u64,
}

impl Default for UncertaintyOptions {
    fn default() -> Self {
        UncertaintyOptions {
            draws: DEFAULT_DRAWS,
            seed: DEFAULT_SEED,
        }
    }
}

impl UncertaintyOptions {
    /// Options with `draws` draws, each of the parameters, a resample of the days and a
    /// resample of the fill's residuals together, seeded.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] if draws are fewer than [`MIN_DRAWS`] or more than
    /// [`MAX_DRAWS`].
    ///
    /// # Examples
    /// ```
    /// use deltid::analysis::UncertaintyOptions;
    /// let options = UncertaintyOptions::new(10_000, 7)?;
    /// assert_eq!((options.draws(), options.seed()), (10_000, 7));
    /// assert!(UncertaintyOptions::new(10, 7).is_err());
    /// assert!(UncertaintyOptions::new(1_000_000_000, 7).is_err());
    /// # Ok::<(), deltid::Error>(())
    /// ```
    pub fn new(draws: u32, seed: u64) -> Result<UncertaintyOptions> {
        if draws < MIN_DRAWS {
            return Err(Error::InvalidOption {
                option: "draws".to_owned(),
                reason: format!(
                    "{draws} draws: at least {MIN_DRAWS} are needed for a 5th and 95th percentile"
                ),
            });
        }
        if draws > MAX_DRAWS {
            return Err(Error::InvalidOption {
                option: "draws".to_owned(),
                reason: format!("{draws} draws: at most {MAX_DRAWS}"),
            });
        }
        Ok(UncertaintyOptions { draws, seed })
    }

    /// Draws: each of the parameters, the days and the fill's residuals together.
    pub fn draws(&self) -> u32 {
        self.draws
    }

    /// The seed of the draws.
    pub fn seed(&self) -> u64 {
        self.seed
    }
}

/// Percentiles of a figure over draws, with the draws' mean and its standard error.
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

/// The uncertainty of the region's guest-nights: parameter ranges, sampling, and both
/// together.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Uncertainty {
    /// The parameters given as distributions, in scenario order (uplift first).
    pub parameters: Vec<UncertainParameter>,
    /// Draws, each of the parameters, the days and the fill's residuals together.
    pub draws: u32,
    /// The seed of the draws.
    pub seed: u64,
    /// Guest-nights per day at the parameters' means (the estimate's), persons.
    pub per_day_at_means: f64,
    /// Guest-nights per day over the parameter draws alone, persons (mean per day over the
    /// period).
    pub per_day: Percentiles,
    /// Guest-nights per year over the parameter draws alone, nights (plan's rule: mean per day
    /// × 365).
    pub per_year: Percentiles,
    /// Guest-nights per year by the season-balanced method
    /// ([`Annualisation::SeasonBalanced`](super::Annualisation::SeasonBalanced), negative days
    /// kept) over the parameter draws alone, nights. The model is linear in the daily series
    /// given its terms, so each draw is exact here too. `None` when there is no
    /// season-balanced figure (too few months counted: [`TypicalYear::fills`]).
    pub season_balanced_per_year: Option<Percentiles>,
    /// The season-balanced figure at the parameters' means, nights; `None` likewise.
    pub season_balanced_at_means: Option<f64>,
    /// One-at-a-time sensitivity, largest swing first.
    pub sensitivity: Vec<Sensitivity>,
    /// The 90 % sampling interval of the mean per day, at the parameters' means; `None` when
    /// the days are too few (the reason is in `sampling_method`).
    pub sampling: Option<MeanInterval>,
    /// The sampling method and its references, or why there is no interval, in words.
    pub sampling_method: String,
    /// Guest-nights per day over draws of the parameters and the days together, persons;
    /// `None` without a sampling interval.
    pub per_day_combined: Option<Percentiles>,
    /// Guest-nights per year by the plan's rule over the same combined draws, nights.
    pub per_year_combined: Option<Percentiles>,
    /// A 90 % interval for the season-balanced figure from the error of its filled days
    /// (nights; the figure itself when no day is filled); `None` when the counted days are too
    /// few for it (the reason is in `season_balanced_method`).
    pub season_balanced_sampling: Option<(f64, f64)>,
    /// The fill-error method, or why there is no interval, in words.
    pub season_balanced_method: String,
    /// The fill's block length in days, for outputs in other languages.
    #[serde(skip)]
    pub(crate) fill_block: Option<usize>,
    /// The season-balanced figure over draws of the parameters and the fill's error together,
    /// nights; `None` without a fill-error interval.
    pub season_balanced_combined: Option<Percentiles>,
}

impl Uncertainty {
    /// Runs the Monte Carlo, the sensitivity table, the sampling intervals and the combined
    /// draws for the region of an estimate (its summary and its daily rows).
    ///
    /// The model is linear in every parameter, so each draw is the region's figure at the
    /// means plus each parameter's change times the figure's derivative, from the plan
    /// ([`deltid_model::Plan::uplift_slope`] for the uplift; a region-level deduction moves
    /// its own line in proportion).
    ///
    /// # Errors
    /// [`Error::EmptySelection`] if the region has no day.
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
    /// let (low, high) = u.season_balanced_sampling.unwrap();
    /// let figure = u.season_balanced_at_means.unwrap();
    /// assert!(low < figure && figure < high);
    /// # Ok::<(), deltid::Error>(())
    /// ```
    pub fn new(
        estimate: &Estimate,
        summary: &Summary,
        options: &UncertaintyOptions,
    ) -> Result<Uncertainty> {
        let scenario = estimate.scenario();
        let days: Vec<(NaiveDate, f64)> = estimate
            .region_days()
            .map(|d| (d.date, d.lines.part_time()))
            .collect();
        if days.is_empty() {
            return Err(Error::EmptySelection {
                selection: estimate.plan().selection().to_string(),
            });
        }
        let region = summary.region();
        let domestic = region.mean().observed() - region.mean_foreign();
        let model = Model::new(estimate, region.mean(), domestic);
        let parameters = scenario.uncertain().to_vec();
        let draws = options.draws;
        let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
        let balanced = Balanced::new(estimate);
        let mut season_balanced = Vec::with_capacity(draws as usize);
        let per_day_draws: Vec<f64> = (0..draws)
            .map(|_| {
                let values: Vec<f64> = parameters
                    .iter()
                    .map(|p| p.distribution.quantile(open_unit(&mut rng)))
                    .collect();
                let day = model.per_day(&parameters, &values);
                if let Some(year) = balanced.per_year(&model, &parameters, &values, day) {
                    season_balanced.push(year);
                }
                day
            })
            .collect();

        // The days' resamples and the fill's, each from a stream of its own.
        let (sampling, deviations, sampling_method) = sampling_interval(&days, options);
        let per_day_combined = deviations.as_ref().map(|d| {
            let combined: Vec<f64> = per_day_draws.iter().zip(d).map(|(p, s)| p + s).collect();
            percentiles(combined)
        });
        let (season_balanced_sampling, errors, season_balanced_method) =
            balanced.fill_interval(options);
        let season_balanced_combined = errors.as_ref().map(|e| {
            let combined: Vec<f64> = season_balanced.iter().zip(e).map(|(p, e)| p - e).collect();
            percentiles(combined)
        });

        let per_day = percentiles(per_day_draws);
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
        Ok(Uncertainty {
            parameters,
            draws,
            seed: options.seed,
            per_day_at_means: model.point,
            per_year: scale(&per_day, PLAN_DAYS_PER_YEAR),
            per_day,
            season_balanced_per_year: balanced.point.map(|_| percentiles(season_balanced)),
            season_balanced_at_means: balanced.point,
            sensitivity,
            sampling,
            sampling_method,
            per_year_combined: per_day_combined.map(|p| scale(&p, PLAN_DAYS_PER_YEAR)),
            per_day_combined,
            season_balanced_sampling,
            fill_block: season_balanced_sampling
                .and(balanced.errors.as_ref().ok().map(|e| e.block())),
            season_balanced_method,
            season_balanced_combined,
        })
    }
}

/// The sampling interval of the mean per day, its draws (deviations, persons per day) and the
/// method in words; or no interval and the reason.
fn sampling_interval(
    days: &[(NaiveDate, f64)],
    options: &UncertaintyOptions,
) -> (Option<MeanInterval>, Option<Vec<f64>>, String) {
    match mean_draws(days, options.draws, options.seed) {
        Ok((interval, draws)) => {
            let d = &interval.dependence;
            let method = format!(
                "moving-block bootstrap of the region's daily guest-nights less each weekday's mean (Künsch 1989): {} days in blocks of {} (estimated from the data: Politis & White 2004, Patton, Politis & White 2009), width calibrated for the bootstrap's bias and {:.0} degrees of freedom; covers day-to-day dependence, not the seasons",
                d.days, d.block, d.degrees_of_freedom
            );
            (Some(interval), Some(draws), method)
        }
        Err(error) => (None, None, error.to_string()),
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

/// The season-balanced yearly figure as a function of the parameters, and the error of its
/// filled days.
///
/// Given its terms, the typical year is linear in the daily series ([`TypicalYear::of`]), so
/// a change of the uplift moves it by the typical year of the domestic SIMs × deduplication ÷
/// market share, and a constant region-level deduction by 365 × its change, as in the plan's
/// rule.
struct Balanced {
    /// The season-balanced figure at the parameters' means, nights; `None` when some part's
    /// counts are too few for the model ([`TypicalYear::fills`]).
    point: Option<f64>,
    /// Nights per year added per unit of uplift.
    uplift_slope: f64,
    /// The error draws of the fill, or why there are none.
    errors: std::result::Result<FillErrors, Error>,
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
        // Each part's guest-nights by day, and its domestic SIMs on the same days.
        let mut parts: Vec<(Daily, Vec<f64>)> = Vec::new();
        match estimate.region_rule() {
            RegionRule::SumOfAreas => {
                for (position, days) in estimate.each_area_days() {
                    if days.is_empty() {
                        continue;
                    }
                    let part_time = days.iter().map(|(d, l)| (*d, l.part_time())).collect();
                    let own = days
                        .iter()
                        .map(|(d, l)| domestic(Place::Area(position), *d, l.observed()))
                        .collect();
                    parts.push((part_time, own));
                }
            }
            RegionRule::OwnCount => {
                let days: Vec<_> = estimate.region_days().collect();
                parts.push((
                    days.iter().map(|d| (d.date, d.lines.part_time())).collect(),
                    days.iter()
                        .map(|d| domestic(Place::Region, d.date, d.lines.observed()))
                        .collect(),
                ));
            }
        }
        let span = parts
            .iter()
            .flat_map(|(days, _)| [days.first(), days.last()])
            .flatten()
            .map(|(d, _)| d.year())
            .fold(None, |span: Option<(i32, i32)>, y| {
                Some(span.map_or((y, y), |(a, b)| (a.min(y), b.max(y))))
            });
        let years: Vec<TypicalYear> = parts
            .iter()
            .map(|(days, _)| TypicalYear::over(days, calendar, span, NegativePolicy::Keep))
            .collect();
        let point = years.iter().map(TypicalYear::figure).sum::<Option<f64>>();
        let domestic_year: f64 = years
            .iter()
            .zip(&parts)
            .map(|(y, (_, own))| y.of(own))
            .sum();
        let refs: Vec<&TypicalYear> = years.iter().collect();
        let errors = match point {
            Some(_) => FillErrors::new(&refs),
            None => Err(Error::TooFewDays {
                days: parts.iter().map(|(days, _)| days.len()).max().unwrap_or(0),
                reason: format!(
                    "no season-balanced figure: the counts cover fewer than {MIN_SEASON_MONTHS} calendar months with {MIN_SEASON_MONTH_DAYS} days counted each"
                ),
            }),
        };
        Balanced {
            point,
            uplift_slope: estimate.plan().uplift_slope(domestic_year),
            errors,
        }
    }

    /// The fill-error interval, its draws (nights, figure − truth) and the method in words;
    /// or none and why.
    fn fill_interval(
        &self,
        options: &UncertaintyOptions,
    ) -> (Option<(f64, f64)>, Option<Vec<f64>>, String) {
        let (errors, point) = match (&self.errors, self.point) {
            (Ok(errors), Some(point)) => (errors, point),
            (Err(error), _) => {
                return (None, None, format!("no fill-error interval: {error}"));
            }
            (Ok(_), None) => return (None, None, "no season-balanced figure".to_owned()),
        };
        let mut rng = ChaCha8Rng::seed_from_u64(options.seed ^ FILL_SEED);
        match errors.draws(options.draws, &mut rng) {
            Ok(draws) => {
                let interval = errors.interval(point, &draws);
                let method = format!(
                    "the error of the filled days: the seasonal model's residuals, scaled by season, resampled in blocks of {} days (Politis & White 2004) and the fill refitted on each (a residual block bootstrap, Lahiri 2003 §2.10), calibrated as for the mean per day; covers day-to-day noise and the model's estimation error, not a seasonal shape no counted day shows",
                    errors.block()
                );
                (Some(interval), Some(draws), method)
            }
            Err(error) => (None, None, format!("no fill-error interval: {error}")),
        }
    }

    /// The figure for one draw, given the draw's plan figure per day `day`.
    fn per_year(
        &self,
        model: &Model,
        parameters: &[UncertainParameter],
        values: &[f64],
        day: f64,
    ) -> Option<f64> {
        // The plan's change less its uplift part is the deductions' change (× 365 a year).
        let uplift_change: f64 = parameters
            .iter()
            .zip(values)
            .filter(|(p, _)| matches!(p.parameter, Parameter::Uplift))
            .map(|(_, v)| v - model.uplift)
            .sum();
        let deductions_change = (day - model.point) - model.uplift_slope * uplift_change;
        self.point.map(|point| {
            point + self.uplift_slope * uplift_change + deductions_change * PLAN_DAYS_PER_YEAR
        })
    }
}

/// A daily series: date → persons.
type Daily = Vec<(NaiveDate, f64)>;

/// A uniform number strictly inside 0..1 from 53 random bits (so a normal's quantile is finite).
fn open_unit(rng: &mut ChaCha8Rng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

/// The `p` quantile of sorted values, interpolated linearly between order statistics
/// (Hyndman and Fan's type 7, R's default). `NaN` for no values.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    deltid_model::quantile(sorted, p.clamp(0.0, 1.0), PercentileMethod::Linear).unwrap_or(f64::NAN)
}

/// Mean, standard error and percentiles of draws.
fn percentiles(mut draws: Vec<f64>) -> Percentiles {
    draws.sort_by(f64::total_cmp);
    let sorted = &draws;
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
