//! Estimates beyond memory: the model over a counts file that polars' streaming engine scans
//! in batches, summarised as the batches pass.
//!
//! [`estimate()`](crate::estimate()) reads every count into memory first, which is what makes
//! its exact error positions and every later view (daily rows, population, yearly figures,
//! uncertainty) possible. A statistics office running every municipality of a country, or
//! 100 000 LAU regions over years of days, has more rows than memory; [`summarise`] gives
//! the same [`Summary`] — the plan's table for the region and each area, means per day,
//! negative days, calendar years — in memory that grows with areas × years, not with rows:
//!
//! ```text
//! scan (polars, batches) → model (estimate::daily, row by row) → checks and running totals
//! ```
//!
//! Region-level deductions shared out by present persons need each day's total first: one
//! more pass over the file (two more when some day lacks an area; see
//! [`crate::estimate::daily`]). Per-area deductions need none.
//!
//! What the streaming path reads: long counts (date, area, count, optionally foreign SIMs) in
//! a comma-separated UTF-8 CSV file with a header row and ISO dates (`yyyy-mm-dd`, 1900 to
//! 2199), one record per line (blank lines skipped), or a Parquet file (dates as `Date`,
//! timestamps without a time zone, or ISO text; counts as numbers or text); area codes as the
//! scenario writes them. Counts are read as [`Counts::read`](crate::Counts::read) reads them
//! with an undeclared decimal mark: a decimal point, and `1.234`-like values refused as
//! ambiguous. Errors name the line (CSV, header = line 1) or row (Parquet), the column and the
//! value; the first [`MAX_REPORTED`] in the file are listed. With a period selected, only the
//! rows in it (and rows without a date) are checked.
//! Not here: the wide shape, other dialects and encodings, spreadsheets, thousands separators,
//! area names or old codes (`[area_codes]`), and a scenario's own region count
//! (`region_code`).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use polars::prelude::*;

use crate::columns::{AREA, DATE, FOREIGN, OBSERVED, ORDER, ROW};
use crate::counts::{CountsColumns, CountsOptions, MAX_REPORTED, Shape, ambiguous_number};
use crate::deduction::{Deduction, DeductionSource};
use crate::error::{Error, Result};
use crate::estimate::{LINES, Selection, daily, needs_share};
use crate::read::{
    DateFormat, DecimalMark, MAX_PERSONS, NumberStyle, from_epoch_days, iso_date, parse_persons,
};
use crate::scenario::Scenario;
use crate::source::Encoding;
use crate::source::Location;
use crate::summary::{ByDay, Sum, Summary, Tally};

/// Working columns: the count and the date as written, when they are text.
const RAW_COUNT: &str = "raw_count";
const RAW_DATE: &str = "raw_date";
const RAW_FOREIGN: &str = "raw_foreign";

/// How often a streaming run reports the rows done.
const REPORT_EVERY: Duration = Duration::from_millis(200);

/// How far a streaming run has got, for a progress indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Totalling persons present per day, to share out region-level deductions (one or three
    /// passes over the file before the estimate).
    DayTotals,
    /// Estimating: rows of the file done so far.
    Rows(u64),
}

