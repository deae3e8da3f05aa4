//! Spreadsheets (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`) read as rows of text cells.

use std::path::Path;

#[cfg(feature = "xlsx")]
use calamine::{Data, Reader, SheetType, SheetVisible};
#[cfg(feature = "xlsx")]
use chrono::NaiveDate;
use std::collections::HashMap;

use deltid_model::{CountsBuilder, Error, Result, Scenario};

use crate::reading::{
    Collector, CountsOptions, Reading, choose_dates, duplicate_error, header_batch, layout, store,
};
use crate::rows::{Batch, Layout, RowReader, Rules};
use crate::source::{Places, find_header, header_name};

#[cfg(feature = "xlsx")]
/// The most cells deltid reads from one sheet (counts for 356 municipalities over 20 years
/// take 2.6 million).
const MAX_SHEET_CELLS: usize = 50_000_000;

/// A sheet read: its name, its first used column (0 is A) and its rows, each with its row
/// number (1-based) and its cells as text from the first used column on.
pub(crate) struct SheetRows {
    pub(crate) name: String,
    pub(crate) first_column: u32,
    pub(crate) rows: Vec<(u64, Vec<String>)>,
    /// Each date-time cell's local date and time (`2024-03-02T01:00:00`), by row number and
    /// column: `rows` holds its date alone, as a date column reads it; a column of
    /// timestamps reads this.
    pub(crate) date_times: HashMap<(u64, usize), String>,
    /// In a workbook whose serial day numbers count from 1904, the number cells (plain
    /// numbers, not formatted as dates), by row number and column: a date column's serials
    /// among them are of that system.
    #[cfg_attr(not(feature = "xlsx"), allow(dead_code))]
    pub(crate) numbers_1904: std::collections::HashSet<(u64, usize)>,
}

/// Reads one sheet (without spreadsheet support: an error).
#[cfg(not(feature = "xlsx"))]
pub(crate) fn read(path: &Path, _: Option<&str>) -> Result<SheetRows> {
    Err(Error::ReadSheet {
        path: path.to_owned(),
        message: "this build of deltid reads no spreadsheets (built without the `xlsx` feature)"
            .to_owned(),
    })
}

/// Reads one sheet: the one named, else the first visible worksheet.
///
/// # Errors
/// [`Error::ReadSheet`] for a workbook that cannot be read (a damaged workbook is an error,
/// never a crash); [`Error::NoSuchSheet`] for a sheet name the workbook lacks.
#[cfg(feature = "xlsx")]
pub(crate) fn read(path: &Path, sheet: Option<&str>) -> Result<SheetRows> {
    // calamine can panic on a damaged workbook (an arithmetic overflow, found by the property
    // tests); a damaged file must be an error, never a crash.
    crate::source::caught(|| open_sheet(path, sheet)).unwrap_or_else(|_| {
        Err(Error::ReadSheet {
            path: path.to_owned(),
            message: "damaged spreadsheet".to_owned(),
        })
    })
}

/// The text of a cell holding a formula without a saved value: no count, date or area reads
/// it, so the cell's error names it (open the file in a spreadsheet program and save it).
/// Shorter than the messages' echo of a value ([`deltid_model::MAX_ECHOED`]), which would cut
/// it.
#[cfg(feature = "xlsx")]
const UNSAVED_FORMULA: &str =
    "a formula with no saved value (open and save the file in a spreadsheet program)";

/// The text of a formula cell in a workbook that asks to be recalculated when opened: its saved
/// value is a writer's placeholder (xlsxwriter saves 0), not the formula's result.
#[cfg(feature = "xlsx")]
const UNCALCULATED_FORMULA: &str =
    "a formula never calculated (open and save the file in a spreadsheet program)";

