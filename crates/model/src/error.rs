//! The library's one error type, and where in a file a value sits.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where a value sits in its file, for error messages.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Location {
    /// A CSV line (1-based, the header's line counted; a quoted field may span lines, the
    /// record's first line is given).
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
            Location::Cell { sheet, cell } => write!(f, "sheet {}, cell {cell}", quoted(sheet)),
            Location::Row(n) => write!(f, "row {n}"),
        }
    }
}

/// Why a local time gives no single instant, from the offsets of [`Error::LocalTime`].
fn local_time_reason(zone: &str, ambiguous: bool, offsets: &[String]) -> String {
    match (ambiguous, offsets) {
        (true, [first, second]) => format!(
            "occurs twice in {zone} (the clocks go back that night): write it with its offset, {first} (the first) or {second} (the second)"
        ),
        (true, _) => format!(
            "occurs twice in {zone} (the clocks go back that night): write it with its offset (RFC 3339)"
        ),
        (false, [before, after]) => format!(
            "does not exist in {zone}: the clocks went forward that night (from UTC{before} to UTC{after}), so no count is at that time; check the times, or write the instant meant with its offset (RFC 3339)"
        ),
        (false, _) => format!(
            "does not exist in {zone}: the clocks went forward that night, so no count is at that time"
        ),
    }
}

/// The most characters of a value from a file that a message repeats.
pub const MAX_ECHOED: usize = 80;

/// A value from a file as a message shows it: in quotes, control characters and other
/// invisible or terminal-controlling characters escaped, cut to [`MAX_ECHOED`] characters.
///
/// # Examples
/// ```
/// use deltid_model::quoted;
/// assert_eq!(quoted("K-3043 Ål"), "\"K-3043 Ål\"");
/// assert_eq!(quoted("\u{1b}]0;x\u{7}"), "\"\\u{1b}]0;x\\u{7}\"");
/// assert!(quoted(&"9".repeat(1000)).ends_with("…(1000 characters)\""));
/// ```
pub fn quoted(value: &str) -> String {
    let count = value.chars().count();
    let shown: String = value.chars().take(MAX_ECHOED).collect();
    let mut escaped = format!("{shown:?}");
    if count > MAX_ECHOED {
        escaped.pop();
        escaped.push_str(&format!("…({count} characters)\""));
    }
    escaped
}

/// A column's name (from a file's header or the caller) as a message shows it: in backticks,
/// escaped and cut as [`quoted`] escapes and cuts a value.
///
/// # Examples
/// ```
/// use deltid_model::ticked;
/// assert_eq!(ticked("count"), "`count`");
/// assert_eq!(ticked("3039 \u{1b}[2J"), "`3039 \\u{1b}[2J`");
/// ```
pub fn ticked(name: &str) -> String {
    let quoted = quoted(name);
    let inner = quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or(&quoted);
    format!("`{inner}`")
}

/// The most characters of one line of a message from a library (a parser's excerpt of the
/// file) that a message repeats.
const MAX_MESSAGE_LINE: usize = 200;

