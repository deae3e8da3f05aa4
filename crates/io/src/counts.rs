//! Reading daily counts from any file deltid takes, into the model's compact [`Counts`].
//!
//! CSV is read in one pass, in chunks split at record boundaries and parsed on every core,
//! with memory that grows with areas × days, not with the file; spreadsheets row by row;
//! Parquet row group by row group. Every row goes through the same checks
//! ([`crate::rows`]), so a file gives the same counts whichever reader reads it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use deltid_model::{
    Counts, CountsBuilder, CountsWriter, Error, Location, Place, Refused, Result, Scenario,
};

use crate::cell::{DateFormat, DateParser, NumberStyle};
use crate::rows::{
    Batch, Cell, Layout, Line, MAX_REPORTED, Problem, ProblemKind, RowReader, Rules,
    header_place, place_of,
};
use crate::source::{
    Kind, Places, SourceOptions, column_index, csv_reader, decode, find_header, header_name,
    kind_of, line_ends, looks_utf16, read_error, skip_blank, sniff_delimiter, strip_bom,
};

/// Names of the columns of a counts file.
///
/// Defaults: `date`, `area`, `count`, and no SIM-origin split. Other columns in the file are
/// ignored. In the wide shape only `date` is used: every other column is an area.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountsColumns {
    /// Column holding the date.
    pub date: String,
    /// Column holding the area (a code, a label such as `K-3043 Ål`, an old code or a name).
    pub area: String,
    /// Column holding the count of persons present (non-negative, fractions allowed): all SIMs,
    /// domestic and foreign.
    pub count: String,
    /// Column holding the foreign SIMs (inbound roamers) among `count`, if the operator splits
    /// counts by SIM origin; they are scaled by the scenario's `[scaling] foreign` factor
    /// instead of the uplift. Each must be at most its row's count. Naming one implies the long
    /// shape.
    pub foreign: Option<String>,
}

impl Default for CountsColumns {
    fn default() -> Self {
        CountsColumns {
            date: "date".to_owned(),
            area: "area".to_owned(),
            count: "count".to_owned(),
            foreign: None,
        }
    }
}

/// The layout of a counts table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Shape {
    /// Long if the header has the area and count columns, else wide.
    #[default]
    Auto,
    /// One row per date and area: date, area, count.
    Long,
    /// One row per date: a date column and one column per area (codes or names as headers),
    /// as spreadsheets have it. Empty cells are days without a count.
    Wide,
}

/// How to read a counts file: its columns, shape, file dialect, numbers and dates. The
/// defaults detect everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CountsOptions {
    /// Column names.
    pub columns: CountsColumns,
    /// Long or wide.
    pub shape: Shape,
    /// Separator, encoding, sheet.
    pub source: SourceOptions,
    /// Decimal mark and thousands separators.
    pub numbers: NumberStyle,
    /// Date format.
    pub dates: DateFormat,
}

/// How far a read has come: bytes of the file read (of `total`, when known) and counts read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of the file read.
    pub bytes: u64,
    /// The file's size, when known.
    pub total: Option<u64>,
    /// Counts (area-days) read.
    pub rows: u64,
}

/// What a read gave: the counts of every good row, the problems found (the first
/// [`MAX_REPORTED`] in file order, and how many more), and the sheet read from a workbook.
#[derive(Debug)]
pub struct Reading {
    counts: Counts,
    problems: Vec<Error>,
    more: usize,
    sheet: Option<String>,
}

impl Reading {
    /// The counts of the rows without problems.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// The problems found, in file order (at most [`MAX_REPORTED`]).
    pub fn problems(&self) -> &[Error] {
        &self.problems
    }

    /// Problems found beyond those listed.
    pub fn more(&self) -> usize {
        self.more
    }

    /// The sheet read, for a spreadsheet.
    pub fn sheet(&self) -> Option<&str> {
        self.sheet.as_deref()
    }

    /// The counts, or the problems as one error ([`Error::Many`] when there are several).
    ///
    /// # Errors
    /// The problems found; [`Error::EmptyInput`] when there are no counts.
    pub fn into_counts(mut self) -> Result<Counts> {
        match (self.problems.len(), self.more) {
            (0, _) if self.counts.is_empty() => Err(Error::EmptyInput {
                path: self.counts.path().to_owned(),
            }),
            (0, _) => Ok(self.counts),
            (1, 0) => Err(self.problems.remove(0)),
            _ => Err(Error::Many {
                path: self.counts.path().to_owned(),
                errors: self.problems,
                more: self.more,
            }),
        }
    }
}

