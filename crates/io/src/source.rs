//! Tabular files as analysts have them: what kind a file is, its text encoding and separator,
//! where its header is, and small tables read whole (deduction tables, code mappings).
//!
//! Parsing values (numbers, dates, area cells) is [`crate::cell`]'s and the readers' job, not
//! this module's. Counts are read by [`crate::counts`], which streams large files.

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

use deltid_model::{Error, Location, Result, trim_cell};

/// The text encoding of a CSV file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// Each cell as UTF-8 if its bytes are valid UTF-8, else as Windows-1252 (a superset of
    /// Latin-1's printable characters, as Excel writes in Norway).
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
    /// Spreadsheet sheet by name; the first visible sheet when `None`.
    pub sheet: Option<String>,
}

/// What kind of file a path holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Text with separators.
    Csv,
    /// A spreadsheet (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`).
    Sheet,
    /// Apache Parquet.
    Parquet,
}

/// The kind of a file, by its first bytes where they tell (a zip archive is a spreadsheet, an
/// OLE2 file an old `.xls`, `PAR1` Parquet), else by its extension; CSV otherwise.
///
/// # Errors
/// [`Error::ReadFile`] if the file cannot be opened (or is a folder).
pub(crate) fn kind_of(path: &Path) -> Result<Kind> {
    if path.is_dir() {
        return Err(Error::ReadFile {
            path: path.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "is a folder, not a file",
            ),
        });
    }
    // A pipe or a device gives its bytes once; an input is read more than once (to find its
    // header and format, to check it, to hash it for the run record). Asked before the file is
    // opened: opening a named pipe waits for a writer, which may never come.
    if !std::fs::metadata(path)
        .map_err(|e| read_error(path, e))?
        .is_file()
    {
        return Err(Error::ReadFile {
            path: path.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "is a pipe or a device, not a file: an input is read more than once (to check \
                 it and to hash it for the run record), so save it to a file first",
            ),
        });
    }
    let mut file = std::fs::File::open(path).map_err(|e| read_error(path, e))?;
    let mut magic = [0u8; 8];
    let n = file.read(&mut magic).map_err(|e| read_error(path, e))?;
    let magic = &magic[..n];
    if magic.starts_with(b"PK\x03\x04") || magic.starts_with(b"\xD0\xCF\x11\xE0") {
        return Ok(Kind::Sheet);
    }
    if magic.starts_with(b"PAR1") {
        return Ok(Kind::Parquet);
    }
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    Ok(match extension.as_str() {
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => Kind::Sheet,
        "parquet" | "pq" => Kind::Parquet,
        _ => Kind::Csv,
    })
}

#[cfg(any(feature = "xlsx", feature = "parquet"))]
thread_local! {
    /// How many [`caught`] calls the thread is inside.
    static CATCHING: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Runs `f`, a call into a library that may panic on a damaged file (polars, calamine), and
/// turns its panic into `Err` with the panic's message, without the panic's text on stderr:
/// a damaged file is an error, never a crash or a backtrace. The first call installs a panic
/// hook that stays silent for panics on a thread inside `caught` and hands every other panic
/// to the hook that was there before.
#[cfg(any(feature = "xlsx", feature = "parquet"))]
pub(crate) fn caught<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CATCHING.with(std::cell::Cell::get) == 0 {
                previous(info);
            }
        }));
    });
    CATCHING.with(|c| c.set(c.get() + 1));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(c.get().saturating_sub(1)));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default()
    })
}

/// [`Error::ReadFile`] for a path.
pub(crate) fn read_error(path: &Path, source: std::io::Error) -> Error {
    Error::ReadFile {
        path: path.to_owned(),
        source,
    }
}

