//! Reading and checking daily counts of persons present per area.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::area::{AreaCode, AreaResolver, Resolution};
use crate::columns;
use crate::error::{Error, Result};
use crate::read::{
    DateFormat, DateParser, NumberStyle, column_index, epoch_days, parse_number, parse_persons,
};
use crate::source::{Location, SourceOptions, Table};

/// Names of the columns of a counts file.
///
/// Defaults: `date`, `area`, `count`, and no SIM-origin split. Other columns in the file are
/// ignored. In the wide shape only `date` is used: every other column is an area.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountsColumns {
    /// Column holding the date.
    pub date: String,
    /// Column holding the area code or name (kept as a string).
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

/// How many bad values one read reports before it stops listing them.
pub const MAX_REPORTED: usize = 20;

/// Daily counts of persons present per area, read and checked.
///
/// One row per date and area; every date parsed, every count finite and non-negative, no
/// (date, area) pair twice, at least one row. The frame has the columns
/// [`columns::DATE`] (polars `Date`), [`columns::AREA`] (string), [`columns::OBSERVED`]
/// (`f64`, persons: all SIMs) and [`columns::FOREIGN`] (`f64`, the foreign SIMs among them; 0
/// without a SIM-origin split). Rows of the scenario's `region_code` are the region's own count.
#[derive(Clone, Debug)]
pub struct Counts {
    path: PathBuf,
    frame: DataFrame,
    first_seen: Vec<(AreaCode, Location)>,
}

/// A count on its way in: date (days since 1970), area, persons, and where it was.
struct Row {
    day: i32,
    area: AreaCode,
    persons: f64,
    foreign: f64,
    at: Location,
}

/// Collects bad values, up to [`MAX_REPORTED`].
struct Problems {
    path: PathBuf,
    errors: Vec<Error>,
    more: usize,
}

impl Problems {
    fn push(&mut self, error: Error) {
        if self.errors.len() < MAX_REPORTED {
            self.errors.push(error);
        } else {
            self.more += 1;
        }
    }

    fn into_result(mut self) -> Result<()> {
        match self.errors.len() {
            0 => Ok(()),
            1 if self.more == 0 => Err(self.errors.remove(0)),
            _ => Err(Error::Many {
                path: self.path,
                errors: self.errors,
                more: self.more,
            }),
        }
    }
}