/// What an .xlsx workbook says of itself that calamine does not give: whether it asks to be
/// recalculated when opened (`<calcPr fullCalcOnLoad="1"/>`, as xlsxwriter and other scripts
/// write it), and whether its serial day numbers count from 1904 (`<workbookPr
/// date1904="1"/>`, Excel for Mac's old default). Both `false` when that cannot be read
/// (calamine then reports what is wrong with the file).
#[cfg(feature = "xlsx")]
#[derive(Clone, Copy, Default)]
struct Settings {
    recalculated: bool,
    date1904: bool,
}

#[cfg(feature = "xlsx")]
fn workbook_settings(path: &Path) -> Settings {
    use std::io::Read;
    let Ok(mut archive) = std::fs::File::open(path).map(zip::ZipArchive::new) else {
        return Settings::default();
    };
    let Some(Ok(entry)) = archive.as_mut().ok().map(|a| a.by_name("xl/workbook.xml")) else {
        return Settings::default();
    };
    let mut text = String::new();
    if entry.take(16 << 20).read_to_string(&mut text).is_err() {
        return Settings::default();
    }
    // The attributes of an element, if the workbook has it.
    let attributes = |element: &str| {
        text.split(&format!("<{element}"))
            .nth(1)
            .and_then(|rest| rest.split('>').next())
            .map(str::to_owned)
    };
    let on = |element: &str, attribute: &str| {
        attributes(element).is_some_and(|a| {
            a.contains(&format!(r#"{attribute}="1""#))
                || a.contains(&format!(r#"{attribute}="true""#))
        })
    };
    Settings {
        recalculated: on("calcPr", "fullCalcOnLoad"),
        date1904: on("workbookPr", "date1904"),
    }
}

/// Days from 1900-system serial day numbers to 1904-system ones (1904-01-01 is 1 462 in the
/// 1900 system and 0 in the 1904 one).
#[cfg(feature = "xlsx")]
const DAYS_1900_TO_1904: f64 = 1_462.0;

#[cfg(feature = "xlsx")]
fn open_sheet(path: &Path, wanted: Option<&str>) -> Result<SheetRows> {
    let sheet_error = |message: String| Error::ReadSheet {
        path: path.to_owned(),
        message,
    };
    let mut workbook =
        calamine::open_workbook_auto(path).map_err(|e| sheet_error(e.to_string()))?;
    let sheets = workbook.sheets_metadata().to_vec();
    let name = match wanted {
        Some(wanted) => sheets
            .iter()
            .find(|s| s.name == wanted)
            .map(|s| s.name.clone())
            .ok_or_else(|| Error::NoSuchSheet {
                path: path.to_owned(),
                sheet: wanted.to_owned(),
                sheets: sheets.iter().map(|s| s.name.clone()).collect(),
            })?,
        // The first visible worksheet: a hidden first sheet is not what the user sees.
        None => sheets
            .iter()
            .find(|s| s.visible == SheetVisible::Visible && s.typ == SheetType::WorkSheet)
            .or_else(|| sheets.first())
            .map(|s| s.name.clone())
            .ok_or_else(|| sheet_error("the workbook has no sheets".to_owned()))?,
    };
    // .xlsx cells are read one by one: calamine's `worksheet_range` allocates the whole
    // rectangle up to the farthest cell first, and one cell at XFD1048576 aborts the process
    // (found by fuzzing). Other formats build the range, after a check of its size.
    let mut settings = Settings::default();
    let cells: Vec<((u32, u32), Data)> = match &mut workbook {
        calamine::Sheets::Xlsx(xlsx) => {
            settings = workbook_settings(path);
            let mut reader = xlsx
                .worksheet_cells_reader(&name)
                .map_err(|e| sheet_error(e.to_string()))?;
            let mut cells = Vec::new();
            while let Some(cell) = reader
                .next_cell_with_formula_metadata()
                .map_err(|e| sheet_error(e.to_string()))?
            {
                if cells.len() >= MAX_SHEET_CELLS {
                    return Err(sheet_error(format!(
                        "more than {MAX_SHEET_CELLS} cells in sheet {name:?}"
                    )));
                }
                let value = match Data::from(cell.value) {
                    // A formula whose value was never saved (files written by scripts): never
                    // taken for an empty cell, that is a missing day.
                    Data::Empty if cell.formula.is_some() => {
                        Data::String(UNSAVED_FORMULA.to_owned())
                    }
                    _ if settings.recalculated && cell.formula.is_some() => {
                        Data::String(UNCALCULATED_FORMULA.to_owned())
                    }
                    value => value,
                };
                cells.push((cell.pos, value));
            }
            cells
        }
        other => {
            let range = other
                .worksheet_range(&name)
                .map_err(|e| sheet_error(e.to_string()))?;
            // used_cells counts from the range's start; positions here are absolute.
            let (row0, column0) = range.start().unwrap_or((0, 0));
            range
                .used_cells()
                .map(|(r, c, v)| ((row0 + r as u32, column0 + c as u32), v.clone()))
                .collect()
        }
    };
    // Rows in order, each holding its cells from the sheet's first used column on.
    let first_column = cells.iter().map(|((_, c), _)| *c).min().unwrap_or(0);
    let mut rows: std::collections::BTreeMap<u32, Vec<(u32, Data)>> = Default::default();
    for ((row, column), value) in cells {
        rows.entry(row)
            .or_default()
            .push((column - first_column, value));
    }
    let mut width_total = 0usize;
    let mut records = Vec::with_capacity(rows.len());
    let mut date_times = HashMap::new();
    let mut numbers_1904 = std::collections::HashSet::new();
    for (row, mut cells) in rows {
        cells.sort_by_key(|(c, _)| *c);
        let width = cells.last().map_or(0, |(c, _)| *c as usize + 1);
        width_total += width;
        if width_total > MAX_SHEET_CELLS {
            return Err(sheet_error(format!(
                "sheet {name:?} spans more than {MAX_SHEET_CELLS} cells (a value far out to the right?)"
            )));
        }
        let mut text = vec![String::new(); width];
        for (c, value) in cells {
            text[c as usize] = cell_text(&value);
            if settings.date1904 && matches!(value, Data::Float(_) | Data::Int(_)) {
                numbers_1904.insert((u64::from(row) + 1, c as usize));
            }
            if let Some(date_time) = date_time_text(&value) {
                date_times.insert((u64::from(row) + 1, c as usize), date_time);
            }
        }
        records.push((u64::from(row) + 1, text));
    }
    Ok(SheetRows {
        name,
        first_column,
        rows: records,
        date_times,
        numbers_1904,
    })
}

#[cfg(feature = "xlsx")]
/// A date-time cell as its local date and time, `YYYY-MM-DDTHH:MM:SS` (with milliseconds
/// when it has them), as a timestamp column reads it; `None` for any other cell.
fn date_time_text(cell: &Data) -> Option<String> {
    let Data::DateTime(d) = cell else {
        return None;
    };
    if !d.is_datetime() {
        return None;
    }
    let (year, month, day, hour, minute, second, milli) = d.to_ymd_hms_milli();
    let time = NaiveDate::from_ymd_opt(i32::from(year), u32::from(month), u32::from(day))?
        .and_hms_milli_opt(
            u32::from(hour),
            u32::from(minute),
            u32::from(second),
            u32::from(milli),
        )?;
    Some(if milli == 0 {
        time.format("%Y-%m-%dT%H:%M:%S").to_string()
    } else {
        time.format("%Y-%m-%dT%H:%M:%S%.3f").to_string()
    })
}

#[cfg(feature = "xlsx")]
/// A spreadsheet cell as text: whole numbers without a decimal point, dates as ISO 8601 in
/// the workbook's date system (1900, or 1904 as Excel for Mac writes).
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        // In scientific notation, which every reader of numbers takes as written whatever
        // decimal mark or thousands separator is declared for text: a number cell 12.345 is
        // never read as 12 345, nor refused as ambiguous.
        Data::Float(f) => format!("{f:e}"),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (year, month, day, ..) = d.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(i32::from(year), u32::from(month), u32::from(day))
                .map_or_else(|| d.as_f64().to_string(), |date| date.to_string())
        }
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::Error(e) => e.to_string(),
        Data::Empty => String::new(),
    }
}

/// Reads counts from a spreadsheet, row by row, by the same rules.
pub(crate) fn read_counts(
    path: &Path,
    options: &CountsOptions,
    scenario: &Scenario,
) -> Result<Reading> {
    let mut sheet = read(path, options.source.sheet.as_deref())?;
    let places = Places::Sheet {
        name: sheet.name.clone(),
        first_column: sheet.first_column,
    };
    let cells: Vec<Vec<String>> = sheet.rows.iter().take(50).map(|r| r.1.clone()).collect();
    let Some(header_at) = find_header(&cells, &options.columns.date_names()) else {
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
    let (layout, header_problems, times) = layout(path, &header, options, scenario)?;
    let date_column = match &layout {
        Layout::Long { date, .. } | Layout::Wide { date, .. } => *date,
    };
    // A column of timestamps reads date-time cells with their time of day (local times in the
    // scenario's zone, as the same text in a CSV file reads).
    if times.is_some() {
        for (row, cells) in &mut sheet.rows[header_at + 1..] {
            if let Some(date_time) = sheet.date_times.get(&(*row, date_column))
                && let Some(cell) = cells.get_mut(date_column)
            {
                cell.clone_from(date_time);
            }
        }
    }
    // Serial day numbers written as plain numbers in a 1904 workbook, as the 1900-system
    // serials the date readers take (cells formatted as dates are dates already).
    #[cfg(feature = "xlsx")]
    if matches!(
        options.dates,
        crate::DateFormat::Auto | crate::DateFormat::ExcelSerial
    ) {
        for (row, cells) in &mut sheet.rows[header_at + 1..] {
            if sheet.numbers_1904.contains(&(*row, date_column))
                && let Some(cell) = cells.get_mut(date_column)
                && let Some(serial) = crate::cell::parse_number(cell, crate::NumberStyle::default())
            {
                *cell = cell_text(&Data::Float(serial + DAYS_1900_TO_1904));
            }
        }
    }
    let records = &sheet.rows[header_at + 1..];
    // Hourly counts have timestamps, read by `times`, in the date column's place.
    let dates = choose_dates(
        path,
        header.get(date_column).map_or("", String::as_str),
        options,
        records
            .iter()
            .filter(|_| times.is_none())
            .map(|(_, cells)| cells.get(date_column).map_or("", String::as_str))
            .filter(|c| !deltid_model::trim_cell(c).is_empty()),
    )?;
    let rules = Rules {
        path,
        scenario,
        layout,
        header,
        dates,
        times,
        numbers: options.numbers,
        encoding: crate::source::Encoding::Utf8,
        refuse_extra_fields: false,
    };
    let builder = CountsBuilder::new(scenario, options.columns.foreign.is_some());
    let mut collector = Collector::new(&rules);
    let mut batch = header_batch(&rules, header_row, header_problems);
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
    collector.take(batch, |record, column| {
        (record, places.locate(record, column))
    });
    let replay = |visit: &mut dyn FnMut(u64, &crate::rows::Cell)| -> Result<()> {
        let mut reader = RowReader::new(&rules);
        let mut batch = Batch::default();
        let mut record = csv::ByteRecord::new();
        for (row, cells) in records {
            record.clear();
            for cell in cells {
                record.push_field(cell.as_bytes());
            }
            batch.cells.clear();
            reader.read(&record, *row, &mut batch);
            for cell in &batch.cells {
                visit(*row, cell);
            }
        }
        Ok(())
    };
    let locate = |row: u64| places.locate(row, date_column);
    collector.finish(
        builder,
        (Some(repeats), Some(sheet.name)),
        (&replay, &locate),
    )
}
