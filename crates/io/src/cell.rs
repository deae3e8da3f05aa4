//! One reading of a cell: numbers of persons and dates as analysts write them.
//!
//! Every reader (CSV, spreadsheets, Parquet text columns, deduction tables) turns a cell into a
//! value through these functions, so a cell reads the same whatever file it sits in. Cells are
//! trimmed by the model's one rule ([`trim_cell`]).

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};
use deltid_model::{MAX_PERSONS, trim_cell};

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
/// no-break spaces (U+202F) between digit groups are always read as thousands separators.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NumberStyle {
    /// The decimal mark; `None` detects it: a single `.` or `,` is the decimal mark (`1234.5`
    /// and `1234,5` both read as 1 234.5), a number with both is refused, and so is one that
    /// could be a thousand (`1,234`).
    pub decimal: Option<DecimalMark>,
    /// Whether `.` is a thousands separator (then the decimal mark must be `,`).
    pub thousands_dot: bool,
}

/// Why a cell is no number of persons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NotPersons {
    /// Not a number as written in the style.
    Parse,
    /// `1,234` or `1.234` with the decimal mark undeclared.
    Ambiguous,
    /// Below zero.
    Negative,
    /// Above [`MAX_PERSONS`] (or not finite).
    TooLarge,
}

/// Reads a cell as a number of persons: finite, non-negative, at most [`MAX_PERSONS`],
/// fractions allowed (operators extrapolate counts to the population).
pub(crate) fn persons(text: &str, style: NumberStyle) -> Result<f64, NotPersons> {
    let text = trim_cell(text);
    // The common case: plain digits.
    if !text.is_empty() && text.len() <= 15 && text.bytes().all(|b| b.is_ascii_digit()) {
        let whole = text.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
        return check_persons(whole as f64);
    }
    if is_ambiguous(text, style) {
        return Err(NotPersons::Ambiguous);
    }
    check_persons(parse_number(text, style).ok_or(NotPersons::Parse)?)
}

/// A cell of 1 to 8 ASCII digits as its number (`None` for anything else), read as one
/// 64-bit word instead of digit by digit: most count cells are such, and this is the reader's
/// busiest line.
#[inline]
pub(crate) fn short_digits(bytes: &[u8]) -> Option<u64> {
    let n = bytes.len();
    if n == 0 || n > 8 {
        return None;
    }
    // The bytes as a word, the first in the lowest byte (from two overlapping 4-byte reads,
    // as `rows::pack` does, without a copy of a length known only here) ...
    let word = |w: &[u8; 4]| u64::from(u32::from_le_bytes(*w));
    let x = match (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        (Some(head), Some(tail)) => word(head) | word(tail) << (8 * (n - 4)),
        _ => bytes.iter().rev().fold(0, |x, &b| x << 8 | u64::from(b)),
    };
    // ... moved up to the top bytes and padded in front with '0' to 8 digits.
    let pad = 8 * (8 - n);
    let x = (x << pad)
        | (0x3030_3030_3030_3030_u64
            .checked_shr(64 - pad as u32)
            .unwrap_or(0));
    // Every byte 0x30..=0x39: its high half 3, and still 3 after adding 6 to each byte (a low
    // half above 9 carries into it; no byte carries into the next: each is at most 0x3f + 6).
    const HIGH: u64 = 0xf0f0_f0f0_f0f0_f0f0;
    const THREES: u64 = 0x3030_3030_3030_3030;
    if x & HIGH != THREES || (x + 0x0606_0606_0606_0606) & HIGH != THREES {
        return None;
    }
    // Pairs of digits, then fours, then the eight: each step multiplies the higher half by
    // 10, 100 or 10 000 and adds the lower.
    let x = (x & 0x0f0f_0f0f_0f0f_0f0f).wrapping_mul(10 * 0x100 + 1) >> 8;
    let x = (x & 0x00ff_00ff_00ff_00ff).wrapping_mul(100 * 0x1_0000 + 1) >> 16;
    let x = (x & 0x0000_ffff_0000_ffff).wrapping_mul(10_000 * 0x1_0000_0000 + 1) >> 32;
    Some(x)
}

