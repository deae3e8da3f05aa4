//! The per-row checks of counts, one set for every reader: a record's cells become counts or
//! problems the same way whether they came from a CSV chunk, a spreadsheet or a Parquet file.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use deltid_model::{
    Error, Location, MAX_PERSONS, MAX_YEAR, MIN_YEAR, Origin, Place, Resolution, Scenario,
    SplitRow, SplitValue, TimedCount, epoch_day, trim_cell,
};

use crate::cell::{
    DateParser, NotInstant, NotPersons, NumberStyle, TimeParser, is_no_such_day, persons,
};
use crate::source::{Encoding, decode};

/// How many bad values one read reports before it stops listing them.
pub const MAX_REPORTED: usize = 20;

/// The columns of a counts file, by position.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Layout {
    /// One row per date and area.
    Long {
        date: usize,
        area: usize,
        count: usize,
        foreign: Option<usize>,
        /// The origin of counts split by origin.
        origin: Option<usize>,
    },
    /// One row per date, one column per area (`None` where the header names no area).
    Wide {
        date: usize,
        areas: Vec<(usize, Option<Place>)>,
    },
}

/// A count read from a row: the place's key (area position, or the number of areas for the
/// region's own count), the day (since 1970), persons observed and foreign SIMs among them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Cell {
    pub(crate) key: u32,
    pub(crate) day: i32,
    pub(crate) observed: f64,
    pub(crate) foreign: f64,
}

/// A bad value, before its place in the file is known: the record's number within its batch,
/// the column, and what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Problem {
    pub(crate) record: u64,
    pub(crate) column: usize,
    pub(crate) kind: ProblemKind,
    pub(crate) value: String,
}

/// What is wrong with a value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ProblemKind {
    ParseDate,
    NoSuchDay,
    DateOutOfRange,
    ParseNumber,
    AmbiguousNumber,
    Negative,
    TooLarge,
    ForeignAboveCount {
        foreign: f64,
        count: f64,
    },
    EmptyArea,
    UnknownArea,
    AmbiguousArea(Vec<String>),
    ExtraFields {
        found: usize,
        expected: usize,
    },
    /// A row of counts in columns with fewer fields than the header.
    MissingFields {
        found: usize,
        expected: usize,
    },
    /// A value in a column of counts in columns whose header cell is blank.
    Unnamed,
    Encoding,
    /// A cell holds a line end: a quote opened and not closed where it should be.
    LineBreak,
    /// A timestamp cell is no timestamp.
    ParseTime,
    /// A local time without an offset that the zone has twice (`ambiguous`) or skips.
    LocalTime {
        ambiguous: bool,
    },
    /// An origin cell names no origin, or its row cannot be split (the reason).
    BadOrigin(&'static str),
}

/// What the reader knows of a file: its layout, header, formats and the scenario's areas. One
/// value, shared by every worker.
#[derive(Debug)]
pub(crate) struct Rules<'a> {
    pub(crate) path: &'a Path,
    pub(crate) scenario: &'a Scenario,
    pub(crate) layout: Layout,
    pub(crate) header: Vec<String>,
    pub(crate) dates: DateParser,
    /// For hourly or time-point counts: the date column holds timestamps, read by this.
    pub(crate) times: Option<TimeParser>,
    pub(crate) numbers: NumberStyle,
    pub(crate) encoding: Encoding,
    /// Whether a record with filled cells beyond the header's is refused: in CSV most often a
    /// number with an unquoted comma (`6,506`); in a spreadsheet, cells to the right of the
    /// table are cells (notes), not a split number, and are not read.
    pub(crate) refuse_extra_fields: bool,
}

