//! `deltid estimate`: the plan's table for a scenario and its counts.

use deltid::report::Report;

use crate::Failure;
use crate::input::Input;

/// Estimate present population, part-time residents and guest-nights.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  deltid estimate --scenario data/hallingdal/plan-2021.toml\n  \
    deltid estimate --scenario data/hallingdal/ssb-2020.toml --from 2020-01-01 --to 2021-01-01 \
    --format csv --daily --output daily-2020.csv"
)]
pub struct Args {
    #[command(flatten)]
    input: Input,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let input = args.input.resolve(false)?;
    let report = Report::run(
        &input.scenario,
        input.counts.as_deref(),
        &input.counts_options,
        &input.selection,
    )?;
    input
        .output
        .write(|out| report.write(input.format, input.daily, out))?;
    Ok(())
}