/// Estimates and summarises a counts file of any size with polars' streaming engine: the same
/// [`Summary`] as [`Summary::new`] of [`estimate()`](crate::estimate()) gives for the file,
/// up to floating-point summation order.
///
/// `counts` is a CSV or Parquet file of long counts (see the [module docs](self)); `options`
/// name its columns and may declare the decimal point (other reading options are refused);
/// `selection` picks days and areas as for [`estimate()`](crate::estimate()). `progress` is
/// called from a thread of its own every 200 ms while the file streams, and once at the end.
/// Memory: per area, its running totals and one bit per day of its span; per day of the
/// span, the region's sums; per negative day, its date.
///
/// # Errors
/// [`Error::ReadFile`] or [`Error::ReadSheet`] if the file cannot be read;
/// [`Error::MissingColumn`], [`Error::DuplicateColumn`], [`Error::EmptyInput`],
/// [`Error::Encoding`]; per value [`Error::ParseDate`], [`Error::ParseNumber`],
/// [`Error::AmbiguousNumber`], [`Error::NotPlainNumber`], [`Error::NegativeNumber`],
/// [`Error::TooLarge`], [`Error::ForeignAboveCount`], [`Error::EmptyArea`],
/// [`Error::UnknownArea`], [`Error::RepeatedDay`], [`Error::ExtraFields`] (several as
/// [`Error::Many`]); [`Error::MissingDeductionDate`]; [`Error::InvalidSelection`] for an area
/// not in the scenario; [`Error::NotStreamable`] for a scenario with a `region_code`, a
/// spreadsheet or a reading option the streaming reader does not take ([`unstreamable`]);
/// [`Error::EmptySelection`].
///
/// # Examples
/// ```
/// use deltid::{Counts, CountsColumns, CountsOptions, Scenario, Selection, Summary, estimate, stream};
/// let scenario = Scenario::from_path("../../data/hallingdal/plan-2021.toml")?;
/// let path = scenario.counts().unwrap();
/// let streamed = stream::summarise(
///     &scenario,
///     path,
///     &CountsOptions::default(),
///     &Selection::default(),
///     &|_| {},
/// )?;
/// assert_eq!(streamed.region.waterfall.line(deltid::Line::GuestNightsPerYear).rounded, 9_682_355);
///
/// let counts = Counts::read_csv(path, &CountsColumns::default())?;
/// let in_memory = Summary::new(&scenario, &estimate(&scenario, &counts, &Selection::default())?)?;
/// assert!((streamed.region.mean.part_time - in_memory.region.mean.part_time).abs() < 1e-9);
/// # Ok::<(), deltid::Error>(())
/// ```
pub fn summarise(
    scenario: &Scenario,
    counts: &Path,
    options: &CountsOptions,
    selection: &Selection,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Summary> {
    if let Some(option) = unstreamable(options) {
        return Err(Error::NotStreamable {
            reason: format!(
                "the streaming reader takes long comma-separated UTF-8 CSV with ISO dates, or \
                 Parquet; not {option}"
            ),
        });
    }
    let columns = &options.columns;
    let numbers = options.numbers;
    if scenario.region_code().is_some() {
        return Err(Error::NotStreamable {
            reason: format!(
                "{} names a region_code (the region's own count): the streaming path does not \
                 take it; leave --stream off",
                scenario.path().display()
            ),
        });
    }
    let selected = selected_keys(scenario, selection)?;
    let parquet = kind_of(counts)? == Kind::Parquet;
    // Rows without a date stay, to be reported.
    let scan =
        scan(counts, columns, parquet)?.filter(selection.period.expr().or(col(DATE).is_null()));
    if needs_day_totals(scenario) {
        progress(Progress::DayTotals);
    }
    let model = daily(scenario, scan, Engine::Streaming).map_err(|e| match e {
        Error::Polars { source } => read_error(counts, columns, parquet, source),
        other => other,
    })?;
    let model = model.select(
        [
            col(ROW),
            col(AREA),
            col(ORDER),
            col(DATE),
            col(RAW_COUNT),
            col(RAW_DATE),
            col(RAW_FOREIGN),
        ]
        .into_iter()
        .chain(LINES.iter().map(|l| col(*l)))
        .chain([col(FOREIGN)])
        .collect::<Vec<_>>(),
    );

    let state = Arc::new(Mutex::new(State::new(
        scenario, counts, columns, numbers, parquet, selected,
    )));
    run(model, Arc::clone(&state), progress)
        .map_err(|e| read_error(counts, columns, parquet, e))?;
    let state = Arc::try_unwrap(state)
        .map_err(|_| PolarsError::ComputeError("the streaming sink outlived its run".into()))?
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    state.finish(scenario, selection)
}

/// Streams the model's rows into `state`, batch by batch, reporting the rows done.
fn run(
    model: LazyFrame,
    state: Arc<Mutex<State>>,
    progress: &(dyn Fn(Progress) + Sync),
) -> PolarsResult<()> {
    let rows = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&rows);
    let sink = model.sink_batches(
        PlanCallback::new(move |batch: DataFrame| {
            let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
            state.take(&batch)?;
            counted.fetch_add(batch.height() as u64, Ordering::Relaxed);
            // false: go on.
            Ok(false)
        }),
        false,
        None,
    )?;
    // The reporter wakes every 200 ms, and at once when the run ends.
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let result = std::thread::scope(|scope| {
        let rows = &rows;
        scope.spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = finished.recv_timeout(REPORT_EVERY) {
                progress(Progress::Rows(rows.load(Ordering::Relaxed)));
            }
        });
        // polars panics on some Parquet types it cannot read (decimals): an error, not a crash.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            sink.collect_with_engine(Engine::Streaming)
        }))
        .unwrap_or_else(|panic| {
            Err(PolarsError::ComputeError(
                panic_message(panic.as_ref()).into(),
            ))
        });
        drop(done);
        result
    });
    progress(Progress::Rows(rows.load(Ordering::Relaxed)));
    result.map(|_| ())
}

/// Whether each scenario area is selected.
fn selected_keys(scenario: &Scenario, selection: &Selection) -> Result<Vec<bool>> {
    for area in &selection.areas {
        if scenario.area(area).is_none() {
            return Err(Error::InvalidSelection {
                reason: format!("area {:?} is not in the scenario", area.as_str()),
            });
        }
    }
    Ok(scenario
        .areas()
        .iter()
        .map(|a| selection.areas.is_empty() || selection.areas.contains(&a.code))
        .collect())
}

/// The text of a panic's payload.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown failure");
    format!("polars cannot read this file: {text}")
}