impl Rules<'_> {
    /// The time zone of local times, by name.
    fn zone(&self) -> String {
        self.times.map_or_else(
            || self.scenario.time_zone().to_owned(),
            |t| t.zone().to_owned(),
        )
    }

    /// The error of a problem at `at`.
    pub(crate) fn error(&self, problem: Problem, at: Location) -> Error {
        let path = self.path.to_owned();
        let column = self.header.get(problem.column).cloned().unwrap_or_default();
        let value = problem.value;
        match problem.kind {
            ProblemKind::ParseDate => Error::ParseDate {
                path,
                expected: self.dates.name().to_owned(),
                at,
                column,
                value,
            },
            ProblemKind::ParseTime => Error::ParseTime {
                path,
                at,
                column,
                value,
                zone: self.zone(),
            },
            ProblemKind::LocalTime { ambiguous } => Error::LocalTime {
                offsets: self
                    .times
                    .map(|times| times.offsets_around(&value))
                    .unwrap_or_default(),
                path,
                at,
                column,
                value,
                zone: self.zone(),
                ambiguous,
            },
            ProblemKind::NoSuchDay => Error::NoSuchDay {
                path,
                expected: self.dates.name().to_owned(),
                at,
                column,
                value,
            },
            ProblemKind::DateOutOfRange => Error::DateOutOfRange {
                path,
                at,
                column,
                value,
            },
            ProblemKind::ParseNumber => Error::ParseNumber {
                path,
                at,
                column,
                value,
            },
            ProblemKind::AmbiguousNumber => Error::AmbiguousNumber {
                path,
                at,
                column,
                value,
            },
            ProblemKind::Negative => Error::NegativeNumber {
                path,
                at,
                column,
                value,
            },
            ProblemKind::TooLarge => Error::TooLarge {
                path,
                at,
                column,
                value,
            },
            ProblemKind::ForeignAboveCount { foreign, count } => Error::ForeignAboveCount {
                path,
                at,
                column,
                foreign,
                count,
            },
            ProblemKind::BadOrigin(reason) => Error::BadOrigin {
                path,
                at,
                column,
                value,
                reason: reason.to_owned(),
            },
            ProblemKind::EmptyArea => Error::EmptyArea { path, at, column },
            ProblemKind::UnknownArea => Error::UnknownArea {
                path,
                at,
                column,
                area: value,
                scenario: self.scenario.path().to_owned(),
                known: self.scenario.areas().to_vec(),
            },
            ProblemKind::AmbiguousArea(codes) => Error::AmbiguousArea {
                path,
                at,
                column,
                name: value,
                codes,
            },
            ProblemKind::ExtraFields { found, expected } => Error::ExtraFields {
                path,
                at,
                found,
                expected,
            },
            ProblemKind::MissingFields { found, expected } => Error::MissingFields {
                path,
                at,
                found,
                expected,
            },
            ProblemKind::Unnamed => Error::UnnamedColumn {
                path,
                at,
                number: problem.column + 1,
                value,
            },
            ProblemKind::LineBreak => Error::ReadCsv {
                path,
                line: match at {
                    Location::Line(n) => n,
                    _ => 0,
                },
                message: format!(
                    "column {}: the cell {} runs over a line end: a quote not closed?",
                    deltid_model::ticked(&column),
                    deltid_model::quoted(&value)
                ),
            },
            ProblemKind::Encoding => Error::Encoding {
                path,
                line: match at {
                    Location::Line(n) => n,
                    _ => 0,
                },
            },
        }
    }
}

/// The cells of one record, as bytes.
pub(crate) trait Cells {
    /// Number of cells.
    fn len(&self) -> usize;
    /// A cell, if the record has it.
    fn get(&self, i: usize) -> Option<&[u8]>;
    /// A cell, empty if the record is short.
    fn cell(&self, i: usize) -> &[u8] {
        self.get(i).unwrap_or_default()
    }
    /// Whether a cell may hold a line end (a quoted one can).
    fn may_span_lines(&self) -> bool {
        false
    }
}

impl Cells for csv::ByteRecord {
    fn len(&self) -> usize {
        csv::ByteRecord::len(self)
    }

    fn get(&self, i: usize) -> Option<&[u8]> {
        csv::ByteRecord::get(self, i)
    }

