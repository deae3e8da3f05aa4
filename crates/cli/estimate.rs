//! `deltid estimate`: the plan's table for a scenario and its counts.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::ValueEnum;
use deltid::report::{Daily, Format, Report};
use deltid::{AreaCode, CountsColumns, Period, Selection};

use crate::Failure;
use crate::output::Output;

/// Estimate present population, part-time residents and guest-nights.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  deltid estimate --scenario data/hallingdal/plan-2021.toml\n  \
    deltid estimate --scenario data/hallingdal/ssb-2020.toml --from 2020-01-01 --to 2021-01-01 \
    --format csv --daily --output daily-2020.csv"
)]
pub struct Args {
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
    /// Replace an existing --output file.
    #[arg(long, requires = "output")]
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

pub fn run(args: Args) -> Result<(), Failure> {
    let (format, daily) = match (args.format, args.daily) {
        (FormatArg::Table, true) => {
            return Err(Failure::usage(anyhow::anyhow!(
                "--daily needs --format csv or --format json"
            )));
        }
        (FormatArg::Table, false) => (Format::Table, Daily::Omit),
        (FormatArg::Csv, d) => (Format::Csv, if d { Daily::Include } else { Daily::Omit }),
        (FormatArg::Json, d) => (Format::Json, if d { Daily::Include } else { Daily::Omit }),
    };
    let selection = Selection {
        period: Period::new(args.from, args.to)?,
        areas: args.area.iter().map(AreaCode::new).collect(),
    };
    let columns = CountsColumns {
        date: args.date_column,
        area: args.area_column,
        count: args.count_column,
    };
    let output = Output::new(args.output, args.force)?;
    let report = Report::run(&args.scenario, args.counts.as_deref(), &columns, &selection)?;
    output.write(|out| report.write(format, daily, out))?;
    Ok(())
}