/// Whether the model needs per-day totals first (region-level deductions by present share).
fn needs_day_totals(scenario: &Scenario) -> bool {
    scenario.allocation() == crate::scenario::Allocation::PresentShare && needs_share(scenario)
}

/// The reading option the streaming reader does not take, if any, in words.
pub fn unstreamable(options: &CountsOptions) -> Option<&'static str> {
    if options.shape == Shape::Wide {
        Some("the wide shape")
    } else if options.source.delimiter.is_some_and(|d| d != b',') {
        Some("another separator than the comma")
    } else if options.source.encoding == Encoding::Windows1252 {
        Some("the windows-1252 encoding")
    } else if options.source.sheet.is_some() {
        Some("a sheet")
    } else if options.numbers.decimal == Some(DecimalMark::Comma) || options.numbers.thousands_dot {
        Some("a decimal comma or a thousands dot")
    } else if options.dates != DateFormat::Auto {
        Some("a declared date format")
    } else {
        None
    }
}

/// What a counts file holds, by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Csv,
    Parquet,
}

/// Parquet by its magic number, whatever its name; spreadsheets refused; anything else CSV.
fn kind_of(path: &Path) -> Result<Kind> {
    let read_file = |source: std::io::Error| Error::ReadFile {
        path: path.to_owned(),
        source,
    };
    if std::fs::metadata(path).map_err(read_file)?.is_dir() {
        return Err(read_file(std::io::Error::other("a folder, not a file")));
    }
    let mut start = [0u8; 4];
    let mut file = std::fs::File::open(path).map_err(read_file)?;
    let n = std::io::Read::read(&mut file, &mut start).map_err(read_file)?;
    match &start[..n] {
        b"PAR1" => Ok(Kind::Parquet),
        // xlsx and ods are zip files; xls an OLE compound file.
        [0x50, 0x4b, 0x03, 0x04] | [0xd0, 0xcf, 0x11, 0xe0] => Err(Error::NotStreamable {
            reason: format!(
                "{} is a spreadsheet: the streaming reader takes CSV or Parquet (leave --stream off)",
                path.display()
            ),
        }),
        _ => Ok(Kind::Csv),
    }
}

/// The counts file as a lazy scan with [`ROW`], [`DATE`], [`AREA`], [`OBSERVED`],
/// [`FOREIGN`] (0 without a foreign column), and the count and date as written when they are
/// text ([`RAW_COUNT`], [`RAW_DATE`]; null otherwise), for the checks.
fn scan(path: &Path, columns: &CountsColumns, parquet: bool) -> Result<LazyFrame> {
    let text = path.to_string_lossy().into_owned();
    let row_index = Some(RowIndex {
        name: ROW.into(),
        offset: 0,
    });
    let mut wanted = vec![&columns.date, &columns.area, &columns.count];
    wanted.extend(&columns.foreign);
    let mut frame = if parquet {
        let args = ScanArgsParquet {
            row_index,
            ..ScanArgsParquet::default()
        };
        LazyFrame::scan_parquet(PlRefPath::new(text.as_str()), args)?
    } else {
        check_header(path, &wanted)?;
        // Counts as text, to be checked as the in-memory reader checks them; dates parsed here.
        let mut types = Schema::default();
        types.insert(columns.date.as_str().into(), DataType::Date);
        types.insert(columns.area.as_str().into(), DataType::String);
        types.insert(columns.count.as_str().into(), DataType::String);
        if let Some(foreign) = &columns.foreign {
            types.insert(foreign.as_str().into(), DataType::String);
        }
        LazyCsvReader::new(PlRefPath::new(text.as_str()))
            .with_has_header(true)
            .with_dtype_overwrite(Some(Arc::new(types)))
            .with_row_index(row_index)
            .finish()?
    };
    let schema = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| frame.collect_schema()))
        .unwrap_or_else(|panic| {
            Err(PolarsError::ComputeError(
                panic_message(panic.as_ref()).into(),
            ))
        })
        .map_err(|e| read_error(path, columns, parquet, e))?;
    for column in &wanted {
        if schema.get(column.as_str()).is_none() {
            return Err(Error::MissingColumn {
                path: path.to_owned(),
                column: (*column).clone(),
                found: schema
                    .iter_names()
                    .filter(|n| n.as_str() != ROW)
                    .map(|n| n.to_string())
                    .collect(),
            });
        }
    }
    let type_of = |name: &str| schema.get(name).cloned().unwrap_or(DataType::Null);
    let refuse = |name: &str, what: &str| Error::ReadSheet {
        path: path.to_owned(),
        message: format!(
            "column `{name}` is {} in this Parquet file: {what}",
            type_of(name)
        ),
    };
    let date_type = type_of(&columns.date);
    let date_text = date_type == DataType::String;
    if !(date_text
        || date_type == DataType::Date
        || matches!(date_type, DataType::Datetime(_, None)))
    {
        return Err(refuse(
            &columns.date,
            "dates must be dates, timestamps without a time zone, or yyyy-mm-dd text",
        ));
    }
    let count_type = type_of(&columns.count);
    let count_text = count_type == DataType::String;
    if !(count_text || count_type.is_primitive_numeric()) {
        return Err(refuse(&columns.count, "counts must be numbers or text"));
    }
    let area_type = type_of(&columns.area);
    if !(area_type == DataType::String
        || area_type.is_integer()
        || matches!(area_type, DataType::Categorical(..) | DataType::Enum(..)))
    {
        return Err(refuse(
            &columns.area,
            "area codes must be text or whole numbers",
        ));
    }
    let text_or_null = |name: &str, is_text: bool| {
        if is_text {
            col(name)
        } else {
            lit(NULL).cast(DataType::String)
        }
    };
    let (foreign, raw_foreign) = match &columns.foreign {
        Some(name) => (
            col(name.as_str()).cast(DataType::Float64),
            text_or_null(name, type_of(name) == DataType::String),
        ),
        None => (lit(0.0), lit(NULL).cast(DataType::String)),
    };
    Ok(frame.select([
        col(ROW),
        col(columns.date.as_str()).cast(DataType::Date).alias(DATE),
        col(columns.area.as_str())
            .cast(DataType::String)
            .alias(AREA),
        col(columns.count.as_str())
            .cast(DataType::Float64)
            .alias(OBSERVED),
        foreign.alias(FOREIGN),
        text_or_null(&columns.count, count_text).alias(RAW_COUNT),
        raw_foreign.alias(RAW_FOREIGN),
        text_or_null(&columns.date, date_text && parquet).alias(RAW_DATE),
    ]))
}