    fn may_span_lines(&self) -> bool {
        true
    }
}

/// A record of a chunk without quotes: a line and where its fields end, split as the CSV
/// reader splits such a line (see [`crate::counts`]).
pub(crate) struct Line<'a> {
    pub(crate) bytes: &'a [u8],
    /// The end of each field within `bytes`; the next field starts one byte later.
    pub(crate) ends: &'a [usize],
}

impl Cells for Line<'_> {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] + 1 };
        self.bytes.get(start..end)
    }
}

/// An area cell as resolved (cached by its bytes).
#[derive(Clone, Debug)]
enum AreaCell {
    Place(u32),
    Problem(ProblemKind),
}

/// What one batch of records gave: counts, the first problems (at most [`MAX_REPORTED`]) and
/// how many more there were.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    pub(crate) cells: Vec<Cell>,
    /// Hourly or time-point counts (when the rules read timestamps).
    pub(crate) hours: Vec<TimedCount>,
    /// Counts split by origin (when the layout has an origin column).
    pub(crate) splits: Vec<SplitRow>,
    /// The record of each split count, in the order of `splits`.
    pub(crate) split_records: Vec<u64>,
    pub(crate) problems: Vec<Problem>,
    pub(crate) more: usize,
    /// Records read (not blank).
    pub(crate) records: u64,
    /// Counts refused as a second count of a place and day.
    pub(crate) repeats: u64,
    /// Area cells already reported in this batch (an unknown area is reported once).
    reported: HashSet<String>,
}

impl Batch {
    /// Adds a problem (an unknown or ambiguous area only once a batch), counting it beyond
    /// [`MAX_REPORTED`].
    pub(crate) fn push_problem(&mut self, problem: Problem) {
        if matches!(
            problem.kind,
            ProblemKind::UnknownArea | ProblemKind::AmbiguousArea(_)
        ) && !self.reported.insert(problem.value.clone())
        {
            return;
        }
        if self.problems.len() < MAX_REPORTED {
            self.problems.push(problem);
        } else {
            self.more += 1;
        }
    }
}

/// Reads records into counts by the [`Rules`]: a worker's state (caches of dates and areas
/// already read), reused from batch to batch.
pub(crate) struct RowReader<'r> {
    rules: &'r Rules<'r>,
    /// The last date cell (packed when short) and its day.
    last_packed: Option<u128>,
    last_date: Vec<u8>,
    last_day: Result<i32, ProblemKind>,
    dates: HashMap<Vec<u8>, Result<i32, ProblemKind>, Hasher>,
    /// Area cells of up to 12 bytes that name a place, by their bytes packed in a number (no
    /// pointer to follow, small enough to stay in cache for 100 000 areas).
    short_areas: HashMap<u128, u32, Hasher>,
    /// Every other area cell by its bytes.
    areas: HashMap<Vec<u8>, AreaCell, Hasher>,
    /// Each place's cell as last seen (packed), and the last place: files sorted by area, or
    /// by date with the areas in order, need no lookup at all.
    seen: Vec<u128>,
    last_key: usize,
}

/// Up to 12 bytes packed with their length into one number, laid out as an Arrow string view
/// holds a short string (its length in 4 bytes, then the bytes, then zeros): a Parquet
/// column's views of short cells are their packed form already ([`RowReader::area_packed`]).
///
/// The bytes are read as whole little-endian words (two that overlap where the cell is
/// shorter than their sum: an overlapping byte is the same in both) and put together in
/// registers. Copying them into a buffer and reading it back whole stalls the CPU on every
/// cell (the wide read cannot take the narrow writes just made), and dates and area codes are
/// packed on every row.
#[inline]
pub(crate) fn pack(bytes: &[u8]) -> Option<u128> {
    let n = bytes.len();
    if n > 12 {
        return None;
    }
    let word = |w: &[u8; 4]| u128::from(u32::from_le_bytes(*w));
    let data = match (
        bytes.first_chunk::<8>(),
        bytes.first_chunk::<4>(),
        bytes.last_chunk::<4>(),
    ) {
        (Some(head), _, Some(tail)) => {
            u128::from(u64::from_le_bytes(*head)) | word(tail) << (8 * (n - 4))
        }
        (None, Some(head), Some(tail)) => word(head) | word(tail) << (8 * (n - 4)),
        // Up to 3 bytes.
        _ => bytes
            .iter()
            .enumerate()
            .fold(0, |data, (i, &b)| data | u128::from(b) << (8 * i)),
    };
    Some(n as u128 | data << 32)
}

