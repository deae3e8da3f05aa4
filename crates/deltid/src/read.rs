//! Field parsers shared by the readers of counts and deduction tables.
//!
//! Each helper turns one CSV field into a value or an [`Error`] naming file, line, column and
//! the text found.

use std::fs::File;
use std::path::Path;

use chrono::{Datelike, NaiveDate};

/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
const EPOCH_FROM_CE: i32 = 719_163;

use crate::error::{Error, Result};

/// Opens a CSV file with a header row, comma-separated, UTF-8 (a leading BOM is skipped).
pub(crate) fn open_csv(path: &Path) -> Result<csv::Reader<File>> {
    let read_error = |source| Error::ReadFile {
        path: path.to_owned(),
        source,
    };
    if path.is_dir() {
        return Err(read_error(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "is a folder, not a file",
        )));
    }
    let file = File::open(path).map_err(read_error)?;
    Ok(csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(file))
}

/// The header of a CSV file, as owned strings (a UTF-8 BOM removed from the first name).
pub(crate) fn header<R: std::io::Read>(
    reader: &mut csv::Reader<R>,
    path: &Path,
) -> Result<Vec<String>> {
    let headers = reader.headers().map_err(|source| csv_error(path, source))?;
    Ok(headers
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_owned())
        .collect())
}

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

/// Parses an ISO 8601 calendar date (`yyyy-mm-dd`).
pub(crate) fn parse_date(text: &str, path: &Path, line: u64, column: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| Error::ParseDate {
        path: path.to_owned(),
        line,
        column: column.to_owned(),
        value: text.to_owned(),
    })
}

/// The largest number of persons deltid accepts in one count or deduction: ten billion, more
/// than the world's population. Larger values are data errors, and the bound keeps every sum
/// exact in `f64` and within `i64` when rounded.
pub const MAX_PERSONS: f64 = 1e10;

/// Parses a finite, non-negative number of persons (fractions allowed), at most
/// [`MAX_PERSONS`].
pub(crate) fn parse_persons(text: &str, path: &Path, line: u64, column: &str) -> Result<f64> {
    let value: f64 = text
        .trim()
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| Error::ParseNumber {
            path: path.to_owned(),
            line,
            column: column.to_owned(),
            value: text.to_owned(),
        })?;
    if value < 0.0 {
        return Err(Error::NegativeNumber {
            path: path.to_owned(),
            line,
            column: column.to_owned(),
            value: text.to_owned(),
        });
    }
    if value > MAX_PERSONS {
        return Err(Error::TooLarge {
            path: path.to_owned(),
            line,
            column: column.to_owned(),
            value: text.to_owned(),
        });
    }
    // -0.0 parses as zero; keep the sign out of outputs.
    Ok(value + 0.0)
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let ok = [
            ("12", 12.0),
            (" 12.5 ", 12.5),
            ("0", 0.0),
            ("-0", 0.0),
            ("1e3", 1000.0),
        ];
        for (text, value) in ok {
            let parsed = parse_persons(text, path, 2, "count").expect(text);
            assert_eq!(parsed, value);
            assert!(parsed.is_sign_positive(), "{text}");
        }
        for text in ["", "abc", "1,5", "inf", "NaN", "12 000"] {
            assert!(matches!(
                parse_persons(text, path, 2, "count"),
                Err(Error::ParseNumber { .. })
            ));
        }
        assert!(matches!(
            parse_persons("-0.5", path, 2, "count"),
            Err(Error::NegativeNumber { .. })
        ));
    }
}
