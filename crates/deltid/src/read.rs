//! Values as analysts write them: numbers of persons, dates, and where they sit.
//!
//! Each parser turns one cell into a value or an [`Error`] naming the file, the place
//! ([`Location`]), the column and the text found.

use std::path::Path;

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, Result};
use crate::source::Location;

/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
const EPOCH_FROM_CE: i32 = 719_163;

/// Position of `column` in `header`, or [`Error::MissingColumn`], or
/// [`Error::DuplicateColumn`] if it occurs twice.
pub(crate) fn column_index(header: &[String], column: &str, path: &Path) -> Result<usize> {
    let mut found = header.iter().enumerate().filter(|(_, h)| *h == column);
    match (found.next(), found.next()) {
        (Some((at, _)), None) => Ok(at),
        (Some(_), Some(_)) => Err(Error::DuplicateColumn {
            path: path.to_owned(),
            column: column.to_owned(),
        }),
        (None, _) => Err(Error::MissingColumn {
            path: path.to_owned(),
            column: column.to_owned(),
            found: header.to_vec(),
        }),
    }
}

/// Wraps a CSV reader error with the file and the line where the record starts; an I/O error
/// becomes [`Error::ReadFile`].
pub(crate) fn csv_error(path: &Path, source: csv::Error) -> Error {
    let line = source.position().map_or(0, |p| p.line());
    if !source.is_io_error() {
        return Error::ReadCsv {
            path: path.to_owned(),
            line,
            source,
        };
    }
    match source.into_kind() {
        csv::ErrorKind::Io(source) => Error::ReadFile {
            path: path.to_owned(),
            source,
        },
        kind => Error::ReadCsv {
            path: path.to_owned(),
            line,
            source: csv::Error::from(std::io::Error::other(format!("{kind:?}"))),
        },
    }
}

/// The mark between the whole and the fractional part of a number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DecimalMark {
    /// `.`, as in `2803.44`.
    #[default]
    Point,
    /// `,`, as in `2803,44`: what Excel expects with Norwegian (and most European) settings.
    Comma,
}

/// How numbers are written in an input: the decimal mark, and whether `.` separates
/// thousands (only when declared: `1.234,5`). Spaces, no-break spaces (U+00A0) and narrow
/// no-break spaces (U+202F) between digits are always read as thousands separators.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NumberStyle {
    /// The decimal mark; `None` detects it: a single `.` or `,` is the decimal mark (`1234.5`
    /// and `1234,5` both read as 1 234.5), a number with both is refused, and so is one that
    /// could be a thousand (`1,234`).
    pub decimal: Option<DecimalMark>,
    /// Whether `.` is a thousands separator (then the decimal mark must be `,`).
    pub thousands_dot: bool,
}

/// The largest number of persons deltid accepts in one count or deduction: ten billion, more
/// than the world's population. Larger values are data errors, and the bound keeps every sum
/// exact in `f64` and within `i64` when rounded.
pub const MAX_PERSONS: f64 = 1e10;

