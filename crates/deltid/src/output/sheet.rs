//! Tables of typed cells, each written three ways: CSV in a chosen style, a sheet of an .xlsx
//! workbook (numbers as numbers, dates as dates), or Parquet (typed columns).
//!
//! An output builds its tables once as [`Sheet`]s, so the CSV, the workbook and the Parquet
//! file hold the same columns under the same names. A sheet's rows are made as they are
//! written, so a CSV of a hundred million daily rows never sits in memory.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write;

#[cfg(feature = "xlsx")]
use chrono::Datelike;
use chrono::NaiveDate;
use deltid_model::{Error, Result};
#[cfg(feature = "xlsx")]
use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook, XlsxError};

pub use deltid_io::DecimalMark;

/// The character between the fields of a CSV output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Delimiter {
    /// `,`, the CSV standard (RFC 4180).
    #[default]
    Comma,
    /// `;`, what Excel reads and writes where the decimal mark is a comma (Norway, most of
    /// Europe).
    Semicolon,
    /// A tab character.
    Tab,
}

impl Delimiter {
    /// The delimiter as a byte: `b','`, `b';'` or `b'\t'`.
    pub fn as_byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
            Delimiter::Tab => b'\t',
        }
    }
}

/// How a CSV output is written: the delimiter and the decimal mark.
///
/// Numbers are written unrounded to a millionth of a person (the shortest text that reads
/// back to the value rounded to six decimals, as `2803.44` or `46724.0`; sums of many days
/// carry binary rounding noise in their last bits, `2803.4399999999996`, which that hides)
/// with the chosen mark; whole numbers (persons in the plan's
/// table, day counts) and dates (yyyy-mm-dd) look the same in every style. A field holding the
/// delimiter is quoted.
///
/// The default is `,` and `.`. Built with [`CsvStyle::new`], which refuses a style that
/// cannot be read back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CsvStyle {
    delimiter: Delimiter,
    decimal: DecimalMark,
}

impl CsvStyle {
    /// A CSV style, checked.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for a decimal comma with `,` between fields: every number
    /// would split in two. Use `;` or tab with a decimal comma.
    ///
    /// # Examples
    /// ```
    /// use deltid::output::{CsvStyle, DecimalMark, Delimiter};
    /// // Excel with Norwegian settings: `;` between fields, decimal comma.
    /// let excel = CsvStyle::new(Delimiter::Semicolon, DecimalMark::Comma)?;
    /// assert_eq!(excel.delimiter(), Delimiter::Semicolon);
    /// // A decimal comma between commas is refused.
    /// assert!(CsvStyle::new(Delimiter::Comma, DecimalMark::Comma).is_err());
    /// # Ok::<(), deltid::Error>(())
    /// ```
    pub fn new(delimiter: Delimiter, decimal: DecimalMark) -> Result<CsvStyle> {
        if delimiter == Delimiter::Comma && decimal == DecimalMark::Comma {
            return Err(Error::InvalidOption {
                option: "csv style".to_owned(),
                reason: "a decimal comma needs `;` or tab between fields, not `,`".to_owned(),
            });
        }
        Ok(CsvStyle { delimiter, decimal })
    }

    /// The delimiter between fields.
    pub fn delimiter(self) -> Delimiter {
        self.delimiter
    }

    /// The decimal mark of numbers.
    pub fn decimal(self) -> DecimalMark {
        self.decimal
    }

    /// A number as this style writes it, put in `text`: rounded to millionths, the shortest
    /// text that reads back to the same `f64` (as ryu writes it), with the decimal mark
    /// swapped in.
    fn number(self, value: f64, buffer: &mut ryu::Buffer, text: &mut String) {
        let mark = match self.decimal {
            DecimalMark::Point => '.',
            DecimalMark::Comma => ',',
        };
        if !push_millionths(value, mark, text) {
            text.extend(
                buffer
                    .format(to_millionths(value))
                    .chars()
                    .map(|c| match c {
                        '.' => mark,
                        c => c,
                    }),
            );
        }
    }
}

