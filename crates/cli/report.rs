//! `deltid report`: one self-contained HTML file for a council.

use deltid::analysis::PopulationOptions;
use deltid::output::{Format, write_report};

use crate::Failure;
use crate::estimate::Analyses;
use crate::input::Input;

/// Write an HTML report: the plan's table per area and for the region, present population per
/// day (a chart), the busiest days, percentiles and the dimensioning figure, guest-nights per
/// year with coverage, notes and the run record. One file, no external assets; prints on A4.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  deltid report --scenario data/hallingdal/plan-2021.toml --lang nn \
    --output rapport.html"
)]
pub struct Args {
    #[command(flatten)]
    input: Input,
    #[command(flatten)]
    analyses: Analyses,
    /// How many of the busiest days to list (at least 1).
    #[arg(long, default_value_t = 10, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    top: u32,
    /// Percentile of present population to dimension for, as a fraction (0.95 = P95).
    #[arg(
        long,
        default_value_t = 0.95,
        value_name = "FRACTION",
        allow_negative_numbers = true
    )]
    dimensioning: f64,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let input = args.input.resolve(false)?;
    if input.format != Format::Table {
        return Err(Failure::usage(anyhow::anyhow!(
            "deltid report writes HTML: leave out --format"
        )));
    }
    let mut run = crate::estimate::run_with_progress(&input)?;
    run.set_command(crate::input::command_line());
    if let Some(language) = input.language {
        run.set_language(language);
    }
    args.analyses.add_to(&mut run)?;
    let options = PopulationOptions {
        top: args.top as usize,
        dimensioning: args.dimensioning,
        ..PopulationOptions::default()
    };
    let view = run.population(&options)?;
    // Made in memory first, so a failed report leaves nothing behind.
    let mut html = Vec::new();
    write_report(&run, &view, &mut html)?;
    input.output.write(|out| Ok(out.write_all(&html)?))?;
    Ok(())
}