impl Counts {
    /// Reads a long-format CSV file (comma-separated, UTF-8, header row, ISO dates) of daily
    /// counts, codes as written. [`Counts::read`] reads every other kind of file.
    ///
    /// # Errors
    /// As [`Counts::read`].
    ///
    /// # Examples
    /// ```
    /// use deltid::{Counts, CountsColumns};
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("counts.csv");
    /// std::fs::write(&path, "date,area,count\n2020-01-01,3324,1200\n2020-01-01,3326,900.5\n")?;
    /// let counts = Counts::read_csv(&path, &CountsColumns::default())?;
    /// assert_eq!(counts.len(), 2);
    ///
    /// std::fs::write(&path, "date,area,count\n2020-01-01,3324,-5\n")?;
    /// let err = Counts::read_csv(&path, &CountsColumns::default()).unwrap_err();
    /// assert!(err.to_string().contains("line 2"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_csv(path: impl AsRef<Path>, columns: &CountsColumns) -> Result<Counts> {
        let options = CountsOptions {
            columns: columns.clone(),
            ..CountsOptions::default()
        };
        Counts::read(path, &options, None)
    }

    /// Reads counts from CSV (any of `,` `;` tab; UTF-8 or Windows-1252), a spreadsheet
    /// (`.xlsx`, `.xls`, `.ods`) or Parquet, long or wide, with area cells resolved to the
    /// scenario's codes when a resolver is given (codes are kept as written otherwise).
    ///
    /// # Errors
    /// [`Error::ReadFile`], [`Error::ReadCsv`], [`Error::ReadSheet`], [`Error::Encoding`] if
    /// the file cannot be read; [`Error::MissingColumn`] or [`Error::DuplicateColumn`] for the
    /// header; [`Error::AmbiguousDates`]; for bad values [`Error::ParseDate`],
    /// [`Error::ParseNumber`], [`Error::AmbiguousNumber`], [`Error::NegativeNumber`],
    /// [`Error::TooLarge`], [`Error::ForeignAboveCount`], [`Error::EmptyArea`], [`Error::UnknownArea`],
    /// [`Error::AmbiguousArea`], [`Error::DuplicateRow`] (several at once as [`Error::Many`],
    /// up to [`MAX_REPORTED`]); [`Error::EmptyInput`] if there are no data rows.
    pub fn read(
        path: impl AsRef<Path>,
        options: &CountsOptions,
        areas: Option<&AreaResolver>,
    ) -> Result<Counts> {
        let path = path.as_ref();
        let table = Table::read(path, &options.source, &options.columns.date)?;
        let columns = &options.columns;
        let date_at = column_index(&table.header, &columns.date, path)?;
        let long = match options.shape {
            Shape::Long => true,
            Shape::Wide => false,
            Shape::Auto => {
                columns.foreign.is_some()
                    || table.header.contains(&columns.area)
                    || table.header.contains(&columns.count)
            }
        };
        let dates = DateParser::choose(
            &options.dates,
            table
                .records
                .iter()
                .map(|r| r.cell(date_at))
                .filter(|c| !c.trim().is_empty()),
        )
        .map_err(|example| Error::AmbiguousDates {
            path: path.to_owned(),
            column: columns.date.clone(),
            example,
        })?;

        let mut problems = Problems {
            path: path.to_owned(),
            errors: Vec::new(),
            more: 0,
        };
        let mut resolved: HashMap<String, Option<AreaCode>, PlRandomState> = HashMap::default();
        let mut resolve = |raw: &str, at: &Location, problems: &mut Problems| {
            if let Some(known) = resolved.get(raw) {
                return known.clone();
            }
            let code = match areas.map(|r| (r, r.resolve(raw))) {
                None => Some(AreaCode::new(raw)),
                Some((_, Resolution::Known(code))) => Some(code),
                Some((resolver, Resolution::Unknown)) => {
                    problems.push(Error::UnknownArea {
                        path: path.to_owned(),
                        at: at.clone(),
                        area: raw.to_owned(),
                        scenario: resolver.scenario().to_owned(),
                        known: resolver.codes(),
                    });
                    None
                }
                Some((_, Resolution::Ambiguous(codes))) => {
                    problems.push(Error::AmbiguousArea {
                        path: path.to_owned(),
                        at: at.clone(),
                        name: raw.to_owned(),
                        codes: codes.iter().map(ToString::to_string).collect(),
                    });
                    None
                }
            };
            resolved.insert(raw.to_owned(), code.clone());
            code
        };

        let mut rows: Vec<Row> = Vec::with_capacity(table.records.len());
        let date_of = |text: &str, at: &Location, problems: &mut Problems| {
            let date = dates.parse(text);
            if date.is_none() {
                problems.push(Error::ParseDate {
                    path: path.to_owned(),
                    expected: dates.name().to_owned(),
                    at: at.clone(),
                    column: columns.date.clone(),
                    value: text.to_owned(),
                });
            }
            date.map(epoch_days)
        };
        let persons_of = |text: &str, at: &Location, column: &str, problems: &mut Problems| {
            if ambiguous_number(text, options.numbers) {
                problems.push(Error::AmbiguousNumber {
                    path: path.to_owned(),
                    at: at.clone(),
                    column: column.to_owned(),
                    value: text.to_owned(),
                });
                return None;
            }
            parse_persons(text, options.numbers, path, at, column)
                .map_err(|e| problems.push(e))
                .ok()
        };

        if long {
            let area_at = column_index(&table.header, &columns.area, path)?;
            let count_at = column_index(&table.header, &columns.count, path)?;
            let foreign_at = columns
                .foreign
                .as_ref()
                .map(|name| column_index(&table.header, name, path).map(|at| (name, at)))
                .transpose()?;
            for record in &table.records {
                if let Some(extra) = extra_fields(path, &table, record) {
                    problems.push(extra);
                    continue;
                }
                let day = date_of(
                    record.cell(date_at),
                    &table.locate(record, date_at),
                    &mut problems,
                );
                let area_text = record.cell(area_at).trim();
                let area_loc = table.locate(record, area_at);
                let area = if area_text.is_empty() {
                    problems.push(Error::EmptyArea {
                        path: path.to_owned(),
                        at: area_loc,
                        column: columns.area.clone(),
                    });
                    None
                } else {
                    resolve(area_text, &area_loc, &mut problems)
                };
                let count_loc = table.locate(record, count_at);
                let persons = persons_of(
                    record.cell(count_at),
                    &count_loc,
                    &columns.count,
                    &mut problems,
                );
                let foreign = match foreign_at {
                    None => Some(0.0),
                    Some((name, at)) => {
                        let loc = table.locate(record, at);
                        let foreign = persons_of(record.cell(at), &loc, name, &mut problems);
                        match (foreign, persons) {
                            (Some(f), Some(count)) if f > count => {
                                problems.push(Error::ForeignAboveCount {
                                    path: path.to_owned(),
                                    at: loc,
                                    column: name.clone(),
                                    foreign: f,
                                    count,
                                });
                                None
                            }
                            _ => foreign,
                        }
                    }
                };
                if let (Some(day), Some(area), Some(persons), Some(foreign)) =
                    (day, area, persons, foreign)
                {
                    rows.push(Row {
                        day,
                        area,
                        persons,
                        foreign,
                        at: table.locate_record(record),
                    });
                }
            }
        } else {
            let area_columns: Vec<(usize, Option<AreaCode>)> = (0..table.header.len())
                .filter(|&c| c != date_at && !table.header[c].is_empty())
                .map(|c| {
                    (
                        c,
                        resolve(&table.header[c], &table.locate_header(c), &mut problems),
                    )
                })
                .collect();
            for record in &table.records {
                if let Some(extra) = extra_fields(path, &table, record) {
                    problems.push(extra);
                    continue;
                }
                let day = date_of(
                    record.cell(date_at),
                    &table.locate(record, date_at),
                    &mut problems,
                );
                for (column, area) in &area_columns {
                    let text = record.cell(*column);
                    if text.trim().is_empty() {
                        continue;
                    }
                    let at = table.locate(record, *column);
                    let persons = persons_of(text, &at, &table.header[*column], &mut problems);
                    if let (Some(day), Some(area), Some(persons)) = (day, area, persons) {
                        rows.push(Row {
                            day,
                            area: area.clone(),
                            persons,
                            foreign: 0.0,
                            at,
                        });
                    }
                }
            }
        }

        // Each (date, area) once, after codes are resolved (`301` and `0301` are one area).
        // polars' fast hash: one lookup per row of a file that may have millions.
        let mut seen: HashMap<(i32, AreaCode), Location, PlRandomState> = HashMap::default();
        let mut first_seen: Vec<(AreaCode, Location)> = Vec::new();
        let mut known: std::collections::HashSet<&AreaCode, PlRandomState> =
            std::collections::HashSet::default();
        for row in &rows {
            if known.insert(&row.area) {
                first_seen.push((row.area.clone(), row.at.clone()));
            }
            match seen.entry((row.day, row.area.clone())) {
                Entry::Occupied(first) => problems.push(Error::DuplicateRow {
                    path: path.to_owned(),
                    at: row.at.clone(),
                    first: first.get().clone(),
                    area: row.area.to_string(),
                    date: crate::read::from_epoch_days(row.day).to_string(),
                }),
                Entry::Vacant(slot) => {
                    slot.insert(row.at.clone());
                }
            }
        }
        problems.into_result()?;
        if rows.is_empty() {
            return Err(Error::EmptyInput {
                path: path.to_owned(),
            });
        }
        let frame = DataFrame::new_infer_height(vec![
            Column::new(
                columns::DATE.into(),
                rows.iter().map(|r| r.day).collect::<Vec<_>>(),
            )
            .cast(&DataType::Date)?,
            Column::new(
                columns::AREA.into(),
                rows.iter().map(|r| r.area.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                columns::OBSERVED.into(),
                rows.iter().map(|r| r.persons).collect::<Vec<_>>(),
            ),
            Column::new(
                columns::FOREIGN.into(),
                rows.iter().map(|r| r.foreign).collect::<Vec<_>>(),
            ),
        ])?;
        Ok(Counts {
            path: path.to_owned(),
            frame,
            first_seen,
        })
    }

    /// Counts from a checked frame (used by the synthetic generator); a frame without
    /// [`columns::FOREIGN`] gets it as 0 (no foreign SIMs).
    pub(crate) fn from_parts(
        path: &Path,
        mut frame: DataFrame,
        first_seen: Vec<(AreaCode, Location)>,
    ) -> Result<Counts> {
        if frame.column(columns::FOREIGN).is_err() {
            let zeros = Column::new(columns::FOREIGN.into(), vec![0.0; frame.height()]);
            frame.with_column(zeros)?;
        }
        Ok(Counts {
            path: path.to_owned(),
            frame,
            first_seen,
        })
    }

    /// The file the counts came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of (date, area) rows.
    pub fn len(&self) -> usize {
        self.frame.height()
    }

    /// Whether there are no rows (never true for counts that were read successfully).
    pub fn is_empty(&self) -> bool {
        self.frame.height() == 0
    }

    /// The areas in the counts, in order of first appearance, each with where it first
    /// appears.
    pub fn areas(&self) -> &[(AreaCode, Location)] {
        &self.first_seen
    }

    /// The counts as a lazy frame: `date` (Date), `area` (String), `observed` (f64, persons),
    /// `observed_foreign` (f64, the foreign SIMs among them).
    pub fn lazy(&self) -> LazyFrame {
        self.frame.clone().lazy()
    }
}

