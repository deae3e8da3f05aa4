//! `deltid sql`: the scenario's estimate as one SQL query, for a warehouse or Spark.

use std::path::PathBuf;

use clap::ValueEnum;
use deltid::sql::{DEFAULT_TABLE, Dialect, Rows, SqlOptions, to_sql};
use deltid::{Measure, Plan, Selection};

use crate::Failure;
use crate::output::Output;

/// Print the scenario's estimate as one SQL query over a counts table (columns date, area,
/// count), so the same model runs in DuckDB, Spark or PostgreSQL.
///
/// The query gives one row per area and a last one for the region (days, first and last day,
/// means per day, guest-nights per year by the plan's rule), or with --daily one row per area
/// and day and then the region's days, equal to deltid's own estimate on the same counts. It
/// stops, as deltid does, on rows it cannot place in an area, a repeated day, a count that is
/// no number of persons and a date it cannot read unambiguously.
///
/// For a scenario with [night] (or with --nights) the table holds hourly or time-point counts
/// (ts, area, count), reduced in the query to one count per area and night by the window and
/// rule of [night] in the scenario's time_zone, and estimated by the plan for nights (only the
/// residents at home deducted), as deltid estimate does on the same counts; with
/// [night] residents = "baseline", the residents at home are each area's median present
/// persons over the reference nights in the table, computed in the query.
///
/// --from and --to select the days estimated as for deltid estimate: nights by their evening
/// date; for counts split by origin the split's days, or for the previous-night origin its
/// nights. A baseline of residents at home is taken from every reference night in the table,
/// whatever the period.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  deltid sql --scenario data/hallingdal/plan-2021.toml --dialect duckdb \
    --output estimate.sql\n  deltid sql --scenario data/hallingdal/ssb-2020.toml --dialect spark \
    --table telecom.daily_counts --daily\n\nThe table needs one row per area and day: date (DATE), \
    area (text or a whole number: codes, labels or names, read as deltid reads them, \
    [area_codes] included), count (persons).\n\nNight counts (a scenario with [night], or --nights): \
    one row per area and instant: ts (text, TIMESTAMP WITH TIME ZONE, or TIMESTAMP of local time \
    in the scenario's time_zone), area, count; DuckDB or PostgreSQL.\n  deltid sql --scenario \
    data/hourly/scenario.toml --dialect duckdb --table hourly_counts\n\nA scenario with [origin] \
    reads a split instead: date, area, origin, count (-1 for a suppressed cell), one row per date, area and origin; the \
    query gives the figures of `deltid estimate` on the split (date, area, name, figure, low, high, \
    exact, high_excluded, zero_filled):\n  deltid sql --scenario data/home-split/scenario.toml \
    --dialect duckdb --table split"
)]
pub struct Args {
    /// Scenario file (TOML): uplift, areas, deductions.
    #[arg(long, value_name = "FILE")]
    scenario: PathBuf,
    /// The SQL dialect to write.
    #[arg(long, value_enum)]
    dialect: DialectArg,
    /// One row per area and day instead of one per area.
    #[arg(long)]
    daily: bool,
    /// The table holds hourly counts (ts, area, count): reduce them to nights and estimate
    /// them by the plan for nights, as `deltid estimate` does with hourly counts (implied by
    /// [night] in the scenario).
    #[arg(long)]
    nights: bool,
    // --from and --to, as `deltid estimate` takes them.
    #[command(flatten)]
    period: crate::input::PeriodArgs,
    /// The counts table (NAME or SCHEMA.NAME; each part quoted, so its case is kept).
    #[arg(long, default_value = DEFAULT_TABLE, value_name = "NAME", value_parser = table_name)]
    table: String,
    /// Write to FILE instead of stdout (atomically; an existing file needs --force).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Replace an existing --output file.
    #[arg(long, requires = "output")]
    force: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum DialectArg {
    Duckdb,
    Spark,
    Postgres,
}

/// Checks --table as the library does, so that clap names the option in the message.
fn table_name(table: &str) -> Result<String, String> {
    match SqlOptions::new(table, Rows::Summary) {
        Ok(_) => Ok(table.to_owned()),
        Err(deltid::Error::InvalidOption { reason, .. }) => Err(reason),
        Err(other) => Err(other.to_string()),
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    let rows = if args.daily {
        Rows::Daily
    } else {
        Rows::Summary
    };
    let options = SqlOptions::new(&args.table, rows)?;
    let dialect = match args.dialect {
        DialectArg::Duckdb => Dialect::DuckDb,
        DialectArg::Spark => Dialect::Spark,
        DialectArg::Postgres => Dialect::Postgres,
    };
    let selection = Selection {
        period: args.period.period()?,
        areas: Vec::new(),
    };
    let output = Output::new(args.output, args.force)?;
    let scenario = crate::input::read_scenario(&args.scenario)?;
    if !scenario.disclosure().is_off() {
        return Err(anyhow::anyhow!(
            "{}: the scenario asks for small-count protection ([disclosure]), which the SQL export does not apply: run `deltid estimate` for protected figures, or remove [disclosure] for an unprotected query",
            scenario.path().display()
        )
        .into());
    }
    output.refuse_inputs_of("--output", &crate::output::inputs_of(&scenario, &[]))?;
    let plan = if args.nights {
        Plan::for_measure(&scenario, &selection, Measure::Night)?
    } else {
        Plan::new(&scenario, &selection)?
    };
    let sql = to_sql(&plan, dialect, &options)?;
    output.write(|out| Ok(out.write_all(sql.as_bytes())?))?;
    Ok(())
}