/// Parses a number as written in `style`, or `None`.
///
/// Thousands separators (spaces, no-break spaces, narrow no-break spaces, and `.` when
/// declared) must group the whole part in threes (`12 345`, not `12 34 5`); the decimal mark
/// must have digits on both sides (`0,5`, not `,5` or `5,`).
pub(crate) fn parse_number(text: &str, style: NumberStyle) -> Option<f64> {
    let text = text.trim();
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.strip_prefix('+').unwrap_or(text)),
    };
    // Scientific notation is a machine's writing: no separators, a point or comma mark.
    if unsigned.contains(['e', 'E']) {
        let plain = unsigned.replace(',', ".");
        let ok = style.decimal != Some(DecimalMark::Comma) || !unsigned.contains('.');
        let digits_only = plain
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'));
        return (ok && digits_only && plain.starts_with(|c: char| c.is_ascii_digit()))
            .then(|| format!("{sign}{plain}").parse::<f64>().ok())
            .flatten()
            .filter(|v| v.is_finite());
    }
    let mark = match style.decimal {
        Some(DecimalMark::Point) => '.',
        Some(DecimalMark::Comma) => ',',
        // Detected: the last `.` or `,`, unless `.` separates thousands.
        None if style.thousands_dot => ',',
        None => match (unsigned.contains('.'), unsigned.contains(',')) {
            (true, true) => return None,
            (true, false) => '.',
            _ => ',',
        },
    };
    let (whole, fraction) = match unsigned.split_once(mark) {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let is_separator =
        |c: char| matches!(c, ' ' | '\u{a0}' | '\u{202f}') || (style.thousands_dot && c == '.');
    let groups: Vec<&str> = whole.split(is_separator).collect();
    let grouped =
        groups.len() == 1 || (groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !grouped || !groups.iter().all(|g| digits(g)) || fraction.is_some_and(|f| !digits(f)) {
        return None;
    }
    let number = match fraction {
        Some(f) => format!("{sign}{}.{f}", groups.concat()),
        None => format!("{sign}{}", groups.concat()),
    };
    number.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Parses a finite, non-negative number of persons (fractions allowed), at most
/// [`MAX_PERSONS`].
pub(crate) fn parse_persons(
    text: &str,
    style: NumberStyle,
    path: &Path,
    at: &Location,
    column: &str,
) -> Result<f64> {
    let value = parse_number(text, style).ok_or_else(|| Error::ParseNumber {
        path: path.to_owned(),
        at: at.clone(),
        column: column.to_owned(),
        value: text.to_owned(),
    })?;
    if value < 0.0 {
        return Err(Error::NegativeNumber {
            path: path.to_owned(),
            at: at.clone(),
            column: column.to_owned(),
            value: text.to_owned(),
        });
    }
    if value > MAX_PERSONS {
        return Err(Error::TooLarge {
            path: path.to_owned(),
            at: at.clone(),
            column: column.to_owned(),
            value: text.to_owned(),
        });
    }
    // -0 parses as zero; keep the sign out of outputs.
    Ok(value + 0.0)
}

/// How dates are written in an input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum DateFormat {
    /// Detected from the column: ISO 8601 (`2020-01-31`, a time after it ignored),
    /// `31.01.2020`, `31/01/2020` or `01/31/2020` (refused when every value fits both),
    /// `2020/01/31`, or Excel serial numbers (1900 date system).
    #[default]
    Auto,
    /// A chrono format such as `%d/%m/%Y`.
    Pattern(String),
    /// Excel serial day numbers, 1900 date system (1 = 1900-01-01; Excel's phantom
    /// 1900-02-29, serial 60, is refused).
    ExcelSerial,
}

/// The formats tried when dates are detected, with how they are named in messages.
const DATE_PATTERNS: [(&str, &str); 6] = [
    ("%Y-%m-%d", "yyyy-mm-dd"),
    ("%d.%m.%Y", "dd.mm.yyyy"),
    ("%d/%m/%Y", "dd/mm/yyyy"),
    ("%m/%d/%Y", "mm/dd/yyyy"),
    ("%Y/%m/%d", "yyyy/mm/dd"),
    ("%d-%m-%Y", "dd-mm-yyyy"),
];

/// A date format chosen for a column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DateParser {
    Pattern { pattern: String, name: String },
    ExcelSerial { detected: bool },
}

/// Excel serials accepted when the format is detected rather than declared: 1990-01-01
/// (32 874) to 2100-12-31 (73 415), so that small counts are not taken for dates of 1900.
const DETECTED_SERIALS: std::ops::RangeInclusive<f64> = 32_874.0..=73_415.0;

impl DateParser {
    /// Parses one date, or `None`.
    ///
    /// A time after the date is ignored (`2020-01-31T00:00:00`, `31.01.2020 00:00`). Years
    /// must have four digits (`31.01.20` is refused, never read as the year 20). Besides the
    /// chosen format, the two formats that cannot be misread — ISO 8601 and `dd.mm.yyyy` — are
    /// always accepted, as spreadsheets mix real date cells with typed ones.
    pub fn parse(&self, text: &str) -> Option<NaiveDate> {
        self.parse_chosen(text)
            .or_else(|| DateParser::iso().parse_chosen(text))
            .or_else(|| DateParser::dotted().parse_chosen(text))
    }

