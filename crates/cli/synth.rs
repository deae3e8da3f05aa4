//! `deltid synth`: synthetic daily counts of any size, deterministic for a seed.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::NaiveDate;
use deltid::synth::Synth;

use crate::Failure;
use crate::output::{Output, commit};

/// Generate synthetic daily counts (CSV: date, area, count) with a cabin region's shape.
///
/// The daily shape is made up (ski-season weekends, winter and Easter holidays, summer,
/// autumn holiday, quiet shoulder seasons); the region's mean per day is met exactly.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  the shipped Hallingdal counts:\n  deltid synth --start 2019-09-01 \
    --days 547 --seed 2021 --mean 46724 --output data/hallingdal/counts.csv\n  1 000 areas x 1 000 \
    days (1 M rows) with a scenario to estimate them:\n  deltid synth --areas 1000 --days 1000 \
    --mean 7800000 --output counts.csv --scenario scenario.toml\n  deltid estimate --scenario \
    scenario.toml"
)]
pub struct Args {
    /// Areas: `hallingdal` (its six municipalities) or a number of made-up areas.
    #[arg(long, default_value = "hallingdal", value_name = "hallingdal|N")]
    areas: Areas,
    /// First day (yyyy-mm-dd).
    #[arg(long, default_value = "2019-09-01", value_name = "DATE")]
    start: NaiveDate,
    /// Number of consecutive days (at most 365 250, 1 000 years).
    #[arg(long, default_value_t = 547,
        value_parser = clap::value_parser!(u32).range(1..=i64::from(deltid::synth::MAX_DAYS)))]
    days: u32,
    /// Seed: the same seed and arguments always give the same file.
    #[arg(long, default_value_t = 2021, allow_negative_numbers = true, value_parser = crate::seed)]
    seed: u64,
    /// The region's mean persons per day (sum over areas; at most 1e9; 46 724 if not given).
    /// Daily counts only: --hourly and --home-split refuse it (their people are the residents
    /// and the guests of the holiday homes, a known truth, not scaled to a mean).
    #[arg(long, value_name = "PERSONS", allow_negative_numbers = true, value_parser = mean)]
    mean: Option<f64>,
    /// Write to FILE instead of stdout (atomically; an existing file needs --force).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write a scenario (TOML) for these counts to FILE: the areas with their codes and
    /// names, uplift 6 %, and per area `residents` (the generator's, in the units of the
    /// counts), `commuters`, `transit` and `day_visitors` (5 % of residents each). With
    /// --output, its `counts` key names that file. Written atomically; an existing file needs
    /// --force.
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    /// Hourly counts with a known truth instead (CSV: ts, area, count; RFC 3339 times in
    /// Europe/Oslo): residents asleep at home, guests sleeping by the calendar's occupancy of
    /// the holiday homes, day visitors only by day (--mean is refused). --scenario then
    /// writes a scenario for nights (uplift 0, registered residents, `[night]`).
    #[arg(long)]
    hourly: bool,
    /// Counts split by home zone with a known truth instead (CSV: date, area, origin, count;
    /// the origin is where the person slept the night before, as Telia's home zone), the same
    /// people as --hourly on the --days days after --start: residents and guests counted by
    /// where they slept, commuters in the next area, day visitors from Oslo, Bærum, Drammen,
    /// Sweden, Germany and Denmark; cells under 5 persons deleted and an area `total` row each
    /// day (--mean is refused). --scenario then writes a scenario with `[origin]`.
    #[arg(long, conflicts_with = "hourly")]
    home_split: bool,
    /// With --hourly or --home-split: also write the true guest-nights (CSV: date, area,
    /// guest_nights; the night labelled by its evening date) to FILE.
    #[arg(long, value_name = "FILE")]
    truth: Option<PathBuf>,
    /// Replace existing --output and --scenario files.
    #[arg(long)]
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
                .ok()
                .filter(|n| (1..=deltid::synth::MAX_AREAS).contains(n))
                .map(Areas::Count)
                .ok_or_else(|| {
                    format!(
                        "expected `hallingdal` or a number of areas from 1 to {}, got {n:?}",
                        deltid::synth::MAX_AREAS
                    )
                }),
        }
    }
}