/// Checks a CSV file's header (the `wanted` columns each once) and that its first date is
/// written `yyyy-mm-dd`: polars reads a column's dates in the form of its first one, and the
/// streaming reader takes ISO dates only.
fn check_header(path: &Path, wanted: &[&String]) -> Result<()> {
    let unreadable = |e: csv::Error| Error::ReadSheet {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(unreadable)?;
    let found: Vec<String> = reader
        .headers()
        .map_err(unreadable)?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_owned())
        .collect();
    if found.iter().all(String::is_empty) {
        return Err(Error::EmptyInput {
            path: path.to_owned(),
        });
    }
    for column in wanted {
        match found.iter().filter(|f| f == column).count() {
            0 => {
                return Err(Error::MissingColumn {
                    path: path.to_owned(),
                    column: (*column).clone(),
                    found,
                });
            }
            1 => {}
            _ => {
                return Err(Error::DuplicateColumn {
                    path: path.to_owned(),
                    column: (*column).clone(),
                });
            }
        }
    }
    let date = found.iter().position(|f| f == wanted[0]).unwrap_or(0);
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(unreadable)? {
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let text = record.get(date).unwrap_or("");
        if iso_date(text.trim()).is_none() {
            return Err(Error::ParseDate {
                path: path.to_owned(),
                expected: "yyyy-mm-dd: the streaming reader reads ISO dates only (leave --stream \
                           off to read others)"
                    .to_owned(),
                at: Location::Line(record.position().map_or(0, csv::Position::line)),
                column: wanted[0].clone(),
                value: text.to_owned(),
            });
        }
        break;
    }
    Ok(())
}

/// A polars error while scanning, turned into the reader's errors where a value is at fault:
/// a CSV file is read again record by record to find the bad values with their lines.
fn read_error(path: &Path, columns: &CountsColumns, parquet: bool, error: PolarsError) -> Error {
    if !parquet && let Some(found) = locate_bad_values(path, columns) {
        return found;
    }
    Error::ReadSheet {
        path: path.to_owned(),
        message: error.to_string(),
    }
}

/// The bad dates and foreign-SIM numbers of a CSV counts file, with their lines, or its first
/// invalid UTF-8 line: `None` if there are none (or the file cannot be read as CSV).
fn locate_bad_values(path: &Path, columns: &CountsColumns) -> Option<Error> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .ok()?;
    let header = reader.headers().ok()?.clone();
    let at = |name: &str| header.iter().position(|h| h == name);
    let date = at(&columns.date)?;
    // Counts and foreign SIMs are read as text and checked in the main pass; dates are
    // parsed by polars, whose errors name no line.
    let mut problems = Problems::new(path);
    let mut lines = LineCounter::new(path)?;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return match e.kind() {
                    csv::ErrorKind::Utf8 { pos, .. } => Some(Error::Encoding {
                        path: path.to_owned(),
                        line: pos.as_ref().map_or(0, csv::Position::line),
                    }),
                    _ => None,
                };
            }
        }
        let line = lines.line_at(record.position().map_or(0, csv::Position::byte))?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() > header.len() {
            problems.push(
                line,
                Error::ExtraFields {
                    path: path.to_owned(),
                    at: Location::Line(line),
                    found: record.len(),
                    expected: header.len(),
                },
            );
            continue;
        }
        let cell = |i: usize| record.get(i).unwrap_or("").to_owned();
        if chrono::NaiveDate::parse_from_str(&cell(date), "%Y-%m-%d").is_err() {
            problems.push(
                line,
                Error::ParseDate {
                    path: path.to_owned(),
                    expected: "yyyy-mm-dd".to_owned(),
                    at: Location::Line(line),
                    column: columns.date.clone(),
                    value: cell(date),
                },
            );
        }
    }
    problems.into_error()
}