/// Writes `value` rounded to millionths as whole millionths, the text ryu writes for the
/// rounded value (see the test beside it): the whole part, `mark`, and the decimals without
/// trailing zeros (one `0` if none). A third of the writing's time went to ryu's search for
/// the shortest text, which a value of six decimals does not need. Only for 0.00001 ≤ |value|
/// < 10⁹, where ryu writes no exponent; `false`, and nothing written, otherwise.
fn push_millionths(value: f64, mark: char, text: &mut String) -> bool {
    // NaN and the infinities too.
    if value.is_nan() || value.abs() >= 1e9 {
        return false;
    }
    // Below 10¹⁵ in size: exact as an i64, the same rounding as `to_millionths`.
    let millionths = (value * 1e6).round() as i64;
    let size = millionths.unsigned_abs();
    if size < 10 {
        return false;
    }
    if millionths < 0 {
        text.push('-');
    }
    let mut digits = itoa::Buffer::new();
    text.push_str(digits.format(size / 1_000_000));
    text.push(mark);
    let decimals = size % 1_000_000;
    if decimals == 0 {
        text.push('0');
    } else {
        // Six digits with their leading zeros, less the trailing ones.
        let written = digits.format(1_000_000 + decimals);
        text.push_str(written[1..].trim_end_matches('0'));
    }
    true
}

/// A value rounded to six decimals when that is exact in `f64` (below 10⁹ in size: above it
/// the value is returned as it is, its noise already below a millionth).
fn to_millionths(value: f64) -> f64 {
    if value.abs() < 1e9 {
        // value × 10⁶ rounds to a whole number below 2⁵³, exact; the division is correctly
        // rounded, so the result is the f64 nearest the six-decimal number. Adding 0 turns a
        // −0 (a tiny negative rounded away) into 0.
        (value * 1e6).round() / 1e6 + 0.0
    } else {
        value
    }
}

/// One value of a table.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell<'a> {
    /// Text (area codes are text, so leading zeros stay).
    Text(Cow<'a, str>),
    /// A whole number: persons by the plan's rounding, a count of days, a rank.
    Whole(i64),
    /// A number in full precision: persons, nights, fractions.
    Number(f64),
    /// A calendar day.
    Date(NaiveDate),
    /// Yes or no: `true`/`false` in CSV, a boolean in a workbook and in Parquet.
    Bool(bool),
    /// Nothing: the region's area code, a ratio without residents, a count not asked for.
    Empty,
    /// A figure suppressed by small-count protection: [`SUPPRESSED`] in a workbook, empty in
    /// CSV, null in Parquet; never 0.
    Suppressed,
}

/// How a suppressed figure is shown in text, HTML and workbooks (Statistics Norway's symbol
/// for a confidential figure).
pub(crate) const SUPPRESSED: &str = ":";

impl<'a> Cell<'a> {
    /// Text, or [`Cell::Empty`] for `None`.
    pub(crate) fn text(text: Option<&'a str>) -> Cell<'a> {
        text.map_or(Cell::Empty, |t| Cell::Text(Cow::Borrowed(t)))
    }

    /// Characters the value takes on screen, roughly, for column widths.
    #[cfg_attr(not(feature = "xlsx"), allow(dead_code))]
    fn width(&self) -> usize {
        // Thousands separators add a third; a fraction shows two decimals.
        let digits = |x: f64| {
            let n = x.abs().max(1.0).log10().floor() as usize + 1;
            n + n / 3 + usize::from(x < 0.0)
        };
        match self {
            Cell::Text(t) => t.chars().count(),
            Cell::Whole(n) => digits(*n as f64),
            Cell::Number(x) if x.is_finite() => digits(*x) + 3,
            Cell::Date(_) => 10,
            Cell::Bool(_) => 5,
            Cell::Number(_) | Cell::Empty => 0,
            Cell::Suppressed => 1,
        }
    }
}

/// A named table: a header and rows of cells, one per column, made as they are written.
pub(crate) struct Sheet<'a> {
    /// The sheet's name in a workbook.
    #[cfg_attr(not(feature = "xlsx"), allow(dead_code))]
    pub(crate) name: &'static str,
    /// The column names.
    pub(crate) header: Vec<String>,
    /// The rows, each as long as the header.
    pub(crate) rows: Box<dyn Iterator<Item = Vec<Cell<'a>>> + 'a>,
}

