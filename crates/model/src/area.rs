//! Area codes, areas, and the one rule by which a cell in an input names an area.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// Trims a cell as deltid reads every cell: Unicode white space at both ends goes (spaces,
/// tabs, line ends, no-break and thin spaces, the ideographic space: Rust's
/// [`char::is_whitespace`], the Unicode `White_Space` property).
///
/// Every reader and the SQL export use this rule ([`whitespace`] lists the characters).
///
/// # Examples
/// ```
/// assert_eq!(deltid_model::trim_cell(" 0301\u{2009}\u{3000}\u{b}"), "0301");
/// ```
pub fn trim_cell(cell: &str) -> &str {
    cell.trim_matches(char::is_whitespace)
}

/// The characters [`trim_cell`] removes, in code point order: for engines that must be told
/// them one by one (the SQL export).
pub fn whitespace() -> Vec<char> {
    (0..=0x3000u32)
        .filter_map(char::from_u32)
        .filter(|c| c.is_whitespace())
        .collect()
}

/// The code of an area, such as a municipality number ("3324" for Gol).
///
/// Always a string, so leading zeros survive ("0301" is Oslo); codes are compared exactly,
/// never as numbers, and names are never used to join.
///
/// # Examples
/// ```
/// use deltid_model::AreaCode;
/// let oslo = AreaCode::new(" 0301 ");
/// assert_eq!(oslo.as_str(), "0301");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AreaCode(String);

impl AreaCode {
    /// Wraps a code as written, trimmed as every cell is ([`trim_cell`]).
    pub fn new(code: impl AsRef<str>) -> Self {
        AreaCode(trim_cell(code.as_ref()).to_owned())
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

/// What an area cell names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// The area at this position among the scenario's areas.
    Area(usize),
    /// The region's own count (the scenario's `region_code`).
    Region,
    /// Nothing the scenario knows.
    Unknown,
    /// A name that fits several areas (their positions).
    Ambiguous(Vec<usize>),
}

/// Reads area cells as the scenario's areas, by one rule that every reader and the SQL export
/// follow:
///
/// 1. the cell is trimmed ([`trim_cell`]);
/// 2. the scenario's `region_code`, written exactly, is the region's own count;
/// 3. a code of the scenario is that area;
/// 4. else the candidate code is the cell's leading code if it has one (Statistics Norway's
///    labels `K-3043 Ål` and `3043 Ål`: an optional `K-`, digits, then white space or the
///    end), else the cell itself; all digits and shorter than `digits` (when the scenario
///    declares it), it is padded with leading zeros (`301` → `0301`);
/// 5. an old code of the mapping (Norway's 2020 and 2024 renumbering) is the area it maps to;
/// 6. a code of the scenario is that area;
/// 7. else the cell is compared with the areas' names, ignoring case and Unicode's form of
///    letters with marks ([`name_key`]): one fits, that area; several, ambiguous; none,
///    unknown.
#[derive(Clone, Debug, Default)]
pub struct AreaResolver {
    scenario: PathBuf,
    areas: Vec<Area>,
    digits: Option<usize>,
    mapping: HashMap<String, usize>,
    region: Option<AreaCode>,
    /// Each area's position by code, so that 100 000 areas resolve in constant time each.
    index: HashMap<String, usize>,
    /// Areas' positions by [`name_key`]: made at the first cell that is no code (counts
    /// name their areas by code, and a national scenario has 100 000 names).
    names: OnceLock<HashMap<String, Vec<usize>>>,
}

/// Resolvers are equal when they resolve alike: the names made or not yet are the same.
impl PartialEq for AreaResolver {
    fn eq(&self, other: &AreaResolver) -> bool {
        (
            &self.scenario,
            &self.areas,
            self.digits,
            &self.mapping,
            &self.region,
            &self.index,
        ) == (
            &other.scenario,
            &other.areas,
            other.digits,
            &other.mapping,
            &other.region,
            &other.index,
        )
    }
}

impl AreaResolver {
    /// A resolver for the `areas` of the `scenario` file: all-digit codes padded to `digits`
    /// digits, old codes mapped to the areas at the `mapping`'s positions, and `region` the
    /// code of the region's own count.
    pub fn new(
        scenario: &Path,
        areas: Vec<Area>,
        digits: Option<usize>,
        mapping: HashMap<String, usize>,
        region: Option<AreaCode>,
    ) -> AreaResolver {
        AreaResolver {
            scenario: scenario.to_owned(),
            index: areas
                .iter()
                .enumerate()
                .map(|(i, a)| (a.code.to_string(), i))
                .collect(),
            areas,
            digits,
            mapping,
            region,
            names: OnceLock::new(),
        }
    }

