//! Scenario files: TOML read into the model's [`ScenarioSpec`] and checked into a
//! [`Scenario`].
//!
//! ```toml
//! name = "Hallingdal"      # region name for outputs (default "Region")
//! language = "nn"          # outputs in nynorsk; or "nb", "en" (the default)
//! uplift = 0.06            # fraction, or "6 %"
//! counts = "counts.csv"    # optional, relative to this file
//! allocation = "present"   # or "residents": how region-level deductions are shared out
//! region_code = "HALLINGDAL"   # optional: count rows with this code are the region's own
//! [deductions]             # region-level figures, persons per day
//! residents = 20000
//! commuters = 1000
//! transit = 1000
//! day_visitors = { table = "day_visitors.csv", fill = 0 }   # by date
//! # a range for the uncertainty analysis (the estimate uses its mean):
//! # commuters = { triangular = [500, 1000, 1500] }; uplift = { uniform = [0.04, 0.08] }
//! [[area]]
//! code = "3324"
//! name = "Gol"
//! # residents = 4600       # a per-area figure instead of a region-level one
//! # (or, instead of [[area]] entries, a table with a row per area:
//! #  areas = "areas.csv" with columns code (or area), name and optional residents,
//! #  commuters, transit, day_visitors, holiday_homes, commercial_guest_nights; no others)
//! [calendar]               # optional; school holidays for calendar labels (Buskerud's)
//! winter_holiday_weeks = [8, 9]
//! [area_codes]             # optional: how area cells in inputs are read
//! digits = 4
//! mapping = "codes.csv"
//! [scaling]                # optional, each 1 if not given
//! deduplication = 0.95
//! market_share = 0.6
//! foreign = 1.0
//! # time_zone = "Europe/Oslo"   # (top level) zone of local times in hourly counts; the default
//! [night]                  # optional: the counts measure nights (only residents deducted)
//! window = "01:00-05:00"   # local time on the day after the evening date (the default)
//! rule = "minimum"         # or "median", "mean", or "hour:03" (the count at 03:00)
//! day = "10:00-18:00"      # the day window of the daytime excess (the default)
//! # residents = "baseline" # residents at home: "registered" (the default) or the median of
//! # reference = "2024-10-14..2024-10-20"   # these quiet nights (or a list of evening dates)
//! [origin]                 # optional: the counts are split by origin (date, area, origin, count)
//! kind = "previous-night"  # or "home" (long-term home), "sim-country"
//! min_count = 5            # the operator's k: cells under it were deleted or marked -1
//! [disclosure]             # optional: small-count protection of every output
//! min_count = 5            # figures of 1 to 4 persons (in magnitude) are suppressed
//! rounding = 5             # optional: published person figures rounded to 5 or 10
//! ```

use std::path::{Path, PathBuf};

use deltid_model::{
    Allocation, AreaSpec, Calibration, ClockWindow, DeductionSpec, Distribution, Error,
    NightResidents, NightRule, NightSettings, ParameterSpec, Result, Scenario, ScenarioSpec,
    SchoolHolidays,
};
use serde::Deserialize;

use crate::cell::{NumberStyle, parse_number};
use crate::source::looks_utf16;
use crate::tables::{TableLayout, TableRef, read_areas, read_deduction_table, read_mapping};