/// Line numbers of byte offsets in a file read forward (the csv crate's leave out blank
/// lines), counting newlines as it goes.
struct LineCounter {
    file: std::io::BufReader<std::fs::File>,
    at: u64,
    line: u64,
}

impl LineCounter {
    fn new(path: &Path) -> Option<LineCounter> {
        Some(LineCounter {
            file: std::io::BufReader::new(std::fs::File::open(path).ok()?),
            at: 0,
            line: 1,
        })
    }

    /// The line of byte `offset`, at or after the last one asked for.
    fn line_at(&mut self, offset: u64) -> Option<u64> {
        use std::io::BufRead;
        while self.at < offset {
            let buffer = self.file.fill_buf().ok()?;
            if buffer.is_empty() {
                break;
            }
            let take = buffer
                .len()
                .min(usize::try_from(offset - self.at).unwrap_or(usize::MAX));
            self.line += buffer[..take].iter().filter(|b| **b == b'\n').count() as u64;
            self.file.consume(take);
            self.at += take as u64;
        }
        // A record's offset may be that of blank lines before it: skip them.
        loop {
            let buffer = self.file.fill_buf().ok()?;
            let blank = buffer
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
            if blank == 0 {
                break;
            }
            self.line += buffer[..blank].iter().filter(|b| **b == b'\n').count() as u64;
            self.file.consume(blank);
            self.at += blank as u64;
        }
        Some(self.line)
    }
}

/// Bad values found: the first [`MAX_REPORTED`] in the file (batches come in any order), and
/// how many more.
struct Problems {
    path: PathBuf,
    /// Each with its place in the file (line or row).
    errors: Vec<(u64, Error)>,
    more: usize,
}

impl Problems {
    fn new(path: &Path) -> Problems {
        Problems {
            path: path.to_owned(),
            errors: Vec::new(),
            more: 0,
        }
    }

    fn push(&mut self, place: u64, error: Error) {
        if self.errors.len() < MAX_REPORTED {
            self.errors.push((place, error));
            return;
        }
        self.more += 1;
        if let Some(last) = self.errors.iter_mut().max_by_key(|(p, _)| *p)
            && last.0 > place
        {
            *last = (place, error);
        }
    }

    fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    fn into_error(mut self) -> Option<Error> {
        self.errors.sort_by_key(|(p, _)| *p);
        let mut errors: Vec<Error> = self.errors.into_iter().map(|(_, e)| e).collect();
        match errors.len() {
            0 => None,
            1 if self.more == 0 => Some(errors.remove(0)),
            _ => Some(Error::Many {
                path: self.path,
                errors,
                more: self.more,
            }),
        }
    }
}

/// One day of the region: the lines summed over the selected areas, their foreign SIMs and how
/// many areas were counted.
#[derive(Clone, Debug, Default)]
struct RegionDay {
    lines: [Sum; 8],
    foreign: Sum,
    areas: u32,
}

/// The first and last day the streaming path takes, in days since 1970 (1900-01-01 and
/// 2199-12-31): memory grows with the span of days, so a mistyped year is refused, not
/// totalled over millennia.
const FIRST_DAY: i32 = -25_567;
const LAST_DAY: i32 = 84_005;

/// A batch's columns as slices, when every value is present, in range and plainly written.
struct Clean<'a> {
    rows: &'a [u32],
    order: &'a [u32],
    dates: &'a [i32],
    lines: [&'a [f64]; 8],
    foreign: &'a [f64],
}