    fn iso() -> DateParser {
        DateParser::Pattern {
            pattern: "%Y-%m-%d".to_owned(),
            name: String::new(),
        }
    }

    fn dotted() -> DateParser {
        DateParser::Pattern {
            pattern: "%d.%m.%Y".to_owned(),
            name: String::new(),
        }
    }

    /// Parses one date in this format only.
    fn parse_chosen(&self, text: &str) -> Option<NaiveDate> {
        let text = text.trim();
        let date_part = text.split([' ', 'T']).next().unwrap_or(text);
        let four_digit_year = |s: &str| {
            s.split(|c: char| !c.is_ascii_digit())
                .any(|run| run.len() == 4)
        };
        let by_pattern = |pattern: &str| {
            four_digit_year(date_part)
                .then(|| NaiveDate::parse_from_str(date_part, pattern).ok())
                .flatten()
        };
        match self {
            // The common case, without parsing the pattern for every value.
            DateParser::Pattern { pattern, .. } if pattern == "%Y-%m-%d" => {
                iso_date(date_part).or_else(|| by_pattern(pattern))
            }
            DateParser::Pattern { pattern, .. } => by_pattern(pattern),
            DateParser::ExcelSerial { detected } => parse_number(text, NumberStyle::default())
                .filter(|s| !detected || DETECTED_SERIALS.contains(s))
                .and_then(excel_serial_to_date),
        }
    }

    /// The format in words, for messages.
    pub fn name(&self) -> &str {
        match self {
            DateParser::Pattern { name, .. } => name,
            DateParser::ExcelSerial { .. } => "an Excel serial day number",
        }
    }

    /// Chooses how to read a column of dates.
    ///
    /// With [`DateFormat::Auto`], the first format that reads every value wins; when both
    /// day-first and month-first slashes read every value, the column is ambiguous and
    /// `Err` carries an example. When no format reads every value, the one that reads most is
    /// chosen, so that the values it cannot read are reported.
    pub fn choose<'a>(
        format: &DateFormat,
        values: impl Iterator<Item = &'a str> + Clone,
    ) -> std::result::Result<DateParser, String> {
        let pattern = |(p, n): (&str, &str)| DateParser::Pattern {
            pattern: p.to_owned(),
            name: n.to_owned(),
        };
        match format {
            DateFormat::Pattern(p) => return Ok(pattern((p, p))),
            DateFormat::ExcelSerial => return Ok(DateParser::ExcelSerial { detected: false }),
            DateFormat::Auto => {}
        }
        let candidates: Vec<DateParser> = DATE_PATTERNS
            .into_iter()
            .map(pattern)
            .chain([DateParser::ExcelSerial { detected: true }])
            .collect();
        let read: Vec<usize> = candidates
            .iter()
            .map(|c| {
                values
                    .clone()
                    .filter(|v| c.parse_chosen(v).is_some())
                    .count()
            })
            .collect();
        let total = values.clone().count();
        let fits: Vec<usize> = (0..candidates.len())
            .filter(|&i| read[i] == total)
            .collect();
        // dd/mm/yyyy is candidate 2 and mm/dd/yyyy candidate 3.
        if fits.contains(&2) && fits.contains(&3) && total > 0 {
            let example = values.clone().next().unwrap_or_default().to_owned();
            return Err(example);
        }
        // No format reads every value: the one that reads most, or when none reads any, the one
        // whose separator the first value uses, so that the message names the likely format.
        let first = values.clone().next().unwrap_or_default();
        let separator = first.chars().find(|c| matches!(c, '-' | '.' | '/'));
        let best = fits.first().copied().unwrap_or_else(|| {
            (0..candidates.len())
                .max_by_key(|&i| {
                    let shaped = match (&candidates[i], separator) {
                        (DateParser::Pattern { pattern, .. }, Some(sep)) => pattern.contains(sep),
                        _ => false,
                    };
                    (read[i], shaped, std::cmp::Reverse(i))
                })
                .unwrap_or(0)
        });
        Ok(candidates[best].clone())
    }
}

