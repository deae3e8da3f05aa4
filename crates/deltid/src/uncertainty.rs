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
//! means. The model is linear in every parameter (see [`estimate`](mod@crate::estimate)):
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

use polars::prelude::*;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use statrs::distribution::{ContinuousCDF, Normal, Triangular, Uniform};

use chrono::NaiveDate;

use crate::columns::{AREA, AREAS, DATE, FOREIGN, OBSERVED, PART_TIME};
use crate::deduction::{Deduction, DeductionSource};
use crate::error::{Error, Result};
use crate::estimate::Estimate;
use crate::read::MAX_PERSONS;
use crate::scenario::Scenario;
use crate::summary::{Lines, Summary};
use crate::waterfall::PLAN_DAYS_PER_YEAR;

/// Monte Carlo draws unless asked otherwise.
pub const DEFAULT_DRAWS: u32 = 10_000;
/// Bootstrap resamples unless asked otherwise.
pub const DEFAULT_RESAMPLES: u32 = 2_000;
/// The seed unless asked otherwise.
pub const DEFAULT_SEED: u64 = 1;
/// The fewest draws or resamples accepted: fewer give no usable 5th and 95th percentiles.
pub const MIN_DRAWS: u32 = 100;
/// The lower percentile reported, as a probability.
pub const LOW: f64 = 0.05;
/// The upper percentile reported, as a probability.
pub const HIGH: f64 = 0.95;

/// A probability distribution for a parameter: uniform, triangular or normal.
///
/// Built with [`Distribution::uniform`], [`Distribution::triangular`] or
/// [`Distribution::normal`], which refuse nonsense (non-finite numbers, `low ≥ high`, a mode
/// outside its range, `sd ≤ 0`). In JSON it is written as in the scenario,
/// `{"uniform": [low, high]}`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Distribution(Shape);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    Uniform { low: f64, high: f64 },
    Triangular { low: f64, mode: f64, high: f64 },
    Normal { mean: f64, sd: f64 },
}

