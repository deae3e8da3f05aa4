//! The four deductions of the Hallingdal method and where their figures come from.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use crate::area::{AreaCode, AreaResolver, Resolution};
use crate::columns;
use crate::error::{Error, Result};
use crate::read::{DateParser, NumberStyle, column_index, parse_persons};
use crate::source::{Location, SourceOptions, Table};

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

/// A deduction given as a table: by date, by area, or both.
///
/// Columns (names can be changed in the scenario): `date` (optional), `area` (optional) and
/// `persons`. Without an `area` column the figure is for the region and is allocated to the
/// areas like a region-level figure; without a `date` column it holds on every day. Dates the
/// table lacks take the `fill` figure if the scenario gives one, and are an error otherwise.
/// Rows for the same key are an error unless the scenario asks for them to be summed (as for
/// Statistics Norway's population by single year of age). Any file [`crate::Counts::read`]
/// reads is read here too.
#[derive(Clone, Debug, PartialEq)]
pub struct DeductionTable {
    /// The file.
    pub path: PathBuf,
    /// Figure for dates (and areas) the table lacks, persons per day; `None` makes them an error.
    pub fill: Option<f64>,
    /// Rows: date (`None` in an undated table), area (`None` in a region-level table),
    /// persons per day.
    pub rows: Vec<(Option<NaiveDate>, Option<AreaCode>, f64)>,
}

/// How a deduction table is laid out, as the scenario gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableLayout {
    /// Column of dates (optional in the file).
    pub date: String,
    /// Column of areas (optional in the file).
    pub area: String,
    /// Column of persons.
    pub persons: String,
    /// Whether rows with the same date and area are added up.
    pub sum: bool,
}

impl Default for TableLayout {
    fn default() -> Self {
        TableLayout {
            date: columns::DATE.to_owned(),
            area: columns::AREA.to_owned(),
            persons: "persons".to_owned(),
            sum: false,
        }
    }
}

impl DeductionTable {
    /// Whether the table gives figures per area (it has an area column).
    pub fn is_per_area(&self) -> bool {
        self.rows.first().is_some_and(|(_, area, _)| area.is_some())
    }

    /// Whether the table gives figures by date (it has a date column).
    pub fn is_dated(&self) -> bool {
        self.rows.first().is_some_and(|(date, _, _)| date.is_some())
    }

    /// Reads a deduction table, with area cells resolved to the scenario's codes.
    ///
    /// # Errors
    /// The reading errors of [`crate::Counts::read`] (file, header, values, areas);
    /// [`Error::DuplicateRow`] for a repeated date and area unless `layout.sum`;
    /// [`Error::EmptyInput`].
    pub fn read(
        path: &Path,
        fill: Option<f64>,
        layout: &TableLayout,
        areas: &AreaResolver,
    ) -> Result<DeductionTable> {
        let table = Table::read(path, &SourceOptions::default(), &layout.persons)?;
        let date_at = table.header.iter().position(|h| *h == layout.date);
        let area_at = table.header.iter().position(|h| *h == layout.area);
        let persons_at = column_index(&table.header, &layout.persons, path)?;
        let dates = DateParser::choose(
            &crate::read::DateFormat::Auto,
            table
                .records
                .iter()
                .map(|r| date_at.map_or("", |at| r.cell(at)))
                .filter(|c| !c.trim().is_empty()),
        )
        .map_err(|example| Error::AmbiguousDates {
            path: path.to_owned(),
            column: layout.date.clone(),
            example,
        })?;

        let mut rows: Vec<(Option<NaiveDate>, Option<AreaCode>, f64)> = Vec::new();
        let mut seen: HashMap<(Option<NaiveDate>, Option<AreaCode>), (usize, Location)> =
            HashMap::new();
        for record in &table.records {
            let date = match date_at {
                None => None,
                Some(at) => {
                    let text = record.cell(at);
                    Some(dates.parse(text).ok_or_else(|| Error::ParseDate {
                        path: path.to_owned(),
                        expected: dates.name().to_owned(),
                        at: table.locate(record, at),
                        column: layout.date.clone(),
                        value: text.to_owned(),
                    })?)
                }
            };
            let area = match area_at {
                None => None,
                Some(at) => {
                    let text = record.cell(at);
                    match areas.resolve(text) {
                        Resolution::Known(code) => Some(code),
                        Resolution::Unknown => {
                            return Err(Error::UnknownArea {
                                path: path.to_owned(),
                                at: table.locate(record, at),
                                area: text.to_owned(),
                                scenario: areas.scenario().to_owned(),
                                known: areas.codes(),
                            });
                        }
                        Resolution::Ambiguous(codes) => {
                            return Err(Error::AmbiguousArea {
                                path: path.to_owned(),
                                at: table.locate(record, at),
                                name: text.to_owned(),
                                codes: codes.iter().map(ToString::to_string).collect(),
                            });
                        }
                    }
                }
            };
            let persons = parse_persons(
                record.cell(persons_at),
                NumberStyle::default(),
                path,
                &table.locate(record, persons_at),
                &layout.persons,
            )?;
            let here = table.locate_record(record);
            match seen.get(&(date, area.clone())) {
                Some((index, _)) if layout.sum => rows[*index].2 += persons,
                Some((_, first)) => {
                    return Err(Error::DuplicateRow {
                        path: path.to_owned(),
                        at: here,
                        first: first.clone(),
                        area: area.map_or_else(|| "(region)".to_owned(), |a| a.to_string()),
                        date: date.map_or_else(|| "every day".to_owned(), |d| d.to_string()),
                    });
                }
                None => {
                    seen.insert((date, area.clone()), (rows.len(), here));
                    rows.push((date, area, persons));
                }
            }
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
