//! The arguments every estimating subcommand shares: scenario, counts, selection, output.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::ValueEnum;
use deltid::report::{Daily, Format};
use deltid::{AreaCode, CountsColumns, Period, Selection};

use crate::Failure;
use crate::output::Output;

/// The arguments every estimating subcommand takes: scenario, counts, selection, output.
#[derive(clap::Args)]
pub struct Input {
    /// Scenario file (TOML): uplift, areas, deductions, and optionally the counts file.
    #[arg(long, value_name = "FILE")]
    scenario: PathBuf,
    /// Daily counts (CSV: date, area, count); overrides the scenario's `counts`.
    #[arg(long, value_name = "FILE")]
    counts: Option<PathBuf>,
    /// First day to include (yyyy-mm-dd).
    #[arg(long, value_name = "DATE")]
    from: Option<NaiveDate>,
    /// First day NOT to include (yyyy-mm-dd): the period is half-open, so
    /// --from 2020-01-01 --to 2021-01-01 is the year 2020.
    #[arg(long, value_name = "DATE")]
    to: Option<NaiveDate>,
    /// Only these area codes (repeat, or separate with commas); the region line is their sum.
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    area: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    format: FormatArg,
    /// Include the per-day rows (CSV: the daily rows instead of the summary; JSON: both).
    #[arg(long)]
    daily: bool,
    /// Write to FILE instead of stdout (atomically; an existing file needs --force).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Replace existing output files.
    #[arg(long)]
    force: bool,
    /// Name of the date column in the counts.
    #[arg(long, default_value = "date", value_name = "NAME")]
    date_column: String,
    /// Name of the area-code column in the counts.
    #[arg(long, default_value = "area", value_name = "NAME")]
    area_column: String,
    /// Name of the count column in the counts.
    #[arg(long, default_value = "count", value_name = "NAME")]
    count_column: String,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Table,
    Csv,
    Json,
}

/// [`Input`] turned into library values, with the output checked before any work.
pub struct Resolved {
    pub scenario: PathBuf,
    pub counts: Option<PathBuf>,
    pub columns: CountsColumns,
    pub selection: Selection,
    pub format: Format,
    pub daily: Daily,
    pub output: Output,
    pub force: bool,
}

impl Input {
    /// Checks the arguments that clap cannot, and builds the library's values;
    /// `other_file` tells whether the subcommand writes a file of its own (a chart), which
    /// `--force` may replace too.
    pub fn resolve(self, other_file: bool) -> Result<Resolved, Failure> {
        let (format, daily) = match (self.format, self.daily) {
            (FormatArg::Table, true) => {
                return Err(Failure::usage(anyhow::anyhow!(
                    "--daily needs --format csv or --format json"
                )));
            }
            (FormatArg::Table, false) => (Format::Table, Daily::Omit),
            (FormatArg::Csv, d) => (Format::Csv, daily(d)),
            (FormatArg::Json, d) => (Format::Json, daily(d)),
        };
        if self.force && self.output.is_none() && !other_file {
            return Err(Failure::usage(anyhow::anyhow!(
                "--force replaces output files: give --output FILE too"
            )));
        }
        Ok(Resolved {
            selection: Selection {
                period: Period::new(self.from, self.to)?,
                areas: self.area.iter().map(AreaCode::new).collect(),
            },
            columns: CountsColumns {
                date: self.date_column,
                area: self.area_column,
                count: self.count_column,
            },
            output: Output::new(self.output, self.force)?,
            scenario: self.scenario,
            counts: self.counts,
            format,
            daily,
            force: self.force,
        })
    }
}

fn daily(asked: bool) -> Daily {
    if asked { Daily::Include } else { Daily::Omit }
}
