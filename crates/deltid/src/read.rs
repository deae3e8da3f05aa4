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
    let file = File::open(path).map_err(|source| Error::ReadFile {
        path: path.to_owned(),
        source,
    })?;
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

/// Position of `column` in `header`, or [`Error::MissingColumn`].
pub(crate) fn column_index(header: &[String], column: &str, path: &Path) -> Result<usize> {
    header
        .iter()
        .position(|h| h == column)
        .ok_or_else(|| Error::MissingColumn {
            path: path.to_owned(),
            column: column.to_owned(),
            found: header.to_vec(),
        })
}

/// Wraps a CSV reader error with the file and the line where the record starts.
pub(crate) fn csv_error(path: &Path, source: csv::Error) -> Error {
    let line = source.position().map_or(0, |p| p.line());
    Error::ReadCsv {
        path: path.to_owned(),
        line,
        source,
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

/// Parses a finite, non-negative number of persons (fractions allowed).
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