/// The hash of the caches: cells are short and come from the user's own file.
type Hasher = foldhash::fast::RandomState;

impl<'r> RowReader<'r> {
    /// The rules it reads by.
    pub(crate) fn rules(&self) -> &'r Rules<'r> {
        self.rules
    }

    pub(crate) fn new(rules: &'r Rules<'r>) -> RowReader<'r> {
        RowReader {
            rules,
            last_packed: None,
            last_date: Vec::new(),
            last_day: Err(ProblemKind::ParseDate),
            dates: HashMap::default(),
            short_areas: HashMap::default(),
            areas: HashMap::default(),
            seen: vec![u128::MAX; rules.scenario.areas().len() + 1],
            last_key: 0,
        }
    }

    /// Reads one record (its cells as bytes, `record` its number within the batch) into the
    /// batch. Blank records are skipped.
    pub(crate) fn read(&mut self, record: &impl Cells, number: u64, batch: &mut Batch) {
        // A record is blank if every cell is; most records start with a visible character.
        let visible = record
            .get(0)
            .and_then(|c| c.first())
            .is_some_and(u8::is_ascii_graphic);
        if !visible && (0..record.len()).all(|i| is_blank(record.cell(i), self.rules.encoding)) {
            return;
        }
        batch.records += 1;
        let expected = self.rules.header.len();
        if self.rules.refuse_extra_fields
            && record.len() > expected
            && (expected..record.len()).any(|i| !is_blank(record.cell(i), self.rules.encoding))
        {
            batch.push_problem(Problem {
                record: number,
                column: 0,
                kind: ProblemKind::ExtraFields {
                    found: record.len(),
                    expected,
                },
                value: String::new(),
            });
            return;
        }
        let cell = |i: usize| record.cell(i);
        if record.may_span_lines() && self.rules.refuse_extra_fields {
            // A date, area or count cell never holds a line end: one that does is most often
            // the rest of the file after a quote that was never closed.
            let used: Vec<usize> = match &self.rules.layout {
                Layout::Long {
                    date,
                    area,
                    count,
                    foreign,
                    origin,
                } => [*date, *area, *count]
                    .into_iter()
                    .chain(*foreign)
                    .chain(*origin)
                    .collect(),
                Layout::Wide { date, areas } => std::iter::once(*date)
                    .chain(areas.iter().map(|a| a.0))
                    .collect(),
            };
            if let Some(&column) = used
                .iter()
                .find(|&&c| cell(c).iter().any(|b| matches!(b, b'\n' | b'\r')))
            {
                batch.push_problem(Problem {
                    record: number,
                    column,
                    kind: ProblemKind::LineBreak,
                    value: text(cell(column), self.rules.encoding),
                });
                return;
            }
        }
        match &self.rules.layout {
            Layout::Long {
                date,
                area,
                count,
                foreign,
                origin,
            } => {
                let (date, area, count, foreign) = (*date, *area, *count, *foreign);
                if let Some(origin) = *origin {
                    let day = self.day(cell(date), number, date, batch);
                    let key = self.area(cell(area), number, area, batch);
                    let from = self.origin(cell(origin), number, origin, batch);
                    let value = if is_marker(cell(count)) {
                        Some(SplitValue::Marked)
                    } else {
                        self.persons(cell(count), number, count, batch)
                            .map(SplitValue::Published)
                    };
                    if let (Some(day), Some(key), Some(from), Some(value)) = (day, key, from, value)
                    {
                        self.split(key, day, from, value, (number, area), batch);
                    }
                    return;
                }
                if let Some(times) = self.rules.times {
                    let time = self.time(&times, cell(date), number, date, batch);
                    let key = self.area(cell(area), number, area, batch);
                    let persons = self.persons(cell(count), number, count, batch);
                    if let (Some((instant, local)), Some(key), Some(persons)) = (time, key, persons)
                    {
                        batch.hours.push(TimedCount {
                            key: key as usize,
                            instant,
                            local,
                            persons,
                            order: number,
                        });
                    }
                    return;
                }
                let day = self.day(cell(date), number, date, batch);
                let key = self.area(cell(area), number, area, batch);
                let observed = self.persons(cell(count), number, count, batch);
                let foreign = match foreign {
                    None => Some(0.0),
                    Some(column) => {
                        match (self.persons(cell(column), number, column, batch), observed) {
                            (Some(f), Some(c)) if f > c => {
                                batch.push_problem(Problem {
                                    record: number,
                                    column,
                                    kind: ProblemKind::ForeignAboveCount {
                                        foreign: f,
                                        count: c,
                                    },
                                    value: String::new(),
                                });
                                None
                            }
                            (f, _) => f,
                        }
                    }
                };
                if let (Some(day), Some(key), Some(observed), Some(foreign)) =
                    (day, key, observed, foreign)
                {
                    batch.cells.push(Cell {
                        key,
                        day,
                        observed,
                        foreign,
                    });
                }
            }
            Layout::Wide { date, areas } => {
                // A CSV row cut short: its last areas would read as days without a count.
                if self.rules.refuse_extra_fields
                    && areas
                        .iter()
                        .any(|&(c, _)| c >= record.len() && !self.rules.header[c].is_empty())
                {
                    batch.push_problem(Problem {
                        record: number,
                        column: 0,
                        kind: ProblemKind::MissingFields {
                            found: record.len(),
                            expected: self.rules.header.len(),
                        },
                        value: String::new(),
                    });
                    return;
                }
                let day = self.day(cell(*date), number, *date, batch);
                for &(column, place) in areas {
                    let text = cell(column);
                    if is_blank(text, self.rules.encoding) {
                        continue;
                    }
                    if place.is_none() && self.rules.header[column].trim().is_empty() {
                        batch.push_problem(Problem {
                            record: number,
                            column,
                            kind: ProblemKind::Unnamed,
                            value: crate::rows::text(text, self.rules.encoding),
                        });
                        continue;
                    }
                    let observed = self.persons(text, number, column, batch);
                    if let (Some(day), Some(place), Some(observed)) = (day, place, observed) {
                        batch.cells.push(Cell {
                            key: key_of(place, self.rules.scenario),
                            day,
                            observed,
                            foreign: 0.0,
                        });
                    }
                }
            }
        }
    }

    /// An origin cell as an origin ([`Origin::read`]), or a problem.
    pub(crate) fn origin(
        &mut self,
        bytes: &[u8],
        record: u64,
        column: usize,
        batch: &mut Batch,
    ) -> Option<Origin> {
        let value = text(bytes, self.rules.encoding);
        match Origin::read(&value, self.rules.scenario.resolver()) {
            Ok(origin) => Some(origin),
            Err(reason) => {
                batch.push_problem(Problem {
                    record,
                    column,
                    kind: ProblemKind::BadOrigin(reason),
                    value,
                });
                None
            }
        }
    }

    /// Adds a split count to the batch; the region's own count cannot be split (a problem at
    /// the row's area cell, `(record, column)`).
    pub(crate) fn split(
        &mut self,
        key: u32,
        day: i32,
        origin: Origin,
        value: SplitValue,
        (record, column): (u64, usize),
        batch: &mut Batch,
    ) {
        let areas = self.rules.scenario.areas();
        if key as usize >= areas.len() {
            batch.push_problem(Problem {
                record,
                column,
                kind: ProblemKind::BadOrigin(
                    "the region's own count cannot be split by origin: give the split per area",
                ),
                value: self
                    .rules
                    .scenario
                    .region_code()
                    .map_or_else(String::new, ToString::to_string),
            });
            return;
        }
        batch.split_records.push(record);
        batch.splits.push(SplitRow {
            area: key as usize,
            day,
            origin,
            value,
        });
    }

    /// A date cell as a day since 1970, or a problem.
    pub(crate) fn day(
        &mut self,
        bytes: &[u8],
        record: u64,
        column: usize,
        batch: &mut Batch,
    ) -> Option<i32> {
        let packed = pack(bytes);
        let same = match packed {
            Some(p) => self.last_packed == Some(p),
            None => bytes == self.last_date.as_slice(),
        };
        if !same {
            self.last_packed = packed;
            let result = match self.dates.get(bytes) {
                Some(known) => known.clone(),
                None => {
                    let result = self.parse_day(bytes);
                    if self.dates.len() < 100_000 {
                        self.dates.insert(bytes.to_vec(), result.clone());
                    }
                    result
                }
            };
            self.last_date.clear();
            self.last_date.extend_from_slice(bytes);
            self.last_day = result;
        }
        match &self.last_day {
            Ok(day) => Some(*day),
            Err(kind) => {
                let value = text(bytes, self.rules.encoding);
                batch.push_problem(Problem {
                    record,
                    column,
                    kind: kind.clone(),
                    value,
                });
                None
            }
        }
    }

    /// A timestamp cell as its instant and local time, or a problem.
    pub(crate) fn time(
        &mut self,
        times: &TimeParser,
        bytes: &[u8],
        record: u64,
        column: usize,
        batch: &mut Batch,
    ) -> Option<(i64, chrono::NaiveDateTime)> {
        let Some(text) = decode(bytes, self.rules.encoding) else {
            batch.push_problem(Problem {
                record,
                column,
                kind: ProblemKind::Encoding,
                value: String::new(),
            });
            return None;
        };
        let kind = match times.parse(&text) {
            Ok((instant, local)) if (MIN_YEAR..=MAX_YEAR).contains(&local.year()) => {
                return Some((instant, local));
            }
            Ok(_) => ProblemKind::DateOutOfRange,
            Err(NotInstant::Parse) => ProblemKind::ParseTime,
            Err(NotInstant::Ambiguous) => ProblemKind::LocalTime { ambiguous: true },
            Err(NotInstant::Skipped) => ProblemKind::LocalTime { ambiguous: false },
        };
        batch.push_problem(Problem {
            record,
            column,
            kind,
            value: text.into_owned(),
        });
        None
    }

    fn parse_day(&self, bytes: &[u8]) -> Result<i32, ProblemKind> {
        let date: Option<NaiveDate> = if self.rules.dates.is_iso() && bytes.len() == 10 {
            crate::cell::iso_date(bytes).or_else(|| self.parse_text_date(bytes))
        } else {
            self.parse_text_date(bytes)
        };
        match date {
            Some(date) if (MIN_YEAR..=MAX_YEAR).contains(&date.year()) => Ok(epoch_day(date)),
            Some(_) => Err(ProblemKind::DateOutOfRange),
            // Bytes not in the declared encoding are that problem, as in area and count cells.
            None if decode(bytes, self.rules.encoding).is_none() => Err(ProblemKind::Encoding),
            None => {
                let text = text(bytes, self.rules.encoding);
                if is_no_such_day(&text, &self.rules.dates) {
                    Err(ProblemKind::NoSuchDay)
                } else {
                    Err(ProblemKind::ParseDate)
                }
            }
        }
    }

    fn parse_text_date(&self, bytes: &[u8]) -> Option<NaiveDate> {
        let text = decode(bytes, self.rules.encoding)?;
        self.rules.dates.parse(&text)
    }

    /// An area cell as a place's key, or a problem (an unknown area is reported once a batch).
    pub(crate) fn area(
        &mut self,
        bytes: &[u8],
        record: u64,
        column: usize,
        batch: &mut Batch,
    ) -> Option<u32> {
        self.area_packed(pack(bytes), bytes, record, column, batch)
    }

    /// [`RowReader::area`] of a cell given with a packed form: [`pack`] of its bytes, or any
    /// number that only these bytes are given with (an Arrow view of a short string, whatever
    /// its padding).
    #[inline]
    pub(crate) fn area_packed(
        &mut self,
        packed: Option<u128>,
        bytes: &[u8],
        record: u64,
        column: usize,
        batch: &mut Batch,
    ) -> Option<u32> {
        if let Some(packed) = packed {
            let next = self.last_key + 1;
            if self.seen.get(next) == Some(&packed) {
                self.last_key = next;
                return Some(next as u32);
            }
            if self.seen[self.last_key] == packed {
                return Some(self.last_key as u32);
            }
            if let Some(&key) = self.short_areas.get(&packed) {
                self.seen[key as usize] = packed;
                self.last_key = key as usize;
                return Some(key);
            }
        }
        let resolved = match self.areas.get(bytes) {
            Some(known) => known.clone(),
            None => {
                let resolved = self.resolve(bytes);
                match (packed, &resolved) {
                    (Some(packed), AreaCell::Place(key)) => {
                        self.short_areas.insert(packed, *key);
                        self.seen[*key as usize] = packed;
                        self.last_key = *key as usize;
                    }
                    _ => {
                        self.areas.insert(bytes.to_vec(), resolved.clone());
                    }
                }
                resolved
            }
        };
        match resolved {
            AreaCell::Place(key) => Some(key),
            AreaCell::Problem(kind) => {
                let value = text(bytes, self.rules.encoding);
                let value = match kind {
                    ProblemKind::UnknownArea | ProblemKind::AmbiguousArea(_) => {
                        trim_cell(&value).to_owned()
                    }
                    _ => value,
                };
                batch.push_problem(Problem {
                    record,
                    column,
                    kind,
                    value,
                });
                None
            }
        }
    }

    fn resolve(&self, bytes: &[u8]) -> AreaCell {
        let Some(text) = decode(bytes, self.rules.encoding) else {
            return AreaCell::Problem(ProblemKind::Encoding);
        };
        resolve_area(&text, self.rules.scenario)
    }

    /// A count cell as persons, or a problem.
    pub(crate) fn persons(
        &mut self,
        bytes: &[u8],
        record: u64,
        column: usize,
        batch: &mut Batch,
    ) -> Option<f64> {
        // The common case: plain digits, up to the largest count (larger ones are refused
        // below, with the value).
        if let Some(whole) = crate::cell::short_digits(bytes) {
            // Up to 8 digits: below MAX_PERSONS.
            return Some(whole as f64);
        }
        if !bytes.is_empty() && bytes.len() <= 15 && bytes.iter().all(u8::is_ascii_digit) {
            let whole = bytes.iter().fold(0u64, |n, b| n * 10 + u64::from(b - b'0')) as f64;
            if whole <= MAX_PERSONS {
                return Some(whole);
            }
        }
        let result = match std::str::from_utf8(bytes) {
            Ok(text) => persons(text, self.rules.numbers),
            Err(_) => match decode(bytes, self.rules.encoding) {
                Some(text) => persons(&text, self.rules.numbers),
                None => {
                    batch.push_problem(Problem {
                        record,
                        column,
                        kind: ProblemKind::Encoding,
                        value: String::new(),
                    });
                    return None;
                }
            },
        };
        match result {
            Ok(value) => Some(value),
            Err(not) => {
                batch.push_problem(Problem {
                    record,
                    column,
                    kind: match not {
                        NotPersons::Parse => ProblemKind::ParseNumber,
                        NotPersons::Ambiguous => ProblemKind::AmbiguousNumber,
                        NotPersons::Negative => ProblemKind::Negative,
                        NotPersons::TooLarge => ProblemKind::TooLarge,
                    },
                    value: text(bytes, self.rules.encoding),
                });
                None
            }
        }
    }
}