/// A mean in persons per day: 0 to [`deltid::synth::MAX_MEAN`].
fn mean(text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|m| (0.0..=deltid::synth::MAX_MEAN).contains(m))
        .ok_or_else(|| {
            format!(
                "expected persons per day from 0 to {:e}, got {text:?}",
                deltid::synth::MAX_MEAN
            )
        })
}

/// The region's mean persons per day when --mean is not given (the shipped Hallingdal counts').
const DEFAULT_MEAN: f64 = 46_724.0;

pub fn run(args: Args) -> Result<(), Failure> {
    if args.mean.is_some() && (args.hourly || args.home_split) {
        return Err(Failure::usage(anyhow::anyhow!(
            "--mean is for daily counts: {} counts residents and the guests of the holiday homes by the calendar (a known truth), which a mean would not scale; leave --mean out",
            if args.hourly {
                "--hourly"
            } else {
                "--home-split"
            }
        )));
    }
    let mean = args.mean.unwrap_or(DEFAULT_MEAN);
    let synth = match args.areas {
        Areas::Hallingdal => Synth::hallingdal(args.start, args.days, args.seed, mean),
        Areas::Count(n) => Synth::generic(n, args.start, args.days, args.seed, mean),
    };
    if args.truth.is_some() && !args.hourly && !args.home_split {
        return Err(Failure::usage(anyhow::anyhow!(
            "--truth needs --hourly or --home-split (the daily counts have no night truth)"
        )));
    }
    if args.force && args.output.is_none() && args.scenario.is_none() {
        return Err(Failure::usage(anyhow::anyhow!(
            "--force needs --output or --scenario"
        )));
    }
    // Both targets are checked before any work, so a refused file costs nothing.
    let output = Output::new(args.output.clone(), args.force)?;
    let scenario = args
        .scenario
        .as_ref()
        .map(|path| Output::new(Some(path.clone()), args.force).map(|o| (path, o)))
        .transpose()?;
    if let Some((_, scenario)) = &scenario {
        scenario.refuse_same(&output, ("--scenario", "--output"))?;
    }
    // Both are written before either lands.
    let mut staged = Vec::new();
    if let Some((path, scenario)) = &scenario {
        let counts = args
            .output
            .as_deref()
            .and_then(|counts| counts_key(counts, path));
        let toml = if args.home_split {
            synth.home_split_scenario_toml(counts.as_deref())
        } else if args.hourly {
            synth.hourly_scenario_toml(counts.as_deref())
        } else {
            synth.scenario_toml(counts.as_deref())?
        };
        staged.push(scenario.stage(|out| Ok(out.write_all(toml.as_bytes())?))?);
    }
    if let Some(path) = &args.truth {
        let truth = Output::new(Some(path.clone()), args.force)?;
        truth.refuse_same(&output, ("--truth", "--output"))?;
        if let Some((_, scenario)) = &scenario {
            truth.refuse_same(scenario, ("--truth", "--scenario"))?;
        }
        let rows = synth.night_truth()?;
        staged.push(truth.stage(|out| {
            writeln!(out, "date,area,guest_nights")?;
            for (date, area, guests) in &rows {
                writeln!(out, "{date},{},{guests}", synth.areas[*area].code)?;
            }
            Ok(())
        })?);
    }
    if args.home_split {
        staged.push(output.stage(|out| synth.write_home_split_csv(out))?);
    } else if args.hourly {
        staged.push(output.stage(|out| synth.write_hourly_csv(out))?);
    } else {
        staged.push(output.stage(|out| synth.write_csv(out))?);
    }
    commit(staged)?;
    Ok(())
}

/// The counts file as the scenario's `counts` key: relative to the scenario's folder when the
/// counts lie in it or below, else absolute; `None` if the path is not UTF-8.
fn counts_key(counts: &Path, scenario: &Path) -> Option<String> {
    // The counts file may not exist yet (both land together): its folder does.
    let counts = std::fs::canonicalize(counts).ok().or_else(|| {
        let folder = counts.parent().filter(|f| !f.as_os_str().is_empty());
        let folder = std::fs::canonicalize(folder.unwrap_or(Path::new("."))).ok()?;
        Some(folder.join(counts.file_name()?))
    })?;
    let folder = scenario.parent().filter(|f| !f.as_os_str().is_empty());
    let folder = std::fs::canonicalize(folder.unwrap_or(Path::new("."))).ok()?;
    let key = counts.strip_prefix(&folder).unwrap_or(&counts);
    key.to_str().map(str::to_owned)
}