/// A message from a library that may quote the file (a TOML parser's excerpt, a CSV or
/// spreadsheet reader's text): control characters escaped, each line cut to 200 characters.
pub(crate) fn cleaned(message: &str) -> String {
    message
        .split('\n')
        .map(|line| {
            let count = line.chars().count();
            let mut shown: String = line
                .chars()
                .take(MAX_MESSAGE_LINE)
                .flat_map(|c| {
                    let escape = c.is_control() && c != '\t' || is_invisible(c);
                    let text: String = if escape {
                        c.escape_unicode().collect()
                    } else {
                        c.to_string()
                    };
                    text.chars().collect::<Vec<_>>()
                })
                .collect();
            if count > MAX_MESSAGE_LINE {
                shown.push_str(&format!("…({count} characters)"));
            }
            shown
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Characters that change what a terminal shows without showing themselves (bidirectional
/// overrides and isolates).
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A list of codes or names as a message shows it: the first few, then how many more.
fn some(items: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut text: Vec<String> = items.iter().take(SHOWN).map(|i| quoted(i)).collect();
    if items.len() > SHOWN {
        text.push(format!("and {} more", items.len() - SHOWN));
    }
    text.join(", ")
}

/// The areas of `known` closest to `cell`, at most three, as a message shows them: by code
/// (`"3041"`, `"3041" or "3039"`) or by name with its code (`"Flå" (3039)`), whichever is
/// closer. Closeness is the fewest characters to insert, delete or change; a name is compared
/// ignoring case, and its start and each of its words count too, one edit more (`nes` is one
/// from Nesbyen, `aurdal` one from Sør-Aurdal and Nord-Aurdal). A cell of more letters than
/// digits is compared with the names only when no code has a letter (`0o01` is still a code
/// mistyped).
fn closest(cell: &str, known: &[crate::Area]) -> String {
    const SHOWN: usize = 3;
    let cell = crate::trim_cell(cell);
    let lower = cell.to_lowercase();
    let letters = |text: &str| text.chars().filter(|c| c.is_alphabetic()).count();
    let digits = cell.chars().filter(char::is_ascii_digit).count();
    let names_only = letters(cell) > digits && !known.iter().any(|a| letters(a.code.as_str()) > 0);
    // (edits, by name, position); ties in the order of the areas.
    let mut ranked: Vec<(usize, bool, usize)> = known
        .iter()
        .enumerate()
        .map(|(i, area)| {
            let by_code = match names_only {
                true => usize::MAX,
                false => edits(cell, area.code.as_str()),
            };
            let name = area.name.to_lowercase();
            let start: String = name.chars().take(lower.chars().count()).collect();
            let word = name
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| w == lower);
            let by_name = edits(&lower, &name)
                .min(edits(&lower, &start) + 1)
                .min(if word { 1 } else { usize::MAX });
            (by_code.min(by_name), by_name < by_code, i)
        })
        .collect();
    ranked.sort_by_key(|&(edits, _, i)| (edits, i));
    let best = ranked.first().map_or(0, |r| r.0);
    let shown: Vec<String> = ranked
        .iter()
        .take_while(|r| r.0 <= best + 1)
        .take(SHOWN)
        .map(|&(_, by_name, i)| match by_name {
            true => format!("{} ({})", quoted(&known[i].name), known[i].code),
            false => quoted(known[i].code.as_str()),
        })
        .collect();
    match shown.split_last() {
        None => "an area of the scenario".to_owned(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// A column as a message names it: `` `Residens` ``, or by its number where its header cell is
/// blank (`4, whose header cell is blank`).
fn column_shown(column: &str, number: usize) -> String {
    match crate::trim_cell(column).is_empty() {
        true => format!("{number}, whose header cell is blank,"),
        false => ticked(column),
    }
}

/// " (did you mean `residents`?)" for the column of `expected` closest to `column`, ignoring
/// case, spaces as underscores, if it is a few edits away (a third of its length at most, and
/// at least two); else nothing.
fn closest_column(column: &str, expected: &[String]) -> String {
    let written = crate::trim_cell(column).to_lowercase().replace(' ', "_");
    expected
        .iter()
        .map(|e| (edits(&written, e), e))
        .min()
        .filter(|(n, e)| *n <= (e.chars().count() / 3).max(2))
        .map_or_else(String::new, |(_, e)| {
            format!(" (did you mean {}?)", ticked(e))
        })
}

/// What a deduction table lacks a figure for: `2020-02-27, area 0001`, `2020-02-28` (a table
/// shared by the areas) or `area 0001` (a table without dates).
pub(crate) fn missing_figure(date: Option<&str>, area: Option<&str>) -> String {
    match (date, area) {
        (Some(date), Some(area)) => format!("{date}, area {area}"),
        (Some(date), None) => date.to_owned(),
        (None, Some(area)) => format!("area {area}"),
        (None, None) => "the region".to_owned(),
    }
}

/// What to do about a missing deduction figure: add a row, or for a deduction other than the
/// residents, deduct none on such days (`fill = 0` for residents would count every resident
/// as a guest).
pub fn missing_figure_advice(deduction: &str) -> &'static str {
    if deduction == "residents" {
        " (add a row)"
    } else {
        " (add a row, or give `fill = 0` beside `table` in the scenario to deduct none where a row is missing)"
    }
}

/// For a cell of digits that is a code of the scenario without its leading zeros (`301` for
/// `0301`, as a spreadsheet drops them): how the scenario reads such cells; else nothing.
fn padding_hint(cell: &str, known: &[crate::Area]) -> String {
    let cell = crate::trim_cell(cell);
    if cell.is_empty() || !cell.bytes().all(|b| b.is_ascii_digit()) {
        return String::new();
    }
    known
        .iter()
        .map(|a| a.code.as_str())
        .find(|code| {
            code.len() > cell.len()
                && code.ends_with(cell)
                && code.bytes().take(code.len() - cell.len()).all(|b| b == b'0')
        })
        .map_or_else(String::new, |code| {
            format!(
                "; codes of {} digits with their leading zeros dropped are read so with `[area_codes] digits = {}` in the scenario",
                code.len(),
                code.len()
            )
        })
}

/// "6 areas known", "1 area known".
fn areas_known(n: usize) -> String {
    match n {
        1 => "1 area known".to_owned(),
        n => format!("{n} areas known"),
    }
}

/// Levenshtein distance between two texts, in characters.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Everything that can go wrong in deltid, with the context a user needs to fix it.
///
/// Every variant that comes from a file names the file, and where a value is at fault, its
/// place ([`Location`]: line, sheet and cell, or row), column and the offending value, escaped
/// and shortened ([`quoted`]). Messages are lowercase, carry no trailing period and name no
/// command-line flag, so they compose into cause chains.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened or read.
    #[error("cannot read {}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },

    /// A CSV file is malformed beyond what the reader takes.
    #[error("{}: line {line}: malformed CSV: {}", path.display(), cleaned(message))]
    ReadCsv {
        /// The file.
        path: PathBuf,
        /// Line where the bad record starts.
        line: u64,
        /// What the CSV reader reported.
        message: String,
    },

    /// A spreadsheet cannot be opened or read (damaged, or not a workbook).
    #[error("{}: cannot read the spreadsheet: {}", path.display(), cleaned(message))]
    ReadSheet {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },

    /// A spreadsheet has no sheet of the name asked for.
    #[error("{}: no sheet {} (sheets: {})", path.display(), quoted(sheet), some(sheets))]
    NoSuchSheet {
        /// The file.
        path: PathBuf,
        /// The sheet asked for.
        sheet: String,
        /// The sheets the workbook has.
        sheets: Vec<String>,
    },

    /// A Parquet file cannot be opened or decoded.
    #[error("{}: cannot read the Parquet file: {}", path.display(), cleaned(message))]
    ReadParquet {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },

    /// A column of a typed file (Parquet) has a type deltid does not read for its role.
    #[error("{}: column {col} is of type {found}: expected {expected}", path.display(), col = ticked(column))]
    ColumnType {
        /// The file.
        path: PathBuf,
        /// Column name.
        column: String,
        /// The type found.
        found: String,
        /// What is read for this column.
        expected: String,
    },

    /// A required column is not in a file's header.
    #[error("{}: no column {col} in the header (found: {}){}", path.display(), some(found), separator_hint(found), col = ticked(column))]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column that was expected.
        column: String,
        /// The columns that the header has.
        found: Vec<String>,
    },

    /// A column name occurs twice in a header, so which one is meant is unclear.
    #[error("{}: column {col} appears twice in the header", path.display(), col = ticked(column))]
    DuplicateColumn {
        /// The file.
        path: PathBuf,
        /// The repeated column name.
        column: String,
    },

    /// A table of the scenario's areas has a column deltid does not take: refused, as an
    /// unknown key of an `[[area]]` is, so that a misspelt figure (`Residens`) is not passed
    /// over.
    #[error("{}: column {col} is not a column of an areas table{}: it takes {}; rename the column, or leave it out of the file", path.display(), closest_column(column, expected), expected.join(", "), col = column_shown(column, *number))]
    UnknownColumn {
        /// The file.
        path: PathBuf,
        /// The column's name as written (blank for a header cell left empty).
        column: String,
        /// The column's number, counted from 1.
        number: usize,
        /// The columns the table takes.
        expected: Vec<String>,
    },

    /// A data row has more fields than the header: most often a number written with a comma
    /// and not quoted (`6,506`), which would otherwise be read as two fields.
    #[error("{}: {at}: {found} fields where the header has {expected} (a number with a comma, such as 6,506, that is not in quotes?)", path.display())]
    ExtraFields {
        /// The file.
        path: PathBuf,
        /// Where the row is.
        at: Location,
        /// Fields in the row.
        found: usize,
        /// Fields in the header.
        expected: usize,
    },

    /// A data row of counts in columns (one per area) has fewer fields than the header: a row
    /// cut short, whose missing areas would otherwise read as days without a count.
    #[error("{}: {at}: {found} fields where the header has {expected} (a row cut short?)", path.display())]
    MissingFields {
        /// The file.
        path: PathBuf,
        /// Where the row is.
        at: Location,
        /// Fields in the row.
        found: usize,
        /// Fields in the header.
        expected: usize,
    },

    /// A value in a column whose header cell is blank, in counts in columns (one per area):
    /// it names no area, so its counts would otherwise be left out.
    #[error("{}: {at}, column {number}: the value {} has no area: the column's header cell is blank (name the area there, or leave the column empty)", path.display(), quoted(value))]
    UnnamedColumn {
        /// The file.
        path: PathBuf,
        /// Where the row is.
        at: Location,
        /// The column's number, counted from 1.
        number: usize,
        /// The value as read.
        value: String,
    },

    /// A file's bytes are not in the encoding declared for it.
    #[error("{}: line {line}: not valid UTF-8 (declare the encoding, e.g. windows-1252)", path.display())]
    Encoding {
        /// The file.
        path: PathBuf,
        /// The line of the first invalid byte.
        line: u64,
    },

    /// A file holds a header but no data rows.
    #[error("{}: no data rows", path.display())]
    EmptyInput {
        /// The file.
        path: PathBuf,
    },

    /// Hourly counts were read, but none gives a night's count: no row falls in the night
    /// window, or (with a rule that takes one hour) none is at that hour.
    #[error("{}: {rows} rows read, but {}", path.display(), match hour {
        None => format!("none falls in the night window {window} local time ({zone}; the night labelled by its evening date D is counted on the morning of D + 1): no night counts"),
        Some(hour) => format!("no count at {hour} local time ({zone}), the hour the night rule takes ({in_window} in the night window {window}): no night counts"),
    })]
    NoNightCounts {
        /// The file.
        path: PathBuf,
        /// Hourly counts read.
        rows: u64,
        /// Of them, in a night's window.
        in_window: u64,
        /// The night window, `01:00-05:00`.
        window: String,
        /// The hour the rule takes, `04:00`, for a rule of one hour.
        hour: Option<String>,
        /// The time zone local times are read in.
        zone: String,
    },

    /// A date could not be read in the column's format.
    #[error("{}: {at}, column {col}: cannot parse date {} (expected {expected})", path.display(), quoted(value), col = ticked(column))]
    ParseDate {
        /// The file.
        path: PathBuf,
        /// The date format expected, in words (e.g. `yyyy-mm-dd`).
        expected: String,
        /// Where the value sits.
        at: Location,
        /// Column name.
        column: String,
        /// The text found.
        value: String,
    },

    /// A date in the column's format names a day that does not exist (`29.02.2023`).
    #[error("{}: {at}, column {col}: no such day {} ({expected})", path.display(), quoted(value), col = ticked(column))]
    NoSuchDay {
        /// The file.
        path: PathBuf,
        /// The date format, in words.
        expected: String,
        /// Where the value sits.
        at: Location,
        /// Column name.
        column: String,
        /// The text found.
        value: String,
    },

    /// A timestamp could not be read: neither RFC 3339 with an offset (`2024-10-26T23:00:00Z`,
    /// `2024-10-27T01:00:00+02:00`) nor a local time `yyyy-mm-dd hh:mm[:ss]`.
    #[error("{}: {at}, column {col}: cannot parse time {} (expected RFC 3339 with an offset, 2024-10-27T01:00:00+02:00, or a local time 2024-10-27 01:00 in {zone})", path.display(), quoted(value), col = ticked(column))]
    ParseTime {
        /// The file.
        path: PathBuf,
        /// Where the value sits.
        at: Location,
        /// Column name.
        column: String,
        /// The text found.
        value: String,
        /// The time zone local times are read in.
        zone: String,
    },

    /// A local time without an offset names two instants (the hour the clocks go back) or
    /// none (the hour they skip) in the scenario's time zone.
    #[error("{}: {at}, column {col}: the local time {} {}", path.display(), quoted(value), local_time_reason(zone, *ambiguous, offsets), col = ticked(column))]
    LocalTime {
        /// The file.
        path: PathBuf,
        /// Where the value sits.
        at: Location,
        /// Column name.
        column: String,
        /// The text found.
        value: String,
        /// The time zone local times are read in.
        zone: String,
        /// Whether the time occurs twice (else not at all).
        ambiguous: bool,
        /// For a time that occurs twice, its two instants with their offsets in time order
        /// (`2024-10-27T02:30:00+02:00`, `2024-10-27T02:30:00+01:00`); for one that does not
        /// exist, the zone's offsets before and after the clocks went forward (`+01:00`,
        /// `+02:00`); empty where they cannot be told.
        offsets: Vec<String>,
    },

    /// Two counts of one area at one instant (however each was written).
    #[error("{}: {at}, column {col}: a second count of area {area} at {local} local time ({zone}), {instant} (UTC); the first is at {first} ({counts} persons)", path.display(), col = ticked(column))]
    SameInstant {
        /// The file.
        path: PathBuf,
        /// Where the second count is (its timestamp cell).
        at: Location,
        /// Where the first count of the area at that instant is.
        first: Location,
        /// The timestamp column's name.
        column: String,
        /// The second count's instant as its local time in the zone, `2024-03-02T01:00:00`
        /// (the cell may spell it otherwise, with an offset).
        value: String,
        /// Area code.
        area: String,
        /// The instant, RFC 3339 in UTC.
        instant: String,
        /// The instant's local time in the zone, `2024-03-02 01:00:00`.
        local: String,
        /// The time zone local times are read in.
        zone: String,
        /// The two counts, first and second, as `880 and 870`.
        counts: String,
    },

    /// A date is outside the days deltid takes ([`MIN_YEAR`](crate::MIN_YEAR) to
    /// [`MAX_YEAR`](crate::MAX_YEAR)): most likely a typing error or a placeholder such as
    /// 9999-12-31.
    #[error("{}: {at}, column {col}: date {value} is outside {}-01-01 to {}-12-31", path.display(), crate::MIN_YEAR, crate::MAX_YEAR, col = ticked(column))]
    DateOutOfRange {
        /// The file.
        path: PathBuf,
        /// Where the value sits.
        at: Location,
        /// Column name.
        column: String,
        /// The date, ISO 8601.
        value: String,
    },

    /// A date lies far outside the span of the file's other dates (more than a year from any
    /// of them, with few days of its own): most likely a typing error (2002 for 2020), which
    /// would make every day between count as missing and the yearly figures wrong.
    #[error("{}: {at}, column {col}: date {value} lies {days} days outside the other dates ({first} to {last}): a typing error?", path.display(), col = ticked(column))]
    StrayDate {
        /// The file.
        path: PathBuf,
        /// Where the date first occurs.
        at: Location,
        /// Column name.
        column: String,
        /// The date, ISO 8601.
        value: String,
        /// The first day of the other dates' span.
        first: String,
        /// The last day of the other dates' span.
        last: String,
        /// Days from the nearest end of that span.
        days: i64,
    },

    /// Every date in a column reads both day-first and month-first (`01/02/2020`).
    #[error("{}: column {col}: dates such as {} read both as dd/mm/yyyy and mm/dd/yyyy: declare the date format", path.display(), quoted(example), col = ticked(column))]
    AmbiguousDates {
        /// The file.
        path: PathBuf,
        /// Column name.
        column: String,
        /// One of the dates.
        example: String,
    },

    /// A number (a count or a deduction in persons) could not be parsed.
    #[error("{}: {at}, column {col}: cannot parse number {} (expected a number of persons such as 1234, 1 234 or 1234,5)", path.display(), quoted(value), col = ticked(column))]
    ParseNumber {
        /// The file.
        path: PathBuf,
        /// Where the value sits.
        at: Location,
        /// Column name.
        column: String,
        /// The text found.
        value: String,
    },

    /// A number could be read two ways: `1,234` or `1.234` is a decimal in Norwegian and
    /// English writing alike, or a thousand, depending on the writer.
    #[error("{}: {at}, column {col}: {} is ambiguous (a decimal mark or a thousands separator?): declare the decimal mark", path.display(), quoted(value), col = ticked(column))]
    AmbiguousNumber {
        /// The file.
        path: PathBuf,
        /// Where the value sits.
        at: Location,
        /// Column name.
        column: String,
        /// The text found.
        value: String,
    },

    /// A count or deduction in persons is below zero.
    #[error("{}: {at}, column {col}: negative number of persons {}", path.display(), quoted(value), col = ticked(column))]
    NegativeNumber {
        /// The file.
        path: PathBuf,
        /// Where the value sits.
        at: Location,
        /// Column name.
        column: String,
        /// The text found.
        value: String,
    },

    /// A number of persons is larger than any real count can be (above
    /// [`MAX_PERSONS`](crate::MAX_PERSONS), more than the world's population), or not finite.
    #[error("{}: {at}, column {col}: {} persons is more than any real count (at most 10 000 000 000)", path.display(), quoted(value), col = ticked(column))]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Where the value sits.
        at: Location,
        /// Column name.
        column: String,
        /// The text found.
        value: String,
    },

    /// A count of foreign SIMs is larger than the count of all SIMs it is a part of.
    #[error("{}: {at}, column {col}: {foreign} foreign SIMs is more than the {count} counted in all", path.display(), col = ticked(column))]
    ForeignAboveCount {
        /// The file.
        path: PathBuf,
        /// Where the row is.
        at: Location,
        /// The foreign-SIM column's name.
        column: String,
        /// Foreign SIMs.
        foreign: f64,
        /// All SIMs (domestic and foreign).
        count: f64,
    },

    /// An area cell is empty.
    #[error("{}: {at}, column {col}: empty area code", path.display(), col = ticked(column))]
    EmptyArea {
        /// The file.
        path: PathBuf,
        /// Where the value sits.
        at: Location,
        /// Column name.
        column: String,
    },

    /// A table of the scenario's areas lists a code twice.
    #[error("{}: {at}, column {col}: area code {} is listed twice (first at {first})", path.display(), quoted(code), col = ticked(column))]
    DuplicateArea {
        /// The areas table.
        path: PathBuf,
        /// Where the code occurs the second time.
        at: Location,
        /// Where it occurs first.
        first: Location,
        /// Column name.
        column: String,
        /// The code.
        code: String,
    },

    /// An area cell names no area of the scenario.
    #[error("{}: {at}, column {col}: area {} is not in the scenario {} (did you mean {}? {}){}", path.display(), quoted(area), scenario.display(), closest(area, known), areas_known(known.len()), padding_hint(area, known), col = ticked(column))]
    UnknownArea {
        /// The counts (or table) file.
        path: PathBuf,
        /// Where the area first occurs.
        at: Location,
        /// Column name.
        column: String,
        /// The cell as written.
        area: String,
        /// The scenario file.
        scenario: PathBuf,
        /// The areas the scenario lists (messages show the closest few: by code, or by name
        /// for a cell with letters).
        known: Vec<crate::Area>,
    },

    /// An area name fits more than one area of the scenario.
    #[error("{}: {at}, column {col}: area name {} fits more than one area ({}): use codes", path.display(), quoted(name), some(codes), col = ticked(column))]
    AmbiguousArea {
        /// The file.
        path: PathBuf,
        /// Where the name first occurs.
        at: Location,
        /// Column name.
        column: String,
        /// The name.
        name: String,
        /// The codes it fits.
        codes: Vec<String>,
    },

    /// The same (date, area) pair occurs twice.
    #[error("{}: {at}: second row for area {area} on {date} (first at {first})", path.display())]
    DuplicateRow {
        /// The file.
        path: PathBuf,
        /// Where the repeated row is.
        at: Location,
        /// Where the first row for the same date and area is.
        first: Location,
        /// Area code.
        area: String,
        /// Date, ISO 8601.
        date: String,
    },

    /// A cell of counts split by origin cannot be read as the scenario's `[origin]` says: an
    /// origin cell names no origin, a row cannot be split, a total is below the published
    /// cells, a `-1` marker comes with `k` = 0.
    #[error("{}: {at}, column {col}: {}: {reason}", path.display(), quoted(value), col = ticked(column))]
    BadOrigin {
        /// The file.
        path: PathBuf,
        /// Where the value sits.
        at: Location,
        /// Column name.
        column: String,
        /// The text found.
        value: String,
        /// What is wrong, and what is read.
        reason: String,
    },

    /// Counts split by origin give an area, day and origin twice.
    #[error("{}: {at}, column {col}: {}: a second row for area {area} on {date} from origin {origin} (first at {first})", path.display(), quoted(value), col = ticked(column))]
    DuplicateOrigin {
        /// The file.
        path: PathBuf,
        /// Where the second row is.
        at: Location,
        /// Where the first row is.
        first: Location,
        /// The origin's column name.
        column: String,
        /// The origin cell of the second row, as read.
        value: String,
        /// Area code.
        area: String,
        /// Date, ISO 8601.
        date: String,
        /// Origin code.
        origin: String,
    },

    /// Several values of one file are wrong; each is listed (up to a limit).
    #[error("{}: {} problems{}:\n{}", path.display(), errors.len() + more, if *more > 0 { format!(" (the first {} shown)", errors.len()) } else { String::new() }, errors.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n"))]
    Many {
        /// The file.
        path: PathBuf,
        /// The problems found, in file order.
        errors: Vec<Error>,
        /// How many more were not listed.
        more: usize,
    },

    /// The scenario file is not valid TOML or does not have the expected shape.
    #[error("{}: cannot read scenario: {}", path.display(), cleaned(message))]
    ReadScenario {
        /// The scenario file.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },

    /// The scenario is well-formed but a value is not allowed.
    #[error("{}: `{key}`: {}", path.display(), cleaned(reason))]
    InvalidScenario {
        /// The scenario file.
        path: PathBuf,
        /// The key at fault, as written in the file (e.g. `uplift`, `area[2].residents`).
        key: String,
        /// What is wrong and what is expected.
        reason: String,
    },

    /// A deduction table has no row for a date (and area) the counts need.
    #[error("{}: no {deduction} figure for {}{}", path.display(), missing_figure(date.as_deref(), area.as_deref()), missing_figure_advice(deduction))]
    MissingDeductionDate {
        /// The deduction table.
        path: PathBuf,
        /// The deduction (`residents`, `commuters`, `transit` or `day_visitors`).
        deduction: String,
        /// The date missing, ISO 8601; `None` for a table without dates (a figure an area).
        date: Option<String>,
        /// The area, for a per-area table.
        area: Option<String>,
    },

    /// Neither the caller nor the scenario names a counts file.
    #[error("no counts file: give one, or name it in {} as `counts = \"file.csv\"`", scenario.display())]
    NoCounts {
        /// The scenario file.
        scenario: PathBuf,
    },

    /// No counts remain after the period and area filters.
    #[error("no counts in the selection ({selection})")]
    EmptySelection {
        /// The period and areas that were asked for.
        selection: String,
    },

    /// The selection asks for something impossible (an empty period, an area not in the
    /// scenario).
    #[error("invalid selection: {reason}")]
    InvalidSelection {
        /// What is wrong.
        reason: String,
    },

    /// An option of an analysis or an output is out of its range.
    #[error("invalid option `{option}`: {reason}")]
    InvalidOption {
        /// The option, as the library names it (`dimensioning`, `draws`, `table`).
        option: String,
        /// What is wrong and what is expected.
        reason: String,
    },

    /// Estimates set side by side (residual, night, home zone) that have no area and date in
    /// common: what each covers, so the inputs can be matched.
    #[error("the estimates have no area and date in common, so there is nothing to compare (a night is compared with the day of its evening date): {}", covered.join("; "))]
    NothingInCommon {
        /// What each estimate covers, in words: `the residual from day counts: days
        /// 2024-07-01 to 2024-07-31 (31 dates)`.
        covered: Vec<String>,
    },

    /// A daily series cannot carry a sampling interval: too few days, or days that depend on
    /// each other over too long a stretch for their number.
    #[error("no sampling interval from {days} days: {reason}")]
    TooFewDays {
        /// Days in the series.
        days: usize,
        /// Why, with the days that would be needed.
        reason: String,
    },

    /// The scenario asks for something an engine cannot render (an SQL dialect without a
    /// feature the query needs).
    #[error("{}: cannot write {what}: {reason}", scenario.display())]
    Unsupported {
        /// The scenario file.
        scenario: PathBuf,
        /// What was asked for (`the SQL query`).
        what: String,
        /// Why not, and what to do instead.
        reason: String,
    },

    /// A file the scenario cannot read in this form (a column the layout has no use for, a
    /// split the scenario does not declare).
    #[error("{}: cannot read {what}: {reason}", scenario.display())]
    UnsupportedInput {
        /// The scenario file.
        scenario: PathBuf,
        /// What was to be read (`counts split by origin (column `origin` of split.csv)`).
        what: String,
        /// Why not, and what to do instead.
        reason: String,
    },

    /// Counts split by origin where the plan's residual estimate was asked for (population
    /// figures, a report): a split gives its own figures.
    #[error("{}: {} holds counts split by origin: a split gives its own figures (persons by origin, guest-nights by the origin's rule, see [origin]), not the plan's population figures or report; estimate it as a split", scenario.display(), counts.display())]
    SplitNotPlanned {
        /// The scenario file.
        scenario: PathBuf,
        /// The counts file.
        counts: PathBuf,
    },

    /// A synthetic-data request is impossible (no days, no areas, a negative mean).
    #[error("invalid synthetic data request: {reason}")]
    InvalidSynth {
        /// What is wrong.
        reason: String,
    },

    /// A chart file name asks for a format deltid does not draw.
    #[error("{}: a chart must be a .png or .svg file", path.display())]
    ChartFormat {
        /// The chart file asked for.
        path: PathBuf,
    },

    /// A chart could not be drawn.
    #[error("cannot draw the chart: {message}")]
    Chart {
        /// What the drawing library reported.
        message: String,
    },

    /// An .xlsx workbook could not be built (more rows than Excel holds, a date before 1900).
    #[error("cannot write the workbook: {message}")]
    WriteWorkbook {
        /// What the workbook writer reported.
        message: String,
    },

    /// A Parquet file could not be written.
    #[error("cannot write the Parquet file: {message}")]
    WriteParquet {
        /// What the Parquet writer reported.
        message: String,
    },

    /// Writing an output failed.
    #[error("cannot write output")]
    Write {
        /// The underlying I/O error.
        #[from]
        source: std::io::Error,
    },
}