    /// Areas' positions by [`name_key`].
    fn names(&self) -> &HashMap<String, Vec<usize>> {
        self.names.get_or_init(|| {
            let mut names: HashMap<String, Vec<usize>> = HashMap::with_capacity(self.areas.len());
            for (i, area) in self.areas.iter().enumerate() {
                names.entry(name_key(&area.name)).or_default().push(i);
            }
            names
        })
    }

    /// The scenario file the areas come from.
    pub fn scenario(&self) -> &Path {
        &self.scenario
    }

    /// The scenario's areas.
    pub fn areas(&self) -> &[Area] {
        &self.areas
    }

    /// The number of digits all-digit codes are padded to, if any.
    pub fn digits(&self) -> Option<usize> {
        self.digits
    }

    /// Old codes and the positions of the areas they map to.
    pub fn mapping(&self) -> &HashMap<String, usize> {
        &self.mapping
    }

    /// The code of the region's own count, if the scenario names one.
    pub fn region(&self) -> Option<&AreaCode> {
        self.region.as_ref()
    }

    /// The position of the area with exactly this code.
    pub fn position(&self, code: &str) -> Option<usize> {
        self.index.get(code).copied()
    }

    /// Resolves one cell by the rule in the [type's docs](AreaResolver).
    ///
    /// # Examples
    /// ```
    /// use std::path::Path;
    /// use deltid_model::{Area, AreaCode, AreaResolver, Resolution};
    /// let areas = [Area { code: AreaCode::new("0301"), name: "Oslo".into() }];
    /// let resolver = AreaResolver::new(Path::new("s.toml"), areas.to_vec(), Some(4), Default::default(), None);
    /// assert_eq!(resolver.resolve(" 301\u{2009}"), Resolution::Area(0));
    /// assert_eq!(resolver.resolve("K-0301 Oslo"), Resolution::Area(0));
    /// assert_eq!(resolver.resolve("OSLO"), Resolution::Area(0));
    /// assert_eq!(resolver.resolve("Bergen"), Resolution::Unknown);
    /// ```
    pub fn resolve(&self, raw: &str) -> Resolution {
        let text = trim_cell(raw);
        if self.region.as_ref().is_some_and(|r| r.as_str() == text) {
            return Resolution::Region;
        }
        if let Some(i) = self.position(text) {
            return Resolution::Area(i);
        }
        let mut code = leading_code(text).unwrap_or(text).to_owned();
        if let Some(digits) = self.digits
            && !code.is_empty()
            && code.bytes().all(|b| b.is_ascii_digit())
            && code.len() < digits
        {
            code = format!("{code:0>digits$}");
        }
        if self.region.as_ref().is_some_and(|r| r.as_str() == code) {
            return Resolution::Region;
        }
        if let Some(&i) = self.mapping.get(&code) {
            return Resolution::Area(i);
        }
        if let Some(i) = self.position(&code) {
            return Resolution::Area(i);
        }
        match self.names().get(&name_key(text)).map(Vec::as_slice) {
            None | Some([]) => Resolution::Unknown,
            Some([one]) => Resolution::Area(*one),
            Some(many) => Resolution::Ambiguous(many.to_vec()),
        }
    }
}

/// A name as the area resolver compares it ([`AreaResolver`], rule 7): trimmed ([`trim_cell`]),
/// lowercased and in Unicode's composed form (NFC), so that "Ål" written as an "A" and a
/// combining ring (as some systems export it) is the same name as "Ål" written as one letter.
///
/// ```
/// use deltid_model::name_key;
/// assert_eq!(name_key(" A\u{30a}L "), name_key("Ål"));
/// assert_eq!(name_key("Ål"), "ål");
/// ```
pub fn name_key(name: &str) -> String {
    composed(trim_cell(name).to_lowercase())
}

/// A text in Unicode's composed form (NFC): a letter and a combining mark as one letter where
/// Unicode has one. The scenario's area names are held so, whatever form the file has them in.
pub(crate) fn composed(text: String) -> String {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => text,
        _ => text.nfc().collect(),
    }
}

