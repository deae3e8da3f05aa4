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

/// What an area cell resolved to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Resolution {
    /// A code of the scenario.
    Known(AreaCode),
    /// Nothing the scenario knows.
    Unknown,
    /// A name that fits several areas.
    Ambiguous(Vec<AreaCode>),
}

/// Reads area cells as the scenario's codes: codes as written, Statistics Norway labels
/// (`K-3043 Ål`, `3043 Ål`), codes that lost their leading zeros (`301` → `0301`, when the
/// scenario declares four-digit codes), old codes through a mapping table (Norway's 2020 and
/// 2024 renumbering), and names (refused when a name fits two areas). The scenario's region
/// code, if it names one, is known too: rows with it are the region's own count.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AreaResolver {
    scenario: std::path::PathBuf,
    areas: Vec<Area>,
    digits: Option<usize>,
    mapping: std::collections::HashMap<String, AreaCode>,
    region: Option<AreaCode>,
    /// Each area's position by code, so that 100 000 areas resolve in constant time each.
    index: std::collections::HashMap<String, usize>,
}

impl AreaResolver {
    /// A resolver for the `areas` of the `scenario` file, padding all-digit codes to `digits`
    /// digits and mapping old codes (`from` → `to`, `to` one of the areas).
    pub fn new(
        scenario: &std::path::Path,
        areas: &[Area],
        digits: Option<usize>,
        mapping: std::collections::HashMap<String, AreaCode>,
    ) -> AreaResolver {
        AreaResolver {
            scenario: scenario.to_owned(),
            areas: areas.to_vec(),
            digits,
            mapping,
            region: None,
            index: areas
                .iter()
                .enumerate()
                .map(|(i, a)| (a.code.to_string(), i))
                .collect(),
        }
    }

    /// The number of digits all-digit codes are padded to, if any.
    pub(crate) fn digits(&self) -> Option<usize> {
        self.digits
    }

    /// Old codes and the scenario's codes they map to.
    pub(crate) fn mapping(&self) -> &std::collections::HashMap<String, AreaCode> {
        &self.mapping
    }

    /// The position of the area with this code among the scenario's areas.
    pub(crate) fn position(&self, code: &str) -> Option<usize> {
        self.index.get(code).copied()
    }

    /// The same resolver, also knowing `region` (matched exactly) as the code of the region's
    /// own count, which is not one of the areas.
    pub fn with_region(mut self, region: Option<AreaCode>) -> AreaResolver {
        self.region = region;
        self
    }

    /// The scenario file the areas come from.
    pub fn scenario(&self) -> &std::path::Path {
        &self.scenario
    }

    /// The known codes, for messages.
    pub fn codes(&self) -> Vec<String> {
        self.areas.iter().map(|a| a.code.to_string()).collect()
    }

    fn known(&self, code: &str) -> Option<AreaCode> {
        self.position(code).map(|i| self.areas[i].code.clone())
    }

    /// Resolves one cell.
    pub(crate) fn resolve(&self, raw: &str) -> Resolution {
        let text = raw.trim();
        if let Some(region) = self.region.as_ref().filter(|r| r.as_str() == text) {
            return Resolution::Known(region.clone());
        }
        if let Some(code) = self.known(text) {
            return Resolution::Known(code);
        }
        // "K-3043 Ål" (Statistics Norway's labels) or "3043 Ål": the leading code.
        let bare = text.strip_prefix("K-").unwrap_or(text);
        let lead: &str = bare.split_whitespace().next().unwrap_or("");
        let mut code = if lead.chars().all(|c| c.is_ascii_digit()) && !lead.is_empty() {
            lead.to_owned()
        } else {
            text.to_owned()
        };
        if let Some(digits) = self.digits
            && code.chars().all(|c| c.is_ascii_digit())
            && code.len() < digits
        {
            code = format!("{code:0>digits$}");
        }
        if let Some(mapped) = self.mapping.get(&code) {
            return Resolution::Known(mapped.clone());
        }
        if let Some(known) = self.known(&code) {
            return Resolution::Known(known);
        }
        let named: Vec<AreaCode> = self
            .areas
            .iter()
            .filter(|a| a.name.trim().to_lowercase() == text.to_lowercase())
            .map(|a| a.code.clone())
            .collect();
        match named.len() {
            0 => Resolution::Unknown,
            1 => Resolution::Known(named[0].clone()),
            _ => Resolution::Ambiguous(named),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_codes_labels_padding_mapping_and_names() {
        let area = |code: &str, name: &str| Area {
            code: AreaCode::new(code),
            name: name.to_owned(),
        };
        let areas = [
            area("0301", "Oslo"),
            area("3043", "Ål"),
            area("3034", "Nes"),
            area("3228", "Nes"),
        ];
        let mapping = [("0619".to_owned(), AreaCode::new("3043"))]
            .into_iter()
            .collect();
        let resolver = AreaResolver::new(std::path::Path::new("s.toml"), &areas, Some(4), mapping);
        let known = |c: &str| Resolution::Known(AreaCode::new(c));
        let cases = [
            ("0301", known("0301")),
            (" 301 ", known("0301")),
            ("K-3043 Ål", known("3043")),
            ("3043 Ål", known("3043")),
            ("619", known("3043")),
            ("0619", known("3043")),
            ("oslo", known("0301")),
            ("Ål", known("3043")),
            (
                "Nes",
                Resolution::Ambiguous(vec![AreaCode::new("3034"), AreaCode::new("3228")]),
            ),
            ("9999", Resolution::Unknown),
            ("Bergen", Resolution::Unknown),
        ];
        for (raw, expected) in cases {
            assert_eq!(resolver.resolve(raw), expected, "{raw:?}");
        }
    }
}
