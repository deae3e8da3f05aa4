//! deltid's words in each language: one TOML file per language under `catalogue/`, with the
//! same keys, so a third language is one more file (and a [`Language`] variant).
//!
//! Keys are `section.name` (`table.observed`, `head.area`); `{name}` in a text is filled in by
//! [`fill`]. A key missing from a language falls back to English, then to the key itself.

use std::collections::HashMap;
use std::sync::OnceLock;

use deltid_model::Language;

const EN: &str = include_str!("catalogue/en.toml");
const NN: &str = include_str!("catalogue/nn.toml");
const NB: &str = include_str!("catalogue/nb.toml");

type Words = HashMap<String, String>;

/// The file of a language.
fn source(language: Language) -> &'static str {
    match language {
        Language::English => EN,
        Language::Nynorsk => NN,
        Language::Bokmal => NB,
    }
}

/// A language's words, flattened to `section.name` keys, read once.
fn words(language: Language) -> &'static Words {
    static WORDS: [OnceLock<Words>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let slot = match language {
        Language::English => &WORDS[0],
        Language::Nynorsk => &WORDS[1],
        Language::Bokmal => &WORDS[2],
    };
    slot.get_or_init(|| parse(source(language)).unwrap_or_default())
}

/// A catalogue file's `[section] name = "text"` entries as `section.name` keys.
fn parse(text: &str) -> Result<Words, toml::de::Error> {
    let table: toml::Table = toml::from_str(text)?;
    let mut words = Words::new();
    for (section, entries) in table {
        if let toml::Value::Table(entries) = entries {
            for (name, value) in entries {
                if let toml::Value::String(value) = value {
                    words.insert(format!("{section}.{name}"), value);
                }
            }
        }
    }
    Ok(words)
}

/// The text of `key` in `language` (English if the language lacks it, else the key).
pub(crate) fn text(language: Language, key: &str) -> &str {
    words(language)
        .get(key)
        .or_else(|| words(Language::English).get(key))
        .map_or(key, String::as_str)
}

/// The text of `key` with each `{name}` replaced by its value, in one pass (a value is not
/// searched for names); a `{name}` without a value stays as it is.
pub(crate) fn fill(language: Language, key: &str, values: &[(&str, &str)]) -> String {
    fill_in(text(language, key), values)
}

