//! Deduction tables and code mappings: small tables read whole, by the same cell rules as the
//! counts.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use deltid_model::{
    AreaResolver, AreaSpec, Calibration, DeductionTable, Error, Location, MappingRow, Resolution,
    Result, trim_cell,
};

use crate::cell::{DateFormat, DateParser, NotPersons, NumberStyle, persons};
use crate::reading::{AREA_NAMES, DATE_NAMES, PERSONS_NAMES, name_in, names};
use crate::source::{
    Kind, Places, SourceOptions, column_index, column_index_any_case, csv_error, csv_reader,
    decode, find_header, header_name, kind_of, line_ends, looks_utf16, read_error, skip_blank,
    sniff_delimiter, strip_bom,
};

/// A table read whole: a header and records of text cells, each record with its number (CSV
/// line, sheet row, Parquet row). For areas tables, deduction tables and code mappings.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Table {
    pub(crate) path: PathBuf,
    pub(crate) header: Vec<String>,
    pub(crate) records: Records,
    pub(crate) places: Places,
}

/// Records of text cells, all held in one text: an areas table of a whole country (10 000
/// rows and more) takes a few allocations, not one a cell (which made most of the time of
/// reading the scenario).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Records {
    text: String,
    /// Where each cell ends in `text` (it starts where the one before ends).
    ends: Vec<usize>,
    /// Each record's number, and where its cells end in `ends`.
    records: Vec<(u64, usize)>,
}

impl Records {
    /// Adds a record numbered `number`.
    fn push<'c>(&mut self, number: u64, cells: impl IntoIterator<Item = &'c str>) {
        for cell in cells {
            self.text.push_str(cell);
            self.ends.push(self.text.len());
        }
        self.records.push((number, self.ends.len()));
    }

    /// The number of records.
    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// Each record with its number, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, Record<'_>)> + Clone {
        let starts = std::iter::once(0).chain(self.records.iter().map(|&(_, end)| end));
        self.records
            .iter()
            .zip(starts)
            .map(|(&(number, end), start)| {
                let first = if start == 0 { 0 } else { self.ends[start - 1] };
                let record = Record {
                    text: &self.text,
                    first,
                    ends: &self.ends[start..end],
                };
                (number, record)
            })
    }
}

/// One record of [`Records`]: its cells by position.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Record<'a> {
    text: &'a str,
    /// Where the record's first cell starts in `text`.
    first: usize,
    ends: &'a [usize],
}

impl<'a> Record<'a> {
    /// The cell at `column`, or `""` past the record's last cell.
    pub(crate) fn get(self, column: usize) -> &'a str {
        let Some(&end) = self.ends.get(column) else {
            return "";
        };
        let start = column
            .checked_sub(1)
            .map_or(self.first, |before| self.ends[before]);
        &self.text[start..end]
    }

    /// The record's cells, in order.
    pub(crate) fn cells(self) -> impl Iterator<Item = &'a str> {
        (0..self.ends.len()).map(move |column| self.get(column))
    }
}