impl Error {
    /// The file the error is about, when it is about one (for [`Error::Many`], the file of
    /// all its errors).
    pub fn path(&self) -> Option<&Path> {
        use Error::*;
        match self {
            ReadFile { path, .. }
            | ReadCsv { path, .. }
            | ReadSheet { path, .. }
            | NoSuchSheet { path, .. }
            | ReadParquet { path, .. }
            | ColumnType { path, .. }
            | MissingColumn { path, .. }
            | UnknownColumn { path, .. }
            | DuplicateColumn { path, .. }
            | ExtraFields { path, .. }
            | MissingFields { path, .. }
            | UnnamedColumn { path, .. }
            | Encoding { path, .. }
            | EmptyInput { path, .. }
            | NoNightCounts { path, .. }
            | ParseDate { path, .. }
            | ParseTime { path, .. }
            | LocalTime { path, .. }
            | SameInstant { path, .. }
            | NoSuchDay { path, .. }
            | DateOutOfRange { path, .. }
            | StrayDate { path, .. }
            | AmbiguousDates { path, .. }
            | ParseNumber { path, .. }
            | AmbiguousNumber { path, .. }
            | NegativeNumber { path, .. }
            | TooLarge { path, .. }
            | ForeignAboveCount { path, .. }
            | EmptyArea { path, .. }
            | DuplicateArea { path, .. }
            | UnknownArea { path, .. }
            | AmbiguousArea { path, .. }
            | DuplicateRow { path, .. }
            | BadOrigin { path, .. }
            | DuplicateOrigin { path, .. }
            | Many { path, .. }
            | ReadScenario { path, .. }
            | InvalidScenario { path, .. }
            | MissingDeductionDate { path, .. }
            | ChartFormat { path, .. } => Some(path),
            NoCounts { scenario }
            | Unsupported { scenario, .. }
            | UnsupportedInput { scenario, .. }
            | SplitNotPlanned { scenario, .. } => Some(scenario),
            _ => None,
        }
    }