/// An area cell (text) as a place's key, or the problem with it, by the scenario's resolver.
fn resolve_area(text: &str, scenario: &Scenario) -> AreaCell {
    if trim_cell(text).is_empty() {
        return AreaCell::Problem(ProblemKind::EmptyArea);
    }
    match scenario.resolver().resolve(text) {
        Resolution::Area(i) => AreaCell::Place(i as u32),
        Resolution::Region => AreaCell::Place(scenario.areas().len() as u32),
        Resolution::Unknown => AreaCell::Problem(ProblemKind::UnknownArea),
        Resolution::Ambiguous(positions) => AreaCell::Problem(ProblemKind::AmbiguousArea(
            positions
                .iter()
                .map(|&i| scenario.areas()[i].code.to_string())
                .collect(),
        )),
    }
}

/// A header cell of a wide file as a place, or the problem with it.
pub(crate) fn header_place(text: &str, scenario: &Scenario) -> Result<Place, ProblemKind> {
    match resolve_area(text, scenario) {
        AreaCell::Place(key) if key as usize == scenario.areas().len() => Ok(Place::Region),
        AreaCell::Place(key) => Ok(Place::Area(key as usize)),
        AreaCell::Problem(kind) => Err(kind),
    }
}

/// The key of a place in a day's row.
pub(crate) fn key_of(place: Place, scenario: &Scenario) -> u32 {
    match place {
        Place::Area(i) => i as u32,
        Place::Region => scenario.areas().len() as u32,
    }
}