impl<'a> Clean<'a> {
    /// The batch's columns, or `None` if some value is missing, out of range or written other
    /// than as plain digits (the batch is then checked row by row). `foreign` tells whether
    /// the counts have a foreign column.
    fn of(batch: &'a DataFrame, foreign: bool) -> PolarsResult<Option<Clean<'a>>> {
        let slice = |name: &str| -> PolarsResult<Option<&'a [f64]>> {
            let column = batch.column(name)?.f64()?;
            Ok((column.null_count() == 0)
                .then(|| column.cont_slice().ok())
                .flatten())
        };
        let order = batch.column(ORDER)?.u32()?;
        let rows = batch.column(ROW)?.u32()?;
        let dates = batch.column(DATE)?.date()?.physical();
        let (Some(order), Some(rows), Some(dates)) = (
            order.cont_slice().ok().filter(|_| order.null_count() == 0),
            rows.cont_slice().ok().filter(|_| rows.null_count() == 0),
            dates.cont_slice().ok().filter(|_| dates.null_count() == 0),
        ) else {
            return Ok(None);
        };
        if !dates.iter().all(|d| (FIRST_DAY..=LAST_DAY).contains(d)) {
            return Ok(None);
        }
        // Numbers written as digits only read one way; anything else, and dates written as
        // text, are checked row by row.
        for name in [RAW_COUNT, RAW_FOREIGN] {
            let raw = batch.column(name)?.str()?;
            if raw.null_count() < raw.len()
                && !raw.iter().all(|t| {
                    t.is_some_and(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
                })
            {
                return Ok(None);
            }
        }
        if batch.column(RAW_DATE)?.null_count() < batch.height() {
            return Ok(None);
        }
        let mut lines = [&[][..]; 8];
        for (l, name) in LINES.iter().enumerate() {
            let Some(values) = slice(name)? else {
                return Ok(None);
            };
            lines[l] = values;
        }
        let Some(foreign_values) = slice(FOREIGN)? else {
            return Ok(None);
        };
        let in_range = |v: &f64| (0.0..=MAX_PERSONS).contains(v);
        let good = lines[0].iter().all(in_range)
            && (!foreign
                || foreign_values
                    .iter()
                    .zip(lines[0])
                    .all(|(f, c)| in_range(f) && f <= c));
        Ok(good.then_some(Clean {
            rows,
            order,
            dates,
            lines,
            foreign: foreign_values,
        }))
    }
}

/// Text of row `i` of a string column of a batch, for a message (empty if none).
fn text_at(batch: &DataFrame, column: &str, i: usize) -> String {
    batch
        .column(column)
        .ok()
        .and_then(|c| c.str().ok().and_then(|s| s.get(i).map(str::to_owned)))
        .unwrap_or_default()
}

/// One row's values as the checks see them.
struct RowValues<'a> {
    row: u32,
    area: Option<&'a str>,
    order: Option<u32>,
    date: Option<i32>,
    observed: Option<f64>,
    foreign: Option<f64>,
    raw_count: Option<&'a str>,
    raw_date: Option<&'a str>,
    raw_foreign: Option<&'a str>,
}

/// What the sink keeps between batches.
struct State {
    path: PathBuf,
    scenario: PathBuf,
    columns: CountsColumns,
    /// How numbers written as text are read.
    numbers: NumberStyle,
    parquet: bool,
    /// Per scenario area, whether it is reported (every area is checked and totalled).
    selected: Vec<bool>,
    known: Vec<String>,
    /// For each of the eight lines that is a deduction from a table, the table's path.
    tables: [Option<(PathBuf, bool)>; 8],
    /// Per scenario area.
    areas: Tally,
    region: ByDay<RegionDay>,
    /// Bad rows.
    problems: Problems,
    /// The first deduction (in the plan's order) a table lacks a figure for, on its first
    /// day missing (reported when the counts have no problems, as the in-memory path does).
    missing_deduction: Option<((usize, i32), Error)>,
}

impl State {
    fn new(
        scenario: &Scenario,
        path: &Path,
        columns: &CountsColumns,
        numbers: NumberStyle,
        parquet: bool,
        selected: Vec<bool>,
    ) -> State {
        let mut tables: [Option<(PathBuf, bool)>; 8] = Default::default();
        for (i, deduction) in Deduction::ALL.iter().enumerate() {
            if let DeductionSource::Table(table) = scenario.deduction(*deduction) {
                tables[3 + i] = Some((table.path.clone(), table.is_per_area()));
            }
        }
        let mut known: Vec<String> = scenario
            .areas()
            .iter()
            .take(MAX_REPORTED)
            .map(|a| a.code.to_string())
            .collect();
        if scenario.areas().len() > MAX_REPORTED {
            known.push(format!("… {} in all", scenario.areas().len()));
        }
        State {
            path: path.to_owned(),
            scenario: scenario.path().to_owned(),
            columns: columns.clone(),
            numbers,
            parquet,
            areas: Tally::new(selected.len()),
            selected,
            known,
            tables,
            region: ByDay::default(),
            problems: Problems::new(path),
            missing_deduction: None,
        }
    }

    /// Where row `row` (0-based, header not counted) of the file is.
    fn at(&self, row: u32) -> Location {
        if self.parquet {
            Location::Row(u64::from(row) + 1)
        } else {
            Location::Line(u64::from(row) + 2)
        }
    }

    /// Records a bad row.
    fn bad(&mut self, row: u32, error: Error) {
        self.problems.push(u64::from(row), error);
    }

    /// Checks and totals one batch of the model's rows.
    fn take(&mut self, batch: &DataFrame) -> PolarsResult<()> {
        let mut batch = batch.clone();
        batch.rechunk_mut();
        match Clean::of(&batch, self.columns.foreign.is_some())? {
            Some(clean) => {
                self.take_clean(&batch, &clean);
                Ok(())
            }
            None => self.take_checked(&batch),
        }
    }

