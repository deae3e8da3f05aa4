//! Parameters given as ranges: the distributions a scenario may give the uplift and
//! region-level deductions, for the uncertainty analysis.
//!
//! ```toml
//! uplift = { uniform = [0.04, 0.08] }                 # fraction 0..1: low, high
//! [deductions]
//! commuters = { triangular = [500, 1000, 1500] }      # persons per day: low, mode, high
//! transit = { normal = [1000, 150] }                  # persons per day: mean, sd
//! ```
//!
//! The estimate uses each distribution's mean; quantiles come from
//! [statrs](https://docs.rs/statrs)' inverse distribution functions.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use statrs::distribution::{ContinuousCDF, Normal, Triangular, Uniform};

use crate::lines::Deduction;
use crate::lines::MAX_PERSONS;

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
    /// use deltid_model::Distribution;
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
    /// use deltid_model::Distribution;
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
    /// use deltid_model::Distribution;
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
