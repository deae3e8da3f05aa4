//! `deltid`: guest-nights and present population from daily telecom counts.
//!
//! Each subcommand turns its arguments into library values, makes one library call and writes
//! the result. Exit codes: 0 success (also when the reader of stdout closes the pipe), 1 data
//! or runtime error (the whole cause chain on stderr), 2 usage error.

mod estimate;
mod input;
mod output;
mod population;
mod synth;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Guest-nights, part-time residents and present population from daily telecom counts per
/// municipality, by the Hallingdal regional plan's method.
#[derive(Parser)]
#[command(name = "deltid", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Estimate(estimate::Args),
    Population(population::Args),
    Synth(synth::Args),
    Validate(validate::Args),
}

/// An error with the exit code it should give.
pub struct Failure {
    error: anyhow::Error,
    code: u8,
}

impl Failure {
    /// A usage error (exit 2).
    fn usage(error: impl Into<anyhow::Error>) -> Failure {
        Failure {
            error: error.into(),
            code: 2,
        }
    }
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(error: E) -> Failure {
        let error = error.into();
        let code = match error.downcast_ref::<deltid::Error>() {
            Some(
                deltid::Error::InvalidSelection { .. }
                | deltid::Error::NoCounts { .. }
                | deltid::Error::ChartFormat { .. },
            ) => 2,
            _ => 1,
        };
        Failure { error, code }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Estimate(args) => estimate::run(args),
        Command::Population(args) => population::run(args),
        Command::Synth(args) => synth::run(args),
        Command::Validate(args) => validate::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) if output::is_broken_pipe(&failure.error) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("deltid: error: {}", failure.error);
            for cause in failure.error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(failure.code)
        }
    }
}