/// Reads and checks a scenario file. Relative paths in it (counts, tables, mapping) are taken
/// relative to the file's folder, and deduction tables are read now.
///
/// # Errors
/// [`Error::ReadFile`] if it cannot be read; [`Error::ReadScenario`] for invalid TOML or an
/// unknown or mistyped key (with line and column); [`Error::InvalidScenario`] naming the key
/// for a value out of range or a deduction given twice or not at all; the errors of reading a
/// deduction table or the code mapping.
///
/// # Examples
/// ```
/// let scenario = deltid_io::read_scenario("../../data/hallingdal/plan-2021.toml")?;
/// assert_eq!(scenario.uplift().fraction(), 0.06);
/// assert_eq!(scenario.areas().len(), 6);
/// # Ok::<(), deltid_io::Error>(())
/// ```
pub fn read_scenario(path: impl AsRef<Path>) -> Result<Scenario> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| Error::ReadFile {
        path: path.to_owned(),
        source,
    })?;
    if looks_utf16(&bytes) {
        return Err(Error::ReadScenario {
            path: path.to_owned(),
            message: "the file is UTF-16 text: save it as UTF-8".to_owned(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| Error::ReadScenario {
        path: path.to_owned(),
        message: format!(
            "not UTF-8 text (byte {}): save the scenario as UTF-8",
            e.utf8_error().valid_up_to()
        ),
    })?;
    scenario_from_toml(text.trim_start_matches('\u{feff}'), path)
}

/// Parses and checks a scenario from TOML text; `path` names it in errors and anchors its
/// relative paths.
///
/// # Errors
/// As [`read_scenario`], except [`Error::ReadFile`] for the scenario itself.
///
/// # Examples
/// ```
/// use std::path::Path;
/// let toml = r#"
///     uplift = 0.06
///     [deductions]
///     residents = 20000
///     commuters = 1000
///     transit = 1000
///     day_visitors = 1000
///     [[area]]
///     code = "3324"
///     name = "Gol"
/// "#;
/// let scenario = deltid_io::scenario_from_toml(toml, Path::new("plan.toml"))?;
/// assert_eq!(scenario.areas()[0].code.as_str(), "3324");
///
/// let err = deltid_io::scenario_from_toml(&toml.replace("0.06", "6"), Path::new("plan.toml"))
///     .unwrap_err();
/// assert!(err.to_string().contains("`uplift`"));
/// # Ok::<(), deltid_io::Error>(())
/// ```
pub fn scenario_from_toml(text: &str, path: &Path) -> Result<Scenario> {
    let raw: RawScenario = toml::from_str(text).map_err(|e| Error::ReadScenario {
        path: path.to_owned(),
        message: toml_message(&e),
    })?;
    let invalid = |key: &str, reason: String| Error::InvalidScenario {
        path: path.to_owned(),
        key: key.to_owned(),
        reason,
    };
    let folder = path.parent().unwrap_or(Path::new(""));
    let mut spec: ScenarioSpec<TableRef> = ScenarioSpec::new(path);
    spec.name = raw.name;
    spec.counts = raw.counts.map(|c| folder.join(c));
    spec.allocation = raw.allocation;
    spec.calendar = raw.calendar;
    spec.digits = raw.area_codes.digits;
    spec.region_code = raw.region_code;
    spec.language = raw.language;
    if let Some(zone) = raw.time_zone {
        if crate::cell::TimeParser::new(&zone).is_none() {
            return Err(invalid(
                "time_zone",
                format!(
                    "{} is not a time zone of the IANA database (write e.g. \"Europe/Oslo\")",
                    deltid_model::quoted(&zone)
                ),
            ));
        }
        spec.time_zone = Some(zone);
    }
    if let Some(night) = raw.night {
        let mut settings = NightSettings::default();
        if let Some(window) = night.window {
            settings.window = ClockWindow::parse(&window).ok_or_else(|| {
                invalid(
                    "night.window",
                    format!("{window:?} is not a window of local time such as \"01:00-05:00\""),
                )
            })?;
        }
        if let Some(rule) = night.rule {
            settings.rule = NightRule::parse(&rule).ok_or_else(|| {
                invalid(
                    "night.rule",
                    format!("{rule:?} is not \"minimum\", \"median\", \"mean\" or \"hour:03\" (an hour 00 to 23)"),
                )
            })?;
        }
        if let Some(day) = night.day {
            settings.day = ClockWindow::parse(&day)
                .filter(|w| !w.wraps())
                .ok_or_else(|| {
                    invalid(
                        "night.day",
                        format!("{day:?} is not a window of local time within one day such as \"10:00-18:00\""),
                    )
                })?;
        }
        spec.night = Some(settings);
        spec.night_residents = match (night.residents.as_deref(), &night.reference) {
            (None | Some("registered"), None) => NightResidents::Registered,
            (Some("baseline"), Some(reference)) => NightResidents::Baseline(
                reference_nights(reference).map_err(|reason| invalid("night.reference", reason))?,
            ),
            (Some("baseline"), None) => {
                return Err(invalid(
                    "night.residents",
                    "a baseline of residents at home needs its quiet reference nights: add reference = [\"2024-10-15\", …] or \"2024-10-14..2024-10-20\" (evening dates)".to_owned(),
                ));
            }
            (None | Some("registered"), Some(_)) => {
                return Err(invalid(
                    "night.reference",
                    "reference nights serve a baseline of residents at home: add residents = \"baseline\", or remove them".to_owned(),
                ));
            }
            (Some(other), _) => {
                return Err(invalid(
                    "night.residents",
                    format!("{other:?} is not \"registered\" or \"baseline\""),
                ));
            }
        };
    }
    if let Some(origin) = raw.origin {
        let kind = deltid_model::OriginKind::parse(&origin.kind).ok_or_else(|| {
            invalid(
                "origin.kind",
                format!(
                    "{} is not \"previous-night\", \"home\" or \"sim-country\"",
                    deltid_model::quoted(&origin.kind)
                ),
            )
        })?;
        let mut settings = deltid_model::OriginSettings::new(kind);
        if let Some(k) = origin.min_count {
            if !(k.is_finite() && (0.0..=1_000.0).contains(&k)) {
                return Err(invalid(
                    "origin.min_count",
                    format!(
                        "{}: the operator's smallest published count is persons from 0 to 1000",
                        short_number(k)
                    ),
                ));
            }
            settings.min_count = k;
        }
        spec.origin = Some(settings);
    }
    spec.disclosure =
        deltid_model::Disclosure::new(raw.disclosure.min_count, raw.disclosure.rounding)
            .map_err(|reason| invalid("disclosure", reason))?;
    spec.scaling = [
        raw.scaling.deduplication,
        raw.scaling.market_share,
        raw.scaling.foreign,
    ];
    spec.uplift = Some(uplift(&raw.uplift).map_err(|reason| invalid("uplift", reason))?);
    if let Some(mapping) = &raw.area_codes.mapping {
        let file = folder.join(mapping);
        let rows = read_mapping(&file)?;
        spec.mapping = Some((file, rows));
    }
    spec.areas = match raw.areas_table {
        Some(table) if !raw.areas.is_empty() => {
            return Err(invalid(
                "areas",
                format!(
                    "the areas are given both as a table ({}) and as [[area]] entries: give them one way",
                    table.display()
                ),
            ));
        }
        Some(table) => {
            let file = folder.join(table);
            let areas = read_areas(&file)?;
            spec.areas_table = Some(file);
            areas
        }
        None => Vec::new(),
    };
    spec.areas.extend(raw.areas.into_iter().map(|a| AreaSpec {
        code: a.code,
        name: a.name,
        deductions: [a.residents, a.commuters, a.transit, a.day_visitors],
        calibration: Calibration {
            holiday_homes: a.holiday_homes,
            commercial_guest_nights: a.commercial_guest_nights,
        },
        at: None,
    }));
    let deductions = [
        ("residents", raw.deductions.residents),
        ("commuters", raw.deductions.commuters),
        ("transit", raw.deductions.transit),
        ("day_visitors", raw.deductions.day_visitors),
    ];
    for (slot, (key, value)) in spec.deductions.iter_mut().zip(deductions) {
        *slot = value
            .map(|v| deduction(v, folder))
            .transpose()
            .map_err(|reason| invalid(&format!("deductions.{key}"), reason))?;
    }
    Scenario::new(spec, read_deduction_table)
}

/// A TOML error's message, trimmed, with numbers too large for TOML told as such: the
/// parser's excerpt of the line is kept, its own wording (`invalid type: integer … as i128`,
/// `floating-point number overflowed`) replaced.
fn toml_message(error: &toml::de::Error) -> String {
    let message = error.to_string();
    let message = message.trim_end();
    let too_large = ["i128", "number too large", "overflowed"];
    if too_large.iter().any(|t| message.contains(t)) {
        // The excerpt is every line up to the parser's own last line.
        let excerpt = message.rsplit_once('\n').map_or("", |(excerpt, _)| excerpt);
        let persons = "a number too large to read: persons are at most 10 000 000 000";
        return if excerpt.is_empty() {
            persons.to_owned()
        } else {
            format!("{excerpt}\n{persons}")
        };
    }
    message.to_owned()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Option<String>,
    language: Option<deltid_model::Language>,
    uplift: Option<toml::Value>,
    counts: Option<PathBuf>,
    allocation: Option<Allocation>,
    #[serde(default)]
    deductions: RawDeductions,
    #[serde(rename = "area", default)]
    areas: Vec<RawArea>,
    /// The areas as a table file instead of `[[area]]` entries.
    #[serde(rename = "areas")]
    areas_table: Option<PathBuf>,
    #[serde(default)]
    calendar: SchoolHolidays,
    #[serde(default)]
    area_codes: RawAreaCodes,
    #[serde(default)]
    scaling: RawScaling,
    region_code: Option<String>,
    time_zone: Option<String>,
    night: Option<RawNight>,
    origin: Option<RawOrigin>,
    #[serde(default)]
    disclosure: RawDisclosure,
}

/// `[origin]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrigin {
    kind: String,
    min_count: Option<f64>,
}

/// `[night]` as written; every key optional.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNight {
    window: Option<String>,
    rule: Option<String>,
    day: Option<String>,
    residents: Option<String>,
    reference: Option<toml::Value>,
}