/// The place of a key.
pub(crate) fn place_of(key: u32, scenario: &Scenario) -> Place {
    if key as usize == scenario.areas().len() {
        Place::Region
    } else {
        Place::Area(key as usize)
    }
}

/// Whether a count cell is the `-1` marker of a suppressed cell
/// ([`deltid_model::SUPPRESSED_MARKERS`]).
pub(crate) fn is_marker(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    deltid_model::SUPPRESSED_MARKERS.contains(&trim_cell(&text))
}

/// A cell's text for a message (lossy where it does not decode).
fn text(bytes: &[u8], encoding: Encoding) -> String {
    decode(bytes, encoding).map_or_else(
        || String::from_utf8_lossy(bytes).into_owned(),
        |t| t.into_owned(),
    )
}

/// Whether a cell is empty once trimmed by the one rule ([`trim_cell`]).
#[inline]
pub(crate) fn is_blank(bytes: &[u8], encoding: Encoding) -> bool {
    // The ASCII white space of the rule: tab, line feed, vertical tab, form feed, return, space.
    if bytes.iter().all(|b| matches!(b, b'\t'..=b'\r' | b' ')) {
        return true;
    }
    if bytes.is_ascii() {
        return false;
    }
    decode(bytes, encoding).is_some_and(|t| trim_cell(&t).is_empty())
}

#[cfg(test)]
mod tests {
    use super::pack;

    #[test]
    fn cells_pack_as_their_length_then_their_bytes() {
        // The layout written out: the length in 4 little-endian bytes, the bytes, zeros.
        let reference = |bytes: &[u8]| {
            let mut packed = [0u8; 16];
            packed[..4].copy_from_slice(&(bytes.len() as u32).to_le_bytes());
            packed[4..4 + bytes.len()].copy_from_slice(bytes);
            u128::from_le_bytes(packed)
        };
        let text = b"2019-09-01,\xff\x00K-3043 \xc3\x85l";
        for n in 0..=12 {
            for start in 0..=text.len() - n {
                let cell = &text[start..start + n];
                assert_eq!(pack(cell), Some(reference(cell)), "{cell:?}");
            }
        }
        assert_eq!(pack(b"1234567890123"), None);
        // The same bytes of another length pack differently.
        assert_ne!(pack(b"12"), pack(b"12\0"));
    }
}
