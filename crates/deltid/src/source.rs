//! Tabular files as analysts have them: CSV in any common dialect, spreadsheets, Parquet.
//!
//! Every source becomes a [`Table`]: a header and records of text cells, each record knowing
//! where it came from (a CSV line, a spreadsheet row, a Parquet row), so that every later error
//! can name the file, the place and the value. Parsing values (numbers, dates, area codes) is
//! the readers' job ([`crate::Counts`], deduction tables), not this module's.

use std::fmt;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader};
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::read::{csv_error, excel_serial_to_date};

/// The text encoding of a CSV file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (with or without a byte-order mark) if the bytes are valid UTF-8, else
    /// Windows-1252 (a superset of Latin-1's printable characters, as Excel writes in Norway).
    #[default]
    Auto,
    /// UTF-8; invalid bytes are an error.
    Utf8,
    /// Windows-1252 / Latin-1.
    Windows1252,
}

/// How to read a tabular file. Everything is detected when not given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceOptions {
    /// CSV field separator; detected among `,`, `;` and tab when `None`.
    pub delimiter: Option<u8>,
    /// CSV text encoding.
    pub encoding: Encoding,
    /// Spreadsheet sheet by name; the first sheet when `None`.
    pub sheet: Option<String>,
}

/// Where a value sits in its file, for error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A CSV line (1-based; a quoted field may span lines, the record's first line is given).
    Line(u64),
    /// A spreadsheet cell, e.g. sheet `Counts`, cell `B7`.
    Cell {
        /// The sheet's name.
        sheet: String,
        /// The cell's reference, column letters and row number.
        cell: String,
    },
    /// A Parquet row (1-based, not counting a header).
    Row(u64),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(n) => write!(f, "line {n}"),
            Location::Cell { sheet, cell } => write!(f, "sheet {sheet:?}, cell {cell}"),
            Location::Row(n) => write!(f, "row {n}"),
        }
    }
}

/// One record: its number (CSV line, sheet row, Parquet row) and its cells as text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Record {
    pub at: u64,
    pub cells: Vec<String>,
}

impl Record {
    /// The cell at `column`, or "" if the record is short.
    pub fn cell(&self, column: usize) -> &str {
        self.cells.get(column).map_or("", String::as_str)
    }
}

/// What kind of file a table came from.
#[derive(Clone, Debug, PartialEq)]
enum Kind {
    Csv,
    Sheet { name: String, first_column: u32 },
    Parquet,
}

/// A header and records of text cells.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Table {
    pub path: PathBuf,
    pub header: Vec<String>,
    pub header_at: u64,
    pub records: Vec<Record>,
    kind: Kind,
}

impl Table {
    /// Reads a table: `.xlsx`, `.xlsm`, `.xlsb`, `.xls` and `.ods` as spreadsheets, `.parquet`
    /// as Parquet, anything else as CSV. The header is the first of the first rows that has a
    /// column named `anchor` (so title lines and sparse columns cannot mislead it), or failing
    /// that the first row of the most common width.
    pub fn read(path: &Path, options: &SourceOptions, anchor: &str) -> Result<Table> {
        if path.is_dir() {
            return Err(Error::ReadFile {
                path: path.to_owned(),
                source: std::io::Error::new(
                    std::io::ErrorKind::IsADirectory,
                    "is a folder, not a file",
                ),
            });
        }
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        match extension.as_str() {
            "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => {
                // calamine can panic on a damaged workbook (an arithmetic overflow, found by
                // the property tests); a damaged file must be an error, never a crash.
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    read_sheet(path, options, anchor)
                }))
                .unwrap_or_else(|_| {
                    Err(Error::ReadSheet {
                        path: path.to_owned(),
                        message: "damaged spreadsheet".to_owned(),
                    })
                })
            }
            // polars can panic on a damaged Parquet file or on a date beyond chrono's range
            // (both found by the property tests); that must be an error, never a crash.
            "parquet" | "pq" => {
                std::panic::catch_unwind(|| read_parquet(path)).unwrap_or_else(|_| {
                    Err(Error::ReadSheet {
                        path: path.to_owned(),
                        message: "damaged Parquet file, or a value polars cannot convert"
                            .to_owned(),
                    })
                })
            }
            _ => read_csv(path, options, anchor),
        }
    }

    /// Where a cell of a record sits.
    pub fn locate(&self, record: &Record, column: usize) -> Location {
        match &self.kind {
            Kind::Csv => Location::Line(record.at),
            Kind::Parquet => Location::Row(record.at),
            Kind::Sheet { name, first_column } => Location::Cell {
                sheet: name.clone(),
                cell: format!(
                    "{}{}",
                    column_letters(*first_column + column as u32),
                    record.at
                ),
            },
        }
    }

    /// Where a header cell sits (Parquet column names are row 0).
    pub fn locate_header(&self, column: usize) -> Location {
        let header = Record {
            at: self.header_at,
            cells: Vec::new(),
        };
        self.locate(&header, column)
    }

    /// Where a record starts (its first cell).
    pub fn locate_record(&self, record: &Record) -> Location {
        self.locate(record, 0)
    }
}