/// `[night] reference` as written: a list of evening dates, or a range `"FROM..TO"` (both
/// included), as dates.
fn reference_nights(value: &toml::Value) -> std::result::Result<Vec<chrono::NaiveDate>, String> {
    let date = |text: &str| {
        chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| format!("{text:?} is not a date written yyyy-mm-dd"))
    };
    let mut nights = match value {
        toml::Value::String(range) => {
            let (from, to) = range.split_once("..").ok_or_else(|| {
                format!(
                    "{range:?} is not a range of evening dates such as \"2024-10-14..2024-10-20\""
                )
            })?;
            let (from, to) = (date(from)?, date(to)?);
            if to < from {
                return Err(format!("the range {range:?} ends before it starts"));
            }
            from.iter_days().take_while(|d| *d <= to).collect()
        }
        toml::Value::Array(items) => items
            .iter()
            .map(|item| match item {
                toml::Value::String(text) => date(text),
                toml::Value::Datetime(d) => date(&d.to_string()),
                other => Err(format!("{other} is not a date written \"yyyy-mm-dd\"")),
            })
            .collect::<std::result::Result<Vec<_>, _>>()?,
        other => {
            return Err(format!(
                "{other} is neither a list of evening dates nor a range \"FROM..TO\""
            ));
        }
    };
    nights.sort_unstable();
    nights.dedup();
    if nights.is_empty() {
        return Err("no reference night is named".to_owned());
    }
    Ok(nights)
}