/// Checks a number read from a typed cell (a spreadsheet or Parquet number) as persons.
pub(crate) fn check_persons(value: f64) -> Result<f64, NotPersons> {
    if value.is_nan() {
        return Err(NotPersons::Parse);
    }
    if value < 0.0 {
        return Err(NotPersons::Negative);
    }
    if value > MAX_PERSONS {
        return Err(NotPersons::TooLarge);
    }
    // -0 is 0; keep the sign out of outputs.
    Ok(value + 0.0)
}

/// Parses a number as written in `style`, or `None`.
///
/// Thousands separators (spaces, no-break spaces, narrow no-break spaces, and `.` when
/// declared) must group the whole part in threes (`12 345`, not `12 34 5`); the decimal mark
/// must have digits on both sides (`0,5`, not `,5` or `5,`).
pub(crate) fn parse_number(text: &str, style: NumberStyle) -> Option<f64> {
    let text = trim_cell(text);
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.strip_prefix('+').unwrap_or(text)),
    };
    // Scientific notation is a machine's writing: no separators, a point mark (or a comma,
    // unless a point is declared).
    if unsigned.contains(['e', 'E']) {
        let plain = unsigned.replace(',', ".");
        let ok = style.decimal != Some(DecimalMark::Point) || !unsigned.contains(',');
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

/// Whether a number reads two ways with the decimal mark undeclared: `1,234` and `1.234` are a
/// decimal to some writers and a thousand to others.
fn is_ambiguous(text: &str, style: NumberStyle) -> bool {
    if style.decimal.is_some() {
        return false;
    }
    // A sign does not settle it: `+1.234` is as ambiguous as `1.234`.
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let Some(at) = unsigned.find([',', '.']) else {
        return false;
    };
    let (whole, fraction) = (&unsigned[..at], &unsigned[at + 1..]);
    (1..=3).contains(&whole.len())
        && whole.chars().all(|c| c.is_ascii_digit())
        && fraction.len() == 3
        && fraction.chars().all(|c| c.is_ascii_digit())
        && parse_number(text, style).is_some()
}

/// How dates are written in an input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum DateFormat {
    /// Detected from the column: ISO 8601 (`2020-01-31`, a time of day after it allowed),
    /// `31.01.2020`, `31/01/2020` or `01/31/2020` (refused when every value fits both),
    /// `2020/01/31`, `31-01-2020`, or Excel serial numbers (1900 date system).
    #[default]
    Auto,
    /// A chrono format such as `%d/%m/%Y`, checked by [`DateFormat::pattern`].
    Pattern(String),
    /// Excel serial day numbers, 1900 date system (1 = 1900-01-01; Excel's phantom
    /// 1900-02-29, serial 60, is refused).
    ExcelSerial,
}

impl DateFormat {
    /// A declared date pattern (chrono's `strftime` syntax), checked: it must be a valid
    /// pattern with a four-digit year (`%Y`), a month (`%m`, `%b` or `%B`) and a day (`%d` or
    /// `%e`); `Err` says what is wrong.
    ///
    /// # Examples
    /// ```
    /// use deltid_io::DateFormat;
    /// assert!(DateFormat::pattern("%d/%m/%Y").is_ok());
    /// assert!(DateFormat::pattern("%d.%m").is_err()); // no year
    /// assert!(DateFormat::pattern("%Q").is_err()); // no such specifier
    /// ```
    pub fn pattern(pattern: &str) -> Result<DateFormat, String> {
        use chrono::format::{Item, StrftimeItems};
        let mut has = (false, false, false);
        for item in StrftimeItems::new(pattern) {
            match item {
                Item::Error => {
                    return Err(format!(
                        "{pattern:?} is not a date pattern (use %Y, %m, %d and separators, e.g. %d/%m/%Y)"
                    ));
                }
                Item::Numeric(chrono::format::Numeric::Year, _) => has.0 = true,
                Item::Numeric(chrono::format::Numeric::Month, _)
                | Item::Fixed(chrono::format::Fixed::ShortMonthName)
                | Item::Fixed(chrono::format::Fixed::LongMonthName) => has.1 = true,
                Item::Numeric(chrono::format::Numeric::Day, _) => has.2 = true,
                _ => {}
            }
        }
        match has {
            (true, true, true) => Ok(DateFormat::Pattern(pattern.to_owned())),
            (false, _, _) => Err(format!(
                "{pattern:?} has no four-digit year (%Y): a date without its year is not read"
            )),
            _ => Err(format!("{pattern:?} needs a month (%m) and a day (%d)")),
        }
    }
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

/// Excel serials accepted when the format is detected rather than declared: 1990-01-01
/// (32 874) to 2100-12-31 (73 415), so that small counts are not taken for dates of 1900.
const DETECTED_SERIALS: std::ops::RangeInclusive<f64> = 32_874.0..=73_415.0;

/// A date format chosen for a column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DateParser {
    /// A chrono pattern and its name in messages.
    Pattern {
        pattern: Cow<'static, str>,
        name: Cow<'static, str>,
    },
    /// Excel serial numbers; `detected` limits them to [`DETECTED_SERIALS`].
    ExcelSerial { detected: bool },
}