impl<'a> Sheet<'a> {
    /// A sheet of rows already made.
    pub(crate) fn of(
        name: &'static str,
        header: Vec<String>,
        rows: Vec<Vec<Cell<'a>>>,
    ) -> Sheet<'a> {
        Sheet {
            name,
            header,
            rows: Box::new(rows.into_iter()),
        }
    }

    /// A sheet whose rows are made as they are written: for sheets with a row per area (or
    /// more), which a national run would otherwise hold whole beside its counts.
    pub(crate) fn streamed(
        name: &'static str,
        header: Vec<String>,
        rows: impl Iterator<Item = Vec<Cell<'a>>> + 'a,
    ) -> Sheet<'a> {
        Sheet {
            name,
            header,
            rows: Box::new(rows),
        }
    }

    /// Writes the table as CSV in `style`: a header line, then one line per row. A style
    /// for Excel (`;` or a decimal comma) starts with a UTF-8 byte-order mark, without which
    /// Excel on Windows reads the file as Windows-1252 and shows "Ål" as "Ã…l".
    ///
    /// # Errors
    /// [`Error::Write`] if the writer fails.
    pub(crate) fn write_csv(self, style: CsvStyle, mut out: impl Write) -> Result<()> {
        if style.delimiter() == Delimiter::Semicolon || style.decimal() == DecimalMark::Comma {
            out.write_all(b"\xEF\xBB\xBF")?;
        }
        let mut writer = csv::WriterBuilder::new()
            .delimiter(style.delimiter.as_byte())
            .from_writer(out);
        writer.write_record(&self.header).map_err(csv_io)?;
        // Each field is made in one string, used again (a new string a field cost close to a
        // third of the writing).
        let (mut buffer, mut whole, mut text) =
            (ryu::Buffer::new(), itoa::Buffer::new(), String::new());
        for row in self.rows {
            for cell in &row {
                text.clear();
                match cell {
                    Cell::Text(t) => text.push_str(&defused(t)),
                    Cell::Whole(n) => text.push_str(whole.format(*n)),
                    Cell::Number(x) => style.number(*x, &mut buffer, &mut text),
                    Cell::Date(d) => write!(text, "{d}").map_err(std::io::Error::other)?,
                    Cell::Bool(b) => text.push_str(if *b { "true" } else { "false" }),
                    Cell::Empty | Cell::Suppressed => {}
                }
                writer.write_field(text.as_bytes()).map_err(csv_io)?;
            }
            writer.write_record(None::<&[u8]>).map_err(csv_io)?;
        }
        writer.flush()?;
        Ok(())
    }
}

/// A text cell as CSV must hold it so that a spreadsheet shows it as text and runs nothing
/// (OWASP's advice on CSV injection): text starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return gets a leading `'`. Only text cells: numbers (negative ones too) are written as
/// numbers by their own cells.
pub(crate) fn defused(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(feature = "parquet")]
use polars::prelude::{Column, DataFrame, DataType, ParquetWriter, PlSmallStr, PolarsError};