/// Reads the counts of a scenario's areas from a file: CSV (any of `,` `;` tab; UTF-8 or
/// Windows-1252; long or wide), a spreadsheet (`.xlsx`, `.xls`, `.ods`) or Parquet, with area
/// cells read by the scenario's one rule ([`deltid_model::AreaResolver`]).
///
/// # Errors
/// [`Error::ReadFile`], [`Error::ReadCsv`], [`Error::ReadSheet`], [`Error::NoSuchSheet`],
/// [`Error::ReadParquet`], [`Error::ColumnType`] if the file cannot be read;
/// [`Error::MissingColumn`] or [`Error::DuplicateColumn`] for the header;
/// [`Error::AmbiguousDates`]; for bad values [`Error::ParseDate`], [`Error::NoSuchDay`],
/// [`Error::DateOutOfRange`], [`Error::ParseNumber`], [`Error::AmbiguousNumber`],
/// [`Error::NegativeNumber`], [`Error::TooLarge`], [`Error::ForeignAboveCount`],
/// [`Error::EmptyArea`], [`Error::UnknownArea`], [`Error::AmbiguousArea`],
/// [`Error::ExtraFields`], [`Error::Encoding`], [`Error::DuplicateRow`] (several at once as
/// [`Error::Many`], up to [`MAX_REPORTED`]); [`Error::EmptyInput`] if there are no counts.
///
/// # Examples
/// ```
/// use deltid_io::{read_counts, read_scenario, CountsOptions};
/// let scenario = read_scenario("../../data/hallingdal/plan-2021.toml")?;
/// let counts = read_counts(scenario.counts().unwrap(), &CountsOptions::default(), &scenario)?;
/// assert_eq!(counts.len(), 547 * 6);
/// # Ok::<(), deltid_io::Error>(())
/// ```
pub fn read_counts(path: impl AsRef<Path>, options: &CountsOptions, scenario: &Scenario) -> Result<Counts> {
    read_counts_with(path, options, scenario, None)?.into_counts()
}

/// Reads counts as [`read_counts`] does, but returns the good rows' counts beside the
/// problems instead of failing on them (for a check of a file), and reports progress to
/// `progress` as it goes.
///
/// # Errors
/// The errors of [`read_counts`] that concern the whole file (it cannot be read, its header
/// lacks a column, its dates are ambiguous); problems with values are in the [`Reading`].
pub fn read_counts_with(
    path: impl AsRef<Path>,
    options: &CountsOptions,
    scenario: &Scenario,
    progress: Option<&(dyn Fn(Progress) + Sync)>,
) -> Result<Reading> {
    read_counts_chunked(path.as_ref(), options, scenario, progress, Chunking::default())
}

/// How a CSV file is cut for its workers: bytes per chunk and threads.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Chunking {
    pub(crate) bytes: usize,
    pub(crate) threads: usize,
}

