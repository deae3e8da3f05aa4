//! `deltid compare`: the residual, night and home-zone estimates side by side.

use std::path::PathBuf;

use clap::ValueEnum;
use deltid::analysis::Comparison;
use deltid::output::{CsvStyle, Format, InputKind, input_note, write_comparison};
use deltid::{CountsOptions, Estimate, Measure, OriginEstimate, Plan, Selection};

use crate::Failure;
use crate::output::{Output, commit, inputs_of};

/// Compare guest-nights from day counts (the plan's residual), night counts (hourly counts)
/// and counts split by origin, for the same areas and days, with their differences named.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  deltid compare --scenario data/home-split/scenario.toml \
    --counts data/hourly/counts.csv --counts data/home-split/split.csv"
)]
pub struct Args {
    /// Scenario file (TOML): areas, registered residents, deductions; `[origin]` for a split.
    #[arg(long, value_name = "FILE")]
    scenario: PathBuf,
    /// Counts files, two or three: daily counts (date, area, count), hourly counts (ts, area,
    /// count) and counts split by origin (date, area, origin, count), each recognised by its
    /// header.
    #[arg(long, value_name = "FILE", required = true, num_args = 1)]
    counts: Vec<PathBuf>,
    /// Output format: table (text), csv or json.
    #[arg(long, value_enum, default_value_t = CompareFormat::Table)]
    format: CompareFormat,
    /// Write to FILE instead of stdout (atomically; an existing file needs --force).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Replace an existing output file.
    #[arg(long)]
    force: bool,
    /// Language of labels and notes: nn, nb or en (the scenario's by default).
    #[arg(long, value_name = "LANG", value_parser = ["nn", "nb", "en"])]
    lang: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum CompareFormat {
    Table,
    Csv,
    Json,
}

pub fn run(args: Args) -> Result<(), Failure> {
    if !(2..=3).contains(&args.counts.len()) {
        return Err(Failure::usage(anyhow::anyhow!(
            "give two or three --counts files (daily, hourly, split by origin), got {}",
            args.counts.len()
        )));
    }
    let output = Output::new(args.output, args.force)?;
    let scenario = crate::input::read_scenario(&args.scenario)?;
    // Refused rather than publish unprotected figures (as `deltid sql` does).
    if !scenario.disclosure().is_off() {
        return Err(Failure::usage(anyhow::anyhow!(
            "{}: the scenario asks for small-count protection ([disclosure]), which `deltid compare` does not apply: compare protected figures from `deltid estimate`, or remove [disclosure] for an unprotected comparison",
            scenario.path().display()
        )));
    }
    // Checked before any counts are read: the scenario, what it names and every --counts.
    output.refuse_inputs_of("--output", &inputs_of(&scenario, &args.counts))?;
    let language = args
        .lang
        .as_deref()
        .and_then(|l| l.parse().ok())
        .or(scenario.language())
        .unwrap_or_default();
    let selection = Selection::default();
    let (mut day, mut night, mut split): (
        Option<Estimate>,
        Option<Estimate>,
        Option<OriginEstimate>,
    ) = (None, None, None);
    // The file of each estimate: daily, hourly, split.
    let mut paths: [Option<&PathBuf>; 3] = [None, None, None];
    for path in &args.counts {
        let counts = deltid::read_counts(path, &CountsOptions::default(), &scenario)?;
        let twice = || {
            Failure::usage(anyhow::anyhow!(
                "{}: a second file of the same kind; give one of each kind",
                path.display()
            ))
        };
        if let Some(origins) = counts.origins() {
            let plan = Plan::new(&scenario, &selection)?;
            if split.replace(plan.origin_estimate(origins)).is_some() {
                return Err(twice());
            }
            paths[2] = Some(path);
            eprintln!("deltid: {}", input_note(language, path, InputKind::Split));
            continue;
        }
        let measure = counts.measure();
        let estimate = Plan::for_measure(&scenario, &selection, measure)?.estimate(&counts)?;
        let slot = match measure {
            Measure::Day => &mut day,
            Measure::Night => &mut night,
        };
        if slot.replace(estimate).is_some() {
            return Err(twice());
        }
        paths[usize::from(measure == Measure::Night)] = Some(path);
        let kind = match measure {
            Measure::Day => InputKind::Daily,
            Measure::Night => InputKind::Hourly,
        };
        eprintln!("deltid: {}", input_note(language, path, kind));
    }
    let comparison = match Comparison::new(day.as_ref(), night.as_ref(), split.as_ref()) {
        Ok(comparison) => comparison,
        // Each estimate's dates beside the file it was read from, in the library's order.
        Err(deltid::Error::NothingInCommon { covered }) => {
            let files = [&paths[0], &paths[1], &paths[2]].into_iter().flatten();
            let each: Vec<String> = files
                .zip(&covered)
                .map(|(path, what)| format!("{} is {what}", path.display()))
                .collect();
            return Err(Failure::usage(anyhow::anyhow!(
                "the counts files have no area and date in common, so there is nothing to compare (a night is compared with the day of its evening date): {}",
                each.join("; ")
            )));
        }
        Err(e) => return Err(e.into()),
    };
    let format = match args.format {
        CompareFormat::Table => Format::Table,
        CompareFormat::Csv => Format::Csv(CsvStyle::default()),
        CompareFormat::Json => Format::Json,
    };
    let staged =
        vec![output.stage(|out| write_comparison(&comparison, &scenario, format, language, out))?];
    commit(staged)?;
    Ok(())
}