    /// Where in the file: a line, a sheet's cell or a Parquet row (for [`Error::Many`], of
    /// its first error).
    pub fn location(&self) -> Option<Location> {
        use Error::*;
        match self {
            ReadCsv { line, .. } | Encoding { line, .. } => Some(Location::Line(*line)),
            ExtraFields { at, .. }
            | MissingFields { at, .. }
            | UnnamedColumn { at, .. }
            | ParseDate { at, .. }
            | ParseTime { at, .. }
            | LocalTime { at, .. }
            | NoSuchDay { at, .. }
            | DateOutOfRange { at, .. }
            | StrayDate { at, .. }
            | ParseNumber { at, .. }
            | AmbiguousNumber { at, .. }
            | NegativeNumber { at, .. }
            | TooLarge { at, .. }
            | ForeignAboveCount { at, .. }
            | EmptyArea { at, .. }
            | DuplicateArea { at, .. }
            | UnknownArea { at, .. }
            | AmbiguousArea { at, .. }
            | BadOrigin { at, .. }
            | DuplicateOrigin { at, .. }
            | SameInstant { at, .. }
            | DuplicateRow { at, .. } => Some(at.clone()),
            Many { errors, .. } => errors.first().and_then(Error::location),
            _ => None,
        }
    }

    /// The column (or scenario key) the error is about (for [`Error::Many`], of its first
    /// error).
    pub fn column(&self) -> Option<&str> {
        use Error::*;
        match self {
            ColumnType { column, .. }
            | MissingColumn { column, .. }
            | UnknownColumn { column, .. }
            | DuplicateColumn { column, .. }
            | ParseDate { column, .. }
            | ParseTime { column, .. }
            | LocalTime { column, .. }
            | SameInstant { column, .. }
            | NoSuchDay { column, .. }
            | DateOutOfRange { column, .. }
            | StrayDate { column, .. }
            | AmbiguousDates { column, .. }
            | ParseNumber { column, .. }
            | AmbiguousNumber { column, .. }
            | NegativeNumber { column, .. }
            | TooLarge { column, .. }
            | ForeignAboveCount { column, .. }
            | BadOrigin { column, .. }
            | DuplicateOrigin { column, .. }
            | DuplicateArea { column, .. }
            | UnknownArea { column, .. }
            | AmbiguousArea { column, .. }
            | EmptyArea { column, .. } => Some(column),
            InvalidScenario { key, .. } => Some(key),
            Many { errors, .. } => errors.first().and_then(Error::column),
            _ => None,
        }
    }