/// Spreadsheet column letters: 0 → A, 25 → Z, 26 → AA.
fn column_letters(mut index: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8_lossy(&letters).into_owned()
}

fn read_error(path: &Path, source: std::io::Error) -> Error {
    Error::ReadFile {
        path: path.to_owned(),
        source,
    }
}

/// Decodes a CSV file's bytes to text, removing a UTF-8 byte-order mark.
fn decode(path: &Path, bytes: &[u8], encoding: Encoding) -> Result<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let windows_1252 = || {
        encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned()
    };
    match (encoding, std::str::from_utf8(bytes)) {
        (Encoding::Windows1252, _) => Ok(windows_1252()),
        (_, Ok(text)) => Ok(text.to_owned()),
        (Encoding::Auto, Err(_)) => Ok(windows_1252()),
        (Encoding::Utf8, Err(e)) => {
            let valid = &bytes[..e.valid_up_to()];
            let line = valid.iter().filter(|b| **b == b'\n').count() as u64 + 1;
            Err(Error::Encoding {
                path: path.to_owned(),
                line,
            })
        }
    }
}

/// Picks the separator among `,`, `;` and tab that splits the first lines most consistently.
fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(30)
        .collect();
    let mut best = (0usize, b',');
    for delimiter in [b',', b';', b'\t'] {
        let mut counts: Vec<usize> = lines
            .iter()
            .map(|l| l.bytes().filter(|b| *b == delimiter).count())
            .filter(|n| *n > 0)
            .collect();
        counts.sort_unstable();
        // The most common number of separators per line, times the lines that have it.
        let mut score = 0;
        for n in &counts {
            let lines_with_n = counts.iter().filter(|m| *m == n).count();
            score = score.max(lines_with_n * (n + 1));
        }
        if score > best.0 {
            best = (score, delimiter);
        }
    }
    best.1
}

fn read_csv(path: &Path, options: &SourceOptions, anchor: &str) -> Result<Table> {
    let bytes = std::fs::read(path).map_err(|e| read_error(path, e))?;
    let text = decode(path, &bytes, options.encoding)?;
    let delimiter = options.delimiter.unwrap_or_else(|| sniff_delimiter(&text));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    // The csv crate's line numbers leave out blank lines; count them from the byte offsets.
    let newlines: Vec<u64> = text
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i as u64)
        .collect();
    // A record's offset may be that of blank lines before it: skip them.
    let line_of = |byte: u64| {
        let skipped = text.as_bytes()[(byte as usize).min(text.len())..]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count() as u64;
        1 + newlines.partition_point(|n| *n < byte + skipped) as u64
    };
    let mut records = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(source) => return Err(csv_error(path, source)),
        }
        let at = record.position().map_or(0, |p| line_of(p.byte()));
        records.push(Record {
            at,
            cells: record.iter().map(str::to_owned).collect(),
        });
    }
    split_header(path, records, Kind::Csv, anchor)
}

