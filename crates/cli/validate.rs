//! `deltid validate`: a data-quality report on a counts file before estimating.

use deltid::Selection;
use deltid::analysis::Validation;
use deltid::output::{Format, write_validation};

use crate::Failure;
use crate::input::Input;

/// Check counts before estimating: coverage and missing days per area, zero counts, level
/// shifts, outlier days, and every value the reader refuses (duplicates, negative counts,
/// areas unknown to the scenario). Exits with 1 on errors, 0 with warnings only. CSV and xlsx
/// hold the findings as a table (file, line, area, date, kind, message); xlsx also each
/// area's coverage.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  deltid validate --scenario data/hallingdal/plan-2021.toml\n  \
    deltid validate --scenario data/hallingdal/plan-2021.toml --counts new.csv --format json",
    // The whole file is checked: the selection's flags are not offered (they are refused).
    mut_arg("from", |a| a.hide(true)),
    mut_arg("to", |a| a.hide(true)),
    mut_arg("area", |a| a.hide(true))
)]
pub struct Args {
    #[command(flatten)]
    input: Input,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let input = args.input.resolve(false)?;
    if matches!(input.format, Format::Parquet) {
        return Err(Failure::usage(anyhow::anyhow!(
            "deltid validate writes --format table, csv, json or xlsx"
        )));
    }
    if input.selection != Selection::default() {
        return Err(Failure::usage(anyhow::anyhow!(
            "deltid validate checks the whole file: --from, --to and --area do not apply"
        )));
    }
    let scenario = input.scenario.clone();
    let report = Validation::run(&scenario, input.counts.as_deref(), &input.counts_options)?;
    input
        .output
        .write(|out| write_validation(&report, input.format, out))?;
    if report.has_errors() {
        let errors = report.errors.len() + report.errors_not_listed;
        let noun = if errors == 1 { "error" } else { "errors" };
        return Err(anyhow::anyhow!("{}: {errors} {noun}", report.counts.display()).into());
    }
    Ok(())
}