#[cfg(feature = "parquet")]
impl Sheet<'_> {
    /// The table as a frame: a column per header entry, typed by its cells (text as String,
    /// whole numbers as Int64, numbers as Float64, days as Date); empty cells are nulls.
    ///
    /// # Errors
    /// [`Error::WriteParquet`] only on a defect (cells of two kinds in one column).
    pub(crate) fn into_frame(self) -> Result<DataFrame> {
        let header = self.header;
        let rows: Vec<Vec<Cell<'_>>> = self.rows.collect();
        let mut columns = Vec::with_capacity(header.len());
        for (i, name) in header.iter().enumerate() {
            let cells = rows.iter().map(|row| row.get(i).unwrap_or(&Cell::Empty));
            let kind = cells
                .clone()
                .find(|c| !matches!(c, Cell::Empty | Cell::Suppressed));
            let name = PlSmallStr::from_str(name);
            let column = match kind {
                Some(Cell::Whole(_)) => Column::new(
                    name,
                    cells
                        .map(|c| match c {
                            Cell::Whole(n) => Some(*n),
                            _ => None,
                        })
                        .collect::<Vec<_>>(),
                ),
                Some(Cell::Number(_)) => Column::new(
                    name,
                    cells
                        .map(|c| match c {
                            Cell::Number(x) => Some(*x),
                            _ => None,
                        })
                        .collect::<Vec<_>>(),
                ),
                Some(Cell::Date(_)) => Column::new(
                    name,
                    cells
                        .map(|c| match c {
                            Cell::Date(d) => Some(d.signed_duration_since(NaiveDate::default()))
                                .and_then(|days| i32::try_from(days.num_days()).ok()),
                            _ => None,
                        })
                        .collect::<Vec<_>>(),
                )
                .cast(&DataType::Date)
                .map_err(parquet)?,
                Some(Cell::Bool(_)) => Column::new(
                    name,
                    cells
                        .map(|c| match c {
                            Cell::Bool(b) => Some(*b),
                            _ => None,
                        })
                        .collect::<Vec<_>>(),
                ),
                _ => Column::new(
                    name,
                    cells
                        .map(|c| match c {
                            Cell::Text(t) => Some(t.as_ref()),
                            _ => None,
                        })
                        .collect::<Vec<_>>(),
                ),
            };
            columns.push(column);
        }
        DataFrame::new(rows.len(), columns).map_err(parquet)
    }
}

/// Writes the table as a Parquet file (zstd-compressed), columns typed as in
/// [`Sheet::into_frame`].
///
/// # Errors
/// [`Error::Write`] if the writer fails; [`Error::WriteParquet`] if the file cannot be built.
#[cfg(feature = "parquet")]
pub(crate) fn write_parquet(sheet: Sheet<'_>, mut out: impl Write) -> Result<()> {
    let mut frame = sheet.into_frame()?;
    // Built in memory first, so a failing writer is an I/O error, not a Parquet one.
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .finish(&mut frame)
        .map_err(parquet)?;
    out.write_all(&bytes)?;
    Ok(())
}

/// Without Parquet support: an error.
#[cfg(not(feature = "parquet"))]
pub(crate) fn write_parquet(_: Sheet<'_>, _: impl Write) -> Result<()> {
    Err(Error::WriteParquet {
        message: "this build of deltid writes no Parquet (built without the `parquet` feature)"
            .to_owned(),
    })
}

#[cfg(feature = "parquet")]
fn parquet(error: PolarsError) -> Error {
    Error::WriteParquet {
        message: error.to_string(),
    }
}