impl DateParser {
    /// Parses one date, or `None`.
    ///
    /// A time of day after the date is allowed (`2020-01-31T00:00:00`, `31.01.2020 00:00`)
    /// and must be one (`25:61` is refused). Years must have four digits (`31.01.20` is
    /// refused, never read as the year 20). Besides the chosen format, the two formats that
    /// cannot be misread — ISO 8601 and `dd.mm.yyyy` — are always accepted, as spreadsheets mix
    /// real date cells with typed ones.
    pub(crate) fn parse(&self, text: &str) -> Option<NaiveDate> {
        // dd.mm.yyyy beside a chosen format of its own with dots (mm.dd.yyyy declared) would
        // read what that format refuses the other way round.
        let dotted = !matches!(self, DateParser::Pattern { pattern, .. } if pattern.contains('.'));
        self.parse_chosen(text)
            .or_else(|| ISO.parse_chosen(text))
            .or_else(|| dotted.then(|| DOTTED.parse_chosen(text)).flatten())
    }

    /// Parses one date in this format only.
    fn parse_chosen(&self, text: &str) -> Option<NaiveDate> {
        let text = trim_cell(text);
        if let DateParser::ExcelSerial { detected } = self {
            return parse_number(text, NumberStyle::default())
                .filter(|s| !detected || DETECTED_SERIALS.contains(s))
                .and_then(excel_serial_to_date);
        }
        let DateParser::Pattern { pattern, .. } = self else {
            return None;
        };
        // A time of day after the date (after its first or its last space or `T`) is left
        // out; a space or `T` with no time after it is the date's own (`27 Feb 2020`, `OCT`).
        let before_time =
            |at: usize| is_time_of_day(text[at + 1..].trim_start()).then(|| &text[..at]);
        let date_part = text
            .find([' ', 'T'])
            .and_then(before_time)
            .or_else(|| text.rfind([' ', 'T']).and_then(before_time))
            .unwrap_or(text);
        if pattern == "%Y-%m-%d"
            && let Some(date) = iso_date(date_part.as_bytes())
        {
            return Some(date);
        }
        // A year of four digits (alone, or in a run such as 20200227 for %Y%m%d).
        let four_digit_year = date_part
            .split(|c: char| !c.is_ascii_digit())
            .any(|run| run.len() >= 4);
        four_digit_year
            .then(|| NaiveDate::parse_from_str(date_part, pattern.as_ref()).ok())
            .flatten()
    }

    /// The format in words, for messages.
    pub(crate) fn name(&self) -> &str {
        match self {
            DateParser::Pattern { name, .. } => name.as_ref(),
            DateParser::ExcelSerial { .. } => "an Excel serial day number",
        }
    }

    /// Whether this is ISO 8601 (`yyyy-mm-dd`), which the fast path reads.
    pub(crate) fn is_iso(&self) -> bool {
        matches!(self, DateParser::Pattern { pattern, .. } if pattern == "%Y-%m-%d")
    }