    /// The value as read from the file (for [`Error::Many`], of its first error).
    pub fn value(&self) -> Option<&str> {
        use Error::*;
        match self {
            ParseDate { value, .. }
            | ParseTime { value, .. }
            | LocalTime { value, .. }
            | NoSuchDay { value, .. }
            | DateOutOfRange { value, .. }
            | StrayDate { value, .. }
            | ParseNumber { value, .. }
            | AmbiguousNumber { value, .. }
            | NegativeNumber { value, .. }
            | TooLarge { value, .. }
            | BadOrigin { value, .. }
            | UnnamedColumn { value, .. }
            | DuplicateOrigin { value, .. } => Some(value),
            UnknownArea { area, .. } => Some(area),
            DuplicateArea { code, .. } => Some(code),
            AmbiguousArea { name, .. } => Some(name),
            AmbiguousDates { example, .. } => Some(example),
            NoSuchSheet { sheet, .. } => Some(sheet),
            Many { errors, .. } => errors.first().and_then(Error::value),
            _ => None,
        }
    }
}

/// A hint for a header read as one column because the file uses another separator.
fn separator_hint(found: &[String]) -> &'static str {
    match found {
        [one] if one.contains(';') => " (the header holds `;`: is that the separator?)",
        [one] if one.contains('\t') => " (the header holds tabs: is that the separator?)",
        _ => "",
    }
}