impl Table {
    /// Reads a table of any kind deltid reads; the header is the first record with a cell
    /// named as one of `anchors` (see [`find_header`]). Blank records are left out.
    ///
    /// # Errors
    /// As the readers of each kind; [`Error::EmptyInput`] when there is no header.
    pub(crate) fn read(path: &Path, options: &SourceOptions, anchors: &[&str]) -> Result<Table> {
        let in_records = |rows: Vec<(u64, Vec<String>)>| {
            let mut records = Records::default();
            for (number, cells) in &rows {
                records.push(*number, cells.iter().map(String::as_str));
            }
            records
        };
        let (rows, places) = match kind_of(path)? {
            Kind::Csv => (read_csv_records(path, options)?, Places::Lines),
            Kind::Sheet => {
                let sheet = crate::sheet::read(path, options.sheet.as_deref())?;
                let places = Places::Sheet {
                    name: sheet.name,
                    first_column: sheet.first_column,
                };
                (in_records(sheet.rows), places)
            }
            Kind::Parquet => (in_records(crate::parquet::read_table(path)?), Places::Rows),
        };
        let header_at = if places == Places::Rows {
            Some(0)
        } else {
            let cells: Vec<Vec<String>> = rows
                .iter()
                .take(50)
                .map(|(_, r)| r.cells().map(str::to_owned).collect())
                .collect();
            find_header(&cells, anchors)
        };
        let Some(header_at) = header_at else {
            return Err(Error::EmptyInput {
                path: path.to_owned(),
            });
        };
        let mut rows = rows.iter().skip(header_at);
        let header = rows
            .next()
            .map(|(_, cells)| cells.cells().map(header_name).collect())
            .unwrap_or_default();
        let mut records = Records::default();
        for (number, record) in rows {
            if record.cells().any(|c| !trim_cell(c).is_empty()) {
                records.push(number, record.cells());
            }
        }
        Ok(Table {
            path: path.to_owned(),
            header,
            records,
            places,
        })
    }

    /// Where a cell of a record numbered `at` sits.
    pub(crate) fn locate(&self, at: u64, column: usize) -> Location {
        self.places.locate(at, column)
    }
}

/// Every record of a CSV file as text cells, with its line.
fn read_csv_records(path: &Path, options: &SourceOptions) -> Result<Records> {
    let bytes = std::fs::read(path).map_err(|e| read_error(path, e))?;
    let bytes = strip_bom(&bytes);
    if looks_utf16(bytes) {
        return Err(Error::ReadCsv {
            path: path.to_owned(),
            line: 1,
            message: "the file is UTF-16 text: save it as UTF-8 (or CSV from Excel)".to_owned(),
        });
    }
    let delimiter = options.delimiter.unwrap_or_else(|| sniff_delimiter(bytes));
    let mut reader = csv_reader(delimiter, bytes);
    let mut records = Records::default();
    let mut record = csv::ByteRecord::new();
    let mut lines = (0usize, 1u64);
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(path, bytes, &e)),
        }
        let start = skip_blank(bytes, record.position().map_or(0, |p| p.byte() as usize));
        lines.1 += line_ends(&bytes[lines.0..start]);
        lines.0 = start;
        let mut cells = Vec::with_capacity(record.len());
        for cell in &record {
            cells.push(
                decode(cell, options.encoding).ok_or_else(|| Error::Encoding {
                    path: path.to_owned(),
                    line: lines.1,
                })?,
            );
        }
        records.push(lines.1, cells.iter().map(|c| c.as_ref()));
    }
    Ok(records)
}

/// How a deduction table is laid out: its column names, and whether rows of one key are added
/// up (as for Statistics Norway's population by single year of age).
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
            date: "date".to_owned(),
            area: "area".to_owned(),
            persons: "persons".to_owned(),
            sum: false,
        }
    }
}

/// A deduction table as the scenario names it: the file and its layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRef {
    /// The file, resolved against the scenario's folder.
    pub path: PathBuf,
    /// Its columns.
    pub layout: TableLayout,
}

