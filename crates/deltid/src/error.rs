//! The library's one error type.

use std::path::PathBuf;

use crate::source::Location;

/// Everything that can go wrong in deltid, with the context a user needs to fix it.
///
/// Every variant that comes from a file names the file, and where a value is at fault, its
/// line (1-based, counting the header as line 1), column and the offending value. Messages are
/// lowercase and carry no trailing period, so they compose into cause chains.
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

    /// A CSV file is malformed (for instance a record with the wrong number of fields).
    #[error("{}: line {line}: malformed CSV", path.display())]
    ReadCsv {
        /// The file.
        path: PathBuf,
        /// Line where the bad record starts.
        line: u64,
        /// What the CSV reader reported.
        source: csv::Error,
    },

    /// A required column is not in a file's header.
    #[error("{}: no column `{column}` in the header (found: {}){}", path.display(), found.join(", "), separator_hint(found))]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column that was expected.
        column: String,
        /// The columns that the header has.
        found: Vec<String>,
    },

    /// A date could not be parsed as an ISO 8601 calendar date (yyyy-mm-dd).
    #[error("{}: {at}, column `{column}`: cannot parse date {value:?} (expected {expected})", path.display())]
    ParseDate {
        /// The file.
        path: PathBuf,
        /// The date format expected, in words (e.g. `yyyy-mm-dd`).
        expected: String,
        /// Where the value sits (line, or sheet and cell).
        at: Location,
        /// Column name.
        column: String,
        /// The text found.
        value: String,
    },

    /// A column name occurs twice in a header, so which one is meant is unclear.
    #[error("{}: column `{column}` appears twice in the header", path.display())]
    DuplicateColumn {
        /// The file.
        path: PathBuf,
        /// The repeated column name.
        column: String,
    },

    /// A number of persons is larger than any real count can be (above
    /// [`MAX_PERSONS`](crate::MAX_PERSONS), more than the world's population).
    #[error("{}: {at}, column `{column}`: {value:?} persons is more than any real count (at most 10 000 000 000)", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Where the value sits (line, or sheet and cell).
        at: Location,
        /// Column name.
        column: String,
        /// The text found.
        value: String,
    },

    /// A number (a count or a deduction in persons) could not be parsed.
    #[error("{}: {at}, column `{column}`: cannot parse number {value:?} (expected a number of persons such as 1234, 1 234 or 1234,5)", path.display())]
    ParseNumber {
        /// The file.
        path: PathBuf,
        /// Where the value sits (line, or sheet and cell).
        at: Location,
        /// Column name.
        column: String,
        /// The text found.
        value: String,
    },

    /// A count or deduction in persons is below zero.
    #[error("{}: {at}, column `{column}`: negative number of persons {value:?}", path.display())]
    NegativeNumber {
        /// The file.
        path: PathBuf,
        /// Where the value sits (line, or sheet and cell).
        at: Location,
        /// Column name.
        column: String,
        /// The text found.
        value: String,
    },

    /// A count of foreign SIMs is larger than the count of all SIMs it is a part of.
    #[error("{}: {at}, column `{column}`: {foreign} foreign SIMs is more than the {count} counted in all", path.display())]
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

    /// An area code cell is empty.
    #[error("{}: {at}, column `{column}`: empty area code", path.display())]
    EmptyArea {
        /// The file.
        path: PathBuf,
        /// Where the value sits (line, or sheet and cell).
        at: Location,
        /// Column name.
        column: String,
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

    /// A count that the in-memory reader reads but the streaming reader does not (spaces
    /// around it, thousands grouped by spaces, a decimal comma).
    #[error("{}: {at}, column `{column}`: {value:?} is not a plain number: --stream reads numbers such as 1234 or 1234.5 (leave --stream off to read others)", path.display())]
    NotPlainNumber {
        /// The counts file.
        path: PathBuf,
        /// Where the value sits.
        at: Location,
        /// Column name.
        column: String,
        /// The text found.
        value: String,
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

    /// An area has a day twice in the file (found while streaming, which does not keep where
    /// each day was seen, so only one of the two rows is named).
    #[error("{}: {at}: area {area} has {date} twice in the file (the other row is not named when streaming)", path.display())]
    RepeatedDay {
        /// The counts file.
        path: PathBuf,
        /// Where one of the two rows is.
        at: Location,
        /// The area.
        area: String,
        /// The date, ISO 8601.
        date: String,
    },

    /// A number could be read two ways: `1,234` or `1.234` is a decimal in Norwegian and
    /// English writing alike, or a thousand, depending on the writer.
    #[error("{}: {at}, column `{column}`: {value:?} is ambiguous (a decimal mark or a thousands separator?): declare the decimal mark", path.display())]
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

    /// Every date in a column reads both day-first and month-first (`01/02/2020`).
    #[error("{}: column `{column}`: dates such as {example:?} read both as dd/mm/yyyy and mm/dd/yyyy: declare the date format", path.display())]
    AmbiguousDates {
        /// The file.
        path: PathBuf,
        /// Column name.
        column: String,
        /// One of the dates.
        example: String,
    },

    /// An area name fits more than one area of the scenario.
    #[error("{}: {at}: area name {name:?} fits more than one area ({}): use codes", path.display(), codes.join(", "))]
    AmbiguousArea {
        /// The file.
        path: PathBuf,
        /// Where the name first occurs.
        at: Location,
        /// The name.
        name: String,
        /// The codes it fits.
        codes: Vec<String>,
    },

    /// A file's bytes are not in the encoding declared for it.
    #[error("{}: line {line}: not valid UTF-8 (declare the encoding, e.g. windows-1252)", path.display())]
    Encoding {
        /// The file.
        path: PathBuf,
        /// The line of the first invalid byte.
        line: u64,
    },

    /// A spreadsheet or Parquet file cannot be opened or has no such sheet.
    #[error("{}: cannot read: {message}", path.display())]
    ReadSheet {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
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

    /// A file holds a header but no data rows.
    #[error("{}: no data rows", path.display())]
    EmptyInput {
        /// The file.
        path: PathBuf,
    },

    /// The counts name an area that the scenario does not list.
    #[error("{}: {at}: area {area:?} is not in the scenario {} (known: {})", path.display(), scenario.display(), known.join(", "))]
    UnknownArea {
        /// The counts (or deduction table) file.
        path: PathBuf,
        /// Where the area first occurs.
        at: Location,
        /// The unknown area code.
        area: String,
        /// The scenario file.
        scenario: PathBuf,
        /// The area codes the scenario lists.
        known: Vec<String>,
    },

    /// The scenario file is not valid TOML or does not have the expected shape.
    #[error("{}: cannot read scenario: {message}", path.display())]
    ReadScenario {
        /// The scenario file.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },

    /// The scenario is well-formed TOML but a value is not allowed.
    #[error("{}: `{key}`: {reason}", path.display())]
    InvalidScenario {
        /// The scenario file.
        path: PathBuf,
        /// The key at fault, as written in the file (e.g. `uplift`, `area[2].residents`).
        key: String,
        /// What is wrong and what is expected.
        reason: String,
    },

    /// A deduction table has no row for a date (and area) the counts need.
    #[error("{}: no {deduction} figure for {date}{} (add a row, or give `fill = 0` beside `table` in the scenario)", path.display(), area.as_ref().map(|a| format!(", area {a}")).unwrap_or_default())]
    MissingDeductionDate {
        /// The deduction table.
        path: PathBuf,
        /// The deduction (`residents`, `commuters`, `transit` or `day_visitors`).
        deduction: String,
        /// The date missing, ISO 8601.
        date: String,
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

    /// The counts, the scenario or a reading option are more than the streaming reader takes
    /// (a spreadsheet, another dialect, the region's own count): the in-memory path reads them.
    #[error("cannot stream these counts: {reason}")]
    NotStreamable {
        /// What it cannot take, and what to do.
        reason: String,
    },

    /// The selection asks for something impossible (an empty period, an area not in the scenario).
    #[error("invalid selection: {reason}")]
    InvalidSelection {
        /// What is wrong.
        reason: String,
    },

    /// An uncertainty analysis cannot run as asked (too few draws, resamples or days).
    #[error("invalid uncertainty analysis: {reason}")]
    InvalidUncertainty {
        /// What is wrong.
        reason: String,
    },

    /// A synthetic-data request is impossible (no days, no areas, negative mean).
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

    /// A CSV output style cannot be read back (a decimal comma between commas).
    #[error("invalid CSV style: {reason}")]
    InvalidCsvStyle {
        /// What is wrong and what to use instead.
        reason: String,
    },

    /// An .xlsx workbook could not be built (more rows than Excel holds, a date before 1900).
    #[error("cannot write the workbook: {message}")]
    WriteWorkbook {
        /// What the workbook writer reported.
        message: String,
    },

    /// Writing an output failed.
    #[error("cannot write output")]
    Write {
        /// The underlying I/O error.
        #[from]
        source: std::io::Error,
    },

    /// An error inside polars (a defect in deltid if it is ever seen: please report it).
    #[error("internal dataframe error")]
    Polars {
        /// The polars error.
        #[from]
        source: polars::error::PolarsError,
    },
}

/// A hint for a header read as one column because the file uses another separator.
fn separator_hint(found: &[String]) -> &'static str {
    match found {
        [one] if one.contains(';') => {
            " (the file seems to use `;` between columns; deltid reads `,` for now)"
        }
        [one] if one.contains('\t') => {
            " (the file seems to use tabs between columns; deltid reads `,` for now)"
        }
        _ => "",
    }
}

/// Result alias with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
