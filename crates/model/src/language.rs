//! The language of outputs: nynorsk, bokmål or English.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The language labels, headers, notes and charts are written in.
///
/// Nynorsk is the Hallingdal plan's own language: its table reads as the plan's ("Snitt innb.
/// pr. dag, totalt", …, "Gjestedøgn pr. år"). Norwegian outputs group thousands with spaces and
/// write a decimal comma. Written `language = "nn"` in a scenario.
///
/// # Examples
/// ```
/// use deltid_model::Language;
/// assert_eq!("nn".parse::<Language>()?, Language::Nynorsk);
/// assert_eq!(Language::Bokmal.code(), "nb");
/// assert!("se".parse::<Language>().is_err());
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Language {
    /// English (`en`), the default.
    #[default]
    #[serde(rename = "en")]
    English,
    /// Norwegian nynorsk (`nn`).
    #[serde(rename = "nn")]
    Nynorsk,
    /// Norwegian bokmål (`nb`).
    #[serde(rename = "nb")]
    Bokmal,
}

impl Language {
    /// Every language, English first.
    pub const ALL: [Language; 3] = [Language::English, Language::Nynorsk, Language::Bokmal];

    /// The ISO 639-1 code: `en`, `nn`, `nb`.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Nynorsk => "nn",
            Language::Bokmal => "nb",
        }
    }

    /// Whether numbers are written the Norwegian way: a decimal comma.
    pub fn decimal_comma(self) -> bool {
        self != Language::English
    }
}

impl FromStr for Language {
    type Err = String;

    fn from_str(s: &str) -> Result<Language, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" | "english" => Ok(Language::English),
            "nn" | "nynorsk" => Ok(Language::Nynorsk),
            "nb" | "bokmål" | "bokmal" | "no" => Ok(Language::Bokmal),
            other => Err(format!("expected nn, nb or en, got {other:?}")),
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}