    /// Totals a batch whose every value is known good: no per-row checks but the repeated day.
    fn take_clean(&mut self, batch: &DataFrame, clean: &Clean<'_>) {
        for i in 0..clean.dates.len() {
            let values = std::array::from_fn(|l| clean.lines[l][i]);
            let (key, day) = (clean.order[i] as usize, clean.dates[i]);
            self.add(key, day, &values, clean.foreign[i], || {
                (clean.rows[i], text_at(batch, AREA, i))
            });
        }
    }

    /// Adds one area-day to the totals (and to the region's, if the area is selected), or a
    /// [`Error::RepeatedDay`] if the area has the day; `row_area` gives the file row and the
    /// area for the error.
    fn add(
        &mut self,
        key: usize,
        day: i32,
        values: &[f64; 8],
        foreign: f64,
        row_area: impl FnOnce() -> (u32, String),
    ) {
        if !self.areas.add(key, day, values, foreign) {
            let (row, area) = row_area();
            let error = Error::RepeatedDay {
                path: self.path.clone(),
                at: self.at(row),
                area,
                date: from_epoch_days(day).to_string(),
            };
            self.bad(row, error);
            return;
        }
        if !self.selected[key] {
            return;
        }
        let region = self.region.get_mut(day);
        for (sum, v) in region.lines.iter_mut().zip(values) {
            sum.add(*v);
        }
        region.foreign.add(foreign);
        region.areas += 1;
    }

    /// Checks every row of a batch that has a bad, missing or unusually written value
    /// somewhere, and totals the good rows.
    fn take_checked(&mut self, batch: &DataFrame) -> PolarsResult<()> {
        let rows = batch.column(ROW)?.cast(&DataType::UInt32)?;
        let rows = rows.u32()?;
        let areas = batch.column(AREA)?.str()?;
        let order = batch.column(ORDER)?.u32()?;
        let dates = batch.column(DATE)?.cast(&DataType::Int32)?;
        let dates = dates.i32()?;
        let foreign = batch.column(FOREIGN)?.f64()?;
        let raw_counts = batch.column(RAW_COUNT)?.str()?;
        let raw_dates = batch.column(RAW_DATE)?.str()?;
        let raw_foreigns = batch.column(RAW_FOREIGN)?.str()?;
        let lines = LINES
            .iter()
            .map(|l| batch.column(l)?.f64().cloned())
            .collect::<PolarsResult<Vec<_>>>()?;
        for i in 0..batch.height() {
            let row = RowValues {
                row: rows.get(i).unwrap_or(0),
                area: areas.get(i),
                order: order.get(i),
                date: dates.get(i),
                // The first line is the count as read.
                observed: lines[0].get(i),
                foreign: foreign.get(i),
                raw_count: raw_counts.get(i),
                raw_date: raw_dates.get(i),
                raw_foreign: raw_foreigns.get(i),
            };
            // A blank line.
            if row.area.is_none() && row.date.is_none() && row.observed.is_none() {
                continue;
            }
            if let Some(bad) = self.check(&row) {
                self.bad(row.row, bad);
                continue;
            }
            let (Some(index), Some(day)) = (row.order, row.date) else {
                continue;
            };
            let mut values = [0.0; 8];
            let mut missing = None;
            for (l, line) in lines.iter().enumerate() {
                match line.get(i) {
                    Some(v) => values[l] = v,
                    None => missing = missing.or(Some(l)),
                }
            }
            if let Some(l) = missing {
                if self
                    .missing_deduction
                    .as_ref()
                    .is_none_or(|(first, _)| (l, day) < *first)
                {
                    let (path, per_area) = self.tables[l].clone().unwrap_or_default();
                    let error = Error::MissingDeductionDate {
                        path,
                        deduction: LINES[l].to_owned(),
                        date: from_epoch_days(day).to_string(),
                        area: per_area.then(|| row.area.unwrap_or("").to_owned()),
                    };
                    self.missing_deduction = Some(((l, day), error));
                }
                continue;
            }
            let area = row.area.unwrap_or("");
            self.add(
                index as usize,
                day,
                &values,
                row.foreign.unwrap_or(0.0),
                || (row.row, area.to_owned()),
            );
        }
        Ok(())
    }

