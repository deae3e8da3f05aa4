//! Area codes and areas.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The code of an area, such as a municipality number ("3324" for Gol).
///
/// Always a string, so leading zeros survive ("0301" is Oslo); codes are compared exactly,
/// never as numbers, and names are never used to join.
///
/// # Examples
/// ```
/// use deltid::AreaCode;
/// let oslo = AreaCode::new("0301");
/// assert_eq!(oslo.as_str(), "0301");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AreaCode(String);

impl AreaCode {
    /// Wraps a code as written (surrounding whitespace removed).
    pub fn new(code: impl AsRef<str>) -> Self {
        AreaCode(code.as_ref().trim().to_owned())
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An area of the region (a municipality), as listed in the scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Area {
    /// Its code, the join key.
    pub code: AreaCode,
    /// Its name, for display only (names are not unique).
    pub name: String,
}