/// `template` with each `{name}` replaced by its value, as [`fill`].
fn fill_in(template: &str, values: &[(&str, &str)]) -> String {
    let mut rest = template;
    let mut out = String::with_capacity(rest.len() + 32);
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        let value = rest.find('}').and_then(|close| {
            let name = &rest[1..close];
            let value = values.iter().find(|(n, _)| *n == name)?.1;
            Some((value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &rest[close + 1..];
            }
            None => {
                out.push('{');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A file's column name in `language`: the English key itself, or the language's
/// `column.<key>`.
pub(crate) fn column(language: Language, key: &'static str) -> &'static str {
    words(language)
        .get(&format!("column.{key}"))
        .map_or(key, String::as_str)
}

/// A calendar label's name (`Easter Sunday`) in `language`.
pub(crate) fn label(language: Language, english: &str) -> String {
    words(language)
        .get(&format!("label.{english}"))
        .map_or_else(|| english.to_owned(), Clone::clone)
}

/// A weekday's short name (`Mon`) in `language`.
pub(crate) fn weekday(language: Language, day: chrono::Weekday) -> &'static str {
    let key = format!("weekday.{day}");
    words(language).get(&key).map_or("", String::as_str)
}

/// A calendar month's name (1 = January) in `language`: `January`, `januar`.
pub(crate) fn month(language: Language, month: u32) -> String {
    text(language, &format!("month.{}", month.clamp(1, 12))).to_owned()
}

/// A calendar month's short name (1 = January) in `language`: `Jan`, `jan.`.
#[cfg_attr(not(feature = "chart"), allow(dead_code))]
pub(crate) fn month_short(language: Language, month: u32) -> String {
    text(language, &format!("month_short.{}", month.clamp(1, 12))).to_owned()
}

/// "1 day", "2 days" in `language`.
pub(crate) fn days(language: Language, n: u32) -> String {
    let noun = text(language, if n == 1 { "text.day" } else { "text.days" });
    format!("{n} {noun}")
}

/// "1 night", "21 nights" in `language`.
pub(crate) fn nights(language: Language, n: u32) -> String {
    let noun = text(language, if n == 1 { "text.night" } else { "text.nights" });
    format!("{n} {noun}")
}

/// "1 area-day", "1 234 area-days" in `language`.
pub(crate) fn area_days(language: Language, n: usize) -> String {
    let noun = text(
        language,
        if n == 1 {
            "text.area_day"
        } else {
            "text.area_days"
        },
    );
    format!("{} {noun}", crate::words::persons(n as i64))
}

/// "1 row", "1 036 rows" in `language`.
pub(crate) fn rows(language: Language, n: usize) -> String {
    let noun = text(language, if n == 1 { "text.row" } else { "text.rows" });
    format!("{} {noun}", crate::words::persons(n as i64))
}

/// "1 date", "21 dates" in `language`.
pub(crate) fn dates(language: Language, n: usize) -> String {
    let noun = text(
        language,
        if n == 1 {
            "text.date_one"
        } else {
            "text.dates"
        },
    );
    format!("{n} {noun}")
}

/// "1 cell", "3 cells" in `language`.
pub(crate) fn cells(language: Language, n: u32) -> String {
    let noun = text(
        language,
        if n == 1 {
            "text.cell_one"
        } else {
            "text.cells"
        },
    );
    format!("{n} {noun}")
}

/// "1 area", "6 areas" in `language`.
pub(crate) fn areas(language: Language, n: u32) -> String {
    let noun = text(
        language,
        if n == 1 {
            "text.area_one"
        } else {
            "text.areas"
        },
    );
    format!("{n} {noun}")
}

/// A number with `decimals` decimals, in `language`'s style: `1.25` or `1,25`.
pub(crate) fn decimal(language: Language, value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    if language.decimal_comma() {
        text.replace('.', ",")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_key_of_english() {
        let english = parse(EN).expect("en.toml parses");
        for language in Language::ALL {
            let words = parse(source(language)).expect("a catalogue parses");
            for key in english.keys() {
                assert!(words.contains_key(key), "{language} lacks {key}");
            }
            for key in words.keys().filter(|k| !k.starts_with("column.")) {
                assert!(
                    english.contains_key(key),
                    "{language} has {key}, English not"
                );
            }
        }
    }

    #[test]
    fn the_plans_table_reads_as_the_plan_in_nynorsk() {
        let nn = Language::Nynorsk;
        assert_eq!(text(nn, "table.observed"), "Snitt innb. pr. dag, totalt");
        assert_eq!(
            fill(nn, "table.uplift", &[("percent", "6")]),
            "Pluss 6% (utan mobil, avvik for SIM kort)"
        );
        assert_eq!(
            fill(nn, "table.residents", &[("region", "Hallingdal")]),
            "Fråtrekk innb. Hallingdal"
        );
        assert_eq!(text(nn, "table.per_year"), "Gjestedøgn pr. år");
    }

    #[test]
    fn fills_each_name_once_and_leaves_the_unknown() {
        let values = [("area", "Gol {days}"), ("days", "12")];
        assert_eq!(
            fill_in("{area}: {days} days, {days} in all {unknown} {", &values),
            "Gol {days}: 12 days, 12 in all {unknown} {"
        );
        assert_eq!(fill_in("", &values), "");
        assert_eq!(fill_in("no names", &values), "no names");
        assert_eq!(fill_in("{days}", &values), "12");
    }

    #[test]
    fn names_days_months_and_decimals_by_language() {
        use chrono::Weekday;
        let cases = [
            (Language::English, "Easter Sunday", "Sat", "1.25"),
            (Language::Nynorsk, "1. påskedag", "la.", "1,25"),
            (Language::Bokmal, "1. påskedag", "lør.", "1,25"),
        ];
        for (language, easter, saturday, ratio) in cases {
            assert_eq!(label(language, "Easter Sunday"), easter);
            assert_eq!(weekday(language, Weekday::Sat), saturday);
            assert_eq!(decimal(language, 1.2549, 2), ratio);
        }
        assert_eq!(days(Language::Nynorsk, 547), "547 dagar");
        assert_eq!(column(Language::English, "mean_observed"), "mean_observed");
        assert_eq!(
            column(Language::Nynorsk, "mean_observed"),
            "snitt_observert"
        );
    }
}
