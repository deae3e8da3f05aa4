//! The arguments every estimating subcommand shares: scenario, counts, selection, output.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::ValueEnum;
use clap::builder::TypedValueParser;
use deltid::output::{self, CsvStyle, Daily, Format};
use deltid::{
    AreaCode, CountsColumns, CountsOptions, DateFormat, Encoding, NumberStyle, Period, Selection,
    Shape, SourceOptions,
};

use crate::Failure;
use crate::output::{Output, Staged};

/// Whether the user declared the date format (`--date-format`): then a date that does not
/// read gets no hint to declare it.
pub static DATE_FORMAT_GIVEN: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Whether the scenario, with the tables it names, has been read: a reading error before that
/// is a table's, whose columns are named in the scenario, not by the counts' options.
pub static SCENARIO_READ: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Reads the scenario (and the tables it names), noting that it was read ([`SCENARIO_READ`]).
pub fn read_scenario(path: &std::path::Path) -> deltid::Result<deltid::Scenario> {
    let scenario = deltid::read_scenario(path)?;
    SCENARIO_READ.store(true, std::sync::atomic::Ordering::Relaxed);
    Ok(scenario)
}

/// The arguments every estimating subcommand takes: scenario, counts, selection, output.
#[derive(clap::Args)]
pub struct Input {
    /// Scenario file (TOML): uplift, areas, deductions, and optionally the counts file.
    #[arg(long, value_name = "FILE")]
    scenario: PathBuf,
    /// Daily counts (CSV: date, area, count); overrides the scenario's `counts`.
    #[arg(long, value_name = "FILE")]
    counts: Option<PathBuf>,
    #[command(flatten)]
    period: PeriodArgs,
    /// Only these area codes (repeat, or separate with commas); the region line is their sum.
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    area: Vec<String>,
    /// Output format; xlsx and parquet are binary files and need --output. By default the
    /// extension of --output (.csv, .json, .xlsx, .parquet), else table.
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// CSV output: the character between fields (Excel with a decimal comma reads `;`).
    #[arg(long, value_enum, value_name = "CHAR")]
    delimiter: Option<CsvDelimiterArg>,
    /// CSV output: the decimal mark (comma for Norwegian Excel, with --delimiter ';' or tab).
    #[arg(long, value_enum, value_name = "MARK")]
    decimal: Option<CsvDecimalArg>,
    /// Include the per-day rows (CSV: the daily rows instead of the summary; JSON: both;
    /// xlsx and parquet always hold them).
    #[arg(long)]
    daily: bool,
    /// Write to FILE instead of stdout (atomically; an existing file needs --force).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Replace existing output files.
    #[arg(long)]
    force: bool,
    /// Language of labels, headers, notes and charts: nn (nynorsk, the plan's own), nb
    /// (bokmål) or en; the scenario's `language` by default, else en.
    #[arg(long, value_name = "LANG", value_parser = clap::builder::PossibleValuesParser::new(["nn", "nb", "en"]).map(|s| s.parse::<deltid::Language>().unwrap_or_default()))]
    lang: Option<deltid::Language>,
    /// Name of the date column in the counts (by default also `dato`).
    #[arg(long, default_value = "date", value_name = "NAME")]
    date_column: String,
    /// Name of the area-code column in the counts (by default also `kommunenummer`,
    /// `kommunenr`, `kommune` or `område`).
    #[arg(long, default_value = "area", value_name = "NAME")]
    area_column: String,
    /// Name of the count column in the counts (by default also `antall`, `personer` or
    /// `personar`).
    #[arg(long, default_value = "count", value_name = "NAME")]
    count_column: String,
    /// Name of the column of foreign SIMs (inbound roamers) among the count, if the counts are
    /// split by SIM origin; scaled by the scenario's `[scaling] foreign` factor instead of the
    /// uplift. Implies the long layout.
    #[arg(long, value_name = "NAME")]
    foreign_column: Option<String>,
    /// Name of the timestamp column of hourly or time-point counts (`ts, area, count`): RFC 3339
    /// with an offset, or local times in the scenario's `time_zone` (Europe/Oslo by default).
    /// Without it, a header with no date column but `ts`, `time`, `timestamp` or `tidspunkt` is
    /// read as hourly counts. Hourly counts are reduced to night counts (the scenario's
    /// `[night]` window and rule, by default the minimum over 01:00-05:00) and estimated by the
    /// plan for nights: only residents are deducted.
    #[arg(long, value_name = "NAME")]
    time_column: Option<String>,
    /// Name of the origin column of counts split by origin (`date, area, origin, count`), read
    /// when the scenario declares `[origin]` (kind and the operator's min_count); by default
    /// `origin`, `opprinnelse`, `home` or `heimstad`. Origins are area codes, other
    /// municipalities (four digits), countries (two letters) or `total`; a count of -1 marks
    /// a suppressed cell.
    #[arg(long, value_name = "NAME")]
    origin_column: Option<String>,
    /// Layout of the counts: long (date, area, count) or wide (a date column, one column per
    /// area); detected from the header by default.
    #[arg(long, value_enum, default_value_t = ShapeArg::Auto)]
    shape: ShapeArg,
    /// Separator of a CSV counts file (`,`, `;` or `tab`); detected by default.
    #[arg(long, value_name = "CHAR")]
    counts_delimiter: Option<CountsDelimiter>,
    /// Text encoding of a CSV counts file.
    #[arg(long, value_enum, default_value_t = EncodingArg::Auto)]
    encoding: EncodingArg,
    /// Sheet of a spreadsheet counts file (.xlsx, .xls, .ods); the first by default.
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// Decimal mark in the counts: `auto` reads a lone `.` or `,` as decimal and refuses
    /// `1,234`-like numbers, which could be thousands.
    #[arg(long, value_enum, default_value_t = CountsDecimalArg::Auto)]
    counts_decimal: CountsDecimalArg,
    /// `.` separates thousands in the counts (`1.234,5`); needs --counts-decimal comma.
    #[arg(long)]
    thousands_dot: bool,
    /// Date format of the counts: a chrono pattern such as `%d/%m/%Y`, or `excel` for Excel
    /// serial numbers; detected by default (ISO, dd.mm.yyyy, Excel serials, …).
    #[arg(long, value_name = "PATTERN")]
    date_format: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Table,
    Csv,
    Json,
    Xlsx,
    Parquet,
}