    /// Chooses how to read a column of dates from its values.
    ///
    /// With [`DateFormat::Auto`], the first format that reads every value wins; when both
    /// day-first and month-first slashes read every value, the column is ambiguous and
    /// `Err` carries an example. When no format reads every value, the one that reads most is
    /// chosen, so that the values it cannot read are reported.
    pub(crate) fn choose<'a>(
        format: &DateFormat,
        values: impl Iterator<Item = &'a str> + Clone,
    ) -> Result<DateParser, String> {
        let pattern = |(p, n): (&'static str, &'static str)| DateParser::Pattern {
            pattern: Cow::Borrowed(p),
            name: Cow::Borrowed(n),
        };
        match format {
            DateFormat::Pattern(p) => {
                return Ok(DateParser::Pattern {
                    pattern: Cow::Owned(p.clone()),
                    name: Cow::Owned(p.clone()),
                });
            }
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
        // dd/mm/yyyy is candidate 2 and mm/dd/yyyy candidate 3: refused when every slashed
        // date reads both ways, whatever other dates the column has beside them.
        if let Some(example) = undecided_slashes(values.clone()) {
            return Err(example.to_owned());
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

    /// Whether the column's values need every value to choose between day-first and
    /// month-first slashes: every value seen reads both ways.
    pub(crate) fn undecided<'a>(values: impl Iterator<Item = &'a str> + Clone) -> bool {
        undecided_slashes(values).is_some()
    }
}

/// The first date written with slashes, when every such date reads both as dd/mm/yyyy and as
/// mm/dd/yyyy (dates written otherwise beside them settle nothing); `None` if one of them
/// reads only one way, or there is none.
fn undecided_slashes<'a>(values: impl Iterator<Item = &'a str> + Clone) -> Option<&'a str> {
    let parser = |(p, n): (&'static str, &'static str)| DateParser::Pattern {
        pattern: Cow::Borrowed(p),
        name: Cow::Borrowed(n),
    };
    let (day_first, month_first) = (parser(DATE_PATTERNS[2]), parser(DATE_PATTERNS[3]));
    let mut slashed = values
        .filter(|v| day_first.parse_chosen(v).is_some() || month_first.parse_chosen(v).is_some());
    let first = slashed.clone().next()?;
    slashed
        .all(|v| day_first.parse_chosen(v).is_some() && month_first.parse_chosen(v).is_some())
        .then_some(first)
}

/// ISO 8601 and `dd.mm.yyyy`, read beside any chosen format.
const ISO: DateParser = DateParser::Pattern {
    pattern: Cow::Borrowed("%Y-%m-%d"),
    name: Cow::Borrowed("yyyy-mm-dd"),
};
const DOTTED: DateParser = DateParser::Pattern {
    pattern: Cow::Borrowed("%d.%m.%Y"),
    name: Cow::Borrowed("dd.mm.yyyy"),
};

