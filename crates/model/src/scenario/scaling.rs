//! Scaling layers from SIMs counted to persons present, besides the plan's uplift.
//!
//! The Hallingdal plan folds every correction into one "6 %" uplift. Eurostat's work on
//! mobile network operator (MNO) data for official statistics (the multi-MNO project,
//! "multimno", and its methodological framework for a reference pipeline) names the layers
//! separately, and deltid uses its terms:
//!
//! - the **deduplication factor** (multiple-SIM factor): persons per SIM, because one person
//!   may carry two phones or a phone and a tablet with SIMs, a fraction in (0, 1];
//! - the **MNO-to-target-population factor** (market share): the operator sees only its own
//!   subscribers, so its count is divided by its share of the target population, a fraction in
//!   (0, 1];
//! - **inbound roamers** (foreign SIMs): visitors' SIMs behave differently (no deduplication by
//!   the domestic factor, another market share among roaming partners), so they get a factor of
//!   their own, persons per foreign SIM, instead of the domestic uplift.
//!
//! Per area and day, with `observed` the SIMs counted (domestic and foreign) and `foreign` the
//! foreign SIMs among them:
//!
//! ```text
//! domestic = observed − foreign
//! present  = domestic × (1 + uplift) × deduplication ÷ market_share + foreign × foreign_factor
//! ```
//!
//! With every factor 1 and no foreign SIMs this is the plan's `observed × (1 + uplift)`.

use serde::Serialize;

/// Largest persons-per-foreign-SIM factor accepted: above it a value is far more likely a
/// percent written for a fraction (110 for 1.1) than a real factor.
pub const MAX_FOREIGN_FACTOR: f64 = 10.0;

/// The scaling factors besides the uplift (`[scaling]` in a scenario), each 1 by default.
///
/// A value always holds usable factors: deduplication and market share are fractions in
/// (0, 1], the foreign factor is in (0, [`MAX_FOREIGN_FACTOR`]].
///
/// # Examples
/// ```
/// use deltid_model::Scaling;
/// let scaling = Scaling::new(0.9, 0.6, 1.1).unwrap();
/// assert_eq!(scaling.market_share(), 0.6);
/// assert!(!scaling.is_identity());
/// assert!(Scaling::default().is_identity());
/// assert!(Scaling::new(0.9, 60.0, 1.1).is_none()); // a percent, not a fraction
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Scaling {
    deduplication: f64,
    market_share: f64,
    foreign: f64,
}

impl Default for Scaling {
    fn default() -> Self {
        Scaling {
            deduplication: 1.0,
            market_share: 1.0,
            foreign: 1.0,
        }
    }
}

impl Scaling {
    /// Scaling factors: `deduplication` (persons per SIM) and `market_share` (the operator's
    /// share of the target population) fractions in (0, 1], `foreign` (persons per foreign
    /// SIM) in (0, [`MAX_FOREIGN_FACTOR`]]; `None` if any is outside its range or not finite.
    pub fn new(deduplication: f64, market_share: f64, foreign: f64) -> Option<Scaling> {
        let fraction = |v: f64| v.is_finite() && v > 0.0 && v <= 1.0;
        (fraction(deduplication)
            && fraction(market_share)
            && foreign.is_finite()
            && foreign > 0.0
            && foreign <= MAX_FOREIGN_FACTOR)
            .then_some(Scaling {
                deduplication,
                market_share,
                foreign,
            })
    }

    /// Persons per SIM (Eurostat's deduplication or multiple-SIM factor), fraction (0, 1].
    pub fn deduplication(self) -> f64 {
        self.deduplication
    }

    /// The operator's share of the target population (Eurostat's MNO-to-target-population
    /// factor is its inverse), fraction (0, 1].
    pub fn market_share(self) -> f64 {
        self.market_share
    }

    /// Persons per foreign SIM (inbound roamers), applied instead of the uplift.
    pub fn foreign(self) -> f64 {
        self.foreign
    }