impl Distribution {
    /// Uniform on `low..high`; `None` unless both are finite and `low < high`.
    ///
    /// # Examples
    /// ```
    /// use deltid::uncertainty::Distribution;
    /// let d = Distribution::uniform(0.04, 0.08).ok_or("invalid")?;
    /// assert!((d.mean() - 0.06).abs() < 1e-12);
    /// assert!(Distribution::uniform(0.08, 0.04).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn uniform(low: f64, high: f64) -> Option<Distribution> {
        (low.is_finite() && high.is_finite() && low < high)
            .then_some(Distribution(Shape::Uniform { low, high }))
    }

    /// Triangular on `low..high` with its peak at `mode`; `None` unless all are finite and
    /// `low ≤ mode ≤ high` with `low < high`.
    ///
    /// # Examples
    /// ```
    /// use deltid::uncertainty::Distribution;
    /// let d = Distribution::triangular(500.0, 1000.0, 1500.0).ok_or("invalid")?;
    /// assert!((d.mean() - 1000.0).abs() < 1e-9);
    /// assert!(Distribution::triangular(500.0, 2000.0, 1500.0).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn triangular(low: f64, mode: f64, high: f64) -> Option<Distribution> {
        ([low, mode, high].iter().all(|v| v.is_finite())
            && low <= mode
            && mode <= high
            && low < high)
            .then_some(Distribution(Shape::Triangular { low, mode, high }))
    }

    /// Normal with a mean and a standard deviation; `None` unless both are finite and
    /// `sd > 0`.
    ///
    /// # Examples
    /// ```
    /// use deltid::uncertainty::Distribution;
    /// let d = Distribution::normal(1000.0, 150.0).ok_or("invalid")?;
    /// assert!((d.quantile(0.5) - 1000.0).abs() < 1e-6);
    /// assert!(Distribution::normal(1000.0, 0.0).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn normal(mean: f64, sd: f64) -> Option<Distribution> {
        (mean.is_finite() && sd.is_finite() && sd > 0.0)
            .then_some(Distribution(Shape::Normal { mean, sd }))
    }

    /// The mean, in the parameter's unit: the value the main estimate uses.
    pub fn mean(&self) -> f64 {
        match self.0 {
            Shape::Uniform { low, high } => (low + high) / 2.0,
            Shape::Triangular { low, mode, high } => (low + mode + high) / 3.0,
            Shape::Normal { mean, .. } => mean,
        }
    }

    /// The smallest and largest value it can take (a normal's are infinite).
    pub fn support(&self) -> (f64, f64) {
        match self.0 {
            Shape::Uniform { low, high } | Shape::Triangular { low, high, .. } => (low, high),
            Shape::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
        }
    }

    /// The value with probability `p` (0..1) below it: the inverse distribution function, from
    /// statrs. `p` is clamped into 0..1.
    pub fn quantile(&self, p: f64) -> f64 {
        let p = if p.is_nan() { 0.5 } else { p.clamp(0.0, 1.0) };
        // The constructors checked what statrs checks, so these do not fail; the fallback is
        // the mean all the same. (statrs' Triangular::new takes min, max, mode.)
        let value = match self.0 {
            Shape::Uniform { low, high } => Uniform::new(low, high).ok().map(|d| d.inverse_cdf(p)),
            Shape::Triangular { low, mode, high } => Triangular::new(low, high, mode)
                .ok()
                .map(|d| d.inverse_cdf(p)),
            Shape::Normal { mean, sd } => Normal::new(mean, sd).ok().map(|d| d.inverse_cdf(p)),
        };
        value.unwrap_or_else(|| self.mean())
    }

    /// The name and numbers as written in a scenario.
    fn parts(&self) -> (&'static str, Vec<f64>) {
        match self.0 {
            Shape::Uniform { low, high } => ("uniform", vec![low, high]),
            Shape::Triangular { low, mode, high } => ("triangular", vec![low, mode, high]),
            Shape::Normal { mean, sd } => ("normal", vec![mean, sd]),
        }
    }
}

impl std::fmt::Display for Distribution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (name, numbers) = self.parts();
        let numbers: Vec<String> = numbers.iter().map(f64::to_string).collect();
        write!(f, "{name} [{}]", numbers.join(", "))
    }
}

impl Serialize for Distribution {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let (name, numbers) = self.parts();
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(name, &numbers)?;
        map.end()
    }
}

/// A parameter of the model that can be given a distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parameter {
    /// The uplift, a fraction 0..1.
    Uplift,
    /// A region-level deduction under `[deductions]`, persons per day.
    Deduction(Deduction),
}

impl Parameter {
    /// The key in the scenario file: `uplift`, `deductions.commuters`, ….
    pub fn key(self) -> String {
        match self {
            Parameter::Uplift => "uplift".to_owned(),
            Parameter::Deduction(d) => format!("deductions.{}", d.key()),
        }
    }
}

impl Serialize for Parameter {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.key())
    }
}

/// A parameter the scenario gives as a distribution.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct UncertainParameter {
    /// Which parameter.
    pub parameter: Parameter,
    /// Its distribution (fraction for the uplift, persons per day for a deduction).
    pub distribution: Distribution,
}