/// Decodes a cell's bytes by the file's encoding; `None` for bytes that are not valid UTF-8
/// when UTF-8 was declared.
pub(crate) fn decode(bytes: &[u8], encoding: Encoding) -> Option<Cow<'_, str>> {
    let windows_1252 = || {
        encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
    };
    match (encoding, std::str::from_utf8(bytes)) {
        (Encoding::Windows1252, _) => Some(windows_1252()),
        (_, Ok(text)) => Some(Cow::Borrowed(text)),
        (Encoding::Auto, Err(_)) => Some(windows_1252()),
        (Encoding::Utf8, Err(_)) => None,
    }
}

/// The bytes of a file after a UTF-8 byte-order mark, if there is one.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Whether a file's bytes look like UTF-16 (a byte-order mark, or NUL bytes between ASCII
/// letters), which deltid does not read.
pub(crate) fn looks_utf16(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\xFF\xFE")
        || bytes.starts_with(b"\xFE\xFF")
        || (bytes.len() >= 4 && bytes[1] == 0 && bytes[3] == 0 && bytes[0] != 0)
}

/// The CSV reader deltid reads every CSV file with: no header handling (the header is found
/// among the first records), records of any width, `"` quoting with doubled quotes, and `\n`,
/// `\r\n` or `\r` ending a record.
pub(crate) fn csv_reader<R: Read>(delimiter: u8, reader: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(reader)
}