/// A [`name_key`] in Unicode's decomposed form (NFD), for a query engine that compares a
/// cell lowercased as written (SQL's `LOWER`): `None` where it is the key itself.
///
/// ```
/// use deltid_model::{decomposed_name_key, name_key};
/// assert_eq!(decomposed_name_key(&name_key("Ål")).as_deref(), Some("a\u{30a}l"));
/// assert_eq!(decomposed_name_key("gol"), None);
/// ```
pub fn decomposed_name_key(key: &str) -> Option<String> {
    use unicode_normalization::UnicodeNormalization;
    let decomposed: String = key.nfd().collect();
    (decomposed != key).then_some(decomposed)
}

/// The leading code of a trimmed cell: after an optional `K-` (Statistics Norway's labels),
/// and any white space after it, the ASCII digits up to white space or the end; `None` if
/// there are none.
pub fn leading_code(text: &str) -> Option<&str> {
    let bare = text
        .strip_prefix("K-")
        .map_or(text, |b| b.trim_start_matches(char::is_whitespace));
    let end = bare
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(bare.len());
    let (digits, rest) = bare.split_at(end);
    let ends = rest.is_empty() || rest.starts_with(char::is_whitespace);
    (!digits.is_empty() && ends).then_some(digits)
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
        let mapping = [("0619".to_owned(), 1)].into_iter().collect();
        let resolver = AreaResolver::new(
            Path::new("s.toml"),
            areas.to_vec(),
            Some(4),
            mapping,
            Some(AreaCode::new("REG")),
        );
        let cases = [
            ("0301", Resolution::Area(0)),
            (" 301 ", Resolution::Area(0)),
            ("0301\u{2009}", Resolution::Area(0)),
            ("\u{3000}0301", Resolution::Area(0)),
            ("0301\u{b}", Resolution::Area(0)),
            ("K-3043 Ål", Resolution::Area(1)),
            ("K- 3043", Resolution::Area(1)),
            ("3043 Ål", Resolution::Area(1)),
            ("3043\u{2009}Ål", Resolution::Area(1)),
            ("619", Resolution::Area(1)),
            ("0619", Resolution::Area(1)),
            ("oslo", Resolution::Area(0)),
            ("Ål", Resolution::Area(1)),
            ("ÅL", Resolution::Area(1)),
            // Ål with the ring as a combining mark (Unicode's decomposed form).
            ("A\u{30a}l", Resolution::Area(1)),
            (" a\u{30a}L ", Resolution::Area(1)),
            // A ring that is no combining mark is another letter.
            ("A\u{2da}l", Resolution::Unknown),
            ("Nes", Resolution::Ambiguous(vec![2, 3])),
            ("REG", Resolution::Region),
            (" REG ", Resolution::Region),
            ("9999", Resolution::Unknown),
            ("3043x", Resolution::Unknown),
            ("Bergen", Resolution::Unknown),
            ("", Resolution::Unknown),
        ];
        for (raw, expected) in cases {
            assert_eq!(resolver.resolve(raw), expected, "{raw:?}");
        }
    }

    #[test]
    fn whitespace_is_what_trim_removes() {
        let chars = whitespace();
        assert_eq!(chars.len(), 25);
        for c in [
            '\t', '\u{b}', ' ', '\u{a0}', '\u{2009}', '\u{202f}', '\u{3000}',
        ] {
            assert!(chars.contains(&c), "{c:?}");
        }
        assert!(
            !chars.contains(&'\u{200b}'),
            "a zero-width space is not white space"
        );
    }
}