/// Reads a deduction table, with area cells resolved by the scenario's rule.
///
/// Columns: `date` (optional: without it the figure holds every day), `area` (optional:
/// without it the figure is the region's) and `persons`; other names via the layout. A
/// column left at its default name is also found under the counts' Norwegian headers (`dato`;
/// `kommunenummer`, `kommunenr`, `kommune`, `område`) and `personer`, `personar` or `antall`
/// for persons, in any case, as counts are read: a dated or per-area table is never taken for
/// one figure of the region on every day because its header is in Norwegian.
///
/// # Errors
/// The reading errors of a table (file, header, values, areas, as for counts);
/// [`Error::DuplicateRow`] for a repeated date and area unless `layout.sum`;
/// [`Error::EmptyInput`].
pub fn read_deduction_table(
    table: &TableRef,
    fill: Option<f64>,
    areas: &AreaResolver,
) -> Result<DeductionTable> {
    let path = table.path.as_path();
    let layout = &table.layout;
    let source = Table::read(
        path,
        &SourceOptions::default(),
        &names(&layout.persons, &PERSONS_NAMES),
    )?;
    let date_name = name_in(&source.header, &layout.date, &DATE_NAMES);
    let area_name = name_in(&source.header, &layout.area, &AREA_NAMES);
    // A date or area column the scenario names (not the default name) must be there: a table
    // without it would be read as one figure for every day, or for the region, silently.
    let defaults = TableLayout::default();
    for (found, named, default) in [
        (&date_name, &layout.date, &defaults.date),
        (&area_name, &layout.area, &defaults.area),
    ] {
        if found.is_none() && named != default {
            return Err(Error::MissingColumn {
                path: path.to_owned(),
                column: named.clone(),
                found: source.header.clone(),
            });
        }
    }
    let persons_name = name_in(&source.header, &layout.persons, &PERSONS_NAMES)
        .unwrap_or_else(|| layout.persons.clone());
    let at_of = |name: &Option<String>| match name {
        Some(name) => column_index(&source.header, name, path).map(Some),
        None => Ok(None),
    };
    let (date_at, area_at) = (at_of(&date_name)?, at_of(&area_name)?);
    let persons_at = column_index(&source.header, &persons_name, path)?;
    let dates = DateParser::choose(
        &DateFormat::Auto,
        source
            .records
            .iter()
            .map(|(_, r)| date_at.map_or("", |at| r.get(at)))
            .filter(|c| !trim_cell(c).is_empty()),
    )
    .map_err(|example| Error::AmbiguousDates {
        path: path.to_owned(),
        column: date_name.clone().unwrap_or_default(),
        example,
    })?;

    let mut rows: Vec<(Option<NaiveDate>, Option<usize>, f64)> = Vec::new();
    let mut seen: HashMap<(Option<NaiveDate>, Option<usize>), (usize, Location)> = HashMap::new();
    for (at, record) in source.records.iter() {
        let date = match date_at {
            None => None,
            Some(column) => {
                let text = record.get(column);
                Some(dates.parse(text).ok_or_else(|| Error::ParseDate {
                    path: path.to_owned(),
                    expected: dates.name().to_owned(),
                    at: source.locate(at, column),
                    column: date_name.clone().unwrap_or_default(),
                    value: text.to_owned(),
                })?)
            }
        };
        let area = match area_at {
            None => None,
            Some(column) => {
                let text = record.get(column);
                let at = source.locate(at, column);
                match areas.resolve(text) {
                    Resolution::Area(i) => Some(i),
                    Resolution::Unknown | Resolution::Region => {
                        return Err(Error::UnknownArea {
                            path: path.to_owned(),
                            at,
                            column: area_name.clone().unwrap_or_default(),
                            area: trim_cell(text).to_owned(),
                            scenario: areas.scenario().to_owned(),
                            known: areas.areas().to_vec(),
                        });
                    }
                    Resolution::Ambiguous(positions) => {
                        return Err(Error::AmbiguousArea {
                            path: path.to_owned(),
                            at,
                            column: area_name.clone().unwrap_or_default(),
                            name: trim_cell(text).to_owned(),
                            codes: positions
                                .iter()
                                .map(|&i| areas.areas()[i].code.to_string())
                                .collect(),
                        });
                    }
                }
            }
        };
        let text = record.get(persons_at);
        let value_at = source.locate(at, persons_at);
        let value = persons_cell(text, path, value_at, &persons_name)?;
        let here = source.locate(at, 0);
        match seen.get(&(date, area)) {
            Some((index, _)) if layout.sum => rows[*index].2 += value,
            Some((_, first)) => {
                return Err(Error::DuplicateRow {
                    path: path.to_owned(),
                    at: here,
                    first: first.clone(),
                    area: area.map_or_else(
                        || "(the region: the table has no area column)".to_owned(),
                        |a| areas.areas()[a].code.to_string(),
                    ),
                    date: date.map_or_else(
                        || "every day (the table has no date column)".to_owned(),
                        |d| d.to_string(),
                    ),
                });
            }
            None => {
                seen.insert((date, area), (rows.len(), here));
                rows.push((date, area, value));
            }
        }
    }
    DeductionTable::new(path, fill, rows).ok_or_else(|| Error::EmptyInput {
        path: path.to_owned(),
    })
}