    /// Whether every factor is 1, so that only the plan's uplift scales the counts.
    pub fn is_identity(self) -> bool {
        self == Scaling::default()
    }

    /// The factors in words, for labels: `deduplication 0.9, market share 0.6, 1.1 persons per
    /// foreign SIM`; factors equal to 1 are left out (empty when all are 1).
    pub fn describe(self) -> String {
        let mut parts = Vec::new();
        if self.deduplication != 1.0 {
            parts.push(format!("deduplication {}", self.deduplication));
        }
        if self.market_share != 1.0 {
            parts.push(format!("market share {}", self.market_share));
        }
        if self.foreign != 1.0 {
            parts.push(format!("{} persons per foreign SIM", self.foreign));
        }
        parts.join(", ")
    }

    /// Persons added to each domestic and each foreign SIM counted to give present persons:
    /// `present = observed + domestic × per_domestic + foreign × per_foreign` (the formula in
    /// the [module docs](self)), with the domestic `uplift` (fraction).
    ///
    /// Written so that with factors of 1 it is the plan's `observed × uplift` to the last bit
    /// (`(1 + 0.06) − 1` is not `0.06` in floating point).
    pub(crate) fn added(self, uplift: f64) -> (f64, f64) {
        let ratio = self.deduplication / self.market_share;
        let per_domestic = if ratio == 1.0 {
            uplift
        } else {
            (1.0 + uplift) * ratio - 1.0
        };
        (per_domestic, self.foreign - 1.0)
    }

    /// Validates `[scaling]` as written (`None` for a factor not given: 1); on failure the key
    /// (`scaling.market_share`) and the reason.
    pub(crate) fn from_spec(
        deduplication: Option<f64>,
        market_share: Option<f64>,
        foreign: Option<f64>,
    ) -> std::result::Result<Scaling, (String, String)> {
        let fraction = |key: &str, value: Option<f64>| match value {
            None => Ok(1.0),
            Some(v) if v.is_finite() && v > 0.0 && v <= 1.0 => Ok(v),
            Some(v) => Err((
                format!("scaling.{key}"),
                format!("{v} is not a fraction above 0 and at most 1 (write 0.9 for 90 %)"),
            )),
        };
        let deduplication = fraction("deduplication", deduplication)?;
        let market_share = fraction("market_share", market_share)?;
        let foreign = match foreign {
            None => 1.0,
            Some(v) if v.is_finite() && v > 0.0 && v <= MAX_FOREIGN_FACTOR => v,
            Some(v) => {
                return Err((
                    "scaling.foreign".to_owned(),
                    format!(
                        "{v} is not a number of persons per foreign SIM above 0 and at most {MAX_FOREIGN_FACTOR}"
                    ),
                ));
            }
        };
        Ok(Scaling {
            deduplication,
            market_share,
            foreign,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_out_of_range_name_their_key() {
        let raw = |d, m, f| (d, m, f);
        let cases = [
            (raw(None, None, None), Ok(Scaling::default())),
            (raw(Some(0.0), None, None), Err("scaling.deduplication")),
            (raw(None, Some(60.0), None), Err("scaling.market_share")),
            (raw(None, None, Some(110.0)), Err("scaling.foreign")),
            (raw(None, None, Some(f64::NAN)), Err("scaling.foreign")),
        ];
        for (raw, expected) in cases {
            let got = Scaling::from_spec(raw.0, raw.1, raw.2).map_err(|(key, _)| key);
            assert_eq!(got, expected.map_err(str::to_owned));
        }
    }

    #[test]
    fn describe_leaves_out_factors_of_one() {
        let scaling = Scaling::new(0.9, 1.0, 1.1).expect("valid factors");
        assert_eq!(
            scaling.describe(),
            "deduplication 0.9, 1.1 persons per foreign SIM"
        );
        assert_eq!(Scaling::default().describe(), "");
    }
}