/// Picks the separator among `,`, `;` and tab that splits the first lines most consistently.
pub(crate) fn sniff_delimiter(text: &[u8]) -> u8 {
    let lines: Vec<&[u8]> = text
        .split(|b| *b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .take(30)
        .collect();
    let mut best = (0usize, b',');
    for delimiter in [b',', b';', b'\t'] {
        let mut counts: Vec<usize> = lines
            .iter()
            .map(|l| l.iter().filter(|b| **b == delimiter).count())
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

/// The line of a byte of a CSV file: 1 + the line ends before it (`\n`, `\r\n` or a lone `\r`).
pub(crate) fn line_ends(bytes: &[u8]) -> u64 {
    let newlines = memchr::memchr_iter(b'\n', bytes).count() as u64;
    let lone_returns = memchr::memchr_iter(b'\r', bytes)
        .filter(|&i| bytes.get(i + 1) != Some(&b'\n'))
        .count() as u64;
    newlines + lone_returns
}

/// Where a record's content starts: past the blank line ends the CSV reader skipped before it.
pub(crate) fn skip_blank(bytes: &[u8], offset: usize) -> usize {
    offset
        + bytes[offset.min(bytes.len())..]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count()
}

/// Finds the header among the first records: the first of the first 50 that has a column
/// named `anchor` (so title lines and sparse columns cannot mislead it), or failing that the
/// first with the most common number of filled cells. Returns its position.
pub(crate) fn find_header(records: &[Vec<String>], anchors: &[&str]) -> Option<usize> {
    let names = |r: &Vec<String>| {
        r.iter()
            .any(|c| anchors.iter().any(|a| same_name(&header_name(c), a)))
    };
    if let Some(at) = records.iter().take(50).position(names) {
        return Some(at);
    }
    let filled = |r: &Vec<String>| r.iter().filter(|c| !trim_cell(c).is_empty()).count();
    let mut tally: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
    for n in records.iter().take(50).map(filled).filter(|n| *n > 0) {
        *tally.entry(n).or_default() += 1;
    }
    // The most common width; on a tie, the wider.
    let common = tally
        .iter()
        .max_by_key(|(width, count)| (**count, **width))
        .map(|(width, _)| *width)?;
    records.iter().position(|r| filled(r) == common)
}

/// Whether a header cell names `column`: the same text, or the same letters in another case.
pub(crate) fn same_name(cell: &str, column: &str) -> bool {
    cell == column || cell.to_lowercase() == column.to_lowercase()
}

/// A header cell as a column name: trimmed, a byte-order mark removed.
pub(crate) fn header_name(cell: &str) -> String {
    trim_cell(cell.trim_start_matches('\u{feff}')).to_owned()
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

/// [`column_index`] with the header's case ignored (`Code`, `NAME`), for tables whose columns
/// have fixed names (areas, code mappings), as counts headers are read. Messages list the
/// header as written.
pub(crate) fn column_index_any_case(header: &[String], column: &str, path: &Path) -> Result<usize> {
    let lower: Vec<String> = header.iter().map(|h| h.to_lowercase()).collect();
    column_index(&lower, column, path).map_err(|e| match e {
        Error::MissingColumn { path, column, .. } => Error::MissingColumn {
            path,
            column,
            found: header.to_vec(),
        },
        other => other,
    })
}

/// Where the records of a table sit.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Places {
    /// CSV lines.
    Lines,
    /// Cells of a sheet whose first used column is `first_column` (0 is A).
    Sheet { name: String, first_column: u32 },
    /// Parquet rows.
    Rows,
}

impl Places {
    /// Where a cell of a record numbered `at` (CSV line, sheet row, Parquet row) sits.
    pub(crate) fn locate(&self, at: u64, column: usize) -> Location {
        match self {
            Places::Lines => Location::Line(at),
            Places::Rows => Location::Row(at),
            Places::Sheet { name, first_column } => Location::Cell {
                sheet: name.clone(),
                cell: format!(
                    "{}{at}",
                    column_letters(first_column.saturating_add(column as u32))
                ),
            },
        }
    }
}

/// Spreadsheet column letters: 0 → A, 25 → Z, 26 → AA.
pub(crate) fn column_letters(mut index: u32) -> String {
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

/// A CSV reader's error as deltid's, with the line where the record starts.
pub(crate) fn csv_error(path: &Path, bytes: &[u8], error: &csv::Error) -> Error {
    let byte = error.position().map_or(0, |p| p.byte() as usize);
    Error::ReadCsv {
        path: path.to_owned(),
        line: 1 + line_ends(&bytes[..byte.min(bytes.len())]),
        message: error.to_string(),
    }
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
        let cases: [(&[u8], u8); 4] = [
            (b"date,area,count\n2020-01-01,0301,5\n", b','),
            (b"date;area;count\n2020-01-01;0301;5,5\n", b';'),
            (b"date\tarea\tcount\n2020-01-01\t0301\t5,5\n", b'\t'),
            // SSB's export: a title line, a blank line, then semicolons.
            (
                b"\"07459: Population\"\n\n\"region\";\"age\";\"Persons 2023\"\n\"K-3039 Fl\xe5\";\"0 years\";9\n",
                b';',
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(sniff_delimiter(text), expected);
        }
    }

    #[test]
    fn cells_decode_by_encoding() {
        assert_eq!(
            decode(b"K-3043 \xC5l", Encoding::Auto).as_deref(),
            Some("K-3043 Ål")
        );
        assert_eq!(
            decode("Ål".as_bytes(), Encoding::Auto).as_deref(),
            Some("Ål")
        );
        assert_eq!(decode(b"\xC5l", Encoding::Utf8), None);
        assert_eq!(
            decode(b"\xC5l", Encoding::Windows1252).as_deref(),
            Some("Ål")
        );
    }

    #[test]
    #[cfg(any(feature = "xlsx", feature = "parquet"))]
    fn a_caught_panic_is_an_error_with_its_message() {
        assert_eq!(caught(|| 7), Ok(7));
        let result: std::result::Result<(), String> = caught(|| panic!("damaged: {}", 42));
        assert_eq!(result, Err("damaged: 42".to_owned()));
        // Nested calls: the outer one still catches after the inner one returned.
        let outer = caught(|| {
            let _ = caught(|| panic!("inner"));
            panic!("outer")
        });
        assert_eq!(outer, Err::<(), _>("outer".to_owned()));
    }

    #[test]
    fn line_ends_count_lf_crlf_and_lone_cr() {
        assert_eq!(line_ends(b"a\nb\r\nc\rd"), 3);
        assert_eq!(line_ends(b"abc"), 0);
    }
}
