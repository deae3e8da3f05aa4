//! Small-count protection for publication (`[disclosure]` in a scenario): the smallest count
//! published and the base published person figures are rounded to.
//!
//! Operators suppress small groups before they deliver counts: Telia drops groups under 5,
//! Eurostat's multi-MNO reference pipeline ("multimno") applies k-anonymity with k = 5, and
//! FlowKit (Flowminder) redacts counts of 15 or fewer. The rule itself is applied to an
//! estimate by `deltid::analysis::Protection`.

use serde::Serialize;

/// The largest smallest-count accepted: above it a value is more likely a mistake (persons,
/// not a threshold) than a rule.
pub const MAX_MIN_COUNT: u32 = 1_000;

/// The bases published person figures may be rounded to.
pub const ROUNDING_BASES: [u32; 2] = [5, 10];

/// A publication rule: suppress figures of fewer than `min_count` persons (in magnitude,
/// 0 excepted) and round the figures published to a base.
///
/// Always holds a usable rule: `min_count` in 1..=[`MAX_MIN_COUNT`] when given, the rounding
/// base one of [`ROUNDING_BASES`] when given. The default protects nothing.
///
/// # Examples
/// ```
/// use deltid_model::Disclosure;
/// let rule = Disclosure::new(Some(5), Some(10)).unwrap();
/// assert_eq!(rule.min_count(), Some(5));
/// assert_eq!(rule.round(1_234.0), 1_230.0);
/// assert!(Disclosure::default().is_off());
/// assert!(Disclosure::new(Some(5), Some(3)).is_err()); // 5 or 10 only
/// assert!(Disclosure::new(Some(0), None).is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Disclosure {
    min_count: Option<u32>,
    rounding: Option<u32>,
}

impl Disclosure {
    /// A rule: figures of fewer than `min_count` persons suppressed, figures published rounded
    /// to `rounding`.
    ///
    /// # Errors
    /// The reason, naming the key (`min_count`, `rounding`), if a value is out of range.
    pub fn new(min_count: Option<u32>, rounding: Option<u32>) -> Result<Disclosure, String> {
        if let Some(k) = min_count
            && !(1..=MAX_MIN_COUNT).contains(&k)
        {
            return Err(format!(
                "min_count {k}: the smallest count published is a whole number of persons from 1 to {MAX_MIN_COUNT}"
            ));
        }
        if let Some(base) = rounding
            && !ROUNDING_BASES.contains(&base)
        {
            return Err(format!(
                "rounding {base}: published figures are rounded to 5 or 10 persons"
            ));
        }
        Ok(Disclosure {
            min_count,
            rounding,
        })
    }

    /// The smallest count published (`k`): figures with 0 < |value| < k are suppressed.
    pub fn min_count(&self) -> Option<u32> {
        self.min_count
    }

    /// The base published person figures are rounded to, persons.
    pub fn rounding(&self) -> Option<u32> {
        self.rounding
    }

    /// Whether the rule protects nothing (no smallest count, no rounding).
    pub fn is_off(&self) -> bool {
        self.min_count.is_none() && self.rounding.is_none()
    }

    /// This rule with each part given in `other` taking the place of this one's (command-line
    /// options over the scenario's).
    pub fn overridden_by(self, other: Disclosure) -> Disclosure {
        Disclosure {
            min_count: other.min_count.or(self.min_count),
            rounding: other.rounding.or(self.rounding),
        }
    }

    /// Whether a figure is small: 0 < |value| < k. Zero is not small (no person is
    /// disclosed by it); a negative figure is small by its magnitude.
    pub fn is_small(&self, value: f64) -> bool {
        self.min_count
            .is_some_and(|k| value != 0.0 && value.abs() < f64::from(k))
    }

    /// A published figure rounded to the base (half away from zero); unchanged without one.
    pub fn round(&self, value: f64) -> f64 {
        match self.rounding {
            Some(base) if value.is_finite() => {
                let base = f64::from(base);
                (value / base).round() * base
            }
            _ => value,
        }
    }
}
