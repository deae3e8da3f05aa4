//! `deltid estimate`: the plan's table for a scenario and its counts.

use clap::ValueEnum;
use deltid::annualise::{Annualisation, NegativePolicy};
use deltid::report::{Daily, Format, Report};
use deltid::uncertainty::{self, UncertaintyOptions};

use crate::Failure;
use crate::input::Input;
use crate::stream;

/// Estimate present population, part-time residents and guest-nights.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  deltid estimate --scenario data/hallingdal/plan-2021.toml\n  \
    deltid estimate --scenario data/hallingdal/plan-2021.toml --annualise season-balanced\n  \
    deltid estimate --scenario data/hallingdal/ssb-2020.toml --from 2020-01-01 --to 2021-01-01 \
    --format csv --daily --output daily-2020.csv\n  \
    deltid estimate --scenario national.toml --counts national.parquet --stream --format csv"
)]
pub struct Args {
    #[command(flatten)]
    input: Input,
    /// Also give guest-nights per year by this method, with coverage, beside the plan's rule
    /// (table and JSON outputs).
    #[arg(long, value_enum, value_name = "METHOD")]
    annualise: Option<Method>,
    /// Negative days (more deducted than present) in the yearly figures.
    #[arg(long, value_enum, value_name = "POLICY", requires = "annualise")]
    negative: Option<Policy>,
    /// Also give intervals: a Monte Carlo over the scenario's ranges (P5, P50, P95, and which
    /// parameter moves the result most) and a block-bootstrap interval for the mean per day.
    #[arg(long)]
    uncertainty: bool,
    /// Monte Carlo draws (and bootstrap resamples) for --uncertainty.
    #[arg(long, value_name = "N", requires = "uncertainty", default_value_t = uncertainty::DEFAULT_DRAWS,
        value_parser = clap::value_parser!(u32).range(i64::from(uncertainty::MIN_DRAWS)..))]
    draws: u32,
    /// Seed of the draws for --uncertainty: the same seed gives the same intervals.
    #[arg(long, value_name = "N", requires = "uncertainty", default_value_t = uncertainty::DEFAULT_SEED)]
    seed: u64,
    /// Stream the counts through polars' streaming engine instead of reading them into memory:
    /// for files larger than memory (long CSV with ISO dates, or Parquet). Gives the summary
    /// only (no --daily, --annualise or --uncertainty). Chosen by itself for a counts file
    /// over 1 GiB when nothing else needs the rows in memory.
    #[arg(long, conflicts_with_all = ["annualise", "uncertainty", "in_memory"])]
    stream: bool,
    /// Read the counts into memory even when the file is over 1 GiB.
    #[arg(long)]
    in_memory: bool,
}

/// Above this size a counts file is streamed unless something needs its rows in memory.
const STREAM_ABOVE_BYTES: u64 = 1 << 30;

#[derive(Clone, Copy, ValueEnum)]
enum Method {
    /// Mean per day × 365.
    Plan,
    /// Sum over a fully counted calendar year.
    Calendar,
    /// Missing days filled from a seasonal model; years averaged.
    SeasonBalanced,
}

#[derive(Clone, Copy, ValueEnum)]
enum Policy {
    Keep,
    ClampDay,
    ClampPeriod,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let input = args.input.resolve(false)?;
    let needs_rows = args.annualise.is_some()
        || args.uncertainty
        || input.daily == Daily::Include
        || input.format == Format::Parquet;
    let counts = stream::counts_path(&input)?;
    let large = std::fs::metadata(&counts).is_ok_and(|m| m.len() > STREAM_ABOVE_BYTES);
    if args.stream || (large && !needs_rows && !args.in_memory && stream::can_stream(&input)) {
        if !args.stream {
            eprintln!(
                "note: {} is over 1 GiB: streaming it (summary only; --in-memory to read it whole)",
                counts.display()
            );
        }
        return stream::run(&input, &counts);
    }
    let bar = stream::progress_bar();
    if let Some(bar) = &bar {
        bar.set_message("reading the counts and estimating (in memory)");
    }
    let report = Report::run(
        &input.scenario,
        input.counts.as_deref(),
        &input.counts_options,
        &input.selection,
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let mut report = report?;
    if let Some(method) = args.annualise {
        let method = match method {
            Method::Plan => Annualisation::Plan,
            Method::Calendar => Annualisation::Calendar,
            Method::SeasonBalanced => Annualisation::SeasonBalanced,
        };
        let negative = match args.negative.unwrap_or(Policy::Keep) {
            Policy::Keep => NegativePolicy::Keep,
            Policy::ClampDay => NegativePolicy::ClampDay,
            Policy::ClampPeriod => NegativePolicy::ClampPeriod,
        };
        report.annualise(method, negative)?;
    }
    if args.uncertainty {
        let resamples = args.draws.min(uncertainty::DEFAULT_RESAMPLES);
        report.quantify_uncertainty(&UncertaintyOptions::new(args.draws, resamples, args.seed)?)?;
    }
    input
        .output
        .write(|out| report.write(input.format, input.daily, out))?;
    Ok(())
}