/// Result alias with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_area_lists_the_closest_codes() {
        let area = |code: &str, name: &str| crate::Area {
            code: crate::AreaCode::new(code),
            name: name.to_owned(),
        };
        let names = ["Flå", "Nesbyen", "Gol", "Hemsedal", "Ål", "Hol"];
        let mut hallingdal: Vec<crate::Area> = (3039..=3044)
            .zip(names)
            .map(|(code, name)| area(&code.to_string(), name))
            .collect();
        // By hand: "0001" is 2 edits from 3041 (0→3, 0→4), 3 from 3039 and 3040; "3045" one
        // from 3040 to 3044; "9999" 3 from 3039, 4 from the rest; "3014" one from 3044 (1→4),
        // two from the rest. Ties in code order, within one edit of the closest.
        let cases = [
            ("0001", r#""3041", "3039" or "3040""#),
            ("3045", r#""3040", "3041" or "3042""#),
            ("9999", r#""3039", "3040" or "3041""#),
            ("3014", r#""3044", "3039" or "3040""#),
            // Names too, ignoring case: "floo" is 2 edits from "flå" (o→å, drop o), 3 from
            // "gol" and "hol" (drop f, l→g or h, o→l) and from "ål" (f→å, drop o twice), 4 or
            // more from the rest and from every code; "GOL" is 0 from "gol", 1 from "hol", 2
            // from "ål".
            ("Floo", r#""Flå" (3039), "Gol" (3041) or "Ål" (3043)"#),
            ("GOL", r#""Gol" (3041) or "Hol" (3044)"#),
            // The start of a name: "nes" is 0 edits from "nes", the start of "nesbyen", so 1
            // from the name; 3 or more from the others.
            ("nes", r#""Nesbyen" (3040)"#),
        ];
        for (cell, expected) in cases {
            assert_eq!(closest(cell, &hallingdal), expected, "{cell}");
        }
        // Two areas of Valdres beside them. A word of a name: "aurdal" is a word of both
        // Aurdals (1 edit), 4 or more from the rest. A cell of letters is not compared with
        // codes of digits: "Bergen" is 6 edits from every code and no closer to a name, but a
        // name is what helps.
        hallingdal.extend([area("3449", "Sør-Aurdal"), area("3451", "Nord-Aurdal")]);
        assert_eq!(
            closest("Aurdal", &hallingdal),
            r#""Sør-Aurdal" (3449) or "Nord-Aurdal" (3451)"#
        );
        assert!(
            closest("Bergen", &hallingdal).contains(" ("),
            "names, not codes"
        );
        // 357 codes: three shown, never all.
        let many: Vec<crate::Area> = (1..=357)
            .map(|n| crate::Area {
                code: crate::AreaCode::new(format!("{n:04}")),
                name: format!("Area {n}"),
            })
            .collect();
        // "0o01" is one edit from 0001, 0101, 0201 and 0301 (its names are further).
        assert_eq!(closest("0o01", &many), r#""0001", "0101" or "0201""#);
        assert_eq!(edits("0001", "3041"), 2);
        assert_eq!(edits("", "abc"), 3);
        assert_eq!(closest("x", &[]), "an area of the scenario");
    }

    #[test]
    fn accessors_name_file_place_column_and_value() {
        let bad = Error::ParseNumber {
            path: PathBuf::from("counts.csv"),
            at: Location::Line(12),
            column: "count".to_owned(),
            value: "12,5,0".to_owned(),
        };
        assert_eq!(bad.path(), Some(Path::new("counts.csv")));
        assert_eq!(bad.location(), Some(Location::Line(12)));
        assert_eq!((bad.column(), bad.value()), (Some("count"), Some("12,5,0")));
        // Many: its file, and the place, column and value of its first error.
        let many = Error::Many {
            path: PathBuf::from("counts.csv"),
            errors: vec![
                bad,
                Error::EmptySelection {
                    selection: "all".to_owned(),
                },
            ],
            more: 0,
        };
        assert_eq!(many.location(), Some(Location::Line(12)));
        assert_eq!(many.value(), Some("12,5,0"));
        // A stray date: its file, line, column and the date.
        let stray = Error::StrayDate {
            path: PathBuf::from("counts.csv"),
            at: Location::Line(12),
            column: "date".to_owned(),
            value: "2030-01-01".to_owned(),
            first: "2020-01-01".to_owned(),
            last: "2020-01-10".to_owned(),
            days: 3644,
        };
        assert_eq!(stray.path(), Some(Path::new("counts.csv")));
        assert_eq!(stray.location(), Some(Location::Line(12)));
        assert_eq!(
            (stray.column(), stray.value()),
            (Some("date"), Some("2030-01-01"))
        );
        let none = Error::EmptySelection {
            selection: "all days".to_owned(),
        };
        assert_eq!(
            (none.path(), none.location(), none.column()),
            (None, None, None)
        );
    }
}