/// Whether text is a time of day: `hh:mm`, `hh:mm:ss` or `hh:mm:ss.fff`, within the day, with
/// an optional `Z` or UTC offset (`+01:00`).
fn is_time_of_day(text: &str) -> bool {
    let text = text.trim_end_matches('Z');
    let text = match text.rfind(['+', '-']) {
        Some(at) if at >= 5 => &text[..at],
        _ => text,
    };
    let mut parts = text.split(':');
    let number = |part: Option<&str>, max: u32| {
        part.filter(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
            .is_some_and(|n| n <= max)
    };
    let (hours, minutes) = (parts.next(), parts.next());
    let seconds = parts.next();
    if parts.next().is_some() || !number(hours, 23) || !number(minutes, 59) {
        return false;
    }
    match seconds {
        None => true,
        Some(s) => {
            let (whole, fraction) = s.split_once('.').unwrap_or((s, "0"));
            number(Some(whole), 60)
                && !fraction.is_empty()
                && fraction.bytes().all(|b| b.is_ascii_digit())
        }
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

/// A date written exactly `yyyy-mm-dd`, read without chrono's pattern parser; `None` for
/// anything else (which the pattern parser then reads, or refuses).
pub(crate) fn iso_date(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(digits(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(5..7)?, digits(8..10)?)
}

/// Whether a date that failed to parse names a day that does not exist (`29.02.2023`,
/// `2021-04-31`), read as day, month and year in the order of the format.
pub(crate) fn is_no_such_day(text: &str, parser: &DateParser) -> bool {
    let DateParser::Pattern { pattern, .. } = parser else {
        // Excel's serial 60 is its 29 February 1900, a day that never was.
        return matches!(parser, DateParser::ExcelSerial { .. })
            && parse_number(trim_cell(text), NumberStyle::default())
                .is_some_and(|s| s.floor() == 60.0);
    };
    let numbers: Vec<u32> = trim_cell(text)
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    let order: Vec<char> = pattern
        .split('%')
        .skip(1)
        .filter_map(|p| p.chars().next())
        .filter(|c| matches!(c, 'Y' | 'm' | 'd'))
        .collect();
    if numbers.len() < 3 || order.len() != 3 {
        return false;
    }
    let get = |c: char| order.iter().position(|o| *o == c).map(|i| numbers[i]);
    match (get('Y'), get('m'), get('d')) {
        (Some(y), Some(m), Some(d)) => {
            (1..=12).contains(&m)
                && (1..=31).contains(&d)
                && NaiveDate::from_ymd_opt(y as i32, m, d).is_none()
                && NaiveDate::from_ymd_opt(y as i32, m, 1).is_some_and(|f| f.year() == y as i32)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_digits_read_as_digit_by_digit() {
        let plain = |b: &[u8]| {
            (!b.is_empty() && b.len() <= 8 && b.iter().all(u8::is_ascii_digit))
                .then(|| b.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')))
        };
        // Hand-checked values.
        assert_eq!(short_digits(b"0"), Some(0));
        assert_eq!(short_digits(b"7"), Some(7));
        assert_eq!(short_digits(b"1868"), Some(1_868));
        assert_eq!(short_digits(b"00012"), Some(12));
        assert_eq!(short_digits(b"99999999"), Some(99_999_999));
        assert_eq!(short_digits(b"12345678"), Some(12_345_678));
        for wrong in [
            &b""[..],
            b"123456789",
            b"12a4",
            b"1 2",
            b"-1",
            b"1.5",
            b"/",
            b":",
            b"\xff",
        ] {
            assert_eq!(short_digits(wrong), None, "{wrong:?}");
        }
        // Every byte at every place of cells of 1 to 8 bytes, around digits.
        for n in 1..=8 {
            for place in 0..n {
                for byte in 0..=255u8 {
                    let mut cell = b"31415926"[..n].to_vec();
                    cell[place] = byte;
                    assert_eq!(short_digits(&cell), plain(&cell), "{cell:?}");
                }
            }
        }
        // Numbers of every length.
        let mut value = 1u64;
        while value < 100_000_000 {
            for v in [value - 1, value, value + 7, value * 3 / 2] {
                let text = v.to_string();
                if text.len() <= 8 {
                    assert_eq!(short_digits(text.as_bytes()), Some(v), "{text}");
                }
            }
            value *= 10;
        }
    }

    #[test]
    fn iso_dates_read_fast_as_chrono_reads_them() {
        for text in [
            "2020-02-29",
            "1900-01-01",
            "2199-12-31",
            "2021-02-29",
            "2020-13-01",
            "2020-1-05",
            "2020/01/05",
            "2020-01-0x",
            "20200105",
        ] {
            let chrono = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
            let fast = iso_date(text.as_bytes());
            assert!(fast.is_none() || fast == chrono, "{text}");
            if text.len() == 10 {
                assert_eq!(fast, chrono, "{text}");
            }
        }
    }

    #[test]
    fn persons_accept_fractions_and_reject_the_rest() {
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
            ("1234.567", 1234.567),
        ];
        for (text, value) in ok {
            let parsed = persons(text, auto).expect(text);
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
            assert_eq!(persons(text, auto), Err(NotPersons::Parse), "{text:?}");
        }
        assert_eq!(persons("1,234", auto), Err(NotPersons::Ambiguous));
        assert_eq!(persons("1.234", auto), Err(NotPersons::Ambiguous));
        assert_eq!(persons("+1.234", auto), Err(NotPersons::Ambiguous));
        assert_eq!(persons("+2,500", auto), Err(NotPersons::Ambiguous));
        assert_eq!(persons("+2.5", auto), Ok(2.5));
        assert_eq!(persons("-0.5", auto), Err(NotPersons::Negative));
        assert_eq!(persons("2e10", auto), Err(NotPersons::TooLarge));
        // Declared: a dot between thousands, a comma before decimals.
        let norwegian = NumberStyle {
            decimal: Some(DecimalMark::Comma),
            thousands_dot: true,
        };
        assert_eq!(parse_number("1.234,5", norwegian), Some(1234.5));
        assert_eq!(persons("1,234", norwegian), Ok(1.234));
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
        assert!(DateParser::undecided(
            ["01/02/2020", "03/04/2020"].into_iter()
        ));
        assert!(!DateParser::undecided(["13/02/2020"].into_iter()));
        // Dates written otherwise beside them settle nothing (regression: ISO dates in the
        // column let day-first win silently).
        assert_eq!(
            choose(&["2020-01-15", "01/02/2020", "02/03/2020"])
                .err()
                .as_deref(),
            Some("01/02/2020")
        );
        assert!(DateParser::undecided(
            ["2020-01-15", "01/02/2020"].into_iter()
        ));
        assert_eq!(
            name(&["2020-01-15", "01/02/2020", "13/03/2020"]).as_deref(),
            Ok("dd/mm/yyyy")
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
        // A time after the date is allowed if it is one; ISO is accepted beside any format.
        assert_eq!(
            dotted.parse("01.09.2019 00:00"),
            NaiveDate::from_ymd_opt(2019, 9, 1)
        );
        assert_eq!(dotted.parse("01.09.2019 25:61"), None);
        assert_eq!(
            dotted.parse("2019-09-01T12:30:00Z"),
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

    #[test]
    fn declared_date_formats_read_what_they_say_and_only_that() {
        let declared = |p: &str| {
            DateParser::choose(&DateFormat::Pattern(p.to_owned()), std::iter::empty())
                .expect("a declared format")
        };
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        // Regression: each was refused though it fits its pattern.
        assert_eq!(declared("%Y%m%d").parse("20200227"), day(2020, 2, 27));
        assert_eq!(declared("%d %b %Y").parse("27 Feb 2020"), day(2020, 2, 27));
        assert_eq!(
            declared("%d %b %Y").parse("27 Feb 2020 10:30"),
            day(2020, 2, 27)
        );
        assert_eq!(declared("%d-%b-%Y").parse("27-OCT-2020"), day(2020, 10, 27));
        // Regression: month-first with dots declared, 13.02.2020 was read day-first.
        let month_first = declared("%m.%d.%Y");
        assert_eq!(month_first.parse("02.13.2020"), day(2020, 2, 13));
        assert_eq!(month_first.parse("13.02.2020"), None);
        // Two-digit years stay refused; ISO is still read beside a declared format.
        assert_eq!(declared("%d.%m.%Y").parse("27.02.20"), None);
        assert_eq!(declared("%d/%m/%Y").parse("2020-02-27"), day(2020, 2, 27));
    }

    #[test]
    fn days_that_do_not_exist_are_told_apart() {
        let dotted = DOTTED;
        assert!(is_no_such_day("29.02.2023", &dotted));
        // Excel's phantom 1900-02-29, declared or detected.
        assert!(is_no_such_day(
            "60",
            &DateParser::ExcelSerial { detected: false }
        ));
        assert!(!is_no_such_day(
            "61",
            &DateParser::ExcelSerial { detected: false }
        ));
        assert!(!is_no_such_day("29.02.2024", &dotted));
        assert!(!is_no_such_day("32.01.2023", &dotted));
        assert!(!is_no_such_day("abc", &dotted));
    }
}

/// Reads timestamp cells of hourly or time-point counts: RFC 3339 with an offset
/// (`2024-10-26T23:00:00Z`, `2024-10-27T01:00:00+02:00`, a space for the `T` allowed), or a
/// local time without one (`2024-10-27 01:00`, `2024-10-27T01:00:00`) in the scenario's time
/// zone. Gives the instant (seconds since 1970 UTC) and its local time in the zone.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TimeParser {
    zone: chrono_tz::Tz,
}

/// Why a timestamp cell gives no instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NotInstant {
    /// Not a timestamp.
    Parse,
    /// A local time the zone has twice.
    Ambiguous,
    /// A local time the zone skips.
    Skipped,
}

impl TimeParser {
    /// A parser for local times in `zone` (an IANA name); `None` for an unknown zone.
    pub(crate) fn new(zone: &str) -> Option<TimeParser> {
        zone.parse::<chrono_tz::Tz>()
            .ok()
            .map(|zone| TimeParser { zone })
    }

    /// The zone's name.
    pub(crate) fn zone(&self) -> &'static str {
        self.zone.name()
    }

    /// A cell as its instant (seconds since 1970 UTC) and local time in the zone.
    pub(crate) fn parse(&self, text: &str) -> Result<(i64, chrono::NaiveDateTime), NotInstant> {
        use chrono::{DateTime, TimeZone, offset::LocalResult};
        let text = trim_cell(text);
        if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
            let local = instant.with_timezone(&self.zone).naive_local();
            return Ok((instant.timestamp(), local));
        }
        let (body, offset) = split_offset(text).ok_or(NotInstant::Parse)?;
        let naive = naive_local(body).ok_or(NotInstant::Parse)?;
        if let Some(offset) = offset {
            let instant = offset
                .from_local_datetime(&naive)
                .single()
                .ok_or(NotInstant::Parse)?;
            let local = instant.with_timezone(&self.zone).naive_local();
            return Ok((instant.timestamp(), local));
        }
        match self.zone.from_local_datetime(&naive) {
            LocalResult::Single(instant) => Ok((instant.timestamp(), naive)),
            LocalResult::Ambiguous(..) => Err(NotInstant::Ambiguous),
            LocalResult::None => Err(NotInstant::Skipped),
        }
    }
}

/// A timestamp cut into its date and time and its offset, if it has one: `Z`, `+01:00`,
/// `+0100` or `+01` (as engines write a `TIMESTAMP WITH TIME ZONE`); `None` for an offset
/// that is no offset.
fn split_offset(text: &str) -> Option<(&str, Option<chrono::FixedOffset>)> {
    if let Some(body) = text.strip_suffix('Z') {
        return Some((body, chrono::FixedOffset::east_opt(0)));
    }
    // The sign comes after the time of day: past the date (10 characters) and its separator.
    let Some(at) = text.rfind(['+', '-']).filter(|&at| at > 11) else {
        return Some((text, None));
    };
    let (body, offset) = text.split_at(at);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let digits = &offset[1..];
    let (hours, minutes) = match digits.as_bytes() {
        [_, _] => (digits, "0"),
        [_, _, b':', _, _] => (&digits[..2], &digits[3..]),
        [_, _, _, _] => (&digits[..2], &digits[2..]),
        _ => return None,
    };
    if !digits.bytes().all(|b| b.is_ascii_digit() || b == b':') {
        return None;
    }
    let (hours, minutes): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    if hours > 23 || minutes > 59 {
        return None;
    }
    let offset = chrono::FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))?;
    Some((body, Some(offset)))
}

impl TimeParser {
    /// For a local time the zone has twice, its two instants with their offsets, in time order
    /// (`2024-10-27T02:30:00+02:00`, `2024-10-27T02:30:00+01:00`); for one the zone skips, the
    /// offsets before and after the change (`+01:00`, `+02:00`); else nothing.
    pub(crate) fn offsets_around(&self, text: &str) -> Vec<String> {
        use chrono::{Offset, TimeDelta, TimeZone, offset::LocalResult};
        let Some(naive) = naive_local(trim_cell(text)) else {
            return Vec::new();
        };
        let spelled = |t: chrono::DateTime<chrono_tz::Tz>| {
            t.fixed_offset().format("%Y-%m-%dT%H:%M:%S%:z").to_string()
        };
        match self.zone.from_local_datetime(&naive) {
            LocalResult::Ambiguous(a, b) => {
                let (a, b) = if a <= b { (a, b) } else { (b, a) };
                vec![spelled(a), spelled(b)]
            }
            LocalResult::Single(_) => Vec::new(),
            LocalResult::None => {
                // The nearest local times that exist, up to a day either side.
                let offset = |step: i64| {
                    (1..=26 * 4).find_map(|quarter| {
                        let at = naive + TimeDelta::minutes(15 * quarter * step);
                        self.zone
                            .from_local_datetime(&at)
                            .earliest()
                            .map(|t| t.offset().fix().to_string())
                    })
                };
                match (offset(-1), offset(1)) {
                    (Some(before), Some(after)) => vec![before, after],
                    _ => Vec::new(),
                }
            }
        }
    }
}

/// A date and time without an offset: `2024-10-27T02:30:00`, `2024-10-27 02:30`, or with
/// the date as dates are also written, `27.10.2024 02:30` (two-digit day and month).
fn naive_local(text: &str) -> Option<chrono::NaiveDateTime> {
    let dotted = match text.as_bytes() {
        [_, _, b'.', _, _, b'.', year @ ..] if year.len() > 4 => {
            year[..4].iter().all(u8::is_ascii_digit) && year[4] == b' '
        }
        _ => false,
    };
    let formats: &[&str] = if dotted {
        &["%d.%m.%Y %H:%M:%S%.f", "%d.%m.%Y %H:%M"]
    } else if matches!(
        text.as_bytes(),
        [b'.', ..] | [_, b'.', ..] | [_, _, b'.', ..]
    ) {
        return None;
    } else {
        &[
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
        ]
    };
    formats
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(text, f).ok())
}

#[cfg(test)]
mod time_tests {
    use super::*;

    #[test]
    fn timestamps_read_with_offsets_and_in_the_zone() {
        let oslo = TimeParser::new("Europe/Oslo").expect("zone");
        let at = |t: &str| oslo.parse(t).map(|(i, l)| (i, l.to_string()));
        // 2024-10-26 23:00 UTC is 01:00 summer time (UTC+2) on the 27th.
        let utc = 1_729_983_600;
        assert_eq!(
            at("2024-10-26T23:00:00Z"),
            Ok((utc, "2024-10-27 01:00:00".to_owned()))
        );
        assert_eq!(at("2024-10-27T01:00:00+02:00").map(|r| r.0), Ok(utc));
        assert_eq!(at("2024-10-27 01:00").map(|r| r.0), Ok(utc));
        // 02:00 occurs twice that night; the offset tells which.
        assert_eq!(at("2024-10-27 02:00"), Err(NotInstant::Ambiguous));
        assert_eq!(
            at("2024-10-27T02:00+01:00").map(|r| r.0),
            Ok(utc + 2 * 3600)
        );
        // 2025-03-30 02:00 does not exist in Oslo.
        assert_eq!(at("2025-03-30 02:30"), Err(NotInstant::Skipped));
        // Dates as dates are also written, and offsets as engines write them.
        assert_eq!(at("27.10.2024 01:00").map(|r| r.0), Ok(utc));
        assert_eq!(at("27.10.2024 01:00:00").map(|r| r.0), Ok(utc));
        assert_eq!(at("27.10.2024 02:00"), Err(NotInstant::Ambiguous));
        assert_eq!(at("2024-10-27 01:00+0200").map(|r| r.0), Ok(utc));
        assert_eq!(at("2024-10-27T01:00:00+02").map(|r| r.0), Ok(utc));
        assert_eq!(
            at("2024-10-27 02:00:00+01").map(|r| r.0),
            Ok(utc + 2 * 3600)
        );
        assert_eq!(at("2024-10-26 19:00-0400").map(|r| r.0), Ok(utc));
        assert_eq!(at("2024-10-26T23:00Z").map(|r| r.0), Ok(utc));
        assert_eq!(at("27.10.2024 01:00+02:00").map(|r| r.0), Ok(utc));
        for bad in [
            "2024-10-27 01:00+2",
            "2024-10-27 01:00+02:0",
            "2024-10-27 01:00+24",
            "2024-10-27 01:00+0260",
            "2.3.2024 01:00",
            "27.10.24 01:00",
            "2024-10-27",
        ] {
            assert_eq!(at(bad), Err(NotInstant::Parse), "{bad}");
        }
        assert!(TimeParser::new("Europe/Olso").is_none());
    }
}