/// The date of an Excel serial day number in the 1900 date system: 1 is 1900-01-01, 61 is
/// 1900-03-01 (Excel counts a 29 February 1900 that never was, serial 60, which is refused).
/// A fraction (a time of day) is dropped.
pub(crate) fn excel_serial_to_date(serial: f64) -> Option<NaiveDate> {
    if !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let day = serial.floor() as i64;
    let base = match day {
        60 => return None,
        1..=59 => NaiveDate::from_ymd_opt(1899, 12, 31)?,
        _ => NaiveDate::from_ymd_opt(1899, 12, 30)?,
    };
    base.checked_add_signed(chrono::TimeDelta::days(day))
}
/// Days since 1970-01-01, the physical value of a polars `Date`.
pub(crate) fn epoch_days(date: NaiveDate) -> i32 {
    date.num_days_from_ce() - EPOCH_FROM_CE
}

/// The date of a polars `Date` physical value.
pub(crate) fn from_epoch_days(days: i32) -> NaiveDate {
    // Every Date in deltid's frames came from `epoch_days` of a valid date, so this is in range.
    days.checked_add(EPOCH_FROM_CE)
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or_default()
}

/// A date written exactly `yyyy-mm-dd`, read without chrono's pattern parser; `None` for
/// anything else (which the pattern parser then reads, or refuses).
pub(crate) fn iso_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(5..7)?, digits(8..10)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_read_fast_as_chrono_reads_them() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(iso_date("2020-02-29"), d(2020, 2, 29));
        // Not a day (2021 is no leap year), not the exact form, not digits: left to chrono.
        for text in [
            "2021-02-29",
            "2020-1-05",
            "2020/01/05",
            "2020-01-0x",
            "20200105",
        ] {
            assert_eq!(iso_date(text), None, "{text}");
        }
        for text in [
            "2020-02-29",
            "1900-01-01",
            "2199-12-31",
            "2021-02-29",
            "2020-13-01",
        ] {
            assert_eq!(
                iso_date(text),
                NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
                "{text}"
            );
        }
    }

    #[test]
    fn epoch_days_round_trip() {
        for (y, m, d, days) in [(1970, 1, 1, 0), (1969, 12, 31, -1), (2020, 2, 29, 18_321)] {
            let date = NaiveDate::from_ymd_opt(y, m, d).expect("a date");
            assert_eq!(epoch_days(date), days);
            assert_eq!(from_epoch_days(days), date);
        }
    }

    #[test]
    fn persons_accept_fractions_and_reject_the_rest() {
        let path = Path::new("x.csv");
        let at = Location::Line(2);
        let auto = NumberStyle::default();
        // (text, persons), each as a Norwegian or English file may write it.
        let ok = [
            ("12", 12.0),
            (" 12.5 ", 12.5),
            ("12,5", 12.5),
            ("12 000", 12_000.0),
            ("12\u{a0}000,5", 12_000.5),
            ("12\u{202f}000", 12_000.0),
            ("0", 0.0),
            ("-0", 0.0),
            ("1e3", 1000.0),
        ];
        for (text, value) in ok {
            let parsed = parse_persons(text, auto, path, &at, "count").expect(text);
            assert_eq!(parsed, value, "{text:?}");
            assert!(parsed.is_sign_positive(), "{text}");
        }
        for text in [
            "",
            "abc",
            "1.234,5",
            "inf",
            "NaN",
            "0x10",
            "1,2,3",
            "12 34 5",
            "1 2 3 4",
            "12  345",
            "1234 567",
            "1868.",
            ",5",
            "1 234.5.6",
        ] {
            assert!(
                matches!(
                    parse_persons(text, auto, path, &at, "count"),
                    Err(Error::ParseNumber { .. })
                ),
                "{text:?}"
            );
        }
        assert!(matches!(
            parse_persons("-0.5", auto, path, &at, "count"),
            Err(Error::NegativeNumber { .. })
        ));
        // Declared: a dot between thousands, a comma before decimals.
        let norwegian = NumberStyle {
            decimal: Some(DecimalMark::Comma),
            thousands_dot: true,
        };
        assert_eq!(parse_number("1.234,5", norwegian), Some(1234.5));
        let english = NumberStyle {
            decimal: Some(DecimalMark::Point),
            thousands_dot: false,
        };
        assert_eq!(parse_number("1,234.5", english), None);
    }

    #[test]
    fn excel_serials_use_the_1900_system() {
        // 1 = 1900-01-01, 59 = 1900-02-28, 60 is Excel's phantom 29 Feb 1900,
        // 61 = 1900-03-01, 43831 = 2020-01-01, 44197 = 2021-01-01.
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        let cases = [
            (1.0, day(1900, 1, 1)),
            (59.0, day(1900, 2, 28)),
            (60.0, None),
            (61.0, day(1900, 3, 1)),
            (43_831.0, day(2020, 1, 1)),
            (43_831.75, day(2020, 1, 1)),
            (44_197.0, day(2021, 1, 1)),
            (0.0, None),
        ];
        for (serial, date) in cases {
            assert_eq!(excel_serial_to_date(serial), date, "{serial}");
        }
    }

    #[test]
    fn date_formats_are_detected_and_ambiguity_refused() {
        let choose =
            |values: &[&str]| DateParser::choose(&DateFormat::Auto, values.iter().copied());
        let name = |values: &[&str]| choose(values).map(|p| p.name().to_owned());
        assert_eq!(
            name(&["2020-01-31", "2020-02-01"]).as_deref(),
            Ok("yyyy-mm-dd")
        );
        assert_eq!(name(&["2020-01-31T00:00:00"]).as_deref(), Ok("yyyy-mm-dd"));
        assert_eq!(
            name(&["31.01.2020", "01.02.2020"]).as_deref(),
            Ok("dd.mm.yyyy")
        );
        assert_eq!(
            name(&["31/01/2020", "01/02/2020"]).as_deref(),
            Ok("dd/mm/yyyy")
        );
        assert_eq!(
            name(&["01/31/2020", "02/01/2020"]).as_deref(),
            Ok("mm/dd/yyyy")
        );
        assert_eq!(
            name(&["43831", "43832"]).as_deref(),
            Ok("an Excel serial day number")
        );
        // Every value fits both day-first and month-first: refused, with an example.
        assert_eq!(
            choose(&["01/02/2020", "03/04/2020"]).err().as_deref(),
            Some("01/02/2020")
        );
        // One impossible date among ISO dates: ISO is still chosen, so it can be reported.
        let parser = choose(&["2020-01-31", "2020-02-30"]).expect("a parser");
        assert_eq!(parser.name(), "yyyy-mm-dd");
        assert_eq!(parser.parse("2020-02-30"), None);
        // Nothing reads: the message names the format the value looks like.
        assert_eq!(name(&["31.02.2020"]).as_deref(), Ok("dd.mm.yyyy"));
        // Two-digit years are refused, never read as the year 19.
        let dotted = choose(&["01.09.2019"]).expect("a parser");
        assert_eq!(dotted.parse("01.09.19"), None);
        assert_eq!(
            dotted.parse("1.9.2019"),
            NaiveDate::from_ymd_opt(2019, 9, 1)
        );
        // A time after the date is ignored; ISO is accepted beside any chosen format.
        assert_eq!(
            dotted.parse("01.09.2019 00:00"),
            NaiveDate::from_ymd_opt(2019, 9, 1)
        );
        assert_eq!(
            dotted.parse("2019-09-01"),
            NaiveDate::from_ymd_opt(2019, 9, 1)
        );
        // Small numbers are not taken for Excel dates of 1900 unless declared.
        assert_ne!(
            name(&["1", "2"]).as_deref(),
            Ok("an Excel serial day number")
        );
    }
}