#[derive(Clone, Copy, ValueEnum)]
enum CsvDelimiterArg {
    #[value(name = ",", alias = "comma")]
    Comma,
    #[value(name = ";", alias = "semicolon")]
    Semicolon,
    #[value(name = "tab", alias = "\t")]
    Tab,
}

#[derive(Clone, Copy, ValueEnum)]
enum CsvDecimalArg {
    Point,
    Comma,
}

/// The period of days (for night counts, nights by their evening date) a subcommand
/// estimates: `--from` and `--to`, shared by every subcommand that takes them.
#[derive(clap::Args)]
pub struct PeriodArgs {
    /// First day to include (yyyy-mm-dd).
    #[arg(long, value_name = "DATE")]
    from: Option<NaiveDate>,
    /// First day NOT to include (yyyy-mm-dd): the period is half-open, so
    /// --from 2020-01-01 --to 2021-01-01 is the year 2020.
    #[arg(long, value_name = "DATE")]
    to: Option<NaiveDate>,
}

impl PeriodArgs {
    /// The period; a usage error when `--to` is not after `--from`.
    pub fn period(&self) -> Result<Period, Failure> {
        if let (Some(from), Some(to)) = (self.from, self.to)
            && to <= from
        {
            return Err(Failure::usage(anyhow::anyhow!(
                "--to {to} is not after --from {from}: the period is half-open, --to is the first day not included"
            )));
        }
        Ok(Period::new(self.from, self.to)?)
    }
}

/// [`Input`] turned into library values, with the output checked before any work.
pub struct Resolved {
    /// The scenario, read once (a national scenario may have a hundred thousand areas).
    pub scenario: deltid::Scenario,
    pub counts: Option<PathBuf>,
    pub counts_options: CountsOptions,
    pub selection: Selection,
    pub format: Format,
    pub daily: Daily,
    pub output: Output,
    /// The run record's sidecar `FILE.run.json`, for CSV and Parquet written to a file.
    pub record: Option<Output>,
    pub force: bool,
    /// Every file the run reads (scenario, counts, tables, mapping): no output may be one.
    pub inputs: Vec<PathBuf>,
    /// `--lang`, when given.
    pub language: Option<deltid::Language>,
}

impl Resolved {
    /// Where a section's table goes beside a CSV output written to a regular file:
    /// `NAME.<key>.csv` beside `NAME.csv` (checked as `--output` is: an existing file needs
    /// `--force`, an input is refused); `None` for other formats and for standard output or
    /// a device.
    pub fn beside(&self, key: &str) -> Result<Option<Output>, Failure> {
        if !matches!(self.format, Format::Csv(_)) {
            return Ok(None);
        }
        self.beside_table(key)
    }

    /// As [`Resolved::beside`], for CSV and Parquet outputs (files of one table each):
    /// `NAME.<key>.csv` beside `NAME.csv`, `NAME.<key>.parquet` beside `NAME.parquet`.
    pub fn beside_table(&self, key: &str) -> Result<Option<Output>, Failure> {
        let Some(beside) = self.beside_path(key) else {
            return Ok(None);
        };
        let output = Output::new(Some(beside), self.force)?;
        output.refuse_inputs_of("a table beside --output", &self.inputs)?;
        Ok(Some(output))
    }