impl Default for Chunking {
    fn default() -> Self {
        Chunking {
            bytes: 4 << 20,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

/// [`read_counts_with`] with CSV chunks of `chunk_bytes` bytes parsed by `threads` workers:
/// for tests that the result does not depend on how a file is cut.
#[doc(hidden)]
pub fn read_counts_in_chunks(
    path: &Path,
    options: &CountsOptions,
    scenario: &Scenario,
    chunk_bytes: usize,
    threads: usize,
) -> Result<Reading> {
    let chunking = Chunking {
        bytes: chunk_bytes.max(1),
        threads: threads.max(1),
    };
    read_counts_chunked(path, options, scenario, None, chunking)
}

fn read_counts_chunked(
    path: &Path,
    options: &CountsOptions,
    scenario: &Scenario,
    progress: Option<&(dyn Fn(Progress) + Sync)>,
    chunking: Chunking,
) -> Result<Reading> {
    match kind_of(path)? {
        Kind::Csv => read_csv(path, options, scenario, progress, chunking),
        Kind::Sheet => read_sheet(path, options, scenario),
        Kind::Parquet => crate::parquet::read_counts(path, options, scenario, progress),
    }
}

/// The layout of a header: long or wide by the options, with column positions, and the
/// problems of a wide header's cells (cells that name no area), by column.
pub(crate) fn layout(
    path: &Path,
    header: &[String],
    options: &CountsOptions,
    scenario: &Scenario,
) -> Result<(Layout, Vec<(usize, ProblemKind)>)> {
    let columns = &options.columns;
    let date = column_index(header, &columns.date, path)?;
    let long = match options.shape {
        Shape::Long => true,
        Shape::Wide => false,
        Shape::Auto => {
            columns.foreign.is_some()
                || header.contains(&columns.area)
                || header.contains(&columns.count)
        }
    };
    if long {
        let area = column_index(header, &columns.area, path)?;
        let count = column_index(header, &columns.count, path)?;
        let foreign = columns
            .foreign
            .as_ref()
            .map(|name| column_index(header, name, path))
            .transpose()?;
        return Ok((
            Layout::Long {
                date,
                area,
                count,
                foreign,
            },
            Vec::new(),
        ));
    }
    let mut problems = Vec::new();
    let mut areas = Vec::new();
    for (column, name) in header.iter().enumerate() {
        if column == date || name.is_empty() {
            continue;
        }
        match header_place(name, scenario) {
            Ok(place) => areas.push((column, Some(place))),
            Err(kind) => {
                problems.push((column, kind));
                areas.push((column, None));
            }
        }
    }
    Ok((Layout::Wide { date, areas }, problems))
}

/// Collects the problems of a read in file order.
pub(crate) struct Collector<'a> {
    rules: &'a Rules<'a>,
    /// (sort key, error): the sort key is the record's line or row, then its column.
    problems: Vec<((u64, usize), Error)>,
    more: usize,
    /// Unknown or ambiguous area cells already reported.
    reported: HashSet<String>,
    /// Counts refused as a second count of a place and day.
    pub(crate) repeats: u64,
}

impl<'a> Collector<'a> {
    pub(crate) fn new(rules: &'a Rules<'a>) -> Collector<'a> {
        Collector {
            rules,
            problems: Vec::new(),
            more: 0,
            reported: HashSet::new(),
            repeats: 0,
        }
    }

    /// Takes one batch's problems, each with its place in the file (and an order to sort by).
    pub(crate) fn take(&mut self, batch: Batch, locate: impl Fn(&Problem) -> (u64, Location)) {
        for problem in batch.problems {
            let area = matches!(
                problem.kind,
                ProblemKind::UnknownArea | ProblemKind::AmbiguousArea(_)
            );
            if area && !self.reported.insert(problem.value.clone()) {
                continue;
            }
            let (order, at) = locate(&problem);
            let column = problem.column;
            let error = self.rules.error(problem, at);
            self.problems.push(((order, column), error));
        }
        self.more += batch.more;
        self.repeats += batch.repeats;
    }

    /// The reading: the problems and the repeats found (each with its order) sorted into file
    /// order and cut to [`MAX_REPORTED`].
    pub(crate) fn finish(
        mut self,
        builder: CountsBuilder,
        repeats: Vec<(u64, Error)>,
        sheet: Option<String>,
    ) -> Reading {
        let unlisted = (self.repeats as usize).saturating_sub(repeats.len());
        self.problems
            .extend(repeats.into_iter().map(|(order, e)| ((order, 0), e)));
        self.problems.sort_by_key(|(order, _)| *order);
        let total = self.problems.len() + self.more + unlisted;
        let problems: Vec<Error> = self
            .problems
            .into_iter()
            .take(MAX_REPORTED)
            .map(|(_, e)| e)
            .collect();
        Reading {
            more: total - problems.len(),
            problems,
            counts: builder.finish(self.rules.path),
            sheet,
        }
    }
}

/// Finds the first [`MAX_REPORTED`] repeats of a place and day in file order, with where the
/// first count of each was: from a replay of every count with its order in the file (a line or
/// row), called twice.
pub(crate) fn find_repeats(
    rules: &Rules<'_>,
    replay: &dyn Fn(&mut dyn FnMut(u64, &Cell)) -> Result<()>,
    locate: &dyn Fn(u64) -> Location,
) -> Result<Vec<(u64, Error)>> {
    // The days seen by each place, as bits per day: memory for the days present only.
    let keys = rules.scenario.areas().len() + 1;
    let mut seen: HashMap<i32, Vec<u64>> = HashMap::new();
    let mut repeats: Vec<((u32, i32), u64)> = Vec::new();
    replay(&mut |order, cell| {
        if repeats.len() >= MAX_REPORTED {
            return;
        }
        let bits = seen.entry(cell.day).or_insert_with(|| vec![0; keys.div_ceil(64)]);
        let (word, bit) = (cell.key as usize / 64, 1u64 << (cell.key % 64));
        if bits[word] & bit != 0 {
            repeats.push(((cell.key, cell.day), order));
        }
        bits[word] |= bit;
    })?;
    drop(seen);
    let wanted: HashSet<(u32, i32)> = repeats.iter().map(|r| r.0).collect();
    let mut firsts: HashMap<(u32, i32), u64> = HashMap::new();
    replay(&mut |order, cell| {
        let pair = (cell.key, cell.day);
        if wanted.contains(&pair) {
            firsts.entry(pair).or_insert(order);
        }
    })?;
    Ok(repeats
        .into_iter()
        .map(|(pair, order)| {
            let first = firsts.get(&pair).copied().unwrap_or(order);
            (order, duplicate_error(rules, pair, locate(order), locate(first)))
        })
        .collect())
}

/// Stores a batch's counts through a writer, counting the repeats refused.
pub(crate) fn store(writer: &mut CountsWriter<'_>, rules: &Rules<'_>, batch: &mut Batch) {
    for cell in batch.cells.drain(..) {
        let place = place_of(cell.key, rules.scenario);
        match writer.insert_day(place, cell.day, cell.observed, cell.foreign) {
            Ok(()) => {}
            Err(Refused::Duplicate) => batch.repeats += 1,
            // The rows' checks refuse every other case first.
            Err(_) => batch.more += 1,
        }
    }
}

/// The first block of a CSV file read to find its header and date format.
const FIRST_BLOCK: usize = 1 << 20;

fn read_csv(
    path: &Path,
    options: &CountsOptions,
    scenario: &Scenario,
    progress: Option<&(dyn Fn(Progress) + Sync)>,
    chunking: Chunking,
) -> Result<Reading> {
    let mut file = std::fs::File::open(path).map_err(|e| read_error(path, e))?;
    let total = file.metadata().ok().map(|m| m.len());
    let mut block = Vec::with_capacity(FIRST_BLOCK);
    (&mut file)
        .take(FIRST_BLOCK as u64)
        .read_to_end(&mut block)
        .map_err(|e| read_error(path, e))?;
    let whole = block.len() < FIRST_BLOCK;
    let bom = block.len() - strip_bom(&block).len();
    if looks_utf16(&block[bom..]) {
        return Err(Error::ReadCsv {
            path: path.to_owned(),
            line: 1,
            message: "the file is UTF-16 text: save it as UTF-8 (or as CSV from Excel)".to_owned(),
        });
    }
    // Only whole lines of the first block, unless it is the whole file.
    let sample_end = if whole {
        block.len()
    } else {
        memchr::memrchr(b'\n', &block).map_or(block.len(), |i| i + 1)
    };
    let sample = &block[bom..sample_end];
    let delimiter = options
        .source
        .delimiter
        .unwrap_or_else(|| sniff_delimiter(sample));

    // The first records, decoded, to find the header.
    let encoding = options.source.encoding;
    let mut first = Vec::new();
    let mut reader = csv_reader(delimiter, sample);
    let mut record = csv::ByteRecord::new();
    while first.len() < 50 {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(crate::source::csv_error(path, sample, &e)),
        }
        let start = skip_blank(sample, record.position().map_or(0, |p| p.byte() as usize));
        let cells: Vec<String> = record
            .iter()
            .map(|c| {
                decode(c, encoding).map_or_else(
                    || String::from_utf8_lossy(c).into_owned(),
                    |t| t.into_owned(),
                )
            })
            .collect();
        first.push((start, reader.position().byte() as usize, cells));
    }
    let cells: Vec<Vec<String>> = first.iter().map(|r| r.2.clone()).collect();
    let Some(header_at) = find_header(&cells, &options.columns.date) else {
        return Err(Error::EmptyInput {
            path: path.to_owned(),
        });
    };
    let header: Vec<String> = cells[header_at].iter().map(|c| header_name(c)).collect();
    let header_line = 1 + line_ends(&sample[..first[header_at].0]);
    // Bytes after the header record, from the start of the file.
    let data_start = bom + first[header_at].1;
    let data_line = 1 + line_ends(&block[bom..data_start]);
    let (layout, header_problems) = layout(path, &header, options, scenario)?;
    let date_column = match &layout {
        Layout::Long { date, .. } | Layout::Wide { date, .. } => *date,
    };