/// Finds the header among the first records: the first with the most common number of
/// filled cells (title lines above it have fewer), and returns the table of the records below
/// it, without blank ones.
fn split_header(path: &Path, records: Vec<Record>, kind: Kind, anchor: &str) -> Result<Table> {
    let names = |r: &Record| {
        r.cells
            .iter()
            .any(|c| c.trim_start_matches('\u{feff}').trim() == anchor)
    };
    let anchored = records.iter().take(50).position(names);
    let filled = |r: &Record| r.cells.iter().filter(|c| !c.trim().is_empty()).count();
    let mut tally: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
    for n in records.iter().take(50).map(filled).filter(|n| *n > 0) {
        *tally.entry(n).or_default() += 1;
    }
    // The most common width; on a tie, the wider.
    let common = tally
        .iter()
        .max_by_key(|(width, count)| (**count, **width))
        .map_or(0, |(width, _)| *width);
    let Some(header_index) = anchored.or_else(|| {
        records
            .iter()
            .position(|r| filled(r) == common && common > 0)
    }) else {
        return Err(Error::EmptyInput {
            path: path.to_owned(),
        });
    };
    let mut records = records.into_iter().skip(header_index);
    let header_record = records.next().unwrap_or(Record {
        at: 0,
        cells: Vec::new(),
    });
    let header = header_record
        .cells
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_owned())
        .collect();
    Ok(Table {
        path: path.to_owned(),
        header,
        header_at: header_record.at,
        records: records.filter(|r| filled(r) > 0).collect(),
        kind,
    })
}

fn read_sheet(path: &Path, options: &SourceOptions, anchor: &str) -> Result<Table> {
    let sheet_error = |message: String| Error::ReadSheet {
        path: path.to_owned(),
        message,
    };
    let mut workbook =
        calamine::open_workbook_auto(path).map_err(|e| sheet_error(e.to_string()))?;
    let names = workbook.sheet_names();
    let name = match &options.sheet {
        Some(wanted) if names.contains(wanted) => wanted.clone(),
        Some(wanted) => {
            return Err(sheet_error(format!(
                "no sheet {wanted:?} (sheets: {})",
                names.join(", ")
            )));
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| sheet_error("the workbook has no sheets".to_owned()))?,
    };
    // .xlsx cells are read one by one: calamine's `worksheet_range` allocates the whole
    // rectangle up to the farthest cell first, and one cell at XFD1048576 aborts the process
    // (found by fuzzing). Other formats build the range, after a check of its size.
    let cells: Vec<((u32, u32), Data)> = match &mut workbook {
        calamine::Sheets::Xlsx(xlsx) => {
            let mut reader = xlsx
                .worksheet_cells_reader(&name)
                .map_err(|e| sheet_error(e.to_string()))?;
            let mut cells = Vec::new();
            while let Some(cell) = reader.next_cell().map_err(|e| sheet_error(e.to_string()))? {
                if cells.len() >= MAX_SHEET_CELLS {
                    return Err(sheet_error(format!(
                        "more than {MAX_SHEET_CELLS} cells in sheet {name:?}"
                    )));
                }
                cells.push((cell.get_position(), Data::from(cell.get_value().clone())));
            }
            cells
        }
        other => {
            let range = other
                .worksheet_range(&name)
                .map_err(|e| sheet_error(e.to_string()))?;
            // used_cells counts from the range's start; positions here are absolute.
            let (row0, column0) = range.start().unwrap_or((0, 0));
            range
                .used_cells()
                .map(|(r, c, v)| ((row0 + r as u32, column0 + c as u32), v.clone()))
                .collect()
        }
    };
    // Rows in order, each holding its cells from the sheet's first used column on.
    let first_column = cells.iter().map(|((_, c), _)| *c).min().unwrap_or(0);
    let mut rows: std::collections::BTreeMap<u32, Vec<(u32, Data)>> = Default::default();
    for ((row, column), value) in cells {
        rows.entry(row)
            .or_default()
            .push((column - first_column, value));
    }
    let mut width_total = 0usize;
    let mut records = Vec::with_capacity(rows.len());
    for (row, mut cells) in rows {
        cells.sort_by_key(|(c, _)| *c);
        let width = cells.last().map_or(0, |(c, _)| *c as usize + 1);
        width_total += width;
        if width_total > MAX_SHEET_CELLS {
            return Err(sheet_error(format!(
                "sheet {name:?} spans more than {MAX_SHEET_CELLS} cells (a value far out to the right?)"
            )));
        }
        let mut text = vec![String::new(); width];
        for (c, value) in cells {
            text[c as usize] = cell_text(&value);
        }
        records.push(Record {
            at: u64::from(row) + 1,
            cells: text,
        });
    }
    split_header(path, records, Kind::Sheet { name, first_column }, anchor)
}