/// [`Error::ExtraFields`] if a CSV record has non-empty fields beyond the header's (in a
/// spreadsheet, cells far to the right are cells, not a split number).
fn extra_fields(path: &Path, table: &Table, record: &crate::source::Record) -> Option<Error> {
    if !matches!(table.locate(record, 0), Location::Line(_)) {
        return None;
    }
    let expected = table.header.len();
    let found = record.cells.len();
    (found > expected
        && record.cells[expected..]
            .iter()
            .any(|c| !c.trim().is_empty()))
    .then(|| Error::ExtraFields {
        path: path.to_owned(),
        at: table.locate(record, 0),
        found,
        expected,
    })
}

/// Whether a number reads two ways with the decimal mark undeclared: `1,234` and `1.234` are a
/// decimal to some writers and a thousand to others.
pub(crate) fn ambiguous_number(text: &str, style: NumberStyle) -> bool {
    if style.decimal.is_some() {
        return false;
    }
    let t = text.trim();
    let Some(at) = t.find([',', '.']) else {
        return false;
    };
    let (whole, fraction) = (&t[..at], &t[at + 1..]);
    (1..=3).contains(&whole.len())
        && whole.chars().all(|c| c.is_ascii_digit())
        && fraction.len() == 3
        && fraction.chars().all(|c| c.is_ascii_digit())
        && parse_number(t, style).is_some()
}