/// Writes the tables as the sheets of one .xlsx workbook: a bold, frozen header row; whole
/// numbers as numbers shown `#,##0`, other numbers as numbers in full precision shown
/// `#,##0.00`, days as Excel dates shown `yyyy-mm-dd`, text as text; empty cells (and numbers
/// that are not finite, which Excel cannot hold) left blank. Columns are as wide as their
/// widest value, within limits.
///
/// # Errors
/// [`Error::Write`] if the writer fails; [`Error::WriteWorkbook`] if the workbook cannot be
/// built (a sheet beyond Excel's 1 048 576 rows, a date before 1900).
#[cfg(feature = "xlsx")]
pub(crate) fn write_workbook(sheets: Vec<Sheet<'_>>, mut out: impl Write) -> Result<()> {
    const MIN_WIDTH: usize = 6;
    const MAX_WIDTH: usize = 60;
    let bold = CellFormat::new().set_bold();
    let whole = CellFormat::new().set_num_format("#,##0");
    let number = CellFormat::new().set_num_format("#,##0.00");
    let date = CellFormat::new().set_num_format("yyyy-mm-dd");
    let mut workbook = Workbook::new();
    for sheet in sheets {
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(sheet.name).map_err(xlsx)?;
        let mut widths: Vec<usize> = sheet.header.iter().map(|h| h.chars().count()).collect();
        for (c, name) in sheet.header.iter().enumerate() {
            worksheet
                .write_string_with_format(0, column(c)?, name, &bold)
                .map_err(xlsx)?;
        }
        for (r, row) in sheet.rows.enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| Error::WriteWorkbook {
                message: format!("sheet {} has more rows than Excel holds", sheet.name),
            })?;
            for (c, cell) in row.iter().enumerate() {
                if let Some(w) = widths.get_mut(c) {
                    *w = (*w).max(cell.width());
                }
                let c = column(c)?;
                match cell {
                    Cell::Text(t) => worksheet.write_string(r, c, t.as_ref()),
                    Cell::Suppressed => worksheet.write_string(r, c, SUPPRESSED),
                    Cell::Bool(b) => worksheet.write_boolean(r, c, *b),
                    Cell::Whole(n) => worksheet.write_number_with_format(r, c, *n as f64, &whole),
                    Cell::Number(x) if x.is_finite() => {
                        worksheet.write_number_with_format(r, c, *x, &number)
                    }
                    Cell::Date(d) => {
                        let day = excel_date(*d)?;
                        worksheet.write_datetime_with_format(r, c, day, &date)
                    }
                    Cell::Number(_) | Cell::Empty => continue,
                }
                .map_err(xlsx)?;
            }
        }
        for (c, width) in widths.into_iter().enumerate() {
            let width = width.clamp(MIN_WIDTH, MAX_WIDTH) + 2;
            worksheet
                .set_column_width(column(c)?, width as f64)
                .map_err(xlsx)?;
        }
        worksheet.set_freeze_panes(1, 0).map_err(xlsx)?;
    }
    let bytes = workbook.save_to_buffer().map_err(xlsx)?;
    out.write_all(&bytes)?;
    Ok(())
}

/// Without spreadsheet support: an error.
#[cfg(not(feature = "xlsx"))]
pub(crate) fn write_workbook(_: Vec<Sheet<'_>>, _: impl Write) -> Result<()> {
    Err(Error::WriteWorkbook {
        message: "this build of deltid writes no workbooks (built without the `xlsx` feature)"
            .to_owned(),
    })
}

/// A column index as the workbook writer takes it.
#[cfg(feature = "xlsx")]
fn column(c: usize) -> Result<u16> {
    u16::try_from(c).map_err(|_| Error::WriteWorkbook {
        message: format!("column {} is beyond Excel's last column", c + 1),
    })
}

/// A day as an Excel date (the 1900 date system).
#[cfg(feature = "xlsx")]
fn excel_date(day: NaiveDate) -> Result<ExcelDateTime> {
    let year = u16::try_from(day.year()).map_err(|_| Error::WriteWorkbook {
        message: format!("{day} cannot be an Excel date"),
    })?;
    ExcelDateTime::from_ymd(year, day.month() as u8, day.day() as u8).map_err(xlsx)
}

#[cfg(feature = "xlsx")]
fn xlsx(error: XlsxError) -> Error {
    Error::WriteWorkbook {
        message: error.to_string(),
    }
}