/// A table cell as persons, or the error naming the file, place, column and value.
fn persons_cell(text: &str, path: &Path, at: Location, column: &str) -> Result<f64> {
    persons(text, NumberStyle::default()).map_err(|not| {
        let (path, column, value) = (path.to_owned(), column.to_owned(), text.to_owned());
        match not {
            NotPersons::Parse => Error::ParseNumber {
                path,
                at,
                column,
                value,
            },
            NotPersons::Ambiguous => Error::AmbiguousNumber {
                path,
                at,
                column,
                value,
            },
            NotPersons::Negative => Error::NegativeNumber {
                path,
                at,
                column,
                value,
            },
            NotPersons::TooLarge => Error::TooLarge {
                path,
                at,
                column,
                value,
            },
        }
    })
}

/// The columns of an area table besides the code and the name, in the order of
/// [`AreaSpec::deductions`] then the calibration figures.
const AREA_FIGURES: [&str; 6] = [
    "residents",
    "commuters",
    "transit",
    "day_visitors",
    "holiday_homes",
    "commercial_guest_nights",
];

/// Reads a scenario's areas from a table (any file deltid reads): a column `code` (or `area`),
/// a column `name`, and optionally per-area figures in persons per day (`residents`,
/// `commuters`, `transit`, `day_visitors`) and calibration figures (`holiday_homes`,
/// `commercial_guest_nights`), one area per row, the column names in any case; an empty cell
/// is no figure. For scenarios of many areas (every municipality or grid cell of a country),
/// where a table is what an analyst has.
///
/// # Errors
/// The reading errors of a table; [`Error::MissingColumn`] without a code or name column,
/// [`Error::DuplicateColumn`] for a column named twice, [`Error::UnknownColumn`] for a column
/// of none of those names; for a figure that is not persons, the
/// errors of a number cell; [`Error::ReadCsv`] for a code or name over several lines.
pub(crate) fn read_areas(path: &Path) -> Result<Vec<AreaSpec>> {
    let table = Table::read(path, &SourceOptions::default(), &["name"])?;
    // Column names in any case, as an analyst's spreadsheet may write them (`Code`, `Name`).
    let code = match column_index_any_case(&table.header, "code", path) {
        Ok(at) => at,
        Err(Error::MissingColumn { .. }) => column_index_any_case(&table.header, "area", path)
            .map_err(|_| Error::MissingColumn {
                path: path.to_owned(),
                column: "code".to_owned(),
                found: table.header.clone(),
            })?,
        Err(e) => return Err(e),
    };
    let name = column_index_any_case(&table.header, "name", path)?;
    let mut figures = [None; 6];
    for (at, figure) in figures.iter_mut().zip(AREA_FIGURES) {
        *at = match column_index_any_case(&table.header, figure, path) {
            Ok(column) => Some(column),
            Err(Error::MissingColumn { .. }) => None,
            Err(e) => return Err(e),
        };
    }
    // Every other column is refused, as an unknown key of an `[[area]]` is: a misspelt
    // figure (`Residens`) would otherwise be passed over and the scenario's own figure used.
    // A column without a name or a value (a spreadsheet's separator at each line's end) is
    // no column.
    let taken: Vec<usize> = [Some(code), Some(name)]
        .into_iter()
        .chain(figures)
        .flatten()
        .collect();
    let empty = |c: usize| {
        trim_cell(&table.header[c]).is_empty()
            && table
                .records
                .iter()
                .all(|(_, record)| trim_cell(record.get(c)).is_empty())
    };
    if let Some(other) = (0..table.header.len()).find(|&c| !taken.contains(&c) && !empty(c)) {
        return Err(Error::UnknownColumn {
            path: path.to_owned(),
            column: table.header[other].clone(),
            number: other + 1,
            expected: ["code (or area)", "name"]
                .into_iter()
                .chain(AREA_FIGURES)
                .map(str::to_owned)
                .collect(),
        });
    }
    let mut areas = Vec::with_capacity(table.records.len());
    for (at, record) in table.records.iter() {
        // A code or name over several lines is a quote left open in a CSV file, which took
        // the lines after it into one cell: refused, not read as one area.
        if table.places == Places::Lines
            && [code, name]
                .iter()
                .any(|&c| record.get(c).contains(['\n', '\r']))
        {
            return Err(Error::ReadCsv {
                path: path.to_owned(),
                line: at,
                message: "a quoted cell runs over several lines (a quote left open?): an area's code and name are on one line".to_owned(),
            });
        }
        let mut values = [None; 6];
        for ((value, column), key) in values.iter_mut().zip(figures).zip(AREA_FIGURES) {
            let Some(column) = column else { continue };
            let text = record.get(column);
            if !trim_cell(text).is_empty() {
                *value = Some(persons_cell(text, path, table.locate(at, column), key)?);
            }
        }
        let [
            residents,
            commuters,
            transit,
            day_visitors,
            holiday_homes,
            commercial,
        ] = values;
        areas.push(AreaSpec {
            code: trim_cell(record.get(code)).to_owned(),
            name: trim_cell(record.get(name)).to_owned(),
            deductions: [residents, commuters, transit, day_visitors],
            calibration: Calibration {
                holiday_homes,
                commercial_guest_nights: commercial,
            },
            // Scenario::new names an empty or repeated code at its place here.
            at: Some(table.locate(at, code)),
        });
    }
    Ok(areas)
}