/// `[disclosure]` as written: the smallest count published and the rounding base.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDisclosure {
    min_count: Option<u32>,
    rounding: Option<u32>,
}

/// How area cells in inputs are read: `[area_codes]` with `digits` and `mapping`.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAreaCodes {
    digits: Option<usize>,
    mapping: Option<PathBuf>,
}

/// `[scaling]` as written; every key optional.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScaling {
    deduplication: Option<f64>,
    market_share: Option<f64>,
    foreign: Option<f64>,
}

/// The deductions as written; each is kept as a TOML value so that every wrong shape gets its
/// own message.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeductions {
    residents: Option<toml::Value>,
    commuters: Option<toml::Value>,
    transit: Option<toml::Value>,
    day_visitors: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArea {
    code: String,
    name: String,
    residents: Option<f64>,
    commuters: Option<f64>,
    transit: Option<f64>,
    day_visitors: Option<f64>,
    holiday_homes: Option<f64>,
    commercial_guest_nights: Option<f64>,
}

/// A number in TOML, whole or not.
fn number(value: &toml::Value) -> Option<f64> {
    match value {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// The uplift as written: a number (a fraction), a string (`"6 %"`, or a fraction), or a
/// range.
fn uplift(value: &Option<toml::Value>) -> std::result::Result<ParameterSpec, String> {
    let Some(value) = value else {
        return Err(
            "not given: write the uplift as a fraction (0.06) or a percent (\"6 %\")".to_owned(),
        );
    };
    let not_read =
        || format!("{value} is not a fraction between 0 and 1 (write 0.06 or \"6 %\" for 6 %)");
    match value {
        toml::Value::Table(table) => match distribution(table) {
            Some(distribution) => distribution.map(ParameterSpec::Distributed),
            None => Err(not_read()),
        },
        toml::Value::String(text) => {
            let trimmed = text.trim();
            let (number, percent) = match trimmed.strip_suffix('%') {
                Some(percent) => (percent, true),
                None => (trimmed, false),
            };
            let value = parse_number(number, NumberStyle::default()).ok_or_else(not_read)?;
            Ok(ParameterSpec::Value {
                value: if percent { value / 100.0 } else { value },
                percent,
                written: format!("{text:?}"),
            })
        }
        other => Ok(ParameterSpec::Value {
            value: number(other).ok_or_else(not_read)?,
            percent: false,
            written: other.to_string(),
        }),
    }
}

/// A deduction as written: a number, a range, or an inline table `{ table = "file.csv" }`.
fn deduction(
    value: toml::Value,
    folder: &Path,
) -> std::result::Result<DeductionSpec<TableRef>, String> {
    const SHAPE: &str = "expected a number of persons per day, or { table = \"file.csv\" } with optional fill = <persons>, date/area/persons = \"<column>\", sum = true, or a range { uniform = [low, high] }, { triangular = [low, mode, high] }, { normal = [mean, sd] }";
    if let Some(persons) = number(&value) {
        return Ok(DeductionSpec::Persons(persons));
    }
    let toml::Value::Table(table) = value else {
        return Err(format!("{SHAPE}, found {value}"));
    };
    if let Some(distribution) = distribution(&table) {
        return distribution.map(DeductionSpec::Distributed);
    }
    const KEYS: [&str; 6] = ["table", "fill", "date", "area", "persons", "sum"];
    if let Some(key) = table.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!("unknown key `{key}`: {SHAPE}"));
    }
    let file = match table.get("table") {
        Some(toml::Value::String(file)) => folder.join(file),
        Some(other) => {
            return Err(format!(
                "`table` must be a file name in quotes, found {other}"
            ));
        }
        None => return Err(format!("no `table` key: {SHAPE}")),
    };
    let fill = match table.get("fill") {
        None => None,
        Some(v) => Some(
            number(v).ok_or_else(|| format!("`fill` must be a number of persons, found {v}"))?,
        ),
    };
    let mut layout = TableLayout::default();
    for (key, slot) in [
        ("date", &mut layout.date),
        ("area", &mut layout.area),
        ("persons", &mut layout.persons),
    ] {
        match table.get(key) {
            None => {}
            Some(toml::Value::String(column)) => *slot = column.clone(),
            Some(other) => {
                return Err(format!(
                    "`{key}` must be a column name in quotes, found {other}"
                ));
            }
        }
    }
    match table.get("sum") {
        None => {}
        Some(toml::Value::Boolean(sum)) => layout.sum = *sum,
        Some(other) => return Err(format!("`sum` must be true or false, found {other}")),
    }
    Ok(DeductionSpec::Table {
        table: TableRef { path: file, layout },
        fill,
    })
}