/// Reads `{ uniform = [..] }`, `{ triangular = [..] }` or `{ normal = [..] }` from an inline
/// table: `None` if the table has none of these keys, else the distribution or what is wrong.
pub(crate) fn distribution_from_table(
    table: &toml::Table,
) -> Option<std::result::Result<Distribution, String>> {
    const SHAPE: &str = "expected { uniform = [low, high] }, { triangular = [low, mode, high] } or { normal = [mean, sd] }";
    let (name, value) = table
        .iter()
        .find(|(k, _)| matches!(k.as_str(), "uniform" | "triangular" | "normal"))?;
    if table.len() > 1 {
        return Some(Err(format!("only `{name}` may be given: {SHAPE}")));
    }
    let numbers: Option<Vec<f64>> = match value {
        toml::Value::Array(items) => items
            .iter()
            .map(|v| match v {
                toml::Value::Integer(i) => Some(*i as f64),
                toml::Value::Float(f) => Some(*f),
                _ => None,
            })
            .collect(),
        _ => None,
    };
    let distribution = match (name.as_str(), numbers.as_deref()) {
        ("uniform", Some(&[low, high])) => Distribution::uniform(low, high)
            .ok_or_else(|| format!("uniform [{low}, {high}]: low must be below high")),
        ("triangular", Some(&[low, mode, high])) => Distribution::triangular(low, mode, high)
            .ok_or_else(|| {
                format!("triangular [{low}, {mode}, {high}]: need low ≤ mode ≤ high, low < high")
            }),
        ("normal", Some(&[mean, sd])) => Distribution::normal(mean, sd)
            .ok_or_else(|| format!("normal [{mean}, {sd}]: the sd must be above 0")),
        _ => Err(format!(
            "`{name}` must be a list of numbers: {SHAPE}, found {value}"
        )),
    };
    Some(distribution)
}

