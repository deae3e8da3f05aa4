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
//! a comma-separated UTF-8 CSV file with a header row and ISO dates (`yyyy-mm-dd`), one record
//! per line, or a Parquet file; area codes as the scenario writes them. Errors name the line
//! (CSV, header = line 1) or row (Parquet), the column and the value, as
//! [`Counts::read`](crate::Counts::read) does; up to [`MAX_REPORTED`] are listed.
//! Not here: the wide shape, other dialects, spreadsheets, area names or old codes, and a
//! scenario's own region count (`region_code`).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use polars::prelude::*;

use crate::columns::{AREA, DATE, FOREIGN, OBSERVED, ORDER, ROW};
use crate::counts::{CountsColumns, MAX_REPORTED};
use crate::deduction::{Deduction, DeductionSource};
use crate::error::{Error, Result};
use crate::estimate::{LINES, Selection, daily, needs_share};
use crate::read::{MAX_PERSONS, from_epoch_days};
use crate::scenario::Scenario;
use crate::source::Location;
use crate::summary::{ByDay, Sum, Summary, Tally};

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
/// `counts` is a CSV or Parquet file of long counts (see the [module docs](self)); `columns`
/// names its columns; `selection` picks days and areas as for
/// [`estimate()`](crate::estimate()). `progress` is called from the reading threads as
/// batches are done (from a thread of its own, every 200 ms). Memory: per area, its running totals and one bit per day of its span;
/// per day of the span, the region's sums; per negative day, its date.
///
/// # Errors
/// [`Error::ReadFile`] or [`Error::ReadSheet`] if the file cannot be read;
/// [`Error::MissingColumn`]; per value [`Error::ParseDate`], [`Error::ParseNumber`],
/// [`Error::NegativeNumber`], [`Error::TooLarge`], [`Error::ForeignAboveCount`],
/// [`Error::UnknownArea`], [`Error::RepeatedDay`] (several as [`Error::Many`]);
/// [`Error::MissingDeductionDate`]; [`Error::InvalidSelection`] for an area not in the
/// scenario or a scenario with a `region_code`; [`Error::EmptySelection`].
///
/// # Examples
/// ```
/// use deltid::{Counts, CountsColumns, Scenario, Selection, Summary, estimate, stream};
/// let scenario = Scenario::from_path("../../data/hallingdal/plan-2021.toml")?;
/// let path = scenario.counts().unwrap();
/// let streamed = stream::summarise(
///     &scenario,
///     path,
///     &CountsColumns::default(),
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
    columns: &CountsColumns,
    selection: &Selection,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Summary> {
    if scenario.region_code().is_some() {
        return Err(Error::InvalidSelection {
            reason: format!(
                "{} names a region_code (the region's own count): the streaming path does not \
                 take it; leave --stream off",
                scenario.path().display()
            ),
        });
    }
    let selected = selected_keys(scenario, selection)?;
    let parquet = is_parquet(counts);
    let scan = scan(counts, columns, parquet)?.filter(selection.period.expr());
    if needs_day_totals(scenario) {
        progress(Progress::DayTotals);
    }
    let model = daily(scenario, scan, Engine::Streaming).map_err(|e| match e {
        Error::Polars { source } => read_error(counts, columns, parquet, source),
        other => other,
    })?;
    let model = model.select(
        [col(ROW), col(AREA), col(ORDER), col(DATE)]
            .into_iter()
            .chain(LINES.iter().map(|l| col(*l)))
            .chain([col(FOREIGN)])
            .collect::<Vec<_>>(),
    );

    let state = Arc::new(Mutex::new(State::new(
        scenario, counts, columns, parquet, selected,
    )));
    let rows = Arc::new(AtomicU64::new(0));
    let (shared, counted) = (Arc::clone(&state), Arc::clone(&rows));
    let sink = model.sink_batches(
        PlanCallback::new(move |batch: DataFrame| {
            let mut state = shared.lock().unwrap_or_else(PoisonError::into_inner);
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
    let run = std::thread::scope(|scope| {
        let rows = &rows;
        scope.spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = finished.recv_timeout(REPORT_EVERY) {
                progress(Progress::Rows(rows.load(Ordering::Relaxed)));
            }
        });
        let result = sink.collect_with_engine(Engine::Streaming);
        drop(done);
        result
    });
    run.map_err(|e| read_error(counts, columns, parquet, e))?;
    progress(Progress::Rows(rows.load(Ordering::Relaxed)));
    let state = Arc::try_unwrap(state)
        .map_err(|_| PolarsError::ComputeError("the streaming sink outlived its run".into()))?
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    state.finish(scenario, selection)
}

/// The areas to report, as a key per scenario area (`None`: not selected).
fn selected_keys(scenario: &Scenario, selection: &Selection) -> Result<Vec<Option<usize>>> {
    for area in &selection.areas {
        if scenario.area(area).is_none() {
            return Err(Error::InvalidSelection {
                reason: format!("area {:?} is not in the scenario", area.as_str()),
            });
        }
    }
    let mut next = 0;
    Ok(scenario
        .areas()
        .iter()
        .map(|a| {
            (selection.areas.is_empty() || selection.areas.contains(&a.code)).then(|| {
                next += 1;
                next - 1
            })
        })
        .collect())
}

/// Whether the model needs per-day totals first (region-level deductions by present share).
fn needs_day_totals(scenario: &Scenario) -> bool {
    scenario.allocation() == crate::scenario::Allocation::PresentShare && needs_share(scenario)
}

fn is_parquet(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// The counts file as a lazy scan with [`ROW`], [`DATE`], [`AREA`], [`OBSERVED`] and
/// [`FOREIGN`] (0 without a foreign column).
fn scan(path: &Path, columns: &CountsColumns, parquet: bool) -> Result<LazyFrame> {
    let read_file = |source: std::io::Error| Error::ReadFile {
        path: path.to_owned(),
        source,
    };
    std::fs::metadata(path).map_err(read_file)?;
    let text = path.to_string_lossy().into_owned();
    let row_index = Some(RowIndex {
        name: ROW.into(),
        offset: 0,
    });
    let mut wanted = vec![&columns.date, &columns.area, &columns.count];
    wanted.extend(&columns.foreign);
    if !parquet {
        let mut reader =
            csv::ReaderBuilder::new()
                .from_path(path)
                .map_err(|e| Error::ReadSheet {
                    path: path.to_owned(),
                    message: e.to_string(),
                })?;
        let header = reader.headers().map_err(|e| Error::ReadSheet {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        let found: Vec<String> = header.iter().map(str::to_owned).collect();
        if let Some(missing) = wanted.iter().find(|w| !found.contains(w)) {
            return Err(Error::MissingColumn {
                path: path.to_owned(),
                column: (*missing).clone(),
                found,
            });
        }
    }
    let frame = if parquet {
        let args = ScanArgsParquet {
            row_index,
            ..ScanArgsParquet::default()
        };
        LazyFrame::scan_parquet(PlRefPath::new(text.as_str()), args)?
    } else {
        let mut types = Schema::default();
        types.insert(columns.date.as_str().into(), DataType::Date);
        types.insert(columns.area.as_str().into(), DataType::String);
        types.insert(columns.count.as_str().into(), DataType::Float64);
        if let Some(foreign) = &columns.foreign {
            types.insert(foreign.as_str().into(), DataType::Float64);
        }
        LazyCsvReader::new(PlRefPath::new(text.as_str()))
            .with_has_header(true)
            .with_dtype_overwrite(Some(Arc::new(types)))
            .with_row_index(row_index)
            .finish()?
    };
    let mut frame = frame;
    let schema = frame
        .collect_schema()
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
    let foreign = match &columns.foreign {
        Some(name) => col(name.as_str()).cast(DataType::Float64),
        None => lit(0.0),
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
    ]))
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

/// The bad dates and numbers of a CSV counts file, with their lines: `None` if there are none
/// (or the file cannot be read as CSV).
fn locate_bad_values(path: &Path, columns: &CountsColumns) -> Option<Error> {
    let mut reader = csv::ReaderBuilder::new().from_path(path).ok()?;
    let header = reader.headers().ok()?.clone();
    let at = |name: &str| header.iter().position(|h| h == name);
    let date = at(&columns.date)?;
    let mut numbers = vec![(at(&columns.count)?, &columns.count)];
    if let Some(foreign) = &columns.foreign {
        numbers.push((at(foreign)?, foreign));
    }
    let mut problems = Problems::new(path);
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).ok()? {
        let line = record.position().map_or(0, |p| p.line());
        let cell = |i: usize| record.get(i).unwrap_or("").to_owned();
        if chrono::NaiveDate::parse_from_str(&cell(date), "%Y-%m-%d").is_err() {
            problems.push(Error::ParseDate {
                path: path.to_owned(),
                expected: "yyyy-mm-dd".to_owned(),
                at: Location::Line(line),
                column: columns.date.clone(),
                value: cell(date),
            });
        }
        for (i, name) in &numbers {
            if cell(*i).trim().parse::<f64>().is_err() {
                problems.push(Error::ParseNumber {
                    path: path.to_owned(),
                    at: Location::Line(line),
                    column: (*name).clone(),
                    value: cell(*i),
                });
            }
        }
    }
    problems.into_error()
}

/// Bad values found, up to [`MAX_REPORTED`].
struct Problems {
    path: PathBuf,
    errors: Vec<Error>,
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

    fn push(&mut self, error: Error) {
        if self.errors.len() < MAX_REPORTED {
            self.errors.push(error);
        } else {
            self.more += 1;
        }
    }

    fn into_error(mut self) -> Option<Error> {
        match self.errors.len() {
            0 => None,
            1 if self.more == 0 => Some(self.errors.remove(0)),
            _ => Some(Error::Many {
                path: self.path,
                errors: self.errors,
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

/// A batch's columns as slices, when every value is present and in range.
struct Clean<'a> {
    rows: &'a [u32],
    order: &'a [u32],
    dates: &'a [i32],
    lines: [&'a [f64]; 8],
    foreign: &'a [f64],
}

impl<'a> Clean<'a> {
    /// The batch's columns, or `None` if some value is missing or out of range (the batch is
    /// then checked row by row). `foreign` tells whether the counts have a foreign column.
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

/// The area of row `i` of a batch, for a message.
fn area_at(batch: &DataFrame, i: usize) -> String {
    batch
        .column(AREA)
        .ok()
        .and_then(|c| c.str().ok().and_then(|s| s.get(i).map(str::to_owned)))
        .unwrap_or_default()
}

/// What the sink keeps between batches.
struct State {
    path: PathBuf,
    scenario: PathBuf,
    columns: CountsColumns,
    parquet: bool,
    /// Per scenario area, its key among the selected areas.
    selected: Vec<Option<usize>>,
    known: Vec<String>,
    /// For each of the eight lines that is a deduction from a table, the table's path.
    tables: [Option<(PathBuf, bool)>; 8],
    areas: Tally,
    region: ByDay<RegionDay>,
    /// Bad rows. Where an area's day was first seen is not kept (memory): a repeated day
    /// names the later row.
    problems: Problems,
}

impl State {
    fn new(
        scenario: &Scenario,
        path: &Path,
        columns: &CountsColumns,
        parquet: bool,
        selected: Vec<Option<usize>>,
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
        let keys = selected.iter().flatten().count();
        State {
            path: path.to_owned(),
            scenario: scenario.path().to_owned(),
            columns: columns.clone(),
            parquet,
            selected,
            known,
            tables,
            areas: Tally::new(keys),
            region: ByDay::default(),
            problems: Problems::new(path),
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
            let Some(key) = self.selected[clean.order[i] as usize] else {
                continue;
            };
            let day = clean.dates[i];
            let values = std::array::from_fn(|l| clean.lines[l][i]);
            self.add(key, day, &values, clean.foreign[i], || {
                (clean.rows[i], area_at(batch, i))
            });
        }
    }

    /// Adds one area-day to the totals, or a [`Error::RepeatedDay`] if the area has the day;
    /// `row_area` gives the file row and the area for the error.
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
            self.problems.push(Error::RepeatedDay {
                path: self.path.clone(),
                at: self.at(row),
                area,
                date: from_epoch_days(day).to_string(),
            });
            return;
        }
        let region = self.region.get_mut(day);
        for (sum, v) in region.lines.iter_mut().zip(values) {
            sum.add(*v);
        }
        region.foreign.add(foreign);
        region.areas += 1;
    }

    /// Checks every row of a batch that has a bad or missing value somewhere, and totals the
    /// good rows.
    fn take_checked(&mut self, batch: &DataFrame) -> PolarsResult<()> {
        let rows = batch.column(ROW)?.cast(&DataType::UInt32)?;
        let rows = rows.u32()?;
        let areas = batch.column(AREA)?.str()?;
        let order = batch.column(ORDER)?.u32()?;
        let dates = batch.column(DATE)?.cast(&DataType::Int32)?;
        let dates = dates.i32()?;
        let foreign = batch.column(FOREIGN)?.f64()?;
        let lines = LINES
            .iter()
            .map(|l| batch.column(l)?.f64().cloned())
            .collect::<PolarsResult<Vec<_>>>()?;
        // The first line is the count as read.
        let observed = &lines[0];
        for i in 0..batch.height() {
            let row = rows.get(i).unwrap_or(0);
            if let Some(bad) = self.check(
                row,
                areas.get(i),
                order.get(i),
                dates.get(i),
                observed.get(i),
                foreign.get(i),
            ) {
                self.problems.push(bad);
                continue;
            }
            let (Some(index), Some(day)) = (order.get(i), dates.get(i)) else {
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
                let (path, per_area) = self.tables[l].clone().unwrap_or_default();
                self.problems.push(Error::MissingDeductionDate {
                    path,
                    deduction: LINES[l].to_owned(),
                    date: from_epoch_days(day).to_string(),
                    area: per_area.then(|| areas.get(i).unwrap_or("").to_owned()),
                });
                continue;
            }
            let Some(key) = self.selected.get(index as usize).copied().flatten() else {
                continue;
            };
            let foreign = foreign.get(i).unwrap_or(0.0);
            self.add(key, day, &values, foreign, || {
                (row, areas.get(i).unwrap_or("").to_owned())
            });
        }
        Ok(())
    }

    /// The first thing wrong with a row's values, if any.
    fn check(
        &self,
        row: u32,
        area: Option<&str>,
        order: Option<u32>,
        date: Option<i32>,
        observed: Option<f64>,
        foreign: Option<f64>,
    ) -> Option<Error> {
        let at = || self.at(row);
        let path = || self.path.clone();
        let Some(area) = area.filter(|a| !a.is_empty()) else {
            return Some(Error::EmptyArea {
                path: path(),
                at: at(),
                column: self.columns.area.clone(),
            });
        };
        if date.is_none() {
            return Some(Error::ParseDate {
                path: path(),
                expected: "yyyy-mm-dd".to_owned(),
                at: at(),
                column: self.columns.date.clone(),
                value: String::new(),
            });
        }
        if order.is_none() {
            return Some(Error::UnknownArea {
                path: path(),
                at: at(),
                area: area.to_owned(),
                scenario: self.scenario.clone(),
                known: self.known.clone(),
            });
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
            if v.is_nan() || v < 0.0 {
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
        if let Some(bad) = number(observed, &self.columns.count) {
            return Some(bad);
        }
        if let Some(name) = &self.columns.foreign {
            if let Some(bad) = number(foreign, name) {
                return Some(bad);
            }
            let (f, c) = (foreign.unwrap_or(0.0), observed.unwrap_or(0.0));
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

    /// The summary, once every batch is in.
    fn finish(self, scenario: &Scenario, selection: &Selection) -> Result<Summary> {
        if let Some(error) = self.problems.into_error() {
            return Err(error);
        }
        let wanted = self.selected.iter().flatten().count() as u32;
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
        let labels: Vec<(String, String)> = scenario
            .areas()
            .iter()
            .zip(&self.selected)
            .filter(|(_, key)| key.is_some())
            .map(|(a, _)| (a.code.to_string(), a.name.clone()))
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