/// The I/O error inside a CSV writer's error (so a closed pipe stays recognisable).
pub(crate) fn csv_io(error: csv::Error) -> std::io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        kind => std::io::Error::other(format!("{kind:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole-millionths text is ryu's text of the rounded value, over every size where it
    /// is used, both ends and values just inside and outside them.
    #[test]
    fn millionths_are_written_as_ryu_writes_them() {
        use rand_chacha::rand_core::{RngCore, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2026);
        // Uniform in [0, 1).
        let mut uniform = || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            710.0,
            0.00001,
            0.000009,
            0.0000095,
            0.0000149,
            -0.00001,
            999_999_999.999_999,
            999_999_999.999_999_5,
            1e9,
            -1e9,
            123.456_789_5,
            2425982.4791,
            0.1 + 0.2,
            1e-7,
            f64::NAN,
            f64::INFINITY,
        ];
        for _ in 0..200_000 {
            let size = 10f64.powf(-6.0 + 15.5 * uniform());
            let sign = if uniform() < 0.5 { -1.0 } else { 1.0 };
            values.push(sign * size);
            // Whole millionths and whole numbers, as means of whole counts often are.
            values.push((sign * size * 1e6).round() / 1e6);
            values.push((sign * size).round());
        }
        let mut buffer = ryu::Buffer::new();
        for value in values {
            for mark in ['.', ','] {
                let mut fast = String::new();
                if push_millionths(value, mark, &mut fast) {
                    let ryu = buffer
                        .format(to_millionths(value))
                        .replace('.', &mark.to_string());
                    assert_eq!(fast, ryu, "{value:e}");
                } else {
                    assert!(fast.is_empty());
                    assert!(
                        value.is_nan() || value.abs() >= 1e9 || (value * 1e6).round().abs() < 10.0
                    );
                }
            }
        }
    }

    fn sheet() -> Sheet<'static> {
        let day = NaiveDate::from_ymd_opt(2019, 9, 1).unwrap();
        Sheet::of(
            "test",
            ["area", "name", "days", "mean", "first"]
                .map(String::from)
                .to_vec(),
            vec![
                vec![
                    Cell::Text("3039".into()),
                    Cell::Text("Flå; Hallingdal".into()),
                    Cell::Whole(547),
                    Cell::Number(2803.44),
                    Cell::Date(day),
                ],
                vec![
                    Cell::Empty,
                    Cell::Text("Hallingdal".into()),
                    Cell::Whole(-20_000),
                    Cell::Number(46_724.0),
                    Cell::Date(day),
                ],
            ],
        )
    }

    #[test]
    fn csv_styles_write_the_same_values() {
        let cases = [
            (
                Delimiter::Comma,
                DecimalMark::Point,
                "area,name,days,mean,first\n3039,Flå; Hallingdal,547,2803.44,2019-09-01\n,Hallingdal,-20000,46724.0,2019-09-01\n",
            ),
            (
                Delimiter::Semicolon,
                DecimalMark::Comma,
                // For Excel: a byte-order mark first.
                "\u{feff}area;name;days;mean;first\n3039;\"Flå; Hallingdal\";547;2803,44;2019-09-01\n;Hallingdal;-20000;46724,0;2019-09-01\n",
            ),
            (
                Delimiter::Tab,
                DecimalMark::Comma,
                "\u{feff}area\tname\tdays\tmean\tfirst\n3039\tFlå; Hallingdal\t547\t2803,44\t2019-09-01\n\tHallingdal\t-20000\t46724,0\t2019-09-01\n",
            ),
        ];
        for (delimiter, decimal, expected) in cases {
            let style = CsvStyle::new(delimiter, decimal).unwrap();
            let mut out = Vec::new();
            sheet().write_csv(style, &mut out).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&out),
                expected,
                "{delimiter:?} {decimal:?}"
            );
        }
    }

    #[test]
    fn a_decimal_comma_between_commas_is_refused() {
        assert!(matches!(
            CsvStyle::new(Delimiter::Comma, DecimalMark::Comma),
            Err(Error::InvalidOption { .. })
        ));
    }

    #[cfg(feature = "parquet")]
    #[test]
    fn frame_columns_are_typed_and_empty_cells_null() -> Result<()> {
        use polars::prelude::DataType;
        let frame = sheet().into_frame()?;
        let column = |name| frame.column(name).map_err(parquet);
        assert_eq!(column("area")?.null_count(), 1);
        assert_eq!(column("days")?.dtype(), &DataType::Int64);
        assert_eq!(column("mean")?.dtype(), &DataType::Float64);
        assert_eq!(column("first")?.dtype(), &DataType::Date);
        // 2019-09-01 is day 18 140 after 1970-01-01.
        let days = column("first")?.cast(&DataType::Int32).map_err(parquet)?;
        assert_eq!(days.i32().map_err(parquet)?.get(0), Some(18_140));
        Ok(())
    }
}