/// Reads a code-mapping table: columns `from` and `to`, one old code per row.
///
/// # Errors
/// The reading errors of a table; [`Error::MissingColumn`] without `from` or `to`.
pub(crate) fn read_mapping(path: &Path) -> Result<Vec<MappingRow>> {
    let table = Table::read(path, &SourceOptions::default(), &["from"])?;
    let from = column_index_any_case(&table.header, "from", path)?;
    let to = column_index_any_case(&table.header, "to", path)?;
    let mut rows = Vec::with_capacity(table.records.len());
    for (at, record) in table.records.iter() {
        // A row with a code missing maps nothing: refused rather than passed over.
        for column in [from, to] {
            if trim_cell(record.get(column)).is_empty() {
                return Err(Error::EmptyArea {
                    path: path.to_owned(),
                    at: table.locate(at, column),
                    column: table.header[column].clone(),
                });
            }
        }
        rows.push(MappingRow {
            from: trim_cell(record.get(from)).to_owned(),
            to: trim_cell(record.get(to)).to_owned(),
            at: table.locate(at, to),
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_give_back_each_cell_of_each_record() {
        let mut records = Records::default();
        records.push(2, ["0301", "Oslo", "", "12"]);
        records.push(3, [""]);
        records.push(7, ["3324", "Gol"]);
        assert_eq!(records.len(), 3);
        let read: Vec<(u64, Vec<&str>)> = records
            .iter()
            .map(|(number, record)| (number, record.cells().collect()))
            .collect();
        assert_eq!(
            read,
            [
                (2, vec!["0301", "Oslo", "", "12"]),
                (3, vec![""]),
                (7, vec!["3324", "Gol"]),
            ]
        );
        let (_, gol) = records.iter().nth(2).expect("three records");
        assert_eq!(
            (gol.get(0), gol.get(1), gol.get(2), gol.get(9)),
            ("3324", "Gol", "", "")
        );
        assert_eq!(Records::default().iter().count(), 0);
    }
}
