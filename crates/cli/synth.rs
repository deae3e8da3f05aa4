//! `deltid synth`: synthetic daily counts of any size, deterministic for a seed.

use std::path::PathBuf;
use std::str::FromStr;

use chrono::NaiveDate;
use deltid::synth::Synth;

use crate::Failure;
use crate::output::Output;

/// Generate synthetic daily counts (CSV: date, area, count) with a cabin region's shape.
///
/// The daily shape is made up (ski-season weekends, winter and Easter holidays, summer,
/// autumn holiday, quiet shoulder seasons); the region's mean per day is met exactly.
#[derive(clap::Args)]
#[command(
    after_help = "Example (the shipped Hallingdal counts):\n  deltid synth --start 2019-09-01 \
    --days 547 --seed 2021 --mean 46724 --output data/hallingdal/counts.csv"
)]
pub struct Args {
    /// Areas: `hallingdal` (its six municipalities) or a number of made-up areas.
    #[arg(long, default_value = "hallingdal", value_name = "hallingdal|N")]
    areas: Areas,
    /// First day (yyyy-mm-dd).
    #[arg(long, default_value = "2019-09-01", value_name = "DATE")]
    start: NaiveDate,
    /// Number of consecutive days.
    #[arg(long, default_value_t = 547)]
    days: u32,
    /// Seed: the same seed and arguments always give the same file.
    #[arg(long, default_value_t = 2021)]
    seed: u64,
    /// The region's mean persons per day (sum over areas).
    #[arg(long, default_value_t = 46_724.0, value_name = "PERSONS")]
    mean: f64,
    /// Write to FILE instead of stdout (atomically; an existing file needs --force).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Replace an existing --output file.
    #[arg(long, requires = "output")]
    force: bool,
}

#[derive(Clone, Copy)]
enum Areas {
    Hallingdal,
    Count(u32),
}

impl FromStr for Areas {
    type Err = String;
    fn from_str(s: &str) -> Result<Areas, String> {
        match s {
            "hallingdal" => Ok(Areas::Hallingdal),
            n => n
                .parse()
                .map(Areas::Count)
                .map_err(|_| format!("expected `hallingdal` or a number of areas, got {n:?}")),
        }
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    let synth = match args.areas {
        Areas::Hallingdal => Synth::hallingdal(args.start, args.days, args.seed, args.mean),
        Areas::Count(n) => Synth::generic(n, args.start, args.days, args.seed, args.mean),
    };
    let output = Output::new(args.output, args.force)?;
    output.write(|out| synth.write_csv(out))?;
    Ok(())
}