/// Checks a distribution for a parameter's range: an uplift's values (a normal's mean) must be
/// fractions 0..1, a deduction's non-negative persons; the error says what is wrong.
pub(crate) fn check_range(
    parameter: Parameter,
    distribution: &Distribution,
) -> std::result::Result<(), String> {
    // A normal range must keep its central 99.7 % (mean ± 3 sd) within the limits, so that
    // draws outside them are rare (found in a trial: uplift N(0.06, 0.5) drew −76 %); a wider
    // spread is better written as a uniform or triangular range.
    let (low, high) = match distribution.0 {
        Shape::Normal { mean, sd } => (mean - 3.0 * sd, mean + 3.0 * sd),
        _ => distribution.support(),
    };
    match parameter {
        Parameter::Uplift if !(0.0 <= low && high <= 1.0) => Err(format!(
            "{distribution}: an uplift's values are fractions between 0 and 1 (0.06 for 6 %)"
        )),
        Parameter::Deduction(_) if !(0.0 <= low && high <= MAX_PERSONS) => Err(format!(
            "{distribution}: a deduction's values are non-negative persons per day (at most {MAX_PERSONS})"
        )),
        _ => Ok(()),
    }
}

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
    /// [`Error::InvalidUncertainty`] if draws or resamples are fewer than [`MIN_DRAWS`].
    ///
    /// # Examples
    /// ```
    /// use deltid::uncertainty::UncertaintyOptions;
    /// let options = UncertaintyOptions::new(10_000, 2_000, 7)?;
    /// assert_eq!(options.seed(), 7);
    /// assert!(UncertaintyOptions::new(10, 2_000, 7).is_err());
    /// # Ok::<(), deltid::Error>(())
    /// ```
    pub fn new(draws: u32, resamples: u32, seed: u64) -> Result<UncertaintyOptions> {
        for (name, n) in [("draws", draws), ("resamples", resamples)] {
            if n < MIN_DRAWS {
                return Err(Error::InvalidUncertainty {
                    reason: format!(
                        "{n} {name}: at least {MIN_DRAWS} are needed for a 5th and 95th percentile"
                    ),
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
    /// ([`Annualisation::SeasonBalanced`](crate::annualise::Annualisation::SeasonBalanced))
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
    /// # Errors
    /// [`Error::InvalidUncertainty`] if the region has fewer than two days;
    /// [`Error::Polars`] only on a defect.
    ///
    /// # Examples
    /// ```
    /// use deltid::report::Report;
    /// use deltid::uncertainty::{Uncertainty, UncertaintyOptions};
    /// use deltid::{CountsOptions, Selection};
    /// let report = Report::run(
    ///     "../../data/hallingdal/plan-2021.toml".as_ref(),
    ///     None,
    ///     &CountsOptions::default(),
    ///     &Selection::default(),
    /// )?;
    /// let u = Uncertainty::new(&report.scenario, &report.estimate, &report.summary,
    ///     &UncertaintyOptions::default())?;
    /// // The plan's scenario gives no ranges: only sampling uncertainty remains.
    /// assert!(u.parameters.is_empty());
    /// assert!(u.sampling.low < u.sampling.mean && u.sampling.mean < u.sampling.high);
    /// # Ok::<(), deltid::Error>(())
    /// ```
    pub fn new(
        scenario: &Scenario,
        estimate: &Estimate,
        summary: &Summary,
        options: &UncertaintyOptions,
    ) -> Result<Uncertainty> {
        let (series, domestic) = region_series(estimate)?;
        let model = Model::new(scenario, &summary.region.mean, domestic);
        let parameters = scenario.uncertain().to_vec();
        let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
        let balanced = Balanced::new(scenario, estimate)?;
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
            season_balanced_sampling: balanced.sampling(scenario, options)?,
            sensitivity,
            sampling,
            sampling_method: format!(
                "moving-block bootstrap of the region's daily guest-nights (Künsch 1989, Annals of Statistics 17(3)): {} days in blocks of {}, {} resamples; covers day-to-day dependence, not the seasons",
                sampling.days, sampling.block, sampling.resamples
            ),
        })
    }

    /// Writes the uncertainty as readable text: the figures with their intervals, the
    /// sensitivity table and the sampling interval.
    ///
    /// # Errors
    /// [`Error::Write`] if the writer fails.
    pub fn write_table(&self, mut out: impl std::io::Write) -> Result<()> {
        use crate::report::{persons, right_align, table};
        let whole = |v: f64| persons(v.round() as i64);
        writeln!(
            out,
            "\nUncertainty (90 % intervals: 5th to 95th percentile):"
        )?;
        if self.parameters.is_empty() {
            writeln!(
                out,
                "- no parameter is given as a range in the scenario: parameter uncertainty not assessed"
            )?;
        } else {
            let given: Vec<String> = self
                .parameters
                .iter()
                .map(|p| format!("{} {}", p.parameter.key(), p.distribution))
                .collect();
            writeln!(
                out,
                "- parameters: {} (the estimate uses their means); Monte Carlo, {} draws, seed {}",
                given.join("; "),
                self.draws,
                self.seed
            )?;
        }
        let mut figures = table();
        figures.set_header([
            "figure",
            "at the means",
            "P5",
            "P50",
            "P95",
            "sampling 90 %",
        ]);
        let s = &self.sampling;
        for (label, factor, p) in [
            ("guest-nights per day", 1.0, &self.per_day),
            ("guest-nights per year", PLAN_DAYS_PER_YEAR, &self.per_year),
        ] {
            figures.add_row([
                label.to_owned(),
                whole(self.per_day_at_means * factor),
                whole(p.p5),
                whole(p.p50),
                whole(p.p95),
                format!("{} to {}", whole(s.low * factor), whole(s.high * factor)),
            ]);
        }
        let b = &self.season_balanced_per_year;
        figures.add_row([
            "guest-nights per year, season-balanced".to_owned(),
            whole(self.season_balanced_at_means),
            whole(b.p5),
            whole(b.p50),
            whole(b.p95),
            self.season_balanced_sampling.map_or_else(
                || "-".to_owned(),
                |(l, h)| format!("{} to {}", whole(l), whole(h)),
            ),
        ]);
        right_align(&mut figures, 1);
        writeln!(out, "{figures}")?;
        if !self.sensitivity.is_empty() {
            writeln!(
                out,
                "\nSensitivity: each parameter at its P5 and P95, the others at their means (guest-nights per year):"
            )?;
            let mut tornado = table();
            tornado.set_header(["parameter", "P5", "P95", "at P5", "at P95", "swing"]);
            for row in &self.sensitivity {
                let value = |v: f64| match row.parameter {
                    Parameter::Uplift => format!("{:.1} %", v * 100.0),
                    Parameter::Deduction(_) => whole(v),
                };
                tornado.add_row([
                    row.parameter.key(),
                    value(row.low),
                    value(row.high),
                    whole(row.per_year_at_low),
                    whole(row.per_year_at_high),
                    whole(row.swing),
                ]);
            }
            right_align(&mut tornado, 1);
            writeln!(out, "{tornado}")?;
        }
        writeln!(out, "- sampling: {}", self.sampling_method)?;
        Ok(())
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
    fn new(scenario: &Scenario, mean: &Lines, domestic: f64) -> Model {
        let deductions = Deduction::ALL.map(|d| {
            let figure = match scenario.deduction(d) {
                DeductionSource::Region(v) => Some(*v),
                _ => None,
            };
            (mean.deduction(d), figure)
        });
        let scaling = scenario.scaling();
        Model {
            point: mean.part_time,
            uplift: scenario.uplift().fraction(),
            uplift_slope: domestic * scaling.deduplication() / scaling.market_share(),
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
    fn new(scenario: &Scenario, estimate: &Estimate) -> Result<Balanced> {
        let calendar = scenario.calendar();
        let scaling = scenario.scaling();
        // Per area, as deltid::annualise does: the region's figure is the sum of its areas',
        // each filled from its own counted days.
        let mut point = 0.0;
        let mut domestic_year = 0.0;
        for (frame, complete_only) in [(&estimate.areas, false), (&estimate.region, true)] {
            let areas = frame.column(AREA)?.str()?;
            let dates = frame.column(DATE)?.cast(&DataType::Int32)?;
            let dates = dates.i32()?;
            let part_time = frame.column(PART_TIME)?.f64()?;
            let observed = frame.column(OBSERVED)?.f64()?;
            let foreign = frame
                .column(FOREIGN)
                .ok()
                .map(|c| c.cast(&DataType::Float64))
                .transpose()?;
            let foreign = foreign.as_ref().map(|c| c.f64()).transpose()?;
            let complete = frame.column(AREAS).ok().map(|c| c.u32()).transpose()?;
            let wanted = estimate.selected.len() as u32;
            let mut series: std::collections::BTreeMap<String, (Daily, Daily)> = Default::default();
            for i in 0..frame.height() {
                if complete_only && complete.and_then(|c| c.get(i)) != Some(wanted) {
                    continue;
                }
                let date = crate::read::from_epoch_days(dates.get(i).unwrap_or(0));
                let entry = series
                    .entry(areas.get(i).unwrap_or("").to_owned())
                    .or_default();
                entry.0.push((date, part_time.get(i).unwrap_or(0.0)));
                let foreign = foreign.and_then(|f| f.get(i)).unwrap_or(0.0);
                entry
                    .1
                    .push((date, observed.get(i).unwrap_or(0.0) - foreign));
            }
            if complete_only {
                // The region's own counted days, for the sampling interval.
                let (guests, _) = series.into_values().next().unwrap_or_default();
                let region_point = crate::annualise::typical_year(&guests, calendar);
                return Ok(Balanced {
                    point,
                    region_point,
                    guests,
                    uplift_slope: domestic_year * scaling.deduplication() / scaling.market_share(),
                });
            }
            for (guests, domestic) in series.values() {
                point += crate::annualise::typical_year(guests, calendar);
                domestic_year += crate::annualise::typical_year(domestic, calendar);
            }
        }
        Ok(Balanced {
            point,
            region_point: point,
            guests: Vec::new(),
            uplift_slope: domestic_year * scaling.deduplication() / scaling.market_share(),
        })
    }

    /// The 5th and 95th percentiles of the figure over residual block-bootstrap resamples.
    fn sampling(
        &self,
        scenario: &Scenario,
        options: &UncertaintyOptions,
    ) -> Result<Option<(f64, f64)>> {
        let n = self.guests.len();
        if n < 2 {
            return Ok(None);
        }
        let calendar = scenario.calendar();
        let fitted = crate::annualise::fitted(&self.guests, calendar);
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
            figures.push(
                self.point + crate::annualise::typical_year(&series, calendar) - self.region_point,
            );
        }
        figures.sort_by(f64::total_cmp);
        Ok(Some((quantile(&figures, LOW), quantile(&figures, HIGH))))
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
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = p.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let below = h.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    sorted[below] + (h - below as f64) * (sorted[above] - sorted[below])
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

/// The region's guest-nights per day in date order, and its mean domestic SIMs per day
/// (observed less foreign).
fn region_series(estimate: &Estimate) -> Result<(Vec<f64>, f64)> {
    let region = estimate
        .region
        .sort([DATE], SortMultipleOptions::default())?;
    let mean = |name: &str| -> Result<f64> {
        Ok(match region.column(name) {
            Ok(column) => column
                .cast(&DataType::Float64)?
                .f64()?
                .mean()
                .unwrap_or(0.0),
            Err(_) => 0.0,
        })
    };
    let domestic = mean(OBSERVED)? - mean(FOREIGN)?;
    let series = region.column(PART_TIME)?.f64()?.iter().flatten().collect();
    Ok((series, domestic))
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
/// use deltid::uncertainty::block_length;
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
/// [`Error::InvalidUncertainty`] if the series has fewer than two values, a value is not
/// finite, `block` is 0 or longer than the series, or `resamples` is below [`MIN_DRAWS`].
///
/// # Examples
/// ```
/// use deltid::uncertainty::moving_block_bootstrap;
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
    let invalid = |reason: String| Err(Error::InvalidUncertainty { reason });
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
    fn quantiles_match_hand_computations() {
        let cases = [
            // U(0.04, 0.08): low + p × width.
            (Distribution::uniform(0.04, 0.08), 0.05, 0.042),
            (Distribution::uniform(0.04, 0.08), 0.95, 0.078),
            // Symmetric triangular 500..1500, mode 1000: 500 + √(0.05 × 1000 × 500).
            (
                Distribution::triangular(500.0, 1000.0, 1500.0),
                0.05,
                500.0 + (0.05f64 * 1000.0 * 500.0).sqrt(),
            ),
            (Distribution::normal(10.0, 2.0), 0.5, 10.0),
        ];
        for (distribution, p, expected) in cases {
            let d = distribution.expect("valid");
            assert!((d.quantile(p) - expected).abs() < 1e-6, "{d} at {p}");
        }
    }

    #[test]
    fn distributions_from_tables_say_what_is_wrong() {
        let parse = |text: &str| {
            let table: toml::Table = toml::from_str(&format!("x = {text}")).expect("toml");
            match table.get("x") {
                Some(toml::Value::Table(t)) => distribution_from_table(t),
                _ => None,
            }
        };
        assert_eq!(
            parse("{ uniform = [1, 3] }").map(|d| d.map(|d| d.mean())),
            Some(Ok(2.0))
        );
        assert!(parse("{ table = \"a.csv\" }").is_none());
        let wrong = [
            ("{ uniform = [3, 1] }", "low must be below high"),
            ("{ normal = [1, 0] }", "sd must be above 0"),
            ("{ triangular = [1, 2] }", "list of numbers"),
            ("{ uniform = [1, 2], fill = 0 }", "only `uniform`"),
        ];
        for (text, message) in wrong {
            let err = parse(text).expect("a distribution key").expect_err(text);
            assert!(err.contains(message), "{text}: {err}");
        }
    }

    #[test]
    fn quantile_interpolates_between_order_statistics() {
        let sorted = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert!((quantile(&sorted, 0.5) - 3.0).abs() < TOLERANCE);
        assert!((quantile(&sorted, 0.05) - 1.2).abs() < TOLERANCE);
        assert!((quantile(&sorted, 1.0) - 5.0).abs() < TOLERANCE);
    }
}
