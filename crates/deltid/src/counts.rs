//! Reading and checking daily counts of persons present per area.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::Read;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::area::AreaCode;
use crate::columns;
use crate::error::{Error, Result};
use crate::read::{
    column_index, csv_error, epoch_days, header, open_csv, parse_date, parse_persons,
};

/// Names of the three columns of a long-format counts file.
///
/// Defaults: `date`, `area`, `count`. Other columns in the file are ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountsColumns {
    /// Column holding the date, ISO 8601 (`yyyy-mm-dd`).
    pub date: String,
    /// Column holding the area code (kept as a string).
    pub area: String,
    /// Column holding the count of persons present (non-negative, fractions allowed).
    pub count: String,
}

impl Default for CountsColumns {
    fn default() -> Self {
        CountsColumns {
            date: "date".to_owned(),
            area: "area".to_owned(),
            count: "count".to_owned(),
        }
    }
}

/// Daily counts of persons present per area, read and checked.
///
/// One row per date and area; every date parsed, every count finite and non-negative, no
/// (date, area) pair twice, at least one row. The frame has the columns
/// [`columns::DATE`] (polars `Date`), [`columns::AREA`] (string) and [`columns::OBSERVED`]
/// (`f64`, persons).
#[derive(Clone, Debug)]
pub struct Counts {
    path: PathBuf,
    frame: DataFrame,
    first_lines: Vec<(AreaCode, u64)>,
}

impl Counts {
    /// Reads a long-format CSV file (comma-separated, UTF-8, header row) of daily counts.
    ///
    /// # Errors
    /// [`Error::ReadFile`] if the file cannot be opened; [`Error::MissingColumn`] if a named
    /// column is absent; [`Error::ReadCsv`] for a malformed record; [`Error::ParseDate`],
    /// [`Error::ParseNumber`], [`Error::NegativeNumber`], [`Error::EmptyArea`] for a bad field;
    /// [`Error::DuplicateRow`] for a second row with the same date and area;
    /// [`Error::EmptyInput`] if there are no data rows. Each names the file, line and value.
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
        let path = path.as_ref();
        Counts::from_csv_reader(open_csv(path)?, path, columns)
    }

    /// Reads counts from any CSV reader; `path` names the source in errors.
    ///
    /// # Errors
    /// As [`Counts::read_csv`].
    pub fn from_csv_reader<R: Read>(
        mut reader: csv::Reader<R>,
        path: &Path,
        columns: &CountsColumns,
    ) -> Result<Counts> {
        let header = header(&mut reader, path)?;
        let date_at = column_index(&header, &columns.date, path)?;
        let area_at = column_index(&header, &columns.area, path)?;
        let count_at = column_index(&header, &columns.count, path)?;

        let mut dates: Vec<i32> = Vec::new();
        let mut areas: Vec<String> = Vec::new();
        let mut observed: Vec<f64> = Vec::new();
        // First line of each area, in order of appearance, and of each (date, area) pair.
        let mut area_ids: HashMap<String, usize> = HashMap::new();
        let mut first_lines: Vec<(AreaCode, u64)> = Vec::new();
        let mut seen: HashMap<(i32, usize), u64> = HashMap::new();

        let mut record = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(source) => return Err(csv_error(path, source)),
            }
            let line = record.position().map_or(0, |p| p.line());
            let field = |at: usize| record.get(at).unwrap_or("");
            let date = parse_date(field(date_at), path, line, &columns.date)?;
            let area = field(area_at).trim();
            if area.is_empty() {
                return Err(Error::EmptyArea {
                    path: path.to_owned(),
                    line,
                    column: columns.area.clone(),
                });
            }
            let count = parse_persons(field(count_at), path, line, &columns.count)?;

            let next_id = area_ids.len();
            let area_id = *area_ids.entry(area.to_owned()).or_insert_with(|| {
                first_lines.push((AreaCode::new(area), line));
                next_id
            });
            let day = epoch_days(date);
            match seen.entry((day, area_id)) {
                Entry::Occupied(first) => {
                    return Err(Error::DuplicateRow {
                        path: path.to_owned(),
                        line,
                        first_line: *first.get(),
                        area: area.to_owned(),
                        date: date.to_string(),
                    });
                }
                Entry::Vacant(slot) => {
                    slot.insert(line);
                }
            }
            dates.push(day);
            areas.push(area.to_owned());
            observed.push(count);
        }
        if dates.is_empty() {
            return Err(Error::EmptyInput {
                path: path.to_owned(),
            });
        }
        let frame = DataFrame::new_infer_height(vec![
            Column::new(columns::DATE.into(), dates).cast(&DataType::Date)?,
            Column::new(columns::AREA.into(), areas),
            Column::new(columns::OBSERVED.into(), observed),
        ])?;
        Ok(Counts {
            path: path.to_owned(),
            frame,
            first_lines,
        })
    }

    /// Counts from a checked frame (used by the synthetic generator).
    pub(crate) fn from_parts(
        path: &Path,
        frame: DataFrame,
        first_lines: Vec<(AreaCode, u64)>,
    ) -> Counts {
        Counts {
            path: path.to_owned(),
            frame,
            first_lines,
        }
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

    /// The areas in the counts, in order of first appearance, each with the line it first
    /// appears on.
    pub fn areas(&self) -> &[(AreaCode, u64)] {
        &self.first_lines
    }

    /// The counts as a lazy frame: `date` (Date), `area` (String), `observed` (f64, persons).
    pub fn lazy(&self) -> LazyFrame {
        self.frame.clone().lazy()
    }
}