    /// The path of the table `key` beside a CSV or Parquet `--output` file (see
    /// [`Resolved::beside_table`]); `None` for other outputs.
    pub fn beside_path(&self, key: &str) -> Option<PathBuf> {
        let extension = match self.format {
            Format::Csv(_) => "csv",
            Format::Parquet => "parquet",
            _ => return None,
        };
        let Output::File { path, .. } = &self.output else {
            return None;
        };
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let same = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case(extension));
        let stem = if same {
            path.file_stem().unwrap_or_default().to_string_lossy()
        } else {
            name
        };
        Some(path.with_file_name(format!("{stem}.{key}.{extension}")))
    }

    /// Stages the result and its run record, to land together (with [`commit`]) or not at all.
    pub fn stage(
        &self,
        record: &deltid::RunRecord,
        write: impl FnOnce(&mut dyn std::io::Write) -> deltid::Result<()>,
    ) -> anyhow::Result<Vec<Staged>> {
        let mut staged = Vec::new();
        if let Some(sidecar) = &self.record {
            staged.push(sidecar.stage(|out| output::write_record(record, out))?);
        }
        // Last: standard output is written at once.
        staged.push(self.output.stage(write)?);
        Ok(staged)
    }
}

/// The command line, program name first, for the run record.
pub fn command_line() -> Vec<String> {
    std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

impl Input {
    /// Checks the arguments that clap cannot, and builds the library's values;
    /// `other_file` tells whether the subcommand writes a file of its own (a chart), which
    /// `--force` may replace too.
    pub fn resolve(self, other_file: bool) -> Result<Resolved, Failure> {
        let format = self.format()?;
        let daily = match (format, self.daily) {
            (Format::Table, true) => {
                return Err(Failure::usage(anyhow::anyhow!(
                    "--daily needs --format csv or --format json (xlsx and parquet always hold the daily rows)"
                )));
            }
            (_, true) => Daily::Include,
            (_, false) => Daily::Omit,
        };
        if format.is_binary() && self.output.is_none() {
            return Err(Failure::usage(anyhow::anyhow!(
                "--format {} writes a binary file, not text for a terminal: give --output FILE",
                self.format_arg()?
                    .to_possible_value()
                    .map(|v| v.get_name().to_owned())
                    .unwrap_or_default()
            )));
        }
        if self.thousands_dot && self.counts_decimal != CountsDecimalArg::Comma {
            return Err(Failure::usage(anyhow::anyhow!(
                "--thousands-dot needs --counts-decimal comma (a `.` between thousands, as in 1.234,5)"
            )));
        }
        DATE_FORMAT_GIVEN.store(
            self.date_format.is_some(),
            std::sync::atomic::Ordering::Relaxed,
        );
        if self.force && self.output.is_none() && !other_file {
            return Err(Failure::usage(anyhow::anyhow!(
                "--force replaces output files: give --output FILE too"
            )));
        }
        let period = self.period.period()?;
        let output = Output::new(self.output, self.force)?;
        // A core is idle while the scenario is read: the run record's hash of a counts file
        // the reader does not hash itself (Parquet, a workbook) is taken meanwhile.
        if let Some(counts) = &self.counts {
            deltid::hash_ahead(counts);
        }
        let scenario = read_scenario(&self.scenario)?;
        let inputs = crate::output::inputs_of(&scenario, self.counts.as_slice());
        output.refuse_inputs_of("--output", &inputs)?;
        // A sidecar only beside a regular file (not a device or a pipe written through).
        let record = match (&output, format) {
            (Output::File { path, .. }, Format::Csv(_) | Format::Parquet) => {
                let mut sidecar = path.to_path_buf().into_os_string();
                sidecar.push(".run.json");
                let sidecar = Output::new(Some(sidecar.into()), self.force)?;
                sidecar.refuse_inputs_of("the run record beside --output", &inputs)?;
                Some(sidecar)
            }
            _ => None,
        };
        Ok(Resolved {
            selection: Selection {
                period,
                areas: self.area.iter().map(AreaCode::new).collect(),
            },
            counts_options: CountsOptions {
                columns: CountsColumns {
                    date: self.date_column,
                    area: self.area_column,
                    count: self.count_column,
                    foreign: self.foreign_column,
                    time: self.time_column,
                    origin: self.origin_column,
                },
                shape: match self.shape {
                    ShapeArg::Auto => Shape::Auto,
                    ShapeArg::Long => Shape::Long,
                    ShapeArg::Wide => Shape::Wide,
                },
                source: SourceOptions {
                    delimiter: self.counts_delimiter.map(|d| d.0),
                    encoding: match self.encoding {
                        EncodingArg::Auto => Encoding::Auto,
                        EncodingArg::Utf8 => Encoding::Utf8,
                        EncodingArg::Windows1252 => Encoding::Windows1252,
                    },
                    sheet: self.sheet,
                },
                numbers: NumberStyle {
                    decimal: match self.counts_decimal {
                        CountsDecimalArg::Auto => None,
                        CountsDecimalArg::Point => Some(deltid::DecimalMark::Point),
                        CountsDecimalArg::Comma => Some(deltid::DecimalMark::Comma),
                    },
                    thousands_dot: self.thousands_dot,
                },
                dates: match self.date_format {
                    None => DateFormat::Auto,
                    Some(f) if f == "excel" => DateFormat::ExcelSerial,
                    Some(f) => DateFormat::pattern(&f).map_err(|reason| {
                        Failure::usage(anyhow::anyhow!("--date-format {reason}"))
                    })?,
                },
            },
            record,
            output,
            inputs,
            scenario,
            counts: self.counts,
            format,
            daily,
            force: self.force,
            language: self.lang,
        })
    }
}

impl Input {
    /// The format asked for: `--format`, else the extension of `--output`, else table. A
    /// `--format` that contradicts the extension is refused.
    fn format_arg(&self) -> Result<FormatArg, Failure> {
        let by_extension = self
            .output
            .as_ref()
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .and_then(|e| match e.to_ascii_lowercase().as_str() {
                "csv" => Some(FormatArg::Csv),
                "json" => Some(FormatArg::Json),
                "xlsx" => Some(FormatArg::Xlsx),
                "parquet" => Some(FormatArg::Parquet),
                _ => None,
            });
        match (self.format, by_extension) {
            (Some(format), Some(extension)) if format != extension => {
                let name = |f: FormatArg| {
                    f.to_possible_value()
                        .map(|v| v.get_name().to_owned())
                        .unwrap_or_default()
                };
                Err(Failure::usage(anyhow::anyhow!(
                    "--format {} but --output names a .{} file: give one or the other, or make them agree",
                    name(format),
                    name(extension)
                )))
            }
            (Some(format), _) => Ok(format),
            (None, Some(extension)) => Ok(extension),
            (None, None) => Ok(FormatArg::Table),
        }
    }

    /// The output format, with the CSV style checked.
    fn format(&self) -> Result<Format, Failure> {
        let chosen = self.format_arg()?;
        if !matches!(chosen, FormatArg::Csv) && (self.delimiter.is_some() || self.decimal.is_some())
        {
            return Err(Failure::usage(anyhow::anyhow!(
                "--delimiter and --decimal shape CSV output: give --format csv too"
            )));
        }
        Ok(match chosen {
            FormatArg::Table => Format::Table,
            FormatArg::Json => Format::Json,
            FormatArg::Xlsx => Format::Xlsx,
            FormatArg::Parquet => Format::Parquet,
            FormatArg::Csv => Format::Csv(
                CsvStyle::new(
                    match self.delimiter {
                        None | Some(CsvDelimiterArg::Comma) => output::Delimiter::Comma,
                        Some(CsvDelimiterArg::Semicolon) => output::Delimiter::Semicolon,
                        Some(CsvDelimiterArg::Tab) => output::Delimiter::Tab,
                    },
                    match self.decimal {
                        None | Some(CsvDecimalArg::Point) => output::DecimalMark::Point,
                        Some(CsvDecimalArg::Comma) => output::DecimalMark::Comma,
                    },
                )
                .map_err(Failure::usage)?,
            ),
        })
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ShapeArg {
    Auto,
    Long,
    Wide,
}

#[derive(Clone, Copy, ValueEnum)]
enum EncodingArg {
    Auto,
    #[value(name = "utf-8")]
    Utf8,
    #[value(name = "windows-1252", alias = "latin-1")]
    Windows1252,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CountsDecimalArg {
    Auto,
    Point,
    Comma,
}

/// A one-byte CSV separator: `,`, `;` or `tab`.
#[derive(Clone, Copy)]
struct CountsDelimiter(u8);

impl std::str::FromStr for CountsDelimiter {
    type Err = String;
    fn from_str(s: &str) -> Result<CountsDelimiter, String> {
        match s {
            "," => Ok(CountsDelimiter(b',')),
            ";" => Ok(CountsDelimiter(b';')),
            "tab" | "\t" => Ok(CountsDelimiter(b'\t')),
            other => Err(format!("expected `,`, `;` or `tab`, got {other:?}")),
        }
    }
}