/// The most cells deltid reads from one sheet (counts for 356 municipalities over 20 years
/// take 2.6 million).
const MAX_SHEET_CELLS: usize = 50_000_000;

/// A spreadsheet cell as text: whole numbers without a decimal point, dates as ISO 8601.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => excel_serial_to_date(d.as_f64())
            .map_or_else(|| d.as_f64().to_string(), |date| date.to_string()),
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::Error(e) => format!("#{e:?}"),
        Data::Empty => String::new(),
    }
}

fn read_parquet(path: &Path) -> Result<Table> {
    let file = std::fs::File::open(path).map_err(|e| read_error(path, e))?;
    let frame = ParquetReader::new(file)
        .finish()
        .map_err(|e| Error::ReadSheet {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
    let header: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let mut columns = Vec::with_capacity(header.len());
    for column in frame.columns() {
        let text = column.cast(&DataType::String)?;
        let values: Vec<String> = text
            .str()?
            .iter()
            .map(|v| v.unwrap_or("").to_owned())
            .collect();
        columns.push(values);
    }
    let records = (0..frame.height())
        .map(|i| Record {
            at: i as u64 + 1,
            cells: columns.iter().map(|c| c[i].clone()).collect(),
        })
        .collect();
    Ok(Table {
        path: path.to_owned(),
        header,
        header_at: 0,
        records,
        kind: Kind::Parquet,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_spreadsheets() {
        for (i, letters) in [
            (0, "A"),
            (1, "B"),
            (25, "Z"),
            (26, "AA"),
            (27, "AB"),
            (701, "ZZ"),
            (702, "AAA"),
        ] {
            assert_eq!(column_letters(i), letters);
        }
    }

    #[test]
    fn delimiter_is_sniffed() {
        let cases = [
            ("date,area,count\n2020-01-01,0301,5\n", b','),
            ("date;area;count\n2020-01-01;0301;5,5\n", b';'),
            ("date\tarea\tcount\n2020-01-01\t0301\t5,5\n", b'\t'),
            // SSB's export: a title line, a blank line, then semicolons.
            (
                "\"07459: Population\"\n\n\"region\";\"age\";\"Persons 2023\"\n\"K-3039 Flå\";\"0 years\";9\n",
                b';',
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(sniff_delimiter(text), expected, "{text}");
        }
    }

    #[test]
    fn latin1_and_bom_decode() {
        let path = Path::new("x.csv");
        assert_eq!(
            decode(path, b"\xEF\xBB\xBFa", Encoding::Auto)
                .ok()
                .as_deref(),
            Some("a")
        );
        assert_eq!(
            decode(path, b"K-3043 \xC5l", Encoding::Auto)
                .ok()
                .as_deref(),
            Some("K-3043 Ål")
        );
        assert!(matches!(
            decode(path, b"ok\nK-3043 \xC5l", Encoding::Utf8),
            Err(Error::Encoding { line: 2, .. })
        ));
    }
}