    /// The first thing wrong with a row's values, if any.
    fn check(&self, row: &RowValues<'_>) -> Option<Error> {
        let at = || self.at(row.row);
        let path = || self.path.clone();
        let Some(area) = row.area.filter(|a| !a.is_empty()) else {
            return Some(Error::EmptyArea {
                path: path(),
                at: at(),
                column: self.columns.area.clone(),
            });
        };
        let bad_date = |value: String| Error::ParseDate {
            path: path(),
            expected: "yyyy-mm-dd, 1900 to 2199".to_owned(),
            at: at(),
            column: self.columns.date.clone(),
            value,
        };
        // Text dates (Parquet) in yyyy-mm-dd only, as for CSV.
        if let Some(text) = row.raw_date
            && (row.date.is_none() || iso_date(text.trim()) != row.date.map(from_epoch_days))
        {
            return Some(bad_date(text.to_owned()));
        }
        match row.date {
            None => return Some(bad_date(String::new())),
            Some(day) if !(FIRST_DAY..=LAST_DAY).contains(&day) => {
                return Some(bad_date(from_epoch_days(day).to_string()));
            }
            Some(_) => {}
        }
        if row.order.is_none() {
            return Some(Error::UnknownArea {
                path: path(),
                at: at(),
                area: area.to_owned(),
                scenario: self.scenario.clone(),
                known: self.known.clone(),
            });
        }
        // Numbers written as text read as the in-memory reader reads them, or not at all.
        if let Some(bad) = self.check_text(row.raw_count, row.observed, &self.columns.count, &at) {
            return Some(bad);
        }
        if let Some(name) = &self.columns.foreign
            && let Some(bad) = self.check_text(row.raw_foreign, row.foreign, name, &at)
        {
            return Some(bad);
        }
        let number = |value: Option<f64>, name: &String| -> Option<Error> {
            let Some(v) = value else {
                return Some(Error::ParseNumber {
                    path: path(),
                    at: at(),
                    column: name.clone(),
                    value: String::new(),
                });
            };
            if v.is_nan() {
                return Some(Error::ParseNumber {
                    path: path(),
                    at: at(),
                    column: name.clone(),
                    value: v.to_string(),
                });
            }
            if v < 0.0 {
                return Some(Error::NegativeNumber {
                    path: path(),
                    at: at(),
                    column: name.clone(),
                    value: v.to_string(),
                });
            }
            (v > MAX_PERSONS).then(|| Error::TooLarge {
                path: path(),
                at: at(),
                column: name.clone(),
                value: v.to_string(),
            })
        };
        if let Some(bad) = number(row.observed, &self.columns.count) {
            return Some(bad);
        }
        if let Some(name) = &self.columns.foreign {
            if let Some(bad) = number(row.foreign, name) {
                return Some(bad);
            }
            let (f, c) = (row.foreign.unwrap_or(0.0), row.observed.unwrap_or(0.0));
            if f > c {
                return Some(Error::ForeignAboveCount {
                    path: path(),
                    at: at(),
                    column: name.clone(),
                    foreign: f,
                    count: c,
                });
            }
        }
        None
    }

    /// A number written as text (`text`, read by polars as `read`), checked as the in-memory
    /// reader checks it: ambiguous marks refused, the value the same or refused as not plain.
    fn check_text(
        &self,
        text: Option<&str>,
        read: Option<f64>,
        column: &str,
        at: &dyn Fn() -> Location,
    ) -> Option<Error> {
        let text = text.filter(|t| !t.bytes().all(|b| b.is_ascii_digit()))?;
        if ambiguous_number(text, self.numbers) {
            return Some(Error::AmbiguousNumber {
                path: self.path.clone(),
                at: at(),
                column: column.to_owned(),
                value: text.to_owned(),
            });
        }
        match parse_persons(text, self.numbers, &self.path, &at(), column) {
            Err(e) => Some(e),
            // Read otherwise by polars (e.g. with spaces around it): refused.
            Ok(v) if read != Some(v) => Some(Error::NotPlainNumber {
                path: self.path.clone(),
                at: at(),
                column: column.to_owned(),
                value: text.to_owned(),
            }),
            Ok(_) => None,
        }
    }

    /// The summary, once every batch is in.
    fn finish(self, scenario: &Scenario, selection: &Selection) -> Result<Summary> {
        if !self.problems.is_empty() {
            return Err(self
                .problems
                .into_error()
                .unwrap_or(Error::EmptyInput { path: self.path }));
        }
        if let Some((_, error)) = self.missing_deduction {
            return Err(error);
        }
        let wanted = self.selected.iter().filter(|s| **s).count() as u32;
        let mut region = Tally::new(1);
        let mut incomplete = 0;
        for (day, sums) in self.region.iter().filter(|(_, d)| d.areas > 0) {
            region.add(0, day, &sums.lines.map(|s| s.value()), sums.foreign.value());
            incomplete += u32::from(sums.areas < wanted);
        }
        if region.is_empty() {
            return Err(Error::EmptySelection {
                selection: selection.to_string(),
            });
        }
        let labels: Vec<Option<(String, String)>> = scenario
            .areas()
            .iter()
            .zip(&self.selected)
            .map(|(a, selected)| selected.then(|| (a.code.to_string(), a.name.clone())))
            .collect();
        let region_name = if selection.areas.is_empty() {
            scenario.name().to_owned()
        } else {
            format!("{}, selected areas", scenario.name())
        };
        Summary::from_tallies(
            scenario,
            selection,
            None,
            incomplete,
            (&self.areas, &labels),
            (&region, &region_name),
        )
    }
}