/// Reads `{ uniform = [..] }`, `{ triangular = [..] }` or `{ normal = [..] }` from an inline
/// table: `None` if the table has none of these keys, else the distribution or what is wrong.
fn distribution(table: &toml::Table) -> Option<std::result::Result<Distribution, String>> {
    const SHAPE: &str = "expected { uniform = [low, high] }, { triangular = [low, mode, high] } or { normal = [mean, sd] }";
    let (name, value) = table
        .iter()
        .find(|(k, _)| matches!(k.as_str(), "uniform" | "triangular" | "normal"))?;
    if table.len() > 1 {
        return Some(Err(format!("only `{name}` may be given: {SHAPE}")));
    }
    let numbers: Option<Vec<f64>> = match value {
        toml::Value::Array(items) => items.iter().map(number).collect(),
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

/// A number as a message shows it: as written when short, else in scientific notation
/// (`1e300`, not its 301 digits).
fn short_number(value: f64) -> String {
    let plain = format!("{value}");
    if plain.len() <= 16 {
        plain
    } else {
        format!("{value:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distributions_from_tables_say_what_is_wrong() {
        let parse = |text: &str| {
            let table: toml::Table = toml::from_str(&format!("x = {text}")).expect("toml");
            match table.get("x") {
                Some(toml::Value::Table(t)) => distribution(t),
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
}
