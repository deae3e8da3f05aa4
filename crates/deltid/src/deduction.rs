//! The four deductions of the Hallingdal method and where their figures come from.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use crate::area::AreaCode;
use crate::columns;
use crate::error::{Error, Result};
use crate::read::{column_index, csv_error, header, open_csv, parse_date, parse_persons};

/// A group of people present who are not part-time residents, deducted from present persons.
///
/// The four lines of the Hallingdal plan's table (strategic plan 2021-2024): registered
/// residents, external workforce (commuters in), transit traffic and day tourism.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Deduction {
    /// Registered residents of the area (folkeregistrerte innbyggjarar).
    Residents,
    /// External workforce: commuters in from outside the region.
    Commuters,
    /// Transit traffic passing through (gjennomgangstrafikk).
    Transit,
    /// Day visitors who do not stay the night (dagsturisme).
    DayVisitors,
}

impl Deduction {
    /// All four, in the plan's order.
    pub const ALL: [Deduction; 4] = [
        Deduction::Residents,
        Deduction::Commuters,
        Deduction::Transit,
        Deduction::DayVisitors,
    ];

    /// The key in the scenario file, which is also the column name in outputs.
    pub fn key(self) -> &'static str {
        match self {
            Deduction::Residents => columns::RESIDENTS,
            Deduction::Commuters => columns::COMMUTERS,
            Deduction::Transit => columns::TRANSIT,
            Deduction::DayVisitors => columns::DAY_VISITORS,
        }
    }

    /// The line's label in the plan's table.
    pub fn label(self) -> &'static str {
        match self {
            Deduction::Residents => "minus registered residents",
            Deduction::Commuters => "minus external workforce (commuters in)",
            Deduction::Transit => "minus transit traffic",
            Deduction::DayVisitors => "minus day tourism (day visitors)",
        }
    }

    /// Position in [`Deduction::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Deduction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Where a deduction's figures (persons per day) come from.
#[derive(Clone, Debug, PartialEq)]
pub enum DeductionSource {
    /// One figure for the whole region, persons per day, shared out to the areas by the
    /// scenario's [`Allocation`](crate::Allocation) rule.
    Region(f64),
    /// One figure per area, persons per day, in the order of the scenario's areas.
    PerArea(Vec<f64>),
    /// A table of figures by date (and optionally by area).
    Table(DeductionTable),
}

/// A deduction given by date: a CSV file with columns `date`, `persons` and optionally `area`.
///
/// Without an `area` column the figure is for the region and is allocated to the areas like a
/// region-level figure; with one it is per area. Dates the table lacks take the `fill` figure
/// if the scenario gives one, and are an error otherwise.
#[derive(Clone, Debug, PartialEq)]
pub struct DeductionTable {
    /// The CSV file.
    pub path: PathBuf,
    /// Figure for dates (and areas) the table lacks, persons per day; `None` makes them an error.
    pub fill: Option<f64>,
    /// Rows: date, area (`None` for a region-level table), persons per day.
    pub rows: Vec<(NaiveDate, Option<AreaCode>, f64)>,
}

impl DeductionTable {
    /// Whether the table gives figures per area (it has an `area` column).
    pub fn is_per_area(&self) -> bool {
        self.rows.first().is_some_and(|(_, area, _)| area.is_some())
    }

    /// Reads a deduction table and checks it against the scenario's areas.
    ///
    /// # Errors
    /// [`Error::ReadFile`], [`Error::ReadCsv`], [`Error::MissingColumn`] (for `date` or
    /// `persons`), [`Error::ParseDate`], [`Error::ParseNumber`], [`Error::NegativeNumber`],
    /// [`Error::UnknownArea`] (an area the scenario does not list), [`Error::DuplicateRow`],
    /// [`Error::EmptyInput`].
    pub fn read_csv(
        path: &Path,
        fill: Option<f64>,
        areas: &[AreaCode],
        scenario: &Path,
    ) -> Result<DeductionTable> {
        const PERSONS: &str = "persons";
        let mut reader = open_csv(path)?;
        let header = header(&mut reader, path)?;
        let date_at = column_index(&header, columns::DATE, path)?;
        let persons_at = column_index(&header, PERSONS, path)?;
        let area_at = header.iter().position(|h| h == columns::AREA);

        let mut rows = Vec::new();
        let mut seen: HashMap<(NaiveDate, Option<AreaCode>), u64> = HashMap::new();
        for record in reader.records() {
            let record = record.map_err(|source| csv_error(path, source))?;
            let line = record.position().map_or(0, |p| p.line());
            let field = |at: usize| record.get(at).unwrap_or("");
            let date = parse_date(field(date_at), path, line, columns::DATE)?;
            let area = area_at.map(|at| AreaCode::new(field(at)));
            if let Some(area) = &area
                && !areas.contains(area)
            {
                return Err(Error::UnknownArea {
                    path: path.to_owned(),
                    line,
                    area: area.to_string(),
                    scenario: scenario.to_owned(),
                    known: areas.iter().map(ToString::to_string).collect(),
                });
            }
            let persons = parse_persons(field(persons_at), path, line, PERSONS)?;
            if let Some(first_line) = seen.insert((date, area.clone()), line) {
                return Err(Error::DuplicateRow {
                    path: path.to_owned(),
                    line,
                    first_line,
                    area: area.map_or_else(|| "(region)".to_owned(), |a| a.to_string()),
                    date: date.to_string(),
                });
            }
            rows.push((date, area, persons));
        }
        if rows.is_empty() {
            return Err(Error::EmptyInput {
                path: path.to_owned(),
            });
        }
        Ok(DeductionTable {
            path: path.to_owned(),
            fill,
            rows,
        })
    }
}