    // The date format, from the first block's dates; from every date of the file only when
    // they cannot choose between day-first and month-first.
    let sample_dates: Vec<String> = {
        let mut reader = csv_reader(delimiter, &block[data_start..sample_end.max(data_start)]);
        let mut dates = Vec::new();
        let mut seen = HashSet::new();
        while let Ok(true) = reader.read_byte_record(&mut record) {
            if let Some(text) = record.get(date_column).and_then(|c| decode(c, encoding))
                && !deltid_model::trim_cell(&text).is_empty()
                && seen.insert(text.to_string())
            {
                dates.push(text.into_owned());
            }
        }
        dates
    };
    let all_dates;
    let dates_for_choice: &[String] = if options.dates == DateFormat::Auto
        && !whole
        && DateParser::undecided(sample_dates.iter().map(String::as_str))
    {
        all_dates = distinct_dates(path, data_start, delimiter, date_column, encoding)?;
        &all_dates
    } else {
        &sample_dates
    };
    let dates = DateParser::choose(&options.dates, dates_for_choice.iter().map(String::as_str))
        .map_err(|example| Error::AmbiguousDates {
            path: path.to_owned(),
            column: options.columns.date.clone(),
            example,
        })?;

    let rules = Rules {
        path,
        scenario,
        layout,
        header,
        dates,
        numbers: options.numbers,
        encoding,
        refuse_extra_fields: true,
    };
    let builder = CountsBuilder::new(scenario, options.columns.foreign.is_some());
    let mut collector = Collector::new(&rules);
    let mut header_batch = Batch::default();
    for (column, kind) in header_problems {
        let value = rules.header[column].clone();
        header_batch.problems.push(Problem {
            record: 0,
            column,
            kind,
            value,
        });
    }
    collector.take(header_batch, |_| (header_line, Location::Line(header_line)));

    let rows_done = AtomicU64::new(0);
    let report = |bytes: u64| {
        if let Some(progress) = progress {
            progress(Progress {
                bytes,
                total,
                rows: rows_done.load(Ordering::Relaxed),
            });
        }
    };
    let carry = block[data_start..].to_vec();
    run_chunks(
        path,
        (&rules, &builder),
        delimiter,
        (file, carry, block.len() as u64),
        chunking,
        |batch, first_line, bytes_done| {
            rows_done.fetch_add(batch.records, Ordering::Relaxed);
            collector.take(batch, |p| {
                let line = first_line + p.record;
                (line, Location::Line(line))
            });
            report(bytes_done);
        },
        data_line,
    )?;
    let repeats = if collector.repeats == 0 && builder.unseen_repeats() == 0 {
        Vec::new()
    } else {
        collector.repeats = collector.repeats.max(1);
        let replay = |visit: &mut dyn FnMut(u64, &Cell)| {
            replay_csv(&rules, delimiter, data_start, data_line, visit)
        };
        find_repeats(&rules, &replay, &Location::Line)?
    };
    Ok(collector.finish(builder, repeats, None))
}

/// Every distinct date cell of a CSV file's date column, in file order.
fn distinct_dates(
    path: &Path,
    data_start: usize,
    delimiter: u8,
    column: usize,
    encoding: crate::source::Encoding,
) -> Result<Vec<String>> {
    let mut file = std::fs::File::open(path).map_err(|e| read_error(path, e))?;
    std::io::copy(&mut (&mut file).take(data_start as u64), &mut std::io::sink())
        .map_err(|e| read_error(path, e))?;
    let mut reader = csv_reader(delimiter, std::io::BufReader::with_capacity(1 << 20, file));
    let mut record = csv::ByteRecord::new();
    let mut seen = HashSet::new();
    let mut dates = Vec::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(Error::ReadCsv {
                    path: path.to_owned(),
                    line: 0,
                    message: e.to_string(),
                });
            }
        }
        if let Some(text) = record.get(column).and_then(|c| decode(c, encoding))
            && !deltid_model::trim_cell(&text).is_empty()
            && seen.len() < 1_000_000
            && seen.insert(text.to_string())
        {
            dates.push(text.into_owned());
        }
    }
    Ok(dates)
}

/// Reads a CSV file's records after its header in chunks cut at record boundaries, parses
/// them on `chunking.threads` workers, and hands each chunk's batch to `merge` in file order
/// with the line of the chunk's first byte and the bytes read so far.
fn run_chunks(
    path: &Path,
    (rules, builder): (&Rules<'_>, &CountsBuilder),
    delimiter: u8,
    (file, carry, offset): (std::fs::File, Vec<u8>, u64),
    chunking: Chunking,
    mut merge: impl FnMut(Batch, u64, u64),
    first_line: u64,
) -> Result<()> {
    let threads = chunking.threads.max(1);
    std::thread::scope(|scope| -> Result<()> {
        let (work_tx, work_rx) = mpsc::sync_channel::<(usize, Vec<u8>, u64)>(threads * 2);
        let work_rx = Arc::new(Mutex::new(work_rx));
        let (done_tx, done_rx) = mpsc::channel::<(usize, Batch, u64, u64)>();
        // Chunk buffers go back to the reader to be filled again: no fresh memory per chunk.
        let (pool_tx, pool_rx) = mpsc::channel::<Vec<u8>>();
        for _ in 0..threads {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            let pool_tx = pool_tx.clone();
            scope.spawn(move || {
                let mut reader = RowReader::new(rules);
                let mut writer = builder.writer();
                let mut cells = Vec::new();
                loop {
                    let job = match work_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => break,
                    };
                    let Ok((index, chunk, read)) = job else {
                        break;
                    };
                    let (mut batch, lines) = parse_chunk(
                        (&mut reader, &mut writer),
                        delimiter,
                        &chunk,
                        std::mem::take(&mut cells),
                    );
                    cells = std::mem::take(&mut batch.cells);
                    // The reader may have stopped; the buffer is then simply dropped.
                    let _ = pool_tx.send(chunk);
                    if done_tx.send((index, batch, lines, read)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        drop(pool_tx);
        let splitter = scope.spawn(move || {
            split_chunks(file, carry, offset, delimiter, chunking.bytes, (work_tx, pool_rx))
        });
        // Merge in file order.
        let mut pending: BTreeMap<usize, (Batch, u64, u64)> = BTreeMap::new();
        let mut next = 0usize;
        let mut line = first_line;
        for (index, batch, lines, read) in done_rx {
            pending.insert(index, (batch, lines, read));
            while let Some((batch, lines, read)) = pending.remove(&next) {
                merge(batch, line, read);
                line += lines;
                next += 1;
            }
        }
        match splitter.join() {
            Ok(result) => result.map_err(|e| read_error(path, e)),
            Err(_) => Err(read_error(path, std::io::Error::other("the reader stopped"))),
        }
    })
}

/// Reads the file on and sends chunks that end at record boundaries, numbered in order, with
/// the bytes read so far; buffers come back through `pool` to be filled again.
fn split_chunks(
    mut file: std::fs::File,
    mut buffer: Vec<u8>,
    mut read_so_far: u64,
    delimiter: u8,
    chunk_bytes: usize,
    (work, pool): (mpsc::SyncSender<(usize, Vec<u8>, u64)>, mpsc::Receiver<Vec<u8>>),
) -> std::io::Result<()> {
    let mut index = 0;
    let mut eof = false;
    let mut target = chunk_bytes;
    loop {
        // Fill the buffer to the target without growing it past its capacity.
        while !eof && buffer.len() < target {
            buffer.reserve_exact(target - buffer.len());
            let before = buffer.len();
            (&mut file)
                .take((target - before) as u64)
                .read_to_end(&mut buffer)?;
            read_so_far += (buffer.len() - before) as u64;
            eof = buffer.len() == before;
        }
        if buffer.is_empty() {
            return Ok(());
        }
        let split = if eof {
            buffer.len()
        } else {
            record_boundary(&buffer, delimiter)
        };
        if split == 0 {
            // One record longer than a chunk: read on.
            target = buffer.len() * 2;
            continue;
        }
        target = chunk_bytes;
        let mut next = pool
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(chunk_bytes));
        next.clear();
        next.extend_from_slice(&buffer[split..]);
        buffer.truncate(split);
        if work.send((index, buffer, read_so_far)).is_err() {
            return Ok(());
        }
        index += 1;
        buffer = next;
    }
}

/// The end of the last whole record in `bytes` (which start at a record boundary), or 0 if
/// there is none: after the last line end when there is no quote (no record then spans
/// lines), else where the CSV reader itself ends its last record.
fn record_boundary(bytes: &[u8], delimiter: u8) -> usize {
    // A `\r` at the very end may be followed by `\n`: not a place to cut.
    let usable = &bytes[..bytes.len() - usize::from(bytes.last() == Some(&b'\r'))];
    if memchr::memchr(b'"', usable).is_none() {
        return memchr::memrchr2(b'\n', b'\r', usable).map_or(0, |i| {
            if usable[i] == b'\r' && usable.get(i + 1) == Some(&b'\n') {
                i + 2
            } else {
                i + 1
            }
        });
    }
    let mut reader = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let mut output = vec![0u8; 1 << 16];
    let mut ends = vec![0usize; 1 << 10];
    let (mut at, mut last) = (0usize, 0usize);
    loop {
        let (result, read, _, _) = reader.read_record(&usable[at..], &mut output, &mut ends);
        at += read;
        match result {
            csv_core::ReadRecordResult::Record => last = at,
            csv_core::ReadRecordResult::OutputFull | csv_core::ReadRecordResult::OutputEndsFull => {}
            csv_core::ReadRecordResult::InputEmpty | csv_core::ReadRecordResult::End => break,
        }
        if at >= usable.len() && result != csv_core::ReadRecordResult::Record {
            break;
        }
    }
    // A record ended by `\r` of a `\r\n`: the `\n` goes with it.
    if last > 0 && usable[last - 1] == b'\r' && usable.get(last) == Some(&b'\n') {
        last += 1;
    }
    last
}

/// Parses one chunk: its batch (problems numbered by their line within the chunk, from 0) and
/// the chunk's line ends.
///
/// A chunk with a quote is read by the CSV reader (the `csv` crate); one without is split at
/// line ends and separators directly, which is how the CSV reader splits a text without
/// quotes (`\n`, `\r\n` or `\r` end a record, empty lines are skipped, fields are the bytes
/// between separators) and several times faster. A test keeps the two equal.
fn parse_chunk(
    (reader, writer): (&mut RowReader<'_>, &mut CountsWriter<'_>),
    delimiter: u8,
    chunk: &[u8],
    cells: Vec<Cell>,
) -> (Batch, u64) {
    /// Counts are stored as they come, a few at a time, while they are still in cache.
    const STORE_EVERY: usize = 256;
    let rules = reader.rules();
    let mut batch = Batch::default();
    batch.cells = cells;
    // Problems are numbered by the byte where their record starts, then by line.
    let lines = if memchr::memchr(b'"', chunk).is_none() {
        split_plain(chunk, delimiter, |start, line| {
            reader.read(&line, start as u64, &mut batch);
            if batch.cells.len() >= STORE_EVERY {
                store(writer, rules, &mut batch);
            }
        })
    } else {
        let mut csv = csv_reader(delimiter, chunk);
        let mut record = csv::ByteRecord::new();
        loop {
            match csv.read_byte_record(&mut record) {
                Ok(true) => {}
                // Records of bytes from memory: the reader has no other error.
                Ok(false) | Err(_) => break,
            }
            let start = skip_blank(chunk, record.position().map_or(0, |p| p.byte() as usize));
            reader.read(&record, start as u64, &mut batch);
            if batch.cells.len() >= STORE_EVERY {
                store(writer, rules, &mut batch);
            }
        }
        line_ends(chunk)
    };
    store(writer, rules, &mut batch);
    // Byte offsets to lines within the chunk, in one pass.
    let mut at = (0usize, 0u64);
    for problem in &mut batch.problems {
        let start = problem.record as usize;
        if start >= at.0 {
            at.1 += line_ends(&chunk[at.0..start]);
            at.0 = start;
        }
        problem.record = at.1;
    }
    (batch, lines)
}

/// Splits text without quotes into records as the CSV reader does: each record's first byte
/// and its fields.
/// Returns the line ends it passed (`\n`, `\r\n` or a lone `\r`, as [`line_ends`] counts).
pub(crate) fn split_plain(
    bytes: &[u8],
    delimiter: u8,
    mut each: impl FnMut(usize, Line<'_>),
) -> u64 {
    // One pass, byte by byte: records are short, so a plain loop beats searching.
    let mut ends = Vec::with_capacity(16);
    let mut start = 0;
    let mut lines = 0u64;
    for (i, &b) in bytes.iter().enumerate() {
        if b == delimiter {
            ends.push(i - start);
        } else if b == b'\n' || b == b'\r' {
            if i > start {
                ends.push(i - start);
                each(start, Line { bytes: &bytes[start..i], ends: &ends });
            }
            // `\r\n` is one line end: its `\r` is not counted.
            lines += u64::from(b == b'\n' || bytes.get(i + 1) != Some(&b'\n'));
            ends.clear();
            start = i + 1;
        }
    }
    if start < bytes.len() {
        ends.push(bytes.len() - start);
        each(start, Line { bytes: &bytes[start..], ends: &ends });
    }
    lines
}

/// Replays every count of a CSV file after its header, in file order, with its line: for
/// the search of repeats, which a failing file gets (a second pass, one thread).
fn replay_csv(
    rules: &Rules<'_>,
    delimiter: u8,
    data_start: usize,
    data_line: u64,
    visit: &mut dyn FnMut(u64, &Cell),
) -> Result<()> {
    let path = rules.path;
    let bytes = std::fs::read(path).map_err(|e| read_error(path, e))?;
    let data = &bytes[data_start.min(bytes.len())..];
    let mut reader = RowReader::new(rules);
    let mut lines = (0usize, data_line);
    let mut batch = Batch::default();
    let mut each = |start: usize, record: &dyn Fn(&mut RowReader<'_>, &mut Batch)| {
        batch.cells.clear();
        batch.problems.clear();
        record(&mut reader, &mut batch);
        if !batch.cells.is_empty() {
            lines.1 += line_ends(&data[lines.0..start]);
            lines.0 = start;
        }
        for cell in &batch.cells {
            visit(lines.1, cell);
        }
    };
    if memchr::memchr(b'"', data).is_none() {
        split_plain(data, delimiter, |start, line| {
            each(start, &|reader, batch| reader.read(&line, 0, batch));
        });
    } else {
        let mut csv = csv_reader(delimiter, data);
        let mut record = csv::ByteRecord::new();
        while let Ok(true) = csv.read_byte_record(&mut record) {
            let start = skip_blank(data, record.position().map_or(0, |p| p.byte() as usize));
            each(start, &|reader, batch| reader.read(&record, 0, batch));
        }
    }
    Ok(())
}

/// [`Error::DuplicateRow`] for a place and day.
fn duplicate_error(rules: &Rules<'_>, (key, day): (u32, i32), at: Location, first: Location) -> Error {
    let area = match place_of(key, rules.scenario) {
        Place::Area(i) => rules.scenario.areas()[i].code.to_string(),
        Place::Region => rules
            .scenario
            .region_code()
            .map_or_else(String::new, ToString::to_string),
    };
    Error::DuplicateRow {
        path: rules.path.to_owned(),
        at,
        first,
        area,
        date: deltid_model::from_epoch_day(day).to_string(),
    }
}

/// Reads counts from a spreadsheet, row by row, by the same rules.
fn read_sheet(path: &Path, options: &CountsOptions, scenario: &Scenario) -> Result<Reading> {
    let sheet = crate::sheet::read(path, options.source.sheet.as_deref())?;
    let places = Places::Sheet {
        name: sheet.name.clone(),
        first_column: sheet.first_column,
    };
    let cells: Vec<Vec<String>> = sheet.rows.iter().take(50).map(|r| r.1.clone()).collect();
    let Some(header_at) = find_header(&cells, &options.columns.date) else {
        return Err(Error::EmptyInput {
            path: path.to_owned(),
        });
    };
    let header_row = sheet.rows[header_at].0;
    let header: Vec<String> = sheet.rows[header_at]
        .1
        .iter()
        .map(|c| header_name(c))
        .collect();
    let (layout, header_problems) = layout(path, &header, options, scenario)?;
    let date_column = match &layout {
        Layout::Long { date, .. } | Layout::Wide { date, .. } => *date,
    };
    let records = &sheet.rows[header_at + 1..];
    let dates = DateParser::choose(
        &options.dates,
        records
            .iter()
            .map(|(_, cells)| cells.get(date_column).map_or("", String::as_str))
            .filter(|c| !deltid_model::trim_cell(c).is_empty()),
    )
    .map_err(|example| Error::AmbiguousDates {
        path: path.to_owned(),
        column: options.columns.date.clone(),
        example,
    })?;
    let rules = Rules {
        path,
        scenario,
        layout,
        header,
        dates,
        numbers: options.numbers,
        encoding: crate::source::Encoding::Utf8,
        refuse_extra_fields: false,
    };
    let builder = CountsBuilder::new(scenario, options.columns.foreign.is_some());
    let mut collector = Collector::new(&rules);
    let mut batch = Batch::default();
    for (column, kind) in header_problems {
        batch.problems.push(Problem {
            record: header_row,
            column,
            kind,
            value: rules.header[column].clone(),
        });
    }
    let mut reader = RowReader::new(&rules);
    let mut writer = builder.writer();
    let mut record = csv::ByteRecord::new();
    let mut firsts: HashMap<(u32, i32), u64> = HashMap::new();
    let mut repeats = Vec::new();
    for (row, cells) in records {
        record.clear();
        for cell in cells {
            record.push_field(cell.as_bytes());
        }
        let before = batch.cells.len();
        reader.read(&record, *row, &mut batch);
        // A sheet is read row by row: repeats are found here, with both rows.
        for cell in &batch.cells[before..] {
            if let Some(first) = firsts.insert((cell.key, cell.day), *row) {
                repeats.push((
                    *row,
                    duplicate_error(
                        &rules,
                        (cell.key, cell.day),
                        places.locate(*row, 0),
                        places.locate(first, 0),
                    ),
                ));
            }
        }
    }
    store(&mut writer, &rules, &mut batch);
    drop(writer);
    collector.take(batch, |p| (p.record, places.locate(p.record, p.column)));
    Ok(collector.finish(builder, repeats, Some(sheet.name)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rows::Cells;

    /// Records as the `csv` crate reads them and as [`split_plain`] splits them.
    fn both(text: &[u8], delimiter: u8) -> (Vec<Vec<Vec<u8>>>, Vec<Vec<Vec<u8>>>) {
        let mut reader = csv_reader(delimiter, text);
        let crate_records = reader
            .byte_records()
            .map(|r| r.map(|r| r.iter().map(<[u8]>::to_vec).collect()))
            .collect::<std::result::Result<Vec<Vec<Vec<u8>>>, _>>()
            .unwrap_or_default();
        let mut split = Vec::new();
        split_plain(text, delimiter, |_, line| {
            split.push((0..line.ends.len()).map(|i| line.get(i).unwrap_or_default().to_vec()).collect());
        });
        (crate_records, split)
    }

    #[test]
    fn text_without_quotes_splits_as_the_csv_crate_reads_it() {
        // Every text over a small alphabet without quotes, up to 5 bytes, and long random ones.
        let alphabet = b"a1,;\n\r \t";
        let mut texts: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..5 {
            let longer: Vec<Vec<u8>> = texts
                .iter()
                .filter(|t| t.len() == texts.last().map_or(0, Vec::len))
                .flat_map(|t| alphabet.iter().map(move |c| [t.as_slice(), &[*c]].concat()))
                .collect();
            texts.extend(longer);
        }
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2_000 {
            let text: Vec<u8> = (0..200)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    alphabet[(seed % alphabet.len() as u64) as usize]
                })
                .collect();
            texts.push(text);
        }
        for text in &texts {
            for delimiter in [b',', b';'] {
                let (expected, split) = both(text, delimiter);
                assert_eq!(split, expected, "{:?}", String::from_utf8_lossy(text));
            }
        }
    }

    #[test]
    fn records_cut_where_the_csv_reader_ends_them() {
        let cases: [(&[u8], usize); 6] = [
            (b"a,b\nc,d\ne", 8),
            (b"a,b\r\nc,d\r\ne", 10),
            (b"a,b\rc,d\re", 8),
            (b"a,b\r", 0),
            (b"\"a\nb\",c\nd,\"e", 8),
            (b"\"a\"\"\n\",c\r\nd", 10),
        ];
        for (text, cut) in cases {
            assert_eq!(record_boundary(text, b','), cut, "{:?}", String::from_utf8_lossy(text));
        }
    }
}
